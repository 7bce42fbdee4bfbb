/*
 * test_upstream: the Upstream entity through the write pipeline
 * (gw_entity_prepare with gw_entity_upstreams): every default including
 * the healthchecks record of reference §2.5, the name and address rules,
 * Kong's hash_on / algorithm shorthands, and its conditional entity
 * checks with their exact messages (taken from Kong's own Admin API
 * tests where they exist).
 */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_time.h>

#include "gw_entity.h"
#include "gw_json.h"
#include "gw_uuid.h"
#include "tap.h"
#include "entity_fixture.h"

#define TESTS 83

#define T0 1700000000
#define T1 1700000100

/* reference §2.5, as printed */
#define HEALTHCHECKS_DEFAULT                                               \
    "{\"threshold\":0,\"active\":{\"type\":\"http\",\"timeout\":1,"        \
    "\"concurrency\":10,\"http_path\":\"/\",\"https_sni\":null,"           \
    "\"https_verify_certificate\":true,\"headers\":null,"                  \
    "\"healthy\":{\"interval\":0,\"http_statuses\":[200,302],"             \
    "\"successes\":0},\"unhealthy\":{\"interval\":0,\"http_statuses\":"    \
    "[429,404,500,501,502,503,504,505],\"tcp_failures\":0,\"timeouts\":0," \
    "\"http_failures\":0}},\"passive\":{\"type\":\"http\",\"healthy\":"    \
    "{\"http_statuses\":[200,201,202,203,204,205,206,207,208,226,300,301," \
    "302,303,304,305,306,307,308],\"successes\":0},\"unhealthy\":"         \
    "{\"http_statuses\":[429,500,503],\"tcp_failures\":0,\"timeouts\":0,"  \
    "\"http_failures\":0}}}"

#define CONDITIONAL(f) \
    "failed conditional validation given value of field '" f "'"

/* Runs the pipeline; *out gets the entity, *fields the error tree.
 * Returns "" on success, else the error message. */
static const char *run(json_object **out, json_object **fields, gw_op_e op,
                       json_object *input, const json_object *existing,
                       apr_time_t now)
{
    return prepare_run(out, fields, &gw_entity_upstreams, op, input, existing,
                       now);
}

static const char *post_msg(const char *input)
{
    json_object *out, *fields;

    return run(&out, &fields, GW_OP_INSERT, json(input), NULL,
               apr_time_from_sec(T0));
}

/* The error fields of a POST, as JSON text; "accepted" when it passes. */
static const char *post_fields(const char *input)
{
    json_object *out, *fields;
    const char *msg = run(&out, &fields, GW_OP_INSERT, json(input), NULL,
                          apr_time_from_sec(T0));

    return *msg ? gw_json_text(fields, pool) : "accepted";
}

static json_object *post(const char *input)
{
    json_object *out = NULL, *fields;
    const char *msg = run(&out, &fields, GW_OP_INSERT, json(input), NULL,
                          apr_time_from_sec(T0));

    if (*msg) {
        diag(apr_psprintf(pool, "POST %s failed: %s", input, msg));
        return NULL;
    }
    return out;
}

static const char *member(json_object *o, const char *key)
{
    return gw_json_text(gw_json_get(o, key), pool);
}

static void test_defaults(void)
{
    json_object *up = post("{\"name\":\"my.upstream\"}");
    json_object *rest, *hc;

    ok(up && gw_uuid_valid(gw_json_str(up, "id")), "an id is generated");
    rest = gw_json_copy(up, pool);
    json_object_object_del(rest, "id");
    json_object_object_del(rest, "healthchecks");
    is(up ? gw_json_text(rest, pool) : NULL,
       "{\"created_at\":1700000000,\"updated_at\":1700000000,"
       "\"name\":\"my.upstream\",\"algorithm\":\"round-robin\","
       "\"hash_on\":\"none\",\"hash_fallback\":\"none\","
       "\"hash_on_header\":null,\"hash_fallback_header\":null,"
       "\"hash_on_cookie\":null,\"hash_on_cookie_path\":\"/\","
       "\"hash_on_query_arg\":null,\"hash_fallback_query_arg\":null,"
       "\"hash_on_uri_capture\":null,\"hash_fallback_uri_capture\":null,"
       "\"slots\":10000,\"tags\":null,\"host_header\":null,"
       "\"client_certificate\":null,\"use_srv_name\":false}",
       "every default and null outside healthchecks");
    hc = gw_json_get(up, "healthchecks");
    ok(gw_json_equal(hc, json(HEALTHCHECKS_DEFAULT)),
       "the healthchecks default is exactly the reference's record");
    if (!gw_json_equal(hc, json(HEALTHCHECKS_DEFAULT))) {
        diag(gw_json_text(hc, pool));
    }
    up = post("{\"name\":\"u\",\"healthchecks\":{\"active\":{\"healthy\":"
              "{\"interval\":5}},\"threshold\":25}}");
    hc = gw_json_get(up, "healthchecks");
    is(member(gw_json_get(gw_json_get(hc, "active"), "healthy"), "interval"),
       "5", "a partial healthchecks record keeps what is given");
    is(member(gw_json_get(gw_json_get(hc, "active"), "healthy"),
              "http_statuses"),
       "[200,302]", "and gets the rest of a sub-record filled in");
    is(member(hc, "threshold"), "25", "threshold given");
    ok(gw_json_equal(gw_json_get(hc, "passive"),
                     gw_json_get(json(HEALTHCHECKS_DEFAULT), "passive")),
       "an absent sub-record gets its whole default");
    up = post("{\"name\":\"u\",\"healthchecks\":{\"active\":{\"headers\":"
              "{\"x-probe\":[\"1\",\"2\"]},\"https_sni\":\"probe.test\","
              "\"type\":\"https\",\"timeout\":0.5}}}");
    ok(gw_json_equal(
           gw_json_get(gw_json_get(up, "healthchecks"), "active"),
           json("{\"type\":\"https\",\"timeout\":0.5,\"concurrency\":10,"
                "\"http_path\":\"/\",\"https_sni\":\"probe.test\","
                "\"https_verify_certificate\":true,\"headers\":{\"x-probe\":["
                "\"1\","
                "\"2\"]},\"healthy\":{\"interval\":0,\"http_statuses\":[200,"
                "302],"
                "\"successes\":0},\"unhealthy\":{\"interval\":0,\"http_"
                "statuses\":"
                "[429,404,500,501,502,503,504,505],\"tcp_failures\":0,"
                "\"timeouts\":0,"
                "\"http_failures\":0}}")),
       "active probe settings: headers, sni, fractional timeout");
}

static void test_name(void)
{
    static const struct {
        const char *name, *msg;
    } bad[] = {
        {"some invalid host name",
         "Invalid name ('some invalid host name'); must be a valid hostname"},
        {"1.2.3.4", "Invalid name ('1.2.3.4'); no ip addresses allowed"},
        {"[::1]", "Invalid name ('[::1]'); no ip addresses allowed"},
        {"10.0.0.1:80",
         "Invalid name ('10.0.0.1:80'); no ip addresses allowed"},
        {"my.upstream:80", "Invalid name ('my.upstream:80'); no port allowed"},
        {"my.upstream:99999",
         "Invalid name ('my.upstream:99999'); must be a valid hostname"},
        {"1.2.3", "Invalid name ('1.2.3'); must be a valid hostname"},
        /* Kong's check_hostname: ASCII only, no empty label but a last
         * one, no label ending in '-' */
        {"a..b", "Invalid name ('a..b'); must be a valid hostname"},
        {".a", "Invalid name ('.a'); must be a valid hostname"},
        {"a-.b", "Invalid name ('a-.b'); must be a valid hostname"},
        {"b\u00fccher.test",
         "Invalid name ('b\u00fccher.test'); must be a valid hostname"},
    };
    apr_size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        is(post_fields(apr_psprintf(pool, "{\"name\":\"%s\"}", bad[i].name)),
           apr_psprintf(pool, "{\"name\":\"%s\"}", bad[i].msg), bad[i].name);
    }
    is(post_msg("{}"), "schema violation (name: required field missing)",
       "a name is required");
    is(post_msg("{\"name\":\"my_upstream-1.test\"}"), "",
       "letters, digits, '-', '_' and '.'");
    is(post_msg("{\"name\":\"localhost\"}"), "", "a single label");
    is(post_msg("{\"name\":\"fq.test.\"}"), "",
       "a trailing dot (a fully qualified name)");
    is(post_msg("{\"name\":\"-a.test\"}"), "",
       "a label may start with '-' (punycode), as in Kong");
}

static void test_fields(void)
{
    static const struct {
        const char *member, *fields;
    } bad[] = {
        {"\"slots\":9", "{\"slots\":\"value should be between 10 and 65536\"}"},
        {"\"slots\":65537",
         "{\"slots\":\"value should be between 10 and 65536\"}"},
        {"\"algorithm\":\"random\"",
         "{\"algorithm\":\"expected one of: consistent-hashing, "
         "least-connections, round-robin, latency\"}"},
        {"\"hash_on\":\"body\"",
         "{\"hash_on\":\"expected one of: none, consumer, ip, header, cookie, "
         "path, query_arg, uri_capture\"}"},
        {"\"hash_on\":\"cookie\",\"hash_on_cookie\":\"hashme\","
         "\"hash_on_cookie_path\":\"not a path\"",
         "{\"hash_on_cookie_path\":\"should start with: /\"}"},
        {"\"host_header\":\"bad host\"",
         "{\"host_header\":\"invalid hostname: bad host\"}"},
        {"\"host_header\":\"h.test:70000\"",
         "{\"host_header\":\"invalid port number\"}"},
        {"\"host_header\":\"300.1.1.1\"",
         "{\"host_header\":\"invalid ipv4 address: 300.1.1.1\"}"},
        {"\"use_srv_name\":\"yes\"",
         "{\"use_srv_name\":\"expected a boolean\"}"},
        {"\"healthchecks\":{\"active\":{\"timeout\":65536}}",
         "{\"healthchecks\":{\"active\":{\"timeout\":\"value should be "
         "between 0 and 65535\"}}}"},
        {"\"healthchecks\":{\"active\":{\"concurrency\":0}}",
         "{\"healthchecks\":{\"active\":{\"concurrency\":\"value should be "
         "between 1 and 2147483648\"}}}"},
        {"\"healthchecks\":{\"passive\":{\"unhealthy\":{\"timeouts\":256}}}",
         "{\"healthchecks\":{\"passive\":{\"unhealthy\":{\"timeouts\":\"value "
         "should be between 0 and 255\"}}}}"},
        {"\"healthchecks\":{\"passive\":{\"healthy\":{\"http_statuses\":[99]}}"
         "}",
         "{\"healthchecks\":{\"passive\":{\"healthy\":{\"http_statuses\":"
         "[\"value should be between 100 and 999\"]}}}}"},
        {"\"healthchecks\":{\"active\":{\"type\":\"udp\"}}",
         "{\"healthchecks\":{\"active\":{\"type\":\"expected one of: tcp, "
         "http, https, grpc, grpcs\"}}}"},
        {"\"healthchecks\":{\"active\":{\"https_sni\":\"10.0.0.1\"}}",
         "{\"healthchecks\":{\"active\":{\"https_sni\":\"must not be an "
         "IP\"}}}"},
        {"\"healthchecks\":{\"active\":{\"https_sni\":\"a.test:443\"}}",
         "{\"healthchecks\":{\"active\":{\"https_sni\":\"must not have a "
         "port\"}}}"},
        {"\"healthchecks\":{\"active\":{\"http_path\":\"x\"}}",
         "{\"healthchecks\":{\"active\":{\"http_path\":\"should start with: "
         "/\"}}}"},
        {"\"healthchecks\":{\"active\":{\"https_verify_certificate\":null}}",
         "{\"healthchecks\":{\"active\":{\"https_verify_certificate\":"
         "\"required field missing\"}}}"},
        {"\"healthchecks\":{\"threshold\":101}",
         "{\"healthchecks\":{\"threshold\":\"value should be between 0 and "
         "100\"}}"},
        {"\"healthchecks\":{\"bogus\":1}",
         "{\"healthchecks\":{\"bogus\":\"unknown field\"}}"},
    };
    apr_size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        is(post_fields(
               apr_psprintf(pool, "{\"name\":\"u\",%s}", bad[i].member)),
           bad[i].fields, bad[i].member);
    }
    is(post_msg("{\"name\":\"u\",\"slots\":10,\"host_header\":\"h.test:8080\","
                "\"use_srv_name\":true,\"tags\":[\"a\"]}"),
       "", "range bounds, a host header with a port, use_srv_name");
    is(post_msg(
           "{\"name\":\"u\",\"slots\":65536,\"host_header\":\"[::1]:80\"}"),
       "", "upper slots bound, an IPv6 host header");
    is(post_msg("{\"name\":\"u\",\"client_certificate\":{\"id\":\"x\"}}"),
       "schema violation (client_certificate.id: expected a valid UUID)",
       "client_certificate is a foreign key");
}

/* Kong's upstream Admin API tests (07-upstreams_routes_spec.lua). */
static void test_hash_rules(void)
{
    is(post_fields("{\"name\":\"u\",\"hash_on\":\"consumer\","
                   "\"hash_fallback\":\"something that is invalid\"}"),
       "{\"hash_fallback\":\"expected one of: none, ip, header, cookie, path, "
       "query_arg, uri_capture\",\"@entity\":[\"" CONDITIONAL("hash_on") "\"]}",
       "an invalid fallback reports what hash_on allows");
    is(post_fields("{\"name\":\"u\",\"hash_on\":\"consumer\","
                   "\"hash_fallback\":\"consumer\"}"),
       "{\"hash_fallback\":\"expected one of: none, ip, header, cookie, path, "
       "query_arg, uri_capture\",\"@entity\":[\"" CONDITIONAL("hash_on") "\"]}",
       "the fallback may not repeat hash_on");
    is(post_msg("{\"name\":\"u\",\"hash_on\":\"consumer\","
                "\"hash_fallback\":\"something that is invalid\"}"),
       "2 schema violations (" CONDITIONAL(
           "hash_on") "; hash_fallback: "
                      "expected one of: none, ip, header, cookie, path, "
                      "query_arg, "
                      "uri_capture)",
       "the message: @entity first, then fields");
    is(post_fields("{\"name\":\"u\",\"hash_on\":\"header\",\"hash_fallback\":"
                   "\"consumer\",\"hash_on_header\":\"not a <> valid <> "
                   "header name\"}"),
       "{\"hash_on_header\":\"bad header name 'not a <> valid <> header name', "
       "allowed characters are A-Z, a-z, 0-9, '_', and "
       "'-'\",\"@entity\":[\"" CONDITIONAL("hash_on") "\"]}",
       "an invalid header name also fails hash_on's condition");
    is(post_fields("{\"name\":\"u\",\"hash_on\":\"header\",\"hash_fallback\":"
                   "\"header\",\"hash_on_header\":\"headername\","
                   "\"hash_fallback_header\":\"headername\"}"),
       "{\"@entity\":[\"values of these fields must be distinct: "
       "'hash_on_header', 'hash_fallback_header'\"]}",
       "the same header twice");
    is(post_fields("{\"name\":\"u\",\"hash_on\":\"cookie\",\"hash_on_cookie\":"
                   "\"cookiename\",\"hash_fallback\":\"header\","
                   "\"hash_fallback_header\":\"Cool-Header\"}"),
       "{\"hash_fallback\":\"expected one of: "
       "none\",\"@entity\":[\"" CONDITIONAL("hash_on") "\"]}",
       "no fallback when hashing on a cookie");
    is(post_fields("{\"name\":\"u\",\"hash_on\":\"header\",\"hash_fallback\":"
                   "\"header\",\"hash_fallback_header\":\"HeaderName\"}"),
       "{\"hash_on_header\":\"required field "
       "missing\",\"@entity\":[\"" CONDITIONAL("hash_on") "\"]}",
       "hashing on a header needs its name");
    is(post_fields("{\"name\":\"u\",\"hash_on\":\"consumer\",\"hash_fallback\":"
                   "\"header\"}"),
       "{\"hash_fallback_header\":\"required field "
       "missing\",\"@entity\":[\"" CONDITIONAL("hash_fallback") "\"]}",
       "falling back on a header needs its name");
    is(post_fields("{\"name\":\"u\",\"hash_on\":\"cookie\",\"hash_on_cookie\":"
                   "\"not a <> valid <> cookie name\"}"),
       "{\"hash_on_cookie\":\"contains one or more invalid characters. ASCII "
       "control characters (0-31;127), space, tab and the characters "
       "()<>@,;:\\\\\\\"/?={}[] are not allowed.\",\"@entity\":[\"" CONDITIONAL(
           "hash_on") "\"]}",
       "an invalid cookie name");
    is(post_fields("{\"name\":\"u\",\"hash_on\":\"ip\",\"hash_fallback\":"
                   "\"query_arg\",\"hash_fallback_query_arg\":\"q\"}"),
       "accepted", "ip with a query_arg fallback");
    is(post_fields("{\"name\":\"u\",\"hash_on\":\"query_arg\","
                   "\"hash_on_query_arg\":\"a\",\"hash_fallback\":"
                   "\"query_arg\",\"hash_fallback_query_arg\":\"a\"}"),
       "{\"@entity\":[\"values of these fields must be distinct: "
       "'hash_on_query_arg', 'hash_fallback_query_arg'\"]}",
       "the same query argument twice");
    is(post_fields("{\"name\":\"u\",\"hash_on\":\"uri_capture\"}"),
       "{\"hash_on_uri_capture\":\"required field "
       "missing\",\"@entity\":[\"" CONDITIONAL("hash_on") "\"]}",
       "hashing on a uri capture needs its name");
    is(post_fields("{\"name\":\"u\",\"hash_on\":\"path\",\"hash_fallback\":"
                   "\"path\"}"),
       "{\"hash_fallback\":\"expected one of: none, consumer, header, "
       "cookie, query_arg, ip, uri_capture\",\"@entity\":[\"" CONDITIONAL(
           "hash_on") "\"]}",
       "path may not fall back on path (Kong's list order)");
    is(post_fields("{\"name\":\"u\",\"hash_on\":\"none\",\"hash_fallback\":"
                   "\"ip\"}"),
       "{\"hash_fallback\":\"expected one of: "
       "none\",\"@entity\":[\"" CONDITIONAL("hash_on") "\"]}",
       "no fallback without hashing");
    is(post_fields("{\"name\":\"u\",\"hash_on\":\"header\",\"hash_on_header\":"
                   "\"x-h\",\"hash_fallback\":\"cookie\",\"hash_on_cookie\":"
                   "\"c\",\"hash_on_cookie_path\":\"/p\"}"),
       "accepted", "header with a cookie fallback");
}

static void test_shorthands(void)
{
    json_object *up, *out = NULL, *fields;
    const char *msg;

    up = post("{\"name\":\"u\",\"hash_on\":\"ip\"}");
    is(gw_json_str(up, "algorithm"), "consistent-hashing",
       "hashing implies consistent-hashing");
    up = post("{\"name\":\"u\",\"hash_on\":\"ip\",\"algorithm\":"
              "\"round-robin\"}");
    is(gw_json_str(up, "algorithm"), "consistent-hashing",
       "hash_on wins over an explicit round-robin");
    up = post("{\"name\":\"u\",\"hash_on\":\"none\",\"algorithm\":"
              "\"consistent-hashing\"}");
    is(gw_json_str(up, "algorithm"), "round-robin",
       "hash_on none implies round-robin");
    up = post("{\"name\":\"u\",\"hash_on\":\"ip\",\"algorithm\":"
              "\"least-connections\"}");
    ok(up && strcmp(gw_json_str(up, "algorithm"), "least-connections") == 0
           && strcmp(gw_json_str(up, "hash_on"), "none") == 0,
       "least-connections resets hash_on to none");
    up = post("{\"name\":\"u\",\"algorithm\":\"latency\",\"hash_on\":"
              "\"header\",\"hash_on_header\":\"x\"}");
    ok(up && strcmp(gw_json_str(up, "hash_on"), "none") == 0,
       "latency resets hash_on too");
    up = post("{\"name\":\"u\",\"hash_on\":null}");
    is(gw_json_str(up, "hash_on"), "none", "a null hash_on means none");
    up = post("{\"name\":\"u\",\"algorithm\":\"consistent-hashing\"}");
    ok(up && strcmp(gw_json_str(up, "hash_on"), "none") == 0,
       "consistent-hashing alone leaves hash_on at none");
    is(post_msg("{\"name\":\"u\",\"hash_on\":5}"),
       "schema violation (hash_on: expected a string)",
       "a shorthand value must be a string");
    is(post_msg("{\"name\":\"u\",\"algorithm\":\"\"}"),
       "schema violation (algorithm: length must be at least 1)",
       "and not an empty one");

    up = post("{\"name\":\"u\",\"algorithm\":\"least-connections\"}");
    msg = run(&out, &fields, GW_OP_UPDATE,
              json("{\"hash_on\":\"cookie\",\"hash_on_cookie\":\"c\"}"), up,
              apr_time_from_sec(T1));
    ok(!*msg
           && strcmp(gw_json_str(out, "algorithm"), "consistent-hashing") == 0,
       "PATCH hash_on switches the stored algorithm");
    msg = run(&out, &fields, GW_OP_UPDATE,
              json("{\"algorithm\":\"least-connections\"}"), out,
              apr_time_from_sec(T1));
    ok(!*msg && strcmp(gw_json_str(out, "hash_on"), "none") == 0
           && strcmp(gw_json_str(out, "hash_on_cookie"), "c") == 0,
       "PATCH algorithm resets hash_on, other hash fields stay");
}

static void test_patch(void)
{
    json_object *up, *out = NULL, *fields, *hc;
    const char *msg;

    up = post("{\"name\":\"u\",\"slots\":100,\"healthchecks\":{\"active\":"
              "{\"healthy\":{\"interval\":5}}}}");
    msg = run(&out, &fields, GW_OP_UPDATE,
              json("{\"healthchecks\":{\"passive\":{\"unhealthy\":"
                   "{\"tcp_failures\":1}}}}"),
              up, apr_time_from_sec(T1));
    hc = gw_json_get(out, "healthchecks");
    is(msg, "", "PATCH a nested healthchecks member");
    is(member(gw_json_get(gw_json_get(hc, "passive"), "unhealthy"),
              "tcp_failures"),
       "1", "the member changes");
    is(member(gw_json_get(gw_json_get(hc, "active"), "healthy"), "interval"),
       "5", "records are merged: other members keep their values");
    is(member(out, "slots"), "100", "other fields are kept");
    is_int(json_object_get_int64(gw_json_get(out, "updated_at")), T1,
           "updated_at bumped");
    msg = run(&out, &fields, GW_OP_UPSERT, json("{\"name\":\"u\"}"), up,
              apr_time_from_sec(T1));
    ok(!*msg
           && gw_json_equal(gw_json_get(out, "healthchecks"),
                            json(HEALTHCHECKS_DEFAULT)),
       "PUT resets healthchecks to the default");
}

/* GET /schemas/upstreams shows the checks as Kong writes them */
static void test_describe(void)
{
    json_object *checks =
        gw_json_get(gw_schema_describe(gw_entity_upstreams.fields,
                                       gw_entity_upstreams.checks, pool),
                    "entity_checks");

    is_int(json_object_array_length(checks), 16, "16 entity checks");
    is(gw_json_text(json_object_array_get_idx(checks, 0), pool),
       "{\"conditional\":{\"if_field\":\"hash_on\",\"if_match\":{"
       "\"match\":\"^header$\"},\"then_field\":\"hash_on_header\","
       "\"then_match\":{\"required\":true}}}",
       "a required-when check");
    is(gw_json_text(json_object_array_get_idx(checks, 4), pool),
       "{\"conditional\":{\"if_field\":\"hash_on\",\"if_match\":{"
       "\"match\":\"^none$\"},\"then_field\":\"hash_fallback\","
       "\"then_match\":{\"one_of\":[\"none\"]}}}",
       "a one-of-when check");
    is(gw_json_text(json_object_array_get_idx(checks, 9), pool),
       "{\"distinct\":[\"hash_on_header\",\"hash_fallback_header\"]}",
       "a distinct check");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    plan(TESTS);
    test_defaults();
    test_name();
    test_fields();
    test_hash_rules();
    test_shorthands();
    test_patch();
    test_describe();
    apr_pool_destroy(pool);
    apr_terminate();
    return exit_status();
}
