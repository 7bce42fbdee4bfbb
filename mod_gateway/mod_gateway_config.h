/*
 * mod_gateway_config: gateway_module's directives and their merged
 * per-server configuration. Configuration that httpd owns (which vhost is
 * a gateway, database mode, node name) lives here; gateway entities live
 * in the database or the declarative file, never in directives.
 */
#ifndef MOD_GATEWAY_CONFIG_H
#define MOD_GATEWAY_CONFIG_H

#include <httpd.h>
#include <http_config.h>

#include "mod_gateway_export.h"

#define GW_UNSET (-1)

typedef struct gw_server_conf_s {
    int enabled;          /* Gateway On|Off (per vhost) */
    int fallthrough;      /* GatewayFallthrough On|Off (per vhost) */
    gw_node_info_t *node; /* shared by every vhost: main server's */
    int database;         /* GatewayDatabase (global) */
    const char *node_name;
    const char *node_id_file;
    const char *state_dir;                /* GatewayStateDir */
    const char *snapshot_file;            /* GatewaySnapshotFile */
    const char *declarative_config;       /* GatewayDeclarativeConfig */
    apr_size_t snapshot_max;              /* GatewaySnapshotMaxSize, 0 unset */
    apr_interval_time_t refresh_interval; /* GatewayRefreshInterval */
} gw_server_conf_t;

extern const command_rec gw_config_cmds[];

void *gw_config_create_server(apr_pool_t *p, server_rec *s);
void *gw_config_merge_server(apr_pool_t *p, void *base, void *add);

/* Applies the defaults to the main server's configuration, which httpd
 * does not merge, and gives virtual hosts without gateway directives a
 * configuration of their own (post_config, before anything reads it). */
void gw_config_finalize(server_rec *main_server, apr_pool_t *pconf);

/* The merged configuration of s. */
gw_server_conf_t *gw_config_get(const server_rec *s);

#endif
