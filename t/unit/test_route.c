/*
 * test_route: the Route entity through the write pipeline
 * (gw_entity_prepare with gw_entity_routes): defaults, the per-protocol
 * entity checks of reference §2.2 with their exact messages, and the
 * element rules for paths, hosts, headers, methods and snis.
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

#define TESTS 59

#define T0 1700000000
#define SVC_ID "6ba7b810-9dad-11d1-80b4-00c04fd430c8"

/* POSTs input; *out gets the route. Returns "" on success, else the
 * message of the code-2 error (or a description of anything else). */
static const char *run(json_object **out, const char *input)
{
    gw_error_t *err = NULL;
    apr_status_t rv;

    *out = NULL;
    rv = gw_entity_prepare(out, &err, &gw_entity_routes, GW_OP_INSERT,
                           json(input), NULL, apr_time_from_sec(T0), pool);
    if (rv == APR_SUCCESS) {
        return (*out && !err) ? "" : "success without an entity";
    }
    if (rv != APR_EINVAL || *out || !err
        || err->code != GW_ERR_SCHEMA_VIOLATION) {
        return apr_psprintf(pool, "unexpected failure %d", rv);
    }
    return err->message;
}

static const char *post_msg(const char *input)
{
    json_object *out;

    return run(&out, input);
}

static json_object *post(const char *input)
{
    json_object *out;
    const char *msg = run(&out, input);

    if (*msg) {
        diag(apr_psprintf(pool, "POST %s failed: %s", input, msg));
    }
    return out;
}

static const char *violation(const char *entry)
{
    return apr_pstrcat(pool, "schema violation (", entry, ")", NULL);
}

static int starts_with(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

static void test_defaults(void)
{
    json_object *r = post("{\"paths\":[\"/\"]}");
    json_object *rest;

    ok(r && gw_uuid_valid(gw_json_str(r, "id")), "a route gets an id");
    rest = gw_json_copy(r, pool);
    json_object_object_del(rest, "id");
    is(r ? gw_json_text(rest, pool) : NULL,
       "{\"created_at\":1700000000,\"updated_at\":1700000000,\"name\":null,"
       "\"protocols\":[\"http\",\"https\"],\"methods\":null,\"hosts\":null,"
       "\"paths\":[\"/\"],\"headers\":null,"
       "\"https_redirect_status_code\":426,\"regex_priority\":0,"
       "\"strip_path\":true,\"path_handling\":\"v0\","
       "\"preserve_host\":false,\"request_buffering\":true,"
       "\"response_buffering\":true,\"snis\":null,\"sources\":null,"
       "\"destinations\":null,\"tags\":null,\"service\":null}",
       "every default of a fresh route, in schema order");
    r = post("{\"hosts\":[\"a.test\"],\"service\":{\"id\":\"" SVC_ID "\"}}");
    is(gw_json_text(gw_json_get(r, "service"), pool), "{\"id\":\"" SVC_ID "\"}",
       "a service reference is kept");
    is(post_msg("{\"paths\":[\"/\"],\"service\":{}}"),
       violation("service.id: missing primary key"),
       "a service reference without id");
    is(post_msg("{\"paths\":[\"/\"],\"https_redirect_status_code\":200}"),
       violation("https_redirect_status_code: expected one of: 426, 301, "
                 "302, 307, 308"),
       "redirect code outside the list");
    is(post_msg("{\"paths\":[\"/\"],\"https_redirect_status_code\":308}"), "",
       "redirect code 308");
    is(post_msg("{\"paths\":[\"/\"],\"path_handling\":\"v2\"}"),
       violation("path_handling: expected one of: v0, v1"), "path_handling");
    is(post_msg("{\"paths\":[\"/\"],\"name\":\"a b\"}"),
       violation("name: invalid value 'a b': the only accepted ascii "
                 "characters are alphanumerics or ., -, _, and ~"),
       "route names follow the service name charset");
}

static void test_grpc_strip_path(void)
{
    json_object *r = post("{\"protocols\":[\"grpc\"],\"paths\":[\"/\"]}");

    ok(r && !json_object_get_boolean(gw_json_get(r, "strip_path")),
       "grpc defaults strip_path to false");
    r = post("{\"protocols\":[\"grpcs\"],\"hosts\":[\"a.test\"]}");
    ok(r && !json_object_get_boolean(gw_json_get(r, "strip_path")),
       "grpcs defaults strip_path to false");
    r = post("{\"protocols\":[\"grpc\"],\"paths\":[\"/\"],"
             "\"strip_path\":false}");
    ok(r != NULL, "grpc with an explicit strip_path false");
    is(post_msg("{\"protocols\":[\"grpc\"],\"paths\":[\"/\"],"
                "\"strip_path\":true}"),
       violation("strip_path: cannot set 'strip_path' when 'protocols' is "
                 "'grpc' or 'grpcs'"),
       "grpc with strip_path true");
    is(post_msg("{\"protocols\":[\"grpc\"],\"paths\":[\"/\"],"
                "\"methods\":[\"GET\"]}"),
       violation("methods: cannot set 'methods' when 'protocols' is 'grpc' "
                 "or 'grpcs'"),
       "grpc with methods");
}

static void test_protocol_checks(void)
{
    const char *msg;

    is(post_msg("{}"),
       violation("must set one of 'methods', 'hosts', 'headers', 'paths', "
                 "'snis' when 'protocols' is 'https'"),
       "an empty POST (default protocols include https)");
    is(post_msg("{\"protocols\":[\"http\"]}"),
       violation("must set one of 'methods', 'hosts', 'headers', 'paths' "
                 "when 'protocols' is 'http'"),
       "http only, nothing to match on");
    is(post_msg("{\"protocols\":[\"http\"],\"paths\":[]}"),
       violation("must set one of 'methods', 'hosts', 'headers', 'paths' "
                 "when 'protocols' is 'http'"),
       "an empty array does not count");
    is(post_msg("{\"protocols\":[\"https\"],\"snis\":[\"a.test\"]}"), "",
       "https with only snis");
    is(post_msg("{\"methods\":[\"GET\"]}"), "", "methods alone are enough");
    is(post_msg("{\"headers\":{\"x-v\":[\"1\"]}}"), "",
       "headers alone are enough");
    is(post_msg("{\"protocols\":[\"http\"],\"paths\":[\"/\"],"
                "\"snis\":[\"a.test\"]}"),
       "2 schema violations ('snis' can only be set when 'protocols' is "
       "'grpcs', 'https', 'tls' or 'tls_passthrough'; snis: length must be "
       "0)",
       "snis with http only");
    is(post_msg("{\"paths\":[\"/\"],\"sources\":[{\"ip\":\"10.0.0.1\"}]}"),
       violation("sources: cannot set 'sources' when 'protocols' is 'http' "
                 "or 'https'"),
       "sources on http(s)");
    is(post_msg("{\"paths\":[\"/\"],\"destinations\":[{\"port\":80}]}"),
       violation("destinations: cannot set 'destinations' when 'protocols' "
                 "is 'http' or 'https'"),
       "destinations on http(s)");
    is(post_msg("{\"protocols\":[\"http\",\"tcp\"],\"paths\":[\"/\"]}"),
       violation("protocols: these sets are mutually exclusive: ('http', "
                 "'https'), ('tcp', 'tls', 'udp')"),
       "http and tcp in one route");
    ok(starts_with(post_msg("{\"protocols\":[\"grpc\",\"https\"],"
                            "\"paths\":[\"/\"]}"),
                   "schema violation (protocols: these sets are mutually "
                   "exclusive: "),
       "grpc and https in one route");
    is(post_msg("{\"protocols\":[\"tls\",\"tcp\",\"udp\"],"
                "\"sources\":[{\"ip\":\"10.0.0.1\"}]}"),
       "", "tcp, tls and udp mix");
    is(post_msg("{\"protocols\":[],\"paths\":[\"/\"]}"),
       violation("protocols: length must be at least 1"), "no protocols");
    is(post_msg("{\"protocols\":[\"ftp\"],\"paths\":[\"/\"]}"),
       violation("protocols.1: expected one of: grpc, grpcs, http, https, "
                 "tcp, tls, tls_passthrough, udp"),
       "unknown protocol (reference's protocols.1 example)");
    is(post_msg("{\"protocols\":[\"tcp\"]}"),
       violation("must set one of 'sources', 'destinations', 'snis' when "
                 "'protocols' is 'tcp', 'tls' or 'udp'"),
       "tcp with nothing to match on");
    is(post_msg("{\"protocols\":[\"tcp\"],\"sources\":[{\"ip\":\"10.0.0.1\"}],"
                "\"methods\":[\"GET\"]}"),
       violation(
           "methods: cannot set 'methods' when 'protocols' is 'tcp', 'tls', "
           "'tls_passthrough' or 'udp'"),
       "methods on tcp");
    is(post_msg("{\"protocols\":[\"tcp\"],\"destinations\":[{\"ip\":"
                "\"10.0.0.0/8\"}]}"),
       "", "tcp with a CIDR destination");
    msg = post_msg("{\"protocols\":[\"tcp\"],\"sources\":[{}]}");
    ok(starts_with(msg, "schema violation (sources.1: ")
           && strstr(msg, "at least one of these fields must be non-empty: "
                          "'ip', 'port'"),
       "an endpoint needs ip or port");
    is(post_msg("{\"protocols\":[\"tls_passthrough\"]}"),
       violation("must set snis when 'protocols' is 'tls_passthrough'"),
       "tls_passthrough without snis");
    is(post_msg("{\"protocols\":[\"tls_passthrough\"],\"snis\":[\"a.test\"]}"),
       "", "tls_passthrough with snis");
}

static void test_paths(void)
{
    const char *msg;

    is(post_msg("{\"paths\":[\"/a\",\"~/api/v\\\\d+$\"]}"), "",
       "a prefix and a regex path");
    is(post_msg("{\"paths\":[\"foo\"]}"),
       violation("paths.1: should start with: / (fixed path) or ~/ (regex "
                 "path)"),
       "a path without /");
    is(post_msg("{\"paths\":[\"/\",\"~foo\"]}"),
       violation("paths.2: should start with: / (fixed path) or ~/ (regex "
                 "path)"),
       "a regex path without /");
    is(post_msg("{\"paths\":[\"/a//b\"]}"),
       violation("paths.1: must not have empty segments"), "//");
    is(post_msg("{\"paths\":[\"~/a//b\"]}"),
       violation("paths.1: must not have empty segments"), "// in a regex");
    msg = post_msg("{\"paths\":[\"~/a(\"]}");
    ok(starts_with(msg, "schema violation (paths.1: invalid regex: '/a(' "
                        "(PCRE returned: "),
       "a regex that does not compile");
    if (!starts_with(msg, "schema violation (paths.1: invalid regex: '")) {
        diag(apr_psprintf(pool, "got: %s", msg));
    }
    is(post_msg("{\"paths\":[\"/a%zz\"]}"),
       violation("paths.1: invalid url-encoded value: '%zz'"),
       "bad %XX in a prefix path");
    is(post_msg("{\"paths\":[\"/a/./b\"]}"),
       violation("paths.1: non-normalized path, consider use '/a/b' instead"),
       "a dot segment (reference §2.2: prefix paths must be normalized)");
    is(post_msg("{\"paths\":[\"/x/../y\"]}"),
       violation("paths.1: non-normalized path, consider use '/y' instead"),
       "a dot-dot segment");
    is(post_msg("{\"paths\":[\"/a\",1]}"),
       violation("paths.2: expected a string"), "a path that is not a string");
}

static void test_hosts(void)
{
    is(post_msg("{\"hosts\":[\"*.example.com\",\"example.*\","
                "\"a.test:8080\",\"10.0.0.1\"]}"),
       "", "wildcards, a port and an address");
    is(post_msg("{\"hosts\":[\"*.*.com\"]}"),
       violation("hosts.1: invalid wildcard: must have at most one wildcard"),
       "two wildcards");
    is(post_msg("{\"hosts\":[\"a.*.com\"]}"),
       violation("hosts.1: invalid wildcard: must be placed at leftmost or "
                 "rightmost label"),
       "a wildcard in the middle");
    is(post_msg("{\"hosts\":[\"ok.test\",\"*example.com\"]}"),
       violation("hosts.2: invalid wildcard: must be placed at leftmost or "
                 "rightmost label"),
       "a wildcard that is not a whole label");
    is(post_msg("{\"hosts\":[\"exa mple.com\"]}"),
       violation("hosts.1: invalid value: exa mple.com"), "a space in a host");
    is(post_msg("{\"hosts\":[\"a.test:99999\"]}"),
       violation("hosts.1: invalid value: a.test:99999"), "a bad port");
}

static void test_headers_methods_snis(void)
{
    is(post_msg("{\"headers\":{\"host\":[\"a.test\"]}}"),
       violation("headers: cannot contain 'host' header, which must be "
                 "specified in the 'hosts' attribute"),
       "a header named host");
    is(post_msg("{\"headers\":{\"Host\":[\"a.test\"]}}"),
       violation("headers: cannot contain 'host' header, which must be "
                 "specified in the 'hosts' attribute"),
       "a header named Host");
    is(post_msg("{\"headers\":{\"x-version\":[\"v1\",\"~*v[0-9]\"]}}"), "",
       "a header with values");
    is(post_msg("{\"headers\":{\"x\":\"v\"}}"),
       violation("headers: expected an array"),
       "header values must be an array");
    is(post_msg("{\"methods\":[\"GET\",\"PURGE\"]}"), "",
       "upper-case methods, custom ones too");
    is(post_msg("{\"methods\":[\"get\"]}"),
       violation("methods.1: invalid value: get"), "a lower-case method");
    is(post_msg("{\"methods\":[\"GET\",\"Post\"]}"),
       violation("methods.2: invalid value: Post"), "a mixed-case method");
    is(post_msg("{\"snis\":[\"a.test\",\"*.b.test\"]}"), "",
       "snis, a wildcard among them");
    is(post_msg("{\"snis\":[\"10.0.0.1\"]}"),
       violation("snis.1: invalid value: 10.0.0.1"),
       "an IP address is not an SNI");
    is(post_msg("{\"snis\":[\"a.test:443\"]}"),
       violation("snis.1: invalid value: a.test:443"), "an SNI has no port");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    plan(TESTS);
    test_defaults();
    test_grpc_strip_path();
    test_protocol_checks();
    test_paths();
    test_hosts();
    test_headers_methods_snis();
    apr_pool_destroy(pool);
    apr_terminate();
    return exit_status();
}
