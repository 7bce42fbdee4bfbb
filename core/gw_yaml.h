/*
 * gw_yaml: YAML text to json-c and back, for declarative configuration.
 *
 * The reader turns one YAML document into the JSON value Kong's lyaml
 * would produce: plain scalars are typed the YAML 1.1 way lyaml does it
 * (null and ~, true/yes/on, decimal, octal, hex, binary and base-60
 * integers, floats), quoted and block scalars stay strings, `<<` merge
 * keys are honoured. Because declarative files come from operators and
 * from POST /config, reading is bounded: the input size, the nesting
 * depth, and the number of values and scalar bytes produced with aliases
 * expanded (a "billion laughs" document fails as soon as its expansion
 * passes the limit, before anything is copied). A duplicate key in a
 * mapping, a second document, a recursive alias and a non-scalar key are
 * errors.
 *
 * The writer emits block-style YAML with keys in the order the objects
 * hold them and strings quoted whenever a plain scalar would read back as
 * something else. Everything produced lives in the pool passed in.
 */
#ifndef GW_YAML_H
#define GW_YAML_H

#include <apr_pools.h>
#include <json.h>

#define GW_YAML_MAX_BYTES (32 * 1024 * 1024)
#define GW_YAML_MAX_NODES 1000000
#define GW_YAML_MAX_EXPANDED_BYTES (64 * 1024 * 1024)

/* Bounds on one read; a zero member means the GW_YAML_* default (depth:
 * GW_JSON_MAX_DEPTH). */
typedef struct gw_yaml_limits_s {
    apr_size_t max_bytes;          /* input text */
    apr_size_t max_nodes;          /* values produced, aliases expanded */
    apr_size_t max_expanded_bytes; /* scalar and key bytes, likewise */
    int max_depth;                 /* nested mappings and sequences */
} gw_yaml_limits_t;

/* Reads the single YAML document in buf[0..len) into *out, owned by p
 * (NULL for an empty document or a top-level null). limits may be NULL.
 * On failure returns APR_EGENERAL (APR_ENOSPC when a limit is exceeded)
 * with a one-line reason, with line and column where known, in *why. */
apr_status_t gw_yaml_parse(json_object **out, apr_pool_t *p, const char **why,
                           const char *buf, apr_size_t len,
                           const gw_yaml_limits_t *limits);

/* As gw_yaml_parse, but text whose first non-blank byte is '{' is read
 * with the strict JSON parser (gw_json_parse) instead. */
apr_status_t gw_yaml_parse_any(json_object **out, apr_pool_t *p,
                               const char **why, const char *buf,
                               apr_size_t len, const gw_yaml_limits_t *limits);

/* The typed value of a plain (unquoted) scalar, as lyaml resolves it: a new
 * json-c reference the caller owns, NULL for null. *is_string is set when
 * the text stays a string. Returns APR_EGENERAL for .inf and .nan, which
 * JSON cannot hold. */
apr_status_t gw_yaml_scalar(json_object **out, int *is_string, const char *s,
                            apr_size_t len);

/* Block-style YAML for v (any JSON value), allocated from p, without a
 * document marker; *len may be NULL. Fails (APR_EGENERAL) only on values
 * nested deeper than GW_JSON_MAX_DEPTH * 2 or on emitter errors. */
apr_status_t gw_yaml_emit(const char **text, apr_pool_t *p, apr_size_t *len,
                          const json_object *v);

#endif
