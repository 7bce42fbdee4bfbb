/*
 * mod_gateway_node: node identity. See mod_gateway_node.h.
 */
#include <httpd.h>
#include <errno.h>
#include <unistd.h>

#include <apr_file_io.h>
#include <apr_strings.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_connection.h>
#include <unixd.h>

#include "gw_uuid.h"
#include "mod_gateway_config.h"
#include "mod_gateway_node.h"
#include "mod_gateway_runtime.h"
#include "mod_gateway_shm.h"

APLOG_USE_MODULE(gateway);

static const char *read_node_id(const char *path, apr_pool_t *p)
{
    apr_file_t *f;
    char buf[GW_UUID_LEN + 2];
    apr_size_t n = GW_UUID_LEN;

    if (apr_file_open(&f, path, APR_FOPEN_READ, 0, p) != APR_SUCCESS) {
        return NULL;
    }
    if (apr_file_read_full(f, buf, n, &n) != APR_SUCCESS) {
        n = 0;
    }
    apr_file_close(f);
    buf[n] = '\0';
    return gw_uuid_valid(buf) ? apr_pstrdup(p, buf) : NULL;
}

/* Writes the id beside its final name, then renames, so that a crash never
 * leaves a truncated id behind. */
static apr_status_t write_node_id(const char *path, const char *id,
                                  apr_pool_t *p)
{
    const char *tmp = apr_pstrcat(p, path, ".tmp", NULL);
    apr_file_t *f;
    apr_status_t rv;
    apr_size_t n = GW_UUID_LEN;

    rv = apr_file_open(
        &f, tmp, APR_FOPEN_WRITE | APR_FOPEN_CREATE | APR_FOPEN_TRUNCATE,
        APR_FPROT_UREAD | APR_FPROT_UWRITE | APR_FPROT_GREAD | APR_FPROT_WREAD,
        p);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    rv = apr_file_write_full(f, id, n, NULL);
    apr_file_close(f);
    if (rv == APR_SUCCESS) {
        rv = apr_file_rename(tmp, path, p);
    }
    return rv;
}

/* The state directory must be writable by the children, which run as
 * User/Group: the refresher rewrites the last-known-good snapshot there. */
static apr_status_t prepare_state_dir(gw_server_conf_t *conf, server_rec *s,
                                      apr_pool_t *pconf, apr_pool_t *ptemp)
{
    apr_status_t rv;

    if (!conf->state_dir) {
        conf->state_dir = ap_runtime_dir_relative(pconf, "gateway");
    }
    if (!conf->snapshot_file) {
        conf->snapshot_file =
            apr_pstrcat(pconf, conf->state_dir, "/snapshot", NULL);
    }
    if (!conf->snapshot_max) {
        conf->snapshot_max = GW_SHM_DEFAULT_SLOT_SIZE;
    }
    rv = apr_dir_make_recursive(conf->state_dir,
                                APR_FPROT_UREAD | APR_FPROT_UWRITE
                                    | APR_FPROT_UEXECUTE | APR_FPROT_GREAD
                                    | APR_FPROT_GEXECUTE,
                                ptemp);
    if (rv != APR_SUCCESS && !APR_STATUS_IS_EEXIST(rv)) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s,
                     "GW00103: cannot create GatewayStateDir %s",
                     conf->state_dir);
        return rv;
    }
    if (geteuid() == 0
        && chown(conf->state_dir, ap_unixd_config.user_id,
                 ap_unixd_config.group_id)
               != 0) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, errno, s,
                     "GW00104: cannot give GatewayStateDir %s to the "
                     "server's User; snapshots will not be saved",
                     conf->state_dir);
    }
    return APR_SUCCESS;
}

static void config_state(gw_node_config_state_t *out, apr_pool_t *p)
{
    gw_shm_status_t st;

    gw_shm_status_get(&st);
    memset(out, 0, sizeof(*out));
    out->source = st.source[0] ? apr_pstrdup(p, st.source) : NULL;
    out->loaded_at = st.loaded_at;
    out->services = st.services;
    out->routes = st.routes;
    out->database_reachable = st.database_reachable;
    out->error = st.error[0] ? apr_pstrdup(p, st.error) : NULL;
    out->requests = st.requests;
    out->connections = st.connections;
    out->hash = st.hash[0] ? apr_pstrdup(p, st.hash) : NULL;
}

/* How long an Admin read waits for this child to catch up with the
 * newest published configuration. */
#define CATCH_UP_MAX apr_time_from_sec(3)

static const gw_memstore_t *config_acquire(request_rec *r)
{
    apr_uint64_t want = gw_shm_generation();
    apr_time_t until = apr_time_now() + CATCH_UP_MAX;
    gw_compiled_t *c;

    /* read your writes: a POST /config answered by another child (or
     * just now by this one) is what the next Admin read sees, as in Kong,
     * whose reads come from the store the load wrote. The child's
     * watcher builds it within milliseconds for small configurations. */
    while (gw_runtime_generation() < want && apr_time_now() < until) {
        apr_sleep(apr_time_from_msec(2));
    }
    c = gw_runtime_acquire(r);
    return c ? c->memstore : NULL;
}

static const gw_node_info_t *gw_node_info(server_rec *s)
{
    return gw_config_get(s)->node;
}

static int node_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                            apr_pool_t *ptemp, server_rec *s)
{
    gw_server_conf_t *main_conf = gw_config_get(s);
    gw_node_info_t *node = apr_pcalloc(pconf, sizeof(*node));

    gw_config_finalize(s, pconf);
    char host[256];
    server_rec *vs;
    apr_status_t rv;

    if (prepare_state_dir(main_conf, s, pconf, ptemp) != APR_SUCCESS) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    node->node_id_file =
        main_conf->node_id_file
            ? main_conf->node_id_file
            : apr_pstrcat(pconf, main_conf->state_dir, "/node-id", NULL);
    node->node_id = read_node_id(node->node_id_file, pconf);
    if (!node->node_id) {
        node->node_id = gw_uuid_v4(pconf);
        rv = write_node_id(node->node_id_file, node->node_id, ptemp);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_WARNING, rv, s,
                         "GW00101: cannot keep the node id in %s; this node "
                         "gets a new id at every restart",
                         node->node_id_file);
        }
    }
    if (main_conf->node_name) {
        node->hostname = main_conf->node_name;
    }
    else if (gethostname(host, sizeof(host) - 1) == 0) {
        host[sizeof(host) - 1] = '\0';
        node->hostname = apr_pstrdup(pconf, host);
    }
    else {
        node->hostname = s->server_hostname;
    }
    node->config_state = config_state;
    node->config_acquire = config_acquire;
    node->database = main_conf->database != GW_UNSET ? main_conf->database : 1;
    for (vs = s; vs; vs = vs->next) {
        gw_config_get(vs)->node = node;
    }
    ap_log_error(APLOG_MARK, APLOG_INFO, 0, s,
                 "GW00102: node %s (%s), database %s", node->node_id,
                 node->hostname, node->database ? "postgres" : "off");
    return OK;
}

static int count_request(request_rec *r)
{
    if (!r->main && !r->prev) {
        gw_shm_count_request();
    }
    return DECLINED;
}

static int count_connection(conn_rec *c, void *csd)
{
    /* mod_proxy runs this hook for its upstream connections too */
    if (!c->master && !c->outgoing) {
        gw_shm_count_connection();
    }
    return DECLINED;
}

void gw_node_register_hooks(apr_pool_t *p)
{
    ap_hook_log_transaction(count_request, NULL, NULL, APR_HOOK_REALLY_LAST);
    ap_hook_pre_connection(count_connection, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_post_config(node_post_config, NULL, NULL, APR_HOOK_FIRST);
    APR_REGISTER_OPTIONAL_FN(gw_node_info);
}
