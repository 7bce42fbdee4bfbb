/*
 * mod_gateway_admin_meta: the Admin API's endpoints about the API itself:
 * `/endpoints` (every path, Kong's listing), `/schemas/{entity}` and
 * `/schemas/{entity}/validate` (the entity descriptions decK reads to fill
 * defaults), `/plugins/enabled`, and `/config`, which only DB-less nodes
 * serve, and `/tags`.
 */
#ifndef MOD_GATEWAY_ADMIN_META_H
#define MOD_GATEWAY_ADMIN_META_H

#include "mod_gateway_admin_http.h"

int gw_admin_meta_endpoints(gw_admin_req_t *req);
int gw_admin_meta_schema(gw_admin_req_t *req, const char *entity);
int gw_admin_meta_validate(gw_admin_req_t *req, const char *entity);
int gw_admin_meta_config(gw_admin_req_t *req);

/* GET /tags (tag NULL) and /tags/{tag}. */
int gw_admin_meta_tags(gw_admin_req_t *req, const char *tag);

#endif
