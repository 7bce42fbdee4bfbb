/*
 * test_yaml: YAML reading as Kong's lyaml types it, the safety bounds
 * (aliases, depth, size, duplicate keys, one document) and the block
 * writer reading back to the same value.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "gw_json.h"
#include "gw_yaml.h"
#include "tap.h"
#include "entity_fixture.h"

/* The document read back as compact JSON, or "ERR: <why>". */
static const char *yaml(const char *text)
{
    json_object *out = NULL;
    const char *why = NULL;

    if (gw_yaml_parse(&out, pool, &why, text, strlen(text), NULL)
        != APR_SUCCESS) {
        return apr_pstrcat(pool, "ERR: ", why ? why : "(no reason)", NULL);
    }
    return out ? gw_json_text(out, pool) : "null";
}

/* The JSON of the value of key "v" in "v: <scalar>". */
static const char *scalar(const char *plain)
{
    const char *doc = yaml(apr_pstrcat(pool, "v: ", plain, NULL));

    if (strncmp(doc, "{\"v\":", 5) != 0) {
        return doc;
    }
    return apr_pstrndup(pool, doc + 5, strlen(doc) - 6);
}

static void test_scalars(void)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"~", "null"},
        {"null", "null"},
        {"NULL", "null"},
        {"", "null"},
        {"true", "true"},
        {"False", "false"},
        {"yes", "true"},
        {"off", "false"},
        {"42", "42"},
        {"-7", "-7"},
        {"1_000", "1000"},
        {"010", "8"},
        {"0x1f", "31"},
        {"0b1010", "10"},
        {"1:30", "90"},
        {"3.5", "3.5"},
        {"3.0", "3"},
        {"1e3", "1000"},
        {"-.5", "-0.5"},
        {"\"3.0\"", "\"3.0\""},
        {"'true'", "\"true\""},
        {"!!str 12", "\"12\""},
        {"hello world", "\"hello world\""},
        {"10.0.0.1:80", "\"10.0.0.1:80\""},
        {"/api/v1", "\"/api/v1\""},
        {"1.2.3", "\"1.2.3\""},
        {"0x", "\"0x\""},
        {"y", "\"y\""},
        {"~/api/v\\d+", "\"~/api/v\\\\d+\""},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        is(scalar(cases[i].in), cases[i].want,
           apr_psprintf(pool, "plain scalar %s", cases[i].in));
    }
    is(scalar(".inf"),
       "ERR: unsupported value '.inf' (JSON has no infinity or NaN) at line "
       "1, column 4",
       ".inf cannot be represented");
    is(yaml("_format_version: \"3.0\"\n"), "{\"_format_version\":\"3.0\"}",
       "a quoted format version stays a string");
    is(yaml("_format_version: 3.0\n"), "{\"_format_version\":3}",
       "an unquoted one is a number, as in lyaml");
    is(yaml("a: |\n  line1\n  line2\nb: >\n  folded\n  text\n"),
       "{\"a\":\"line1\\nline2\\n\",\"b\":\"folded text\\n\"}",
       "literal and folded blocks are strings");
    is(yaml(""), "null", "an empty document is null");
    is(yaml("- 1\n- [a, {b: c}]\n"), "[1,[\"a\",{\"b\":\"c\"}]]",
       "flow collections inside block ones");
}

static void test_anchors(void)
{
    is(yaml("base: &b {x: 1, y: [1, 2]}\nother: *b\n"),
       "{\"base\":{\"x\":1,\"y\":[1,2]},\"other\":{\"x\":1,\"y\":[1,2]}}",
       "an alias copies its anchor");
    is(yaml("a: &s hello\nb: *s\n"), "{\"a\":\"hello\",\"b\":\"hello\"}",
       "scalar anchors");
    is(yaml("d: &d {x: 1, y: 2}\ne:\n  <<: *d\n  y: 3\n"),
       "{\"d\":{\"x\":1,\"y\":2},\"e\":{\"y\":3,\"x\":1}}",
       "merge keys: explicit keys win");
    is(yaml("e:\n  <<: [{a: 1}, {a: 2, b: 2}]\n"), "{\"e\":{\"a\":1,\"b\":2}}",
       "merge of a sequence: earlier mappings win");
    ok(strncmp(yaml("a: *nope\n"), "ERR: unknown alias '*nope'", 26) == 0,
       "unknown alias");
    ok(strncmp(yaml("a: &x [1, *x]\n"),
               "ERR: alias '*x' refers to its own container", 43)
           == 0,
       "recursive alias");
    ok(strncmp(yaml("e:\n  <<: 5\n"),
               "ERR: '<<' merges something that is not a mapping", 48)
           == 0,
       "merge of a scalar");
}

static void test_billion_laughs(void)
{
    const char *bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\","
                       "\"lol\",\"lol\",\"lol\"]\n"
                       "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                       "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                       "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                       "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
                       "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                       "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
                       "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
                       "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
    const char *big = "s: &s \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n"
                      "l: [*s, *s, *s, *s, *s, *s, *s, *s, *s, *s, *s, *s]\n";
    gw_yaml_limits_t lim = {0};
    json_object *out;
    const char *why;
    clock_t start = clock();
    apr_status_t rv;

    rv = gw_yaml_parse(&out, pool, &why, bomb, strlen(bomb), NULL);
    is_int(rv, APR_ENOSPC, "billion laughs is refused");
    ok(why && strstr(why, "document expands to more than 1000000 values"),
       apr_psprintf(pool, "with a reason: %s", why ? why : "(none)"));
    ok((double)(clock() - start) / CLOCKS_PER_SEC < 2.0,
       "and quickly (the expansion is charged before it is copied)");
    lim.max_expanded_bytes = 1000;
    rv = gw_yaml_parse(&out, pool, &why, big, strlen(big), &lim);
    is_int(rv, APR_ENOSPC, "aliases of long strings count their bytes");
    lim.max_expanded_bytes = 0;
    lim.max_bytes = 10;
    rv = gw_yaml_parse(&out, pool, &why, big, strlen(big), &lim);
    is(why, "document is 159 bytes, more than the limit of 10",
       "input size limit");
}

static void test_structure(void)
{
    char *deep = apr_palloc(pool, 300);
    int i;

    is(yaml("a: 1\nb: 2\na: 3\n"),
       "ERR: duplicate key 'a' in a mapping at line 3, column 1",
       "duplicate keys are an error");
    is(yaml("x:\n  \"k\": 1\n  k: 2\n"),
       "ERR: duplicate key 'k' in a mapping at line 3, column 3",
       "a quoted and a plain spelling of one key are duplicates");
    is(yaml("a: 1\n---\nb: 2\n"),
       "ERR: only one YAML document is allowed at line 2, column 1",
       "one document only");
    is(yaml("? [a, b]\n: 1\n"),
       "ERR: a mapping key must be a scalar at line 1, column 3",
       "complex keys are refused");
    ok(strncmp(yaml("a: [1, 2\n"), "ERR: ", 5) == 0,
       "syntax errors are reported");
    for (i = 0; i < 100; i++) {
        deep[i] = '[';
    }
    deep[100] = '\0';
    is(yaml(deep),
       "ERR: document nests deeper than 64 levels at line 1, column 65",
       "depth limit");
}

static const char *emit(json_object *v)
{
    const char *text;

    if (gw_yaml_emit(&text, pool, NULL, v) != APR_SUCCESS) {
        return "(emit failed)";
    }
    return text;
}

static void test_emit(void)
{
    const char *doc =
        "{\"_format_version\":\"3.0\",\"services\":[{\"name\":\"s1\","
        "\"port\":80,\"path\":null,\"enabled\":true,\"tags\":[\"a\",\"true\"],"
        "\"weight\":1.5,\"host\":\"10.0.0.1\",\"n\":\"123\",\"e\":\"\","
        "\"colon\":\"a: b\",\"dash\":\"- x\",\"hash\":\"#x\","
        "\"cert\":\"-----BEGIN-----\\nabc\\n-----END-----\\n\","
        "\"empty\":[],\"obj\":{},\"u\":\"h\\u00e9\"}]}";
    json_object *v = json(doc);
    const char *text = emit(v);
    json_object *back = NULL;
    const char *why;

    is(text,
       "_format_version: \"3.0\"\n"
       "services:\n"
       "- name: s1\n"
       "  port: 80\n"
       "  path: null\n"
       "  enabled: true\n"
       "  tags:\n"
       "  - a\n"
       "  - \"true\"\n"
       "  weight: 1.5\n"
       "  host: 10.0.0.1\n"
       "  \"n\": \"123\"\n"
       "  e: \"\"\n"
       "  colon: 'a: b'\n"
       "  dash: '- x'\n"
       "  hash: '#x'\n"
       "  cert: |\n"
       "    -----BEGIN-----\n"
       "    abc\n"
       "    -----END-----\n"
       "  empty: []\n"
       "  obj: {}\n"
       "  u: h\xc3\xa9\n",
       "block YAML with strings quoted only where needed");
    ok(gw_yaml_parse(&back, pool, &why, text, strlen(text), NULL) == APR_SUCCESS
           && gw_json_equal(back, v),
       "and it reads back to the same value");
    is(emit(json("[]")), "[]\n", "an empty top-level array");
}

static void test_any(void)
{
    json_object *out;
    const char *why;
    const char *j = "  {\"a\": [1, 2], \"b\": \"x\"}";

    ok(gw_yaml_parse_any(&out, pool, &why, j, strlen(j), NULL) == APR_SUCCESS
           && strcmp(gw_json_text(out, pool), "{\"a\":[1,2],\"b\":\"x\"}") == 0,
       "JSON text goes through the JSON parser");
    ok(gw_yaml_parse_any(&out, pool, &why, "{'a': 1}", 8, NULL) == APR_EGENERAL
           && strcmp(why, "invalid JSON") == 0,
       "strictly");
    ok(gw_yaml_parse_any(&out, pool, &why, "a: 1", 4, NULL) == APR_SUCCESS
           && strcmp(gw_json_text(out, pool), "{\"a\":1}") == 0,
       "anything else is YAML");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_scalars();
    test_anchors();
    test_billion_laughs();
    test_structure();
    test_emit();
    test_any();
    apr_pool_destroy(pool);
    apr_terminate();
    return exit_status();
}
