/*
 * gw_store: the PostgreSQL store of configuration entities, through
 * apr_dbd. All SQL of the gateway's entities lives here, so a schema change
 * touches this file and one migration.
 *
 * A gw_store_t wraps one apr_dbd connection that the caller owns (a mod_dbd
 * connection in the Admin API, a private one in the CLI and the refresher)
 * for the lifetime of one pool: statements, results and entities are
 * allocated from that pool. Every write the Admin API makes runs between
 * gw_store_begin() and gw_store_commit(), together with its
 * gw_store_event() that tells other nodes about it.
 */
#ifndef GW_STORE_H
#define GW_STORE_H

#include <apr_dbd.h>
#include <apr_hash.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include <json.h>

#include "gw_entity.h"
#include "gw_error.h"
#include "gw_memstore.h"

/* The NOTIFY channel that carries configuration changes. */
#define GW_STORE_CHANNEL "gateway_config"

typedef struct gw_store_s {
    const apr_dbd_driver_t *driver;
    apr_dbd_t *handle;
    apr_pool_t *pool;
    const char *error;        /* text of the last database error, or NULL */
    int unreachable;          /* the last failure was a lost connection */
    apr_hash_t *prepared;     /* SQL -> labelled statement, when enabled */
    apr_pool_t *stmt_pool;    /* where labelled statements live */
    const gw_memstore_t *mem; /* reads come from here: a DB-less node */
} gw_store_t;

/* A list query: one page in id order after `after` (NULL: first page). */
typedef struct gw_store_query_s {
    int size;
    const char *after;
    apr_array_header_t *tags; /* of const char *, NULL: no filter */
    int tags_any;             /* OR (a/b) instead of AND (a,b) */
    const char *fk_column;    /* nested lists: e.g. "service_id" */
    const char *fk_value;
    apr_array_header_t *fk_values; /* instead of fk_value: any of these
                                      ids (const char *) */
    const char *eq_column;         /* exact-match filter, e.g. custom_id */
    const char *eq_value;
    const char *newest_per; /* only the newest row of each value of this
                               column, newest first, from row `skip` on
                               (after is then unused) */
    int skip;
} gw_store_query_t;

/* Wraps an open connection; p owns everything the store allocates. */
gw_store_t *gw_store_wrap(apr_pool_t *p, const apr_dbd_driver_t *driver,
                          apr_dbd_t *handle);

/* A store whose reads (select, select_child, page, all, tags) answer from
 * an in-memory configuration; it has no connection, so it must not be
 * written to. Entities returned are copies owned by p. */
gw_store_t *gw_store_memory(apr_pool_t *p, const gw_memstore_t *m);

/* Makes the store prepare each distinct statement once (a labelled
 * PREPARE on the connection) and reuse it: for a long-lived connection
 * that the store owns alone, such as the refresher's. Never for pooled
 * connections shared with others, whose resets would drop the statements.
 * Statements live in st->pool. */
void gw_store_prepare_statements(gw_store_t *st);

/* A view of st's connection whose results live in p (cleared after each
 * use, e.g. a watchdog tick) while statements stay in st's cache. Errors
 * are reported on the view. */
gw_store_t *gw_store_view(gw_store_t *st, apr_pool_t *p);

apr_status_t gw_store_begin(gw_store_t *st);
apr_status_t gw_store_commit(gw_store_t *st);
/* Safe to call in any state; errors are ignored (the connection's next
 * use reports them). */
void gw_store_rollback(gw_store_t *st);

/* Runs SQL without results (migrations, locks). */
apr_status_t gw_store_exec(gw_store_t *st, const char *sql);

/* Runs a parameterised query (apr_dbd %s placeholders) and returns the
 * first column of each row as strings. */
apr_status_t gw_store_strings(apr_array_header_t **out, gw_store_t *st,
                              const char *sql, int nargs, const char **args);

/* The entity of type e whose `column` equals value; *out NULL if none. */
apr_status_t gw_store_select(json_object **out, gw_store_t *st,
                             const gw_entity_t *e, const char *column,
                             const char *value);

/* The newest entity of type e whose `column` equals value among those
 * whose foreign-key column fk_column is fk_value (a key under its parent:
 * /upstreams/{u}/targets/{target}); *out NULL if none. */
apr_status_t gw_store_select_child(json_object **out, gw_store_t *st,
                                   const gw_entity_t *e, const char *column,
                                   const char *value, const char *fk_column,
                                   const char *fk_value);

/* Every entity of type e, in id order, as a JSON array. */
apr_status_t gw_store_all(json_object **rows, gw_store_t *st,
                          const gw_entity_t *e);

/* The distinct values of e's string field `column` (a field name), sorted,
 * as a JSON array of strings (GET /'s enabled_in_cluster: the names of
 * the stored plugins). */
apr_status_t gw_store_distinct(json_object **out, gw_store_t *st,
                               const gw_entity_t *e, const char *column);

/* Adds every entity of every type to config, under its table name, in
 * id order: the whole configuration (run it in one transaction for a
 * consistent one). */
apr_status_t gw_store_load_all(json_object *config, gw_store_t *st);

/* One page of the (tag, entity_name, entity_id) rows of every taggable
 * entity (Kong's /tags), in (entity_id, tag) order after the pair
 * (after_id, after_tag) when given; only rows of `tag` when not NULL.
 * *next_id / *next_tag are set when there are more rows. */
apr_status_t gw_store_tags(json_object **rows, const char **next_id,
                           const char **next_tag, gw_store_t *st,
                           const char *tag, int size, const char *after_id,
                           const char *after_tag);

/* One page of entities; *after_last is the id to continue after when
 * there are more rows (with q->newest_per: the decimal row number to
 * continue from), NULL on the last page. */
apr_status_t gw_store_page(json_object **rows, const char **after_last,
                           gw_store_t *st, const gw_entity_t *e,
                           const gw_store_query_t *q);

/* Stores a complete entity: a new row (replace = 0: an existing id is a
 * primary key violation) or the whole row by id (replace = 1). */
apr_status_t gw_store_write(gw_store_t *st, const gw_entity_t *e,
                            json_object *ent, int replace);

/* Makes row `id` of e (an entity with GW_E_TTL) expire `seconds` from
 * now: Kong's ttl write option. */
apr_status_t gw_store_set_ttl(gw_store_t *st, const gw_entity_t *e,
                              const char *id, apr_int64_t seconds);

/* Deletes by id; *deleted says whether a row went. */
apr_status_t gw_store_delete(gw_store_t *st, const gw_entity_t *e,
                             const char *id, int *deleted);

/* Checks what the database must enforce before a write of ent: unique
 * fields and e->unique_together (409) and foreign keys (400 code 4).
 * APR_SUCCESS with *err NULL when the write may go ahead. */
apr_status_t gw_store_check_write(gw_error_t **err, gw_store_t *st,
                                  const gw_entity_t *e, json_object *ent);

/* Before deleting entity `id` of type e: an entity of another type that
 * references it, other than through a GW_F_CASCADE key (the database
 * deletes those rows with it), makes *err a code-4 "referenced by"
 * error. */
apr_status_t gw_store_check_delete(gw_error_t **err, gw_store_t *st,
                                   const gw_entity_t *e, const char *id);

/* Records a change for the other nodes: a cluster_events row and a NOTIFY
 * on GW_STORE_CHANNEL, both part of the current transaction. */
apr_status_t gw_store_event(gw_store_t *st, const char *node_id,
                            const char *channel, const char *data);

/* True when the connection answers a trivial query. */
int gw_store_ping(gw_store_t *st);

#endif
