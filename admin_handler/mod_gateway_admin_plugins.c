/*
 * mod_gateway_admin_plugins: plugin lists and schemas. See
 * mod_gateway_admin_plugins.h.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_log.h>
#include <http_protocol.h>

#include "gw_json.h"
#include "gw_plugin.h"
#include "mod_gateway_admin_plugins.h"

APLOG_USE_MODULE(gateway_admin);

int gw_admin_plugins_enabled(gw_admin_req_t *req)
{
    return gw_admin_send_json(req, HTTP_OK, gw_plugin_enabled_json(req->pool));
}

int gw_admin_plugins_schema(gw_admin_req_t *req, const char *name,
                            int config_only)
{
    const gw_plugin_t *pl = gw_plugin_find(name);

    if (!pl) {
        return gw_admin_send_message(
            req, HTTP_NOT_FOUND,
            apr_psprintf(req->pool, "No plugin named '%s'", name));
    }
    return gw_admin_send_json(req, HTTP_OK,
                              config_only
                                  ? gw_plugin_describe_config(pl, req->pool)
                                  : gw_plugin_describe(pl, req->pool));
}

/* The distinct names of the stored plugins, sorted; [] when the store
 * cannot say. */
static json_object *in_cluster(gw_admin_req_t *req)
{
    gw_store_t *st = gw_admin_store(req);
    json_object *names;

    if (!st) {
        return json_object_new_array();
    }
    if (gw_store_distinct(&names, st, &gw_entity_plugins, "name")
        != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, req->r,
                      "GW00241: cannot list the stored plugins: %s",
                      st->error ? st->error : "unknown error");
        return json_object_new_array();
    }
    return json_object_get(names);
}

json_object *gw_admin_plugins_info(gw_admin_req_t *req)
{
    json_object *o = json_object_new_object();

    json_object_object_add(
        o, "available_on_server",
        json_object_get(gw_plugin_available_json(req->pool)));
    json_object_object_add(o, "enabled_in_cluster", in_cluster(req));
    return o;
}
