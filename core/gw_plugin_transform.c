/*
 * gw_plugin_transform: the schemas of request-transformer and
 * response-transformer (reference §4.9, 4.10): lists of "name" or
 * "name:value" entries per part of the message, grouped by operation
 * (remove, rename, replace, add, append).
 */
#include <string.h>

#include <apr_strings.h>

#include "gw_json.h"
#include "gw_plugin.h"

/* Kong splits an entry with ^([^:]+):*(.-)$: the name runs to the first
 * colon, further colons are skipped. Returns 0 when there is no name. */
static int split_entry(const char *s, const char **name, const char **value,
                       apr_pool_t *p)
{
    apr_size_t len = strcspn(s, ":");

    if (len == 0) {
        return 0;
    }
    *name = apr_pstrndup(p, s, len);
    for (s += len; *s == ':'; s++) {
    }
    *value = s;
    return 1;
}

static int is_header_name(const char *s, apr_pool_t *p)
{
    return *s
           && !gw_schema_check_header_name(
               gw_json_own(p, json_object_new_string(s)), p);
}

/* Kong's validate_headers: the name (and with check_value, the value,
 * a new header name) must be header names */
static const char *entry_header_error(const char *s, int check_value,
                                      apr_pool_t *p)
{
    const char *name = "nil", *value = "";
    int named = split_entry(s, &name, &value, p);

    if (!named || !is_header_name(name, p)) {
        return apr_psprintf(p, "'%s' is not a valid header", name);
    }
    if (check_value && !is_header_name(value, p)) {
        return apr_psprintf(p, "'%s' is not a valid header", value);
    }
    return NULL;
}

/* the pattern ^[^:]+:.*$ of "name:value" entries */
static const char *colon_error(const char *s, apr_pool_t *p)
{
    if (*s == ':' || !strchr(s, ':')) {
        return apr_pstrcat(p, "invalid value: ", s, NULL);
    }
    return NULL;
}

static const char *check_header(json_object *v, apr_pool_t *p)
{
    return entry_header_error(json_object_get_string(v), 0, p);
}

static const char *check_colon(json_object *v, apr_pool_t *p)
{
    return colon_error(json_object_get_string(v), p);
}

static const char *check_colon_header(json_object *v, apr_pool_t *p)
{
    const char *s = json_object_get_string(v);
    const char *err = colon_error(s, p);

    return err ? err : entry_header_error(s, 0, p);
}

static const char *check_colon_rename(json_object *v, apr_pool_t *p)
{
    const char *s = json_object_get_string(v);
    const char *err = colon_error(s, p);

    return err ? err : entry_header_error(s, 1, p);
}

/* Kong's check_for_value. (Kong also compiles the value as a template;
 * template errors are only found when the plugin runs here.) */
static const char *check_has_value(json_object *v, apr_pool_t *p)
{
    const char *name = "", *value = "";

    split_entry(json_object_get_string(v), &name, &value, p);
    if (!*value) {
        return apr_psprintf(p, "key '%s' has no value", name);
    }
    return NULL;
}

#define GW_ENTRY_ELEMENT(n, fn)   \
    static const gw_field_t n = { \
        .name = "entry", .type = GW_T_STRING, .check = fn}

GW_ENTRY_ELEMENT(header_element, check_header);
GW_ENTRY_ELEMENT(colon_element, check_colon);
GW_ENTRY_ELEMENT(colon_header_element, check_colon_header);
GW_ENTRY_ELEMENT(colon_rename_element, check_colon_rename);
GW_ENTRY_ELEMENT(valued_element, check_has_value);

#define GW_ENTRIES(n, element)                                               \
    {                                                                        \
        .name = n, .type = GW_T_ARRAY, .flags = GW_F_REQUIRED, .dflt = "[]", \
        .elements = &element                                                 \
    }
#define GW_OPERATION(n, members)                                \
    {                                                           \
        .name = n, .type = GW_T_RECORD, .flags = GW_F_REQUIRED, \
        .fields = members                                       \
    }

/* ------------------------------------------------- request-transformer */

static const gw_field_t request_remove[] = {
    GW_ENTRIES("body", gw_plugin_string_element),
    GW_ENTRIES("headers", header_element),
    GW_ENTRIES("querystring", gw_plugin_string_element),
    {NULL}};
static const gw_field_t request_rename[] = {
    GW_ENTRIES("body", valued_element),
    GW_ENTRIES("headers", colon_rename_element),
    GW_ENTRIES("querystring", valued_element),
    {NULL}};
static const gw_field_t request_replace[] = {
    GW_ENTRIES("body", valued_element),
    GW_ENTRIES("headers", colon_header_element),
    GW_ENTRIES("querystring", valued_element),
    {.name = "uri", .type = GW_T_STRING},
    {NULL}};
static const gw_field_t request_add[] = {
    GW_ENTRIES("body", valued_element),
    GW_ENTRIES("headers", colon_header_element),
    GW_ENTRIES("querystring", valued_element),
    {NULL}};

static const gw_field_t request_transformer_config[] = {
    {.name = "http_method",
     .type = GW_T_STRING,
     .check = gw_schema_check_http_method},
    GW_OPERATION("remove", request_remove),
    GW_OPERATION("rename", request_rename),
    GW_OPERATION("replace", request_replace),
    GW_OPERATION("add", request_add),
    GW_OPERATION("append", request_add),
    {NULL}};

static const gw_field_t request_transformer_fields[] = {
    GW_PLUGIN_FIELD_PROTOCOLS,
    GW_PLUGIN_FIELD_CONFIG(request_transformer_config, NULL),
    {NULL}};

const gw_plugin_t gw_plugin_request_transformer = {
    .name = "request-transformer",
    .priority = 801,
    .schema = {.fields = request_transformer_fields},
};

/* ------------------------------------------------ response-transformer */

static const char *const json_types[] = {"boolean", "number", "string", NULL};

static const gw_field_t json_type_element = {
    .name = "type", .type = GW_T_STRING, .one_of = json_types};

static const gw_field_t response_remove[] = {
    GW_ENTRIES("json", gw_plugin_string_element),
    GW_ENTRIES("headers", gw_plugin_string_element),
    {NULL}};
static const gw_field_t response_rename[] = {
    GW_ENTRIES("json", colon_element),
    GW_ENTRIES("headers", colon_rename_element),
    {NULL}};
static const gw_field_t response_add[] = {
    GW_ENTRIES("json", colon_element),
    GW_ENTRIES("json_types", json_type_element),
    GW_ENTRIES("headers", colon_element),
    {NULL}};

static const gw_field_t response_transformer_config[] = {
    GW_OPERATION("remove", response_remove),
    GW_OPERATION("rename", response_rename),
    GW_OPERATION("replace", response_add),
    GW_OPERATION("add", response_add),
    GW_OPERATION("append", response_add),
    {NULL}};

static const gw_field_t response_transformer_fields[] = {
    GW_PLUGIN_FIELD_PROTOCOLS_HTTP,
    GW_PLUGIN_FIELD_CONFIG(response_transformer_config, NULL),
    {NULL}};

const gw_plugin_t gw_plugin_response_transformer = {
    .name = "response-transformer",
    .priority = 800,
    .schema = {.fields = response_transformer_fields},
};
