/*
 * mod_gateway_refresh: keeps the node's snapshot in step with PostgreSQL.
 *
 * One singleton mod_watchdog callback per node (it runs in one child, in
 * the watchdog's own thread) holds a mod_dbd connection that LISTENs on
 * gateway_config, and also polls the newest cluster_events row every
 * GatewayRefreshInterval in case a notification is lost. On a change it
 * loads services and routes in one read-only repeatable-read transaction
 * with prepared statements, encodes the snapshot, publishes it into shared
 * memory (mod_gateway_shm) and writes it to the last-known-good file.
 * While the database is down nothing is published: every child keeps
 * serving what it has, and the refresher reconnects with a backoff.
 *
 * At startup (post_config, in the parent) the last-known-good file is
 * published first, so children never start empty when one exists.
 */
#ifndef MOD_GATEWAY_REFRESH_H
#define MOD_GATEWAY_REFRESH_H

#include <httpd.h>

void gw_refresh_register_hooks(apr_pool_t *p);

#endif
