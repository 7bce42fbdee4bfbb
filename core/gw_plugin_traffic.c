/*
 * gw_plugin_traffic: the schemas of the plugins that shape the traffic
 * itself: rate-limiting, request-termination, proxy-cache and
 * correlation-id (reference §4.8, 4.14, 4.15, 4.19).
 */
#include <string.h>

#include <apr_strings.h>

#include "gw_json.h"
#include "gw_plugin.h"

/* -------------------------------------------------------- rate-limiting */

static const char *const periods[] = {"second", "minute", "hour", "day",
                                      "month",  "year",   NULL};
static const char *const limit_bys[] = {
    "consumer", "credential", "ip", "service", "header", "path", NULL};
/* Kong drops "cluster" when it runs without a database; this gateway
 * validates one way whatever its mode (see DESIGN §4: one validator) */
static const char *const policies[] = {"local", "cluster", "redis", NULL};

#define GW_LIMIT_FIELD(n)                                    \
    {                                                        \
        .name = n, .type = GW_T_NUMBER, .has_gt = 1, .gt = 0 \
    }

/* the shared Redis record of Kong's rate-limiting family */
static const gw_field_t redis_config[] = {
    {.name = "host", .type = GW_T_STRING, .check = gw_schema_check_host},
    {.name = "port",
     .type = GW_T_INTEGER,
     .dflt = "6379",
     .has_between = 1,
     .min = 0,
     .max = 65535},
    {.name = "timeout",
     .type = GW_T_INTEGER,
     .dflt = "2000",
     .has_between = 1,
     .min = 0,
     .max = 2147483646},
    {.name = "username", .type = GW_T_STRING},
    {.name = "password", .type = GW_T_STRING, .flags = GW_F_EMPTY_OK},
    {.name = "database", .type = GW_T_INTEGER, .dflt = "0"},
    {.name = "ssl", .type = GW_T_BOOLEAN, .dflt = "false"},
    {.name = "ssl_verify", .type = GW_T_BOOLEAN, .dflt = "false"},
    {.name = "server_name", .type = GW_T_STRING, .check = gw_schema_check_sni},
    {NULL}};

/* Kong's validate_periods_order, and where sync_rate may be used */
static const char *check_rate_limiting(json_object *config, apr_pool_t *p)
{
    json_object *rate = gw_json_get(config, "sync_rate");
    const char *policy = gw_json_str(config, "policy");
    double sync_rate = rate ? json_object_get_double(rate) : -1;
    int i, j;

    for (i = 0; periods[i]; i++) {
        json_object *lower = gw_json_get(config, periods[i]);

        if (!lower) {
            continue;
        }
        for (j = i + 1; periods[j]; j++) {
            json_object *upper = gw_json_get(config, periods[j]);

            if (upper
                && json_object_get_double(upper)
                       < json_object_get_double(lower)) {
                return apr_psprintf(p,
                                    "The limit for %s(%.1f) cannot be lower "
                                    "than the limit for %s(%.1f)",
                                    periods[j], json_object_get_double(upper),
                                    periods[i], json_object_get_double(lower));
            }
        }
    }
    if (!(policy && strcmp(policy, "redis") == 0)) {
        return sync_rate != -1 ? "sync_rate can only be used with the redis "
                                 "policy"
                               : NULL;
    }
    if (sync_rate != -1 && sync_rate < 0.02) {
        return "sync_rate must be greater than 0.02, or -1 to disable";
    }
    return NULL;
}

static const gw_field_t rate_limiting_config[] = {
    GW_LIMIT_FIELD("second"),
    GW_LIMIT_FIELD("minute"),
    GW_LIMIT_FIELD("hour"),
    GW_LIMIT_FIELD("day"),
    GW_LIMIT_FIELD("month"),
    GW_LIMIT_FIELD("year"),
    {.name = "limit_by",
     .type = GW_T_STRING,
     .dflt = "\"consumer\"",
     .one_of = limit_bys},
    GW_PLUGIN_FIELD_HEADER_NAME("header_name"),
    {.name = "path",
     .type = GW_T_STRING,
     .starts_with = "/",
     .check = gw_schema_check_path},
    {.name = "policy",
     .type = GW_T_STRING,
     .flags = GW_F_EMPTY_OK,
     .dflt = "\"local\"",
     .one_of = policies},
    GW_PLUGIN_FIELD_BOOL("fault_tolerant", "true"),
    {.name = "redis",
     .type = GW_T_RECORD,
     .flags = GW_F_REQUIRED,
     .fields = redis_config},
    GW_PLUGIN_FIELD_BOOL("hide_client_headers", "false"),
    {.name = "error_code",
     .type = GW_T_NUMBER,
     .dflt = "429",
     .has_gt = 1,
     .gt = 0},
    {.name = "error_message",
     .type = GW_T_STRING,
     .dflt = "\"API rate limit exceeded\""},
    {.name = "sync_rate",
     .type = GW_T_NUMBER,
     .flags = GW_F_REQUIRED,
     .dflt = "-1"},
    {NULL}};

static const gw_field_t rate_limiting_fields[] = {
    GW_PLUGIN_FIELD_PROTOCOLS_HTTP,
    GW_PLUGIN_FIELD_CONFIG(rate_limiting_config, check_rate_limiting),
    {NULL}};

#define GW_REQUIRED_WHEN(if_f, value, then_f)                                  \
    {                                                                          \
        .kind = GW_CHECK_CONDITIONAL, .conditional = &(const gw_conditional_t) \
        {                                                                      \
            .if_field = if_f, .if_match = {.eq = value}, .then_field = then_f, \
            .then_match = {                                                    \
                .required = 1                                                  \
            }                                                                  \
        }                                                                      \
    }

static const gw_entity_check_t rate_limiting_checks[] = {
    {.kind = GW_CHECK_AT_LEAST_ONE_OF,
     .fields = (const char *const[]){"config.second", "config.minute",
                                     "config.hour", "config.day",
                                     "config.month", "config.year", NULL}},
    GW_REQUIRED_WHEN("config.policy", "redis", "config.redis.host"),
    GW_REQUIRED_WHEN("config.policy", "redis", "config.redis.port"),
    GW_REQUIRED_WHEN("config.policy", "redis", "config.redis.timeout"),
    GW_REQUIRED_WHEN("config.limit_by", "header", "config.header_name"),
    GW_REQUIRED_WHEN("config.limit_by", "path", "config.path"),
    {0}};

/* Kong's deprecated flat aliases of config.redis.<member>: a member the
 * input sets itself wins over its alias */
static const gw_field_t redis_shorthands[] = {
    {.name = "redis_host", .type = GW_T_STRING},
    {.name = "redis_port", .type = GW_T_INTEGER},
    {.name = "redis_password", .type = GW_T_STRING, .flags = GW_F_EMPTY_OK},
    {.name = "redis_username", .type = GW_T_STRING},
    {.name = "redis_ssl", .type = GW_T_BOOLEAN},
    {.name = "redis_ssl_verify", .type = GW_T_BOOLEAN},
    {.name = "redis_server_name", .type = GW_T_STRING},
    {.name = "redis_timeout", .type = GW_T_INTEGER},
    {.name = "redis_database", .type = GW_T_INTEGER},
    {NULL}};

static void rate_limiting_transform(json_object *input, gw_validation_t *v)
{
    json_object *config = gw_json_get(input, "config");
    const gw_field_t *f;

    if (!config || !json_object_is_type(config, json_type_object)) {
        return;
    }
    for (f = redis_shorthands; f->name; f++) {
        const char *member = f->name + strlen("redis_");
        json_object *val, *redis, *err;

        if (!json_object_object_get_ex(config, f->name, &val)) {
            continue;
        }
        err = val ? gw_schema_check_value(f, val, v->pool) : NULL;
        if (err) {
            /* Kong reports it at the top, outside config */
            gw_validation_field_error(v, f->name, json_object_get_string(err));
        }
        else if (!json_object_object_get_ex(config, "redis", &redis)
                 || !redis) {
            redis = json_object_new_object();
            json_object_object_add(redis, member, json_object_get(val));
            json_object_object_add(config, "redis", redis);
        }
        else if (json_object_is_type(redis, json_type_object)
                 && !gw_json_get(redis, member)) {
            json_object_object_add(redis, member, json_object_get(val));
        }
        json_object_object_del(config, f->name);
    }
}

/* Kong still shows each alias beside config.redis, with its value */
static void rate_limiting_present(json_object *plugin)
{
    json_object *config = gw_json_get(plugin, "config");
    json_object *redis = gw_json_get(config, "redis");
    const gw_field_t *f;

    if (!config || !json_object_is_type(config, json_type_object)) {
        return;
    }
    for (f = redis_shorthands; f->name; f++) {
        json_object_object_add(
            config, f->name,
            json_object_get(gw_json_get(redis, f->name + strlen("redis_"))));
    }
}

const gw_plugin_t gw_plugin_rate_limiting = {
    .name = "rate-limiting",
    .priority = 910,
    .schema = {.fields = rate_limiting_fields,
               .checks = rate_limiting_checks,
               .transform = rate_limiting_transform,
               .present = rate_limiting_present},
};

/* -------------------------------------------------- request-termination */

static int is_present(json_object *config, const char *name)
{
    json_object *v = gw_json_get(config, name);

    return v && json_object_is_type(v, json_type_string)
           && json_object_get_string_len(v) > 0;
}

static const char *check_termination(json_object *config, apr_pool_t *p)
{
    int message = is_present(config, "message");
    int content_type = is_present(config, "content_type");
    int body = is_present(config, "body");
    json_object *echo = gw_json_get(config, "echo");

    if (message && (content_type || body)) {
        return "message cannot be used with content_type or body";
    }
    if (content_type && !body) {
        return "content_type requires a body";
    }
    if (echo && json_object_get_boolean(echo) && (content_type || body)) {
        return "echo cannot be used with content_type and body";
    }
    (void)p;
    return NULL;
}

static const gw_field_t request_termination_config[] = {
    {.name = "status_code",
     .type = GW_T_INTEGER,
     .flags = GW_F_REQUIRED,
     .dflt = "503",
     .has_between = 1,
     .min = 100,
     .max = 599},
    {.name = "message", .type = GW_T_STRING},
    {.name = "content_type", .type = GW_T_STRING},
    {.name = "body", .type = GW_T_STRING},
    GW_PLUGIN_FIELD_BOOL("echo", "false"),
    GW_PLUGIN_FIELD_HEADER_NAME("trigger"),
    {NULL}};

static const gw_field_t request_termination_fields[] = {
    GW_PLUGIN_FIELD_PROTOCOLS_HTTP,
    GW_PLUGIN_FIELD_CONFIG(request_termination_config, check_termination),
    {NULL}};

const gw_plugin_t gw_plugin_request_termination = {
    .name = "request-termination",
    .priority = 2,
    .schema = {.fields = request_termination_fields},
};

/* ---------------------------------------------------------- proxy-cache */

static const char *const cache_methods[] = {"HEAD",  "GET", "POST",
                                            "PATCH", "PUT", NULL};
static const char *const cache_strategies[] = {"memory", NULL};

static const gw_field_t cache_status_element = {.name = "status",
                                                .type = GW_T_INTEGER,
                                                .has_between = 1,
                                                .min = 100,
                                                .max = 900};
static const gw_field_t cache_method_element = {
    .name = "method", .type = GW_T_STRING, .one_of = cache_methods};

static const gw_field_t cache_memory_config[] = {{.name = "dictionary_name",
                                                  .type = GW_T_STRING,
                                                  .flags = GW_F_REQUIRED,
                                                  .dflt = "\"kong_db_cache\""},
                                                 {NULL}};

static const gw_field_t cache_response_headers[] = {
    {.name = "age", .type = GW_T_BOOLEAN, .dflt = "true"},
    {.name = "X-Cache-Status", .type = GW_T_BOOLEAN, .dflt = "true"},
    {.name = "X-Cache-Key", .type = GW_T_BOOLEAN, .dflt = "true"},
    {NULL}};

static const gw_field_t proxy_cache_config[] = {
    {.name = "response_code",
     .type = GW_T_ARRAY,
     .flags = GW_F_REQUIRED,
     .dflt = "[200,301,404]",
     .elements = &cache_status_element,
     .len_min = 1},
    {.name = "request_method",
     .type = GW_T_ARRAY,
     .flags = GW_F_REQUIRED,
     .dflt = "[\"GET\",\"HEAD\"]",
     .elements = &cache_method_element},
    {.name = "content_type",
     .type = GW_T_ARRAY,
     .flags = GW_F_REQUIRED,
     .dflt = "[\"text/plain\",\"application/json\"]",
     .elements = &gw_plugin_string_element},
    {.name = "cache_ttl",
     .type = GW_T_INTEGER,
     .dflt = "300",
     .has_gt = 1,
     .gt = 0},
    {.name = "strategy",
     .type = GW_T_STRING,
     .flags = GW_F_REQUIRED,
     .one_of = cache_strategies},
    GW_PLUGIN_FIELD_BOOL("cache_control", "false"),
    {.name = "ignore_uri_case", .type = GW_T_BOOLEAN, .dflt = "false"},
    {.name = "storage_ttl", .type = GW_T_INTEGER},
    {.name = "memory",
     .type = GW_T_RECORD,
     .flags = GW_F_REQUIRED,
     .fields = cache_memory_config},
    {.name = "vary_query_params",
     .type = GW_T_ARRAY,
     .elements = &gw_plugin_string_element},
    {.name = "vary_headers",
     .type = GW_T_ARRAY,
     .elements = &gw_plugin_string_element},
    {.name = "response_headers",
     .type = GW_T_RECORD,
     .flags = GW_F_REQUIRED,
     .fields = cache_response_headers},
    {NULL}};

/* Kong also checks that the memory strategy's shared dictionary exists;
 * this gateway's cache has no named dictionaries to miss */
static const gw_field_t proxy_cache_fields[] = {
    GW_PLUGIN_FIELD_PROTOCOLS,
    GW_PLUGIN_FIELD_CONFIG(proxy_cache_config, NULL),
    {NULL}};

const gw_plugin_t gw_plugin_proxy_cache = {
    .name = "proxy-cache",
    .priority = 100,
    .schema = {.fields = proxy_cache_fields},
};

/* ------------------------------------------------------- correlation-id */

static const char *const generators[] = {"uuid", "uuid#counter", "tracker",
                                         NULL};

static const gw_field_t correlation_id_config[] = {
    {.name = "header_name", .type = GW_T_STRING, .dflt = "\"Kong-Request-ID\""},
    {.name = "generator",
     .type = GW_T_STRING,
     .flags = GW_F_REQUIRED,
     .dflt = "\"uuid#counter\"",
     .one_of = generators},
    GW_PLUGIN_FIELD_BOOL("echo_downstream", "false"),
    {NULL}};

static const gw_field_t correlation_id_fields[] = {
    GW_PLUGIN_FIELD_PROTOCOLS_HTTP,
    GW_PLUGIN_FIELD_CONFIG(correlation_id_config, NULL),
    {NULL}};

const gw_plugin_t gw_plugin_correlation_id = {
    .name = "correlation-id",
    .priority = 100001,
    .schema = {.fields = correlation_id_fields},
};
