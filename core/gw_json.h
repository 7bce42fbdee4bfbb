/*
 * gw_json: json-c glued to APR pools.
 *
 * json-c objects are reference counted on the C heap. Every object the
 * gateway keeps is tied to a pool with gw_json_own(), which drops one
 * reference when that pool is cleared, so a request's JSON dies with the
 * request. The parser refuses input deeper than GW_JSON_MAX_DEPTH, so a
 * nesting bomb costs a bounded amount of memory and stack.
 */
#ifndef GW_JSON_H
#define GW_JSON_H

#include <apr_pools.h>
#include <json.h>

#define GW_JSON_MAX_DEPTH 64

/* Ties one reference of obj to pool p; returns obj (NULL stays NULL). */
json_object *gw_json_own(apr_pool_t *p, json_object *obj);

/* Parses exactly one JSON value from buf (len bytes, NUL not required).
 * Trailing non-space bytes, invalid UTF-8, over-deep input and an object
 * that names a key twice fail (json-c would keep the last silently).
 * On success *out is owned by p (may be a JSON null: then *out is NULL and
 * *is_null is set). Returns APR_SUCCESS or APR_EGENERAL. */
apr_status_t gw_json_parse(json_object **out, int *is_null, const char *buf,
                           apr_size_t len, apr_pool_t *p);

/* gw_json_parse, with *why (owned by p) saying what is wrong on failure. */
apr_status_t gw_json_parse_why(json_object **out, int *is_null,
                               const char **why, const char *buf,
                               apr_size_t len, apr_pool_t *p);

/* Compact serialisation with unescaped slashes, copied into p. */
const char *gw_json_text(const json_object *obj, apr_pool_t *p);

/* Deep copy owned by p. */
json_object *gw_json_copy(const json_object *obj, apr_pool_t *p);

/* Accessors that tolerate a NULL or wrongly typed object. */
const char *gw_json_str(const json_object *obj, const char *key);
json_object *gw_json_get(const json_object *obj, const char *key);

/* True when obj holds key, whatever its value: a JSON null is a NULL
 * pointer in json-c, so gw_json_get() alone cannot tell null from absent. */
int gw_json_has(const json_object *obj, const char *key);

/* Structural equality (objects compared key by key, order ignored). */
int gw_json_equal(const json_object *a, const json_object *b);

/* New object/array/string objects; the caller owns the reference. */
json_object *gw_json_new_str(const char *s);

/* Returns the keys of obj sorted by byte order, in p. */
const char **gw_json_sorted_keys(const json_object *obj, int *n, apr_pool_t *p);

#endif
