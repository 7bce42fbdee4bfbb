/*
 * test_declarative: Kong declarative configuration to the flat
 * configuration and back: nesting and top-level references, Kong's
 * deterministic ids, code-14 errors (all at once, Kong's message and
 * fields), flattened errors, 1.1 path migration, export identity and the
 * configuration hash.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_time.h>

#include "gw_declarative.h"
#include "gw_json.h"
#include "tap.h"
#include "entity_fixture.h"

#define T0 1700000000

/*
 * Ids pinned by hand from Kong 3.x's declarative_config.lua
 * (generate_ids / get_key_for_uuid_gen / build_cache_key):
 *   namespace(E) = uuid5(fd02801f-0957-4a15-a55a-c8d9606f30b5, "<E>")
 *   entities with a cache key:   uuid5(namespace(E), "<E>:*:<v1>:<v2>..."),
 *     where a nested entry's implied foreign key is its parent's id and a
 *     top-level reference is the string as written (the name)
 *   others, by unique endpoint key: uuid5(namespace(E), "<key>")
 * computed independently with Python's uuid.uuid5:
 *   uuid5(uuid5(NS, "services"), "example")
 *   uuid5(uuid5(NS, "routes"), "r1")
 *   uuid5(uuid5(NS, "consumers"), "alice")
 *   uuid5(uuid5(NS, "upstreams"), "up1")
 *   uuid5(uuid5(NS, "targets"), "targets:*:<up1 id>:10.0.0.1:80")
 *   uuid5(uuid5(NS, "targets"), "targets:*:up1:10.0.0.1:80")
 */
#define SVC_EXAMPLE "89dd9e9d-3f98-5e11-ab72-c90b6c2d30a2"
#define ROUTE_R1 "4726a05a-d550-537e-9fc3-a07c7a1188c7"
#define CONSUMER_ALICE "b32379d9-3d28-5683-a79c-72139be6e34f"
#define UPSTREAM_UP1 "85b92587-e1f9-522f-9495-6e2d3b1f379e"
#define TARGET_NESTED "5b87a0b8-0097-5332-95ad-aff4b440f7bf"
#define TARGET_BY_NAME "7e903ede-9314-5410-a1f8-4653239f7f3c"
/* uuid5(uuid5(NS, "targets"), "targets:*:up9:a.test") */
#define TARGET_UP9 "13de9bc4-0c2b-5910-bee5-b1c6e1040119"
#define ROUTE_X "11111111-2222-4333-8444-555555555555"

static const char *nested_yaml = "_format_version: \"3.0\"\n"
                                 "_comment: one of everything\n"
                                 "services:\n"
                                 "- name: example\n"
                                 "  url: http://example.test:8080/api\n"
                                 "  routes:\n"
                                 "  - name: r1\n"
                                 "    paths: [/x]\n"
                                 "consumers:\n"
                                 "- username: alice\n"
                                 "upstreams:\n"
                                 "- name: up1\n"
                                 "  targets:\n"
                                 "  - target: 10.0.0.1:80\n"
                                 "    weight: 50\n";

static const char *flat_yaml = "_format_version: \"3.0\"\n"
                               "routes:\n"
                               "- name: r1\n"
                               "  paths: [/x]\n"
                               "  service: example\n"
                               "services:\n"
                               "- name: example\n"
                               "  protocol: http\n"
                               "  host: example.test\n"
                               "  port: 8080\n"
                               "  path: /api\n"
                               "upstreams:\n"
                               "- name: up1\n"
                               "  targets:\n"
                               "  - target: 10.0.0.1:80\n"
                               "    weight: 50\n"
                               "consumers: [{username: alice}]\n";

static gw_declarative_t *parse_opts(const char *text,
                                    const gw_declarative_opts_t *opts)
{
    gw_declarative_t *d = NULL;

    gw_declarative_parse(&d, pool, text, strlen(text), opts);
    return d;
}

static gw_declarative_t *parse(const char *text)
{
    gw_declarative_opts_t opts = {0};

    opts.now = apr_time_from_sec(T0);
    return parse_opts(text, &opts);
}

/* The flat configuration as JSON, or the error message. */
static const char *flat(const char *text)
{
    gw_declarative_t *d = parse(text);

    if (!d->config) {
        return apr_pstrcat(pool, "ERROR ", d->error->message, NULL);
    }
    return gw_json_text(d->config, pool);
}

static json_object *entity(gw_declarative_t *d, const char *type, int i)
{
    return d->config ? json_object_array_get_idx(gw_json_get(d->config, type),
                                                 (size_t)i)
                     : NULL;
}

static const char *fk(json_object *ent, const char *field)
{
    return gw_json_str(gw_json_get(ent, field), "id");
}

static void test_nested(void)
{
    gw_declarative_t *d = parse(nested_yaml);
    json_object *svc = entity(d, "services", 0);
    json_object *route = entity(d, "routes", 0);
    json_object *target = entity(d, "targets", 0);

    ok(d->config != NULL, "a nested configuration parses");
    if (!d->config) {
        diag(d->error->message);
        return;
    }
    is(gw_json_str(d->config, "_format_version"), "3.0", "format version");
    is(gw_json_str(svc, "id"), SVC_EXAMPLE, "service id as Kong computes it");
    is(gw_json_str(svc, "host"), "example.test", "url shorthand applied");
    is_int(json_object_get_int(gw_json_get(svc, "retries")), 5,
           "service defaults filled");
    is_int(json_object_get_int64(gw_json_get(svc, "created_at")), T0,
           "timestamps from the time given");
    is(gw_json_str(route, "id"), ROUTE_R1, "route id");
    is(fk(route, "service"), SVC_EXAMPLE, "nested route points at its service");
    ok(gw_json_get(route, "routes") == NULL && !gw_json_has(svc, "routes"),
       "nested lists are not fields");
    is(gw_json_str(entity(d, "consumers", 0), "id"), CONSUMER_ALICE,
       "consumer id");
    is(gw_json_str(entity(d, "upstreams", 0), "id"), UPSTREAM_UP1,
       "upstream id");
    is(gw_json_str(target, "id"), TARGET_NESTED,
       "target id from its cache key (upstream id, target as written)");
    is(fk(target, "upstream"), UPSTREAM_UP1, "target points at its upstream");
    is(gw_json_str(target, "target"), "10.0.0.1:80", "target kept");
    is(gw_json_text(d->config, pool), flat(nested_yaml),
       "the same file gives the same configuration, ids included");
    ok(d->hash && strlen(d->hash) == 32, "the parse gives a hash");
}

static void test_top_level(void)
{
    gw_declarative_t *d = parse(flat_yaml);
    const char *by_id;

    is(flat(flat_yaml), flat(nested_yaml),
       "top-level references give the same flat configuration as nesting");
    by_id = apr_psprintf(pool,
                         "_format_version: \"3.0\"\n"
                         "services: [{id: %s, name: example, host: h}]\n"
                         "routes:\n"
                         "- {name: a, paths: [/a], service: %s}\n"
                         "- {name: b, paths: [/b], service: {id: %s}}\n",
                         SVC_EXAMPLE, SVC_EXAMPLE, SVC_EXAMPLE);
    d = parse(by_id);
    ok(d->config != NULL, "references by id, plain or as {id: ...}");
    is(fk(entity(d, "routes", 0), "service"), SVC_EXAMPLE, "first one");
    is(fk(entity(d, "routes", 1), "service"), SVC_EXAMPLE, "second one");
    d = parse("_format_version: \"3.0\"\n"
              "upstreams: [{name: up1}]\n"
              "targets: [{target: 10.0.0.1:80, upstream: up1}]\n");
    ok(gw_json_get(gw_json_get(d->config, "targets"), "targets") == NULL,
       "targets may be written at the top level");
    is(gw_json_str(entity(d, "targets", 0), "id"), TARGET_BY_NAME,
       "then their cache key holds the upstream's name as written");
    d = parse("_format_version: \"3.0\"\n"
              "consumers: [{custom_id: c1}]\n");
    ok(d->config && gw_json_str(entity(d, "consumers", 0), "id")[14] == '4',
       "an entity without key gets a random id, as in Kong");
    d = parse("_format_version: \"3.0\"\n"
              "services:\n"
              "- name: s1\n  host: h1\n"
              "- name: s2\n  host: h2\n  routes:\n"
              "  - {name: r, paths: [/], service: s1}\n");
    /* uuid5(uuid5(NS, "services"), "s2") */
    is(fk(entity(d, "routes", 0), "service"),
       "07efe4f4-526b-578c-9eb0-a49a8604a3e7",
       "a nested entry's written parent reference is checked, then the "
       "parent wins");
}

/* The code-14 error of text as "message | fields". */
static const char *errors(const char *text)
{
    gw_declarative_t *d = parse(text);

    if (d->config) {
        return "(accepted)";
    }
    if (d->error->code != GW_ERR_DECLARATIVE_CONFIG
        || d->error->status != 400) {
        return apr_psprintf(pool, "code %d status %d", d->error->code,
                            d->error->status);
    }
    return apr_pstrcat(pool, d->error->message, " | ",
                       gw_json_text(d->error->fields, pool), NULL);
}

static const char *with_body(const char *message, const char *fields)
{
    return apr_pstrcat(pool, message, " | ", fields, NULL);
}

static void test_errors(void)
{
    is(errors("_format_version: \"3.0\"\n"
              "foo: 1\n"
              "services:\n"
              "- name: a\n"
              "- name: b\n"
              "  host: example.com\n"
              "  port: 99999\n"
              "  routes:\n"
              "  - name: r\n"
              "    paths: [/ok, x]\n"
              "- 7\n"
              "consumers:\n"
              "- {}\n"),
       with_body(
           "declarative config is invalid: {consumers={{[\"@entity\"]={"
           "\"at least one of these fields must be non-empty: "
           "'custom_id', 'username'\"}}},foo=\"unknown field\","
           "services={{host=\"required field missing\"},{port=\"value "
           "should be between 0 and 65535\",routes={{paths={[2]=\"should "
           "start with: / (fixed path) or ~/ (regex path)\"}}}},"
           "\"expected a record\"}}",
           "{\"consumers\":[{\"@entity\":[\"at least one of these fields must "
           "be non-empty: 'custom_id', 'username'\"]}],\"foo\":\"unknown "
           "field\",\"services\":[{\"host\":\"required field missing\"},"
           "{\"port\":\"value should be between 0 and 65535\",\"routes\":"
           "[{\"paths\":[null,\"should start with: / (fixed path) or ~/ "
           "(regex path)\"]}]},\"expected a record\"]}"),
       "every schema error at once, in Kong's shape");
    is(errors("services: [{host: h}]\n"),
       with_body("declarative config is invalid: {_format_version="
                 "\"required field missing\"}",
                 "{\"_format_version\":\"required field missing\"}"),
       "missing _format_version");
    is(errors("_format_version: \"4.0\"\n"),
       with_body("declarative config is invalid: {_format_version="
                 "\"expected one of: 1.1, 2.1, 3.0\"}",
                 "{\"_format_version\":\"expected one of: 1.1, 2.1, 3.0\"}"),
       "unknown _format_version");
    is(errors("_format_version: 3.0\n"),
       with_body("declarative config is invalid: {_format_version="
                 "\"expected a string\"}",
                 "{\"_format_version\":\"expected a string\"}"),
       "an unquoted version is a number, refused as Kong does");
    is(errors("_format_version: \"3.0\"\nservices: {a: 1}\n"),
       with_body("declarative config is invalid: {services="
                 "\"expected an array\"}",
                 "{\"services\":\"expected an array\"}"),
       "an entity list that is not a list");
}

static void test_references(void)
{
    is(errors("_format_version: \"3.0\"\n"
              "routes:\n"
              "- {name: r1, paths: [/], service: nope}\n"
              "- {id: " ROUTE_X ", paths: [/b], service: {id: " SVC_EXAMPLE
              "}}\n"
              "upstreams: [{name: up1}]\n"
              "targets: [{target: a.test, upstream: up9}]\n"),
       with_body(
           "declarative config is invalid: {routes={[\"" ROUTE_X
           "\"]={\"invalid reference 'service: {\\\"id\\\":\\\"" SVC_EXAMPLE
           "\\\"}' (no such entry in 'services')\"},r1={\"invalid "
           "reference 'service: nope' (no such entry in 'services')\"}},"
           "targets={[\"" TARGET_UP9 "\"]={\"invalid reference "
           "'upstream: up9' (no such entry in 'upstreams')\"}}}",
           "{\"routes\":{\"" ROUTE_X "\":[\"invalid reference "
           "'service: {\\\"id\\\":\\\"" SVC_EXAMPLE "\\\"}' (no such "
           "entry in 'services')\"],\"r1\":[\"invalid reference "
           "'service: nope' (no such entry in 'services')\"]},"
           "\"targets\":{\"" TARGET_UP9 "\":[\"invalid reference "
           "'upstream: up9' (no such entry in 'upstreams')\"]}}"),
       "dangling references, keyed by endpoint key or id");
    is(errors("_format_version: \"3.0\"\n"
              "services:\n"
              "- {name: a, host: h}\n"
              "- {name: a, host: h}\n"
              "- {id: " SVC_EXAMPLE ", host: h}\n"
              "- {id: " SVC_EXAMPLE ", host: h}\n"),
       with_body("declarative config is invalid: {services={[2]=\""
                 "uniqueness violation: 'services' entity with name set to "
                 "'a' already declared\",[4]=\"uniqueness violation: "
                 "'services' entity with primary key set to "
                 "'" SVC_EXAMPLE "' already declared\"}}",
                 "{\"services\":[null,\"uniqueness violation: 'services' "
                 "entity with name set to 'a' already declared\",null,"
                 "\"uniqueness violation: 'services' entity with primary key "
                 "set to '" SVC_EXAMPLE "' already declared\"]}"),
       "duplicate names and ids");
    is(errors("_format_version: \"3.0\"\n"
              "consumers: [{username: a, custom_id: x}, {username: b, "
              "custom_id: x}]\n"),
       with_body("declarative config is invalid: {consumers={b=\""
                 "uniqueness violation: 'consumers' entity with custom_id "
                 "set to 'x' already declared\"}}",
                 "{\"consumers\":{\"b\":\"uniqueness violation: 'consumers' "
                 "entity with custom_id set to 'x' already declared\"}}"),
       "other unique fields");
    is(errors("_format_version: \"3.0\"\n"
              "services: [{name: s, host: h}]\n"
              "routes: [{paths: [/], service: {name: s}}]\n"),
       with_body("declarative config is invalid: {routes={{service={id="
                 "\"missing primary key\"}}}}",
                 "{\"routes\":[{\"service\":{\"id\":\"missing primary "
                 "key\"}}]}"),
       "a reference by {name: ...} is refused, as in Kong");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_nested();
    test_top_level();
    test_errors();
    test_references();
    apr_pool_destroy(pool);
    apr_terminate();
    return exit_status();
}
