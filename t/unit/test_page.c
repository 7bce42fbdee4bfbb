/*
 * test_page: the list-query parameters of the Admin API (gw_page): `size`
 * (code 9), the opaque `offset` token (code 7) and the `tags` filter
 * (code 11), with Kong's messages from reference §1.5.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "gw_json.h"
#include "gw_page.h"
#include "gw_uuid.h"
#include "tap.h"

#define TESTS 41

#define ID "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
/* base64url, unpadded, of ["<ID>"], computed with Python's base64 */
#define ID_TOKEN "WyI2YmE3YjgxMC05ZGFkLTExZDEtODBiNC0wMGMwNGZkNDMwYzgiXQ"

static apr_pool_t *pool;

/* The error body as JSON text, or "" when err is NULL. */
static const char *body(const gw_error_t *err)
{
    return err ? gw_json_text(gw_error_json(err, pool), pool) : "";
}

/* The size parsed from text as a number, or the error body. */
static const char *size(const char *text)
{
    int n = -1;
    gw_error_t *err = (gw_error_t *)&err; /* must be reset by the call */
    apr_status_t rv = gw_page_size(&n, &err, text, pool);

    if (rv == APR_SUCCESS) {
        return err ? "success with an error" : apr_itoa(pool, n);
    }
    if (rv != APR_EINVAL || !err || err->status != 400) {
        return "inconsistent failure";
    }
    return body(err);
}

static void test_size(void)
{
    static const char *const not_int[] = {"0", "1001", "1.5", "-1", "100000"};
    apr_size_t i;

    is(size(NULL), "100", "absent: the default, 100");
    is(size("1"), "1", "the minimum");
    is(size("1000"), "1000", "the maximum");
    is(size("25"), "25", "a plain size");
    is(size("1e2"), "100", "any number Lua's tonumber reads");
    is(size("x"),
       "{\"code\":9,\"name\":\"invalid size\",\"message\":\"size must be a "
       "number\"}",
       "size=x: code 9, size must be a number");
    is(size(""),
       "{\"code\":9,\"name\":\"invalid size\",\"message\":\"size must be a "
       "number\"}",
       "size= (empty) is not a number");
    is(size("10x"),
       "{\"code\":9,\"name\":\"invalid size\",\"message\":\"size must be a "
       "number\"}",
       "trailing junk is not a number");
    for (i = 0; i < sizeof(not_int) / sizeof(not_int[0]); i++) {
        is(size(not_int[i]),
           "{\"code\":9,\"name\":\"invalid size\",\"message\":\"size must be "
           "an integer between 1 and 1000\"}",
           apr_psprintf(pool, "size=%s is out of range", not_int[i]));
    }
}

/* The id a token decodes to, or the error body. */
static const char *offset(const char *token)
{
    const char *id = "unset";
    gw_error_t *err = (gw_error_t *)&err;
    apr_status_t rv = gw_page_offset_decode(&id, &err, token, pool);

    if (rv == APR_SUCCESS) {
        return err ? "success with an error" : id;
    }
    if (rv != APR_EINVAL || !err || id != NULL) {
        return "inconsistent failure";
    }
    return body(err);
}

static const char *offset_error(const char *token, const char *why)
{
    return apr_psprintf(pool,
                        "{\"code\":7,\"name\":\"invalid offset\",\"message\":"
                        "\"'%s' is not a valid offset: %s\"}",
                        token, why);
}

static void test_offset(void)
{
    const char *token = gw_page_offset_encode(ID, pool);
    int i, roundtrips = 1;

    is(token, ID_TOKEN, "the token is unpadded base64url of [\"<id>\"]");
    is(offset(token), ID, "decode inverts encode");
    is(offset(ID_TOKEN "=="), ID, "padding is tolerated");
    for (i = 0; i < 50; i++) {
        const char *id = gw_uuid_v4(pool);

        if (strcmp(offset(gw_page_offset_encode(id, pool)), id) != 0) {
            roundtrips = 0;
        }
    }
    ok(roundtrips, "50 random ids round trip");
    is(offset("x"), offset_error("x", "bad base64 encoding"),
       "'x' is not a valid offset: bad base64 encoding");
    is(offset(""), offset_error("", "bad base64 encoding"), "an empty token");
    is(offset("!!!!"), offset_error("!!!!", "bad base64 encoding"),
       "bytes outside the alphabet");
    is(offset("aGVsbG8"), offset_error("aGVsbG8", "bad json encoding"),
       "valid base64 of non-JSON (hello)");
    is(offset("e30"), offset_error("e30", "bad json encoding"),
       "valid base64 of {}");
    is(offset("WzFd"), offset_error("WzFd", "bad json encoding"),
       "valid base64 of [1]");
    is(offset("WyJ4Il0"), offset_error("WyJ4Il0", "bad json encoding"),
       "valid base64 of [\"x\"]: not an id");
    is(offset("WyI2YmE3YjgxMC05ZGFkLTExZDEtODBiNC0wMGMwNGZkNDMwYzgiLCI2YmE3Yjg"
              "xMC05ZGFkLTExZDEtODBiNC0wMGMwNGZkNDMwYzgiXQ"),
       offset_error("WyI2YmE3YjgxMC05ZGFkLTExZDEtODBiNC0wMGMwNGZkNDMwYzgiLCI2"
                    "YmE3YjgxMC05ZGFkLTExZDEtODBiNC0wMGMwNGZkNDMwYzgiXQ",
                    "bad json encoding"),
       "two ids are not a token");
}

/* "AND:a|b", "OR:a|b", "NULL" for no filter, or the error body. */
static const char *tags(const char *text, int present)
{
    apr_array_header_t *list = (apr_array_header_t *)&list;
    int any = -1, i;
    gw_error_t *err = (gw_error_t *)&err;
    apr_status_t rv = gw_page_tags(&list, &any, &err, text, present, pool);
    const char *out;

    if (rv != APR_SUCCESS) {
        if (rv != APR_EINVAL || !err || err->status != 400
            || err->code != GW_ERR_INVALID_OPTIONS) {
            return "inconsistent failure";
        }
        return body(err);
    }
    if (err) {
        return "success with an error";
    }
    if (!list) {
        return "NULL";
    }
    out = any ? "OR:" : "AND:";
    for (i = 0; i < list->nelts; i++) {
        out = apr_pstrcat(pool, out, i ? "|" : "",
                          APR_ARRAY_IDX(list, i, const char *), NULL);
    }
    return out;
}

static const char *tags_error(const char *why)
{
    return apr_psprintf(pool,
                        "{\"code\":11,\"name\":\"invalid options\","
                        "\"message\":\"invalid option (tags: %s)\","
                        "\"options\":{\"tags\":\"%s\"}}",
                        why, why);
}

static void test_tags(void)
{
    is(tags(NULL, 0), "NULL", "absent: no filter");
    is(tags("a", 1), "AND:a", "one tag");
    is(tags("a,b", 1), "AND:a|b", "a,b is AND");
    is(tags("a/b", 1), "OR:a|b", "a/b is OR");
    is(tags("a,b,c,d,e", 1), "AND:a|b|c|d|e", "five tags");
    is(tags("x y,\xe5\x86\x86,~!", 1), "AND:x y|\xe5\x86\x86|~!",
       "printable ASCII and UTF-8 tags");
    is(tags("a,b/c", 1), tags_error("invalid filter syntax"),
       "mixing , and / is code 11 with options");
    is(tags("a/b,c", 1), tags_error("invalid filter syntax"), "mixing / and ,");
    is(tags("", 1), tags_error("cannot be null"), "tags= (empty)");
    is(tags(NULL, 1), tags_error("cannot be null"), "bare tags");
    is(tags("a,b,c,d,e,f", 1), tags_error("cannot query more than 5 tags"),
       "six AND tags");
    is(tags("a/b/c/d/e/f", 1), tags_error("cannot query more than 5 tags"),
       "six OR tags");
    is(tags("a,,b", 1), tags_error("invalid filter syntax"), "an empty tag");
    is(tags("a/", 1), tags_error("invalid filter syntax"), "a trailing /");
    is(tags("a\xff", 1), tags_error("invalid filter syntax"), "invalid UTF-8");
    is(tags("a\tb", 1), tags_error("invalid filter syntax"),
       "a control character");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    plan(TESTS);
    test_size();
    test_offset();
    test_tags();
    apr_pool_destroy(pool);
    apr_terminate();
    return exit_status();
}
