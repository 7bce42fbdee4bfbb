/*
 * test_json: the JSON and text helpers every other core file stands on
 * (gw_json, gw_text): parse strictness and limits, UTF-8 validity,
 * percent coding, base64url and Kong's Lua-style quoting.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "gw_json.h"
#include "gw_text.h"
#include "tap.h"

#define TESTS 161

static apr_pool_t *pool;

/* The compact text of a parse of buf[0..len): the JSON, "null" for a JSON
 * null reported through is_null, "FAIL" for a refusal, or a description
 * of an inconsistent outcome. */
static const char *parse_n(const char *buf, apr_size_t len)
{
    json_object *out = (json_object *)&out; /* must be reset by the call */
    int is_null = -1;
    apr_status_t rv = gw_json_parse(&out, &is_null, buf, len, pool);

    if (rv != APR_SUCCESS) {
        return out == NULL ? "FAIL" : "FAIL with out set";
    }
    if (out == NULL) {
        return is_null == 1 ? "null" : "NULL without is_null";
    }
    return is_null == 0 ? gw_json_text(out, pool) : "object with is_null";
}

static const char *parse(const char *s)
{
    return parse_n(s, strlen(s));
}

static json_object *must_parse(const char *s)
{
    json_object *out = NULL;

    if (gw_json_parse(&out, NULL, s, strlen(s), pool) != APR_SUCCESS) {
        diag(apr_psprintf(pool, "cannot parse fixture %s", s));
        abort();
    }
    return out;
}

static void test_parse_values(void)
{
    is(parse("{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}"),
       "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}",
       "object round trip, key order kept");
    is(parse("  \t\r\n[1, 2]\r\n\t "), "[1,2]",
       "whitespace around the value is allowed");
    is(parse("\"x\""), "\"x\"", "top-level string");
    is(parse("[]"), "[]", "empty array");
    is(parse("{\"p\":\"/a/b\"}"), "{\"p\":\"/a/b\"}",
       "slashes are not escaped on output");
    is(parse("{\"s\":\"\\u00e9\\n\"}"), "{\"s\":\"é\\n\"}",
       "escapes decoded, UTF-8 written raw");
    is(parse("null"), "null", "a JSON null parses and sets is_null");
    is(parse("42"), "42", "top-level integer");
    is(parse("-1.5"), "-1.5", "top-level number");
    is(parse("true"), "true", "top-level boolean");
    {
        json_object *o = NULL;

        ok(gw_json_parse(&o, NULL, "[1.0e2]", 7, pool) == APR_SUCCESS
               && json_object_get_double(json_object_array_get_idx(o, 0))
                      == 100.0,
           "exponent inside an array");
    }
    is(parse_n("{}garbage", 2), "{}", "only len bytes are read");
}

static void test_parse_strictness(void)
{
    static const struct {
        const char *in, *name;
    } bad[] = {
        {"", "empty input"},
        {"   ", "whitespace only"},
        {"{} x", "trailing garbage after spaces"},
        {"{}{}", "two values"},
        {"[1]]", "extra closing bracket"},
        {"{\"a\":1}\"", "trailing quote"},
        {"[1,]", "trailing comma in an array"},
        {"{\"a\":1,}", "trailing comma in an object"},
        {"{a:1}", "unquoted key"},
        {"{'a':1}", "single-quoted strings"},
        {"[01]", "leading zero"},
        {"/*c*/{}", "comment"},
        {"{\"a\" 1}", "missing colon"},
        {"{\"a\":", "truncated"},
        {"\"\xff\"", "invalid UTF-8 byte"},
        {"\"\xc3\"", "truncated UTF-8 sequence"},
        {"\"\xc0\xaf\"", "overlong UTF-8"},
        {"\"\xe0\x80\xaf\"", "3-byte overlong UTF-8"},
        {"\"\xed\xa0\x80\"", "UTF-8 encoded surrogate"},
        {"\"\xf4\x90\x80\x80\"", "UTF-8 beyond U+10FFFF"},
        {"{\"\xff\":1}", "invalid UTF-8 in a key"},
    };
    apr_size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        is(parse(bad[i].in), "FAIL", bad[i].name);
    }
    is(parse_n("{}\0", 3), "FAIL", "a NUL after the value is garbage");
    is(parse_n("{}\n\0", 4), "FAIL", "a NUL after trailing space is garbage");
}

static const char *nested(int depth)
{
    char *s = apr_palloc(pool, (apr_size_t)depth * 2 + 1);

    memset(s, '[', (apr_size_t)depth);
    memset(s + depth, ']', (apr_size_t)depth);
    s[depth * 2] = '\0';
    return s;
}

static void test_parse_depth(void)
{
    const char *ok64 = nested(GW_JSON_MAX_DEPTH);
    char *bomb;

    is(parse(ok64), ok64, "nesting at the limit parses");
    is(parse(nested(GW_JSON_MAX_DEPTH + 1)), "FAIL",
       "one level past the limit is refused");
    bomb = apr_palloc(pool, 10001);
    memset(bomb, '[', 10000);
    bomb[10000] = '\0';
    is(parse(bomb), "FAIL", "10,000 '[' are refused");
    is(parse(nested(10000)), "FAIL", "10,000 balanced levels are refused");
}

/* The reason gw_json_parse_why gives for text, or "" when it parses. */
static const char *why_not(const char *text)
{
    json_object *o;
    const char *why = "";

    if (gw_json_parse_why(&o, NULL, &why, text, strlen(text), pool)
        == APR_SUCCESS) {
        return "";
    }
    return why;
}

static void test_duplicates_and_access(void)
{
    json_object *o = must_parse("{\"a\":1,\"b\":null}");

    is(why_not("{\"a\":1,\"b\":null,\"a\":2}"), "duplicate key 'a'",
       "a key named twice is refused, with its name");
    is(why_not("{\"x\":{\"k\":1,\"k\":[]}}"), "duplicate key 'k'",
       "in a nested object too");
    is(why_not("[{\"k\":1},{\"k\":2,\"j\":{\"k\":3}}]"), "",
       "the same key in sibling and nested objects is fine");
    is(why_not("{\"k\":\"k\",\"v\":[\"k\",\"k\"]}"), "",
       "values equal to a key are not keys");
    is(why_not("{\"a\\\"b\":1,\"a\\\"c\":2,\"z\":{\"a\\\"b\":3}}"), "",
       "escaped quotes inside keys");
    is(why_not("{\"a\\\"b\":1,\"a\\\"b\":2}"), "duplicate key 'a\\\"b'",
       "and their duplicates");
    is(why_not("{\"a\":1,}"), "invalid JSON: unexpected character",
       "other failures say what json-c saw");
    is(why_not("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
               "[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
               "]]]]]]]]]]]]"),
       "nested deeper than 64 levels", "too deep");
    is(why_not("\"\xff\""), "invalid UTF-8", "bad UTF-8");
    is_int(json_object_object_length(o), 2, "two distinct keys");
    ok(gw_json_has(o, "b") && gw_json_get(o, "b") == NULL,
       "a null member is present but NULL");
    ok(!gw_json_has(o, "c"), "an absent member is not present");
    ok(gw_json_str(o, "a") == NULL, "gw_json_str on a number is NULL");
    ok(gw_json_get(NULL, "a") == NULL && !gw_json_has(NULL, "a")
           && gw_json_str(NULL, "a") == NULL,
       "accessors tolerate NULL");
    o = must_parse("[1]");
    ok(gw_json_get(o, "0") == NULL && !gw_json_has(o, "0"),
       "accessors tolerate a non-object");
    o = must_parse("{\"s\":\"v\"}");
    is(gw_json_str(o, "s"), "v", "gw_json_str on a string");
}

static void test_copy_equal(void)
{
    json_object *a = must_parse("{\"x\":[1,{\"y\":\"z\"}],\"n\":null}");
    json_object *b = must_parse("{\"n\":null,\"x\":[1,{\"y\":\"z\"}]}");
    json_object *c, *inner;

    ok(gw_json_equal(a, b), "equal ignores key order");
    ok(!gw_json_equal(a, must_parse("{\"x\":[{\"y\":\"z\"},1],\"n\":null}")),
       "array order matters");
    ok(!gw_json_equal(a, must_parse("{\"x\":[1,{\"y\":\"z\"}]}")),
       "a missing null member makes a difference");
    ok(!gw_json_equal(must_parse("[1]"), must_parse("[\"1\"]")),
       "number and string differ");
    ok(gw_json_equal(NULL, NULL), "NULL equals NULL");
    c = gw_json_copy(a, pool);
    ok(c != NULL && c != a && gw_json_equal(a, c), "copy is equal and new");
    inner = json_object_array_get_idx(gw_json_get(c, "x"), 1);
    json_object_object_add(inner, "y", json_object_new_string("changed"));
    is(gw_json_text(a, pool), "{\"x\":[1,{\"y\":\"z\"}],\"n\":null}",
       "changing a nested member of the copy leaves the original");
    ok(gw_json_copy(NULL, pool) == NULL, "copy of NULL is NULL");
    ok(gw_json_own(pool, NULL) == NULL, "own of NULL is NULL");
}

static void test_sorted_keys(void)
{
    json_object *o =
        must_parse("{\"b\":1,\"a\":2,\"@entity\":3,\"B\":4,\"ab\":5,\"\":6}");
    const char **keys;
    int n = -1;

    keys = gw_json_sorted_keys(o, &n, pool);
    is_int(n, 6, "six keys");
    is(apr_psprintf(pool, "%s|%s|%s|%s|%s|%s", keys[0], keys[1], keys[2],
                    keys[3], keys[4], keys[5]),
       "|@entity|B|a|ab|b", "byte order: '' < @ < upper < lower, prefix first");
    ok(keys[6] == NULL, "the list is NULL-terminated");
    n = -1;
    ok(gw_json_sorted_keys(must_parse("[1]"), &n, pool) == NULL && n == 0,
       "an array has no keys");
    n = -1;
    keys = gw_json_sorted_keys(must_parse("{}"), &n, pool);
    ok(keys != NULL && n == 0 && keys[0] == NULL, "empty object");
}

static void test_utf8_valid(void)
{
    static const struct {
        const char *s;
        int valid;
        const char *name;
    } cases[] = {
        {"", 1, "empty"},
        {"plain ascii ~\x7f", 1, "ASCII incl. DEL"},
        {"\xc2\x80", 1, "U+0080, smallest 2-byte"},
        {"\xc3\xa9", 1, "2-byte e acute"},
        {"\xdf\xbf", 1, "U+07FF, largest 2-byte"},
        {"\xe0\xa0\x80", 1, "U+0800, smallest 3-byte"},
        {"\xe2\x82\xac", 1, "3-byte euro sign"},
        {"\xed\x9f\xbf", 1, "U+D7FF, just below the surrogates"},
        {"\xee\x80\x80", 1, "U+E000, just above the surrogates"},
        {"\xef\xbf\xbf", 1, "U+FFFF"},
        {"\xf0\x90\x80\x80", 1, "U+10000, smallest 4-byte"},
        {"\xf0\x9f\x98\x80", 1, "4-byte emoji"},
        {"\xf4\x8f\xbf\xbf", 1, "U+10FFFF, the largest code point"},
        {"\x80", 0, "lone continuation byte"},
        {"\xbf", 0, "lone last continuation byte"},
        {"\xc0\x80", 0, "overlong NUL (C0 80)"},
        {"\xc0\xaf", 0, "overlong slash (C0 AF)"},
        {"\xc1\xbf", 0, "overlong C1 BF"},
        {"\xe0\x80\x80", 0, "overlong 3-byte NUL"},
        {"\xe0\x9f\xbf", 0, "overlong U+07FF in 3 bytes"},
        {"\xf0\x80\x80\x80", 0, "overlong 4-byte NUL"},
        {"\xf0\x8f\xbf\xbf", 0, "overlong U+FFFF in 4 bytes"},
        {"\xed\xa0\x80", 0, "high surrogate U+D800"},
        {"\xed\xbf\xbf", 0, "low surrogate U+DFFF"},
        {"\xed\xa0\x80\xed\xb0\x80", 0, "CESU-8 surrogate pair"},
        {"\xf4\x90\x80\x80", 0, "U+110000"},
        {"\xf5\x80\x80\x80", 0, "lead byte F5"},
        {"\xf8\x88\x80\x80\x80", 0, "5-byte form"},
        {"\xfe", 0, "byte FE"},
        {"\xff", 0, "byte FF"},
        {"\xc3", 0, "truncated 2-byte at the end"},
        {"\xe2\x82", 0, "truncated 3-byte at the end"},
        {"\xf0\x9f\x98", 0, "truncated 4-byte at the end"},
        {"\xc3(", 0, "2-byte lead followed by ASCII"},
        {"\xe2\x28\xa1", 0, "bad second byte of a 3-byte form"},
        {"\xe2\x82\x28", 0, "bad third byte of a 3-byte form"},
    };
    apr_size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        is_int(gw_text_utf8_valid(cases[i].s, strlen(cases[i].s)),
               cases[i].valid, cases[i].name);
    }
    ok(gw_text_utf8_valid("a\0b", 3), "an embedded NUL is valid UTF-8");
    ok(gw_text_utf8_valid("\xc3\xa9\xff", 2),
       "only len bytes are checked (valid prefix)");
    ok(!gw_text_utf8_valid("\xc3\xa9", 1), "a sequence cut by len is invalid");
}

static void test_utf8_error_at(void)
{
    static const struct {
        const char *s;
        apr_size_t at;
        const char *name;
    } cases[] = {
        {"abc", 3, "valid: len"},
        {"", 0, "empty: 0"},
        {"\xff", 0, "bad first byte"},
        {"ab\xff"
         "cd",
         2, "bad byte after ASCII"},
        {"\xc3\xa9\xc0\x80", 2, "overlong after a valid 2-byte"},
        {"\xe2\x82\xacx\xed\xa0\x80", 4, "surrogate after euro and x"},
        {"a\xe2\x82", 1, "truncated sequence points at its lead byte"},
        {"\xf0\x9f\x98\x80\x80", 4, "stray continuation after an emoji"},
        {"ok\xc3(", 2, "lead byte without continuation"},
    };
    apr_size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        is_int(gw_text_utf8_error_at(cases[i].s, strlen(cases[i].s)),
               cases[i].at, cases[i].name);
    }
}

/* "<decoded>|<len>", or "NULL". */
static const char *unescape(const char *s, int plus)
{
    apr_size_t len = 12345;
    char *out = gw_text_unescape(s, strlen(s), plus, &len, pool);
    apr_size_t i;

    if (!out) {
        return "NULL";
    }
    for (i = 0; i < len; i++) {
        if (out[i] == '\0') {
            out[i] = '0'; /* make NUL bytes visible */
        }
    }
    return apr_psprintf(pool, "%s|%lu", out, (unsigned long)len);
}

static void test_unescape(void)
{
    is(unescape("a%20b", 0), "a b|3", "%20 decodes");
    is(unescape("%41%4a%4A%c3%A9", 0), "AJJé|5",
       "both hex cases, multi-byte result");
    is(unescape("a+b", 1), "a b|3", "+ is a space in form mode");
    is(unescape("a+b", 0), "a+b|3", "+ stays outside form mode");
    is(unescape("%2B", 1), "+|1", "an encoded + stays + in form mode");
    is(unescape("x%00y", 0), "x0y|3", "%00 decodes to a NUL, counted in len");
    is(unescape("", 0), "|0", "empty input");
    is(unescape("%", 0), "NULL", "lone %");
    is(unescape("abc%", 0), "NULL", "% at the end");
    is(unescape("%4", 0), "NULL", "one hex digit");
    is(unescape("a%4x", 0), "NULL", "second digit not hex");
    is(unescape("%zz", 0), "NULL", "no hex digits");
    is(unescape("%%41", 0), "NULL", "%% is not an escape");
    is(unescape("%+1", 1), "NULL", "+ is not a hex digit");
    {
        apr_size_t len = 0;
        char *out = gw_text_unescape("ab%41", 2, 0, &len, pool);

        ok(out && strcmp(out, "ab") == 0 && len == 2, "only n bytes are read");
        out = gw_text_unescape("ab%41", 4, 0, &len, pool);
        ok(out == NULL, "an escape cut by n is malformed");
    }
}

static void test_escape(void)
{
    is(gw_text_escape("AZaz09-._~", pool), "AZaz09-._~",
       "unreserved characters stay");
    is(gw_text_escape("a b/c?d=e&f+g%", pool), "a%20b%2Fc%3Fd%3De%26f%2Bg%25",
       "reserved characters are encoded in upper-case hex");
    is(gw_text_escape("\xc3\xa9\x01\x7f\xff", pool), "%C3%A9%01%7F%FF",
       "non-ASCII and control bytes are encoded");
    is(gw_text_escape("", pool), "", "empty stays empty");
    {
        const char *raw = "we/ird ~ key=+%é";
        const char *enc = gw_text_escape(raw, pool);
        apr_size_t len;

        is(gw_text_unescape(enc, strlen(enc), 0, &len, pool), raw,
           "unescape inverts escape");
    }
}

static void test_b64url(void)
{
    static const struct {
        const char *in, *out;
    } rfc4648[] = {
        {"", ""},
        {"f", "Zg"},
        {"fo", "Zm8"},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg"},
        {"fooba", "Zm9vYmE"},
        {"foobar", "Zm9vYmFy"},
    };
    unsigned char bytes[64];
    apr_size_t i, len;
    int roundtrips = 1;
    unsigned char *dec;

    for (i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
        is(gw_text_b64url_encode((const unsigned char *)rfc4648[i].in,
                                 strlen(rfc4648[i].in), pool),
           rfc4648[i].out,
           apr_psprintf(pool, "RFC 4648 vector '%s', no padding",
                        rfc4648[i].in));
    }
    is(gw_text_b64url_encode((const unsigned char *)"\xfb\xff\xbf", 3, pool),
       "-_-_", "URL-safe alphabet: - and _ instead of + and /");
    for (i = 0; i < sizeof(bytes); i++) {
        bytes[i] = (unsigned char)(i * 37 + 250);
    }
    for (len = 0; len <= sizeof(bytes); len++) {
        const char *enc = gw_text_b64url_encode(bytes, len, pool);
        apr_size_t n = 9999;

        dec = gw_text_b64url_decode(enc, &n, pool);
        if (!dec || n != len || memcmp(dec, bytes, len) != 0
            || strlen(enc) != (len * 4 + 2) / 3 || strchr(enc, '=')) {
            roundtrips = 0;
            diag(apr_psprintf(pool, "round trip failed at length %lu",
                              (unsigned long)len));
        }
    }
    ok(roundtrips, "round trips for lengths 0..64 (every length mod 3)");
    dec = gw_text_b64url_decode("Zm9vYg==", &len, pool);
    ok(dec && len == 4 && memcmp(dec, "foob", 4) == 0,
       "padding is tolerated on input");
    dec = gw_text_b64url_decode("-_-_", &len, pool);
    ok(dec && len == 3 && memcmp(dec, "\xfb\xff\xbf", 3) == 0,
       "URL-safe alphabet decodes");
    dec = gw_text_b64url_decode("", &len, pool);
    ok(dec && len == 0, "empty decodes to empty");
    ok(gw_text_b64url_decode("Zm9vY", &len, pool) == NULL,
       "length 1 mod 4 is invalid");
    ok(gw_text_b64url_decode("Zm9v!A", &len, pool) == NULL,
       "a byte outside the alphabet is invalid");
    ok(gw_text_b64url_decode("Zm 9", &len, pool) == NULL, "a space is invalid");
    ok(gw_text_b64url_decode("Zm9=vg", &len, pool) == NULL,
       "padding inside the text is invalid");
}

static void test_lua_quote_and_prefix(void)
{
    is(gw_text_lua_quote("foo", pool), "\"foo\"", "plain string");
    is(gw_text_lua_quote("", pool), "\"\"", "empty string");
    is(gw_text_lua_quote("a\"b\\c", pool), "\"a\\\"b\\\\c\"",
       "quote and backslash are escaped");
    is(gw_text_lua_quote("x'y é", pool), "\"x'y é\"",
       "single quote and UTF-8 stay");
    ok(gw_text_prefix_ci("Application/JSON; charset=utf-8", "application/json"),
       "prefix ignores case");
    ok(!gw_text_prefix_ci("app", "application/json"),
       "a shorter string is not prefixed");
    ok(gw_text_prefix_ci("anything", ""), "the empty prefix always matches");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    plan(TESTS);
    test_parse_values();
    test_parse_strictness();
    test_parse_depth();
    test_duplicates_and_access();
    test_copy_equal();
    test_sorted_keys();
    test_utf8_valid();
    test_utf8_error_at();
    test_unescape();
    test_escape();
    test_b64url();
    test_lua_quote_and_prefix();
    apr_pool_destroy(pool);
    apr_terminate();
    return exit_status();
}
