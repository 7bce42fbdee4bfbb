/*
 * gw_dbimport: a declarative configuration into the database. See
 * gw_dbimport.h.
 */
#include <apr_strings.h>

#include "gw_dbimport.h"
#include "gw_json.h"

/* Names the entity an error is about: "services[2] (id ...): message". */
static gw_error_t *about(gw_error_t *err, const gw_entity_t *e, size_t i,
                         json_object *ent, apr_pool_t *p)
{
    err->message = apr_psprintf(p, "%s[%d] (id %s): %s", e->name, (int)i + 1,
                                gw_json_str(ent, "id"), err->message);
    return err;
}

static apr_status_t import_type(gw_error_t **err, gw_dbimport_stats_t *stats,
                                gw_store_t *st, const gw_entity_t *e,
                                json_object *list)
{
    size_t i, n = json_object_array_length(list);

    for (i = 0; i < n; i++) {
        json_object *ent = json_object_array_get_idx(list, i);

        if (gw_store_check_write(err, st, e, ent) != APR_SUCCESS) {
            return APR_EGENERAL;
        }
        if (*err) {
            *err = about(*err, e, i, ent, st->pool);
            return APR_SUCCESS;
        }
        if (gw_store_write(st, e, ent, 1) != APR_SUCCESS) {
            return APR_EGENERAL;
        }
        stats->entities++;
    }
    stats->types += n > 0;
    return APR_SUCCESS;
}

apr_status_t gw_dbimport(gw_error_t **err, gw_dbimport_stats_t *stats,
                         gw_store_t *st, json_object *config,
                         const char *node_id)
{
    const gw_entity_t *const *e;
    apr_status_t rv;

    *err = NULL;
    stats->entities = stats->types = 0;
    if (gw_store_begin(st) != APR_SUCCESS) {
        return APR_EGENERAL;
    }
    for (e = gw_entity_all(); *e; e++) {
        json_object *list = gw_json_get(config, (*e)->name);

        if (!list || !json_object_is_type(list, json_type_array)) {
            continue;
        }
        rv = import_type(err, stats, st, *e, list);
        if (rv != APR_SUCCESS || *err) {
            gw_store_rollback(st);
            return rv;
        }
    }
    if (gw_store_event(st, node_id, "invalidations", "declarative:import")
            != APR_SUCCESS
        || gw_store_commit(st) != APR_SUCCESS) {
        gw_store_rollback(st);
        return APR_EGENERAL;
    }
    return APR_SUCCESS;
}
