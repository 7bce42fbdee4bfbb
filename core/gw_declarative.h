/*
 * gw_declarative: Kong's declarative configuration (reference §5.3), the
 * text DB-less nodes load, POST /config receives, and gatewayctl
 * db_import / db_export read and write.
 *
 * Parsing turns a declarative document (YAML or JSON) into the flat
 * configuration: one array per entity type, every entity complete as the
 * write pipeline (gw_entity_prepare) makes it, foreign keys as {"id":...},
 * each array sorted by id:
 *
 *   {"_format_version":"3.0","_transform":true,
 *    "services":[...],"routes":[...],"consumers":[...],...}
 *
 * Nesting and references work for every entity type of the registry: an
 * entry of type E may sit under an entry of P (key E->name) when E has a
 * foreign field referencing P, or reference its parent at the top level
 * by endpoint key or id. Entities without an id get the deterministic
 * UUID v5 that Kong 3.x computes, so the same file yields the same ids.
 * Every error is reported at once in Kong's code-14 shape.
 *
 * Exporting is the inverse for gatewayctl db_export and GET /config.
 * Everything returned lives in the pool passed in.
 */
#ifndef GW_DECLARATIVE_H
#define GW_DECLARATIVE_H

#include <apr_pools.h>
#include <apr_time.h>
#include <json.h>

#include "gw_error.h"
#include "gw_yaml.h"

/* Kong's configuration_hash before any configuration is loaded. */
#define GW_DECLARATIVE_EMPTY_HASH "00000000000000000000000000000000"

/* At most this many entities, nested ones included, by default. */
#define GW_DECLARATIVE_MAX_ENTITIES 200000

typedef struct gw_declarative_opts_s {
    apr_time_t now;          /* timestamps of entities that have none */
    int flatten_errors;      /* also build Kong's flattened_errors */
    apr_size_t max_entities; /* 0: GW_DECLARATIVE_MAX_ENTITIES */
    gw_yaml_limits_t limits; /* text bounds; zeros: defaults */
} gw_declarative_opts_t;

typedef struct gw_declarative_s {
    json_object *config;           /* the flat configuration; NULL on failure */
    const char *hash;              /* 32 hex digits (gw_declarative_hash of the
                                      document); NULL when the text did not parse */
    const char *format_version;    /* as the document gave it */
    gw_error_t *error;             /* code 14 (status 400) on failure */
    json_object *flattened_errors; /* with opts.flatten_errors */
} gw_declarative_t;

/* Parses declarative text (YAML, or JSON when it starts with '{') into
 * *out. Returns APR_SUCCESS with (*out)->config, or APR_EINVAL with
 * (*out)->error: Kong's code-14 error, its fields holding every problem
 * found (and, with opts->flatten_errors, (*out)->flattened_errors; the
 * fields and message then keep only what could not be flattened, as in
 * Kong). opts may be NULL (now = 0). */
apr_status_t gw_declarative_parse(gw_declarative_t **out, apr_pool_t *p,
                                  const char *text, apr_size_t len,
                                  const gw_declarative_opts_t *opts);

/* As gw_declarative_parse for a document already read (a JSON body of
 * POST /config that holds _format_version). doc is modified. */
apr_status_t gw_declarative_load(gw_declarative_t **out, apr_pool_t *p,
                                 json_object *doc,
                                 const gw_declarative_opts_t *opts);

/* The Admin API body for a failed parse: the error's JSON plus
 * "flattened_errors" when they were built. */
json_object *gw_declarative_error_json(const gw_declarative_t *d,
                                       apr_pool_t *p);

/* The flat configuration as Kong answers a successful POST /config:
 * {"services":{"<id>":{...}},...}, types without entities left out. */
json_object *gw_declarative_by_id(const json_object *config, apr_pool_t *p);

/* The declarative document of a flat configuration, as kong config
 * db_export writes it: _format_version "3.0", _transform false (values
 * are already transformed), then each entity type that has entities, in
 * dependency order, entities sorted by id with every field in schema
 * order (nulls included), foreign keys as plain id strings, and the
 * members of records and maps in byte order of their keys. Parsing the
 * export and exporting again gives the same bytes. */
json_object *gw_declarative_export(const json_object *config, apr_pool_t *p);

/* gw_declarative_export as YAML text (as_json: compact JSON). */
apr_status_t gw_declarative_export_text(const char **text, apr_pool_t *p,
                                        const json_object *config, int as_json);

/* The configuration hash: MD5, as 32 lower-case hex digits, of the
 * canonical JSON of doc (keys in byte order, no white space), so that
 * the same declarative content hashes alike in YAML or JSON, whatever
 * its layout and comments. NULL doc: GW_DECLARATIVE_EMPTY_HASH. */
const char *gw_declarative_hash(const json_object *doc, apr_pool_t *p);

/* A new array of the entities of list, sorted by id (the order of the
 * flat configuration, of exports and of Kong's Admin API lists). */
json_object *gw_declarative_sorted(const json_object *list);

/* The canonical JSON text used by gw_declarative_hash. */
const char *gw_declarative_canonical(const json_object *doc, apr_pool_t *p);

#endif
