/*
 * gw_json: json-c glued to APR pools. See gw_json.h.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "gw_json.h"
#include "gw_text.h"

static apr_status_t json_release(void *data)
{
    json_object_put(data);
    return APR_SUCCESS;
}

json_object *gw_json_own(apr_pool_t *p, json_object *obj)
{
    if (obj) {
        apr_pool_cleanup_register(p, obj, json_release, apr_pool_cleanup_null);
    }
    return obj;
}

/* json-c accepts 'single-quoted' strings even in strict mode; JSON does
 * not, and neither does Kong. */
static int has_single_quotes(const char *buf, apr_size_t len)
{
    apr_size_t i;
    int in_string = 0;

    for (i = 0; i < len; i++) {
        if (in_string) {
            if (buf[i] == '\\') {
                i++;
            }
            else if (buf[i] == '"') {
                in_string = 0;
            }
        }
        else if (buf[i] == '"') {
            in_string = 1;
        }
        else if (buf[i] == '\'') {
            return 1;
        }
    }
    return 0;
}

/* The end of the JSON string that starts at s (its opening quote), in
 * text already known to be valid JSON. */
static const char *string_end(const char *s, const char *end)
{
    for (s++; s < end && *s != '"'; s++) {
        if (*s == '\\') {
            s++;
        }
    }
    return s;
}

/* The keys of the objects being scanned: one stack of (text, length)
 * for every open object, each object's keys from its `start`. Objects are
 * searched linearly while small; one with more than HASHED_FROM keys gets
 * a hash of them. */
#define HASHED_FROM 32

typedef struct json_key_s {
    const char *text;
    apr_size_t len;
} json_key_t;

typedef struct scope_s {
    int is_object;
    int start;       /* its first key in the key stack */
    apr_hash_t *big; /* its keys once it has many */
} scope_t;

static int seen_before(apr_array_header_t *keys, scope_t *sc, const char *k,
                       apr_size_t len, apr_pool_t *p)
{
    int i, n = keys->nelts - sc->start;

    if (sc->big) {
        if (apr_hash_get(sc->big, k, (apr_ssize_t)len)) {
            return 1;
        }
        apr_hash_set(sc->big, k, (apr_ssize_t)len, "");
        return 0;
    }
    for (i = sc->start; i < keys->nelts; i++) {
        const json_key_t *o = &APR_ARRAY_IDX(keys, i, json_key_t);

        if (o->len == len && memcmp(o->text, k, len) == 0) {
            return 1;
        }
    }
    if (n >= HASHED_FROM) {
        sc->big = apr_hash_make(p);
        for (i = sc->start; i < keys->nelts; i++) {
            const json_key_t *o = &APR_ARRAY_IDX(keys, i, json_key_t);

            apr_hash_set(sc->big, o->text, (apr_ssize_t)o->len, "");
        }
        apr_hash_set(sc->big, k, (apr_ssize_t)len, "");
    }
    return 0;
}

/* The first key an object of valid JSON text names twice, or NULL. Keys
 * are compared as written (an escaped spelling of the same key is not
 * caught). Objects nest at most GW_JSON_MAX_DEPTH deep (the parser
 * checked). */
static const char *duplicate_key(const char *buf, apr_size_t len, apr_pool_t *p)
{
    scope_t scope[GW_JSON_MAX_DEPTH + 1];
    const char *s = buf, *end = buf + len, *found = NULL;
    int depth = -1, expect_key = 0;
    apr_array_header_t *keys;
    apr_pool_t *scratch;

    apr_pool_create(&scratch, p);
    keys = apr_array_make(scratch, 64, sizeof(json_key_t));
    for (; s < end && !found; s++) {
        switch (*s) {
            case '{':
            case '[':
                if (depth == GW_JSON_MAX_DEPTH) {
                    goto done;
                }
                depth++;
                scope[depth].is_object = *s == '{';
                scope[depth].start = keys->nelts;
                scope[depth].big = NULL;
                expect_key = scope[depth].is_object;
                break;
            case '}':
            case ']':
                keys->nelts = scope[depth].start;
                depth--;
                expect_key = 0;
                break;
            case ',':
                expect_key = depth >= 0 && scope[depth].is_object;
                break;
            case '"': {
                const char *close = string_end(s, end);

                if (expect_key) {
                    apr_size_t klen = (apr_size_t)(close - s - 1);
                    json_key_t *k;

                    if (seen_before(keys, &scope[depth], s + 1, klen,
                                    scratch)) {
                        found = apr_pstrndup(p, s + 1, klen);
                    }
                    k = apr_array_push(keys);
                    k->text = s + 1;
                    k->len = klen;
                    expect_key = 0;
                }
                s = close;
                break;
            }
            default:
                break;
        }
    }
done:
    apr_pool_destroy(scratch);
    return found;
}

apr_status_t gw_json_parse(json_object **out, int *is_null, const char *buf,
                           apr_size_t len, apr_pool_t *p)
{
    const char *why;

    return gw_json_parse_why(out, is_null, &why, buf, len, p);
}

apr_status_t gw_json_parse_why(json_object **out, int *is_null,
                               const char **why, const char *buf,
                               apr_size_t len, apr_pool_t *p)
{
    json_tokener *tok;
    json_object *obj;
    enum json_tokener_error jerr;
    apr_size_t used, i;
    const char *dup;

    *out = NULL;
    *why = "invalid JSON";
    if (is_null) {
        *is_null = 0;
    }
    if (len > (apr_size_t)INT32_MAX) {
        *why = "too large";
        return APR_EGENERAL;
    }
    if (!gw_text_utf8_valid(buf, len)) {
        *why = "invalid UTF-8";
        return APR_EGENERAL;
    }
    if (has_single_quotes(buf, len)) {
        return APR_EGENERAL;
    }
    tok = json_tokener_new_ex(GW_JSON_MAX_DEPTH);
    if (!tok) {
        return APR_ENOMEM;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    obj = json_tokener_parse_ex(tok, buf, (int)len);
    jerr = json_tokener_get_error(tok);
    used = (apr_size_t)json_tokener_get_parse_end(tok);
    if (jerr == json_tokener_continue) {
        /* a number or literal at the very end waits for a delimiter */
        obj = json_tokener_parse_ex(tok, "", 1);
        jerr = json_tokener_get_error(tok);
        used = len;
    }
    json_tokener_free(tok);
    if (jerr != json_tokener_success) {
        json_object_put(obj);
        *why = jerr == json_tokener_error_depth
                   ? apr_psprintf(p, "nested deeper than %d levels",
                                  GW_JSON_MAX_DEPTH)
                   : apr_pstrcat(p, "invalid JSON: ",
                                 json_tokener_error_desc(jerr), NULL);
        return APR_EGENERAL;
    }
    for (i = used; i < len; i++) {
        if (!buf[i] || !strchr(" \t\r\n", buf[i])) {
            json_object_put(obj);
            return APR_EGENERAL;
        }
    }
    if ((dup = duplicate_key(buf, used, p))) {
        json_object_put(obj);
        *why = apr_psprintf(p, "duplicate key '%s'", dup);
        return APR_EGENERAL;
    }
    if (!obj && is_null) {
        *is_null = 1;
    }
    *out = gw_json_own(p, obj);
    return APR_SUCCESS;
}

const char *gw_json_text(const json_object *obj, apr_pool_t *p)
{
    return apr_pstrdup(
        p, json_object_to_json_string_ext(
               (json_object *)obj,
               JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

json_object *gw_json_copy(const json_object *obj, apr_pool_t *p)
{
    json_object *copy = NULL;

    if (!obj) {
        return NULL;
    }
    if (json_object_deep_copy((json_object *)obj, &copy, NULL) != 0) {
        return NULL;
    }
    return gw_json_own(p, copy);
}

json_object *gw_json_get(const json_object *obj, const char *key)
{
    json_object *v = NULL;

    if (!obj || !json_object_is_type(obj, json_type_object)) {
        return NULL;
    }
    json_object_object_get_ex(obj, key, &v);
    return v;
}

const char *gw_json_str(const json_object *obj, const char *key)
{
    json_object *v = gw_json_get(obj, key);

    if (!v || !json_object_is_type(v, json_type_string)) {
        return NULL;
    }
    return json_object_get_string(v);
}

int gw_json_has(const json_object *obj, const char *key)
{
    if (!obj || !json_object_is_type(obj, json_type_object)) {
        return 0;
    }
    return json_object_object_get_ex(obj, key, NULL);
}

int gw_json_equal(const json_object *a, const json_object *b)
{
    return json_object_equal((json_object *)a, (json_object *)b);
}

json_object *gw_json_new_str(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **gw_json_sorted_keys(const json_object *obj, int *n, apr_pool_t *p)
{
    const char **keys;
    int count = 0;

    *n = 0;
    if (!obj || !json_object_is_type(obj, json_type_object)) {
        return NULL;
    }
    keys = apr_palloc(
        p, sizeof(*keys) * ((apr_size_t)json_object_object_length(obj) + 1));
    json_object_object_foreach ((json_object *)obj, k, v) {
        (void)v;
        keys[count++] = k;
    }
    qsort(keys, (size_t)count, sizeof(*keys), key_cmp);
    keys[count] = NULL;
    *n = count;
    return keys;
}
