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

typedef struct gw_node_info_s {
    const char *node_id;  /* UUID persisted across restarts */
    const char *hostname; /* GatewayNodeName, else the host's name */
    int database;         /* 1: GatewayDatabase postgres, 0: off */
    const char *node_id_file;
} gw_node_info_t;

APR_DECLARE_OPTIONAL_FN(const gw_node_info_t *, gw_node_info, (server_rec * s));

#endif
