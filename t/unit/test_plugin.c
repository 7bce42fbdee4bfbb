/*
 * test_plugin: the plugin registry (gw_plugin) and the Plugin entity
 * (gw_entity_plugins) through the write pipeline: every bundled plugin's
 * whole default config compared with Kong 3.10's, representative
 * validation errors of each plugin with Kong's exact messages (several
 * taken from Kong's own schema specs), scoping rules, unknown names, PATCH
 * merges of config, and the /schemas descriptions.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_time.h>

#include "gw_entity.h"
#include "gw_json.h"
#include "gw_plugin.h"
#include "gw_uuid.h"
#include "tap.h"
#include "entity_fixture.h"

#define T0 1700000000
#define T1 1700000100

#define UUID "6f2d0e43-8e35-4f5b-9f43-5cbb57e5b0a1"
#define NOT_ENABLED(n)                                                   \
    "plugin '" n "' not enabled; add it to the 'plugins' configuration " \
    "property"

/* ---------------------------------------------------------- helpers */

/* Runs the pipeline at T0 (T1 for updates); *fields gets the error
 * tree. "" on success. */
static const char *run(json_object **out, json_object **fields, gw_op_e op,
                       json_object *input, const json_object *existing)
{
    return prepare_run(out, fields, &gw_entity_plugins, op, input, existing,
                       apr_time_from_sec(op == GW_OP_UPDATE ? T1 : T0));
}

static const char *post_msg(const char *input)
{
    json_object *out, *fields;

    return run(&out, &fields, GW_OP_INSERT, json(input), NULL);
}

/* The error fields of a POST as JSON text; "accepted" when it passes. */
static const char *post_fields(const char *input)
{
    json_object *out, *fields;
    const char *msg = run(&out, &fields, GW_OP_INSERT, json(input), NULL);

    return *msg ? gw_json_text(fields, pool) : "accepted";
}

static json_object *post(const char *input)
{
    json_object *out = NULL, *fields;
    const char *msg = run(&out, &fields, GW_OP_INSERT, json(input), NULL);

    if (*msg) {
        diag(apr_psprintf(pool, "POST %s failed: %s", input, msg));
        return NULL;
    }
    return out;
}

/* Passes when got and want (JSON text) are the same JSON, key order
 * aside. */
static void is_json(json_object *got, const char *want, const char *name)
{
    int same = gw_json_equal(got, json(want));

    ok(same, name);
    if (!same) {
        diag(apr_psprintf(pool, "     got: %s", gw_json_text(got, pool)));
        diag(apr_psprintf(pool, "expected: %s", want));
    }
}

/* The config a POST of the plugin with these config members gets. */
static json_object *config_of(const char *name, const char *config)
{
    json_object *p = post(
        apr_psprintf(pool, "{\"name\":\"%s\",\"config\":%s}", name, config));

    return p ? gw_json_get(p, "config") : NULL;
}

/* POST {"name":name,"config":config}; its message ("" when accepted). */
static const char *config_msg(const char *name, const char *config)
{
    return post_msg(
        apr_psprintf(pool, "{\"name\":\"%s\",\"config\":%s}", name, config));
}

static const char *config_fields(const char *name, const char *config)
{
    return post_fields(
        apr_psprintf(pool, "{\"name\":\"%s\",\"config\":%s}", name, config));
}

#define RL_REDIS_DEFAULT                                                   \
    "{\"host\":null,\"port\":6379,\"timeout\":2000,\"username\":null,"     \
    "\"password\":null,\"database\":0,\"ssl\":false,\"ssl_verify\":false," \
    "\"server_name\":null}"

/* --------------------------------------------------------- registry */

static void test_registry(void)
{
    const gw_plugin_t *const *all = gw_plugin_all(), *const * pl;
    int n = 0, sorted = 1;
    json_object *avail;

    for (pl = all; *pl; pl++, n++) {
        if (pl != all && strcmp(pl[-1]->name, (*pl)->name) >= 0) {
            sorted = 0;
        }
    }
    is_int(n, 18, "18 bundled plugins");
    ok(sorted, "the registry is sorted by name");
    ok(gw_plugin_find("key-auth") == &gw_plugin_key_auth, "find by name");
    ok(gw_plugin_find("nope") == NULL, "unknown name");
    ok(gw_plugin_find(NULL) == NULL, "no name");
    is_int(gw_plugin_find("correlation-id")->priority, 100001,
           "correlation-id priority");
    is_int(gw_plugin_find("request-termination")->priority, 2,
           "request-termination priority");
    is(gw_plugin_version(&gw_plugin_jwt), "3.10.0",
       "bundled plugins carry Kong's version");
    is(gw_json_text(gw_plugin_enabled_json(pool), pool),
       "{\"enabled_plugins\":[\"acl\",\"basic-auth\",\"bot-detection\","
       "\"correlation-id\",\"cors\",\"file-log\",\"hmac-auth\",\"http-log\","
       "\"ip-restriction\",\"jwt\",\"key-auth\",\"prometheus\","
       "\"proxy-cache\",\"rate-limiting\",\"request-size-limiting\","
       "\"request-termination\",\"request-transformer\","
       "\"response-transformer\"]}",
       "/plugins/enabled");
    avail = gw_plugin_available_json(pool);
    is(gw_json_text(gw_json_get(avail, "key-auth"), pool),
       "{\"version\":\"3.10.0\",\"priority\":1250}",
       "available_on_server entry");
    is_int(json_object_object_length(avail), 18, "every plugin is available");
}

/* every priority of reference §4.1 */
static void test_priorities(void)
{
    static const struct {
        const char *name;
        int priority;
    } table[] = {{"correlation-id", 100001},
                 {"bot-detection", 2500},
                 {"cors", 2000},
                 {"jwt", 1450},
                 {"key-auth", 1250},
                 {"basic-auth", 1100},
                 {"hmac-auth", 1030},
                 {"ip-restriction", 990},
                 {"request-size-limiting", 951},
                 {"acl", 950},
                 {"rate-limiting", 910},
                 {"request-transformer", 801},
                 {"response-transformer", 800},
                 {"proxy-cache", 100},
                 {"prometheus", 13},
                 {"http-log", 12},
                 {"file-log", 9},
                 {"request-termination", 2}};
    size_t i;
    int right = 0;

    for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        const gw_plugin_t *pl = gw_plugin_find(table[i].name);

        if (pl && pl->priority == table[i].priority) {
            right++;
        }
        else {
            diag(apr_psprintf(pool, "wrong priority for %s", table[i].name));
        }
    }
    is_int(right, 18, "Kong 3.10's priorities");
}

/* Kong makes every record of an entity required (so reads show its whole
 * structure) and subschemas may only replace fields the entity has */
static int records_required(const gw_field_t *fields)
{
    for (; fields && fields->name; fields++) {
        if (fields->type == GW_T_RECORD
            && (!(fields->flags & GW_F_REQUIRED)
                || !records_required(fields->fields))) {
            diag(apr_psprintf(pool, "record %s is not required", fields->name));
            return 0;
        }
    }
    return 1;
}

static void test_schema_invariants(void)
{
    const gw_plugin_t *const *pl;
    int required = 1, known = 1;

    for (pl = gw_plugin_all(); *pl; pl++) {
        const gw_field_t *f;

        required &= records_required((*pl)->schema.fields);
        for (f = (*pl)->schema.fields; f->name; f++) {
            if (!gw_schema_field(gw_entity_plugins.fields, f->name)) {
                diag(apr_psprintf(pool, "%s: %s is not a plugin field",
                                  (*pl)->name, f->name));
                known = 0;
            }
        }
    }
    ok(required, "every record of every config is required");
    ok(known, "subschemas only replace fields of the Plugin entity");
}

/* ----------------------------------------------------- the entity */

static void test_entity(void)
{
    json_object *pl = post("{\"name\":\"key-auth\"}"), *rest;

    ok(pl && gw_uuid_valid(gw_json_str(pl, "id")), "an id is generated");
    rest = gw_json_copy(pl, pool);
    json_object_object_del(rest, "id");
    is(pl ? gw_json_text(rest, pool) : NULL,
       "{\"name\":\"key-auth\",\"instance_name\":null,"
       "\"created_at\":1700000000,\"updated_at\":1700000000,"
       "\"route\":null,\"service\":null,\"consumer\":null,"
       "\"config\":{\"key_names\":[\"apikey\"],\"hide_credentials\":false,"
       "\"anonymous\":null,\"key_in_header\":true,\"key_in_query\":true,"
       "\"key_in_body\":false,\"run_on_preflight\":true,\"realm\":null},"
       "\"protocols\":[\"grpc\",\"grpcs\",\"http\",\"https\"],"
       "\"enabled\":true,\"tags\":null}",
       "a key-auth plugin: every field, Kong's defaults, in Kong's order");

    pl = post("{\"name\":\"rate-limiting\",\"config\":{\"minute\":5},"
              "\"service\":{\"id\":\"" UUID "\"},\"route\":{\"id\":\"" UUID
              "\"},\"consumer\":{\"id\":\"" UUID "\"},\"instance_name\":"
              "\"rl-1\",\"enabled\":false,\"tags\":[\"a\",\"b\"],"
              "\"protocols\":[\"http\"]}");
    is(gw_json_text(gw_json_get(pl, "consumer"), pool), "{\"id\":\"" UUID "\"}",
       "rate-limiting may be scoped to route, service and consumer at once");
    is(gw_json_text(gw_json_get(pl, "instance_name"), pool), "\"rl-1\"",
       "instance_name kept");
    is(gw_json_text(gw_json_get(pl, "enabled"), pool), "false", "enabled kept");
    is(gw_json_text(gw_json_get(pl, "protocols"), pool), "[\"http\"]",
       "protocols kept");
}

static void test_names(void)
{
    is(post_msg("{\"name\":\"foo\"}"),
       "schema violation (name: " NOT_ENABLED("foo") ")",
       "an unknown plugin is not enabled");
    is(post_fields("{\"name\":\"foo\",\"config\":{\"x\":1},\"bogus\":1,"
                   "\"enabled\":\"no\"}"),
       "{\"name\":\"" NOT_ENABLED("foo") "\"}",
       "and that is the only error reported, as in Kong");
    is(post_msg("{\"config\":{}}"),
       "schema violation (name: required field missing)", "name is required");
    is(post_msg("{\"name\":null}"),
       "schema violation (name: required field missing)", "null name");
    is(post_msg("{\"name\":5}"), "schema violation (name: expected a string)",
       "a name that is not a string");
    is(post_msg("{\"name\":\"key-auth\",\"instance_name\":\"a b\"}"),
       "schema violation (instance_name: invalid value 'a b': the only "
       "accepted ascii characters are alphanumerics or ., -, _, and ~)",
       "instance_name is a name");
    is(post_msg("{\"name\":\"key-auth\",\"bogus\":1}"),
       "schema violation (bogus: unknown field)", "unknown entity field");
    is(post_msg("{\"name\":\"key-auth\",\"config\":{\"bogus\":1}}"),
       "schema violation (config.bogus: unknown field)",
       "unknown config field");
    is(post_fields("{\"name\":\"key-auth\",\"config\":{\"bogus\":1}}"),
       "{\"config\":{\"bogus\":\"unknown field\"}}",
       "config errors nest under config");
    is(post_msg("{\"name\":\"key-auth\",\"config\":null}"),
       "schema violation (config: required field missing)",
       "config may not be null");
    is(post_msg("{\"name\":\"key-auth\",\"config\":\"x\"}"),
       "schema violation (config: expected a record)",
       "config must be a record");
    is(post_msg("{\"name\":\"key-auth\",\"enabled\":null}"),
       "schema violation (enabled: required field missing)",
       "enabled is required");
    is(post_msg("{\"name\":\"key-auth\",\"tags\":[\"a/b\"]}"),
       "schema violation (tags.1: invalid tag 'a/b': expected printable "
       "ascii (except `,` and `/`) or valid utf-8 sequences)",
       "tags are tags");
    is(post_msg("{\"name\":\"key-auth\",\"service\":{\"id\":\"x\"}}"),
       "schema violation (service.id: expected a valid UUID)",
       "scopes are references");
}

static void test_scopes(void)
{
    static const char *const no_consumer[] = {
        "key-auth", "basic-auth", "jwt",           "hmac-auth",
        "acl",      "cors",       "bot-detection", NULL};
    const char *const *n;
    int forbidden = 0, allowed = 0;
    const gw_plugin_t *const *pl;

    for (n = no_consumer; *n; n++) {
        forbidden += !gw_plugin_scope_allowed(gw_plugin_find(*n), "consumer");
    }
    for (pl = gw_plugin_all(); *pl; pl++) {
        allowed += gw_plugin_scope_allowed(*pl, "consumer");
    }
    is_int(forbidden, 7, "auth plugins, acl, cors, bot-detection: no consumer");
    is_int(allowed, 11, "the other plugins take a consumer scope");
    ok(gw_plugin_scope_allowed(&gw_plugin_key_auth, "service")
           && gw_plugin_scope_allowed(&gw_plugin_key_auth, "route"),
       "services and routes are always allowed");

    is(post_msg("{\"name\":\"key-auth\",\"consumer\":{\"id\":\"" UUID "\"}}"),
       "schema violation (consumer: value must be null)",
       "key-auth on a consumer");
    is(post_fields("{\"name\":\"acl\",\"config\":{\"allow\":[\"a\"]},"
                   "\"consumer\":{\"id\":\"" UUID "\"}}"),
       "{\"consumer\":\"value must be null\"}", "acl on a consumer: fields");
    is(post_msg("{\"name\":\"cors\",\"consumer\":{\"id\":\"x\"}}"),
       "schema violation (consumer: value must be null)",
       "a bad reference is still a forbidden one");
    is(post_msg("{\"name\":\"cors\",\"consumer\":null}"), "",
       "a null consumer is fine");
    is(post_msg("{\"name\":\"rate-limiting\",\"config\":{\"second\":1},"
                "\"consumer\":{\"id\":\"" UUID "\"}}"),
       "", "rate-limiting on a consumer");
}

static void test_protocols(void)
{
    json_object *pl;

    pl = post("{\"name\":\"ip-restriction\",\"config\":{\"allow\":["
              "\"1.2.3.4\"]}}");
    is(gw_json_text(gw_json_get(pl, "protocols"), pool),
       "[\"http\",\"https\",\"tcp\",\"tls\",\"grpc\",\"grpcs\"]",
       "ip-restriction's own default protocols");
    pl = post("{\"name\":\"file-log\",\"config\":{\"path\":\"/tmp/x\"},"
              "\"protocols\":[\"tcp\",\"udp\"]}");
    is(gw_json_text(gw_json_get(pl, "protocols"), pool), "[\"tcp\",\"udp\"]",
       "file-log takes every protocol");
    is(post_msg("{\"name\":\"key-auth\",\"protocols\":[\"tcp\"]}"),
       "schema violation (protocols.1: expected one of: grpc, grpcs, http, "
       "https)",
       "key-auth takes http protocols only");
    is(post_msg("{\"name\":\"prometheus\",\"protocols\":[\"ftp\"]}"),
       "schema violation (protocols.1: expected one of: grpc, grpcs, http, "
       "https, tcp, tls, tls_passthrough, udp)",
       "the generic protocol list");
    is(post_msg("{\"name\":\"prometheus\",\"protocols\":null}"),
       "schema violation (protocols: required field missing)",
       "protocols are required");

    ok(gw_plugin_protocols_match(json("{\"protocols\":[\"grpc\",\"http\"]}"),
                                 json("{\"protocols\":[\"http\"]}")),
       "protocols shared with the route");
    ok(!gw_plugin_protocols_match(json("{\"protocols\":[\"grpc\"]}"),
                                  json("{\"protocols\":[\"http\","
                                       "\"https\"]}")),
       "no protocol in common with the route");
}

/* ------------------------------------------------- defaults (Kong 3.10) */

static void test_defaults(void)
{
    is_json(config_of("key-auth", "{}"),
            "{\"key_names\":[\"apikey\"],\"hide_credentials\":false,"
            "\"anonymous\":null,\"key_in_header\":true,\"key_in_query\":true,"
            "\"key_in_body\":false,\"run_on_preflight\":true,\"realm\":null}",
            "key-auth defaults");
    is_json(config_of("basic-auth", "{}"),
            "{\"anonymous\":null,\"hide_credentials\":false,"
            "\"realm\":\"service\"}",
            "basic-auth defaults");
    is_json(config_of("jwt", "{}"),
            "{\"uri_param_names\":[\"jwt\"],\"cookie_names\":[],"
            "\"key_claim_name\":\"iss\",\"secret_is_base64\":false,"
            "\"claims_to_verify\":null,\"anonymous\":null,"
            "\"run_on_preflight\":true,\"maximum_expiration\":0,"
            "\"header_names\":[\"authorization\"],\"realm\":null}",
            "jwt defaults");
    is_json(config_of("hmac-auth", "{}"),
            "{\"hide_credentials\":false,\"clock_skew\":300,"
            "\"anonymous\":null,\"validate_request_body\":false,"
            "\"enforce_headers\":[],\"algorithms\":[\"hmac-sha1\","
            "\"hmac-sha256\",\"hmac-sha384\",\"hmac-sha512\"],\"realm\":null}",
            "hmac-auth defaults");
    is_json(config_of("acl", "{\"allow\":[\"admins\"]}"),
            "{\"allow\":[\"admins\"],\"deny\":null,"
            "\"hide_groups_header\":false,"
            "\"always_use_authenticated_groups\":false}",
            "acl defaults");
    is_json(config_of("ip-restriction", "{\"deny\":[\"10.0.0.0/8\"]}"),
            "{\"allow\":null,\"deny\":[\"10.0.0.0/8\"],\"status\":null,"
            "\"message\":null}",
            "ip-restriction defaults");
    is_json(config_of("cors", "{}"),
            "{\"origins\":null,\"headers\":null,\"exposed_headers\":null,"
            "\"methods\":[\"GET\",\"HEAD\",\"PUT\",\"PATCH\",\"POST\","
            "\"DELETE\",\"OPTIONS\",\"TRACE\",\"CONNECT\"],\"max_age\":null,"
            "\"credentials\":false,\"private_network\":false,"
            "\"preflight_continue\":false,\"allow_origin_absent\":true}",
            "cors defaults");
    is_json(config_of("rate-limiting", "{\"minute\":10}"),
            "{\"second\":null,\"minute\":10,\"hour\":null,\"day\":null,"
            "\"month\":null,\"year\":null,\"limit_by\":\"consumer\","
            "\"header_name\":null,\"path\":null,\"policy\":\"local\","
            "\"fault_tolerant\":true,\"redis\":" RL_REDIS_DEFAULT ","
            "\"hide_client_headers\":false,\"error_code\":429,"
            "\"error_message\":\"API rate limit exceeded\",\"sync_rate\":-1}",
            "rate-limiting defaults");
    is_json(config_of("request-size-limiting", "{}"),
            "{\"allowed_payload_size\":128,\"size_unit\":\"megabytes\","
            "\"require_content_length\":false}",
            "request-size-limiting defaults");
    is_json(config_of("request-termination", "{}"),
            "{\"status_code\":503,\"message\":null,\"content_type\":null,"
            "\"body\":null,\"echo\":false,\"trigger\":null}",
            "request-termination defaults");
    is_json(config_of("request-transformer", "{}"),
            "{\"http_method\":null,"
            "\"remove\":{\"body\":[],\"headers\":[],\"querystring\":[]},"
            "\"rename\":{\"body\":[],\"headers\":[],\"querystring\":[]},"
            "\"replace\":{\"body\":[],\"headers\":[],\"querystring\":[],"
            "\"uri\":null},"
            "\"add\":{\"body\":[],\"headers\":[],\"querystring\":[]},"
            "\"append\":{\"body\":[],\"headers\":[],\"querystring\":[]}}",
            "request-transformer defaults");
    is_json(config_of("response-transformer", "{}"),
            "{\"remove\":{\"json\":[],\"headers\":[]},"
            "\"rename\":{\"json\":[],\"headers\":[]},"
            "\"replace\":{\"json\":[],\"json_types\":[],\"headers\":[]},"
            "\"add\":{\"json\":[],\"json_types\":[],\"headers\":[]},"
            "\"append\":{\"json\":[],\"json_types\":[],\"headers\":[]}}",
            "response-transformer defaults");
    is_json(config_of("correlation-id", "{}"),
            "{\"header_name\":\"Kong-Request-ID\","
            "\"generator\":\"uuid#counter\",\"echo_downstream\":false}",
            "correlation-id defaults");
    is_json(config_of("bot-detection", "{}"), "{\"allow\":[],\"deny\":[]}",
            "bot-detection defaults");
    is_json(config_of("proxy-cache", "{\"strategy\":\"memory\"}"),
            "{\"response_code\":[200,301,404],\"request_method\":[\"GET\","
            "\"HEAD\"],\"content_type\":[\"text/plain\","
            "\"application/json\"],\"cache_ttl\":300,\"strategy\":\"memory\","
            "\"cache_control\":false,\"ignore_uri_case\":false,"
            "\"storage_ttl\":null,\"memory\":{\"dictionary_name\":"
            "\"kong_db_cache\"},\"vary_query_params\":null,"
            "\"vary_headers\":null,\"response_headers\":{\"age\":true,"
            "\"X-Cache-Status\":true,\"X-Cache-Key\":true}}",
            "proxy-cache defaults");
    is_json(config_of("file-log", "{\"path\":\"/tmp/file.log\"}"),
            "{\"path\":\"/tmp/file.log\",\"reopen\":false,"
            "\"custom_fields_by_lua\":null}",
            "file-log defaults");
    is_json(config_of("http-log",
                      "{\"http_endpoint\":\"http://example.test/log\"}"),
            "{\"http_endpoint\":\"http://example.test/log\",\"method\":"
            "\"POST\",\"content_type\":\"application/json\",\"timeout\":10000,"
            "\"keepalive\":60000,\"retry_count\":null,\"queue_size\":null,"
            "\"flush_timeout\":null,\"headers\":null,\"queue\":{"
            "\"max_batch_size\":1,\"max_coalescing_delay\":1,"
            "\"max_entries\":10000,\"max_bytes\":null,\"max_retry_time\":60,"
            "\"initial_retry_delay\":0.01,\"max_retry_delay\":60,"
            "\"concurrency_limit\":1},\"custom_fields_by_lua\":null}",
            "http-log defaults");
    is_json(config_of("prometheus", "{}"),
            "{\"per_consumer\":false,\"status_code_metrics\":false,"
            "\"ai_metrics\":false,\"latency_metrics\":false,"
            "\"bandwidth_metrics\":false,\"upstream_health_metrics\":false,"
            "\"wasm_metrics\":false}",
            "prometheus defaults");
    is_json(config_of("rate-limiting", "{\"second\":1,\"redis\":{\"host\":"
                                       "\"r.test\"}}"),
            "{\"second\":1,\"minute\":null,\"hour\":null,\"day\":null,"
            "\"month\":null,\"year\":null,\"limit_by\":\"consumer\","
            "\"header_name\":null,\"path\":null,\"policy\":\"local\","
            "\"fault_tolerant\":true,\"redis\":{\"host\":\"r.test\","
            "\"port\":6379,\"timeout\":2000,\"username\":null,"
            "\"password\":null,\"database\":0,\"ssl\":false,"
            "\"ssl_verify\":false,\"server_name\":null},"
            "\"hide_client_headers\":false,\"error_code\":429,"
            "\"error_message\":\"API rate limit exceeded\",\"sync_rate\":-1}",
            "a partial nested record gets the rest of its defaults");
    is(gw_json_text(gw_json_get(config_of("bot-detection", "{}"), "allow"),
                    pool),
       "[]", "an empty-array default serialises as []");
}

/* ------------------------------------------------------- validation */

#define SV(m) "schema violation (" m ")"

static void test_auth_rules(void)
{
    is(config_msg("key-auth", "{\"key_names\":[\"good\",\"bad name\"]}"),
       SV("config.key_names: {null,\"bad header name 'bad name', allowed "
          "characters are A-Z, a-z, 0-9, '_', and '-'\"}"),
       "key-auth: key names are header names");
    is(config_fields("key-auth", "{\"key_names\":[\"good\",\"bad name\"]}"),
       "{\"config\":{\"key_names\":[null,\"bad header name 'bad name', "
       "allowed characters are A-Z, a-z, 0-9, '_', and '-'\"]}}",
       "key-auth: element errors keep their index");
    is(config_msg("key-auth", "{\"key_names\":null}"),
       SV("config.key_names: required field missing"),
       "key-auth: key_names required");
    is(config_msg("key-auth", "{\"hide_credentials\":\"yes\"}"),
       SV("config.hide_credentials: expected a boolean"), "key-auth: booleans");
    is(config_msg("basic-auth", "{\"realm\":null}"),
       SV("config.realm: required field missing"),
       "basic-auth: realm may not be null");
    is(config_msg("jwt", "{\"maximum_expiration\":-1,\"claims_to_verify\":["
                         "\"exp\",\"nbf\"]}"),
       SV("config.maximum_expiration: value should be between 0 and "
          "31536000"),
       "jwt: maximum_expiration range (Kong's spec)");
    is(config_fields("jwt", "{\"maximum_expiration\":60,\"claims_to_verify\":"
                            "[\"nbf\"]}"),
       "{\"config\":{\"claims_to_verify\":\"expected to contain: exp\"},"
       "\"@entity\":[\"failed conditional validation given value of field "
       "'config.maximum_expiration'\"]}",
       "jwt: maximum_expiration needs exp verified (Kong's spec)");
    is(config_msg("jwt", "{\"maximum_expiration\":60,\"claims_to_verify\":"
                         "[\"nbf\"]}"),
       "2 schema violations (failed conditional validation given value of "
       "field 'config.maximum_expiration'; config.claims_to_verify: "
       "expected to contain: exp)",
       "jwt: the 2-error message");
    is(config_msg("jwt", "{\"maximum_expiration\":60,\"claims_to_verify\":"
                         "[\"exp\",\"nbf\"]}"),
       "", "jwt: maximum_expiration with exp");
    is(config_msg("jwt", "{\"maximum_expiration\":60}"), "",
       "jwt: null claims pass the conditional, as in Kong");
    is(config_msg("jwt", "{\"claims_to_verify\":[\"iat\"]}"),
       SV("config.claims_to_verify: {\"expected one of: exp, nbf\"}"),
       "jwt: claims");
    is(config_msg("hmac-auth", "{\"clock_skew\":0}"),
       SV("config.clock_skew: value must be greater than 0"),
       "hmac-auth: clock_skew > 0");
    is(config_fields("hmac-auth", "{\"algorithms\":[\"hmac-md5\"]}"),
       "{\"config\":{\"algorithms\":[\"expected one of: hmac-sha1, "
       "hmac-sha256, hmac-sha384, hmac-sha512\"]}}",
       "hmac-auth: algorithms");
    is(config_msg("acl", "{}"),
       "2 schema violations (exactly one of these fields must be non-empty: "
       "'config.allow', 'config.deny'; at least one of these fields must be "
       "non-empty: 'config.allow', 'config.deny')",
       "acl: neither allow nor deny");
    is(config_msg("acl", "{\"allow\":[\"a\"],\"deny\":[\"b\"]}"),
       SV("exactly one of these fields must be non-empty: 'config.allow', "
          "'config.deny'"),
       "acl: both allow and deny");
    is(config_msg("acl", "{\"allow\":[],\"deny\":[\"b\"]}"), "",
       "acl: an empty list does not count");
    is(config_msg("acl", "{\"allow\":\"a\"}"),
       SV("config.allow: expected an array"),
       "acl: checks still judge an invalid value as set");
}

static void test_security_rules(void)
{
    is(config_fields("ip-restriction",
                     "{\"allow\":[\"127.0.0.1/32\",\"127.0.0.2/32\","
                     "\"hello\"]}"),
       "{\"config\":{\"allow\":[null,null,\"invalid ip or cidr range: "
       "'hello'\"]}}",
       "ip-restriction: bad address (Kong's spec)");
    is(config_fields("ip-restriction", "{\"deny\":[],\"allow\":[]}"),
       "{\"@entity\":[\"at least one of these fields must be non-empty: "
       "'config.allow', 'config.deny'\"]}",
       "ip-restriction: empty allow and deny (Kong's spec)");
    is(config_msg("ip-restriction", "{\"allow\":12}"),
       SV("config.allow: expected an array"), "ip-restriction: types");
    is(config_msg("ip-restriction",
                  "{\"allow\":[\"10.0.0.1\"],\"deny\":[\"10.0.0.2\"],"
                  "\"status\":403,\"message\":\"Forbidden\"}"),
       "", "ip-restriction: both lists, status and message");
    is(config_msg("cors", "{\"origins\":[\"*\",\"http://a.test\","
                          "\"(bad\"]}"),
       SV("config.origins: {null,null,\"'(bad' is not a valid regex\"}"),
       "cors: origins are * or regexes");
    is(config_msg("cors", "{\"methods\":[\"get\"]}"),
       SV("config.methods: {\"expected one of: GET, HEAD, PUT, PATCH, POST, "
          "DELETE, OPTIONS, TRACE, CONNECT\"}"),
       "cors: methods");
    is(config_msg("cors", "{\"max_age\":\"1\"}"),
       SV("config.max_age: expected a number"), "cors: max_age");
    is(config_fields("bot-detection", "{\"deny\":[\"[a-\"]}"),
       "{\"config\":{\"deny\":[\"not a valid regex: [a-\"]}}",
       "bot-detection: regexes");
    is(config_msg("bot-detection", "{\"allow\":[\"^curl/.*$\"]}"), "",
       "bot-detection: a good regex");
    is(config_msg("request-size-limiting", "{\"size_unit\":\"gigabytes\"}"),
       SV("config.size_unit: expected one of: megabytes, kilobytes, bytes"),
       "request-size-limiting: units");
    is(config_msg("request-size-limiting", "{\"allowed_payload_size\":1.5}"),
       SV("config.allowed_payload_size: expected an integer"),
       "request-size-limiting: an integer size");
}

static void test_traffic_rules(void)
{
    is(config_msg("rate-limiting", "{}"),
       SV("at least one of these fields must be non-empty: 'config.second', "
          "'config.minute', 'config.hour', 'config.day', 'config.month', "
          "'config.year'"),
       "rate-limiting: no limit (Kong's API spec)");
    is(config_msg("rate-limiting", "{\"minute\":10,\"hour\":5}"),
       SV("config: The limit for hour(5.0) cannot be lower than the limit "
          "for minute(10.0)"),
       "rate-limiting: a longer period with a lower limit");
    is(config_fields("rate-limiting", "{\"second\":10,\"minute\":20,"
                                      "\"hour\":30,\"day\":40,\"month\":60,"
                                      "\"year\":50}"),
       "{\"config\":\"The limit for year(50.0) cannot be lower than the "
       "limit for month(60.0)\"}",
       "rate-limiting: the record's own message (Kong's spec)");
    is(config_msg("rate-limiting", "{\"second\":0}"),
       SV("config.second: value must be greater than 0"),
       "rate-limiting: limits are positive");
    is(config_fields("rate-limiting", "{\"second\":10,\"limit_by\":"
                                      "\"header\"}"),
       "{\"config\":{\"header_name\":\"required field missing\"},"
       "\"@entity\":[\"failed conditional validation given value of field "
       "'config.limit_by'\"]}",
       "rate-limiting: header_name for limit_by=header (Kong's spec)");
    is(config_msg("rate-limiting", "{\"second\":10,\"limit_by\":\"path\"}"),
       "2 schema violations (failed conditional validation given value of "
       "field 'config.limit_by'; config.path: required field missing)",
       "rate-limiting: path for limit_by=path");
    is(config_msg("rate-limiting", "{\"second\":10,\"limit_by\":\"path\","
                                   "\"path\":\"/request\"}"),
       "", "rate-limiting: limit_by=path with a path");
    is(config_msg("rate-limiting", "{\"second\":10,\"path\":\"a\"}"),
       SV("config.path: should start with: /"), "rate-limiting: path");
    is(config_msg("rate-limiting", "{\"second\":10,\"header_name\":\"a b\"}"),
       SV("config.header_name: bad header name 'a b', allowed characters "
          "are A-Z, a-z, 0-9, '_', and '-'"),
       "rate-limiting: header_name");
    is(config_fields("rate-limiting", "{\"second\":10,\"policy\":\"redis\"}"),
       "{\"config\":{\"redis\":{\"host\":\"required field missing\"}},"
       "\"@entity\":[\"failed conditional validation given value of field "
       "'config.policy'\"]}",
       "rate-limiting: redis needs a host (Kong's spec)");
    is(config_msg("rate-limiting", "{\"second\":10,\"policy\":\"redis\","
                                   "\"redis\":{\"host\":\"r.test\","
                                   "\"port\":null,\"timeout\":null}}"),
       "3 schema violations (failed conditional validation given value of "
       "field 'config.policy'; failed conditional validation given value of "
       "field 'config.policy'; config.redis: {port=\"required field "
       "missing\",timeout=\"required field missing\"})",
       "rate-limiting: and a port and a timeout");
    is(config_msg("rate-limiting", "{\"second\":10,\"policy\":\"redis\","
                                   "\"redis\":{\"host\":\"r.test:6379\"}}"),
       "2 schema violations (failed conditional validation given value of "
       "field 'config.policy'; config.redis: {host=\"must not have a "
       "port\"})",
       "rate-limiting: redis host, judged by the conditional too (as in "
       "Kong)");
    is(config_msg("rate-limiting", "{\"second\":10,\"policy\":\"sql\"}"),
       SV("config.policy: expected one of: local, cluster, redis"),
       "rate-limiting: policies");
    is(config_msg("rate-limiting", "{\"second\":10,\"sync_rate\":1}"),
       SV("config: sync_rate can only be used with the redis policy"),
       "rate-limiting: sync_rate needs redis");
    is(config_msg("rate-limiting", "{\"second\":10,\"sync_rate\":0.01,"
                                   "\"policy\":\"redis\",\"redis\":"
                                   "{\"host\":\"r.test\"}}"),
       SV("config: sync_rate must be greater than 0.02, or -1 to disable"),
       "rate-limiting: sync_rate floor");
    is(config_msg("rate-limiting", "{\"second\":10,\"redis\":{\"port\":"
                                   "70000}}"),
       SV("config.redis: {port=\"value should be between 0 and 65535\"}"),
       "rate-limiting: redis port");
    is(config_msg("request-termination", "{\"status_code\":\"abcd\"}"),
       SV("config.status_code: expected an integer"),
       "request-termination: status_code type (Kong's spec)");
    is(config_msg("request-termination", "{\"status_code\":null}"),
       SV("config.status_code: required field missing"),
       "request-termination: status_code null (Kong's spec)");
    is(config_msg("request-termination", "{\"status_code\":600}"),
       SV("config.status_code: value should be between 100 and 599"),
       "request-termination: status_code range (Kong's spec)");
    is(config_fields("request-termination",
                     "{\"message\":\"error\",\"body\":\"test\"}"),
       "{\"config\":\"message cannot be used with content_type or body\"}",
       "request-termination: message with body (Kong's spec)");
    is(config_msg("request-termination", "{\"content_type\":\"text/html\"}"),
       SV("config: content_type requires a body"),
       "request-termination: content_type without body (Kong's spec)");
    is(config_msg("request-termination", "{\"echo\":true,\"content_type\":"
                                         "\"text/html\",\"body\":\"<b/>\"}"),
       SV("config: echo cannot be used with content_type and body"),
       "request-termination: echo with body (Kong's spec)");
    is(config_msg("request-termination", "{\"echo\":true,\"trigger\":"
                                         "\"header_name\"}"),
       "", "request-termination: echo with a trigger (Kong's spec)");
    is(config_msg("proxy-cache", "{}"),
       SV("config.strategy: required field missing"),
       "proxy-cache: strategy has no default");
    is(config_msg("proxy-cache", "{\"strategy\":\"redis\"}"),
       SV("config.strategy: expected one of: memory"),
       "proxy-cache: strategies");
    is(config_msg("proxy-cache", "{\"strategy\":\"memory\","
                                 "\"response_code\":[]}"),
       SV("config.response_code: length must be at least 1"),
       "proxy-cache: at least one response code");
    is(config_msg("proxy-cache", "{\"strategy\":\"memory\","
                                 "\"response_code\":[99]}"),
       SV("config.response_code: {\"value should be between 100 and 900\"}"),
       "proxy-cache: response code range");
    is(config_msg("proxy-cache", "{\"strategy\":\"memory\","
                                 "\"request_method\":[\"DELETE\"]}"),
       SV("config.request_method: {\"expected one of: HEAD, GET, POST, "
          "PATCH, PUT\"}"),
       "proxy-cache: methods");
    is(config_msg("proxy-cache", "{\"strategy\":\"memory\","
                                 "\"memory\":null}"),
       SV("config.memory: required field missing"),
       "proxy-cache: nested records are required");
    is(config_msg("correlation-id", "{\"generator\":\"random\"}"),
       SV("config.generator: expected one of: uuid, uuid#counter, tracker"),
       "correlation-id: generators");
    is(config_msg("correlation-id", "{\"generator\":null}"),
       SV("config.generator: required field missing"),
       "correlation-id: generator required");
}

static void test_redis_shorthands(void)
{
    json_object *config = config_of(
        "rate-limiting", "{\"minute\":100,\"policy\":\"redis\","
                         "\"redis_host\":\"custom-host.example.test\","
                         "\"redis_port\":55000,\"redis_username\":\"test1\","
                         "\"redis_password\":\"testX\",\"redis_database\":1,"
                         "\"redis_timeout\":1100,\"redis_ssl\":true,"
                         "\"redis_ssl_verify\":true,\"redis_server_name\":"
                         "\"example.test\"}");

    is_json(gw_json_get(config, "redis"),
            "{\"host\":\"custom-host.example.test\",\"port\":55000,"
            "\"timeout\":1100,\"username\":\"test1\",\"password\":\"testX\","
            "\"database\":1,\"ssl\":true,\"ssl_verify\":true,"
            "\"server_name\":\"example.test\"}",
            "deprecated redis_* fields land in config.redis");
    ok(config && !gw_json_has(config, "redis_host"),
       "and are not stored themselves");
    config = config_of("rate-limiting", "{\"minute\":1,\"redis_host\":\"old\","
                                        "\"redis\":{\"host\":\"new\"}}");
    is(gw_json_str(gw_json_get(config, "redis"), "host"), "new",
       "the real field wins over its alias");
    config = gw_json_get(
        gw_entity_present(&gw_entity_plugins,
                          post("{\"name\":\"rate-limiting\",\"config\":{"
                               "\"minute\":1,\"redis\":{\"host\":\"h\"}}}"),
                          pool),
        "config");
    is(gw_json_text(gw_json_get(config, "redis_host"), pool), "\"h\"",
       "what clients read shows the aliases again, as Kong does");
    is(gw_json_text(gw_json_get(config, "redis_port"), pool), "6379",
       "with the record's values");
    config = post("{\"name\":\"key-auth\"}");
    ok(gw_entity_present(&gw_entity_plugins, config, pool) == config,
       "plugins without aliases are shown as stored");
    is(config_msg("rate-limiting", "{\"minute\":1,\"redis_port\":\"x\"}"),
       SV("redis_port: expected an integer"),
       "a bad alias is reported at the top, as in Kong");
}

static void test_transform_rules(void)
{
    is(config_msg("request-transformer", "{\"http_method\":\"get\"}"),
       SV("config.http_method: invalid value: get"),
       "request-transformer: http_method is upper case");
    is(config_msg("request-transformer",
                  "{\"remove\":{\"headers\":[\"X-Ok\",\"bad header\"]}}"),
       SV("config.remove: {headers={null,\"'bad header' is not a valid "
          "header\"}}"),
       "request-transformer: header names to remove");
    is(config_fields("request-transformer",
                     "{\"add\":{\"headers\":[\"X-Ok:1\",\"novalue\"]}}"),
       "{\"config\":{\"add\":{\"headers\":[null,\"invalid value: "
       "novalue\"]}}}",
       "request-transformer: headers to add are name:value");
    is(config_fields("request-transformer",
                     "{\"add\":{\"querystring\":[\"q:\"]}}"),
       "{\"config\":{\"add\":{\"querystring\":[\"key 'q' has no value\"]}}}",
       "request-transformer: a value is needed");
    is(config_fields("request-transformer",
                     "{\"rename\":{\"headers\":[\"X-Old:X New\"]}}"),
       "{\"config\":{\"rename\":{\"headers\":[\"'X New' is not a valid "
       "header\"]}}}",
       "request-transformer: a rename's target is a header name too");
    is(config_msg("request-transformer",
                  "{\"replace\":{\"uri\":\"/new\",\"headers\":[\"Host:a.b\"],"
                  "\"body\":[\"a:$(headers.x)\"]},\"append\":{\"headers\":"
                  "[\"X-A:1\",\"X-A:2\"]}}"),
       "", "request-transformer: a valid config");
    is(config_msg("request-transformer", "{\"remove\":null}"),
       SV("config.remove: required field missing"),
       "request-transformer: operations are required records");
    is(config_fields("response-transformer",
                     "{\"add\":{\"json_types\":[\"object\"]}}"),
       "{\"config\":{\"add\":{\"json_types\":[\"expected one of: boolean, "
       "number, string\"]}}}",
       "response-transformer: json types");
    is(config_fields("response-transformer",
                     "{\"append\":{\"json\":[\"key\"]}}"),
       "{\"config\":{\"append\":{\"json\":[\"invalid value: key\"]}}}",
       "response-transformer: json entries are name:value");
    is(config_msg("response-transformer",
                  "{\"remove\":{\"json\":[\"a.b\"],\"headers\":[\"X-A\"]},"
                  "\"rename\":{\"headers\":[\"X-A:X-B\"]}}"),
       "", "response-transformer: a valid config");
}

static void test_log_rules(void)
{
    is(config_msg("file-log", "{}"), SV("config.path: required field missing"),
       "file-log: path required");
    is(config_msg("file-log", "{\"path\":\"/tmp/a*b\"}"),
       SV("config.path: not a valid filename"), "file-log: bad characters");
    is(config_msg("file-log", "{\"path\":\" /tmp/x\"}"),
       SV("config.path: not a valid filename"), "file-log: leading space");
    is(config_msg("file-log", "{\"path\":\"\"}"),
       SV("config.path: not a valid filename"),
       "file-log: empty path, same message");
    is(config_msg("file-log", "{\"path\":\"tmp/test\",\"custom_fields_by_lua\":"
                              "{\"new_field\":\"return 123\","
                              "\"request.headers.myheader\":\"return nil\"}}"),
       "", "file-log: custom fields (Kong's API spec)");
    is(config_msg("http-log", "{}"),
       SV("config.http_endpoint: required field missing"),
       "http-log: endpoint required");
    is(config_msg("http-log", "{\"http_endpoint\":\"example.test/log\"}"),
       SV("config.http_endpoint: missing host in url"),
       "http-log: no host without //");
    is(config_msg("http-log", "{\"http_endpoint\":\"//example.test/log\"}"),
       SV("config.http_endpoint: missing scheme in url"),
       "http-log: no scheme");
    is(config_msg("http-log", "{\"http_endpoint\":\"http://example.test\","
                              "\"method\":\"GET\"}"),
       SV("config.method: expected one of: POST, PUT, PATCH"),
       "http-log: methods");
    is(config_msg("http-log", "{\"http_endpoint\":\"http://example.test\","
                              "\"headers\":{\"Host\":\"x\"}}"),
       SV("config.headers: cannot contain 'Host' header"),
       "http-log: no Host header");
    is(config_msg("http-log", "{\"http_endpoint\":\"http://example.test\","
                              "\"headers\":{\"Content-Length\":\"1\"}}"),
       SV("config.headers: cannot contain 'Content-Length' header"),
       "http-log: no Content-Length header");
    is(config_msg("http-log", "{\"http_endpoint\":\"http://example.test\","
                              "\"headers\":{\"CONTENT-LENGTH\":\"1\"}}"),
       "", "http-log: Kong's pattern lets CONTENT-LENGTH through");
    is(config_msg("http-log", "{\"http_endpoint\":\"http://u:p@example.test\","
                              "\"headers\":{\"authorization\":\"x\"}}"),
       SV("config: specifying both an 'Authorization' header and user info "
          "in 'http_endpoint' is not allowed"),
       "http-log: credentials twice");
    is(config_msg("http-log", "{\"http_endpoint\":\"http://example.test\","
                              "\"queue\":{\"concurrency_limit\":2}}"),
       SV("config.queue: {concurrency_limit=\"expected one of: -1, 1\"}"),
       "http-log: queue concurrency");
    is(config_msg("http-log", "{\"http_endpoint\":\"http://example.test\","
                              "\"queue\":{\"initial_retry_delay\":0}}"),
       SV("config.queue: {initial_retry_delay=\"value should be between 0 "
          "and 1000000\"}"),
       "http-log: Kong prints fractional bounds as integers");
    is(config_msg("prometheus", "{\"per_consumer\":1}"),
       SV("config.per_consumer: expected a boolean"), "prometheus: booleans");
    is(config_msg("prometheus", "{\"per_consumer\":null}"), "",
       "prometheus: its booleans are not required");
}

/* ------------------------------------------------------------ PATCH */

static const char *patch(json_object **out, const json_object *existing,
                         const char *input)
{
    json_object *fields;

    return run(out, &fields, GW_OP_UPDATE, json(input), existing);
}

static void test_patch(void)
{
    json_object *stored, *out = NULL;

    stored = post("{\"name\":\"rate-limiting\",\"config\":{\"minute\":10,"
                  "\"policy\":\"redis\",\"redis\":{\"host\":\"r.test\"}}}");
    is(patch(&out, stored,
             "{\"config\":{\"hour\":100,\"redis\":{\"port\":6380}}}"),
       "", "PATCH config");
    is(gw_json_text(gw_json_get(gw_json_get(out, "config"), "minute"), pool),
       "10", "members the PATCH leaves out stay");
    is(gw_json_text(gw_json_get(gw_json_get(out, "config"), "hour"), pool),
       "100", "members it names change");
    is_json(gw_json_get(gw_json_get(out, "config"), "redis"),
            "{\"host\":\"r.test\",\"port\":6380,\"timeout\":2000,"
            "\"username\":null,\"password\":null,\"database\":0,"
            "\"ssl\":false,\"ssl_verify\":false,\"server_name\":null}",
            "nested records merge member by member too");
    is(gw_json_text(gw_json_get(out, "updated_at"), pool), "1700000100",
       "updated_at moves");
    is(gw_json_text(gw_json_get(out, "created_at"), pool), "1700000000",
       "created_at stays");
    is(patch(&out, stored, "{\"config\":{\"hour\":5}}"),
       SV("config: The limit for hour(5.0) cannot be lower than the limit "
          "for minute(10.0)"),
       "the merged config is validated again");
    is(patch(&out, stored, "{\"config\":{\"redis\":{\"host\":null}}}"),
       "2 schema violations (failed conditional validation given value of "
       "field 'config.policy'; config.redis: {host=\"required field "
       "missing\"})",
       "and its entity checks run again");
    is(patch(&out, stored, "{\"config\":{\"redis_timeout\":500}}"), "",
       "a PATCH may use a deprecated alias");
    is(gw_json_text(
           gw_json_get(gw_json_get(gw_json_get(out, "config"), "redis"),
                       "timeout"),
           pool),
       "500", "which lands in the stored record");
    is(patch(&out, stored, "{\"enabled\":false}"), "",
       "PATCH without a name keeps the stored plugin's");
    is(patch(&out, stored, "{\"name\":\"nope\"}"),
       SV("name: " NOT_ENABLED("nope")), "PATCH to an unknown name");
}

/* -------------------------------------------------------- describe */

/* the description of field name in a {"fields":[{name:{...}}...]} */
static json_object *described(json_object *schema, const char *name)
{
    json_object *fields = gw_json_get(schema, "fields");
    size_t i, n = fields ? json_object_array_length(fields) : 0;

    for (i = 0; i < n; i++) {
        json_object *one = json_object_array_get_idx(fields, i);

        if (gw_json_has(one, name)) {
            return gw_json_get(one, name);
        }
    }
    return NULL;
}

static const char *field_names(json_object *schema)
{
    json_object *fields = gw_json_get(schema, "fields");
    size_t i, n = json_object_array_length(fields);
    const char *out = "";

    for (i = 0; i < n; i++) {
        json_object_object_foreach (json_object_array_get_idx(fields, i), k,
                                    v) {
            (void)v;
            out = apr_pstrcat(pool, out, i ? "," : "", k, NULL);
        }
    }
    return out;
}

static void test_describe(void)
{
    json_object *ka = gw_plugin_describe(&gw_plugin_key_auth, pool);
    json_object *config = described(ka, "config"), *d;
    const char *text;

    is(field_names(ka), "consumer,protocols,config",
       "a subschema lists the fields it replaces, in Kong's order");
    is(gw_json_text(described(ka, "consumer"), pool),
       "{\"type\":\"foreign\",\"eq\":null,\"reference\":\"consumers\"}",
       "no_consumer: eq null");
    is(gw_json_text(described(ka, "protocols"), pool),
       "{\"type\":\"set\",\"required\":true,\"default\":[\"grpc\",\"grpcs\","
       "\"http\",\"https\"],\"elements\":{\"type\":\"string\",\"one_of\":["
       "\"grpc\",\"grpcs\",\"http\",\"https\"]}}",
       "protocols_http");
    is(gw_json_text(gw_json_get(config, "type"), pool), "\"record\"",
       "config is a record");
    is(gw_json_text(gw_json_get(config, "required"), pool), "true",
       "a required one");
    is(gw_json_text(described(config, "key_names"), pool),
       "{\"type\":\"array\",\"required\":true,\"default\":[\"apikey\"],"
       "\"elements\":{\"type\":\"string\"}}",
       "key_names");
    is(gw_json_text(gw_json_get(ka, "entity_checks"), pool), "[]",
       "entity_checks always present");
    is(field_names(gw_plugin_describe(&gw_plugin_rate_limiting, pool)),
       "protocols,config", "no consumer field when consumers are allowed");

    text =
        gw_json_text(gw_plugin_describe(&gw_plugin_bot_detection, pool), pool);
    ok(strstr(text, "\"default\":[]") && !strstr(text, "\"default\":{}"),
       "empty array defaults are [] (Kong's spec)");
    text = gw_json_text(
        gw_plugin_describe(&gw_plugin_request_transformer, pool), pool);
    ok(strstr(text, "\"default\":[]") && !strstr(text, "\"fields\":{")
           && !strstr(text, "\"entity_checks\":{"),
       "request-transformer: nested records and [] (Kong's spec)");
    is(gw_json_text(gw_json_get(gw_plugin_describe(&gw_plugin_jwt, pool),
                                "entity_checks"),
                    pool),
       "[{\"conditional\":{\"if_field\":\"config.maximum_expiration\","
       "\"if_match\":{\"gt\":0},\"then_field\":\"config.claims_to_verify\","
       "\"then_match\":{\"contains\":\"exp\"}}}]",
       "a conditional check");
    is(gw_json_text(gw_json_get(gw_plugin_describe(&gw_plugin_acl, pool),
                                "entity_checks"),
                    pool),
       "[{\"only_one_of\":[\"config.allow\",\"config.deny\"]},"
       "{\"at_least_one_of\":[\"config.allow\",\"config.deny\"]}]",
       "acl's checks");
    d = described(
        described(gw_plugin_describe(&gw_plugin_http_log, pool), "config"),
        "queue");
    is(gw_json_text(described(d, "initial_retry_delay"), pool),
       "{\"type\":\"number\",\"default\":0.01,\"between\":[0.001,1000000]}",
       "fractional bounds");
    is(gw_json_text(
           described(described(gw_plugin_describe(&gw_plugin_hmac_auth, pool),
                               "config"),
                     "clock_skew"),
           pool),
       "{\"type\":\"number\",\"default\":300,\"gt\":0}", "gt");

    d = gw_plugin_describe_config(&gw_plugin_correlation_id, pool);
    is(gw_json_text(d, pool),
       "{\"fields\":[{\"header_name\":{\"type\":\"string\",\"default\":"
       "\"Kong-Request-ID\"}},{\"generator\":{\"type\":\"string\","
       "\"required\":true,\"default\":\"uuid#counter\",\"one_of\":[\"uuid\","
       "\"uuid#counter\",\"tracker\"]}},{\"echo_downstream\":{\"type\":"
       "\"boolean\",\"required\":true,\"default\":false}}],"
       "\"entity_checks\":[]}",
       "/plugins/schema/{name}: the config record alone");

    d = gw_schema_describe(gw_entity_plugins.fields, NULL, pool);
    is(field_names(d),
       "id,name,instance_name,created_at,updated_at,route,service,consumer,"
       "config,protocols,enabled,tags",
       "/schemas/plugins: the entity's fields in Kong's order");
    is(gw_json_text(described(d, "config"), pool),
       "{\"type\":\"record\",\"abstract\":true,\"fields\":[]}",
       "its config is abstract");
    is(gw_json_text(described(d, "route"), pool),
       "{\"type\":\"foreign\",\"on_delete\":\"cascade\",\"reference\":"
       "\"routes\"}",
       "scopes cascade");
}

/* form input is coerced with the plugin's own fields */
static void test_coerce(void)
{
    json_object *in = json("{\"name\":\"rate-limiting\",\"config\":{"
                           "\"minute\":\"10\",\"hide_client_headers\":"
                           "\"true\"},\"protocols\":\"http\"}");

    gw_schema_coerce(gw_entity_fields(&gw_entity_plugins, in, pool), in);
    is(gw_json_text(in, pool),
       "{\"name\":\"rate-limiting\",\"config\":{\"minute\":10,"
       "\"hide_client_headers\":true},\"protocols\":[\"http\"]}",
       "gw_entity_fields gives the fields to coerce with");
    ok(gw_entity_fields(&gw_entity_plugins, json("{\"name\":\"x\"}"), pool)
           == gw_entity_plugins.fields,
       "an unknown plugin has only the entity's fields");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_registry();
    test_priorities();
    test_schema_invariants();
    test_entity();
    test_names();
    test_scopes();
    test_protocols();
    test_defaults();
    test_auth_rules();
    test_security_rules();
    test_traffic_rules();
    test_redis_shorthands();
    test_transform_rules();
    test_log_rules();
    test_patch();
    test_describe();
    test_coerce();
    apr_pool_destroy(pool);
    apr_terminate();
    return exit_status();
}
