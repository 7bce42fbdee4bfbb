/*
 * gw_plugin_log: the schemas of the plugins that report on traffic:
 * file-log, http-log and prometheus (reference §4.17, 4.18).
 */
#include <string.h>
#include <strings.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "gw_json.h"
#include "gw_plugin.h"

/* typedefs.lua_code. Kong also compiles each value as Lua in its
 * sandbox; the serializer here takes the values as they are. */
static const gw_field_t lua_code_key = {.name = "key", .type = GW_T_STRING};
static const gw_field_t lua_code_value = {.name = "code", .type = GW_T_STRING};
#define GW_FIELD_LUA_CODE                                  \
    {                                                      \
        .name = "custom_fields_by_lua", .type = GW_T_MAP,  \
        .keys = &lua_code_key, .elements = &lua_code_value \
    }

/* ------------------------------------------------------------ file-log */

/* Kong's pattern ^[^%s*&%%`][^*&%%`]*[^%s*&%%`]$ with its single message
 * for every failure, an empty path included */
static const char *check_filename(json_object *v, apr_pool_t *p)
{
    const char *s = json_object_get_string(v);
    apr_size_t i, len = strlen(s);

    if (len < 2 || apr_isspace(s[0]) || apr_isspace(s[len - 1])) {
        return "not a valid filename";
    }
    for (i = 0; i < len; i++) {
        if (strchr("*&%`", s[i])) {
            return "not a valid filename";
        }
    }
    (void)p;
    return NULL;
}

static const gw_field_t file_log_config[] = {
    {.name = "path",
     .type = GW_T_STRING,
     .flags = GW_F_REQUIRED | GW_F_EMPTY_OK,
     .check = check_filename},
    GW_PLUGIN_FIELD_BOOL("reopen", "false"),
    GW_FIELD_LUA_CODE,
    {NULL}};

static const gw_field_t file_log_fields[] = {
    GW_PLUGIN_FIELD_PROTOCOLS,
    GW_PLUGIN_FIELD_CONFIG(file_log_config, NULL),
    {NULL}};

const gw_plugin_t gw_plugin_file_log = {
    .name = "file-log",
    .priority = 9,
    .schema = {.fields = file_log_fields},
};

/* ------------------------------------------------------------ http-log */

/* What LuaSocket's url.parse() finds in a URL: a scheme before the first
 * colon, an authority after "//", and user info before its '@'. */
typedef struct {
    int has_scheme, has_host, has_userinfo;
} url_parts_t;

static url_parts_t parse_url(const char *s)
{
    url_parts_t u = {0, 0, 0};
    const char *c = s, *end;
    apr_size_t len;

    if (apr_isalnum(*c)) {
        for (c++; apr_isalnum(*c) || strchr("+-.", *c); c++) {
        }
        if (*c == ':') {
            u.has_scheme = 1;
            s = c + 1;
        }
    }
    if (strncmp(s, "//", 2) != 0) {
        return u;
    }
    s += 2;
    len = strcspn(s, "/#");
    end = memchr(s, '@', len);
    if (end) {
        u.has_userinfo = 1;
        len -= (apr_size_t)(end + 1 - s);
        s = end + 1;
    }
    /* a trailing ":port" is not the host */
    for (end = s + len; end > s && end[-1] != ':' && end[-1] != ']'; end--) {
    }
    if (end > s && end[-1] == ':') {
        len = (apr_size_t)(end - 1 - s);
    }
    u.has_host = len > 0;
    return u;
}

static const char *check_url(json_object *v, apr_pool_t *p)
{
    url_parts_t u = parse_url(json_object_get_string(v));

    if (!u.has_host) {
        return "missing host in url";
    }
    (void)p;
    return u.has_scheme ? NULL : "missing scheme in url";
}

/* typedefs.header_name, minus the headers the plugin sets itself. Kong's
 * Content-Length pattern has [nn] for its second n, so only a lower-case
 * n there is refused; kept, as clients may rely on what Kong accepts. */
static const char *check_log_header(json_object *v, apr_pool_t *p)
{
    const char *s = json_object_get_string(v);

    if (strcasecmp(s, "host") == 0) {
        return "cannot contain 'Host' header";
    }
    if (strcasecmp(s, "content-length") == 0 && s[10] == 'n') {
        return "cannot contain 'Content-Length' header";
    }
    if (strcasecmp(s, "content-type") == 0) {
        return "cannot contain 'Content-Type' header";
    }
    return gw_schema_check_header_name(v, p);
}

static const char *check_http_log(json_object *config, apr_pool_t *p)
{
    json_object *headers = gw_json_get(config, "headers");
    const char *endpoint = gw_json_str(config, "http_endpoint");

    if (!endpoint || !headers || !parse_url(endpoint).has_userinfo) {
        return NULL;
    }
    json_object_object_foreach (headers, name, value) {
        (void)value;
        if (strcasecmp(name, "authorization") == 0) {
            return "specifying both an 'Authorization' header and user info "
                   "in 'http_endpoint' is not allowed";
        }
    }
    (void)p;
    return NULL;
}

static const char *const log_methods[] = {"POST", "PUT", "PATCH", NULL};
static const char *const log_content_types[] = {
    "application/json", "application/json; charset=utf-8", NULL};
static const char *const concurrency_limits[] = {"-1", "1", NULL};

static const gw_field_t log_header_key = {
    .name = "header", .type = GW_T_STRING, .check = check_log_header};

#define GW_QUEUE_FIELD(n, t, d, lo, hi)                               \
    {                                                                 \
        .name = n, .type = t, .dflt = d, .has_between = 1, .min = lo, \
        .max = hi                                                     \
    }

/* Kong's shared queue record (kong.tools.queue_schema) */
static const gw_field_t queue_config[] = {
    GW_QUEUE_FIELD("max_batch_size", GW_T_INTEGER, "1", 1, 1000000),
    GW_QUEUE_FIELD("max_coalescing_delay", GW_T_NUMBER, "1", 0, 3600),
    GW_QUEUE_FIELD("max_entries", GW_T_INTEGER, "10000", 1, 1000000),
    {.name = "max_bytes", .type = GW_T_INTEGER},
    {.name = "max_retry_time", .type = GW_T_NUMBER, .dflt = "60"},
    GW_QUEUE_FIELD("initial_retry_delay", GW_T_NUMBER, "0.01", 0.001, 1000000),
    GW_QUEUE_FIELD("max_retry_delay", GW_T_NUMBER, "60", 0.001, 1000000),
    {.name = "concurrency_limit",
     .type = GW_T_INTEGER,
     .dflt = "1",
     .one_of = concurrency_limits},
    {NULL}};

static const gw_field_t http_log_config[] = {
    {.name = "http_endpoint",
     .type = GW_T_STRING,
     .flags = GW_F_REQUIRED,
     .check = check_url},
    {.name = "method",
     .type = GW_T_STRING,
     .dflt = "\"POST\"",
     .one_of = log_methods},
    {.name = "content_type",
     .type = GW_T_STRING,
     .dflt = "\"application/json\"",
     .one_of = log_content_types},
    {.name = "timeout", .type = GW_T_NUMBER, .dflt = "10000"},
    {.name = "keepalive", .type = GW_T_NUMBER, .dflt = "60000"},
    /* deprecated: accepted and kept, the queue record rules */
    {.name = "retry_count", .type = GW_T_INTEGER},
    {.name = "queue_size", .type = GW_T_INTEGER},
    {.name = "flush_timeout", .type = GW_T_NUMBER},
    {.name = "headers",
     .type = GW_T_MAP,
     .keys = &log_header_key,
     .elements = &gw_plugin_string_element},
    {.name = "queue",
     .type = GW_T_RECORD,
     .flags = GW_F_REQUIRED,
     .fields = queue_config},
    GW_FIELD_LUA_CODE,
    {NULL}};

static const gw_field_t http_log_fields[] = {
    GW_PLUGIN_FIELD_PROTOCOLS,
    GW_PLUGIN_FIELD_CONFIG(http_log_config, check_http_log),
    {NULL}};

const gw_plugin_t gw_plugin_http_log = {
    .name = "http-log",
    .priority = 12,
    .schema = {.fields = http_log_fields},
};

/* ---------------------------------------------------------- prometheus */

#define GW_METRICS_FIELD(n)                              \
    {                                                    \
        .name = n, .type = GW_T_BOOLEAN, .dflt = "false" \
    }

static const gw_field_t prometheus_config[] = {
    GW_METRICS_FIELD("per_consumer"),
    GW_METRICS_FIELD("status_code_metrics"),
    GW_METRICS_FIELD("ai_metrics"),
    GW_METRICS_FIELD("latency_metrics"),
    GW_METRICS_FIELD("bandwidth_metrics"),
    GW_METRICS_FIELD("upstream_health_metrics"),
    GW_METRICS_FIELD("wasm_metrics"),
    {NULL}};

static const gw_field_t prometheus_fields[] = {
    GW_PLUGIN_FIELD_PROTOCOLS,
    GW_PLUGIN_FIELD_CONFIG(prometheus_config, NULL),
    {NULL}};

const gw_plugin_t gw_plugin_prometheus = {
    .name = "prometheus",
    .priority = 13,
    .schema = {.fields = prometheus_fields},
};
