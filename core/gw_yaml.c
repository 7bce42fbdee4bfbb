/*
 * gw_yaml: the bounded YAML reader over libyaml's event API; the writer
 * is gw_yaml_emit.c. See gw_yaml.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_hash.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include <yaml.h>

#include "gw_json.h"
#include "gw_yaml.h"

#define TAG_PREFIX "tag:yaml.org,2002:"

/* ------------------------------------------------------------ scalars */

/* Integral values become JSON integers, as cjson writes Lua numbers that
 * have no fraction; 2^53 keeps the conversion exact. Others keep the
 * shortest text that reads back as the same double, so that 0.1 is
 * written 0.1 again and not 0.10000000000000001. */
static json_object *number(double d)
{
    char text[32];
    int digits;

    if (d == floor(d) && fabs(d) < 9007199254740992.0) {
        return json_object_new_int64((int64_t)d);
    }
    for (digits = 15; digits < 17; digits++) {
        snprintf(text, sizeof(text), "%.*g", digits, d);
        if (strtod(text, NULL) == d) {
            break;
        }
    }
    snprintf(text, sizeof(text), "%.*g", digits, d);
    return json_object_new_double_s(d, text);
}

/* s without '_' (lyaml strips them from numbers), NUL-terminated in buf;
 * 0 when it does not fit. */
static int strip_underscores(char *buf, apr_size_t size, const char *s,
                             apr_size_t len)
{
    apr_size_t i, o = 0;

    for (i = 0; i < len; i++) {
        if (s[i] != '_') {
            if (o + 1 >= size) {
                return 0;
            }
            buf[o++] = s[i];
        }
    }
    buf[o] = '\0';
    return 1;
}

/* Digits of base in s[i..len) with '_' allowed after the first; at least
 * min of them. Returns the value through *out (as a double, like Lua). */
static int digits(const char *s, apr_size_t i, apr_size_t len, int base,
                  apr_size_t min, double *out)
{
    apr_size_t n = 0;
    double v = 0;

    for (; i < len; i++) {
        int d;

        if (s[i] == '_' && n > 0) {
            continue;
        }
        if (apr_isdigit(s[i])) {
            d = s[i] - '0';
        }
        else if (apr_isxdigit(s[i])) {
            d = apr_tolower(s[i]) - 'a' + 10;
        }
        else {
            return 0;
        }
        if (d >= base) {
            return 0;
        }
        v = v * base + d;
        n++;
    }
    *out = v;
    return n >= min;
}

/* Lua's tonumber() on text that holds '.', 'e' or 'E' (lyaml's float
 * rule), '_' removed first: decimal floats, and hex integers that happen
 * to contain an 'e'. */
static int lua_float(const char *s, apr_size_t len, double *out)
{
    char buf[64], *end, *c;

    if (!memchr(s, '.', len) && !memchr(s, 'e', len) && !memchr(s, 'E', len)) {
        return 0;
    }
    if (!strip_underscores(buf, sizeof(buf), s, len) || !*buf) {
        return 0;
    }
    c = buf + (*buf == '+' || *buf == '-');
    if (c[0] == '0' && (c[1] == 'x' || c[1] == 'X')) {
        *out = (double)strtoll(buf, &end, 16);
        return c[2] && *end == '\0';
    }
    /* strtod alone would also take "inf", "nan" and hex floats */
    if (strspn(buf, "0123456789+-.eE") != strlen(buf)) {
        return 0;
    }
    *out = strtod(buf, &end);
    return end != buf && *end == '\0';
}

/* lyaml's sexagesimal rules: [+-]?[0-9]+:[0-5]?[0-9][:0-9]* with an
 * optional fraction (.[0-9]+). The pattern reduces to digits, a colon, a
 * digit, then digits and colons; every run of digits is one base-60
 * digit, whatever its size, as lyaml folds them. */
static int base60(const char *s, apr_size_t len, double *out)
{
    apr_size_t i = 0, end = len, k;
    const char *dot = memchr(s, '.', len);
    double v = 0, group = 0, frac = 0, scale = 0.1;
    int sign = 1, in_group = 0;

    if (i < len && (s[i] == '+' || s[i] == '-')) {
        sign = s[i++] == '-' ? -1 : 1;
    }
    if (dot) {
        end = (apr_size_t)(dot - s);
        if (end + 1 >= len) {
            return 0;
        }
        for (k = end + 1; k < len; k++, scale /= 10) {
            if (!apr_isdigit(s[k])) {
                return 0;
            }
            frac += (s[k] - '0') * scale;
        }
    }
    for (k = i; k < end && apr_isdigit(s[k]); k++) {
    }
    if (k == i || k + 1 >= end || s[k] != ':' || !apr_isdigit(s[k + 1])) {
        return 0;
    }
    for (k = i; k < end; k++) {
        if (apr_isdigit(s[k])) {
            group = group * 10 + (s[k] - '0');
            in_group = 1;
        }
        else if (s[k] == ':') {
            if (in_group) {
                v = v * 60 + group;
            }
            group = 0;
            in_group = 0;
        }
        else {
            return 0;
        }
    }
    if (in_group) {
        v = v * 60 + group;
    }
    *out = sign * (v + frac);
    return 1;
}

/* [+-]? prefix then digits of base (first one not '_'), '_' after that. The
 * value is computed the Lua way, as a double. */
static int integer(const char *s, apr_size_t len, const char *prefix, int base,
                   apr_size_t min, double *out)
{
    apr_size_t i = 0, plen = strlen(prefix);
    int sign = 1;

    if (i < len && (s[i] == '+' || s[i] == '-')) {
        sign = s[i++] == '-' ? -1 : 1;
    }
    if (len - i < plen || memcmp(s + i, prefix, plen) != 0) {
        return 0;
    }
    i += plen;
    /* "0_7", "0x_1f", "_1": lyaml lets underscores lead the digits */
    while (i < len && s[i] == '_') {
        i++;
    }
    if (!digits(s, i, len, base, min, out)) {
        return 0;
    }
    *out *= sign;
    return 1;
}

static int is_one_of(const char *s, apr_size_t len, const char *const *list)
{
    for (; *list; list++) {
        if (strlen(*list) == len && memcmp(*list, s, len) == 0) {
            return 1;
        }
    }
    return 0;
}

apr_status_t gw_yaml_scalar(json_object **out, int *is_string, const char *s,
                            apr_size_t len)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const trues[] = {"true", "True", "TRUE", "yes", "Yes",
                                        "YES",  "on",   "On",   "ON",  NULL};
    static const char *const falses[] = {
        "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", NULL};
    static const char *const special[] = {
        ".inf",  ".Inf",  ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
        "-.Inf", "-.INF", ".nan", ".NaN",  ".NAN",  NULL};
    double d;

    *out = NULL;
    *is_string = 0;
    if (is_one_of(s, len, nulls)) {
        return APR_SUCCESS;
    }
    /* lyaml's order: octal is a subset of decimal, so it comes first */
    if ((len > 1 && integer(s, len, "0", 8, 1, &d))
        || integer(s, len, "", 10, 1, &d) || lua_float(s, len, &d)) {
        *out = number(d);
        return APR_SUCCESS;
    }
    if (is_one_of(s, len, trues) || is_one_of(s, len, falses)) {
        *out = json_object_new_boolean(is_one_of(s, len, trues));
        return APR_SUCCESS;
    }
    if (is_one_of(s, len, special)) {
        return APR_EGENERAL;
    }
    if (integer(s, len, "0x", 16, 1, &d) || integer(s, len, "0b", 2, 2, &d)
        || base60(s, len, &d)) {
        *out = number(d);
        return APR_SUCCESS;
    }
    *out = json_object_new_string_len(s, (int)len);
    *is_string = 1;
    return APR_SUCCESS;
}

/* ------------------------------------------------------------ reader */

typedef struct {
    json_object *node; /* the value an alias copies (one reference held) */
    apr_size_t nodes, bytes;
    int height; /* nesting levels inside node */
    int complete;
} anchor_t;

typedef struct {
    json_object *node; /* the container being filled (owned by its parent,
                          or by the reader when it is the root) */
    int is_map;
    const char *key;     /* pending key of a mapping, NULL between entries */
    int merge;           /* the pending key is "<<" */
    json_object *merges; /* mappings to merge in at the end, or NULL */
    anchor_t *anchor;    /* completed when the container ends */
    apr_size_t nodes_at_start, bytes_at_start;
    int height;
} frame_t;

typedef struct {
    apr_pool_t *p;
    yaml_parser_t parser;
    gw_yaml_limits_t lim;
    apr_array_header_t *stack; /* frame_t */
    apr_hash_t *anchors;       /* name -> anchor_t */
    json_object *root;
    int have_root;
    apr_size_t nodes, bytes;
    const char *why;
    apr_status_t rv;
} reader_t;

static apr_status_t release_anchors(void *data)
{
    reader_t *r = data;
    apr_hash_index_t *hi;

    for (hi = apr_hash_first(r->p, r->anchors); hi; hi = apr_hash_next(hi)) {
        anchor_t *a = apr_hash_this_val(hi);

        json_object_put(a->node);
        a->node = NULL;
    }
    return APR_SUCCESS;
}

static int fail(reader_t *r, apr_status_t rv, const yaml_mark_t *at,
                const char *msg)
{
    r->rv = rv;
    r->why = at ? apr_psprintf(r->p, "%s at line %lu, column %lu", msg,
                               (unsigned long)at->line + 1,
                               (unsigned long)at->column + 1)
                : msg;
    return 0;
}

static frame_t *top(reader_t *r)
{
    return r->stack->nelts
               ? &APR_ARRAY_IDX(r->stack, r->stack->nelts - 1, frame_t)
               : NULL;
}

/* Charges produced values and bytes against the limits. */
static int charge(reader_t *r, apr_size_t nodes, apr_size_t bytes,
                  const yaml_mark_t *at)
{
    int too_many;

    r->nodes += nodes;
    r->bytes += bytes;
    too_many = r->nodes > r->lim.max_nodes;
    if (too_many || r->bytes > r->lim.max_expanded_bytes) {
        return fail(r, APR_ENOSPC, at,
                    apr_psprintf(r->p,
                                 "document expands to more than "
                                 "%" APR_SIZE_T_FMT " %s",
                                 too_many ? r->lim.max_nodes
                                          : r->lim.max_expanded_bytes,
                                 too_many ? "values" : "bytes of text"));
    }
    return 1;
}

/* Places a finished value v (reference passed in) of the given height
 * into the open container, or makes it the document. */
static int place(reader_t *r, json_object *v, int height, const yaml_mark_t *at)
{
    frame_t *f = top(r);

    if (!f) {
        r->root = v;
        r->have_root = 1;
        return 1;
    }
    if (f->height < height + 1) {
        f->height = height + 1;
    }
    if (!f->is_map) {
        json_object_array_add(f->node, v);
        return 1;
    }
    if (f->merge) {
        int ok = 1;

        if (json_object_is_type(v, json_type_object)) {
            if (!f->merges) {
                f->merges = json_object_new_array();
            }
            json_object_array_add(f->merges, v);
            v = NULL;
        }
        else if (json_object_is_type(v, json_type_array)) {
            size_t i, n = json_object_array_length(v);

            for (i = 0; i < n && ok; i++) {
                ok = json_object_is_type(json_object_array_get_idx(v, i),
                                         json_type_object);
            }
            if (!f->merges) {
                f->merges = json_object_new_array();
            }
            for (i = 0; i < n && ok; i++) {
                json_object_array_add(
                    f->merges,
                    json_object_get(json_object_array_get_idx(v, i)));
            }
        }
        else {
            ok = 0;
        }
        json_object_put(v);
        f->merge = 0;
        f->key = NULL;
        return ok ? 1
                  : fail(r, APR_EGENERAL, at,
                         "'<<' merges something that is not a mapping");
    }
    json_object_object_add(f->node, f->key, v);
    f->key = NULL;
    return 1;
}

/* A scalar in key position: its text is the key, whatever its type. */
static int take_key(reader_t *r, frame_t *f, const yaml_event_t *ev)
{
    const char *key = apr_pstrmemdup(r->p, (const char *)ev->data.scalar.value,
                                     ev->data.scalar.length);

    if (strlen(key) != ev->data.scalar.length) {
        return fail(r, APR_EGENERAL, &ev->start_mark,
                    "a mapping key holds a NUL byte");
    }
    if (!charge(r, 0, ev->data.scalar.length, &ev->start_mark)) {
        return 0;
    }
    if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE
        && strcmp(key, "<<") == 0) {
        f->merge = 1;
        f->key = key;
        return 1;
    }
    if (json_object_object_get_ex(f->node, key, NULL)) {
        return fail(r, APR_EGENERAL, &ev->start_mark,
                    apr_psprintf(r->p, "duplicate key '%s' in a mapping", key));
    }
    f->key = key;
    return 1;
}

static int tag_is(const yaml_char_t *tag, const char *name)
{
    return tag
           && strncmp((const char *)tag, TAG_PREFIX, strlen(TAG_PREFIX)) == 0
           && strcmp((const char *)tag + strlen(TAG_PREFIX), name) == 0;
}

static int on_scalar(reader_t *r, const yaml_event_t *ev)
{
    const char *s = (const char *)ev->data.scalar.value;
    apr_size_t len = ev->data.scalar.length;
    const yaml_char_t *tag = ev->data.scalar.tag;
    frame_t *f = top(r);
    json_object *v = NULL;
    int is_string = 1;

    if (f && f->is_map && !f->key) {
        return take_key(r, f, ev);
    }
    if (!charge(r, 1, len, &ev->start_mark)) {
        return 0;
    }
    if (tag_is(tag, "str")
        || (!tag && ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)) {
        v = json_object_new_string_len(s, (int)len);
    }
    else if (gw_yaml_scalar(&v, &is_string, s, len) != APR_SUCCESS) {
        return fail(
            r, APR_EGENERAL, &ev->start_mark,
            apr_psprintf(r->p,
                         "unsupported value '%s' (JSON has no infinity or NaN)",
                         apr_pstrmemdup(r->p, s, len)));
    }
    if ((tag_is(tag, "int") && !json_object_is_type(v, json_type_int))
        || (tag_is(tag, "float") && !json_object_is_type(v, json_type_int)
            && !json_object_is_type(v, json_type_double))
        || (tag_is(tag, "bool") && !json_object_is_type(v, json_type_boolean))
        || (tag_is(tag, "null") && v)) {
        json_object_put(v);
        return fail(
            r, APR_EGENERAL, &ev->start_mark,
            apr_psprintf(r->p, "invalid '%s' value", (const char *)tag));
    }
    if (ev->data.scalar.anchor) {
        anchor_t *a = apr_pcalloc(r->p, sizeof(*a));

        a->node = json_object_get(v);
        a->nodes = 1;
        a->bytes = len;
        a->complete = 1;
        apr_hash_set(r->anchors,
                     apr_pstrdup(r->p, (const char *)ev->data.scalar.anchor),
                     APR_HASH_KEY_STRING, a);
    }
    return place(r, v, 0, &ev->start_mark);
}

static int on_alias(reader_t *r, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    anchor_t *a = apr_hash_get(r->anchors, name, APR_HASH_KEY_STRING);
    frame_t *f = top(r);
    json_object *copy = NULL;

    if (!a) {
        return fail(r, APR_EGENERAL, &ev->start_mark,
                    apr_psprintf(r->p, "unknown alias '*%s'", name));
    }
    if (!a->complete) {
        return fail(r, APR_EGENERAL, &ev->start_mark,
                    apr_psprintf(
                        r->p, "alias '*%s' refers to its own container", name));
    }
    if (f && f->is_map && !f->key) {
        yaml_event_t key = *ev;

        if (!json_object_is_type(a->node, json_type_string)) {
            return fail(
                r, APR_EGENERAL, &ev->start_mark,
                apr_psprintf(r->p,
                             "alias '*%s' as a mapping key is not a string",
                             name));
        }
        key.data.scalar.value = (yaml_char_t *)json_object_get_string(a->node);
        key.data.scalar.length = (size_t)json_object_get_string_len(a->node);
        key.data.scalar.style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        return take_key(r, f, &key);
    }
    /* the budget is charged before anything is copied: this is what stops
     * a billion laughs */
    if (!charge(r, a->nodes, a->bytes, &ev->start_mark)) {
        return 0;
    }
    if (r->stack->nelts + a->height > r->lim.max_depth) {
        return fail(r, APR_ENOSPC, &ev->start_mark,
                    apr_psprintf(
                        r->p, "alias '*%s' nests deeper than the limit", name));
    }
    if (a->node && json_object_deep_copy(a->node, &copy, NULL) != 0) {
        return fail(r, APR_ENOMEM, &ev->start_mark, "out of memory");
    }
    return place(r, copy, a->height, &ev->start_mark);
}

static int on_start(reader_t *r, const yaml_event_t *ev, int is_map)
{
    frame_t *f = top(r), *nf;
    const yaml_char_t *anchor =
        is_map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
    json_object *node;

    if (f && f->is_map && !f->key) {
        return fail(r, APR_EGENERAL, &ev->start_mark,
                    "a mapping key must be a scalar");
    }
    if (r->stack->nelts >= r->lim.max_depth) {
        return fail(r, APR_ENOSPC, &ev->start_mark,
                    apr_psprintf(r->p, "document nests deeper than %d levels",
                                 r->lim.max_depth));
    }
    if (!charge(r, 1, 0, &ev->start_mark)) {
        return 0;
    }
    node = is_map ? json_object_new_object() : json_object_new_array();
    nf = apr_array_push(r->stack);
    memset(nf, 0, sizeof(*nf));
    nf->node = node;
    nf->is_map = is_map;
    nf->height = 1;
    nf->nodes_at_start = r->nodes - 1;
    nf->bytes_at_start = r->bytes;
    if (anchor) {
        nf->anchor = apr_pcalloc(r->p, sizeof(anchor_t));
        apr_hash_set(r->anchors, apr_pstrdup(r->p, (const char *)anchor),
                     APR_HASH_KEY_STRING, nf->anchor);
    }
    return 1;
}

/* Adds the members of the "<<" mappings that the mapping lacks; keys
 * written in the mapping itself win, and earlier merges win over later
 * ones, as in lyaml. */
static void apply_merges(frame_t *f)
{
    size_t i, n = json_object_array_length(f->merges);

    for (i = 0; i < n; i++) {
        json_object *m = json_object_array_get_idx(f->merges, i);

        json_object_object_foreach (m, k, v) {
            if (!json_object_object_get_ex(f->node, k, NULL)) {
                json_object_object_add(f->node, k, json_object_get(v));
            }
        }
    }
    json_object_put(f->merges);
    f->merges = NULL;
}

static int on_end(reader_t *r, const yaml_event_t *ev)
{
    frame_t done = *top(r);

    apr_array_pop(r->stack);
    if (done.merges) {
        apply_merges(&done);
    }
    if (done.anchor) {
        done.anchor->node = json_object_get(done.node);
        done.anchor->nodes = r->nodes - done.nodes_at_start;
        done.anchor->bytes = r->bytes - done.bytes_at_start;
        done.anchor->height = done.height;
        done.anchor->complete = 1;
    }
    return place(r, done.node, done.height, &ev->start_mark);
}

/* Frees what a failed read built: open containers are not yet in their
 * parents, so each is released once. */
static void discard(reader_t *r)
{
    while (r->stack->nelts) {
        frame_t *f = apr_array_pop(r->stack);

        json_object_put(f->merges);
        json_object_put(f->node);
    }
    json_object_put(r->root);
    r->root = NULL;
}

static void set_limits(gw_yaml_limits_t *lim, const gw_yaml_limits_t *given)
{
    memset(lim, 0, sizeof(*lim));
    if (given) {
        *lim = *given;
    }
    lim->max_bytes = lim->max_bytes ? lim->max_bytes : GW_YAML_MAX_BYTES;
    lim->max_nodes = lim->max_nodes ? lim->max_nodes : GW_YAML_MAX_NODES;
    lim->max_expanded_bytes = lim->max_expanded_bytes
                                  ? lim->max_expanded_bytes
                                  : GW_YAML_MAX_EXPANDED_BYTES;
    lim->max_depth = lim->max_depth > 0 ? lim->max_depth : GW_JSON_MAX_DEPTH;
}

static const char *too_large(apr_pool_t *p, apr_size_t len, apr_size_t max)
{
    return apr_psprintf(p,
                        "document is %" APR_SIZE_T_FMT
                        " bytes, more than the limit of %" APR_SIZE_T_FMT,
                        len, max);
}

/* One event; returns 0 when reading must stop (error or end). */
static int on_event(reader_t *r, const yaml_event_t *ev, int *docs)
{
    switch (ev->type) {
        case YAML_DOCUMENT_START_EVENT:
            if (++*docs > 1) {
                return fail(r, APR_EGENERAL, &ev->start_mark,
                            "only one YAML document is allowed");
            }
            return 1;
        case YAML_SCALAR_EVENT:
            return on_scalar(r, ev);
        case YAML_ALIAS_EVENT:
            return on_alias(r, ev);
        case YAML_MAPPING_START_EVENT:
            return on_start(r, ev, 1);
        case YAML_SEQUENCE_START_EVENT:
            return on_start(r, ev, 0);
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            return on_end(r, ev);
        default:
            return 1;
    }
}

apr_status_t gw_yaml_parse(json_object **out, apr_pool_t *p, const char **why,
                           const char *buf, apr_size_t len,
                           const gw_yaml_limits_t *limits)
{
    reader_t r;
    yaml_event_t ev;
    int docs = 0, more = 1;

    *out = NULL;
    *why = NULL;
    memset(&r, 0, sizeof(r));
    set_limits(&r.lim, limits);
    if (len > r.lim.max_bytes) {
        *why = too_large(p, len, r.lim.max_bytes);
        return APR_ENOSPC;
    }
    r.p = p;
    r.rv = APR_SUCCESS;
    r.stack = apr_array_make(p, 16, sizeof(frame_t));
    r.anchors = apr_hash_make(p);
    if (!yaml_parser_initialize(&r.parser)) {
        *why = "out of memory";
        return APR_ENOMEM;
    }
    yaml_parser_set_input_string(&r.parser, (const unsigned char *)buf, len);
    while (more) {
        if (!yaml_parser_parse(&r.parser, &ev)) {
            fail(&r, APR_EGENERAL, &r.parser.problem_mark,
                 r.parser.problem ? r.parser.problem : "invalid YAML");
            break;
        }
        more = ev.type != YAML_STREAM_END_EVENT && on_event(&r, &ev, &docs);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&r.parser);
    release_anchors(&r);
    if (r.rv != APR_SUCCESS) {
        discard(&r);
        *why = r.why;
        return r.rv;
    }
    *out = gw_json_own(p, r.root);
    return APR_SUCCESS;
}

apr_status_t gw_yaml_parse_any(json_object **out, apr_pool_t *p,
                               const char **why, const char *buf,
                               apr_size_t len, const gw_yaml_limits_t *limits)
{
    gw_yaml_limits_t lim;
    apr_size_t i = 0;

    while (i < len && strchr(" \t\r\n", buf[i]) && buf[i]) {
        i++;
    }
    if (i == len || buf[i] != '{') {
        return gw_yaml_parse(out, p, why, buf, len, limits);
    }
    set_limits(&lim, limits);
    *out = NULL;
    *why = NULL;
    if (len > lim.max_bytes) {
        *why = too_large(p, len, lim.max_bytes);
        return APR_ENOSPC;
    }
    if (gw_json_parse_why(out, NULL, why, buf, len, p) != APR_SUCCESS) {
        return APR_EGENERAL;
    }
    return APR_SUCCESS;
}
