/*
 * gw_entity: the configuration entities (services, routes, ...) as data.
 *
 * Each entity type is one static gw_entity_t: its Admin API name, endpoint
 * key, field schema, entity checks and an optional input transformation.
 * gw_entity_prepare() turns an Admin API or declarative input into the
 * complete entity to store, with Kong's defaults, auto fields and
 * validation; the Admin API, the declarative loader and the CLI all go
 * through it. Entities are plain json-c objects in Kong's output shape;
 * they live in the pool passed in.
 */
#ifndef GW_ENTITY_H
#define GW_ENTITY_H

#include <apr_pools.h>
#include <apr_time.h>
#include <json.h>

#include "gw_error.h"
#include "gw_schema.h"

typedef struct gw_entity_s gw_entity_t;

typedef enum {
    GW_OP_INSERT, /* POST: defaults, new id unless given */
    GW_OP_UPSERT, /* PUT: full replacement, defaults for what is absent */
    GW_OP_UPDATE  /* PATCH: merge into the existing entity */
} gw_op_e;

/* Rewrites input in place before validation (e.g. a service's url
 * shorthand); may record field errors in v. */
typedef void (*gw_entity_transform_fn)(const gw_entity_t *e, json_object *input,
                                       gw_validation_t *v);

/* Completes the merged entity before validation: values the server
 * derives (a generated key, a plugin's config defaults). existing is the
 * stored entity for updates, else NULL. The same signature serves
 * on_write, which runs after validation (see gw_entity_s). */
typedef void (*gw_entity_complete_fn)(const gw_entity_t *e, gw_op_e op,
                                      json_object *ent,
                                      const json_object *existing,
                                      gw_validation_t *v, apr_pool_t *p);

/* The subschema that key (the value of the entity's subschema_key) names,
 * or NULL when there is none. */
typedef const gw_subschema_t *(*gw_entity_subschema_fn)(const char *key);

struct gw_entity_s {
    const char *name;         /* "services": table and declarative key */
    const char *singular;     /* "service": name of a foreign key to it */
    const char *endpoint_key; /* "name", or NULL when only ids address it */
    const gw_field_t *fields;
    const gw_entity_check_t *checks;
    gw_entity_transform_fn transform;
    unsigned flags;                     /* GW_E_* */
    const char *const *unique_together; /* Kong's cache_key, or NULL */
    const char *query_key;   /* GET /E?<query_key>=v looks one entity up by
                                that unique field (consumers' custom_id) */
    const char *path;        /* Admin collection ("key-auths"); NULL: name */
    const char *nested_path; /* under its parent ("key-auth"); NULL: path */
    gw_entity_complete_fn complete;
    /* Kong's schema transformations (on_write): rewrites the validated
     * entity into its stored form (a basic-auth password into its
     * hash). Skipped under GW_PREPARE_RAW. */
    gw_entity_complete_fn on_write;
    /* the endpoint key under its parent only, for an entity that has
     * none at the top level (/consumers/{c}/acls/{group}) */
    const char *nested_endpoint_key;
    /* Kong's subschemas (plugins by name): the value of subschema_key
     * chooses fields that replace the entity's own and checks that run
     * after its own. A missing key is "required field missing" and an
     * unknown one subschema_error (a format with one %s for the key);
     * either is then the only error reported, as in Kong. */
    const char *subschema_key;
    gw_entity_subschema_fn subschema;
    const char *subschema_error;
};

/* Only reachable under its parent (/upstreams/{u}/targets): /E, /E/{key}
 * and /E/{key}/<fk> answer 404. */
#define GW_E_NESTED_ONLY 0x0001
/* PUT on /P/{p}/E/{key} updates like PATCH and never creates. */
#define GW_E_PUT_UPDATES 0x0002
/* The nested list shows the newest row of each endpoint key, newest
 * first, paged by a decimal offset; /P/{p}/E/all lists every row. */
#define GW_E_NEWEST_PER_KEY 0x0004

/* Takes Kong's `ttl` write option (seconds until the row expires). */
#define GW_E_TTL 0x0008

extern const gw_entity_t gw_entity_services;
extern const gw_entity_t gw_entity_routes;
extern const gw_entity_t gw_entity_consumers;
extern const gw_entity_t gw_entity_upstreams;
extern const gw_entity_t gw_entity_targets;
extern const gw_entity_t gw_entity_certificates;
extern const gw_entity_t gw_entity_snis;
extern const gw_entity_t gw_entity_ca_certificates;
extern const gw_entity_t gw_entity_keyauth_credentials;
extern const gw_entity_t gw_entity_basicauth_credentials;
extern const gw_entity_t gw_entity_hmacauth_credentials;
extern const gw_entity_t gw_entity_jwt_secrets;
extern const gw_entity_t gw_entity_acls;
extern const gw_entity_t gw_entity_plugins;

/* The entity type called name ("services"), or NULL. */
const gw_entity_t *gw_entity_find(const char *name);

/* The entity type whose Admin collection path (top level, or nested under
 * a parent when nested is set) is path, or NULL. */
const gw_entity_t *gw_entity_find_path(const char *path, int nested);

/* e's Admin collection path and its path under a parent. */
const char *gw_entity_path(const gw_entity_t *e);
const char *gw_entity_nested_path(const gw_entity_t *e);

/* The key that addresses one e in a URL instead of its id: at the top
 * level (nested 0) or under its parent (nested 1); NULL when only ids
 * do. */
const char *gw_entity_endpoint_key(const gw_entity_t *e, int nested);

/* All entity types, ended by NULL, in dependency order (parents first). */
const gw_entity_t *const *gw_entity_all(void);

/* Builds the entity to store from input (an object owned by p; it is
 * modified). existing is the stored entity for GW_OP_UPDATE (input is
 * merged into it) and, for GW_OP_UPSERT, the row being replaced (which is
 * overwritten whole: created_at is new unless input has one); NULL
 * otherwise. now is the write time. On success *out
 * is the complete entity; on a validation failure returns APR_EINVAL with
 * a code-2 error in *err. Server-generated strings (GW_F_AUTO string
 * members such as a credential's key) are made on insert and upsert when
 * input lacks them. */
apr_status_t gw_entity_prepare(json_object **out, gw_error_t **err,
                               const gw_entity_t *e, gw_op_e op,
                               json_object *input, const json_object *existing,
                               apr_time_t now, apr_pool_t *p);

/* gw_entity_prepare's flags. GW_PREPARE_RAW: the input is already in
 * stored form, so the entity's on_write transformation is skipped (Kong's
 * declarative `_transform: false`: basic-auth passwords arrive hashed). */
#define GW_PREPARE_RAW 0x0001

/* gw_entity_prepare with flags (GW_PREPARE_*). */
apr_status_t gw_entity_prepare_ex(json_object **out, gw_error_t **err,
                                  const gw_entity_t *e, gw_op_e op,
                                  json_object *input,
                                  const json_object *existing, apr_time_t now,
                                  unsigned flags, apr_pool_t *p);

/* The largest `ttl` Kong accepts (DAO_MAX_TTL). */
#define GW_ENTITY_MAX_TTL 100000000

/* Takes Kong's `ttl` write option out of input (a body member, removed
 * from it): *ttl gets its seconds, 0 when absent or 0 (no expiry). A ttl
 * on an entity without GW_E_TTL, or one that is not an integer in
 * 0..GW_ENTITY_MAX_TTL, returns APR_EINVAL with Kong's code-11 error
 * ("invalid option (ttl: ...)") in *err. */
apr_status_t gw_entity_take_ttl(apr_int64_t *ttl, gw_error_t **err,
                                const gw_entity_t *e, json_object *input,
                                apr_pool_t *p);
/* The fields an entity of type e with the values of ent is described by:
 * e->fields with its subschema's replacements when ent names one (for
 * coercing form input, describing and shaping); owned by p. */
const gw_field_t *gw_entity_fields(const gw_entity_t *e, const json_object *ent,
                                   apr_pool_t *p);

/* What a client reads of ent: ent itself, or for a subschema with a
 * `present` hook a copy (owned by p) with what it adds. The Admin API
 * passes every entity it returns through this; nothing it adds is ever
 * stored. */
json_object *gw_entity_present(const gw_entity_t *e, json_object *ent,
                               apr_pool_t *p);

/* Fills defaults (and nothing else) so that a stored row read back has
 * every field in Kong's output shape, nulls included, in schema order. */
json_object *gw_entity_shape(const gw_entity_t *e, json_object *row,
                             apr_pool_t *p);

/* The foreign-key fields of e that reference parent, or NULL. */
const gw_field_t *gw_entity_foreign_to(const gw_entity_t *e,
                                       const gw_entity_t *parent);

#endif
