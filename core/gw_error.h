/*
 * gw_error: the one structured error object of the gateway.
 *
 * Validation, storage and request handling report failures as a gw_error_t
 * that the Admin API serialises unchanged into Kong's error JSON
 * ({"code":2,"name":"schema violation","message":...,"fields":{...}}), or,
 * for errors without a DAO code, into {"message":...}. Errors live in the
 * pool they were made from.
 */
#ifndef GW_ERROR_H
#define GW_ERROR_H

#include <apr_pools.h>
#include <json.h>

/* Kong's DAO error codes (reference §1.6). */
typedef enum {
    GW_ERR_NONE = 0,
    GW_ERR_INVALID_PRIMARY_KEY = 1,
    GW_ERR_SCHEMA_VIOLATION = 2,
    GW_ERR_PRIMARY_KEY_VIOLATION = 3,
    GW_ERR_FOREIGN_KEY_VIOLATION = 4,
    GW_ERR_UNIQUE_VIOLATION = 5,
    GW_ERR_NOT_FOUND = 6,
    GW_ERR_INVALID_OFFSET = 7,
    GW_ERR_DATABASE_ERROR = 8,
    GW_ERR_INVALID_SIZE = 9,
    GW_ERR_INVALID_UNIQUE = 10,
    GW_ERR_INVALID_OPTIONS = 11,
    GW_ERR_OPERATION_UNSUPPORTED = 12,
    GW_ERR_FOREIGN_KEYS_UNRESOLVED = 13,
    GW_ERR_DECLARATIVE_CONFIG = 14
} gw_err_code_e;

typedef struct gw_error_s {
    int status;             /* HTTP status the Admin API answers with */
    gw_err_code_e code;     /* GW_ERR_NONE: body is {"message":...} only */
    const char *message;    /* exact text clients see */
    json_object *fields;    /* owned by the error's pool; may be NULL */
    int fields_are_options; /* code 11 puts details under "options" */
    const char *name;       /* overrides the code's name (code 10 says
                               which unique field: "invalid unique name") */
} gw_error_t;

/* A plain {"message": msg} error with an HTTP status. */
gw_error_t *gw_error_plain(apr_pool_t *p, int status, const char *msg);

/* A DAO error with Kong's code, name and HTTP status for that code. */
gw_error_t *gw_error_dao(apr_pool_t *p, gw_err_code_e code, const char *msg,
                         json_object *fields);

/* Kong's name for a DAO code ("schema violation", ...). */
const char *gw_error_code_name(gw_err_code_e code);

/* Builds a code-2 error from a field-error tree ({"host":"required field
 * missing","@entity":[...],"config":{"x":"..."}}) with Kong's message:
 * "schema violation (a: m)" or "N schema violations (a: m; b: n)". The
 * tree is taken over by the error (it must be owned by p already). */
gw_error_t *gw_error_schema(apr_pool_t *p, json_object *fields);

/* Kong's message text for a field-error tree (without the error object). */
const char *gw_error_schema_message(json_object *fields, const char *prefix,
                                    apr_pool_t *p);

/* Lua-style rendering of a JSON value, keys sorted: {name="foo",n=1}. */
const char *gw_error_lua(json_object *v, apr_pool_t *p);

/* The JSON body for err, owned by p. */
json_object *gw_error_json(const gw_error_t *err, apr_pool_t *p);

#endif
