/*
 * mod_gateway_admin_plugins: plugin lists and schemas. See
 * mod_gateway_admin_plugins.h.
 */
#include <httpd.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include <http_protocol.h>

#include "gw_json.h"
#include "gw_plugin.h"
#include "mod_gateway_admin_plugins.h"

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

static int by_name(const void *a, const void *b)
{
    return strcmp(json_object_get_string(*(json_object *const *)a),
                  json_object_get_string(*(json_object *const *)b));
}

/* The distinct names of the stored plugins, sorted. */
static json_object *in_cluster(gw_admin_req_t *req)
{
    json_object *names = json_object_new_array(), *all;
    gw_store_t *st = gw_admin_store(req);
    apr_hash_t *seen = apr_hash_make(req->pool);
    size_t i, n;

    if (!st || gw_store_all(&all, st, &gw_entity_plugins) != APR_SUCCESS) {
        return names;
    }
    n = json_object_array_length(all);
    for (i = 0; i < n; i++) {
        const char *name =
            gw_json_str(json_object_array_get_idx(all, i), "name");

        if (name && !apr_hash_get(seen, name, APR_HASH_KEY_STRING)) {
            apr_hash_set(seen, name, APR_HASH_KEY_STRING, name);
            json_object_array_add(names, json_object_new_string(name));
        }
    }
    json_object_array_sort(names, by_name);
    return names;
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
