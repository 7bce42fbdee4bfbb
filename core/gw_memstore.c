/*
 * gw_memstore: entity queries over a configuration in memory. See
 * gw_memstore.h.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>

#include "gw_json.h"
#include "gw_memstore.h"

typedef struct kind_s {
    json_object *sorted; /* the entities of one type in id order */
    apr_hash_t *by_id;
} kind_t;

struct gw_memstore_s {
    json_object *config;
    apr_hash_t *kinds; /* entity name -> kind_t */
    json_object *tags;
    apr_pool_t *pool;
};

static int by_id(const void *a, const void *b)
{
    const char *x = gw_json_str(*(json_object *const *)a, "id");
    const char *y = gw_json_str(*(json_object *const *)b, "id");

    return strcmp(x ? x : "", y ? y : "");
}

static int by_entity_then_tag(const void *a, const void *b)
{
    json_object *x = *(json_object *const *)a, *y = *(json_object *const *)b;
    int c = strcmp(gw_json_str(x, "entity_id"), gw_json_str(y, "entity_id"));

    return c ? c : strcmp(gw_json_str(x, "tag"), gw_json_str(y, "tag"));
}

static void index_tags(gw_memstore_t *m, const gw_entity_t *e, kind_t *k)
{
    size_t i, n = json_object_array_length(k->sorted);

    for (i = 0; i < n; i++) {
        json_object *ent = json_object_array_get_idx(k->sorted, i);
        json_object *tags = gw_json_get(ent, "tags");
        size_t j;

        if (!tags || !json_object_is_type(tags, json_type_array)) {
            continue;
        }
        for (j = 0; j < json_object_array_length(tags); j++) {
            json_object *row = json_object_new_object();

            json_object_object_add(
                row, "tag",
                json_object_get(json_object_array_get_idx(tags, j)));
            json_object_object_add(row, "entity_name",
                                   json_object_new_string(e->name));
            json_object_object_add(row, "entity_id",
                                   json_object_get(gw_json_get(ent, "id")));
            json_object_array_add(m->tags, row);
        }
    }
}

gw_memstore_t *gw_memstore_create(json_object *config, apr_pool_t *p)
{
    gw_memstore_t *m = apr_pcalloc(p, sizeof(*m));
    const gw_entity_t *const *e;

    m->config = config;
    m->pool = p;
    m->kinds = apr_hash_make(p);
    m->tags = gw_json_own(p, json_object_new_array());
    for (e = gw_entity_all(); *e; e++) {
        kind_t *k = apr_pcalloc(p, sizeof(*k));
        json_object *list = gw_json_get(config, (*e)->name);
        size_t i, n;

        k->sorted = gw_json_own(p, json_object_new_array());
        k->by_id = apr_hash_make(p);
        n = list && json_object_is_type(list, json_type_array)
                ? json_object_array_length(list)
                : 0;
        for (i = 0; i < n; i++) {
            json_object *ent = json_object_array_get_idx(list, i);
            const char *id = gw_json_str(ent, "id");

            if (id) {
                json_object_array_add(k->sorted, json_object_get(ent));
                apr_hash_set(k->by_id, id, APR_HASH_KEY_STRING, ent);
            }
        }
        json_object_array_sort(k->sorted, by_id);
        apr_hash_set(m->kinds, (*e)->name, APR_HASH_KEY_STRING, k);
        if (gw_schema_field((*e)->fields, "tags")) {
            index_tags(m, *e, k);
        }
    }
    json_object_array_sort(m->tags, by_entity_then_tag);
    return m;
}

json_object *gw_memstore_config(const gw_memstore_t *m)
{
    return m->config;
}

static kind_t *kind_of(const gw_memstore_t *m, const gw_entity_t *e)
{
    return apr_hash_get(m->kinds, e->name, APR_HASH_KEY_STRING);
}

int gw_memstore_column_is(const gw_entity_t *e, json_object *ent,
                          const char *column, const char *value)
{
    json_object *v = gw_json_get(ent, column);
    apr_size_t len = strlen(column);
    const char *s;

    if (!v && len > 3 && strcmp(column + len - 3, "_id") == 0) {
        const gw_field_t *f;
        char name[64];

        if (len - 3 >= sizeof(name)) {
            return 0;
        }
        memcpy(name, column, len - 3);
        name[len - 3] = '\0';
        f = gw_schema_field(e->fields, name);
        if (!f || f->type != GW_T_FOREIGN) {
            return 0;
        }
        v = gw_json_get(gw_json_get(ent, name), "id");
    }
    if (!v) {
        return 0;
    }
    if (json_object_is_type(v, json_type_string)) {
        s = json_object_get_string(v);
        return strcmp(s, value) == 0;
    }
    /* numbers and booleans compare by their text, as SQL's casts do;
     * never through json-c's own serialiser, which writes into the shared
     * object */
    if (json_object_is_type(v, json_type_boolean)) {
        return strcmp(json_object_get_boolean(v) ? "true" : "false", value)
               == 0;
    }
    if (json_object_is_type(v, json_type_int)) {
        char buf[32];

        apr_snprintf(buf, sizeof(buf), "%" APR_INT64_T_FMT,
                     (apr_int64_t)json_object_get_int64(v));
        return strcmp(buf, value) == 0;
    }
    return 0;
}

json_object *gw_memstore_select(const gw_memstore_t *m, const gw_entity_t *e,
                                const char *column, const char *value)
{
    kind_t *k = kind_of(m, e);
    size_t i, n;

    if (!k) {
        return NULL;
    }
    if (strcmp(column, "id") == 0) {
        return apr_hash_get(k->by_id, value, APR_HASH_KEY_STRING);
    }
    n = json_object_array_length(k->sorted);
    for (i = 0; i < n; i++) {
        json_object *ent = json_object_array_get_idx(k->sorted, i);

        if (gw_memstore_column_is(e, ent, column, value)) {
            return ent;
        }
    }
    return NULL;
}

json_object *gw_memstore_all(const gw_memstore_t *m, const gw_entity_t *e)
{
    kind_t *k = kind_of(m, e);

    return k ? k->sorted : gw_json_own(m->pool, json_object_new_array());
}

void gw_memstore_each(const gw_memstore_t *m, const gw_entity_t *e,
                      const char *after, gw_memstore_each_fn fn, void *baton)
{
    kind_t *k = kind_of(m, e);
    size_t lo = 0, hi, n;

    if (!k) {
        return;
    }
    n = hi = json_object_array_length(k->sorted);
    if (after) {
        /* the first entity whose id sorts after `after` */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            const char *id =
                gw_json_str(json_object_array_get_idx(k->sorted, mid), "id");

            if (strcmp(id, after) <= 0) {
                lo = mid + 1;
            }
            else {
                hi = mid;
            }
        }
    }
    for (; lo < n; lo++) {
        if (fn(baton, json_object_array_get_idx(k->sorted, lo))) {
            return;
        }
    }
}

json_object *gw_memstore_tags(const gw_memstore_t *m)
{
    return m->tags;
}
