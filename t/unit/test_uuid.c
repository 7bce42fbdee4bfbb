/*
 * test_uuid: entity ids (gw_uuid): random version 4 ids, the name-based
 * version 5 ids of declarative configuration, and the syntax check that
 * tells an id from an endpoint key in Admin API paths.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_hash.h>
#include <apr_lib.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "gw_uuid.h"
#include "tap.h"

#define TESTS 38
#define V4_SAMPLES 10000

/* Kong's namespace for declarative ids (reference §5.3). */
#define KONG_NS "fd02801f-0957-4a15-a55a-c8d9606f30b5"
#define DNS_NS "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
#define URL_NS "6ba7b811-9dad-11d1-80b4-00c04fd430c8"

static apr_pool_t *pool;

/* True when s is lower-case 8-4-4-4-12 with the given version nibble and
 * the RFC 4122 variant (10xx). */
static int well_formed(const char *s, char version)
{
    int i;

    if (!s || strlen(s) != GW_UUID_LEN) {
        return 0;
    }
    for (i = 0; i < GW_UUID_LEN; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') {
                return 0;
            }
        }
        else if (!apr_isxdigit(s[i]) || apr_isupper(s[i])) {
            return 0;
        }
    }
    return s[14] == version && strchr("89ab", s[19]) != NULL;
}

static void test_v4(void)
{
    apr_hash_t *seen = apr_hash_make(pool);
    int bad_form = 0, dups = 0, i;
    int variant_seen[4] = {0, 0, 0, 0};
    const char *first = gw_uuid_v4(pool);

    ok(well_formed(first, '4'), "v4: lower-case 8-4-4-4-12, version 4, RFC "
                                "variant");
    ok(gw_uuid_valid(first), "v4 passes gw_uuid_valid");
    for (i = 0; i < V4_SAMPLES; i++) {
        const char *id = gw_uuid_v4(pool);

        if (!well_formed(id, '4')) {
            bad_form++;
            diag(apr_psprintf(pool, "malformed v4 id: %s", id));
        }
        else {
            variant_seen[strchr("89ab", id[19]) - "89ab"]++;
        }
        if (apr_hash_get(seen, id, APR_HASH_KEY_STRING)) {
            dups++;
        }
        apr_hash_set(seen, id, APR_HASH_KEY_STRING, id);
    }
    is_int(bad_form, 0, "10,000 v4 ids all have version and variant bits");
    is_int(dups, 0, "10,000 v4 ids are all distinct");
    /* 4 variant values, 10,000 draws: each appears about 2,500 times; a
     * constant nibble would mean the random bits are being overwritten */
    ok(variant_seen[0] && variant_seen[1] && variant_seen[2] && variant_seen[3],
       "all four variant nibbles 8, 9, a, b occur");
}

static void test_v5_vectors(void)
{
    const char *dns = gw_uuid_v5(DNS_NS, "www.example.com", pool);

    is(dns, "2ed6657d-e927-568b-95e1-2665a8aea6a2",
       "v5(DNS namespace, www.example.com)");
    ok(well_formed(dns, '5'), "v5 has version 5 and the RFC variant");
    is(gw_uuid_v5(DNS_NS, "python.org", pool),
       "886313e1-3b8a-5372-9b90-0c9aee199e5d",
       "v5(DNS namespace, python.org), Python's documented example");
    is(gw_uuid_v5(URL_NS, "http://example.com/", pool),
       "0a300ee9-f9e4-5697-a51a-efc7fafaba67", "v5(URL namespace, ...)");
    is(gw_uuid_v5("6BA7B810-9DAD-11D1-80B4-00C04FD430C8", "www.example.com",
                  pool),
       "2ed6657d-e927-568b-95e1-2665a8aea6a2",
       "an upper-case namespace gives the same id, in lower case");
    /* Kong's declarative ids: the namespace of an entity type is v5 of its
     * name under Kong's fixed namespace; expected values computed with
     * Python's uuid.uuid5. */
    is(gw_uuid_v5(KONG_NS, "services", pool),
       "90050c4f-539a-5bd9-bfb5-2ff1c430ca18", "Kong namespace: services");
    is(gw_uuid_v5(KONG_NS, "routes", pool),
       "78aafefa-16c7-5598-8955-58dc6264b27a", "Kong namespace: routes");
    is(gw_uuid_v5(KONG_NS, "consumers", pool),
       "7e5adc17-c056-5c54-98c0-7f88774fccf6", "Kong namespace: consumers");
    is(gw_uuid_v5(gw_uuid_v5(KONG_NS, "services", pool), "example", pool),
       "89dd9e9d-3f98-5e11-ab72-c90b6c2d30a2",
       "service 'example' under the services namespace");
    is(gw_uuid_v5(KONG_NS, "services", pool),
       gw_uuid_v5(KONG_NS, "services", pool), "v5 is deterministic");
    ok(strcmp(gw_uuid_v5(KONG_NS, "a", pool), gw_uuid_v5(KONG_NS, "b", pool))
           != 0,
       "different names give different ids");
    ok(well_formed(gw_uuid_v5(KONG_NS, "", pool), '5'),
       "the empty name is allowed");
    ok(gw_uuid_v5("not-a-uuid", "x", pool) == NULL,
       "an invalid namespace gives NULL");
    ok(gw_uuid_v5("6ba7b8109dad11d180b400c04fd430c8", "x", pool) == NULL,
       "a namespace without dashes gives NULL");
}

static void test_valid(void)
{
    static const struct {
        const char *s;
        int valid;
        const char *name;
    } cases[] = {
        {"6ba7b810-9dad-11d1-80b4-00c04fd430c8", 1, "lower-case"},
        {"6BA7B810-9DAD-11D1-80B4-00C04FD430C8", 1, "upper-case"},
        {"6bA7b810-9DaD-11d1-80B4-00c04Fd430c8", 1, "mixed case"},
        {"00000000-0000-0000-0000-000000000000", 1, "the nil UUID"},
        {"ffffffff-ffff-ffff-ffff-ffffffffffff", 1,
         "any version and variant nibble"},
        {"", 0, "empty"},
        {"6ba7b810-9dad-11d1-80b4-00c04fd430c", 0, "one digit short"},
        {"6ba7b810-9dad-11d1-80b4-00c04fd430c80", 0, "one digit long"},
        {"6ba7b8109dad11d180b400c04fd430c8", 0, "no dashes"},
        {"6ba7b810-9dad-11d1-80b400c04fd430c8-", 0, "dash misplaced"},
        {"6ba7b81-09dad-11d1-80b4-00c04fd430c8", 0, "first dash shifted"},
        {"6ba7b810-9dad-11d1-80b4-00c04fd430cg", 0, "non-hex digit"},
        {"6ba7b810_9dad_11d1_80b4_00c04fd430c8", 0, "underscores"},
        {"{6ba7b810-9dad-11d1-80b4-00c04fd430c8}", 0, "braces"},
        {" 6ba7b810-9dad-11d1-80b4-00c04fd430c", 0, "leading space"},
        {"6ba7b810-9dad-11d1-80b4-00c04fd430c8\n", 0, "trailing newline"},
        {"my-service", 0, "an endpoint key"},
        {"------------------------------------", 0, "dashes only"},
    };
    apr_size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        is_int(gw_uuid_valid(cases[i].s), cases[i].valid, cases[i].name);
    }
    ok(!gw_uuid_valid(NULL), "NULL is not a UUID");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    plan(TESTS);
    test_v4();
    test_v5_vectors();
    test_valid();
    apr_pool_destroy(pool);
    apr_terminate();
    return exit_status();
}
