/*
 * mod_gateway_admin_plugins: what the Admin API says about plugins beyond
 * the /plugins entity (kong-behaviour.md §1.7): /plugins/enabled,
 * /schemas/plugins/{name} and its deprecated twin /plugins/schema/{name},
 * and the plugin lists of GET /. The plugins and their schemas are
 * core/gw_plugin.h's.
 */
#ifndef MOD_GATEWAY_ADMIN_PLUGINS_H
#define MOD_GATEWAY_ADMIN_PLUGINS_H

#include <json.h>

#include "mod_gateway_admin_http.h"

/* GET /plugins/enabled */
int gw_admin_plugins_enabled(gw_admin_req_t *req);

/* GET /schemas/plugins/{name} (config_only 0) or /plugins/schema/{name}
 * (config_only 1); 404 "No plugin named '<name>'". */
int gw_admin_plugins_schema(gw_admin_req_t *req, const char *name,
                            int config_only);

/* GET /'s "plugins": available_on_server and enabled_in_cluster (the
 * distinct names of the stored plugins; [] when the store cannot say). */
json_object *gw_admin_plugins_info(gw_admin_req_t *req);

#endif
