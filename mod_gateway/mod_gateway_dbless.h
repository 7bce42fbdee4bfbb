/*
 * mod_gateway_dbless: a node without a database (GatewayDatabase off).
 *
 * Its configuration is a Kong declarative file (GatewayDeclarativeConfig),
 * loaded and validated in post_config, so a file with errors stops the
 * server from starting with every error in the log; or, without one, the
 * last-known-good snapshot, which keeps what POST /config last loaded
 * across restarts. POST /config replaces the configuration through
 * node->config_replace: one replacement at a time per node (a global
 * mutex; a second one is told to come back, as Kong's 429 does), each
 * published to shared memory and written as the new last-known-good file.
 */
#ifndef MOD_GATEWAY_DBLESS_H
#define MOD_GATEWAY_DBLESS_H

#include <apr_pools.h>

void gw_dbless_register_hooks(apr_pool_t *p);

#endif
