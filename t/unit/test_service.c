/*
 * test_service: the Service entity through the write pipeline
 * (gw_entity_prepare with gw_entity_services): Kong's defaults, the `url`
 * shorthand, field rules and messages of reference §2.1, the protocol
 * conditional checks, and PATCH / PUT semantics.
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

#define TESTS 94

#define T0 1700000000
#define T1 1700000100
#define SVC_ID "6ba7b810-9dad-11d1-80b4-00c04fd430c8"

static const char *run(json_object **out, gw_op_e op, json_object *input,
                       const json_object *existing, apr_time_t now)
{
    return prepare_msg(out, &gw_entity_services, op, input, existing, now);
}

/* A POST of input at T0: its message ("" when accepted), or the entity. */
#define post_msg(input) \
    post_entity_msg(&gw_entity_services, (input), apr_time_from_sec(T0))
#define post(input) \
    post_entity(&gw_entity_services, (input), apr_time_from_sec(T0))

/* "protocol/host/port/path" of a service, path "null" when unset. */
static const char *addr(json_object *svc)
{
    json_object *path = gw_json_get(svc, "path");

    if (!svc) {
        return "(no service)";
    }
    return apr_psprintf(pool, "%s/%s/%d/%s", gw_json_str(svc, "protocol"),
                        gw_json_str(svc, "host"),
                        json_object_get_int(gw_json_get(svc, "port")),
                        path ? json_object_get_string(path) : "null");
}

static const char *violation(const char *entry)
{
    return apr_pstrcat(pool, "schema violation (", entry, ")", NULL);
}

static void test_defaults(void)
{
    json_object *svc = post("{\"host\":\"example.com\"}");
    const char *id = svc ? gw_json_str(svc, "id") : NULL;
    json_object *rest;

    ok(svc != NULL, "a service needs only a host");
    ok(gw_uuid_valid(id) && id[14] == '4', "a v4 id is generated");
    rest = gw_json_copy(svc, pool);
    json_object_object_del(rest, "id");
    is(svc ? gw_json_text(rest, pool) : NULL,
       "{\"created_at\":1700000000,\"updated_at\":1700000000,\"name\":null,"
       "\"retries\":5,\"protocol\":\"http\",\"host\":\"example.com\","
       "\"port\":80,\"path\":null,\"connect_timeout\":60000,"
       "\"write_timeout\":60000,\"read_timeout\":60000,\"tags\":null,"
       "\"client_certificate\":null,\"tls_verify\":null,"
       "\"tls_verify_depth\":null,\"ca_certificates\":null,\"enabled\":true}",
       "every default of a fresh service, nulls included, in schema order");
    svc = post("{\"host\":\"h\",\"id\":\"" SVC_ID "\"}");
    is(gw_json_str(svc, "id"), SVC_ID, "a client-supplied id is kept");
    is(post_msg("{\"host\":\"h\",\"id\":\"x\"}"),
       violation("id: expected a valid UUID"), "a bad client id");
    is(post_msg("{}"), violation("host: required field missing"),
       "an empty POST");
    is(post_msg("{\"host\":\"h\",\"bogus\":1}"),
       violation("bogus: unknown field"), "unknown field");
    is(post_msg("{\"host\":\"h\",\"protocol\":\"ftp\"}"),
       violation("protocol: expected one of: grpc, grpcs, http, https, tcp, "
                 "tls, tls_passthrough, udp"),
       "protocol outside the list");
    is(post_msg("{\"host\":\"h\",\"protocol\":null}"),
       violation("protocol: required field missing"),
       "an explicit null protocol");
    svc = post("{\"host\":\"h\",\"tags\":[\"a\",\"b\"],\"enabled\":false}");
    is(gw_json_text(gw_json_get(svc, "tags"), pool), "[\"a\",\"b\"]",
       "tags kept");
    ok(svc && !json_object_get_boolean(gw_json_get(svc, "enabled")),
       "enabled false kept");
    is(post_msg("{\"host\":\"h\",\"tags\":[\"a,b\"]}"),
       violation("tags.1: invalid tag 'a,b': expected printable ascii "
                 "(except `,` and `/`) or valid utf-8 sequences"),
       "a tag with a comma");
}

static void test_url(void)
{
    static const struct {
        const char *url, *addr;
    } cases[] = {
        {"http://example.test:443", "http/example.test/443/null"},
        {"https://example2.test:80/", "https/example2.test/80//"},
        {"https://service.test/", "https/service.test/443//"},
        {"http://x.test", "http/x.test/80/null"},
        {"http://x.test/", "http/x.test/80//"},
        {"https://x.test", "https/x.test/443/null"},
        {"http://x.test:8080/a/b", "http/x.test/8080//a/b"},
        {"grpc://x.test:9000", "grpc/x.test/9000/null"},
        {"http://10.0.0.1:81/p", "http/10.0.0.1/81//p"},
    };
    apr_size_t i;
    json_object *svc;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        svc = post(apr_psprintf(pool, "{\"url\":\"%s\"}", cases[i].url));
        is(addr(svc), cases[i].addr, cases[i].url);
    }
    svc = post("{\"url\":\"http://x.test/\"}");
    ok(svc && !gw_json_has(svc, "url"), "url is write-only");
    is(post_msg("{\"url\":\"invalid url\"}"),
       "2 schema violations (host: required field missing; path: should "
       "start with: /)",
       "url \"invalid url\" (reference §2.1)");
    ok(*post_msg("{\"url\":\"\"}") != '\0', "url \"\" is refused");
    ok(*post_msg("{\"url\":\" \"}") != '\0', "url \" \" is refused");
    is(post_msg("{\"url\":5,\"host\":\"h\"}"),
       violation("url: expected a string"), "a url that is not a string");
}

static void test_name(void)
{
    json_object *in, *out;

    is(post_msg("{\"host\":\"h\",\"name\":\"my-svc_1.x~\"}"), "",
       "name with every accepted ASCII punctuation");
    is(post_msg("{\"host\":\"h\",\"name\":\"\xe5\x86\x86\"}"), "",
       "a UTF-8 name");
    is(post_msg("{\"host\":\"h\",\"name\":\"my service\"}"),
       violation("name: invalid value 'my service': the only accepted ascii "
                 "characters are alphanumerics or ., -, _, and ~"),
       "name with a space");
    is(post_msg("{\"host\":\"h\",\"name\":\"a/b\"}"),
       violation("name: invalid value 'a/b': the only accepted ascii "
                 "characters are alphanumerics or ., -, _, and ~"),
       "name with a slash");
    is(post_msg("{\"host\":\"h\",\"name\":\"\"}"),
       violation("name: length must be at least 1"), "empty name");
    /* the JSON parser refuses raw invalid UTF-8, so build the input */
    in = json("{\"host\":\"h\"}");
    json_object_object_add(in, "name", json_object_new_string("ab\xff"));
    is(run(&out, GW_OP_INSERT, in, NULL, apr_time_from_sec(T0)),
       violation("name: invalid utf-8 character sequence detected at "
                 "position 3"),
       "invalid UTF-8 in a name: 1-based byte position");
}

static void test_host(void)
{
    is(post_msg("{\"host\":\"example.com:80\"}"),
       violation("host: must not have a port"), "host with a port");
    is(post_msg("{\"host\":\"example.com:99999\"}"),
       violation("host: must not have a port"),
       "host with an invalid port number");
    is(post_msg("{\"host\":\"exa mple\"}"),
       violation("host: invalid value: exa mple"), "host with a space");
    is(post_msg("{\"host\":\"256.1.1.1\"}"),
       violation("host: invalid value: 256.1.1.1"), "bad IPv4 address");
    is(post_msg("{\"host\":\"10.0.0.1\"}"), "", "IPv4 host");
    is(post_msg("{\"host\":\"a..example.com\"}"),
       violation("host: invalid value: a..example.com"), "an empty label");
    is(post_msg("{\"host\":\"b\u00fccher.example\"}"),
       violation("host: invalid value: b\u00fccher.example"),
       "non-ASCII (Kong accepts punycode only)");
    is(post_msg("{\"host\":\"my-upstream\"}"), "",
       "a bare name (an upstream's) is a host");
    is(post_msg("{\"host\":\"\"}"),
       violation("host: length must be at least 1"), "empty host");
}

static void test_path(void)
{
    is(post_msg("{\"host\":\"h\",\"path\":\"/a/b~c-d._e\"}"), "",
       "a plain path");
    is(post_msg("{\"host\":\"h\",\"path\":\"/a%20b/%C3%A9\"}"), "",
       "valid %XX escapes");
    is(post_msg("{\"host\":\"h\",\"path\":\"/:@!$&'()*+,;=\"}"), "",
       "every RFC 3986 sub-delimiter");
    is(post_msg("{\"host\":\"h\",\"path\":\"a\"}"),
       violation("path: should start with: /"), "relative path");
    is(post_msg("{\"host\":\"h\",\"path\":\"/a//b\"}"),
       violation("path: must not have empty segments"), "//");
    is(post_msg("{\"host\":\"h\",\"path\":\"/a%zz\"}"),
       violation("path: invalid url-encoded value: '%zz'"), "bad %XX");
    is(post_msg("{\"host\":\"h\",\"path\":\"/a%41%2\"}"),
       violation("path: invalid url-encoded value: '%2'"),
       "truncated %X after a valid escape");
    is(post_msg("{\"host\":\"h\",\"path\":\"/a%\"}"),
       violation("path: invalid url-encoded value: '%'"), "lone %");
    is(post_msg("{\"host\":\"h\",\"path\":\"/a b\"}"),
       violation("path: invalid path: '/a b' (characters outside of the "
                 "reserved list of RFC 3986 found)"),
       "space in a path");
    is(post_msg("{\"host\":\"h\",\"path\":\"/a?b\"}"),
       violation("path: invalid path: '/a?b' (characters outside of the "
                 "reserved list of RFC 3986 found)"),
       "? in a path");
}

static void test_ranges(void)
{
    static const struct {
        const char *member, *msg;
    } bad[] = {
        {"\"port\":65536", "port: value should be between 0 and 65535"},
        {"\"port\":-1", "port: value should be between 0 and 65535"},
        {"\"port\":\"80\"", "port: expected an integer"},
        {"\"retries\":32768", "retries: value should be between 0 and 32767"},
        {"\"retries\":-1", "retries: value should be between 0 and 32767"},
        {"\"connect_timeout\":0",
         "connect_timeout: value should be between 1 and 2147483646"},
        {"\"write_timeout\":2147483647",
         "write_timeout: value should be between 1 and 2147483646"},
        {"\"read_timeout\":-5",
         "read_timeout: value should be between 1 and 2147483646"},
        {"\"read_timeout\":1.5", "read_timeout: expected an integer"},
        {"\"protocol\":\"https\",\"tls_verify_depth\":65",
         "tls_verify_depth: value should be between 0 and 64"},
    };
    apr_size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        is(post_msg(apr_psprintf(pool, "{\"host\":\"h\",%s}", bad[i].member)),
           violation(bad[i].msg), bad[i].member);
    }
    is(post_msg("{\"host\":\"h\",\"port\":0,\"retries\":0,"
                "\"connect_timeout\":1,\"write_timeout\":2147483646,"
                "\"read_timeout\":1}"),
       "", "range bounds are inclusive");
    is(post_msg("{\"host\":\"h\",\"port\":65535,\"retries\":32767}"), "",
       "upper bounds");
}

static void test_protocol_conditions(void)
{
    is(post_msg("{\"host\":\"h\",\"protocol\":\"tcp\",\"path\":\"/x\"}"),
       "2 schema violations (failed conditional validation given value of "
       "field 'protocol'; path: value must be null)",
       "tcp with a path");
    is(post_msg("{\"host\":\"h\",\"protocol\":\"grpc\",\"path\":\"/x\"}"),
       "2 schema violations (failed conditional validation given value of "
       "field 'protocol'; path: value must be null)",
       "grpc with a path");
    is(post_msg("{\"host\":\"h\",\"protocol\":\"tcp\"}"), "",
       "tcp without a path");
    is(post_msg("{\"host\":\"h\",\"protocol\":\"http\",\"tls_verify\":true}"),
       "2 schema violations (failed conditional validation given value of "
       "field 'protocol'; tls_verify: value must be null)",
       "tls_verify on http");
    is(post_msg("{\"host\":\"h\",\"tls_verify\":false}"),
       "2 schema violations (failed conditional validation given value of "
       "field 'protocol'; tls_verify: value must be null)",
       "tls_verify false on the default protocol");
    is(post_msg("{\"host\":\"h\",\"tls_verify_depth\":2,\"ca_certificates\":"
                "[\"" SVC_ID "\"]}"),
       "3 schema violations (failed conditional validation given value of "
       "field 'protocol'; ca_certificates: value must be null; "
       "tls_verify_depth: value must be null)",
       "several https-only fields on http: one @entity entry");
    is(post_msg("{\"host\":\"h\",\"protocol\":\"https\",\"tls_verify\":true,"
                "\"tls_verify_depth\":2,\"ca_certificates\":[\"" SVC_ID "\"]}"),
       "", "https-only fields on https");
    is(post_msg("{\"host\":\"h\",\"protocol\":\"tls\",\"tls_verify\":true}"),
       "", "tls_verify on tls");
    is(post_msg("{\"host\":\"h\",\"protocol\":\"https\",\"ca_certificates\":"
                "[\"x\"]}"),
       violation("ca_certificates.1: expected a valid UUID"),
       "ca_certificates elements are UUIDs");
}

static void test_patch(void)
{
    json_object *base, *out = NULL, *in;
    const char *msg;

    base = post("{\"host\":\"h\",\"name\":\"svc\",\"port\":8080,\"tags\":["
                "\"a\"]}");
    msg = run(&out, GW_OP_UPDATE, json("{\"retries\":2,\"tags\":[\"b\"]}"),
              base, apr_time_from_sec(T1));
    is(msg, "", "PATCH accepted");
    is(gw_json_str(out, "id"), gw_json_str(base, "id"), "PATCH keeps the id");
    is_int(json_object_get_int64(gw_json_get(out, "created_at")), T0,
           "PATCH keeps created_at");
    is_int(json_object_get_int64(gw_json_get(out, "updated_at")), T1,
           "PATCH bumps updated_at");
    ok(json_object_get_int(gw_json_get(out, "retries")) == 2
           && json_object_get_int(gw_json_get(out, "port")) == 8080
           && strcmp(gw_json_str(out, "name"), "svc") == 0,
       "PATCH changes only the given fields");
    is(gw_json_text(gw_json_get(out, "tags"), pool), "[\"b\"]",
       "PATCH replaces arrays");
    in = json("{\"created_at\":1,\"name\":null}");
    msg = run(&out, GW_OP_UPDATE, in, base, apr_time_from_sec(T1));
    is_int(json_object_get_int64(gw_json_get(out, "created_at")), T0,
           "PATCH cannot move created_at");
    ok(!*msg && gw_json_has(out, "name") && !gw_json_get(out, "name"),
       "PATCH with null clears a field");
    msg = run(&out, GW_OP_UPDATE, json("{\"url\":\"https://other.test/x\"}"),
              base, apr_time_from_sec(T1));
    is(addr(out), "https/other.test/443//x", "PATCH with the url shorthand");
    is(msg, "", "PATCH url accepted");
    msg = run(&out, GW_OP_UPDATE, json("{\"path\":\"x\"}"), base,
              apr_time_from_sec(T1));
    is(msg, violation("path: should start with: /"),
       "PATCH validates the merged entity");
    msg = run(&out, GW_OP_UPDATE, json("{\"protocol\":\"tcp\",\"path\":null}"),
              post("{\"host\":\"h\",\"path\":\"/p\"}"), apr_time_from_sec(T1));
    is(msg, "", "PATCH to tcp clearing the path");
    is(gw_json_str(base, "name"), "svc", "the existing entity is not changed");
}

static void test_put(void)
{
    json_object *base, *out = NULL;
    const char *msg;

    base =
        post("{\"id\":\"" SVC_ID "\",\"host\":\"h\",\"name\":\"svc\","
             "\"port\":8080,\"retries\":3,\"path\":\"/p\",\"tags\":[\"a\"]}");
    msg = run(&out, GW_OP_UPSERT,
              json("{\"id\":\"" SVC_ID "\",\"host\":\"h2\",\"name\":\"svc\"}"),
              base, apr_time_from_sec(T1));
    is(msg, "", "PUT accepted");
    ok(json_object_get_int(gw_json_get(out, "port")) == 80
           && json_object_get_int(gw_json_get(out, "retries")) == 5,
       "PUT resets absent fields to their defaults");
    ok(gw_json_has(out, "path") && !gw_json_get(out, "path")
           && gw_json_has(out, "tags") && !gw_json_get(out, "tags"),
       "PUT resets absent optional fields to null");
    is(gw_json_str(out, "host"), "h2", "PUT takes the given fields");
    is(gw_json_str(out, "id"), SVC_ID, "PUT keeps the id it is given");
    is_int(json_object_get_int64(gw_json_get(out, "created_at")), T1,
           "PUT regenerates created_at (reference §1.4)");
    is_int(json_object_get_int64(gw_json_get(out, "updated_at")), T1,
           "PUT sets updated_at");
    msg = run(&out, GW_OP_UPSERT,
              json("{\"id\":\"" SVC_ID "\",\"host\":\"h\",\"created_at\":5}"),
              base, apr_time_from_sec(T1));
    is_int(json_object_get_int64(gw_json_get(out, "created_at")), 5,
           "PUT keeps a created_at the client supplies");
    msg = run(&out, GW_OP_UPSERT, json("{\"name\":\"svc\"}"), base,
              apr_time_from_sec(T1));
    is(msg, violation("host: required field missing"),
       "PUT without a host fails: nothing is merged");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    plan(TESTS);
    test_defaults();
    test_url();
    test_name();
    test_host();
    test_path();
    test_ranges();
    test_protocol_conditions();
    test_patch();
    test_put();
    apr_pool_destroy(pool);
    apr_terminate();
    return exit_status();
}
