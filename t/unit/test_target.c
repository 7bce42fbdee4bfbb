/*
 * test_target: the Target entity through the write pipeline
 * (gw_entity_prepare with gw_entity_targets): the stored spelling of an
 * address (default port 8000, IPv4 without leading zeros, IPv6 written
 * out in brackets), Kong's message for what is not an address, the weight
 * range, and timestamps in seconds with milliseconds (reference §2.6).
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

#define TESTS 51

#define UPSTREAM_ID "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
#define UPSTREAM "\"upstream\":{\"id\":\"" UPSTREAM_ID "\"}"
#define INVALID "Invalid target; not a valid hostname or ip address"

/* 1700000000.123 seconds */
static apr_time_t t0(void)
{
    return apr_time_from_msec(APR_INT64_C(1700000000123));
}

/* Runs the pipeline; *out gets the entity. Returns "" on success, else
 * the error message. */
static const char *run(json_object **out, gw_op_e op, json_object *input,
                       const json_object *existing, apr_time_t now)
{
    return prepare_msg(out, &gw_entity_targets, op, input, existing, now);
}

static const char *post_msg(const char *members)
{
    json_object *out;

    return run(&out, GW_OP_INSERT,
               json(apr_psprintf(pool, "{" UPSTREAM "%s%s}",
                                 *members ? "," : "", members)),
               NULL, t0());
}

/* The stored target of a POST of `target`, or the error message. */
static const char *stored(const char *target)
{
    json_object *out = NULL, *in = json("{" UPSTREAM "}");
    const char *msg;

    json_object_object_add(in, "target", json_object_new_string(target));
    msg = run(&out, GW_OP_INSERT, in, NULL, t0());
    return *msg ? msg : gw_json_str(out, "target");
}

static const char *violation(const char *entry)
{
    return apr_pstrcat(pool, "schema violation (", entry, ")", NULL);
}

static void test_defaults(void)
{
    json_object *out = NULL, *rest;
    const char *msg =
        run(&out, GW_OP_INSERT,
            json("{" UPSTREAM ",\"target\":\"konghq.test\"}"), NULL, t0());

    is(msg, "", "a target needs an upstream and an address");
    ok(out && gw_uuid_valid(gw_json_str(out, "id")), "an id is generated");
    rest = gw_json_copy(out, pool);
    json_object_object_del(rest, "id");
    is(out ? gw_json_text(rest, pool) : NULL,
       "{\"created_at\":1700000000.123,\"updated_at\":1700000000.123,"
       "\"upstream\":{\"id\":\"" UPSTREAM_ID "\"},"
       "\"target\":\"konghq.test:8000\",\"weight\":100,\"tags\":null}",
       "every field: millisecond timestamps, port 8000, weight 100");
    ok(json_object_is_type(gw_json_get(out, "created_at"), json_type_double),
       "created_at is a JSON number with a fraction");
    msg = run(&out, GW_OP_INSERT, json("{" UPSTREAM ",\"target\":\"a.test\"}"),
              NULL, apr_time_from_sec(1700000000));
    is(gw_json_text(gw_json_get(out, "created_at"), pool), "1700000000",
       "a whole second is written without a fraction");
    msg = run(&out, GW_OP_INSERT, json("{" UPSTREAM ",\"target\":\"a.test\"}"),
              NULL, apr_time_from_msec(APR_INT64_C(1700000000500)));
    is(gw_json_text(gw_json_get(out, "created_at"), pool), "1700000000.5",
       "trailing zeros of the milliseconds are dropped");
}

static void test_addresses(void)
{
    static const struct {
        const char *in, *out;
    } ok_cases[] = {
        {"konghq.test", "konghq.test:8000"},
        {"konghq.test:123", "konghq.test:123"},
        {"api-1:80", "api-1:80"},
        {"my_host.example.", "my_host.example.:8000"},
        {"127.0.0.1", "127.0.0.1:8000"},
        {"127.000.000.001:81", "127.0.0.1:81"},
        {"10.0.0.1:0", "10.0.0.1:0"},
        {"::1", "[0000:0000:0000:0000:0000:0000:0000:0001]:8000"},
        {"[::1]:8192", "[0000:0000:0000:0000:0000:0000:0000:0001]:8192"},
        {"[0000:0000:0000:0000:0000:0000:0000:0001]",
         "[0000:0000:0000:0000:0000:0000:0000:0001]:8000"},
        {"FE80::AB:1", "[fe80:0000:0000:0000:0000:0000:00ab:0001]:8000"},
        {"::", "[0000:0000:0000:0000:0000:0000:0000:0000]:8000"},
        {"1:2:3:4:5:6:7:8", "[0001:0002:0003:0004:0005:0006:0007:0008]:8000"},
        {"localhost:65535", "localhost:65535"},
    };
    static const char *const bad[] = {
        "some invalid host name",
        "",
        "konghq.test:99999",
        "konghq.test:",
        "konghq.test:http",
        "a..b",
        "a-.b",
        ".a",
        "256.0.0.1",
        "1.2.3",
        "1.2.3.4.5",
        "[::1]80",
        "[::1",
        "1::2::3",
        "::ffff:1.2.3.4",
        "1:2:3:4:5:6:7:8:9",
        "h\xc3\xa9te.test",
        "[konghq.test]:80",
    };
    apr_size_t i;

    for (i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++) {
        is(stored(ok_cases[i].in), ok_cases[i].out,
           apr_psprintf(pool, "%s is stored as %s", ok_cases[i].in,
                        ok_cases[i].out));
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        is(stored(bad[i]), violation("target: " INVALID),
           apr_psprintf(pool, "'%s' is not an address", bad[i]));
    }
}

static void test_fields(void)
{
    json_object *out = NULL;
    const char *msg;

    is(post_msg("\"weight\":0"), violation("target: required field missing"),
       "a target is required");
    is(post_msg("\"target\":5"), violation("target: expected a string"),
       "a target that is not a string");
    is(post_msg("\"target\":\"a.test\",\"weight\":65536"),
       violation("weight: value should be between 0 and 65535"),
       "weight above the range");
    is(post_msg("\"target\":\"a.test\",\"weight\":-1"),
       violation("weight: value should be between 0 and 65535"),
       "negative weight");
    is(post_msg("\"target\":\"a.test\",\"weight\":0,\"tags\":[\"t\"]"), "",
       "weight 0 is a valid target that gets no traffic");
    msg = run(&out, GW_OP_INSERT, json("{\"target\":\"a.test\"}"), NULL, t0());
    is(msg, violation("upstream: required field missing"),
       "an upstream is required");
    is(post_msg("\"target\":\"bad host\",\"weight\":-1"),
       "2 schema violations (target: " INVALID
       "; weight: value should be between 0 and 65535)",
       "the address message does not hide other errors");
}

static void test_update(void)
{
    json_object *base = NULL, *out = NULL;
    const char *msg;

    run(&base, GW_OP_INSERT,
        json("{" UPSTREAM ",\"target\":\"api-2:80\",\"weight\":10}"), NULL,
        t0());
    msg = run(&out, GW_OP_UPDATE, json("{\"weight\":659}"), base,
              apr_time_from_msec(APR_INT64_C(1700000001250)));
    is(msg, "", "PATCH the weight");
    ok(out && json_object_get_int(gw_json_get(out, "weight")) == 659
           && strcmp(gw_json_str(out, "target"), "api-2:80") == 0,
       "only the weight changes");
    is(gw_json_text(gw_json_get(out, "updated_at"), pool), "1700000001.25",
       "updated_at moves, with its milliseconds");
    is(gw_json_text(gw_json_get(out, "created_at"), pool), "1700000000.123",
       "created_at stays");
    msg = run(&out, GW_OP_UPDATE, json("{\"target\":\"api-3\"}"), base, t0());
    is(gw_json_str(out, "target"), "api-3:8000",
       "an updated address is stored in the same spelling");
    msg =
        run(&out, GW_OP_UPDATE, json("{\"target\":\"not valid\"}"), base, t0());
    is(msg, violation("target: " INVALID), "and checked the same way");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    plan(TESTS);
    test_defaults();
    test_addresses();
    test_fields();
    test_update();
    apr_pool_destroy(pool);
    apr_terminate();
    return exit_status();
}
