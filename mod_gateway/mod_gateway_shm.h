/*
 * mod_gateway_shm: the node's configuration snapshot in shared memory.
 *
 * One anonymous shared segment per server generation, created in
 * post_config and inherited by every child: a header (generation counter,
 * the active slot, refresher status) and two slots of GatewaySnapshotMaxSize
 * bytes. The refresher, the only writer on a node, writes the next snapshot
 * into the inactive slot and then flips `active` and bumps `generation`;
 * each slot carries a sequence number that is odd while it is written, so
 * readers copy without locks and retry on the rare torn read. Readers never
 * block the writer and the writer never waits for readers.
 */
#ifndef MOD_GATEWAY_SHM_H
#define MOD_GATEWAY_SHM_H

#include <apr_shm.h>
#include <httpd.h>
#include <json.h>

#define GW_SHM_DEFAULT_SLOT_SIZE (32 * 1024 * 1024)

/* What the refresher tells the rest of the node. */
typedef struct gw_shm_status_s {
    apr_time_t loaded_at;  /* when the current snapshot was published */
    apr_time_t checked_at; /* last successful database check */
    int database_reachable;
    int routes; /* routes in the current snapshot */
    int services;
    volatile apr_uint64_t requests;    /* requests this node served */
    volatile apr_uint64_t connections; /* connections it accepted */
    char source[16];                   /* "database", "file", "declarative" */
    char error[256];                   /* last refresh problem, "" when none */
    char hash[33]; /* DB-less: configuration hash, "" when none */
} gw_shm_status_t;

/* Creates the segment (post_config, parent). */
apr_status_t gw_shm_create(apr_size_t slot_size, apr_pool_t *pconf,
                           server_rec *s);

/* Publishes bytes as the next snapshot; APR_ENOSPC when larger than a
 * slot. Only the refresher (or post_config) calls this. */
apr_status_t gw_shm_publish(const char *bytes, apr_size_t len,
                            const char *source);

/* The generation readers compare with their own (0: nothing published). */
apr_uint64_t gw_shm_generation(void);

/* Copies the current snapshot into p. *gen is its generation. Returns
 * APR_ENOENT when nothing was published yet. */
apr_status_t gw_shm_fetch(const char **bytes, apr_size_t *len,
                          apr_uint64_t *gen, apr_pool_t *p);

/* The refresher's status, readable by anyone (a copy). */
void gw_shm_status_get(gw_shm_status_t *out);
void gw_shm_status_set_db(int reachable, const char *error);
/* Records how many services and routes the configuration just published
 * holds (its "services" and "routes" arrays; absent ones count 0). */
void gw_shm_status_set_counts(const json_object *config);
void gw_shm_status_set_hash(const char *hash);

/* Node-wide counters (atomic; any child, any thread). */
void gw_shm_count_request(void);
void gw_shm_count_connection(void);

#endif
