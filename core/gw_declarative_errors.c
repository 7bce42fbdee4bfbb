/*
 * gw_declarative_errors: Kong's renderings of a declarative error tree.
 * See gw_declarative_errors.h.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "gw_declarative_errors.h"
#include "gw_entity.h"
#include "gw_json.h"
#include "gw_text.h"
#include "gw_uuid.h"

/* Index keys cannot clash with names: no field, type or endpoint key
 * starts with a control character. */
#define INDEX_MARK '\001'

const char *gw_declarative_errors_index(int i, apr_pool_t *p)
{
    return apr_psprintf(p, "%c%d", INDEX_MARK, i);
}

/* The position an index key stands for, 0 for a name. */
static int index_of(const char *key)
{
    return key[0] == INDEX_MARK ? atoi(key + 1) : 0;
}

json_object *gw_declarative_errors_child(json_object *obj, const char *key,
                                         apr_pool_t *p)
{
    json_object *child = NULL;

    if (!json_object_object_get_ex(obj, key, &child)
        || !json_object_is_type(child, json_type_object)) {
        child = json_object_new_object();
        json_object_object_add(obj, key, child);
    }
    (void)p;
    return child;
}

static int int_cmp(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

/* Keys of obj: names sorted by byte order in *names, index positions
 * ascending in *indexes. */
static void split_keys(const json_object *obj, apr_array_header_t **names,
                       apr_array_header_t **indexes, apr_pool_t *p)
{
    const char **keys;
    int n, i;

    keys = gw_json_sorted_keys(obj, &n, p);
    *names = apr_array_make(p, n + 1, sizeof(const char *));
    *indexes = apr_array_make(p, n + 1, sizeof(int));
    for (i = 0; i < n; i++) {
        if (index_of(keys[i])) {
            *(int *)apr_array_push(*indexes) = index_of(keys[i]);
        }
        else {
            *(const char **)apr_array_push(*names) = keys[i];
        }
    }
    qsort((*indexes)->elts, (size_t)(*indexes)->nelts, sizeof(int), int_cmp);
}

/* ------------------------------------------------------------ JSON */

json_object *gw_declarative_errors_json(const json_object *tree, apr_pool_t *p)
{
    apr_array_header_t *names, *indexes;
    json_object *out;
    int i;

    if (!json_object_is_type(tree, json_type_object)) {
        return json_object_get((json_object *)tree);
    }
    split_keys(tree, &names, &indexes, p);
    if (indexes->nelts && !names->nelts) {
        /* cjson writes a Lua array with holes as a JSON array with nulls */
        out = json_object_new_array();
        for (i = 0; i < indexes->nelts; i++) {
            int at = APR_ARRAY_IDX(indexes, i, int);

            json_object_array_put_idx(
                out, (size_t)at - 1,
                gw_declarative_errors_json(
                    gw_json_get(tree, gw_declarative_errors_index(at, p)), p));
        }
        return out;
    }
    /* a table with names as well: cjson writes an object; positions first,
     * then names in byte order, so that the text is stable */
    out = json_object_new_object();
    for (i = 0; i < indexes->nelts; i++) {
        int at = APR_ARRAY_IDX(indexes, i, int);

        json_object_object_add(
            out, apr_psprintf(p, "%d", at),
            gw_declarative_errors_json(
                gw_json_get(tree, gw_declarative_errors_index(at, p)), p));
    }
    for (i = 0; i < names->nelts; i++) {
        const char *k = APR_ARRAY_IDX(names, i, const char *);

        json_object_object_add(
            out, k, gw_declarative_errors_json(gw_json_get(tree, k), p));
    }
    return out;
}

/* ------------------------------------------------------------ Lua */

/* Penlight's quote_string(): a long bracket string when s holds a newline
 * or something that looks like a long bracket, else "%q". */
static const char *pl_quote(const char *s, apr_pool_t *p)
{
    const char *c, *eq;
    char *with_end = apr_pstrcat(p, s, "]", NULL);
    int most = -1;

    for (c = with_end; *c; c++) {
        apr_size_t n;

        if (*c != '[' && *c != ']') {
            continue;
        }
        n = strspn(c + 1, "=");
        if (c[1 + n] == *c && (int)n > most) {
            most = (int)n;
        }
    }
    if ((strchr(s, '\n') || most >= 0) && !strchr(s, '\r')) {
        eq = "";
        for (; most >= 0; most--) {
            eq = apr_pstrcat(p, eq, "=", NULL);
        }
        return apr_pstrcat(p, "[", eq, "[", s[0] == '\n' ? "\n" : "", s, "]",
                           eq, "]", NULL);
    }
    return gw_text_lua_quote(s, p);
}

static int lua_identifier(const char *s)
{
    static const char *const keywords[] = {
        "and",      "break",  "do",   "else", "elseif", "end",   "false", "for",
        "function", "goto",   "if",   "in",   "local",  "nil",   "not",   "or",
        "repeat",   "return", "then", "true", "until",  "while", NULL};
    const char *const *k;
    const char *c;

    if (!apr_isalpha(*s) && *s != '_') {
        return 0;
    }
    for (c = s; *c; c++) {
        if (!apr_isalnum(*c) && *c != '_') {
            return 0;
        }
    }
    for (k = keywords; *k; k++) {
        if (strcmp(*k, s) == 0) {
            return 0;
        }
    }
    return 1;
}

static void lua_value(apr_array_header_t *out, const json_object *v,
                      apr_pool_t *p);

static void put(apr_array_header_t *out, const char *s)
{
    *(const char **)apr_array_push(out) = s;
}

/* One entry of a table, ',' before all but the first. */
static void lua_entry(apr_array_header_t *out, int *first, const char *key,
                      const json_object *v, apr_pool_t *p)
{
    if (!*first) {
        put(out, ",");
    }
    *first = 0;
    if (key) {
        put(out, key);
        put(out, "=");
    }
    lua_value(out, v, p);
}

/* pl.pretty.write(t, ""): the array part (1, 2, ... up to the first
 * hole) without keys, then the names sorted, then the other positions. */
static void lua_array(apr_array_header_t *out, const json_object *v,
                      apr_pool_t *p)
{
    size_t i, n = json_object_array_length(v), run = 0;
    int first = 1;

    while (run < n && json_object_array_get_idx(v, run)) {
        lua_entry(out, &first, NULL, json_object_array_get_idx(v, run++), p);
    }
    for (i = run; i < n; i++) {
        if (json_object_array_get_idx(v, i)) {
            lua_entry(out, &first, apr_psprintf(p, "[%d]", (int)i + 1),
                      json_object_array_get_idx(v, i), p);
        }
    }
}

static void lua_table(apr_array_header_t *out, const json_object *v,
                      apr_pool_t *p)
{
    apr_array_header_t *names, *indexes;
    int i, run = 0, first = 1;

    split_keys(v, &names, &indexes, p);
    while (run < indexes->nelts && APR_ARRAY_IDX(indexes, run, int) == run + 1
           && gw_json_get(v, gw_declarative_errors_index(run + 1, p))) {
        lua_entry(out, &first, NULL,
                  gw_json_get(v, gw_declarative_errors_index(run + 1, p)), p);
        run++;
    }
    for (i = 0; i < names->nelts; i++) {
        const char *k = APR_ARRAY_IDX(names, i, const char *);
        const char *shown =
            lua_identifier(k) ? k : apr_psprintf(p, "[%s]", pl_quote(k, p));

        if (gw_json_get(v, k)) {
            lua_entry(out, &first, shown, gw_json_get(v, k), p);
        }
    }
    for (i = run; i < indexes->nelts; i++) {
        int at = APR_ARRAY_IDX(indexes, i, int);
        json_object *e = gw_json_get(v, gw_declarative_errors_index(at, p));

        if (e) {
            lua_entry(out, &first, apr_psprintf(p, "[%d]", at), e, p);
        }
    }
}

static void lua_value(apr_array_header_t *out, const json_object *v,
                      apr_pool_t *p)
{
    switch (json_object_get_type(v)) {
        case json_type_string:
            put(out, pl_quote(json_object_get_string((json_object *)v), p));
            return;
        case json_type_array:
            put(out, "{");
            lua_array(out, v, p);
            put(out, "}");
            return;
        case json_type_object:
            put(out, "{");
            lua_table(out, v, p);
            put(out, "}");
            return;
        default:
            put(out, gw_error_lua((json_object *)v, p));
            return;
    }
}

const char *gw_declarative_errors_lua(const json_object *tree, apr_pool_t *p)
{
    apr_array_header_t *out = apr_array_make(p, 64, sizeof(const char *));

    lua_value(out, tree, p);
    return apr_array_pstrcat(p, out, '\0');
}

gw_error_t *gw_declarative_errors_make(json_object *tree, apr_pool_t *p)
{
    return gw_error_dao(p, GW_ERR_DECLARATIVE_CONFIG,
                        apr_pstrcat(p, "declarative config is invalid: ",
                                    gw_declarative_errors_lua(tree, p), NULL),
                        gw_json_own(p, gw_declarative_errors_json(tree, p)));
}

/* ------------------------------------------------------------ flatten */

static void push_error(json_object *list, const char *field, const char *msg)
{
    json_object *e = json_object_new_object();

    json_object_object_add(e, "type",
                           json_object_new_string(field ? "field" : "entity"));
    if (field) {
        json_object_object_add(e, "field", json_object_new_string(field));
    }
    json_object_object_add(e, "message", json_object_new_string(msg));
    json_object_array_add(list, e);
}

static const char *join(const char *ns, const char *field, apr_pool_t *p)
{
    return ns ? apr_pstrcat(p, ns, ".", field, NULL) : field;
}

/* Kong's categorize_errors(): "@entity" messages, then field messages
 * with dotted paths ("config.second", "protocols.2"), keys sorted. */
static void categorize(json_object *list, const json_object *err,
                       const char *ns, apr_pool_t *p)
{
    const char **keys;
    int n, i;

    if (json_object_is_type(err, json_type_array)) {
        n = (int)json_object_array_length(err);
        for (i = 0; i < n; i++) {
            json_object *e = json_object_array_get_idx(err, (size_t)i);
            const char *at = join(ns, apr_psprintf(p, "%d", i + 1), p);

            if (json_object_is_type(e, json_type_string)) {
                push_error(list, at, json_object_get_string(e));
            }
            else if (e) {
                categorize(list, e, at, p);
            }
        }
        return;
    }
    keys = gw_json_sorted_keys(err, &n, p);
    for (i = 0; i < n; i++) {
        json_object *e = gw_json_get(err, keys[i]);

        if (strcmp(keys[i], "@entity") == 0) {
            size_t j, m = json_object_is_type(e, json_type_array)
                              ? json_object_array_length(e)
                              : 0;

            if (json_object_is_type(e, json_type_string)) {
                push_error(list, NULL, json_object_get_string(e));
            }
            for (j = 0; j < m; j++) {
                push_error(
                    list, NULL,
                    json_object_get_string(json_object_array_get_idx(e, j)));
            }
        }
        else if (json_object_is_type(e, json_type_string)) {
            push_error(list, join(ns, keys[i], p), json_object_get_string(e));
        }
        else if (e) {
            categorize(list, e, join(ns, keys[i], p), p);
        }
    }
}

static json_object *make_pk(const json_object *entity)
{
    const char *id = gw_json_str(entity, "id");
    json_object *pk;

    if (!id || !gw_uuid_valid(id)) {
        return NULL;
    }
    pk = json_object_new_object();
    json_object_object_add(pk, "id", json_object_new_string(id));
    return pk;
}

/* Takes key out of obj, returning it (one reference, owned by p). */
static json_object *take(json_object *obj, const char *key, apr_pool_t *p)
{
    json_object *v = gw_json_get(obj, key);

    if (!v) {
        json_object_object_del(obj, key);
        return NULL;
    }
    json_object_get(v);
    json_object_object_del(obj, key);
    return gw_json_own(p, v);
}

static void entity_errors(json_object *out, const gw_entity_t *e,
                          json_object *entity, json_object *err, apr_pool_t *p);

/* Kong hoists the errors of entities the entry holds: one-to-one (a
 * foreign field written as a record) and one-to-many (nested lists). */
static void hoist(json_object *out, const gw_entity_t *e, json_object *entity,
                  json_object *err, apr_pool_t *p)
{
    const gw_entity_t *const *c;
    const gw_field_t *f;
    json_object *pk = gw_json_own(p, make_pk(entity));

    for (f = e->fields; f->name; f++) {
        json_object *value = gw_json_get(entity, f->name), *ferr, *vpk;

        if (f->type != GW_T_FOREIGN
            || !json_object_is_type(value, json_type_object)) {
            continue;
        }
        value = take(entity, f->name, p);
        if ((vpk = make_pk(value)) != NULL) {
            json_object_object_add(entity, f->name, vpk);
        }
        ferr = take(err, f->name, p);
        if (ferr && gw_entity_find(f->reference)) {
            entity_errors(out, gw_entity_find(f->reference), value, ferr, p);
        }
    }
    for (c = gw_entity_all(); *c; c++) {
        const gw_field_t *fk = gw_entity_foreign_to(*c, e);
        json_object *children = gw_json_get(entity, (*c)->name), *cerr;
        size_t i, n;

        if (!fk || !json_object_is_type(children, json_type_array)) {
            continue;
        }
        children = take(entity, (*c)->name, p);
        cerr = take(err, (*c)->name, p);
        n = json_object_array_length(children);
        for (i = 0; cerr && i < n; i++) {
            json_object *item = json_object_array_get_idx(children, i);
            json_object *ierr =
                gw_json_get(cerr, gw_declarative_errors_index((int)i + 1, p));

            if (!ierr || !json_object_is_type(item, json_type_object)) {
                continue;
            }
            if (!gw_json_has(item, fk->name) && pk) {
                json_object_object_add(item, fk->name, json_object_get(pk));
            }
            entity_errors(out, *c, item, ierr, p);
        }
    }
}

/* Kong's add_entity_errors(). */
static void entity_errors(json_object *out, const gw_entity_t *e,
                          json_object *entity, json_object *err, apr_pool_t *p)
{
    json_object *list, *entry, *tags;
    const char *name = gw_json_str(entity, "name");
    const char *id = gw_json_str(entity, "id");
    size_t i, n;

    if (json_object_is_type(err, json_type_string)) {
        json_object *wrapped = gw_json_own(p, json_object_new_object());

        json_object_object_add(wrapped, "@entity", json_object_get(err));
        err = wrapped;
    }
    if (!json_object_is_type(err, json_type_object)
        || !json_object_is_type(entity, json_type_object)) {
        return;
    }
    hoist(out, e, entity, err, p);
    if (json_object_object_length(err) == 0) {
        return;
    }
    list = json_object_new_array();
    categorize(list, err, NULL, p);
    entry = json_object_new_object();
    if (name && *name) {
        json_object_object_add(entry, "entity_name",
                               json_object_new_string(name));
    }
    if (id && gw_uuid_valid(id)) {
        json_object_object_add(entry, "entity_id", json_object_new_string(id));
    }
    tags = gw_json_get(entity, "tags");
    n = json_object_is_type(tags, json_type_array)
            ? json_object_array_length(tags)
            : 0;
    for (i = 0; i < n
                && json_object_is_type(json_object_array_get_idx(tags, i),
                                       json_type_string);
         i++) {
    }
    if (tags && i == n && json_object_is_type(tags, json_type_array)) {
        json_object_object_add(entry, "entity_tags", json_object_get(tags));
    }
    /* Kong's singular(): the type name without its final 's' */
    json_object_object_add(
        entry, "entity_type",
        json_object_new_string(apr_pstrndup(
            p, e->name,
            strlen(e->name) - (e->name[strlen(e->name) - 1] == 's'))));
    json_object_object_add(entry, "entity", json_object_get(entity));
    json_object_object_add(entry, "errors", list);
    json_object_array_add(out, entry);
}

json_object *gw_declarative_errors_flatten(json_object *tree,
                                           const json_object *input,
                                           apr_pool_t *p)
{
    json_object *out = gw_json_own(p, json_object_new_array());
    const char **keys;
    int n, i;

    keys = gw_json_sorted_keys(tree, &n, p);
    for (i = 0; i < n; i++) {
        const gw_entity_t *e = gw_entity_find(keys[i]);
        json_object *section = gw_json_get(tree, keys[i]);
        json_object *entities = gw_json_get(input, keys[i]);
        apr_array_header_t *names, *indexes;
        int j;

        if (!e || !json_object_is_type(section, json_type_object)
            || !json_object_is_type(entities, json_type_array)) {
            continue;
        }
        split_keys(section, &names, &indexes, p);
        for (j = 0; j < indexes->nelts; j++) {
            int at = APR_ARRAY_IDX(indexes, j, int);
            json_object *entity =
                json_object_array_get_idx(entities, (size_t)at - 1);
            const char *k = gw_declarative_errors_index(at, p);

            if (!json_object_is_type(entity, json_type_object)) {
                continue;
            }
            entity_errors(out, e, gw_json_copy(entity, p), take(section, k, p),
                          p);
        }
        /* Kong loses what it cannot place (errors keyed by name); they
         * stay in the tree here */
        if (json_object_object_length(section) == 0) {
            json_object_object_del(tree, keys[i]);
        }
    }
    return out;
}
