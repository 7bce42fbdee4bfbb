/*
 * gw_schema: validation, defaults and coercion driven by gw_field_t
 * descriptions. Messages are Kong's, to the byte: clients match on them.
 * The shared validators are in gw_schema_typedefs.c, the /schemas
 * description in gw_schema_describe.c.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "gw_error.h"
#include "gw_json.h"
#include "gw_schema.h"
#include "gw_text.h"
#include "gw_uuid.h"

void gw_validation_init(gw_validation_t *v, apr_pool_t *p)
{
    v->pool = p;
    v->errors = gw_json_own(p, json_object_new_object());
}

void gw_validation_entity_error(gw_validation_t *v, const char *msg)
{
    json_object *list = gw_json_get(v->errors, "@entity");

    if (!list) {
        list = json_object_new_array();
        json_object_object_add(v->errors, "@entity", list);
    }
    json_object_array_add(list, json_object_new_string(msg));
}

void gw_validation_field_error(gw_validation_t *v, const char *field,
                               const char *msg)
{
    if (!gw_json_has(v->errors, field)) {
        json_object_object_add(v->errors, field, json_object_new_string(msg));
    }
}

void gw_validation_path_error(gw_validation_t *v, const char *path,
                              const char *msg)
{
    json_object *node = v->errors;
    const char *dot;

    while ((dot = strchr(path, '.')) != NULL) {
        const char *step =
            apr_pstrndup(v->pool, path, (apr_size_t)(dot - path));
        json_object *next = gw_json_get(node, step);

        if (!next) {
            next = json_object_new_object();
            json_object_object_add(node, step, next);
        }
        else if (!json_object_is_type(next, json_type_object)) {
            return; /* the record already failed as a whole */
        }
        node = next;
        path = dot + 1;
    }
    json_object_object_add(node, path, json_object_new_string(msg));
}

int gw_validation_failed(const gw_validation_t *v, const char *field)
{
    return gw_json_has(v->errors, field);
}

int gw_validation_ok(const gw_validation_t *v)
{
    return json_object_object_length(v->errors) == 0;
}

const gw_field_t *gw_schema_field(const gw_field_t *fields, const char *name)
{
    for (; fields && fields->name; fields++) {
        if (strcmp(fields->name, name) == 0) {
            return fields;
        }
    }
    return NULL;
}

const gw_field_t *gw_schema_field_path(const gw_field_t *fields,
                                       const char *path)
{
    const char *dot;

    while ((dot = strchr(path, '.')) != NULL) {
        const gw_field_t *f;

        for (f = fields; f && f->name; f++) {
            if (strlen(f->name) == (apr_size_t)(dot - path)
                && strncmp(f->name, path, (apr_size_t)(dot - path)) == 0) {
                break;
            }
        }
        if (!f || !f->name || f->type != GW_T_RECORD) {
            return NULL;
        }
        fields = f->fields;
        path = dot + 1;
    }
    return gw_schema_field(fields, path);
}

json_object *gw_schema_get_path(const json_object *obj, const char *path,
                                int *present)
{
    char step[128];
    const char *dot;
    json_object *val = NULL;

    *present = 0;
    for (;;) {
        apr_size_t len;

        dot = strchr(path, '.');
        len = dot ? (apr_size_t)(dot - path) : strlen(path);
        if (!obj || !json_object_is_type(obj, json_type_object)
            || len >= sizeof(step)) {
            return NULL;
        }
        memcpy(step, path, len);
        step[len] = '\0';
        if (!json_object_object_get_ex(obj, step, &val)) {
            return NULL;
        }
        if (!dot) {
            *present = 1;
            return val;
        }
        obj = val;
        path = dot + 1;
    }
}

const gw_field_t *gw_schema_overlay(const gw_field_t *base,
                                    const gw_field_t *over, apr_pool_t *p)
{
    apr_size_t n = 0, i;
    gw_field_t *out;

    while (base[n].name) {
        n++;
    }
    out = apr_pcalloc(p, (n + 1) * sizeof(*out));
    for (i = 0; i < n; i++) {
        const gw_field_t *mine = gw_schema_field(over, base[i].name);

        out[i] = mine ? *mine : base[i];
    }
    return out;
}

/* A default written as JSON text, as a new reference. Scalars and empty
 * arrays, nearly all defaults, are built directly: json-c's tokener
 * allocates a parse stack per call, which made filling defaults the
 * largest cost of loading a big declarative file (perf: 30%). Doubles
 * keep their text, as the tokener's do. */
static json_object *default_value(const char *t)
{
    size_t len = strlen(t);
    char *end;

    if (strcmp(t, "null") == 0) {
        return NULL;
    }
    if (strcmp(t, "true") == 0 || strcmp(t, "false") == 0) {
        return json_object_new_boolean(t[0] == 't');
    }
    if (strcmp(t, "[]") == 0) {
        return json_object_new_array();
    }
    if (len >= 2 && t[0] == '"' && t[len - 1] == '"'
        && !memchr(t + 1, '\\', len - 2)) {
        return json_object_new_string_len(t + 1, (int)len - 2);
    }
    if (t[0] == '-' || apr_isdigit(t[0])) {
        if (!strpbrk(t, ".eE")) {
            apr_int64_t v;

            errno = 0;
            v = apr_strtoi64(t, &end, 10);
            if (!*end && !errno) {
                return json_object_new_int64(v);
            }
        }
        else {
            double d = strtod(t, &end);

            if (!*end) {
                return json_object_new_double_s(d, t);
            }
        }
    }
    return json_tokener_parse(t);
}

json_object *gw_schema_default(const gw_field_t *f)
{
    json_object *rec;

    if (f->dflt) {
        return default_value(f->dflt);
    }
    if (f->type != GW_T_RECORD
        || (f->flags & (GW_F_NULL_RECORD | GW_F_ABSTRACT))) {
        return NULL;
    }
    rec = json_object_new_object();
    gw_schema_fill_defaults(f->fields, rec);
    return rec;
}

void gw_schema_fill_defaults(const gw_field_t *fields, json_object *obj)
{
    const gw_field_t *f;

    for (f = fields; f && f->name; f++) {
        json_object *val;

        if (f->flags & (GW_F_AUTO | GW_F_TRANSIENT | GW_F_ABSTRACT)) {
            continue;
        }
        if (!json_object_object_get_ex(obj, f->name, &val)) {
            json_object_object_add(obj, f->name, gw_schema_default(f));
        }
        else if (f->type == GW_T_RECORD && val
                 && json_object_is_type(val, json_type_object)) {
            gw_schema_fill_defaults(f->fields, val);
        }
        else if ((f->type == GW_T_ARRAY || f->type == GW_T_SET) && val
                 && f->elements && f->elements->type == GW_T_RECORD
                 && json_object_is_type(val, json_type_array)) {
            size_t i, n = json_object_array_length(val);

            for (i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(val, i);

                if (e && json_object_is_type(e, json_type_object)) {
                    gw_schema_fill_defaults(f->elements->fields, e);
                }
            }
        }
    }
}

/* ------------------------------------------------------------ coercion */

static json_object *coerce_scalar(const gw_field_t *f, json_object *v)
{
    const char *s;
    char *end;

    if (!v || !json_object_is_type(v, json_type_string)) {
        return NULL;
    }
    s = json_object_get_string(v);
    switch (f->type) {
        case GW_T_INTEGER:
        case GW_T_NUMBER: {
            double d;

            if (!*s || apr_isspace(*s)) {
                return NULL;
            }
            errno = 0;
            d = strtod(s, &end);
            if (*end || errno || !isfinite(d)) {
                return NULL;
            }
            if (d == floor(d) && fabs(d) < 9007199254740992.0) {
                return json_object_new_int64((int64_t)d);
            }
            return json_object_new_double(d);
        }
        case GW_T_BOOLEAN:
            if (strcmp(s, "true") == 0) {
                return json_object_new_boolean(1);
            }
            if (strcmp(s, "false") == 0) {
                return json_object_new_boolean(0);
            }
            return NULL;
        default:
            return NULL;
    }
}

static int index_cmp(const void *a, const void *b)
{
    long x = atol(*(const char *const *)a), y = atol(*(const char *const *)b);

    return x < y ? -1 : x > y;
}

/* {"1":"a","2":"b"} (form keys paths[1]=a&paths[2]=b) as ["a","b"], in
 * index order; NULL when a key is not a number. */
static json_object *indexed_object_to_array(json_object *obj)
{
    const char *keys[256];
    json_object *arr;
    int n = 0, i;

    json_object_object_foreach (obj, key, val) {
        (void)val;
        if (n == 256 || !*key || strspn(key, "0123456789") != strlen(key)) {
            return NULL;
        }
        keys[n++] = key;
    }
    qsort(keys, (size_t)n, sizeof(*keys), index_cmp);
    arr = json_object_new_array();
    for (i = 0; i < n; i++) {
        json_object_array_add(
            arr, json_object_get(json_object_object_get(obj, keys[i])));
    }
    return arr;
}

/* Returns a new reference to the coerced form of v, or NULL to keep v. */
static json_object *coerce_value(const gw_field_t *f, json_object *v);

static void coerce_members(const gw_field_t *elements, json_object *arr)
{
    size_t i, n = json_object_array_length(arr);

    for (i = 0; i < n; i++) {
        json_object *c =
            coerce_value(elements, json_object_array_get_idx(arr, i));

        if (c) {
            json_object_array_put_idx(arr, i, c);
        }
    }
}

static json_object *coerce_value(const gw_field_t *f, json_object *v)
{
    json_object *arr;

    if (!v) {
        return NULL;
    }
    switch (f->type) {
        case GW_T_INTEGER:
        case GW_T_NUMBER:
        case GW_T_BOOLEAN:
            return coerce_scalar(f, v);
        case GW_T_ARRAY:
        case GW_T_SET:
            if (json_object_is_type(v, json_type_array)) {
                if (f->elements) {
                    coerce_members(f->elements, v);
                }
                return NULL;
            }
            if (json_object_is_type(v, json_type_object)) {
                arr = indexed_object_to_array(v);
                if (arr && f->elements) {
                    coerce_members(f->elements, arr);
                }
                return arr;
            }
            arr = json_object_new_array();
            json_object_array_add(arr, json_object_get(v));
            if (f->elements) {
                coerce_members(f->elements, arr);
            }
            return arr;
        case GW_T_MAP:
            if (f->elements && json_object_is_type(v, json_type_object)) {
                json_object_object_foreach (v, key, val) {
                    json_object *c = coerce_value(f->elements, val);

                    if (c) {
                        json_object_object_add(v, key, c);
                    }
                }
            }
            return NULL;
        case GW_T_RECORD:
            if (json_object_is_type(v, json_type_object)) {
                gw_schema_coerce(f->fields, v);
            }
            return NULL;
        default:
            return NULL;
    }
}

void gw_schema_coerce(const gw_field_t *fields, json_object *obj)
{
    if (!obj || !json_object_is_type(obj, json_type_object)) {
        return;
    }
    json_object_object_foreach (obj, key, val) {
        const gw_field_t *f = gw_schema_field(fields, key);
        json_object *c = f ? coerce_value(f, val) : NULL;

        if (c) {
            json_object_object_add(obj, key, c);
        }
    }
}

/* ---------------------------------------------------------- validation */

static const char *type_error(gw_type_e t)
{
    switch (t) {
        case GW_T_STRING:
            return "expected a string";
        case GW_T_INTEGER:
            return "expected an integer";
        case GW_T_NUMBER:
            return "expected a number";
        case GW_T_BOOLEAN:
            return "expected a boolean";
        case GW_T_ARRAY:
            return "expected an array";
        case GW_T_SET:
            return "expected a set";
        case GW_T_MAP:
            return "expected a map";
        default:
            return "expected a record";
    }
}

static int type_ok(gw_type_e t, json_object *v)
{
    switch (t) {
        case GW_T_STRING:
            return json_object_is_type(v, json_type_string);
        case GW_T_INTEGER:
            if (json_object_is_type(v, json_type_int)) {
                return 1;
            }
            if (json_object_is_type(v, json_type_double)) {
                double d = json_object_get_double(v);

                return isfinite(d) && d == floor(d);
            }
            return 0;
        case GW_T_NUMBER:
            return json_object_is_type(v, json_type_int)
                   || json_object_is_type(v, json_type_double);
        case GW_T_BOOLEAN:
            return json_object_is_type(v, json_type_boolean);
        case GW_T_ARRAY:
        case GW_T_SET:
            return json_object_is_type(v, json_type_array);
        default:
            return json_object_is_type(v, json_type_object);
    }
}

static const char *num_text(double d, apr_pool_t *p)
{
    if (d == floor(d) && fabs(d) < 1e15) {
        return apr_psprintf(p, "%.0f", d);
    }
    return apr_psprintf(p, "%g", d);
}

static const char *check_one_of(const gw_field_t *f, json_object *v,
                                apr_pool_t *p)
{
    const char *const *opt;
    const char *have, *list = NULL;

    have = f->type == GW_T_STRING ? json_object_get_string(v)
                                  : num_text(json_object_get_double(v), p);
    for (opt = f->one_of; *opt; opt++) {
        if (strcmp(*opt, have) == 0) {
            return NULL;
        }
        list = list ? apr_pstrcat(p, list, ", ", *opt, NULL) : *opt;
    }
    return apr_pstrcat(p, "expected one of: ", list, NULL);
}

static apr_size_t utf8_length(const char *s)
{
    apr_size_t n = 0;

    for (; *s; s++) {
        if (((unsigned char)*s & 0xC0) != 0x80) {
            n++;
        }
    }
    return n;
}

/* The scalar validators, in Kong's order; first failure wins. */
static const char *check_scalar(const gw_field_t *f, json_object *v,
                                apr_pool_t *p)
{
    if (f->one_of
        && (f->type == GW_T_STRING || f->type == GW_T_INTEGER
            || f->type == GW_T_NUMBER)) {
        const char *err = check_one_of(f, v, p);

        if (err) {
            return err;
        }
    }
    if (f->has_gt && json_object_get_double(v) <= f->gt) {
        return apr_pstrcat(p, "value must be greater than ", num_text(f->gt, p),
                           NULL);
    }
    if ((f->flags & GW_F_UUID) && !gw_uuid_valid(json_object_get_string(v))) {
        return "expected a valid UUID";
    }
    if (f->has_between) {
        double d = json_object_get_double(v);

        /* Kong formats the bounds with %d: 0.001 shows as 0 */
        if (d < f->min || d > f->max) {
            return apr_psprintf(p, "value should be between %s and %s",
                                num_text(trunc(f->min), p),
                                num_text(trunc(f->max), p));
        }
    }
    if (f->type == GW_T_STRING) {
        const char *s = json_object_get_string(v);
        apr_size_t len = (apr_size_t)json_object_get_string_len(v);
        apr_size_t bad = gw_text_utf8_error_at(s, len);

        /* every string is UTF-8 before anything else looks at it */
        if (bad < len) {
            return apr_psprintf(p,
                                "invalid utf-8 character sequence detected "
                                "at position %lu",
                                (unsigned long)bad + 1);
        }
        len = utf8_length(s);
        int len_min =
            f->len_min ? f->len_min : ((f->flags & GW_F_EMPTY_OK) ? 0 : 1);

        if ((apr_size_t)len_min > len) {
            return apr_psprintf(p, "length must be at least %d", len_min);
        }
        if (f->len_max && len > (apr_size_t)f->len_max) {
            return apr_psprintf(p, "length must be at most %d", f->len_max);
        }
        if (f->starts_with
            && strncmp(s, f->starts_with, strlen(f->starts_with)) != 0) {
            return apr_pstrcat(p, "should start with: ", f->starts_with, NULL);
        }
    }
    return f->check ? f->check(v, p) : NULL;
}

static json_object *check_elements(const gw_field_t *f, json_object *arr,
                                   apr_pool_t *p)
{
    size_t i, n = json_object_array_length(arr);
    json_object *errs = NULL;
    const char *msg;

    /* as in Kong: the elements first, then the array's own rules */
    for (i = 0; f->elements && i < n; i++) {
        json_object *e = json_object_array_get_idx(arr, i);
        json_object *err;

        if (!e) {
            err = json_object_new_string("required field missing");
        }
        else {
            err = gw_schema_check_value(f->elements, e, p);
            err = err ? json_object_get(err) : NULL;
        }
        if (err) {
            if (!errs) {
                errs = json_object_new_array();
            }
            json_object_array_put_idx(errs, i, err);
        }
    }
    if (errs) {
        return errs;
    }
    if (f->len_min && n < (size_t)f->len_min) {
        return json_object_new_string(
            apr_psprintf(p, "length must be at least %d", f->len_min));
    }
    if (f->len_max && n > (size_t)f->len_max) {
        return json_object_new_string(
            apr_psprintf(p, "length must be at most %d", f->len_max));
    }
    msg = f->check ? f->check(arr, p) : NULL;
    return msg ? json_object_new_string(msg) : NULL;
}

static json_object *check_map(const gw_field_t *f, json_object *map,
                              apr_pool_t *p)
{
    json_object_object_foreach (map, key, val) {
        json_object *k = gw_json_own(p, json_object_new_string(key));
        json_object *err =
            f->keys ? gw_schema_check_value(f->keys, k, p) : NULL;

        if (!err && f->elements) {
            err = val ? gw_schema_check_value(f->elements, val, p)
                      : gw_json_own(
                          p, json_object_new_string("required field missing"));
        }
        if (err) {
            /* Kong reports the first bad entry of a map as one message. */
            if (json_object_is_type(err, json_type_string)) {
                return json_object_get(err);
            }
            return json_object_new_string(gw_error_lua(err, p));
        }
    }
    if (f->check) {
        const char *msg = f->check(map, p);

        return msg ? json_object_new_string(msg) : NULL;
    }
    return NULL;
}

/* A reference is judged by its primary key alone, as in Kong: other
 * members are ignored. */
static json_object *check_foreign(json_object *v, apr_pool_t *p)
{
    json_object *id, *errs;

    errs = json_object_new_object();
    if (!json_object_object_get_ex(v, "id", &id) || !id) {
        json_object_object_add(errs, "id",
                               json_object_new_string("missing primary key"));
    }
    else if (!json_object_is_type(id, json_type_string)
             || !gw_uuid_valid(json_object_get_string(id))) {
        json_object_object_add(errs, "id",
                               json_object_new_string("expected a valid UUID"));
    }
    if (json_object_object_length(errs) == 0) {
        json_object_put(errs);
        return NULL;
    }
    (void)p;
    return errs;
}

json_object *gw_schema_check_value(const gw_field_t *f, json_object *v,
                                   apr_pool_t *p)
{
    json_object *err = NULL;
    const char *msg;

    if (!v) {
        return (f->flags & GW_F_REQUIRED) ? gw_json_own(
                   p, json_object_new_string("required field missing"))
                                          : NULL;
    }
    if (f->flags & GW_F_NULL_ONLY) {
        return gw_json_own(p, json_object_new_string("value must be null"));
    }
    if (!type_ok(f->type, v)) {
        return gw_json_own(p, json_object_new_string(type_error(f->type)));
    }
    if (f->flags & GW_F_ABSTRACT) {
        return NULL;
    }
    switch (f->type) {
        case GW_T_ARRAY:
        case GW_T_SET:
            err = check_elements(f, v, p);
            break;
        case GW_T_MAP:
            err = check_map(f, v, p);
            break;
        case GW_T_FOREIGN:
            err = check_foreign(v, p);
            break;
        case GW_T_RECORD: {
            gw_validation_t sub;

            gw_validation_init(&sub, p);
            gw_schema_check_record(&sub, f->fields, f->checks, v);
            if (!gw_validation_ok(&sub)) {
                return sub.errors;
            }
            msg = f->check ? f->check(v, p) : NULL;
            err = msg ? json_object_new_string(msg) : NULL;
            break;
        }
        default:
            msg = check_scalar(f, v, p);
            err = msg ? json_object_new_string(msg) : NULL;
            break;
    }
    return gw_json_own(p, err);
}

static int is_empty(json_object *v)
{
    if (!v) {
        return 1;
    }
    if (json_object_is_type(v, json_type_array)) {
        return json_object_array_length(v) == 0;
    }
    if (json_object_is_type(v, json_type_string)) {
        return json_object_get_string_len(v) == 0;
    }
    return 0;
}

static const char *quoted_list(const char *const *names, apr_pool_t *p)
{
    const char *out = NULL;

    for (; *names; names++) {
        const char *q = apr_pstrcat(p, "'", *names, "'", NULL);

        out = out ? apr_pstrcat(p, out, ", ", q, NULL) : q;
    }
    return out ? out : "";
}

/* Whether value satisfies m, which adds to the rules of f (may be NULL).
 * Returns NULL when it does, else the message. */
static const char *match_error(const gw_schema_match_t *m, const gw_field_t *f,
                               json_object *value, apr_pool_t *p)
{
    json_object *err;

    if (!value) {
        return m->required ? "required field missing" : NULL;
    }
    if (f && m->one_of) {
        gw_field_t narrowed = *f;

        narrowed.one_of = m->one_of;
        err = gw_schema_check_value(&narrowed, value, p);
    }
    else {
        err = f ? gw_schema_check_value(f, value, p) : NULL;
    }
    if (err) {
        return json_object_is_type(err, json_type_string)
                   ? json_object_get_string(err)
                   : gw_error_lua(err, p);
    }
    if (m->eq
        && !(json_object_is_type(value, json_type_string)
             && strcmp(json_object_get_string(value), m->eq) == 0)) {
        return apr_pstrcat(p, "value must be ", m->eq, NULL);
    }
    if (m->match
        && !(json_object_is_type(value, json_type_string)
             && strlen(m->match)
                    == (apr_size_t)json_object_get_string_len(value) + 2
             && strncmp(m->match + 1, json_object_get_string(value),
                        strlen(m->match) - 2)
                    == 0)) {
        return apr_pstrcat(p, "invalid value: ", json_object_get_string(value),
                           NULL);
    }
    if (m->has_gt
        && !((json_object_is_type(value, json_type_int)
              || json_object_is_type(value, json_type_double))
             && json_object_get_double(value) > m->gt)) {
        return apr_pstrcat(p, "value must be greater than ", num_text(m->gt, p),
                           NULL);
    }
    if (m->contains && json_object_is_type(value, json_type_array)) {
        size_t i, n = json_object_array_length(value);

        for (i = 0; i < n; i++) {
            json_object *e = json_object_array_get_idx(value, i);

            if (e && json_object_is_type(e, json_type_string)
                && strcmp(json_object_get_string(e), m->contains) == 0) {
                return NULL;
            }
        }
        return apr_pstrcat(p, "expected to contain: ", m->contains, NULL);
    }
    return NULL;
}

/* Kong's conditional checker. The if-value is judged by its field's own
 * rules too, so an invalid value never triggers the then-part. */
static void run_conditional(gw_validation_t *v, const gw_conditional_t *c,
                            const gw_field_t *fields, json_object *obj)
{
    int has_if, has_then;
    json_object *if_value = gw_schema_get_path(obj, c->if_field, &has_if);
    json_object *then_value = gw_schema_get_path(obj, c->then_field, &has_then);
    const char *msg;

    if (!has_if && !has_then) {
        return;
    }
    if (match_error(&c->if_match, gw_schema_field_path(fields, c->if_field),
                    if_value, v->pool)) {
        return;
    }
    msg =
        match_error(&c->then_match, gw_schema_field_path(fields, c->then_field),
                    then_value, v->pool);
    if (msg) {
        gw_validation_path_error(v, c->then_field, msg);
        gw_validation_entity_error(
            v, apr_psprintf(v->pool,
                            "failed conditional validation given value of "
                            "field '%s'",
                            c->if_field));
    }
}

static void run_check(gw_validation_t *v, const gw_entity_check_t *c,
                      const gw_field_t *fields, json_object *obj)
{
    const char *const *n;
    int set = 0, total = 0, present = 0;
    json_object *values[2] = {NULL, NULL};

    if (c->kind == GW_CHECK_CUSTOM) {
        c->fn(v, obj);
        return;
    }
    if (c->kind == GW_CHECK_CONDITIONAL) {
        run_conditional(v, c->conditional, fields, obj);
        return;
    }
    for (n = c->fields; n && *n; n++) {
        int here;
        json_object *val = gw_schema_get_path(obj, *n, &here);

        /* Kong runs at_least_one_of, only_one_of and distinct on invalid
         * values too (run_with_invalid_fields); only mutually_required
         * waits for valid ones */
        if (c->kind == GW_CHECK_MUTUALLY_REQUIRED
            && gw_validation_failed(v, *n)) {
            return;
        }
        if (total < 2) {
            values[total] = val;
        }
        total++;
        present += here;
        set += !is_empty(val);
    }
    /* nothing to judge when none of the fields is there at all (a record
     * that is not one), except for "at least one" */
    if (!present && c->kind != GW_CHECK_AT_LEAST_ONE_OF) {
        return;
    }
    switch (c->kind) {
        case GW_CHECK_AT_LEAST_ONE_OF:
            if (set == 0) {
                gw_validation_entity_error(
                    v, apr_pstrcat(v->pool,
                                   "at least one of these fields must be "
                                   "non-empty: ",
                                   quoted_list(c->fields, v->pool), NULL));
            }
            break;
        case GW_CHECK_ONLY_ONE_OF:
            if (set != 1) {
                gw_validation_entity_error(
                    v, apr_pstrcat(v->pool,
                                   "exactly one of these fields must be "
                                   "non-empty: ",
                                   quoted_list(c->fields, v->pool), NULL));
            }
            break;
        case GW_CHECK_MUTUALLY_REQUIRED:
            if (set != 0 && set != total) {
                gw_validation_entity_error(
                    v, apr_pstrcat(v->pool,
                                   "all or none of these fields must be "
                                   "set: ",
                                   quoted_list(c->fields, v->pool), NULL));
            }
            break;
        case GW_CHECK_DISTINCT:
            if (set == 2 && gw_json_equal(values[0], values[1])) {
                gw_validation_entity_error(
                    v, apr_pstrcat(v->pool,
                                   "values of these fields must be "
                                   "distinct: ",
                                   quoted_list(c->fields, v->pool), NULL));
            }
            break;
        default:
            break;
    }
}

void gw_schema_check_entity(gw_validation_t *v, const gw_field_t *fields,
                            const gw_entity_check_t *checks, json_object *obj)
{
    for (; checks && (checks->fields || checks->fn || checks->conditional);
         checks++) {
        run_check(v, checks, fields, obj);
    }
}

void gw_schema_check_record(gw_validation_t *v, const gw_field_t *fields,
                            const gw_entity_check_t *checks, json_object *obj)
{
    const gw_field_t *f;

    json_object_object_foreach (obj, key, val) {
        (void)val;
        if (!gw_schema_field(fields, key)) {
            gw_validation_field_error(v, key, "unknown field");
        }
    }
    for (f = fields; f && f->name; f++) {
        json_object *value = NULL;
        json_object *err;

        if (!json_object_object_get_ex(obj, f->name, &value)) {
            if ((f->flags & GW_F_REQUIRED) && !(f->flags & GW_F_AUTO)) {
                gw_validation_field_error(v, f->name, "required field missing");
            }
            continue;
        }
        err = gw_schema_check_value(f, value, v->pool);
        if (err && !gw_json_has(v->errors, f->name)) {
            json_object_object_add(v->errors, f->name, json_object_get(err));
        }
    }
    gw_schema_check_entity(v, fields, checks, obj);
}
