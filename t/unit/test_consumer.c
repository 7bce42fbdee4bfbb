/*
 * test_consumer: the Consumer entity through the write pipeline
 * (gw_entity_prepare with gw_entity_consumers): the shape of a fresh
 * consumer, the username / custom_id rule of reference §2.3 with Kong's
 * message, and PATCH / PUT semantics.
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

#define TESTS 22

#define T0 1700000000
#define T1 1700000100
#define CONSUMER_ID "6ba7b810-9dad-11d1-80b4-00c04fd430c8"

static const char *run(json_object **out, gw_op_e op, json_object *input,
                       const json_object *existing, apr_time_t now)
{
    return prepare_msg(out, &gw_entity_consumers, op, input, existing, now);
}

/* A POST of input at T0: its message ("" when accepted), or the entity. */
#define post_msg(input) \
    post_entity_msg(&gw_entity_consumers, (input), apr_time_from_sec(T0))
#define post(input) \
    post_entity(&gw_entity_consumers, (input), apr_time_from_sec(T0))

static const char *fields_of(const char *input)
{
    json_object *out = NULL;
    gw_error_t *err = NULL;

    if (gw_entity_prepare(&out, &err, &gw_entity_consumers, GW_OP_INSERT,
                          json(input), NULL, apr_time_from_sec(T0), pool)
        == APR_SUCCESS) {
        return "accepted";
    }
    return gw_json_text(err->fields, pool);
}

#define AT_LEAST_ONE                                                \
    "at least one of these fields must be non-empty: 'custom_id', " \
    "'username'"

static void test_create(void)
{
    json_object *c = post("{\"username\":\"alice\"}");
    json_object *rest;
    const char *id = gw_json_str(c, "id");

    ok(gw_uuid_valid(id) && id[14] == '4', "a v4 id is generated");
    rest = gw_json_copy(c, pool);
    json_object_object_del(rest, "id");
    is(c ? gw_json_text(rest, pool) : NULL,
       "{\"created_at\":1700000000,\"updated_at\":1700000000,"
       "\"username\":\"alice\",\"custom_id\":null,\"tags\":null}",
       "a fresh consumer: every field, nulls included, in schema order");
    c = post("{\"custom_id\":\"ext-1\"}");
    is(gw_json_str(c, "custom_id"), "ext-1", "custom_id alone is enough");
    ok(c && gw_json_has(c, "username") && !gw_json_get(c, "username"),
       "username then stays null");
    c = post("{\"username\":\"bob\",\"custom_id\":\"b\",\"tags\":[\"x\"],"
             "\"id\":\"" CONSUMER_ID "\"}");
    is(gw_json_text(c, pool),
       "{\"id\":\"" CONSUMER_ID "\",\"created_at\":1700000000,"
       "\"updated_at\":1700000000,\"username\":\"bob\",\"custom_id\":\"b\","
       "\"tags\":[\"x\"]}",
       "every settable field kept");
    c = post("{\"username\":\"\xe5\x86\x86 a/b c\"}");
    is(gw_json_str(c, "username"), "\xe5\x86\x86 a/b c",
       "a username is any string: no charset rule, unlike names");
}

static void test_errors(void)
{
    is(post_msg("{}"), "schema violation (" AT_LEAST_ONE ")",
       "neither username nor custom_id (Kong's message)");
    is(fields_of("{}"), "{\"@entity\":[\"" AT_LEAST_ONE "\"]}",
       "the rule is an @entity error");
    is(post_msg("{\"username\":null,\"custom_id\":null}"),
       "schema violation (" AT_LEAST_ONE ")", "both explicitly null");
    is(post_msg("{\"username\":\"\",\"custom_id\":\"c\"}"),
       "schema violation (username: length must be at least 1)",
       "an empty username");
    is(post_msg("{\"username\":\"\"}"),
       "2 schema violations (" AT_LEAST_ONE
       "; username: length must be at least 1)",
       "an empty username alone also fails the rule, as in Kong");
    is(post_msg("{\"username\":5}"),
       "schema violation (username: expected a string)",
       "a username that is not a string");
    is(post_msg("{\"custom_id\":[\"a\"]}"),
       "schema violation (custom_id: expected a string)",
       "a custom_id that is not a string");
    is(post_msg("{\"username\":\"a\",\"name\":\"x\"}"),
       "schema violation (name: unknown field)", "consumers have no name");
    is(post_msg("{\"username\":\"a\",\"tags\":[\"a/b\"]}"),
       "schema violation (tags.1: invalid tag 'a/b': expected printable "
       "ascii (except `,` and `/`) or valid utf-8 sequences)",
       "tags follow the common rule");
}

static void test_patch_put(void)
{
    json_object *base = post("{\"username\":\"carol\",\"custom_id\":\"c1\","
                             "\"tags\":[\"t\"]}");
    json_object *out = NULL;
    const char *msg;

    msg = run(&out, GW_OP_UPDATE, json("{\"custom_id\":\"c2\"}"), base,
              apr_time_from_sec(T1));
    is(msg, "", "PATCH custom_id");
    ok(out && strcmp(gw_json_str(out, "username"), "carol") == 0
           && strcmp(gw_json_str(out, "custom_id"), "c2") == 0,
       "PATCH keeps the username");
    is_int(json_object_get_int64(gw_json_get(out, "updated_at")), T1,
           "PATCH bumps updated_at");
    msg = run(&out, GW_OP_UPDATE, json("{\"username\":null}"), base,
              apr_time_from_sec(T1));
    is(msg, "", "PATCH may clear the username while custom_id is set");
    msg =
        run(&out, GW_OP_UPDATE, json("{\"username\":null,\"custom_id\":null}"),
            base, apr_time_from_sec(T1));
    is(msg, "schema violation (" AT_LEAST_ONE ")",
       "PATCH may not clear both: the merged consumer is checked");
    msg = run(&out, GW_OP_UPSERT,
              json("{\"id\":\"" CONSUMER_ID "\",\"username\":\"carol\"}"), base,
              apr_time_from_sec(T1));
    ok(!*msg && gw_json_has(out, "custom_id") && !gw_json_get(out, "custom_id")
           && !gw_json_get(out, "tags"),
       "PUT replaces the whole consumer: absent fields become null");
    is_int(json_object_get_int64(gw_json_get(out, "created_at")), T1,
           "PUT regenerates created_at");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    plan(TESTS);
    test_create();
    test_errors();
    test_patch_put();
    apr_pool_destroy(pool);
    apr_terminate();
    return exit_status();
}
