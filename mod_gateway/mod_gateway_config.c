/*
 * mod_gateway_config: directives of gateway_module. Unset values are
 * GW_UNSET until the merge step, where every default is stated once.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_log.h>
#include <http_core.h>

#include "mod_gateway_config.h"

extern module AP_MODULE_DECLARE_DATA gateway_module;

gw_server_conf_t *gw_config_get(const server_rec *s)
{
    return ap_get_module_config(s->module_config, &gateway_module);
}

void *gw_config_create_server(apr_pool_t *p, server_rec *s)
{
    gw_server_conf_t *c = apr_pcalloc(p, sizeof(*c));

    c->enabled = GW_UNSET;
    c->fallthrough = GW_UNSET;
    c->database = GW_UNSET;
    c->refresh_interval = GW_UNSET;
    return c;
}

/* Every default, stated once: the merge applies them to virtual hosts and
 * gw_config_finalize() to the main server, whose configuration httpd never
 * merges. */
#define DEFAULT_FALLTHROUGH 0
#define DEFAULT_DATABASE 1
#define DEFAULT_REFRESH_INTERVAL apr_time_from_sec(1)

#define MERGE_INT(field, dflt)        \
    c->field = add->field != GW_UNSET \
                   ? add->field       \
                   : (base->field != GW_UNSET ? base->field : (dflt))

void *gw_config_merge_server(apr_pool_t *p, void *basev, void *addv)
{
    gw_server_conf_t *base = basev, *add = addv;
    gw_server_conf_t *c = apr_pcalloc(p, sizeof(*c));

    /* Gateway is per vhost and not inherited: a vhost proxies only when it
     * says so itself */
    c->enabled = add->enabled != GW_UNSET ? add->enabled : 0;
    MERGE_INT(fallthrough, DEFAULT_FALLTHROUGH);
    MERGE_INT(database, DEFAULT_DATABASE);
    c->node_name = add->node_name ? add->node_name : base->node_name;
    c->node_id_file =
        add->node_id_file ? add->node_id_file : base->node_id_file;
    /* the rest is GLOBAL_ONLY: virtual hosts carry the main server's */
    c->state_dir = base->state_dir;
    c->snapshot_file = base->snapshot_file;
    c->declarative_config = base->declarative_config;
    c->snapshot_max = base->snapshot_max;
    c->refresh_interval = base->refresh_interval != GW_UNSET
                              ? base->refresh_interval
                              : DEFAULT_REFRESH_INTERVAL;
    c->node = base->node;
    return c;
}

void gw_config_finalize(server_rec *main_server, apr_pool_t *pconf)
{
    gw_server_conf_t *c = gw_config_get(main_server);
    server_rec *vs;

    /* httpd creates a module's per-server configuration for a virtual
     * host only when the host uses one of the module's directives; the
     * others share the main server's. A virtual host must never proxy
     * because the main server does: give those their own, merged. */
    for (vs = main_server->next; vs; vs = vs->next) {
        if (gw_config_get(vs) == c) {
            ap_set_module_config(
                vs->module_config, &gateway_module,
                gw_config_merge_server(pconf, c,
                                       gw_config_create_server(pconf, vs)));
        }
    }

    if (c->enabled == GW_UNSET) {
        c->enabled = 0;
    }
    if (c->fallthrough == GW_UNSET) {
        c->fallthrough = DEFAULT_FALLTHROUGH;
    }
    if (c->database == GW_UNSET) {
        c->database = DEFAULT_DATABASE;
    }
    if (c->refresh_interval == GW_UNSET) {
        c->refresh_interval = DEFAULT_REFRESH_INTERVAL;
    }
}

static const char *global_only(cmd_parms *cmd)
{
    return ap_check_cmd_context(cmd, GLOBAL_ONLY);
}

static const char *set_enabled(cmd_parms *cmd, void *dc, int on)
{
    gw_server_conf_t *c = gw_config_get(cmd->server);

    c->enabled = on;
    return NULL;
}

static const char *set_fallthrough(cmd_parms *cmd, void *dc, int on)
{
    gw_server_conf_t *c = gw_config_get(cmd->server);

    c->fallthrough = on;
    return NULL;
}

static const char *set_database(cmd_parms *cmd, void *dc, const char *arg)
{
    gw_server_conf_t *c = gw_config_get(cmd->server);
    const char *err = global_only(cmd);

    if (err) {
        return err;
    }
    if (strcasecmp(arg, "postgres") == 0) {
        c->database = 1;
    }
    else if (strcasecmp(arg, "off") == 0) {
        c->database = 0;
    }
    else {
        return "GatewayDatabase must be 'postgres' or 'off'";
    }
    return NULL;
}

static const char *set_node_name(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = global_only(cmd);

    if (err) {
        return err;
    }
    gw_config_get(cmd->server)->node_name = arg;
    return NULL;
}

/* The global path directives: cmd->info is the field's offset. */
static const char *set_global_path(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = global_only(cmd);

    if (err) {
        return err;
    }
    *(const char **)((char *)gw_config_get(cmd->server)
                     + (apr_size_t)cmd->info) =
        ap_server_root_relative(cmd->pool, arg);
    return NULL;
}

static const char *set_snapshot_max(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = global_only(cmd);
    char *end;
    apr_int64_t v;

    if (err) {
        return err;
    }
    v = apr_strtoi64(arg, &end, 10);
    if (*end == 'K' || *end == 'k') {
        v *= 1024;
        end++;
    }
    else if (*end == 'M' || *end == 'm') {
        v *= 1024 * 1024;
        end++;
    }
    if (*end || v < 4096 || v > APR_INT64_C(1) << 32) {
        return "GatewaySnapshotMaxSize must be a size between 4K and 4096M";
    }
    gw_config_get(cmd->server)->snapshot_max = (apr_size_t)v;
    return NULL;
}

static const char *set_refresh_interval(cmd_parms *cmd, void *dc,
                                        const char *arg)
{
    const char *err = global_only(cmd);
    apr_interval_time_t t;

    if (err) {
        return err;
    }
    if (ap_timeout_parameter_parse(arg, &t, "s") != APR_SUCCESS
        || t < apr_time_from_msec(100)) {
        return "GatewayRefreshInterval must be a duration of at least 100ms "
               "(e.g. 5, 500ms)";
    }
    gw_config_get(cmd->server)->refresh_interval = t;
    return NULL;
}

const command_rec gw_config_cmds[] = {
    AP_INIT_FLAG("Gateway", set_enabled, NULL, RSRC_CONF,
                 "On to route this virtual host's requests through the "
                 "gateway"),
    AP_INIT_FLAG("GatewayFallthrough", set_fallthrough, NULL, RSRC_CONF,
                 "On to let requests that match no route go on to the rest "
                 "of Apache instead of answering 404"),
    AP_INIT_TAKE1("GatewayDatabase", set_database, NULL, RSRC_CONF,
                  "'postgres' (configuration in PostgreSQL via mod_dbd) or "
                  "'off' (declarative configuration only)"),
    AP_INIT_TAKE1("GatewayNodeName", set_node_name, NULL, RSRC_CONF,
                  "This node's name in the Admin API (default: hostname)"),
    AP_INIT_TAKE1("GatewayNodeIdFile", set_global_path,
                  (void *)APR_OFFSETOF(gw_server_conf_t, node_id_file),
                  RSRC_CONF,
                  "Where this node keeps its id across restarts (default: "
                  "node-id in GatewayStateDir)"),
    AP_INIT_TAKE1("GatewayStateDir", set_global_path,
                  (void *)APR_OFFSETOF(gw_server_conf_t, state_dir), RSRC_CONF,
                  "Directory for the node id and the last-known-good "
                  "snapshot (default: gateway/ in the runtime directory)"),
    AP_INIT_TAKE1("GatewaySnapshotFile", set_global_path,
                  (void *)APR_OFFSETOF(gw_server_conf_t, snapshot_file),
                  RSRC_CONF,
                  "The last-known-good snapshot (default: snapshot in "
                  "GatewayStateDir)"),
    AP_INIT_TAKE1("GatewayDeclarativeConfig", set_global_path,
                  (void *)APR_OFFSETOF(gw_server_conf_t, declarative_config),
                  RSRC_CONF,
                  "With GatewayDatabase off: the Kong declarative "
                  "configuration file (YAML or JSON) loaded at start"),
    AP_INIT_TAKE1("GatewaySnapshotMaxSize", set_snapshot_max, NULL, RSRC_CONF,
                  "Largest configuration snapshot, e.g. 32M (default)"),
    AP_INIT_TAKE1("GatewayRefreshInterval", set_refresh_interval, NULL,
                  RSRC_CONF,
                  "How often each node polls the database for changes it "
                  "was not notified of (default 1s)"),
    {NULL}};
