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

static void test_flattened(void)
{
    gw_declarative_opts_t opts = {0};
    gw_declarative_t *d;
    json_object *body, *list, *first;

    opts.flatten_errors = 1;
    d = parse_opts("_format_version: \"3.0\"\n"
                   "services:\n"
                   "- name: a\n"
                   "  tags: [t1]\n"
                   "  routes:\n"
                   "  - {name: r, paths: [x]}\n",
                   &opts);
    body = d->config ? NULL : gw_declarative_error_json(d, pool);
    list = gw_json_get(body, "flattened_errors");
    first = json_object_array_get_idx(list, 0);
    is(gw_json_str(body, "message"), "declarative config is invalid: {}",
       "flattened: message and fields keep what could not be flattened");
    is_int(json_object_array_length(list), 2, "one entry per entity");
    is(gw_json_text(first, pool),
       "{\"entity_name\":\"r\",\"entity_type\":\"route\",\"entity\":{"
       "\"name\":\"r\",\"paths\":[\"x\"]},\"errors\":[{\"type\":\"field\","
       "\"field\":\"paths.1\",\"message\":\"should start with: / (fixed "
       "path) or ~/ (regex path)\"}]}",
       "a nested entity is hoisted, with its dotted field path");
    is(gw_json_text(json_object_array_get_idx(list, 1), pool),
       "{\"entity_name\":\"a\",\"entity_tags\":[\"t1\"],\"entity_type\":"
       "\"service\",\"entity\":{\"name\":\"a\",\"tags\":[\"t1\"]},\"errors\":"
       "[{\"type\":\"field\",\"field\":\"host\",\"message\":\"required field "
       "missing\"}]}",
       "then its parent, without its nested list");
}

static void test_document(void)
{
    gw_declarative_opts_t opts = {0};
    gw_declarative_t *d;

    is(errors("services: [\n"),
       "declarative config is invalid: {error=\"failed parsing declarative "
       "configuration: did not find expected node content at line 2, column "
       "1\"} | {\"error\":\"failed parsing declarative configuration: did not "
       "find expected node content at line 2, column 1\"}",
       "text that does not parse");
    is(errors("- a\n"),
       "declarative config is invalid: {error=\"failed parsing declarative "
       "configuration: expected an object\"} | {\"error\":\"failed parsing "
       "declarative configuration: expected an object\"}",
       "a document that is not a mapping");
    is(errors("_format_version: \"3.0\"\n_comment: 5\n_transform: x\n"),
       "declarative config is invalid: {_comment=\"expected a string\","
       "_transform=\"expected a boolean\"} | {\"_comment\":\"expected a "
       "string\",\"_transform\":\"expected a boolean\"}",
       "meta fields are typed");
    is(flat("{\"_format_version\": \"3.0\", \"_info\": {\"select_tags\": "
            "[\"a\"]}, \"_ignore\": [1], \"services\": [{\"name\": "
            "\"example\", \"host\": \"example.test\", \"port\": 8080.0, "
            "\"path\": \"/api\", \"_comment\": \"c\", \"routes\": [{\"name\": "
            "\"r1\", \"paths\": [\"/x\"]}]}], \"upstreams\": [{\"name\": "
            "\"up1\", \"targets\": [{\"target\": \"10.0.0.1:80\", \"weight\": "
            "50}]}], \"consumers\": [{\"username\": \"alice\"}]}"),
       flat(nested_yaml),
       "JSON text, _info, _ignore, _comment and 8080.0 as an integer");
    is(flat("_format_version: \"3.0\"\n"
            "x-svc: &svc\n  host: example.test\n  port: 8080\n  path: /api\n"),
       "ERROR declarative config is invalid: {[\"x-svc\"]=\"unknown field\"}",
       "non-identifier keys are quoted in the message");
    is(flat("_format_version: \"3.0\"\n"
            "services:\n"
            "- &svc {name: example, host: example.test, port: 8080, path: "
            "/api,\n    routes: [{name: r1, paths: [/x]}]}\n"
            "upstreams:\n- name: up1\n  targets:\n"
            "  - target: 10.0.0.1:80\n    weight: 50\n"
            "consumers: [{username: alice}]\n"),
       flat(nested_yaml), "anchors in a declarative file");
    opts.max_entities = 3;
    d = parse_opts(nested_yaml, &opts);
    is(d->config ? "(accepted)" : d->error->message,
       "declarative config is invalid: {error=\"declarative config has more "
       "than 3 entities\"}",
       "the number of entities is bounded");
    opts.max_entities = 0;
    opts.limits.max_bytes = 64;
    d = parse_opts(nested_yaml, &opts);
    ok(!d->config && strstr(d->error->message, "more than the limit of 64"),
       "so is the size of the text");
}

static void test_migration(void)
{
    gw_declarative_t *d = parse("_format_version: \"1.1\"\n"
                                "services:\n"
                                "- name: s\n"
                                "  host: h\n"
                                "  routes:\n"
                                "  - name: a\n"
                                "    paths: [/x, /api/v\\d+, /a%2fb%41, "
                                "\"/item/(\\\\d+)%2f%2e\"]\n"
                                "routes:\n"
                                "- {name: b, service: s, paths: [/p/./q]}\n");
    json_object *a = entity(d, "routes", 0), *b = entity(d, "routes", 1);

    if (strcmp(gw_json_str(a, "name"), "a") != 0) {
        json_object *t = a;

        a = b;
        b = t;
    }
    is(gw_json_text(gw_json_get(a, "paths"), pool),
       "[\"/x\",\"~/api/v\\\\d+\",\"/a%2FbA\",\"~/item/(\\\\d+)%2F\\\\.\"]",
       "1.1: regex-looking paths get their '~', escapes decoded as Kong does");
    is(gw_json_text(gw_json_get(b, "paths"), pool), "[\"/p/q\"]",
       "and prefix paths are normalised");
    is(gw_json_str(d->config, "_format_version"), "3.0",
       "the result is a 3.0 configuration");
    is(errors("_format_version: \"3.0\"\n"
              "routes: [{name: a, paths: [/api/v\\d+]}]\n"),
       "declarative config is invalid: {routes={{paths={\"invalid path: "
       "'/api/v\\\\d+' (characters outside of the reserved list of RFC 3986 "
       "found)\"}}}} | {\"routes\":[{\"paths\":[\"invalid path: "
       "'/api/v\\\\d+' (characters outside of the reserved list of RFC 3986 "
       "found)\"]}]}",
       "3.0 keeps paths as written");
}

static void test_export(void)
{
    gw_declarative_t *d = parse(nested_yaml), *again;
    const char *text, *text2, *json_text;

    ok(gw_declarative_export_text(&text, pool, d->config, 0) == APR_SUCCESS,
       "export as YAML");
    ok(strncmp(text,
               "_format_version: \"3.0\"\n_transform: false\nservices:\n"
               "- id: " SVC_EXAMPLE "\n  created_at: 1700000000\n",
               90)
           == 0,
       "db_export's layout: version, _transform false, entities by type");
    ok(strstr(text, "  service: " SVC_EXAMPLE "\n") != NULL,
       "foreign keys as plain ids");
    ok(strstr(text, "  path: /api\n") && strstr(text, "  tags: null\n"),
       "every field, nulls included");
    again = parse(text);
    ok(again->config != NULL, "the export parses");
    gw_declarative_export_text(&text2, pool, again->config, 0);
    is(text2, text, "export -> parse -> export is byte-identical");
    json_object_object_del(again->config, "_transform");
    json_object_object_del(d->config, "_transform");
    ok(gw_json_equal(again->config, d->config),
       "and gives the same flat configuration");
    gw_declarative_export_text(&json_text, pool, d->config, 1);
    again = parse(json_text);
    gw_declarative_export_text(&text2, pool, again->config, 0);
    is(text2, text, "the JSON export too");
    ok(strstr(gw_json_text(gw_declarative_by_id(d->config, pool), pool),
              "\"services\":{\"" SVC_EXAMPLE "\":{\"id\":")
           != NULL,
       "the entities by id, as POST /config answers");
}

static void test_hash(void)
{
    const char *h1 = parse(nested_yaml)->hash;

    is(gw_declarative_hash(NULL, pool), "00000000000000000000000000000000",
       "no configuration hashes to zeros");
    ok(h1 && strlen(h1) == 32 && strspn(h1, "0123456789abcdef") == 32,
       "32 lower-case hex digits");
    is(parse(nested_yaml)->hash, h1, "the same text, the same hash");
    is(parse(apr_pstrcat(pool, "# a comment\n", nested_yaml, NULL))->hash, h1,
       "comments and layout do not count");
    ok(strcmp(parse(flat_yaml)->hash, h1) != 0,
       "another document has another hash");
    is(gw_declarative_canonical(json("{\"b\":[1,{\"d\":1,\"c\":\"/\"}],"
                                     "\"a\":null}"),
                                pool),
       "{\"a\":null,\"b\":[1,{\"c\":\"/\",\"d\":1}]}",
       "the canonical text sorts keys at every level");
    is(parse("{\"_format_version\":\"3.0\",\"services\":[{\"name\":\"a\","
             "\"host\":\"h\",\"port\":80.0}]}")
           ->hash,
       parse("services:\n- port: 80\n  host: h\n  name: a\n"
             "_format_version: \"3.0\"\n")
           ->hash,
       "JSON and YAML of the same content hash alike");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_nested();
    test_top_level();
    test_errors();
    test_references();
    test_flattened();
    test_document();
    test_migration();
    test_export();
    test_hash();
    apr_pool_destroy(pool);
    apr_terminate();
    return exit_status();
}
