/*
 * mod_gateway_admin_dispatch: maps an Admin API path and method to what it
 * addresses. Paths are generated from the entity registry: for every
 * entity E, /E and /E/{key}; for every foreign key of E to P,
 * /P/{p}/E, /P/{p}/E/{key} and /E/{key}/<fk>. Unknown paths answer 404,
 * known paths with another method 405, OPTIONS the Allow list.
 */
#ifndef MOD_GATEWAY_ADMIN_DISPATCH_H
#define MOD_GATEWAY_ADMIN_DISPATCH_H

#include "gw_entity.h"
#include "mod_gateway_admin_http.h"

typedef enum {
    GW_ADMIN_ROOT,
    GW_ADMIN_STATUS,
    GW_ADMIN_COLLECTION,           /* /services */
    GW_ADMIN_ENTITY,               /* /services/{s} */
    GW_ADMIN_NESTED_COLLECTION,    /* /services/{s}/routes */
    GW_ADMIN_NESTED_ENTITY,        /* /services/{s}/routes/{r} */
    GW_ADMIN_NESTED_ALL,           /* /upstreams/{u}/targets/all */
    GW_ADMIN_UPSTREAM_HEALTH,      /* /upstreams/{u}/health */
    GW_ADMIN_PARENT,               /* /routes/{r}/service */
    GW_ADMIN_ENDPOINTS,            /* /endpoints */
    GW_ADMIN_SCHEMA,               /* /schemas/{entity} */
    GW_ADMIN_SCHEMA_VALIDATE,      /* /schemas/{entity}/validate */
    GW_ADMIN_PLUGINS_ENABLED,      /* /plugins/enabled */
    GW_ADMIN_PLUGIN_SCHEMA,        /* /schemas/plugins/{name} */
    GW_ADMIN_PLUGIN_CONFIG_SCHEMA, /* /plugins/schema/{name} (deprecated) */
    GW_ADMIN_CONFIG,               /* /config */
    GW_ADMIN_TAGS                  /* /tags, /tags/{tag} */
} gw_admin_kind_e;

typedef struct gw_admin_target_s {
    gw_admin_kind_e kind;
    const gw_entity_t *entity; /* the entity addressed or listed */
    const char *key;           /* its id or endpoint key, decoded */
    const gw_entity_t *parent; /* nested forms: the owner */
    const char *parent_key;
    const gw_field_t *fk; /* the foreign key linking the two */
    const char *path;     /* the collection path as the client wrote
                             it, for `next` links */
} gw_admin_target_t;

/* Handles the request end to end. */
int gw_admin_dispatch(gw_admin_req_t *req);

#endif
