/*
 * gw_plugin_security: the schemas of the plugins that turn requests away
 * before they reach the upstream, or say which browsers may send them:
 * ip-restriction, cors, bot-detection and request-size-limiting
 * (reference §4.11-4.13, 4.16).
 */
#include <string.h>

#include <apr_strings.h>

#include "gw_plugin.h"

/* ------------------------------------------------------ ip-restriction */

static const gw_field_t ip_restriction_config[] = {
    {.name = "allow",
     .type = GW_T_ARRAY,
     .elements = &gw_plugin_ip_or_cidr_element},
    {.name = "deny",
     .type = GW_T_ARRAY,
     .elements = &gw_plugin_ip_or_cidr_element},
    {.name = "status", .type = GW_T_NUMBER},
    {.name = "message", .type = GW_T_STRING},
    {NULL}};

/* it also guards TCP and TLS streams */
static const gw_field_t ip_restriction_fields[] = {
    GW_PLUGIN_FIELD_PROTOCOLS_WITH(
        "[\"http\",\"https\",\"tcp\",\"tls\",\"grpc\",\"grpcs\"]",
        &gw_schema_protocol_element),
    GW_PLUGIN_FIELD_CONFIG(ip_restriction_config, NULL),
    {NULL}};

static const gw_entity_check_t ip_restriction_checks[] = {
    {.kind = GW_CHECK_AT_LEAST_ONE_OF,
     .fields = (const char *const[]){"config.allow", "config.deny", NULL}},
    {0}};

const gw_plugin_t gw_plugin_ip_restriction = {
    .name = "ip-restriction",
    .priority = 990,
    .schema = {.fields = ip_restriction_fields,
               .checks = ip_restriction_checks},
};

/* ---------------------------------------------------------------- cors */

static const char *const cors_methods[] = {
    "GET",    "HEAD",    "PUT",   "PATCH",   "POST",
    "DELETE", "OPTIONS", "TRACE", "CONNECT", NULL};

static const char *check_origin(json_object *v, apr_pool_t *p)
{
    const char *s = json_object_get_string(v);

    if (strcmp(s, "*") == 0 || !gw_schema_regex_error(s, p)) {
        return NULL;
    }
    return apr_psprintf(p, "'%s' is not a valid regex", s);
}

static const gw_field_t cors_origin_element = {
    .name = "origin", .type = GW_T_STRING, .check = check_origin};
static const gw_field_t cors_method_element = {
    .name = "method", .type = GW_T_STRING, .one_of = cors_methods};

static const gw_field_t cors_config[] = {
    {.name = "origins", .type = GW_T_ARRAY, .elements = &cors_origin_element},
    {.name = "headers",
     .type = GW_T_ARRAY,
     .elements = &gw_plugin_string_element},
    {.name = "exposed_headers",
     .type = GW_T_ARRAY,
     .elements = &gw_plugin_string_element},
    {.name = "methods",
     .type = GW_T_ARRAY,
     .dflt = "[\"GET\",\"HEAD\",\"PUT\",\"PATCH\",\"POST\",\"DELETE\","
             "\"OPTIONS\",\"TRACE\",\"CONNECT\"]",
     .elements = &cors_method_element},
    {.name = "max_age", .type = GW_T_NUMBER},
    GW_PLUGIN_FIELD_BOOL("credentials", "false"),
    GW_PLUGIN_FIELD_BOOL("private_network", "false"),
    GW_PLUGIN_FIELD_BOOL("preflight_continue", "false"),
    GW_PLUGIN_FIELD_BOOL("allow_origin_absent", "true"),
    {NULL}};

static const gw_field_t cors_fields[] = {
    GW_PLUGIN_FIELD_NO_CONSUMER,
    GW_PLUGIN_FIELD_PROTOCOLS_HTTP,
    GW_PLUGIN_FIELD_CONFIG(cors_config, NULL),
    {NULL}};

const gw_plugin_t gw_plugin_cors = {
    .name = "cors",
    .priority = 2000,
    .schema = {.fields = cors_fields},
};

/* ------------------------------------------------------- bot-detection */

/* Kong's is_regex validator */
static const char *check_regex(json_object *v, apr_pool_t *p)
{
    const char *s = json_object_get_string(v);

    return gw_schema_regex_error(s, p)
               ? apr_pstrcat(p, "not a valid regex: ", s, NULL)
               : NULL;
}

static const gw_field_t bot_regex_element = {
    .name = "regex", .type = GW_T_STRING, .check = check_regex};

static const gw_field_t bot_detection_config[] = {
    {.name = "allow",
     .type = GW_T_ARRAY,
     .dflt = "[]",
     .elements = &bot_regex_element},
    {.name = "deny",
     .type = GW_T_ARRAY,
     .dflt = "[]",
     .elements = &bot_regex_element},
    {NULL}};

static const gw_field_t bot_detection_fields[] = {
    GW_PLUGIN_FIELD_NO_CONSUMER,
    GW_PLUGIN_FIELD_PROTOCOLS_HTTP,
    GW_PLUGIN_FIELD_CONFIG(bot_detection_config, NULL),
    {NULL}};

const gw_plugin_t gw_plugin_bot_detection = {
    .name = "bot-detection",
    .priority = 2500,
    .schema = {.fields = bot_detection_fields},
};

/* ----------------------------------------------- request-size-limiting */

static const char *const size_units[] = {"megabytes", "kilobytes", "bytes",
                                         NULL};

static const gw_field_t request_size_limiting_config[] = {
    {.name = "allowed_payload_size", .type = GW_T_INTEGER, .dflt = "128"},
    {.name = "size_unit",
     .type = GW_T_STRING,
     .flags = GW_F_REQUIRED,
     .dflt = "\"megabytes\"",
     .one_of = size_units},
    GW_PLUGIN_FIELD_BOOL("require_content_length", "false"),
    {NULL}};

static const gw_field_t request_size_limiting_fields[] = {
    GW_PLUGIN_FIELD_PROTOCOLS_HTTP,
    GW_PLUGIN_FIELD_CONFIG(request_size_limiting_config, NULL),
    {NULL}};

const gw_plugin_t gw_plugin_request_size_limiting = {
    .name = "request-size-limiting",
    .priority = 951,
    .schema = {.fields = request_size_limiting_fields},
};
