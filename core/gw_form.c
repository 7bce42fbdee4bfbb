/*
 * gw_form: form-encoded and multipart bodies as JSON. See gw_form.h.
 *
 * Fields are first gathered into a small tree in a scratch pool, where each
 * array element remembers its index so that `[N]` fields may arrive in any
 * order; the finished tree is converted to json-c in one pass and the
 * scratch pool is destroyed.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <apr_hash.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "gw_form.h"
#include "gw_json.h"
#include "gw_text.h"

typedef enum { FORM_VALUE, FORM_OBJECT, FORM_ARRAY } form_kind_e;

typedef struct form_node_t form_node_t;

/* Indexes within one array are unique: `[N]` replaces, appends take the
 * largest index plus one. */
typedef struct {
    apr_int64_t index;
    form_node_t *node;
} form_item_t;

typedef struct {
    const char *name;
    form_node_t *node;
} form_member_t;

struct form_node_t {
    form_kind_e kind;
    const char *value; /* FORM_VALUE: NULL is JSON null */
    apr_size_t len;
    apr_hash_t *names;           /* FORM_OBJECT: name -> form_member_t * */
    apr_array_header_t *members; /* FORM_OBJECT: form_member_t *, in order */
    apr_array_header_t *items;   /* FORM_ARRAY: form_item_t * */
};

typedef enum { SEG_NAME, SEG_INDEX, SEG_APPEND } form_seg_e;

typedef struct {
    form_seg_e kind;
    const char *name;
    apr_int64_t index;
} form_seg_t;

typedef struct {
    apr_pool_t *pool; /* scratch: the tree and every decoded string */
    form_node_t *root;
    int fields;
} form_builder_t;

/* ------------------------------------------------------------ key paths */

/* Splits key into at most GW_FORM_MAX_DEPTH segments. A key whose shape
 * does not parse is one literal name; too many levels, or an index past 18
 * digits (which would not fit 64 bits), is APR_EINVAL. */
static apr_status_t form_key_parse(form_seg_t *segs, int *n, const char *key,
                                   apr_pool_t *p)
{
    const char *c = key;
    apr_size_t span = strcspn(c, ".[]");
    int count = 0;

    if (span == 0) {
        goto literal;
    }
    segs[count].kind = SEG_NAME;
    segs[count++].name = apr_pstrmemdup(p, c, span);
    c += span;
    while (*c) {
        form_seg_t seg = {SEG_NAME, NULL, 0};

        if (*c == '.') {
            c++;
            span = strcspn(c, ".[]");
            if (span == 0) {
                goto literal;
            }
            seg.name = apr_pstrmemdup(p, c, span);
            c += span;
        }
        else if (*c == '[') {
            c++;
            span = strcspn(c, "[]");
            if (c[span] != ']') {
                goto literal;
            }
            if (span == 0) {
                seg.kind = SEG_APPEND;
            }
            else if (strspn(c, "0123456789") == span) {
                if (span > 18) {
                    return APR_EINVAL;
                }
                seg.kind = SEG_INDEX;
                seg.index = apr_atoi64(apr_pstrmemdup(p, c, span));
            }
            else {
                seg.name = apr_pstrmemdup(p, c, span);
            }
            c += span + 1;
        }
        else {
            goto literal; /* a stray ']' */
        }
        if (count == GW_FORM_MAX_DEPTH) {
            return APR_EINVAL;
        }
        segs[count++] = seg;
    }
    *n = count;
    return APR_SUCCESS;

literal:
    segs[0].kind = SEG_NAME;
    segs[0].name = key;
    *n = 1;
    return APR_SUCCESS;
}

/* ------------------------------------------------------------ the tree */

static form_node_t *form_node_make(apr_pool_t *p, form_kind_e kind)
{
    form_node_t *node = apr_pcalloc(p, sizeof(*node));

    node->kind = kind;
    if (kind == FORM_OBJECT) {
        node->names = apr_hash_make(p);
        node->members = apr_array_make(p, 4, sizeof(form_member_t *));
    }
    else if (kind == FORM_ARRAY) {
        node->items = apr_array_make(p, 4, sizeof(form_item_t *));
    }
    return node;
}

/* Adds an empty element at index to array arr; returns its node slot. */
static form_node_t **form_item_add(apr_pool_t *p, form_node_t *arr,
                                   apr_int64_t index)
{
    form_item_t *item = apr_pcalloc(p, sizeof(*item));

    item->index = index;
    APR_ARRAY_PUSH(arr->items, form_item_t *) = item;
    return &item->node;
}

/* The index an append takes: one past the largest, as Lua's #t + 1. */
static apr_int64_t form_next_index(const form_node_t *arr)
{
    apr_int64_t next = 1;
    int i;

    for (i = 0; i < arr->items->nelts; i++) {
        const form_item_t *item = APR_ARRAY_IDX(arr->items, i, form_item_t *);

        if (item->index >= next) {
            next = item->index + 1;
        }
    }
    return next;
}

/* Turns a value node into a one-element array holding that value. */
static void form_to_array(apr_pool_t *p, form_node_t *node)
{
    form_node_t *old = apr_pmemdup(p, node, sizeof(*node));

    node->kind = FORM_ARRAY;
    node->value = NULL;
    node->len = 0;
    node->items = apr_array_make(p, 4, sizeof(form_item_t *));
    *form_item_add(p, node, 1) = old;
}

/* Returns the slot that seg names in parent (an object for SEG_NAME, an
 * array otherwise), creating it empty when absent. */
static form_node_t **form_slot(apr_pool_t *p, form_node_t *parent,
                               const form_seg_t *seg)
{
    form_member_t *m;
    int i;

    if (seg->kind == SEG_NAME) {
        m = apr_hash_get(parent->names, seg->name, APR_HASH_KEY_STRING);
        if (!m) {
            m = apr_pcalloc(p, sizeof(*m));
            m->name = seg->name;
            apr_hash_set(parent->names, m->name, APR_HASH_KEY_STRING, m);
            APR_ARRAY_PUSH(parent->members, form_member_t *) = m;
        }
        return &m->node;
    }
    if (seg->kind == SEG_INDEX) {
        for (i = 0; i < parent->items->nelts; i++) {
            form_item_t *item = APR_ARRAY_IDX(parent->items, i, form_item_t *);

            if (item->index == seg->index) {
                return &item->node;
            }
        }
        return form_item_add(p, parent, seg->index);
    }
    return form_item_add(p, parent, form_next_index(parent));
}

/* Stores value (NULL for JSON null) at the path key names. */
static apr_status_t form_put(form_builder_t *b, const char *key,
                             const char *value, apr_size_t len)
{
    form_seg_t segs[GW_FORM_MAX_DEPTH];
    form_node_t *node = b->root, *leaf, **slot;
    apr_status_t rv;
    int n, i;

    rv = form_key_parse(segs, &n, key, b->pool);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    for (i = 0; i + 1 < n; i++) {
        form_kind_e need =
            segs[i + 1].kind == SEG_NAME ? FORM_OBJECT : FORM_ARRAY;

        slot = form_slot(b->pool, node, &segs[i]);
        if (*slot && (*slot)->kind == FORM_VALUE && need == FORM_ARRAY) {
            form_to_array(b->pool, *slot);
        }
        else if (!*slot || (*slot)->kind != need) {
            *slot = form_node_make(b->pool, need); /* the later field wins */
        }
        node = *slot;
    }
    leaf = form_node_make(b->pool, FORM_VALUE);
    leaf->value = value;
    leaf->len = len;
    slot = form_slot(b->pool, node, &segs[n - 1]);
    if (*slot && segs[n - 1].kind == SEG_NAME && (*slot)->kind != FORM_OBJECT) {
        /* a repeated plain key collects its values */
        if ((*slot)->kind == FORM_VALUE) {
            form_to_array(b->pool, *slot);
        }
        *form_item_add(b->pool, *slot, form_next_index(*slot)) = leaf;
    }
    else {
        *slot = leaf;
    }
    return APR_SUCCESS;
}

static int form_item_cmp(const void *a, const void *b)
{
    const form_item_t *x = *(form_item_t *const *)a;
    const form_item_t *y = *(form_item_t *const *)b;

    return x->index < y->index ? -1 : x->index > y->index;
}

/* Converts node to json-c; *out is a new reference (NULL for JSON null). */
static apr_status_t form_json(json_object **out, const form_node_t *node)
{
    json_object *obj, *child;
    apr_status_t rv = APR_SUCCESS;
    int i;

    *out = NULL;
    if (node->kind == FORM_VALUE) {
        if (node->value) {
            *out = json_object_new_string_len(node->value, (int)node->len);
            return *out ? APR_SUCCESS : APR_ENOMEM;
        }
        return APR_SUCCESS;
    }
    if (node->kind == FORM_OBJECT) {
        obj = json_object_new_object();
        for (i = 0; obj && !rv && i < node->members->nelts; i++) {
            const form_member_t *m =
                APR_ARRAY_IDX(node->members, i, form_member_t *);

            rv = form_json(&child, m->node);
            if (!rv && json_object_object_add(obj, m->name, child) != 0) {
                json_object_put(child);
                rv = APR_ENOMEM;
            }
        }
    }
    else {
        qsort(node->items->elts, (size_t)node->items->nelts,
              sizeof(form_item_t *), form_item_cmp);
        obj = json_object_new_array_ext(node->items->nelts);
        for (i = 0; obj && !rv && i < node->items->nelts; i++) {
            rv = form_json(&child,
                           APR_ARRAY_IDX(node->items, i, form_item_t *)->node);
            if (!rv && json_object_array_add(obj, child) != 0) {
                json_object_put(child);
                rv = APR_ENOMEM;
            }
        }
    }
    if (!obj || rv != APR_SUCCESS) {
        json_object_put(obj);
        return rv != APR_SUCCESS ? rv : APR_ENOMEM;
    }
    *out = obj;
    return APR_SUCCESS;
}

/* ------------------------------------------------------------ fields */

static apr_status_t form_begin(form_builder_t *b, apr_pool_t *p)
{
    apr_status_t rv = apr_pool_create(&b->pool, p);

    if (rv != APR_SUCCESS) {
        return rv;
    }
    b->root = form_node_make(b->pool, FORM_OBJECT);
    b->fields = 0;
    return APR_SUCCESS;
}

/* Converts the tree when rv is APR_SUCCESS and frees the scratch pool. */
static apr_status_t form_end(json_object **out, form_builder_t *b,
                             apr_status_t rv, apr_pool_t *p)
{
    json_object *root = NULL;

    if (rv == APR_SUCCESS) {
        rv = form_json(&root, b->root);
    }
    apr_pool_destroy(b->pool);
    if (rv == APR_SUCCESS) {
        *out = gw_json_own(p, root);
    }
    return rv;
}

/* Copies s[0..n), percent-decoding it for urlencoded input. NULL when the
 * escape is bad, the text holds a NUL byte (which the C strings downstream
 * and PostgreSQL text cannot carry) or, for keys, is not UTF-8. Values may
 * be any bytes: the schema validation reports bad UTF-8 in a field with
 * Kong's message and position. */
static const char *form_text(const char *s, apr_size_t *n, int urlencoded,
                             int is_key, apr_pool_t *p)
{
    const char *t = urlencoded ? gw_text_unescape(s, *n, 1, n, p)
                               : apr_pstrmemdup(p, s, *n);

    if (!t || memchr(t, '\0', *n) || (is_key && !gw_text_utf8_valid(t, *n))) {
        return NULL;
    }
    return t;
}

/* Adds one field. key NULL (a multipart part without a name) and an empty
 * key only count towards the cap; val NULL or empty is JSON null. */
static apr_status_t form_field(form_builder_t *b, const char *key,
                               apr_size_t klen, const char *val,
                               apr_size_t vlen, int urlencoded)
{
    if (++b->fields > GW_FORM_MAX_FIELDS) {
        return APR_EINVAL;
    }
    if (!key) {
        return APR_SUCCESS;
    }
    key = form_text(key, &klen, urlencoded, 1, b->pool);
    if (!key) {
        return APR_EINVAL;
    }
    if (val && vlen > 0) {
        val = form_text(val, &vlen, urlencoded, 0, b->pool);
        if (!val) {
            return APR_EINVAL;
        }
    }
    if (!val || vlen == 0) {
        val = NULL;
        vlen = 0;
    }
    if (klen == 0) {
        return APR_SUCCESS;
    }
    return form_put(b, key, val, vlen);
}

apr_status_t gw_form_decode_urlencoded(json_object **out, const char *body,
                                       apr_size_t len, apr_pool_t *p)
{
    form_builder_t b;
    apr_status_t rv;
    apr_size_t pos = 0;

    *out = NULL;
    if (len > INT_MAX) {
        return APR_EINVAL;
    }
    rv = form_begin(&b, p);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    while (pos < len && rv == APR_SUCCESS) {
        const char *field = body + pos;
        const char *amp = memchr(field, '&', len - pos);
        apr_size_t flen = amp ? (apr_size_t)(amp - field) : len - pos;
        const char *eq = memchr(field, '=', flen);

        pos += flen + 1;
        if (flen == 0) {
            continue;
        }
        if (eq) {
            rv = form_field(&b, field, (apr_size_t)(eq - field), eq + 1,
                            flen - (apr_size_t)(eq - field) - 1, 1);
        }
        else {
            rv = form_field(&b, field, flen, NULL, 0, 1);
        }
    }
    return form_end(out, &b, rv, p);
}

apr_status_t gw_form_decode_query(json_object **out, const char *args,
                                  apr_pool_t *p)
{
    return gw_form_decode_urlencoded(out, args ? args : "",
                                     args ? strlen(args) : 0, p);
}

/* ------------------------------------------------------------ multipart */

static const char *form_skip_ws(const char *c)
{
    while (*c == ' ' || *c == '\t') {
        c++;
    }
    return c;
}

/* The length of s[0..n) without trailing blanks. */
static apr_size_t form_trim(const char *s, apr_size_t n)
{
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
        n--;
    }
    return n;
}

/* The first occurrence of needle in hay[0..hlen), or NULL. */
static const char *form_find(const char *hay, apr_size_t hlen,
                             const char *needle, apr_size_t nlen)
{
    const char *end = hay + hlen, *c = hay;

    while ((apr_size_t)(end - c) >= nlen
           && (c = memchr(c, needle[0], (apr_size_t)(end - c) - nlen + 1))) {
        if (memcmp(c, needle, nlen) == 0) {
            return c;
        }
        c++;
    }
    return NULL;
}

/* Finds parameter name (case-insensitive; the first one wins) in a header
 * value shaped `type; a=token; b="quoted \" string"`. *value is NULL when
 * absent; APR_EINVAL for an unterminated quoted string or junk after it. */
static apr_status_t form_param(const char **value, const char *header,
                               const char *name, apr_pool_t *p)
{
    const char *c = strchr(header, ';');

    *value = NULL;
    while (c && *c == ';') {
        const char *pname, *val;
        apr_size_t span;

        c = form_skip_ws(c + 1);
        span = strcspn(c, "=;");
        pname = apr_pstrmemdup(p, c, form_trim(c, span));
        c += span;
        if (*c != '=') {
            continue; /* a parameter without a value */
        }
        c = form_skip_ws(c + 1);
        if (*c == '"') {
            char *q = apr_palloc(p, strlen(c));
            apr_size_t o = 0;

            for (c++; *c && *c != '"'; c++) {
                if (*c == '\\' && c[1]) {
                    c++;
                }
                q[o++] = *c;
            }
            if (*c != '"') {
                return APR_EINVAL;
            }
            q[o] = '\0';
            val = q;
            c = form_skip_ws(c + 1);
            if (*c && *c != ';') {
                return APR_EINVAL;
            }
        }
        else {
            span = strcspn(c, ";");
            val = apr_pstrmemdup(p, c, form_trim(c, span));
            c += span;
        }
        if (!*value && strcasecmp(pname, name) == 0) {
            *value = val;
        }
    }
    return APR_SUCCESS;
}

/* The delimiter line that separates parts: CRLF, "--", the boundary. */
static apr_status_t form_delimiter(const char **delim, const char *content_type,
                                   apr_pool_t *p)
{
    const char *boundary;
    apr_size_t n, i;
    apr_status_t rv;

    rv = form_param(&boundary, content_type, "boundary", p);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    /* RFC 2046: 1 to 70 printable characters, not ending in a space */
    n = boundary ? strlen(boundary) : 0;
    if (n == 0 || n > 70 || boundary[n - 1] == ' ') {
        return APR_EINVAL;
    }
    for (i = 0; i < n; i++) {
        if (boundary[i] < 0x20 || boundary[i] > 0x7E) {
            return APR_EINVAL;
        }
    }
    *delim = apr_pstrcat(p, "\r\n--", boundary, NULL);
    return APR_SUCCESS;
}

/* Reads the field name from a Content-Disposition value; *name stays NULL
 * unless it is form-data with a name. RFC 5987 `name*=UTF-8''...` wins. */
static apr_status_t form_disposition(const char **name, apr_size_t *nlen,
                                     const char *value, apr_pool_t *p)
{
    const char *type = form_skip_ws(value), *plain, *ext;
    apr_size_t span = form_trim(type, strcspn(type, ";"));
    apr_status_t rv;

    if (span != 9 || strncasecmp(type, "form-data", 9) != 0) {
        return APR_SUCCESS;
    }
    rv = form_param(&ext, value, "name*", p);
    if (rv == APR_SUCCESS) {
        rv = form_param(&plain, value, "name", p);
    }
    if (rv != APR_SUCCESS) {
        return rv;
    }
    if (ext && gw_text_prefix_ci(ext, "utf-8''")) {
        *name = gw_text_unescape(ext + 7, strlen(ext + 7), 0, nlen, p);
        return *name ? APR_SUCCESS : APR_EINVAL;
    }
    if (plain) {
        *name = plain;
        *nlen = strlen(plain);
    }
    return APR_SUCCESS;
}

/* Reads a part's header lines from *pos up to and past the empty line. */
static apr_status_t form_part_headers(const char **name, apr_size_t *nlen,
                                      const char **pos, const char *end,
                                      apr_pool_t *p)
{
    const char *c = *pos;
    int seen = 0;

    *name = NULL;
    *nlen = 0;
    for (;;) {
        const char *eol = form_find(c, (apr_size_t)(end - c), "\r\n", 2);
        char *line, *colon;

        if (!eol) {
            return APR_EINVAL;
        }
        if (eol == c) {
            *pos = c + 2;
            return APR_SUCCESS;
        }
        line = apr_pstrmemdup(p, c, (apr_size_t)(eol - c));
        colon = strchr(line, ':');
        if (!colon) {
            return APR_EINVAL;
        }
        *colon = '\0';
        if (!seen && strcasecmp(line, "Content-Disposition") == 0) {
            apr_status_t rv = form_disposition(name, nlen, colon + 1, p);

            if (rv != APR_SUCCESS) {
                return rv;
            }
            seen = 1;
        }
        c = eol + 2;
    }
}

static apr_status_t form_parts(form_builder_t *b, const char *body,
                               apr_size_t len, const char *delim)
{
    apr_size_t dlen = strlen(delim);
    const char *end = body + len, *c, *at;

    /* the first delimiter may open the body without its CRLF; anything
     * before it is preamble */
    if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0) {
        c = body + dlen - 2;
    }
    else {
        at = form_find(body, len, delim, dlen);
        if (!at) {
            return APR_EINVAL;
        }
        c = at + dlen;
    }
    for (;;) {
        const char *name;
        apr_size_t nlen;
        apr_status_t rv;

        if (end - c >= 2 && c[0] == '-' && c[1] == '-') {
            return APR_SUCCESS; /* the epilogue is ignored */
        }
        while (c < end && (*c == ' ' || *c == '\t')) {
            c++;
        }
        if (end - c < 2 || c[0] != '\r' || c[1] != '\n') {
            return APR_EINVAL;
        }
        c += 2;
        rv = form_part_headers(&name, &nlen, &c, end, b->pool);
        if (rv != APR_SUCCESS) {
            return rv;
        }
        at = form_find(c, (apr_size_t)(end - c), delim, dlen);
        if (!at) {
            return APR_EINVAL;
        }
        rv = form_field(b, name, nlen, c, (apr_size_t)(at - c), 0);
        if (rv != APR_SUCCESS) {
            return rv;
        }
        c = at + dlen;
    }
}

apr_status_t gw_form_decode_multipart(json_object **out, const char *body,
                                      apr_size_t len, const char *content_type,
                                      apr_pool_t *p)
{
    form_builder_t b;
    const char *delim;
    apr_status_t rv;

    *out = NULL;
    if (!content_type || len > INT_MAX) {
        return APR_EINVAL;
    }
    rv = form_begin(&b, p);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    rv = form_delimiter(&delim, content_type, b.pool);
    if (rv == APR_SUCCESS) {
        rv = form_parts(&b, body, len, delim);
    }
    return form_end(out, &b, rv, p);
}
