/*
 * mod_gateway_admin_info: the node endpoints of the Admin API, `GET /`
 * (version, node, configuration, plugins) and `GET /status` (connection
 * and request counters from httpd's scoreboard, database reachability),
 * in Kong's shapes.
 */
#ifndef MOD_GATEWAY_ADMIN_INFO_H
#define MOD_GATEWAY_ADMIN_INFO_H

#include "mod_gateway_admin_http.h"

int gw_admin_info_root(gw_admin_req_t *req);
int gw_admin_info_status(gw_admin_req_t *req);

#endif
