/*
 * gw_dbimport: a whole declarative configuration into the database
 * (`gatewayctl config db_import`), all or nothing.
 *
 * The configuration is the flat, validated form gw_declarative_parse()
 * makes: every entity complete, with its id, foreign keys as {"id": ...}.
 * Entities are upserted by id, parents first, in one transaction, after
 * the same uniqueness and foreign-key checks as an Admin API write; the
 * transaction also records one cluster event, so running nodes load the
 * result at once. The first conflict rolls everything back and is
 * reported in Kong's shape, naming the entity that caused it.
 */
#ifndef GW_DBIMPORT_H
#define GW_DBIMPORT_H

#include <json.h>

#include "gw_error.h"
#include "gw_store.h"

typedef struct gw_dbimport_stats_s {
    int entities; /* rows written */
    int types;    /* entity types that had any */
} gw_dbimport_stats_t;

/* APR_SUCCESS with *err NULL: imported. APR_SUCCESS with *err set: the
 * configuration conflicts with the database, nothing written. Anything
 * else: a database failure (st->error), nothing written. */
apr_status_t gw_dbimport(gw_error_t **err, gw_dbimport_stats_t *stats,
                         gw_store_t *st, json_object *config,
                         const char *node_id);

#endif
