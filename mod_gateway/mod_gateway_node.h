/*
 * mod_gateway_node: this node's identity (a UUID kept in a file across
 * restarts, as Kong keeps its node_id in its prefix) and the optional
 * function that shows it to other modules. Built in post_config from the
 * configuration pool; valid until the next restart.
 */
#ifndef MOD_GATEWAY_NODE_H
#define MOD_GATEWAY_NODE_H

#include <httpd.h>

void gw_node_register_hooks(apr_pool_t *p);

#endif
