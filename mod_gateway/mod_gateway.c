/*
 * mod_gateway: gateway_module, the proxy side of the gateway.
 *
 * This file only declares the module; each concern registers its own hooks:
 * node identity, the snapshot refresher, the child's compiled
 * configuration, the request context and responses, and the hand-off to
 * mod_proxy.
 */
#include <httpd.h>
#include <http_config.h>

#include "gw_version.h"
#include "mod_gateway_config.h"
#include "mod_gateway_dbless.h"
#include "mod_gateway_node.h"
#include "mod_gateway_proxy.h"
#include "mod_gateway_refresh.h"
#include "mod_gateway_request.h"
#include "mod_gateway_runtime.h"

static int gw_version_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                                  apr_pool_t *ptemp, server_rec *s)
{
    ap_add_version_component(pconf, GW_PRODUCT "/" GW_VERSION);
    return OK;
}

static void gw_register_hooks(apr_pool_t *p)
{
    ap_hook_post_config(gw_version_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    gw_node_register_hooks(p);
    gw_refresh_register_hooks(p);
    gw_dbless_register_hooks(p);
    gw_runtime_register_hooks(p);
    gw_request_register_hooks(p);
    gw_proxy_register_hooks(p);
}

AP_DECLARE_MODULE(gateway) = {STANDARD20_MODULE_STUFF,
                              NULL, /* per-directory config */
                              NULL, /* merge per-directory */
                              gw_config_create_server, /* per-server config */
                              gw_config_merge_server,  /* merge per-server */
                              gw_config_cmds,          /* directives */
                              gw_register_hooks,
                              AP_MODULE_FLAG_NONE};
