/*
 * gw_error: Kong-shaped error objects and their messages. See gw_error.h.
 */
#include <math.h>
#include <string.h>

#include <apr_strings.h>
#include <apr_tables.h>

#include "gw_error.h"
#include "gw_json.h"
#include "gw_text.h"

static const struct {
    const char *name;
    int status;
} dao_codes[] = {
    [GW_ERR_NONE] = {NULL, 500},
    [GW_ERR_INVALID_PRIMARY_KEY] = {"invalid primary key", 400},
    [GW_ERR_SCHEMA_VIOLATION] = {"schema violation", 400},
    [GW_ERR_PRIMARY_KEY_VIOLATION] = {"primary key violation", 400},
    [GW_ERR_FOREIGN_KEY_VIOLATION] = {"foreign key violation", 400},
    [GW_ERR_UNIQUE_VIOLATION] = {"unique constraint violation", 409},
    [GW_ERR_NOT_FOUND] = {"not found", 404},
    [GW_ERR_INVALID_OFFSET] = {"invalid offset", 400},
    [GW_ERR_DATABASE_ERROR] = {"database error", 500},
    [GW_ERR_INVALID_SIZE] = {"invalid size", 400},
    [GW_ERR_INVALID_UNIQUE] = {"invalid unique", 400},
    [GW_ERR_INVALID_OPTIONS] = {"invalid options", 400},
    [GW_ERR_OPERATION_UNSUPPORTED] = {"operation unsupported", 405},
    [GW_ERR_FOREIGN_KEYS_UNRESOLVED] = {"foreign keys unresolved", 400},
    [GW_ERR_DECLARATIVE_CONFIG] = {"invalid declarative configuration", 400},
};

const char *gw_error_code_name(gw_err_code_e code)
{
    if ((unsigned)code >= sizeof(dao_codes) / sizeof(dao_codes[0])) {
        return "unknown error";
    }
    return dao_codes[code].name;
}

gw_error_t *gw_error_plain(apr_pool_t *p, int status, const char *msg)
{
    gw_error_t *err = apr_pcalloc(p, sizeof(*err));

    err->status = status;
    err->code = GW_ERR_NONE;
    err->message = msg;
    return err;
}

gw_error_t *gw_error_dao(apr_pool_t *p, gw_err_code_e code, const char *msg,
                         json_object *fields)
{
    gw_error_t *err = apr_pcalloc(p, sizeof(*err));

    err->code = code;
    err->status = (unsigned)code < sizeof(dao_codes) / sizeof(dao_codes[0])
                      ? dao_codes[code].status
                      : 500;
    err->message = msg;
    err->fields = fields;
    err->fields_are_options = code == GW_ERR_INVALID_OPTIONS;
    return err;
}

static void lua_render(apr_array_header_t *out, json_object *v, apr_pool_t *p);

static void lua_render_number(apr_array_header_t *out, json_object *v,
                              apr_pool_t *p)
{
    if (json_object_is_type(v, json_type_int)) {
        *(const char **)apr_array_push(out) = apr_psprintf(
            p, "%" APR_INT64_T_FMT, (apr_int64_t)json_object_get_int64(v));
    }
    else {
        double d = json_object_get_double(v);

        *(const char **)apr_array_push(out) = (d == floor(d) && fabs(d) < 1e15)
                                                  ? apr_psprintf(p, "%.0f", d)
                                                  : apr_psprintf(p, "%.14g", d);
    }
}

static void lua_render(apr_array_header_t *out, json_object *v, apr_pool_t *p)
{
    const char **keys;
    int n, i;

    switch (json_object_get_type(v)) {
        case json_type_null:
            *(const char **)apr_array_push(out) = "null";
            return;
        case json_type_boolean:
            *(const char **)apr_array_push(out) =
                json_object_get_boolean(v) ? "true" : "false";
            return;
        case json_type_int:
        case json_type_double:
            lua_render_number(out, v, p);
            return;
        case json_type_string:
            *(const char **)apr_array_push(out) =
                gw_text_lua_quote(json_object_get_string(v), p);
            return;
        case json_type_array:
            *(const char **)apr_array_push(out) = "{";
            n = (int)json_object_array_length(v);
            for (i = 0; i < n; i++) {
                if (i) {
                    *(const char **)apr_array_push(out) = ",";
                }
                lua_render(out, json_object_array_get_idx(v, (size_t)i), p);
            }
            *(const char **)apr_array_push(out) = "}";
            return;
        case json_type_object:
            keys = gw_json_sorted_keys(v, &n, p);
            *(const char **)apr_array_push(out) = "{";
            for (i = 0; i < n; i++) {
                if (i) {
                    *(const char **)apr_array_push(out) = ",";
                }
                *(const char **)apr_array_push(out) =
                    apr_pstrcat(p, keys[i], "=", NULL);
                lua_render(out, gw_json_get(v, keys[i]), p);
            }
            *(const char **)apr_array_push(out) = "}";
            return;
    }
}

const char *gw_error_lua(json_object *v, apr_pool_t *p)
{
    apr_array_header_t *parts = apr_array_make(p, 16, sizeof(char *));

    lua_render(parts, v, p);
    return apr_array_pstrcat(p, parts, '\0');
}

/* Appends "<prefix><field>: <msg>" entries for one field's error value. */
static void collect(apr_array_header_t *entries, const char *name,
                    json_object *err, apr_pool_t *p)
{
    const char **keys;
    int n, i;

    if (json_object_is_type(err, json_type_string)) {
        *(const char **)apr_array_push(entries) =
            apr_pstrcat(p, name, ": ", json_object_get_string(err), NULL);
        return;
    }
    if (json_object_is_type(err, json_type_array)) {
        n = (int)json_object_array_length(err);
        for (i = 0; i < n; i++) {
            json_object *e = json_object_array_get_idx(err, (size_t)i);

            if (!e) {
                continue;
            }
            *(const char **)apr_array_push(entries) =
                apr_psprintf(p, "%s.%d: %s", name, i + 1,
                             json_object_is_type(e, json_type_string)
                                 ? json_object_get_string(e)
                                 : gw_error_lua(e, p));
        }
        return;
    }
    if (json_object_is_type(err, json_type_object)) {
        keys = gw_json_sorted_keys(err, &n, p);
        for (i = 0; i < n; i++) {
            json_object *e = gw_json_get(err, keys[i]);

            *(const char **)apr_array_push(entries) =
                apr_psprintf(p, "%s.%s: %s", name, keys[i],
                             json_object_is_type(e, json_type_string)
                                 ? json_object_get_string(e)
                                 : gw_error_lua(e, p));
        }
    }
}

const char *gw_error_schema_message(json_object *fields, const char *prefix,
                                    apr_pool_t *p)
{
    apr_array_header_t *entries = apr_array_make(p, 8, sizeof(char *));
    json_object *entity = gw_json_get(fields, "@entity");
    const char **keys;
    const char *joined;
    int n, i;

    if (entity && json_object_is_type(entity, json_type_array)) {
        n = (int)json_object_array_length(entity);
        for (i = 0; i < n; i++) {
            json_object *e = json_object_array_get_idx(entity, (size_t)i);

            if (e) {
                *(const char **)apr_array_push(entries) =
                    json_object_get_string(e);
            }
        }
    }
    keys = gw_json_sorted_keys(fields, &n, p);
    for (i = 0; i < n; i++) {
        if (strcmp(keys[i], "@entity") != 0) {
            collect(entries, keys[i], gw_json_get(fields, keys[i]), p);
        }
    }
    if (entries->nelts == 0) {
        return apr_pstrcat(p, prefix, NULL);
    }
    joined = ((const char **)entries->elts)[0];
    for (i = 1; i < entries->nelts; i++) {
        joined = apr_pstrcat(p, joined, "; ", ((const char **)entries->elts)[i],
                             NULL);
    }
    if (entries->nelts == 1) {
        return apr_psprintf(p, "%s (%s)", prefix, joined);
    }
    return apr_psprintf(p, "%d %ss (%s)", entries->nelts, prefix, joined);
}

gw_error_t *gw_error_schema(apr_pool_t *p, json_object *fields)
{
    return gw_error_dao(p, GW_ERR_SCHEMA_VIOLATION,
                        gw_error_schema_message(fields, "schema violation", p),
                        fields);
}

json_object *gw_error_json(const gw_error_t *err, apr_pool_t *p)
{
    json_object *o = gw_json_own(p, json_object_new_object());

    if (err->code != GW_ERR_NONE) {
        json_object_object_add(o, "code", json_object_new_int(err->code));
        json_object_object_add(
            o, "name",
            json_object_new_string(err->name ? err->name
                                             : gw_error_code_name(err->code)));
    }
    json_object_object_add(o, "message",
                           json_object_new_string(err->message
                                                      ? err->message
                                                      : "An unexpected "
                                                        "error occurred"));
    if (err->fields) {
        json_object_object_add(o,
                               err->fields_are_options ? "options" : "fields",
                               json_object_get(err->fields));
    }
    return o;
}
