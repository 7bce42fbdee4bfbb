/*
 * test_form: form-urlencoded, multipart and query decoding (gw_form) against
 * Kong's Admin API form rules, and the malformed inputs it must refuse.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "gw_form.h"
#include "gw_json.h"
#include "tap.h"

#define TESTS 98

static apr_pool_t *pool;

/* The compact JSON text of a successful decode, "EINVAL" for a refusal
 * that left *out NULL, anything else describes an unexpected outcome. */
static const char *outcome(apr_status_t rv, json_object *out)
{
    if (rv == APR_SUCCESS) {
        return out ? gw_json_text(out, pool) : "success with NULL";
    }
    if (rv == APR_EINVAL && out == NULL) {
        return "EINVAL";
    }
    return apr_psprintf(pool, "status %d, out %p", rv, (void *)out);
}

static const char *url_n(const char *body, apr_size_t len)
{
    json_object *out = (json_object *)&out; /* must be reset by the call */
    apr_status_t rv = gw_form_decode_urlencoded(&out, body, len, pool);

    return outcome(rv, out);
}

static const char *url(const char *body)
{
    return url_n(body, strlen(body));
}

static const char *query(const char *args)
{
    json_object *out = (json_object *)&out;
    apr_status_t rv = gw_form_decode_query(&out, args, pool);

    return outcome(rv, out);
}

/* Multipart bodies are written with \n for readability; every \n is sent
 * as CRLF, as clients do. */
static const char *mp_ct(const char *ctype, const char *text)
{
    json_object *out = (json_object *)&out;
    apr_size_t n = strlen(text), i, o = 0;
    char *body = apr_palloc(pool, n * 2 + 1);
    apr_status_t rv;

    for (i = 0; i < n; i++) {
        if (text[i] == '\n') {
            body[o++] = '\r';
        }
        body[o++] = text[i];
    }
    rv = gw_form_decode_multipart(&out, body, o, ctype, pool);
    return outcome(rv, out);
}

static const char *mp(const char *text)
{
    return mp_ct("multipart/form-data; boundary=XyZ", text);
}

static void test_urlencoded_basics(void)
{
    is(url("name=svc&port=80&enabled=true"),
       "{\"name\":\"svc\",\"port\":\"80\",\"enabled\":\"true\"}",
       "values stay strings, keys keep their order");
    is(url(""), "{}", "empty body gives an empty object");
    is(url("na%6De=hello+w%C3%B6rld%2B1"), "{\"name\":\"hello wörld+1\"}",
       "keys and values percent-decoded, + is a space");
    is(url("pa%74hs%5B%5D=%2Fa"), "{\"paths\":[\"/a\"]}",
       "brackets may be percent-encoded in the key");
    is(url("name="), "{\"name\":null}", "empty value is null");
    is(url("flag&x=1"), "{\"flag\":null,\"x\":\"1\"}", "key without = is null");
    is(url("a=b=c"), "{\"a\":\"b=c\"}", "value keeps later = signs");
    is(url("&&a=1&&=z&"), "{\"a\":\"1\"}",
       "empty fields and empty keys are skipped");
    is(url("host=%E5%86%86&tag=円"), "{\"host\":\"円\",\"tag\":\"円\"}",
       "UTF-8 encoded or raw");
    is(url_n("a=1&b=2garbage", 7), "{\"a\":\"1\",\"b\":\"2\"}",
       "only len bytes are read");
}

static void test_urlencoded_arrays(void)
{
    is(url("paths[]=/a&paths[]=/b"), "{\"paths\":[\"/a\",\"/b\"]}",
       "[] appends");
    is(url("paths=/a&paths=/b&paths=/c"), "{\"paths\":[\"/a\",\"/b\",\"/c\"]}",
       "repeated plain key makes an array");
    is(url("paths=/a"), "{\"paths\":\"/a\"}",
       "a single plain key stays a string (the schema wraps it)");
    is(url("paths[2]=/b&paths[1]=/a"), "{\"paths\":[\"/a\",\"/b\"]}",
       "indexed, ordered by index");
    is(url("paths[0]=/a&paths[1]=/b"), "{\"paths\":[\"/a\",\"/b\"]}",
       "index 0 accepted");
    is(url("paths[9]=/c&paths[2]=/a&paths[4]=/b"),
       "{\"paths\":[\"/a\",\"/b\",\"/c\"]}", "sparse indexes compacted");
    is(url("paths[1]=/x&paths[1]=/y"), "{\"paths\":[\"/y\"]}",
       "the same index twice: the later wins");
    is(url("paths[]=/a&paths=/b"), "{\"paths\":[\"/a\",\"/b\"]}",
       "plain key after an array appends");
    is(url("paths=/a&paths[]=/b"), "{\"paths\":[\"/a\",\"/b\"]}",
       "[] after a plain key merges into one array");
    is(url("paths[3]=/c&paths[]=/d&paths[1]=/a"),
       "{\"paths\":[\"/a\",\"/c\",\"/d\"]}",
       "[] after indexes goes past the largest index");
    is(url("a[]=1&b=2&a[]="), "{\"a\":[\"1\",null],\"b\":\"2\"}",
       "null elements kept");
    is(url("m[1][2]=x&m[1][1]=w&m[2][1]=y"), "{\"m\":[[\"w\",\"x\"],[\"y\"]]}",
       "arrays of arrays");
}

static void test_urlencoded_records(void)
{
    is(url("service.id=X"), "{\"service\":{\"id\":\"X\"}}", "dotted record");
    is(url("service[name]=foo"), "{\"service\":{\"name\":\"foo\"}}",
       "bracketed record");
    is(url("config.key_names[1]=apikey"),
       "{\"config\":{\"key_names\":[\"apikey\"]}}",
       "indexed array inside a record");
    is(url("headers.x-version[]=v1&headers.x-version[]=v2"),
       "{\"headers\":{\"x-version\":[\"v1\",\"v2\"]}}",
       "appended array inside a map");
    is(url("config.minute=5&config.policy=local&name=rate-limiting"),
       "{\"config\":{\"minute\":\"5\",\"policy\":\"local\"},"
       "\"name\":\"rate-limiting\"}",
       "record members gather");
    is(url("config[limits][minute]=5&config.limits.hour=10"),
       "{\"config\":{\"limits\":{\"minute\":\"5\",\"hour\":\"10\"}}}",
       "dots and brackets mix");
    is(url("h[x.y]=1"), "{\"h\":{\"x.y\":\"1\"}}",
       "a bracketed name may hold a dot");
    is(url("t[1].host=a&t[1].port=1&t[2].host=b"),
       "{\"t\":[{\"host\":\"a\",\"port\":\"1\"},{\"host\":\"b\"}]}",
       "records inside an indexed array");
    is(url("t[].host=a&t[].host=b"),
       "{\"t\":[{\"host\":\"a\"},{\"host\":\"b\"}]}",
       "each [] opens a new element");
    is(url("service=x&service.id=y"), "{\"service\":{\"id\":\"y\"}}",
       "scalar then record: the record wins");
    is(url("service.id=y&service=x"), "{\"service\":\"x\"}",
       "record then scalar: the scalar wins");
    is(url("a[1]=x&a.b=y"), "{\"a\":{\"b\":\"y\"}}",
       "array then record: the record wins");
    is(url("a.b=y&a[]=x"), "{\"a\":[\"x\"]}",
       "record then array: the array wins");
    is(url("a[1]=x&a[1].b=y"), "{\"a\":[{\"b\":\"y\"}]}",
       "element then record at that index: the record wins");
    is(url("a[b=1&.x=2&y.=3&p..q=4&[z]=5&q]r=6&s[t]u=7"),
       "{\"a[b\":\"1\",\".x\":\"2\",\"y.\":\"3\",\"p..q\":\"4\","
       "\"[z]\":\"5\",\"q]r\":\"6\",\"s[t]u\":\"7\"}",
       "keys of no known shape stay literal");
}

static void test_urlencoded_malformed(void)
{
    struct {
        const char *body, *name;
    } bad[] = {
        {"a=%zz", "bad escape in a value"},
        {"a=%4", "truncated escape"},
        {"a=1&b=%", "lone %"},
        {"%g1=x", "bad escape in a key"},
        {"%FF=1", "invalid UTF-8 key"},
        {"a=x%00y", "NUL in a value"},
        {"a%00b=1", "NUL in a key"},
        {"=%zz", "bad escape under an empty key"},
        {"a[123456789012345678901]=1", "index too large"},
    };
    apr_size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        is(url(bad[i].body), "EINVAL", bad[i].name);
    }
    is(url("a[999999999999999999]=1"), "{\"a\":[\"1\"]}",
       "an 18-digit index is still an index");
    /* values may hold any bytes: the schema reports bad UTF-8 in the
     * field it belongs to, with Kong's message */
    is(url("a=%C3%28"), "{\"a\":\"\xC3(\"}", "invalid UTF-8 value kept");
    ok(strcmp(url("a=%ED%A0%80"), "EINVAL") != 0, "surrogate value kept");
}

enum field_shape { DISTINCT_KEYS, ONE_KEY, EMPTY_KEYS };

/* n fields: f0=v&f1=v..., f=0&f=1..., or =0&=1... */
static const char *many_fields(int n, enum field_shape shape)
{
    char *s = apr_palloc(pool, (apr_size_t)n * 16 + 1), *c = s;
    const char *sep;
    int i;

    *s = '\0';
    for (i = 0; i < n; i++) {
        sep = i ? "&" : "";
        if (shape == DISTINCT_KEYS) {
            c += sprintf(c, "%sf%d=v", sep, i);
        }
        else if (shape == ONE_KEY) {
            c += sprintf(c, "%sf=%d", sep, i);
        }
        else {
            c += sprintf(c, "%s=%d", sep, i);
        }
    }
    return s;
}

static void test_limits(void)
{
    json_object *out;
    const char *deep, *body;
    char expect[512];
    int i;

    body = many_fields(1000, DISTINCT_KEYS);
    out = NULL;
    is_int(gw_form_decode_urlencoded(&out, body, strlen(body), pool),
           APR_SUCCESS, "1000 fields accepted");
    is_int(out ? json_object_object_length(out) : -1, 1000,
           "1000 fields decoded");
    is(url(many_fields(1001, DISTINCT_KEYS)), "EINVAL", "1001 fields rejected");
    is(url(many_fields(2000, DISTINCT_KEYS)), "EINVAL", "2000 fields rejected");
    is(url(many_fields(2000, ONE_KEY)), "EINVAL",
       "2000 repeats of one key rejected");
    is(url(many_fields(2000, EMPTY_KEYS)), "EINVAL",
       "2000 empty keys rejected");

    deep = "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p";
    strcpy(expect, "");
    for (i = 0; i < 16; i++) {
        strcat(expect, apr_psprintf(pool, "{\"%c\":", 'a' + i));
    }
    strcat(expect, "\"1\"");
    for (i = 0; i < 16; i++) {
        strcat(expect, "}");
    }
    is(url(apr_pstrcat(pool, deep, "=1", NULL)), expect, "16 levels accepted");
    is(url(apr_pstrcat(pool, deep, ".q=1", NULL)), "EINVAL",
       "17 levels rejected");
    is(url("a[][][][][][][][][][][][][][][][]=1"), "EINVAL",
       "17 levels of [] rejected");
}

static void test_query(void)
{
    is(query(NULL), "{}", "NULL args give an empty object");
    is(query(""), "{}", "empty args give an empty object");
    is(query("size=10&offset=WyJhIl0&tags=a%2Cb"),
       "{\"size\":\"10\",\"offset\":\"WyJhIl0\",\"tags\":\"a,b\"}",
       "query values stay strings");
    is(query("tags=&custom_id"), "{\"tags\":null,\"custom_id\":null}",
       "empty and bare query parameters are null");
    is(query("tags=a+b&x[]=1&x[]=2"), "{\"tags\":\"a b\",\"x\":[\"1\",\"2\"]}",
       "same rules as forms");
    is(query("size=%1"), "EINVAL", "bad escape in a query");
}

static void test_multipart(void)
{
    is(mp("--XyZ\n"
          "Content-Disposition: form-data; name=\"name\"\n"
          "\n"
          "svc\n"
          "--XyZ\n"
          "Content-Disposition: form-data; name=\"port\"\n"
          "Content-Type: text/plain\n"
          "\n"
          "80\n"
          "--XyZ--\n"),
       "{\"name\":\"svc\",\"port\":\"80\"}", "two parts, values stay strings");
    is(mp_ct("multipart/form-data; charset=utf-8; boundary=\"a b:c\"",
             "--a b:c\n"
             "Content-Disposition: form-data; name=\"x\"\n\n1\n"
             "--a b:c--"),
       "{\"x\":\"1\"}", "quoted boundary with a space, after another param");
    is(mp_ct("Multipart/Form-Data;BOUNDARY=XyZ ; foo=bar",
             "--XyZ\ncontent-disposition: FORM-DATA; NAME=plain\n\nv\n"
             "--XyZ--"),
       "{\"plain\":\"v\"}",
       "parameter and header names case-insensitive, unquoted name");
    is(mp("preamble text\n"
          "--XyZ\n"
          "Content-Disposition: form-data; name=\"cert\"; "
          "filename=\"c.pem\"\n"
          "Content-Type: application/x-pem-file\n"
          "\n"
          "-----BEGIN CERTIFICATE-----\nMIIB\n--Xy is no delimiter\n"
          "-----END CERTIFICATE-----\n"
          "--XyZ--\n"
          "epilogue\n"),
       "{\"cert\":\"-----BEGIN CERTIFICATE-----\\r\\nMIIB\\r\\n--Xy is no "
       "delimiter\\r\\n-----END CERTIFICATE-----\"}",
       "file part is a plain value; CRLF and -- inside it kept; "
       "preamble and epilogue ignored");
    is(mp("--XyZ\n"
          "Content-Disposition: form-data; name=\"tags\"\n\n\n"
          "--XyZ--"),
       "{\"tags\":null}", "empty part is null");
    is(mp("--XyZ\n"
          "Content-Disposition: form-data; name=\"paths[]\"\n\n/a\n"
          "--XyZ\n"
          "Content-Disposition: form-data; name=\"paths[]\"\n\n/b\n"
          "--XyZ\n"
          "Content-Disposition: form-data; name=\"hosts\"\n\nh1\n"
          "--XyZ\n"
          "Content-Disposition: form-data; name=\"hosts\"\n\nh2\n"
          "--XyZ\n"
          "Content-Disposition: form-data; name=\"config.key_names[1]\"\n\n"
          "apikey\n"
          "--XyZ\n"
          "Content-Disposition: form-data; name=\"service[name]\"\n\nfoo\n"
          "--XyZ\n"
          "Content-Disposition: form-data; name=\"headers.x-v[]\"\n\nv1\n"
          "--XyZ--"),
       "{\"paths\":[\"/a\",\"/b\"],\"hosts\":[\"h1\",\"h2\"],"
       "\"config\":{\"key_names\":[\"apikey\"]},"
       "\"service\":{\"name\":\"foo\"},\"headers\":{\"x-v\":[\"v1\"]}}",
       "part names follow the key rules");
    is(mp("--XyZ\n"
          "Content-Disposition: form-data; name=\"a%20b\"\n\nraw%41\n"
          "--XyZ--"),
       "{\"a%20b\":\"raw%41\"}", "multipart names and values not decoded");
    is(mp("--XyZ\n"
          "Content-Disposition: form-data; name=\"q\\\"uote\"\n\n1\n"
          "--XyZ\n"
          "Content-Disposition: form-data; name=\"x\"; "
          "name*=UTF-8''%E5%86%86\n\n2\n"
          "--XyZ\n"
          "Content-Disposition: form-data; name*=iso-8859-1''x; "
          "name=\"y\"\n\n3\n"
          "--XyZ--"),
       "{\"q\\\"uote\":\"1\",\"円\":\"2\",\"y\":\"3\"}",
       "quoted-pair in a name, RFC 5987 name*, other charsets ignored");
    is(mp("--XyZ\n"
          "Content-Type: text/plain\n\nnameless\n"
          "--XyZ\n"
          "Content-Disposition: attachment; name=\"att\"\n\nx\n"
          "--XyZ\n"
          "Content-Disposition: form-data; filename=\"f\"\n\ny\n"
          "--XyZ\n"
          "\nno headers\n"
          "--XyZ  \t\n"
          "Content-Disposition: form-data; name=\"kept\"\n\nz\n"
          "--XyZ--"),
       "{\"kept\":\"z\"}",
       "parts without a form-data name skipped; padding after a delimiter");
    is(mp("--XyZ--\n"), "{}", "no parts");
    is(mp("\n--XyZ\n"
          "Content-Disposition: form-data; name=\"a\"\n\n1\n"
          "--XyZ--"),
       "{\"a\":\"1\"}", "CRLF before the first delimiter");
}

static void test_multipart_malformed(void)
{
    const char *part = "--XyZ\nContent-Disposition: form-data; name=\"a\"\n"
                       "\n1\n--XyZ--\n";
    json_object *out = (json_object *)&out;
    char *big, *c;
    int i;

    is(mp_ct("multipart/form-data", part), "EINVAL", "no boundary");
    is(mp_ct("multipart/form-data; boundary=", part), "EINVAL",
       "empty boundary");
    is(mp_ct("multipart/form-data; boundary=\"\"", part), "EINVAL",
       "empty quoted boundary");
    is(mp_ct("multipart/form-data; boundary=\"XyZ", part), "EINVAL",
       "unterminated quoted boundary");
    is(mp_ct("multipart/form-data; boundary="
             "x123456789x123456789x123456789x123456789x123456789"
             "x123456789x123456789x",
             part),
       "EINVAL", "71-character boundary");
    ok(gw_form_decode_multipart(&out, part, strlen(part), NULL, pool)
               == APR_EINVAL
           && out == NULL,
       "NULL content type");
    is(mp_ct("multipart/form-data; boundary=Other", part), "EINVAL",
       "body without the boundary");
    is(mp(""), "EINVAL", "empty body");
    is(mp("--XyZ\nContent-Disposition: form-data; name=\"a\"\n\n1\n"), "EINVAL",
       "no closing delimiter");
    is(mp("--XyZ\nContent-Disposition: form-data; name=\"a\"\n\n1"), "EINVAL",
       "truncated inside a value");
    is(mp("--XyZ\nContent-Disposition: form-data; name=\"a\""), "EINVAL",
       "truncated inside the headers");
    is(mp("--XyZ"), "EINVAL", "truncated after the first delimiter");
    is(mp("--XyZ\nContent-Disposition: form-data; name=\"a\"\n\n1\n--XyZ"),
       "EINVAL", "truncated at the last delimiter");
    is(mp("--XyZjunk\nContent-Disposition: form-data; name=\"a\"\n\n1\n"
          "--XyZ--"),
       "EINVAL", "junk after the first delimiter");
    is(mp("--XyZ\nContent-Disposition: form-data; name=\"a\"\n\n1\n"
          "--XyZ inside a value\n--XyZ--"),
       "EINVAL", "delimiter inside a value (RFC 2046 forbids it)");
    is(mp("--XyZ\nno colon here\n\n1\n--XyZ--"), "EINVAL",
       "header line without a colon");
    is(mp("--XyZ\nContent-Disposition: form-data; name=\"a\n\n1\n--XyZ--"),
       "EINVAL", "unterminated quoted name");
    ok(strcmp(mp("--XyZ\nContent-Disposition: form-data; name=\"a\"\n\n"
                 "\xFF\xFE\n--XyZ--"),
              "EINVAL")
           != 0,
       "invalid UTF-8 value is kept for the schema to judge");
    is(mp("--XyZ\nContent-Disposition: form-data; name=\"\xC3\"\n\n1\n"
          "--XyZ--"),
       "EINVAL", "invalid UTF-8 name");
    is(mp("--XyZ\nContent-Disposition: form-data; name*=utf-8''%zz\n\n1\n"
          "--XyZ--"),
       "EINVAL", "bad escape in name*");

    for (i = 1001; i <= 2000; i += 999) {
        int k;

        big = apr_palloc(pool, (apr_size_t)i * 64 + 16);
        c = big;
        for (k = 0; k < i; k++) {
            c += sprintf(c,
                         "--XyZ\nContent-Disposition: form-data; "
                         "name=\"f%d\"\n\nv\n",
                         k);
        }
        strcpy(c, "--XyZ--");
        is(mp(big), "EINVAL", apr_psprintf(pool, "%d parts rejected", i));
    }
    big = apr_palloc(pool, 1000 * 64 + 16);
    c = big;
    for (i = 0; i < 1000; i++) {
        c += sprintf(c,
                     "--XyZ\nContent-Disposition: form-data; "
                     "name=\"f%d\"\n\nv\n",
                     i);
    }
    strcpy(c, "--XyZ--");
    ok(strncmp(mp(big), "{\"f0\":\"v\",", 10) == 0, "1000 parts accepted");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    plan(TESTS);

    diag("urlencoded basics");
    test_urlencoded_basics();
    diag("urlencoded arrays");
    test_urlencoded_arrays();
    diag("urlencoded records");
    test_urlencoded_records();
    diag("urlencoded malformed");
    test_urlencoded_malformed();
    diag("limits");
    test_limits();
    diag("query");
    test_query();
    diag("multipart");
    test_multipart();
    diag("multipart malformed");
    test_multipart_malformed();

    apr_pool_destroy(pool);
    apr_terminate();
    return exit_status();
}
