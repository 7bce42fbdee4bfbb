/*
 * mod_gateway_export: what gateway_module offers other modules.
 *
 * gateway_module owns the node: its identity, its database mode and (in
 * later steps) its configuration snapshot. Other modules, the Admin API
 * first, reach that state through the optional function below rather than
 * through shared symbols: the two DSOs each link their own copy of core/.
 * The returned structure belongs to the server's configuration pool and
 * stays valid until the next restart.
 */
#ifndef MOD_GATEWAY_EXPORT_H
#define MOD_GATEWAY_EXPORT_H

#include <apr_optional.h>
#include <httpd.h>
#include <json.h>

#include "gw_memstore.h"

/* What the node's refresher last did, for /status. */
typedef struct gw_node_config_state_s {
    const char *source;   /* "database", "file", "declarative", NULL */
    apr_time_t loaded_at; /* when the current snapshot was published */
    int services, routes;
    int database_reachable;   /* as the refresher last saw it */
    const char *error;        /* its last problem, NULL when none */
    apr_uint64_t requests;    /* requests the node served */
    apr_uint64_t connections; /* connections it accepted */
    const char *hash;         /* DB-less: the configuration's hash */
} gw_node_config_state_t;

typedef struct gw_node_info_s {
    const char *node_id;  /* UUID persisted across restarts */
    const char *hostname; /* GatewayNodeName, else the host's name */
    int database;         /* 1: GatewayDatabase postgres, 0: off */
    const char *node_id_file;
    /* Fills *out from shared memory (strings allocated from p). */
    void (*config_state)(gw_node_config_state_t *out, apr_pool_t *p);
    /* The configuration the child serves, indexed for reads, held until r
     * ends; NULL before the first one. For the Admin API of a DB-less
     * node. */
    const gw_memstore_t *(*config_acquire)(request_rec *r);
    /* DB-less: replaces the whole configuration (a complete, validated
     * one) and keeps it as the last-known-good file. APR_EBUSY while
     * another replacement runs on this node. */
    apr_status_t (*config_replace)(request_rec *r, json_object *config,
                                   const char *hash);
} gw_node_info_t;

APR_DECLARE_OPTIONAL_FN(const gw_node_info_t *, gw_node_info, (server_rec * s));

#endif
