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

/* One of Kong's upstream entity checks, in Kong's order. A conditional
 * applies when if_field is `if_value` or null (Kong's validator lets a
 * null through any match); then then_field must be set (then_one_of
 * NULL) or be one of then_one_of. A distinct check (if_field NULL)
 * forbids equal non-empty values in then_field and other_field. */
typedef struct {
    const char *if_field, *if_value, *then_field;
    const char *const *then_one_of;
    const char *other_field;
} upstream_check_t;

static const char *const only_none[] = {"none", NULL};
static const char *const after_consumer[] = {
    "none", "ip", "header", "cookie", "path", "query_arg", "uri_capture", NULL};
static const char *const after_ip[] = {"none",        "consumer", "header",
                                       "cookie",      "path",     "query_arg",
                                       "uri_capture", NULL};
static const char *const after_path[] = {"none",        "consumer",  "header",
                                         "cookie",      "query_arg", "ip",
                                         "uri_capture", NULL};

static const upstream_check_t upstream_rules[] = {
    {"hash_on", "header", "hash_on_header", NULL, NULL},
    {"hash_fallback", "header", "hash_fallback_header", NULL, NULL},
    {"hash_on", "cookie", "hash_on_cookie", NULL, NULL},
    {"hash_fallback", "cookie", "hash_on_cookie", NULL, NULL},
    {"hash_on", "none", "hash_fallback", only_none, NULL},
    {"hash_on", "cookie", "hash_fallback", only_none, NULL},
    {"hash_on", "consumer", "hash_fallback", after_consumer, NULL},
    {"hash_on", "ip", "hash_fallback", after_ip, NULL},
    {"hash_on", "path", "hash_fallback", after_path, NULL},
    {NULL, NULL, "hash_on_header", NULL, "hash_fallback_header"},
    {"hash_on", "query_arg", "hash_on_query_arg", NULL, NULL},
    {"hash_fallback", "query_arg", "hash_fallback_query_arg", NULL, NULL},
    {NULL, NULL, "hash_on_query_arg", NULL, "hash_fallback_query_arg"},
    {"hash_on", "uri_capture", "hash_on_uri_capture", NULL, NULL},
    {"hash_fallback", "uri_capture", "hash_fallback_uri_capture", NULL, NULL},
    {NULL, NULL, "hash_on_uri_capture", NULL, "hash_fallback_uri_capture"},
    {NULL}};

static int is_nonempty(json_object *v)
{
    return v
           && !(json_object_is_type(v, json_type_string)
                && json_object_get_string_len(v) == 0);
}

/* The message a conditional's then-part gives value, NULL when it holds.
 * A one_of list replaces the field's own; a required then-part
 * re-validates the value with the field's own rules. */
static const char *then_error(const upstream_check_t *c, json_object *value,
                              apr_pool_t *p)
{
    const char *const *o;
    const char *list = NULL;
    json_object *err;

    if (!c->then_one_of) {
        if (!value) {
            return "required field missing";
        }
        /* every field a conditional requires is a string: its error is
         * a message, never a tree */
        err = gw_schema_check_value(
            gw_schema_field(upstream_fields, c->then_field), value, p);
        return err ? json_object_get_string(err) : NULL;
    }
    if (!value) {
        return NULL;
    }
    if (!json_object_is_type(value, json_type_string)) {
        return "expected a string";
    }
    for (o = c->then_one_of; *o; o++) {
        if (strcmp(*o, json_object_get_string(value)) == 0) {
            return NULL;
        }
        list = list ? apr_pstrcat(p, list, ", ", *o, NULL) : *o;
    }
    return apr_pstrcat(p, "expected one of: ", list, NULL);
}

static void check_hashing(gw_validation_t *v, json_object *up)
{
    const upstream_check_t *c;
    apr_pool_t *p = v->pool;

    for (c = upstream_rules; c->then_field; c++) {
        json_object *cond, *value = gw_json_get(up, c->then_field);
        const char *msg;

        if (!c->if_field) {
            json_object *other = gw_json_get(up, c->other_field);

            if (is_nonempty(value) && is_nonempty(other)
                && gw_json_equal(value, other)) {
                gw_validation_entity_error(
                    v, apr_psprintf(p,
                                    "values of these fields must be "
                                    "distinct: '%s', '%s'",
                                    c->then_field, c->other_field));
            }
            continue;
        }
        cond = gw_json_get(up, c->if_field);
        if (cond
            && !(json_object_is_type(cond, json_type_string)
                 && strcmp(json_object_get_string(cond), c->if_value) == 0)) {
            continue;
        }
        msg = then_error(c, value, p);
        if (msg) {
            /* Kong's conditional overwrites the field's own message */
            json_object_object_add(v->errors, c->then_field,
                                   json_object_new_string(msg));
            gw_validation_entity_error(
                v, apr_psprintf(p,
                                "failed conditional validation given value "
                                "of field '%s'",
                                c->if_field));
        }
    }
}

static const gw_entity_check_t upstream_checks[] = {
    {.kind = GW_CHECK_CUSTOM, .fn = check_hashing}, {0}};

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
