/*
 * gw_entity_upstream: the Upstream entity (reference §2.5): a virtual
 * hostname that services name as their host, balanced over its targets
 * with a load-balancing algorithm, optional consistent hashing and
 * health checks.
 *
 * Kong's upstream schema is reproduced as it behaves, not as it reads:
 * the `hash_on` / `algorithm` shorthands rewrite the input before
 * validation, and the conditional entity checks re-validate their target
 * field and overwrite its message, so a bad `hash_fallback` reports the
 * narrower list of values the chosen `hash_on` allows.
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "gw_entity.h"
#include "gw_json.h"
#include "gw_text.h"

static const char *const algorithms[] = {
    "consistent-hashing", "least-connections", "round-robin", "latency", NULL};
static const char *const hash_inputs[] = {"none",      "consumer",    "ip",
                                          "header",    "cookie",      "path",
                                          "query_arg", "uri_capture", NULL};
static const char *const check_types[] = {"tcp",  "http",  "https",
                                          "grpc", "grpcs", NULL};

/* ------------------------------------------------------ validators */

static const char *check_name(json_object *v, apr_pool_t *p)
{
    const char *s = json_object_get_string(v), *what;
    int port;

    what = gw_text_utf8_valid(s, strlen(s))
               ? apr_psprintf(p, "Invalid name ('%s')", s)
               : "Invalid name";
    if (gw_schema_address_status(s, &port, p) != GW_ADDR_OK) {
        return apr_pstrcat(p, what, "; must be a valid hostname", NULL);
    }
    if (gw_schema_is_ip_address(s)) {
        return apr_pstrcat(p, what, "; no ip addresses allowed", NULL);
    }
    if (port != -1) {
        return apr_pstrcat(p, what, "; no port allowed", NULL);
    }
    return NULL;
}

/* typedefs.host_with_optional_port: Kong returns the address parser's
 * own message. */
static const char *check_host_header(json_object *v, apr_pool_t *p)
{
    const char *s = json_object_get_string(v), *close;
    const char *colon = strchr(s, ':');
    int port;

    switch (gw_schema_address_status(s, &port, p)) {
        case GW_ADDR_OK:
            return NULL;
        case GW_ADDR_BAD_PORT:
            return "invalid port number";
        default:
            break;
    }
    if (colon && strchr(colon + 1, ':')) {
        /* "[v6]" followed by something that is not ":port" */
        close = *s == '[' ? strchr(s, ']') : NULL;
        if (close && close[1]
            && (close[1] != ':'
                || strspn(close + 2, "0123456789") != strlen(close + 2))) {
            return "invalid ipv6 address";
        }
        return apr_pstrcat(p, "invalid ipv6 address: ", s, NULL);
    }
    if (gw_schema_is_ip_address(s)) {
        return apr_pstrcat(p, "invalid ipv4 address: ", s, NULL);
    }
    return apr_pstrcat(p, "invalid hostname: ", s, NULL);
}

/* An RFC 2616 token (Kong's validate_http_token). */
static const char *check_cookie_name(json_object *v, apr_pool_t *p)
{
    const unsigned char *c = (const unsigned char *)json_object_get_string(v);

    for (; *c; c++) {
        if (*c < 0x20 || *c >= 0x7F || strchr(" \t()<>@,;:\\\"/?={}[]", *c)) {
            return "contains one or more invalid characters. ASCII control "
                   "characters (0-31;127), space, tab and the characters "
                   "()<>@,;:\\\"/?={}[] are not allowed.";
        }
    }
    (void)p;
    return NULL;
}

/* ----------------------------------------------------- healthchecks */

#define GW_SECONDS_FIELD(n, d)                                                 \
    {                                                                          \
        .name = n, .type = GW_T_NUMBER, .dflt = d, .has_between = 1, .min = 0, \
        .max = 65535                                                           \
    }
#define GW_COUNTER_FIELD(n)                                             \
    {                                                                   \
        .name = n, .type = GW_T_INTEGER, .dflt = "0", .has_between = 1, \
        .min = 0, .max = 255                                            \
    }
#define GW_STATUSES_FIELD(d)                                    \
    {                                                           \
        .name = "http_statuses", .type = GW_T_ARRAY, .dflt = d, \
        .elements = &status_element                             \
    }
#define GW_CHECK_TYPE_FIELD                                      \
    {                                                            \
        .name = "type", .type = GW_T_STRING, .dflt = "\"http\"", \
        .one_of = check_types                                    \
    }

static const gw_field_t status_element = {.name = "status",
                                          .type = GW_T_INTEGER,
                                          .has_between = 1,
                                          .min = 100,
                                          .max = 999};
static const gw_field_t header_name_field = {
    .name = "name", .type = GW_T_STRING, .check = gw_schema_check_header_name};
static const gw_field_t header_value = {.name = "value", .type = GW_T_STRING};
static const gw_field_t header_values = {
    .name = "values", .type = GW_T_ARRAY, .elements = &header_value};

static const gw_field_t active_healthy_fields[] = {
    GW_SECONDS_FIELD("interval", "0"),
    GW_STATUSES_FIELD("[200,302]"),
    GW_COUNTER_FIELD("successes"),
    {NULL}};
static const gw_field_t active_unhealthy_fields[] = {
    GW_SECONDS_FIELD("interval", "0"),
    GW_STATUSES_FIELD("[429,404,500,501,502,503,504,505]"),
    GW_COUNTER_FIELD("tcp_failures"),
    GW_COUNTER_FIELD("timeouts"),
    GW_COUNTER_FIELD("http_failures"),
    {NULL}};
static const gw_field_t passive_healthy_fields[] = {
    GW_STATUSES_FIELD("[200,201,202,203,204,205,206,207,208,226,300,301,302,"
                      "303,304,305,306,307,308]"),
    GW_COUNTER_FIELD("successes"),
    {NULL}};
static const gw_field_t passive_unhealthy_fields[] = {
    GW_STATUSES_FIELD("[429,500,503]"),
    GW_COUNTER_FIELD("tcp_failures"),
    GW_COUNTER_FIELD("timeouts"),
    GW_COUNTER_FIELD("http_failures"),
    {NULL}};

static const gw_field_t active_fields[] = {
    GW_CHECK_TYPE_FIELD,
    GW_SECONDS_FIELD("timeout", "1"),
    {.name = "concurrency",
     .type = GW_T_INTEGER,
     .dflt = "10",
     .has_between = 1,
     .min = 1,
     .max = 2147483648.0},
    {.name = "http_path",
     .type = GW_T_STRING,
     .dflt = "\"/\"",
     .starts_with = "/",
     .check = gw_schema_check_path},
    {.name = "https_sni", .type = GW_T_STRING, .check = gw_schema_check_sni},
    {.name = "https_verify_certificate",
     .type = GW_T_BOOLEAN,
     .flags = GW_F_REQUIRED,
     .dflt = "true"},
    {.name = "headers",
     .type = GW_T_MAP,
     .keys = &header_name_field,
     .elements = &header_values},
    {.name = "healthy", .type = GW_T_RECORD, .fields = active_healthy_fields},
    {.name = "unhealthy",
     .type = GW_T_RECORD,
     .fields = active_unhealthy_fields},
    {NULL}};
static const gw_field_t passive_fields[] = {
    GW_CHECK_TYPE_FIELD,
    {.name = "healthy", .type = GW_T_RECORD, .fields = passive_healthy_fields},
    {.name = "unhealthy",
     .type = GW_T_RECORD,
     .fields = passive_unhealthy_fields},
    {NULL}};
static const gw_field_t healthchecks_fields[] = {
    {.name = "active", .type = GW_T_RECORD, .fields = active_fields},
    {.name = "passive", .type = GW_T_RECORD, .fields = passive_fields},
    {.name = "threshold",
     .type = GW_T_NUMBER,
     .dflt = "0",
     .has_between = 1,
     .min = 0,
     .max = 100},
    {NULL}};

/* ------------------------------------------------------------ schema */

#define GW_HASH_FIELD(n)                                    \
    {                                                       \
        .name = n, .type = GW_T_STRING, .dflt = "\"none\"", \
        .one_of = hash_inputs                               \
    }

static const gw_field_t upstream_fields[] = {
    GW_FIELDS_ID_AND_TIMESTAMPS,
    {.name = "name",
     .type = GW_T_STRING,
     .flags = GW_F_REQUIRED | GW_F_UNIQUE,
     .check = check_name},
    {.name = "algorithm",
     .type = GW_T_STRING,
     .dflt = "\"round-robin\"",
     .one_of = algorithms},
    GW_HASH_FIELD("hash_on"),
    GW_HASH_FIELD("hash_fallback"),
    {.name = "hash_on_header",
     .type = GW_T_STRING,
     .check = gw_schema_check_header_name},
    {.name = "hash_fallback_header",
     .type = GW_T_STRING,
     .check = gw_schema_check_header_name},
    {.name = "hash_on_cookie", .type = GW_T_STRING, .check = check_cookie_name},
    {.name = "hash_on_cookie_path",
     .type = GW_T_STRING,
     .dflt = "\"/\"",
     .starts_with = "/",
     .check = gw_schema_check_path},
    {.name = "hash_on_query_arg", .type = GW_T_STRING},
    {.name = "hash_fallback_query_arg", .type = GW_T_STRING},
    {.name = "hash_on_uri_capture", .type = GW_T_STRING},
    {.name = "hash_fallback_uri_capture", .type = GW_T_STRING},
    {.name = "slots",
     .type = GW_T_INTEGER,
     .dflt = "10000",
     .has_between = 1,
     .min = 10,
     .max = 65536},
    {.name = "healthchecks",
     .type = GW_T_RECORD,
     .fields = healthchecks_fields},
    GW_FIELD_TAGS,
    {.name = "host_header", .type = GW_T_STRING, .check = check_host_header},
    {.name = "client_certificate",
     .type = GW_T_FOREIGN,
     .reference = "certificates"},
    {.name = "use_srv_name", .type = GW_T_BOOLEAN, .dflt = "false"},
    {NULL}};

/* ---------------------------------------------------- entity checks */

static const char *const only_none[] = {"none", NULL};
static const char *const after_consumer[] = {
    "none", "ip", "header", "cookie", "path", "query_arg", "uri_capture", NULL};
static const char *const after_ip[] = {"none",        "consumer", "header",
                                       "cookie",      "path",     "query_arg",
                                       "uri_capture", NULL};
static const char *const after_path[] = {"none",        "consumer",  "header",
                                         "cookie",      "query_arg", "ip",
                                         "uri_capture", NULL};

/* when if_f is value, then_f must be set (and valid) */
#define GW_NEEDS(if_f, value, then_f)                                          \
    {                                                                          \
        .kind = GW_CHECK_CONDITIONAL, .conditional = &(const gw_conditional_t) \
        {                                                                      \
            .if_field = if_f, .if_match = {.match = "^" value "$"},            \
            .then_field = then_f, .then_match = {                              \
                .required = 1                                                  \
            }                                                                  \
        }                                                                      \
    }
/* when hash_on is value, hash_fallback may only be one of list */
#define GW_FALLBACK(value, list)                                               \
    {                                                                          \
        .kind = GW_CHECK_CONDITIONAL, .conditional = &(const gw_conditional_t) \
        {                                                                      \
            .if_field = "hash_on", .if_match = {.match = "^" value "$"},       \
            .then_field = "hash_fallback", .then_match = {                     \
                .one_of = list                                                 \
            }                                                                  \
        }                                                                      \
    }
#define GW_DISTINCT(a, b)                                          \
    {                                                              \
        .kind = GW_CHECK_DISTINCT, .fields = (const char *const[]) \
        {                                                          \
            a, b, NULL                                             \
        }                                                          \
    }

/* Kong's upstream entity checks, in Kong's order: a conditional's
 * message replaces its field's own, so a bad `hash_fallback` reports the
 * narrower list of values the chosen `hash_on` allows */
static const gw_entity_check_t upstream_checks[] = {
    GW_NEEDS("hash_on", "header", "hash_on_header"),
    GW_NEEDS("hash_fallback", "header", "hash_fallback_header"),
    GW_NEEDS("hash_on", "cookie", "hash_on_cookie"),
    GW_NEEDS("hash_fallback", "cookie", "hash_on_cookie"),
    GW_FALLBACK("none", only_none),
    GW_FALLBACK("cookie", only_none),
    GW_FALLBACK("consumer", after_consumer),
    GW_FALLBACK("ip", after_ip),
    GW_FALLBACK("path", after_path),
    GW_DISTINCT("hash_on_header", "hash_fallback_header"),
    GW_NEEDS("hash_on", "query_arg", "hash_on_query_arg"),
    GW_NEEDS("hash_fallback", "query_arg", "hash_fallback_query_arg"),
    GW_DISTINCT("hash_on_query_arg", "hash_fallback_query_arg"),
    GW_NEEDS("hash_on", "uri_capture", "hash_on_uri_capture"),
    GW_NEEDS("hash_fallback", "uri_capture", "hash_fallback_uri_capture"),
    GW_DISTINCT("hash_on_uri_capture", "hash_fallback_uri_capture"),
    {0}};

/* Kong's shorthand fields, applied in its order: `algorithm` first (a
 * connection-count or latency balancer cannot hash, so hash_on is
 * cleared), then `hash_on` (hashing implies consistent-hashing, none
 * implies round-robin, null means none). A shorthand value that is not a
 * non-empty string fails as the shorthand's own string check. */
static int shorthand_value(gw_validation_t *v, json_object *in,
                           const char *name, json_object **val)
{
    if (!json_object_object_get_ex(in, name, val)) {
        return 0;
    }
    if (*val && !json_object_is_type(*val, json_type_string)) {
        gw_validation_field_error(v, name, "expected a string");
        return 0;
    }
    if (*val && json_object_get_string_len(*val) == 0) {
        gw_validation_field_error(v, name, "length must be at least 1");
        return 0;
    }
    return 1;
}

static void upstream_transform(const gw_entity_t *e, json_object *in,
                               gw_validation_t *v)
{
    json_object *val;
    const char *s;

    if (shorthand_value(v, in, "algorithm", &val) && val) {
        s = json_object_get_string(val);
        if (strcmp(s, "least-connections") == 0 || strcmp(s, "latency") == 0) {
            json_object_object_add(in, "hash_on", NULL);
        }
    }
    if (shorthand_value(v, in, "hash_on", &val)) {
        s = val ? json_object_get_string(val) : NULL;
        if (!s) {
            json_object_object_add(in, "hash_on",
                                   json_object_new_string("none"));
        }
        else {
            json_object_object_add(
                in, "algorithm",
                json_object_new_string(strcmp(s, "none") == 0
                                           ? "round-robin"
                                           : "consistent-hashing"));
        }
    }
    (void)e;
}

const gw_entity_t gw_entity_upstreams = {
    .name = "upstreams",
    .singular = "upstream",
    .endpoint_key = "name",
    .fields = upstream_fields,
    .checks = upstream_checks,
    .transform = upstream_transform,
};
