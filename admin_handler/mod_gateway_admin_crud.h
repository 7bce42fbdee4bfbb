/*
 * mod_gateway_admin_crud: the generic entity endpoints of the Admin API:
 * list, create, read, upsert, update and delete, plain and nested, with
 * Kong's status codes and error bodies. Entity specifics come from the
 * gw_entity_t description; nothing here names a particular entity.
 */
#ifndef MOD_GATEWAY_ADMIN_CRUD_H
#define MOD_GATEWAY_ADMIN_CRUD_H

#include "mod_gateway_admin_dispatch.h"

/* Serves one entity request; method is "GET" for HEAD. */
int gw_admin_crud(gw_admin_req_t *req, const gw_admin_target_t *t,
                  const char *method);

#endif
