/*
 * mod_gateway_admin: gateway_admin_module, the Kong-compatible Admin API
 * as an httpd handler (`SetHandler gateway-admin`). This file declares the
 * module, its one directive and its hooks; the work is in dispatch, crud,
 * body and info.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_config.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>

#include "gw_form.h"
#include "gw_json.h"
#include "mod_gateway_admin_dispatch.h"
#include "mod_gateway_admin_http.h"

static APR_OPTIONAL_FN_TYPE(gw_node_info) * node_info;

static void *create_server_conf(apr_pool_t *p, server_rec *s)
{
    gw_admin_conf_t *c = apr_pcalloc(p, sizeof(*c));

    c->body_limit = -1;
    return c;
}

static void *merge_server_conf(apr_pool_t *p, void *basev, void *addv)
{
    gw_admin_conf_t *base = basev, *add = addv;
    gw_admin_conf_t *c = apr_pcalloc(p, sizeof(*c));

    c->body_limit = add->body_limit >= 0 ? add->body_limit : base->body_limit;
    return c;
}

static const char *set_body_limit(cmd_parms *cmd, void *dc, const char *arg)
{
    gw_admin_conf_t *c =
        ap_get_module_config(cmd->server->module_config, &gateway_admin_module);
    char *end;
    apr_int64_t v = apr_strtoi64(arg, &end, 10);

    if (*end || v < 1) {
        return "GatewayAdminBodyLimit must be a positive number of bytes";
    }
    c->body_limit = (apr_off_t)v;
    return NULL;
}

static int admin_handler(request_rec *r)
{
    gw_admin_req_t *req;
    const gw_node_info_t *node;

    if (!r->handler || strcmp(r->handler, "gateway-admin") != 0) {
        return DECLINED;
    }
    node = node_info ? node_info(r->server) : NULL;
    if (!node) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "GW00221: gateway-admin needs gateway_module "
                      "(mod_gateway.so) loaded");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    req = apr_pcalloc(r->pool, sizeof(*req));
    req->r = r;
    req->pool = r->pool;
    req->node = node;
    if (gw_form_decode_query(&req->query, r->args, r->pool) != APR_SUCCESS) {
        req->query = gw_json_own(r->pool, json_object_new_object());
        req->bad_query = 1;
    }
    return gw_admin_dispatch(req);
}

static int admin_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *s)
{
    node_info = APR_RETRIEVE_OPTIONAL_FN(gw_node_info);
    gw_admin_http_init();
    if (!node_info) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     "GW00222: gateway_admin_module is loaded without "
                     "gateway_module; the Admin API will answer 500");
    }
    return OK;
}

static void register_hooks(apr_pool_t *p)
{
    static const char *const after_gateway[] = {"mod_gateway.c", NULL};

    ap_hook_post_config(admin_post_config, after_gateway, NULL,
                        APR_HOOK_MIDDLE);
    ap_hook_handler(admin_handler, NULL, NULL, APR_HOOK_MIDDLE);
}

static const command_rec admin_cmds[] = {
    AP_INIT_TAKE1("GatewayAdminBodyLimit", set_body_limit, NULL, RSRC_CONF,
                  "Largest Admin API request body in bytes (default 10 MiB); "
                  "larger bodies answer 413"),
    {NULL}};

AP_DECLARE_MODULE(gateway_admin) = {
    STANDARD20_MODULE_STUFF, NULL,       NULL,           create_server_conf,
    merge_server_conf,       admin_cmds, register_hooks, AP_MODULE_FLAG_NONE};
