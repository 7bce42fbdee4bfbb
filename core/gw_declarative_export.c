/*
 * gw_declarative_export: a flat configuration written back as a
 * declarative document, the configuration hash, and the entities map
 * POST /config answers with. See gw_declarative.h.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <apr_tables.h>
#include <openssl/evp.h>

#include "gw_declarative.h"
#include "gw_entity.h"
#include "gw_json.h"
#include "gw_yaml.h"

/* A copy of v whose objects hold their members in byte order of the
 * keys, at every level (a new reference). */
static json_object *sorted_copy(const json_object *v, apr_pool_t *p)
{
    json_object *out;
    const char **keys;
    size_t i, n;
    int k, nk;

    switch (json_object_get_type(v)) {
        case json_type_object:
            out = json_object_new_object();
            keys = gw_json_sorted_keys(v, &nk, p);
            for (k = 0; k < nk; k++) {
                json_object_object_add(out, keys[k],
                                       sorted_copy(gw_json_get(v, keys[k]), p));
            }
            return out;
        case json_type_array:
            out = json_object_new_array();
            n = json_object_array_length(v);
            for (i = 0; i < n; i++) {
                json_object_array_add(
                    out, sorted_copy(json_object_array_get_idx(v, i), p));
            }
            return out;
        default:
            return json_object_get((json_object *)v);
    }
}

static int by_id(const void *a, const void *b)
{
    const char *x = gw_json_str(*(json_object *const *)a, "id");
    const char *y = gw_json_str(*(json_object *const *)b, "id");

    return strcmp(x ? x : "", y ? y : "");
}

json_object *gw_declarative_sorted(const json_object *list)
{
    json_object *out = json_object_new_array();
    size_t i, n = json_object_is_type(list, json_type_array)
                      ? json_object_array_length(list)
                      : 0;

    for (i = 0; i < n; i++) {
        json_object_array_add(
            out, json_object_get(json_object_array_get_idx(list, i)));
    }
    json_object_array_sort(out, by_id);
    return out;
}

/* One entity as db_export writes it: schema order, nulls kept, foreign
 * keys as their id. */
static json_object *export_entity(const gw_entity_t *e, const json_object *ent,
                                  apr_pool_t *p)
{
    json_object *out = json_object_new_object();
    const gw_field_t *f;

    for (f = e->fields; f->name; f++) {
        json_object *v = gw_json_get(ent, f->name);

        if (f->flags & GW_F_TRANSIENT) {
            continue;
        }
        if (f->type == GW_T_FOREIGN) {
            json_object_object_add(out, f->name,
                                   gw_json_new_str(gw_json_str(v, "id")));
        }
        else {
            json_object_object_add(out, f->name, sorted_copy(v, p));
        }
    }
    return out;
}

json_object *gw_declarative_export(const json_object *config, apr_pool_t *p)
{
    json_object *doc = gw_json_own(p, json_object_new_object());
    const gw_entity_t *const *e;

    json_object_object_add(doc, "_format_version",
                           json_object_new_string("3.0"));
    json_object_object_add(doc, "_transform", json_object_new_boolean(0));
    for (e = gw_entity_all(); *e; e++) {
        json_object *list = gw_json_get(config, (*e)->name), *arr, *sorted;
        size_t i, n = json_object_is_type(list, json_type_array)
                          ? json_object_array_length(list)
                          : 0;

        if (n == 0) {
            continue;
        }
        sorted = gw_json_own(p, gw_declarative_sorted(list));
        arr = json_object_new_array();
        for (i = 0; i < n; i++) {
            json_object_array_add(
                arr,
                export_entity(*e, json_object_array_get_idx(sorted, i), p));
        }
        json_object_object_add(doc, (*e)->name, arr);
    }
    return doc;
}

apr_status_t gw_declarative_export_text(const char **text, apr_pool_t *p,
                                        const json_object *config, int as_json)
{
    json_object *doc = gw_declarative_export(config, p);

    if (as_json) {
        *text = gw_json_text(doc, p);
        return APR_SUCCESS;
    }
    return gw_yaml_emit(text, p, NULL, doc);
}

json_object *gw_declarative_by_id(const json_object *config, apr_pool_t *p)
{
    json_object *out = gw_json_own(p, json_object_new_object());
    const gw_entity_t *const *e;

    for (e = gw_entity_all(); *e; e++) {
        json_object *list = gw_json_get(config, (*e)->name), *map;
        size_t i, n = json_object_is_type(list, json_type_array)
                          ? json_object_array_length(list)
                          : 0;

        if (n == 0) {
            continue;
        }
        map = json_object_new_object();
        for (i = 0; i < n; i++) {
            json_object *ent = json_object_array_get_idx(list, i);

            json_object_object_add(map, gw_json_str(ent, "id"),
                                   json_object_get(ent));
        }
        json_object_object_add(out, (*e)->name, map);
    }
    return out;
}

const char *gw_declarative_canonical(const json_object *doc, apr_pool_t *p)
{
    json_object *sorted = gw_json_own(p, sorted_copy(doc, p));

    return gw_json_text(sorted, p);
}

const char *gw_declarative_hash(const json_object *doc, apr_pool_t *p)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0, i;
    const char *text;
    char *out;

    if (!doc) {
        return GW_DECLARATIVE_EMPTY_HASH;
    }
    text = gw_declarative_canonical(doc, p);
    if (EVP_Digest(text, strlen(text), md, &len, EVP_md5(), NULL) != 1) {
        return NULL;
    }
    out = apr_palloc(p, (apr_size_t)len * 2 + 1);
    for (i = 0; i < len; i++) {
        out[i * 2] = hex[md[i] >> 4];
        out[i * 2 + 1] = hex[md[i] & 15];
    }
    out[len * 2] = '\0';
    return out;
}
