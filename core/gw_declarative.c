/*
 * gw_declarative: from a declarative document to the flat configuration,
 * following Kong 3.x's declarative_config.flatten(). See gw_declarative.h.
 *
 * The work is done in passes over the entries, which are first collected
 * in the order Kong visits them (entity types in dependency order, each
 * entry before its nested entries):
 *   1. walk: shape checks, nested lists taken out of their parent entry,
 *      ids (given, or Kong's deterministic UUID v5), references noted;
 *   2. validate every entry with gw_entity_prepare, references resolved
 *      (an unresolved one gets a placeholder id, so that only pass 3
 *      speaks of it); schema errors stop here, as Kong stops after its
 *      schema validation;
 *   3. references, duplicate endpoint keys and ids, unique fields.
 * Errors go into one tree shaped as Kong's (gw_declarative_errors.c
 * renders it), so every problem of a pass is reported at once.
 *
 * Where this knowingly differs from Kong:
 *  - a nested entry may reference other parents too (a route's plugin
 *    naming a consumer); Kong accepts that through its second validation
 *    pass, and only says "value must be null" when something else fails;
 *  - every duplicate of a unique field is reported (Kong keeps the last);
 *  - an exported updated_at is kept instead of being set to now;
 *  - the hash is of the content (gw_declarative_hash), not of the text;
 *  - _transform: false (what exports say) prepares entities raw: values
 *    such as basic-auth password hashes are taken as stored.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <apr_hash.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "gw_declarative.h"
#include "gw_declarative_errors.h"
#include "gw_entity.h"
#include "gw_json.h"
#include "gw_text.h"
#include "gw_upath.h"
#include "gw_uuid.h"
#include "gw_yaml.h"

/* Kong's namespace for the ids of declarative entities */
#define GW_DECLARATIVE_NS "fd02801f-0957-4a15-a55a-c8d9606f30b5"
/* stands for an unresolved reference while the entity is validated */
#define PLACEHOLDER_ID "00000000-0000-0000-0000-000000000000"

typedef struct item_s item_t;

typedef struct {
    const gw_field_t *field;
    json_object *value; /* as written: a string, or {"id": ...} */
} ref_t;

struct item_s {
    const gw_entity_t *e;
    json_object *entry;          /* the entry, nested lists taken out */
    int index;                   /* 1-based, in its list */
    item_t *parent;              /* the entry it is nested in */
    const gw_field_t *parent_fk; /* e's foreign key to parent's type */
    const char *id;
    const char *key;          /* unique endpoint key value, or NULL */
    apr_array_header_t *refs; /* ref_t */
    json_object *out;         /* the prepared entity */
    const char *dup;          /* duplicate key or id message */
    int broken;               /* not a record */
};

typedef struct {
    apr_pool_t *p;
    apr_time_t now;
    unsigned prepare_flags; /* GW_PREPARE_RAW under _transform: false */
    apr_size_t max_entities;
    json_object *errs;         /* the error tree (gw_declarative_errors.h) */
    apr_array_header_t *items; /* item_t * */
    apr_hash_t *by_id;         /* entity name -> (id -> item_t *) */
    apr_hash_t *by_key;        /* entity name -> (key -> item_t *) */
    int too_many;
} dc_t;

/* ------------------------------------------------------------ errors */

static json_object *slot(dc_t *dc, const item_t *it)
{
    json_object *base = it->parent ? slot(dc, it->parent) : dc->errs;

    return gw_declarative_errors_child(
        gw_declarative_errors_child(base, it->e->name, dc->p),
        gw_declarative_errors_index(it->index, dc->p), dc->p);
}

/* Kong's add_error(): an error of a nested entry goes under its parent's
 * entry at the top level (errs[parent][i][entity][j]), one level deep. */
static void add_error(dc_t *dc, const item_t *it, const char *msg)
{
    json_object *base = dc->errs;

    if (it->parent) {
        base = gw_declarative_errors_child(
            gw_declarative_errors_child(base, it->parent->e->name, dc->p),
            gw_declarative_errors_index(it->parent->index, dc->p), dc->p);
    }
    json_object_object_add(
        gw_declarative_errors_child(base, it->e->name, dc->p),
        gw_declarative_errors_index(it->index, dc->p),
        json_object_new_string(msg));
}

static void field_error(json_object *obj, const char *field, const char *msg)
{
    if (!json_object_object_get_ex(obj, field, NULL)) {
        json_object_object_add(obj, field, json_object_new_string(msg));
    }
}

/* ------------------------------------------------------------ ids */

static const char *entity_uuid(const gw_entity_t *e, const char *name,
                               apr_pool_t *p)
{
    return gw_uuid_v5(gw_uuid_v5(GW_DECLARATIVE_NS, e->name, p), name, p);
}

/* Kong's build_cache_key(): "<entity>:*:<v1>:<v2>..." over the cache key
 * fields, strings as written, the parent's id for the implied foreign
 * key, "" for other absent optional fields; NULL (no deterministic id)
 * when a value is generated by the server or a required one is absent.
 * A JSON null or a non-string value adds nothing, as in Kong. */
static const char *cache_key(const item_t *it, apr_pool_t *p)
{
    const char *const *k;
    const char *ck = apr_pstrcat(p, it->e->name, ":*", NULL);

    for (k = it->e->unique_together; *k; k++) {
        const gw_field_t *f = gw_schema_field(it->e->fields, *k);
        json_object *v = gw_json_get(it->entry, *k);

        if (!f || (f->flags & GW_F_AUTO)) {
            return NULL;
        }
        if (v && json_object_is_type(v, json_type_string)) {
            ck = apr_pstrcat(p, ck, ":", json_object_get_string(v), NULL);
        }
        else if (!gw_json_has(it->entry, *k)) {
            if (f == it->parent_fk) {
                if (!it->parent->id) {
                    return NULL;
                }
                ck = apr_pstrcat(p, ck, ":", it->parent->id, NULL);
            }
            else if (f->flags & GW_F_REQUIRED) {
                return NULL;
            }
            else {
                ck = apr_pstrcat(p, ck, ":", NULL);
            }
        }
    }
    return ck;
}

/* Kong's get_key_for_uuid_gen() + generate_uuid(): the UUID v5 of the
 * cache key, or of the endpoint key (made unique per parent, for keys
 * not unique by themselves, with the cascading foreign key), within the
 * namespace UUID v5(GW_DECLARATIVE_NS, entity name). NULL: random id. */
static const char *kong_id(const item_t *it, apr_pool_t *p)
{
    const gw_entity_t *e = it->e;
    const gw_field_t *f, *kf;
    json_object *v;
    const char *key;

    if (e->unique_together) {
        key = cache_key(it, p);
        return key ? entity_uuid(e, key, p) : NULL;
    }
    if (!e->endpoint_key) {
        return NULL;
    }
    v = gw_json_get(it->entry, e->endpoint_key);
    if (!v || !json_object_is_type(v, json_type_string)) {
        return NULL;
    }
    key = json_object_get_string(v);
    kf = gw_schema_field(e->fields, e->endpoint_key);
    if (kf && !(kf->flags & GW_F_UNIQUE)) {
        for (f = e->fields; f->name; f++) {
            if (f->type != GW_T_FOREIGN || !(f->flags & GW_F_CASCADE)) {
                continue;
            }
            if (it->parent) {
                if (!it->parent->id) {
                    return NULL;
                }
                key = apr_pstrcat(p, key, ":", it->parent->id, NULL);
            }
            else if ((v = gw_json_get(it->entry, f->name))
                     && json_object_is_type(v, json_type_string)) {
                key = apr_pstrcat(p, key, ":", json_object_get_string(v), NULL);
            }
            else {
                return NULL;
            }
        }
        key = apr_pstrcat(p, key, ":*", NULL);
    }
    return entity_uuid(e, key, p);
}

/* ------------------------------------------------------------ walk */

/* True when entries of child may be nested under entries of parent: child
 * references parent, and parent has no stored field of that name (a
 * transient one, like a certificate's snis, gives way to the entries). */
static const gw_field_t *nests_under(const gw_entity_t *child,
                                     const gw_entity_t *parent)
{
    const gw_field_t *own = gw_schema_field(parent->fields, child->name);

    if (own && !(own->flags & GW_F_TRANSIENT)) {
        return NULL;
    }
    return gw_entity_foreign_to(child, parent);
}

static void walk_lists(dc_t *dc, json_object *holder, item_t *parent);

/* Notes the references an entry makes; the one to the entry it is
 * nested in is implied, and only checked when written out as well. */
static void note_refs(item_t *it)
{
    const gw_field_t *f;

    for (f = it->e->fields; f->name; f++) {
        json_object *v = gw_json_get(it->entry, f->name);
        ref_t *ref;

        if (f->type != GW_T_FOREIGN || !v) {
            continue;
        }
        if (!json_object_is_type(v, json_type_string)
            && !gw_json_str(v, "id")) {
            continue; /* left for validation to describe */
        }
        ref = apr_array_push(it->refs);
        ref->field = f;
        ref->value = v;
    }
}

/* _comment and _ignore may annotate any entry. */
static void strip_extras(dc_t *dc, item_t *it)
{
    json_object *v;

    if (json_object_object_get_ex(it->entry, "_comment", &v)) {
        if (v && !json_object_is_type(v, json_type_string)) {
            field_error(slot(dc, it), "_comment", "expected a string");
        }
        json_object_object_del(it->entry, "_comment");
    }
    if (json_object_object_get_ex(it->entry, "_ignore", &v)) {
        if (v && !json_object_is_type(v, json_type_array)) {
            field_error(slot(dc, it), "_ignore", "expected an array");
        }
        json_object_object_del(it->entry, "_ignore");
    }
}

static void walk_entry(dc_t *dc, const gw_entity_t *e, json_object *entry,
                       int index, item_t *parent)
{
    item_t *it = apr_pcalloc(dc->p, sizeof(*it));
    json_object *id;

    it->e = e;
    it->index = index;
    it->parent = parent;
    it->parent_fk = parent ? nests_under(e, parent->e) : NULL;
    it->refs = apr_array_make(dc->p, 2, sizeof(ref_t));
    *(item_t **)apr_array_push(dc->items) = it;
    if ((apr_size_t)dc->items->nelts > dc->max_entities) {
        dc->too_many = 1;
        it->broken = 1;
        return;
    }
    if (!entry || !json_object_is_type(entry, json_type_object)) {
        it->broken = 1;
        json_object_object_add(
            gw_declarative_errors_child(parent ? slot(dc, parent) : dc->errs,
                                        e->name, dc->p),
            gw_declarative_errors_index(index, dc->p),
            json_object_new_string("expected a record"));
        return;
    }
    it->entry = entry;
    strip_extras(dc, it);
    if (json_object_object_get_ex(entry, "id", &id) && id) {
        it->id = json_object_is_type(id, json_type_string)
                     ? json_object_get_string(id)
                     : NULL;
    }
    else {
        it->id = kong_id(it, dc->p);
        if (!it->id) {
            it->id = gw_uuid_v4(dc->p);
        }
        json_object_object_add(entry, "id", json_object_new_string(it->id));
    }
    if (e->endpoint_key) {
        const gw_field_t *kf = gw_schema_field(e->fields, e->endpoint_key);

        if (kf && (kf->flags & GW_F_UNIQUE)) {
            it->key = gw_json_str(entry, e->endpoint_key);
        }
    }
    note_refs(it);
    walk_lists(dc, entry, it);
}

/* The entity lists held by holder: the document (parent NULL), or an
 * entry, whose nested lists are taken out of it. */
static void walk_lists(dc_t *dc, json_object *holder, item_t *parent)
{
    const gw_entity_t *const *e;

    for (e = gw_entity_all(); *e && !dc->too_many; e++) {
        json_object *list;
        size_t i, n;

        if (parent && !nests_under(*e, parent->e)) {
            continue;
        }
        if (!json_object_object_get_ex(holder, (*e)->name, &list)) {
            continue;
        }
        json_object_get(list);
        if (parent) {
            json_object_object_del(holder, (*e)->name);
        }
        gw_json_own(dc->p, list);
        if (!list
            || (json_object_is_type(list, json_type_object)
                && json_object_object_length(list) == 0)) {
            continue; /* null, or {} which Lua cannot tell from [] */
        }
        if (!json_object_is_type(list, json_type_array)) {
            field_error(parent ? slot(dc, parent) : dc->errs, (*e)->name,
                        "expected an array");
            continue;
        }
        n = json_object_array_length(list);
        for (i = 0; i < n && !dc->too_many; i++) {
            walk_entry(dc, *e, json_object_array_get_idx(list, i), (int)i + 1,
                       parent);
        }
    }
}

/* ------------------------------------------------------------ lookups */

static apr_hash_t *table(apr_hash_t *h, const gw_entity_t *e, apr_pool_t *p)
{
    apr_hash_t *t = apr_hash_get(h, e->name, APR_HASH_KEY_STRING);

    if (!t) {
        t = apr_hash_make(p);
        apr_hash_set(h, e->name, APR_HASH_KEY_STRING, t);
    }
    return t;
}

/* Kong's populate_references(): the first entry with a key or an id owns
 * it; a later one is a duplicate (its key is checked before its id). */
static void index_items(dc_t *dc)
{
    int i;

    for (i = 0; i < dc->items->nelts; i++) {
        item_t *it = APR_ARRAY_IDX(dc->items, i, item_t *);
        apr_hash_t *ids, *keys;

        if (it->broken) {
            continue;
        }
        ids = table(dc->by_id, it->e, dc->p);
        keys = table(dc->by_key, it->e, dc->p);
        if (it->key && apr_hash_get(keys, it->key, APR_HASH_KEY_STRING)) {
            it->dup = apr_psprintf(dc->p,
                                   "uniqueness violation: '%s' entity with %s "
                                   "set to '%s' already declared",
                                   it->e->name, it->e->endpoint_key, it->key);
        }
        else if (it->key) {
            apr_hash_set(keys, it->key, APR_HASH_KEY_STRING, it);
        }
        if (!it->id) {
            continue;
        }
        if (apr_hash_get(ids, it->id, APR_HASH_KEY_STRING)) {
            if (!it->dup) {
                it->dup = apr_psprintf(dc->p,
                                       "uniqueness violation: '%s' entity with "
                                       "primary key set to '%s' already "
                                       "declared",
                                       it->e->name, it->id);
            }
        }
        else {
            apr_hash_set(ids, it->id, APR_HASH_KEY_STRING, it);
        }
    }
}

/* The entry a reference names: by endpoint key, else by id (Kong's
 * find_entity()). */
static item_t *resolve(dc_t *dc, const ref_t *ref)
{
    const gw_entity_t *target = gw_entity_find(ref->field->reference);
    const char *s = json_object_is_type(ref->value, json_type_string)
                        ? json_object_get_string(ref->value)
                        : gw_json_str(ref->value, "id");
    item_t *found = NULL;

    if (!target) {
        return NULL;
    }
    if (json_object_is_type(ref->value, json_type_string)) {
        found = apr_hash_get(table(dc->by_key, target, dc->p), s,
                             APR_HASH_KEY_STRING);
    }
    return found ? found
                 : apr_hash_get(table(dc->by_id, target, dc->p), s,
                                APR_HASH_KEY_STRING);
}

static json_object *pk(const char *id)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "id", json_object_new_string(id));
    return o;
}

/* ------------------------------------------------------------ validate */

/* Merges the members of an entity's error tree into its slot. */
static void merge_errors(json_object *dst, json_object *fields)
{
    json_object_object_foreach (fields, k, v) {
        if (!json_object_object_get_ex(dst, k, NULL)) {
            json_object_object_add(dst, k, json_object_get(v));
        }
    }
}

static void validate(dc_t *dc, item_t *it)
{
    json_object *input = gw_json_copy(it->entry, dc->p);
    json_object *updated = gw_json_get(it->entry, "updated_at");
    gw_error_t *err = NULL;
    int i;

    for (i = 0; i < it->refs->nelts; i++) {
        const ref_t *ref = &APR_ARRAY_IDX(it->refs, i, ref_t);
        item_t *to = resolve(dc, ref);

        json_object_object_add(input, ref->field->name,
                               pk(to && to->id ? to->id : PLACEHOLDER_ID));
    }
    /* a nested entry's written reference to its parent only had to
     * resolve; the parent it sits in wins, as in Kong */
    if (it->parent_fk) {
        json_object_object_add(
            input, it->parent_fk->name,
            pk(it->parent->id ? it->parent->id : PLACEHOLDER_ID));
    }
    if (gw_entity_prepare_ex(&it->out, &err, it->e, GW_OP_INSERT, input, NULL,
                             dc->now, dc->prepare_flags, dc->p)
        != APR_SUCCESS) {
        merge_errors(slot(dc, it), err->fields);
        return;
    }
    /* an exported file says when entities changed; keep it, so that an
     * export imported and exported again is the same text */
    if (updated
        && (json_object_is_type(updated, json_type_int)
            || json_object_is_type(updated, json_type_double))) {
        json_object_object_add(it->out, "updated_at", json_object_get(updated));
    }
}

/* ------------------------------------------------------------ pass 3 */

static const char *ref_text(const json_object *v, apr_pool_t *p)
{
    if (json_object_is_type(v, json_type_string)) {
        return json_object_get_string((json_object *)v);
    }
    /* cjson's encoding, '/' escaped as Kong's error shows it */
    return apr_pstrdup(p, json_object_to_json_string_ext(
                              (json_object *)v, JSON_C_TO_STRING_PLAIN));
}

static void check_refs(dc_t *dc, item_t *it)
{
    const char *at = it->key ? it->key : it->id;
    int i;

    for (i = 0; i < it->refs->nelts; i++) {
        const ref_t *ref = &APR_ARRAY_IDX(it->refs, i, ref_t);
        json_object *list, *section;

        if (resolve(dc, ref)) {
            continue;
        }
        section = gw_declarative_errors_child(dc->errs, it->e->name, dc->p);
        if (!json_object_object_get_ex(section, at, &list)
            || !json_object_is_type(list, json_type_array)) {
            list = json_object_new_array();
            json_object_object_add(section, at, list);
        }
        json_object_array_add(
            list,
            json_object_new_string(apr_psprintf(
                dc->p, "invalid reference '%s: %s' (no such entry in '%s')",
                ref->field->name, ref_text(ref->value, dc->p),
                ref->field->reference)));
    }
}

/* Unique fields other than the endpoint key (Kong's last check in
 * flatten()), over the complete entities: errs[entity][key or id]. */
static void check_unique(dc_t *dc, const gw_entity_t *e)
{
    const gw_field_t *f;
    int i;

    for (f = e->fields; f->name; f++) {
        apr_hash_t *seen;

        if (!(f->flags & GW_F_UNIQUE)
            || (e->endpoint_key && strcmp(f->name, e->endpoint_key) == 0)) {
            continue;
        }
        seen = apr_hash_make(dc->p);
        for (i = 0; i < dc->items->nelts; i++) {
            item_t *it = APR_ARRAY_IDX(dc->items, i, item_t *);
            json_object *v = it->out ? gw_json_get(it->out, f->name) : NULL;
            const char *text;

            if (it->e != e || !v || it->dup) {
                continue;
            }
            text = f->type == GW_T_FOREIGN ? gw_json_str(v, "id")
                                           : json_object_get_string(v);
            if (!text) {
                continue;
            }
            if (!apr_hash_get(seen, text, APR_HASH_KEY_STRING)) {
                apr_hash_set(seen, text, APR_HASH_KEY_STRING, it);
                continue;
            }
            json_object_object_add(
                gw_declarative_errors_child(dc->errs, e->name, dc->p),
                it->key ? it->key : it->id,
                json_object_new_string(apr_psprintf(
                    dc->p,
                    "uniqueness violation: '%s' entity with %s set to '%s' "
                    "already declared",
                    e->name, f->name, text)));
        }
    }
}

/* ------------------------------------------------------------ 1.1, 2.1 */

/* Kong's migrate_path_280_300 normalize_regex(): %XX of a reserved
 * character stays escaped (upper case), of a regex metacharacter becomes
 * that character escaped, of anything else the character itself. */
static const char *migrate_regex(const char *s, apr_pool_t *p)
{
    static const char reserved[] = "!#$%&'()*+,/:;=?@[]";
    static const char meta[] = ".^-{}\\|";
    char *out = apr_palloc(p, strlen(s) * 2 + 1), *o = out;

    while (*s) {
        int hi, lo;

        if (s[0] == '%' && (hi = gw_text_hexval(s[1])) >= 0
            && (lo = gw_text_hexval(s[2])) >= 0) {
            int c = hi * 16 + lo;

            if (c && strchr(reserved, c)) {
                *o++ = '%';
                *o++ = (char)apr_toupper(s[1]);
                *o++ = (char)apr_toupper(s[2]);
            }
            else if (c && strchr(meta, c)) {
                *o++ = '\\';
                *o++ = (char)c;
            }
            else {
                *o++ = (char)c;
            }
            s += 3;
            continue;
        }
        *o++ = *s++;
    }
    *o = '\0';
    return out;
}

/* Kong's migrate_path(): a path of only [a-zA-Z0-9._~/%-] is a prefix
 * and gets normalised; anything else was a regex and gets its '~'. */
static const char *migrate_path(const char *path, apr_pool_t *p)
{
    const char *normal = NULL;

    if (strspn(path, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789.-_~/%")
        == strlen(path)) {
        return gw_upath_normalize(&normal, p, path) == APR_SUCCESS ? normal
                                                                   : path;
    }
    return apr_pstrcat(p, "~", migrate_regex(path, p), NULL);
}

static void migrate_routes(json_object *routes, apr_pool_t *p)
{
    size_t i, j,
        n = json_object_is_type(routes, json_type_array)
                ? json_object_array_length(routes)
                : 0;

    for (i = 0; i < n; i++) {
        json_object *paths =
            gw_json_get(json_object_array_get_idx(routes, i), "paths");
        size_t m = json_object_is_type(paths, json_type_array)
                       ? json_object_array_length(paths)
                       : 0;

        for (j = 0; j < m; j++) {
            json_object *path = json_object_array_get_idx(paths, j);

            if (json_object_is_type(path, json_type_string)) {
                json_object_array_put_idx(
                    paths, j,
                    json_object_new_string(
                        migrate_path(json_object_get_string(path), p)));
            }
        }
    }
}

/* Kong's on-the-fly migration of 1.1 and 2.1 files: route paths at the
 * top level and in top-level services only, as Kong does it. */
static void migrate(json_object *doc, apr_pool_t *p)
{
    json_object *services = gw_json_get(doc, "services");
    size_t i, n = json_object_is_type(services, json_type_array)
                      ? json_object_array_length(services)
                      : 0;

    migrate_routes(gw_json_get(doc, "routes"), p);
    for (i = 0; i < n; i++) {
        migrate_routes(
            gw_json_get(json_object_array_get_idx(services, i), "routes"), p);
    }
}

/* ------------------------------------------------------------ document */

/* An integral JSON double as the integer it is to Lua, else NULL. */
static json_object *as_integer(json_object *v)
{
    double d = json_object_get_double(v);

    if (!json_object_is_type(v, json_type_double) || d != floor(d)
        || fabs(d) >= 9007199254740992.0) {
        return NULL;
    }
    return json_object_new_int64((int64_t)d);
}

/* Lua has one number type: a JSON 80.0 is the integer 80 to Kong (and
 * is read so from YAML already). Done before hashing, so that the same
 * content hashes alike whichever text it came from. */
static void lua_numbers(json_object *v)
{
    json_object *i64;
    size_t i, n;

    if (json_object_is_type(v, json_type_array)) {
        n = json_object_array_length(v);
        for (i = 0; i < n; i++) {
            json_object *e = json_object_array_get_idx(v, i);

            if ((i64 = as_integer(e)) != NULL) {
                json_object_array_put_idx(v, i, i64);
            }
            else {
                lua_numbers(e);
            }
        }
    }
    else if (json_object_is_type(v, json_type_object)) {
        json_object_object_foreach (v, k, e) {
            if ((i64 = as_integer(e)) != NULL) {
                json_object_object_add(v, k, i64);
                continue;
            }
            lua_numbers(e);
        }
    }
}

/* The members of the document that are not entity lists. */
static void check_top(dc_t *dc, json_object *doc, const char **version)
{
    static const char *const versions[] = {"1.1", "2.1", "3.0", NULL};
    const char *const *v;
    json_object *fv = NULL;

    *version = NULL;
    if (!json_object_object_get_ex(doc, "_format_version", &fv) || !fv) {
        field_error(dc->errs, "_format_version", "required field missing");
    }
    else if (!json_object_is_type(fv, json_type_string)) {
        field_error(dc->errs, "_format_version", "expected a string");
    }
    else {
        for (v = versions; *v; v++) {
            if (strcmp(*v, json_object_get_string(fv)) == 0) {
                *version = *v;
            }
        }
        if (!*version) {
            field_error(dc->errs, "_format_version",
                        "expected one of: 1.1, 2.1, 3.0");
        }
    }
    json_object_object_foreach (doc, key, val) {
        if (strcmp(key, "_format_version") == 0 || strcmp(key, "_info") == 0
            || gw_entity_find(key)) {
            continue; /* _info: decK's, ignored */
        }
        if (strcmp(key, "_transform") == 0) {
            if (val && !json_object_is_type(val, json_type_boolean)) {
                field_error(dc->errs, key, "expected a boolean");
            }
        }
        else if (strcmp(key, "_comment") == 0) {
            if (val && !json_object_is_type(val, json_type_string)) {
                field_error(dc->errs, key, "expected a string");
            }
        }
        else if (strcmp(key, "_ignore") == 0) {
            if (val && !json_object_is_type(val, json_type_array)) {
                field_error(dc->errs, key, "expected an array");
            }
        }
        else {
            field_error(dc->errs, key, "unknown field");
        }
    }
}

/* The flat configuration: every type's entities, sorted by id. */
static json_object *flat_config(dc_t *dc, json_object *doc)
{
    json_object *config = gw_json_own(dc->p, json_object_new_object());
    json_object *transform = gw_json_get(doc, "_transform");
    const gw_entity_t *const *e;

    json_object_object_add(config, "_format_version",
                           json_object_new_string("3.0"));
    json_object_object_add(
        config, "_transform",
        json_object_new_boolean(!transform
                                || json_object_get_boolean(transform)));
    for (e = gw_entity_all(); *e; e++) {
        json_object *list = gw_json_own(dc->p, json_object_new_array());
        int i;

        for (i = 0; i < dc->items->nelts; i++) {
            item_t *it = APR_ARRAY_IDX(dc->items, i, item_t *);

            if (it->e == *e && it->out) {
                json_object_array_add(list, json_object_get(it->out));
            }
        }
        json_object_object_add(config, (*e)->name, gw_declarative_sorted(list));
    }
    return config;
}

/* Passes 2 and 3; returns non-zero when errors were found. */
static int check_entities(dc_t *dc)
{
    const gw_entity_t *const *e;
    int i;

    index_items(dc);
    for (i = 0; i < dc->items->nelts; i++) {
        item_t *it = APR_ARRAY_IDX(dc->items, i, item_t *);

        if (!it->broken) {
            validate(dc, it);
        }
    }
    if (json_object_object_length(dc->errs) > 0) {
        return 1;
    }
    for (i = 0; i < dc->items->nelts; i++) {
        item_t *it = APR_ARRAY_IDX(dc->items, i, item_t *);

        if (it->dup) {
            add_error(dc, it, it->dup);
        }
        check_refs(dc, it);
    }
    for (e = gw_entity_all(); *e; e++) {
        check_unique(dc, *e);
    }
    return json_object_object_length(dc->errs) > 0;
}

static apr_status_t fail(gw_declarative_t *d, dc_t *dc, json_object *input,
                         const gw_declarative_opts_t *opts)
{
    if (opts && opts->flatten_errors && input) {
        d->flattened_errors =
            gw_declarative_errors_flatten(dc->errs, input, dc->p);
    }
    d->error = gw_declarative_errors_make(dc->errs, dc->p);
    return APR_EINVAL;
}

/* A whole-document failure, reported as Kong's {error = "..."}. */
static apr_status_t fail_document(gw_declarative_t *d, apr_pool_t *p,
                                  const char *msg)
{
    json_object *errs = gw_json_own(p, json_object_new_object());

    json_object_object_add(errs, "error", json_object_new_string(msg));
    d->error = gw_declarative_errors_make(errs, p);
    return APR_EINVAL;
}

apr_status_t gw_declarative_load(gw_declarative_t **out, apr_pool_t *p,
                                 json_object *doc,
                                 const gw_declarative_opts_t *opts)
{
    gw_declarative_t *d = apr_pcalloc(p, sizeof(*d));
    json_object *input = NULL;
    const char *version;
    dc_t dc;

    *out = d;
    if (!doc || !json_object_is_type(doc, json_type_object)) {
        return fail_document(d, p,
                             "failed parsing declarative configuration: "
                             "expected an object");
    }
    lua_numbers(doc);
    d->hash = gw_declarative_hash(doc, p);
    memset(&dc, 0, sizeof(dc));
    dc.p = p;
    dc.now = opts ? opts->now : 0;
    if (json_object_is_type(gw_json_get(doc, "_transform"), json_type_boolean)
        && !json_object_get_boolean(gw_json_get(doc, "_transform"))) {
        dc.prepare_flags = GW_PREPARE_RAW;
    }
    dc.max_entities = opts && opts->max_entities ? opts->max_entities
                                                 : GW_DECLARATIVE_MAX_ENTITIES;
    dc.errs = gw_json_own(p, json_object_new_object());
    dc.items = apr_array_make(p, 64, sizeof(item_t *));
    dc.by_id = apr_hash_make(p);
    dc.by_key = apr_hash_make(p);
    if (opts && opts->flatten_errors) {
        input = gw_json_copy(doc, p);
    }
    check_top(&dc, doc, &version);
    d->format_version = version;
    if (version && strcmp(version, "3.0") != 0) {
        migrate(doc, p);
    }
    walk_lists(&dc, doc, NULL);
    if (dc.too_many) {
        return fail_document(
            d, p,
            apr_psprintf(p,
                         "declarative config has more than %" APR_SIZE_T_FMT
                         " entities",
                         dc.max_entities));
    }
    if (check_entities(&dc)) {
        return fail(d, &dc, input, opts);
    }
    d->config = flat_config(&dc, doc);
    return APR_SUCCESS;
}

apr_status_t gw_declarative_parse(gw_declarative_t **out, apr_pool_t *p,
                                  const char *text, apr_size_t len,
                                  const gw_declarative_opts_t *opts)
{
    json_object *doc = NULL;
    const char *why = NULL;
    gw_declarative_t *d;

    if (gw_yaml_parse_any(&doc, p, &why, text, len, opts ? &opts->limits : NULL)
        != APR_SUCCESS) {
        d = apr_pcalloc(p, sizeof(*d));
        *out = d;
        return fail_document(
            d, p,
            apr_pstrcat(p, "failed parsing declarative configuration: ", why,
                        NULL));
    }
    return gw_declarative_load(out, p, doc, opts);
}

json_object *gw_declarative_error_json(const gw_declarative_t *d, apr_pool_t *p)
{
    json_object *body = gw_error_json(d->error, p);

    if (d->flattened_errors) {
        json_object_object_add(body, "flattened_errors",
                               json_object_get(d->flattened_errors));
    }
    return body;
}
