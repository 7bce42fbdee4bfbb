/*
 * gw_entity_service: the Service entity (reference §2.1): an upstream
 * API the gateway proxies to, with its protocol, address, path, timeouts
 * and retries. Includes the write-only `url` shorthand.
 */
#include <string.h>

#include <apr_strings.h>
#include <apr_uri.h>

#include "gw_entity.h"
#include "gw_json.h"
#include "gw_text.h"

static const gw_field_t uuid_element = {
    .name = "id", .type = GW_T_STRING, .flags = GW_F_UUID};

#define GW_TIMEOUT_FIELD(n)                                                 \
    {                                                                       \
        .name = n, .type = GW_T_INTEGER, .dflt = "60000", .has_between = 1, \
        .min = 1, .max = 2147483646                                         \
    }

static const gw_field_t service_fields[] = {
    GW_FIELDS_ID_AND_TIMESTAMPS,
    GW_FIELD_UNIQUE_NAME("name"),
    {.name = "retries",
     .type = GW_T_INTEGER,
     .dflt = "5",
     .has_between = 1,
     .min = 0,
     .max = 32767},
    {.name = "protocol",
     .type = GW_T_STRING,
     .flags = GW_F_REQUIRED,
     .dflt = "\"http\"",
     .one_of = gw_schema_protocols},
    {.name = "host",
     .type = GW_T_STRING,
     .flags = GW_F_REQUIRED,
     .check = gw_schema_check_host},
    {.name = "port",
     .type = GW_T_INTEGER,
     .flags = GW_F_REQUIRED,
     .dflt = "80",
     .has_between = 1,
     .min = 0,
     .max = 65535},
    {.name = "path",
     .type = GW_T_STRING,
     .starts_with = "/",
     .check = gw_schema_check_path},
    GW_TIMEOUT_FIELD("connect_timeout"),
    GW_TIMEOUT_FIELD("write_timeout"),
    GW_TIMEOUT_FIELD("read_timeout"),
    GW_FIELD_TAGS,
    {.name = "client_certificate",
     .type = GW_T_FOREIGN,
     .reference = "certificates"},
    {.name = "tls_verify", .type = GW_T_BOOLEAN},
    {.name = "tls_verify_depth",
     .type = GW_T_INTEGER,
     .has_between = 1,
     .min = 0,
     .max = 64},
    {.name = "ca_certificates", .type = GW_T_ARRAY, .elements = &uuid_element},
    {.name = "enabled",
     .type = GW_T_BOOLEAN,
     .flags = GW_F_REQUIRED,
     .dflt = "true"},
    {NULL}};

/* Kong's conditional entity checks on `protocol`: fields that only make
 * sense for some protocols must be null for the others. */
static void check_protocol_fields(gw_validation_t *v, json_object *svc)
{
    static const char *const no_path[] = {"tcp",  "tls",   "udp",
                                          "grpc", "grpcs", NULL};
    static const char *const tls_only[] = {"https", "tls", NULL};
    static const char *const tls_fields[] = {"client_certificate", "tls_verify",
                                             "tls_verify_depth",
                                             "ca_certificates", NULL};
    const char *proto = gw_json_str(svc, "protocol");
    const char *const *f;
    int failed = 0;

    if (!proto || gw_validation_failed(v, "protocol")) {
        return;
    }
    if (gw_text_in_list(proto, no_path) && gw_json_get(svc, "path")
        && !gw_validation_failed(v, "path")) {
        gw_validation_field_error(v, "path", "value must be null");
        failed = 1;
    }
    if (!gw_text_in_list(proto, tls_only)) {
        for (f = tls_fields; *f; f++) {
            if (gw_json_get(svc, *f) && !gw_validation_failed(v, *f)) {
                gw_validation_field_error(v, *f, "value must be null");
                failed = 1;
            }
        }
    }
    if (failed) {
        gw_validation_entity_error(v, "failed conditional validation given "
                                      "value of field 'protocol'");
    }
}

static const gw_entity_check_t service_checks[] = {
    {.kind = GW_CHECK_CUSTOM, .fn = check_protocol_fields}, {0}};

/* The `url` shorthand: protocol, host, port and path from one URL. */
static void service_transform(const gw_entity_t *e, json_object *in,
                              gw_validation_t *v)
{
    json_object *url;
    apr_uri_t uri;
    const char *s, *scheme, *rest;
    apr_pool_t *p = v->pool;
    int port = -1;

    if (!json_object_object_get_ex(in, "url", &url)) {
        return;
    }
    if (!url || !json_object_is_type(url, json_type_string)) {
        json_object_object_del(in, "url");
        gw_validation_field_error(
            v, "url", url ? "expected a string" : "required field missing");
        return;
    }
    s = apr_pstrdup(p, json_object_get_string(url));
    json_object_object_del(in, "url");
    /* Kong parses with socket.url: a string without "scheme://" is a
     * path; "host" alone is nothing it can use. */
    rest = strstr(s, "://");
    memset(&uri, 0, sizeof(uri));
    if (!rest) {
        json_object_object_add(in, "path", json_object_new_string(s));
        json_object_object_add(in, "host", NULL);
        return;
    }
    scheme = apr_pstrndup(p, s, (apr_size_t)(rest - s));
    if (apr_uri_parse(p, s, &uri) != APR_SUCCESS || !uri.hostname
        || !*uri.hostname) {
        json_object_object_add(in, "protocol", json_object_new_string(scheme));
        json_object_object_add(in, "host", NULL);
        return;
    }
    if (uri.port_str && *uri.port_str) {
        port = (int)apr_atoi64(uri.port_str);
    }
    if (port < 0) {
        port = strcmp(scheme, "https") == 0 ? 443 : 80;
    }
    json_object_object_add(in, "protocol", json_object_new_string(scheme));
    json_object_object_add(in, "host", json_object_new_string(uri.hostname));
    json_object_object_add(in, "port", json_object_new_int(port));
    json_object_object_add(
        in, "path",
        uri.path && *uri.path ? json_object_new_string(uri.path) : NULL);
    (void)e;
}

const gw_entity_t gw_entity_services = {
    .name = "services",
    .singular = "service",
    .endpoint_key = "name",
    .fields = service_fields,
    .checks = service_checks,
    .transform = service_transform,
};
