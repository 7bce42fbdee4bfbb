/*
 * mod_gateway_admin_info: `GET /` and `GET /status`. See
 * mod_gateway_admin_info.h.
 */
#include <httpd.h>
#include <unistd.h>

#include <ap_mpm.h>
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <scoreboard.h>

#include "gw_json.h"
#include "gw_version.h"
#include "mod_gateway_admin_info.h"
#include "mod_gateway_admin_plugins.h"

static json_object *listen_list(request_rec *r)
{
    json_object *arr = json_object_new_array();
    server_rec *s;

    for (s = r->server; s; s = NULL) {
        server_addr_rec *a;

        for (a = s->addrs; a; a = a->next) {
            json_object_array_add(
                arr, json_object_new_string(apr_psprintf(
                         r->pool, "%s:%u", a->virthost ? a->virthost : "*",
                         (unsigned)a->host_port)));
        }
    }
    return arr;
}

static json_object *worker_pids(void)
{
    json_object *arr = json_object_new_array();
    int limit = 0, i;

    if (!ap_exists_scoreboard_image()) {
        return arr;
    }
    ap_mpm_query(AP_MPMQ_HARD_LIMIT_DAEMONS, &limit);
    for (i = 0; i < limit; i++) {
        process_score *ps = ap_get_scoreboard_process(i);

        if (ps && ps->pid > 0 && !ps->quiescing) {
            json_object_array_add(arr, json_object_new_int64(ps->pid));
        }
    }
    return arr;
}

int gw_admin_info_root(gw_admin_req_t *req)
{
    apr_pool_t *p = req->pool;
    json_object *o = gw_json_own(p, json_object_new_object());
    json_object *timers = json_object_new_object();
    json_object *conf = json_object_new_object();
    json_object *pids = json_object_new_object();
    json_object *product = json_object_new_object();

    json_object_object_add(o, "tagline",
                           json_object_new_string("Welcome to kong"));
    json_object_object_add(o, "version",
                           json_object_new_string(GW_KONG_COMPAT_VERSION));
    json_object_object_add(o, "edition", json_object_new_string("community"));
    json_object_object_add(o, "hostname",
                           json_object_new_string(req->node->hostname));
    json_object_object_add(o, "node_id",
                           json_object_new_string(req->node->node_id));
    json_object_object_add(timers, "running", json_object_new_int(0));
    json_object_object_add(timers, "pending", json_object_new_int(0));
    json_object_object_add(o, "timers", timers);
    json_object_object_add(o, "plugins", gw_admin_plugins_info(req));
    json_object_object_add(
        conf, "database",
        json_object_new_string(req->node->database ? "postgres" : "off"));
    json_object_object_add(conf, "router_flavor",
                           json_object_new_string("traditional_compatible"));
    json_object_object_add(conf, "admin_listen", listen_list(req->r));
    json_object_object_add(conf, "node_id_file",
                           json_object_new_string(req->node->node_id_file));
    json_object_object_add(o, "configuration", conf);
    json_object_object_add(pids, "master", json_object_new_int64(getppid()));
    json_object_object_add(pids, "workers", worker_pids());
    json_object_object_add(o, "pids", pids);
    json_object_object_add(product, "name", json_object_new_string(GW_PRODUCT));
    json_object_object_add(product, "version",
                           json_object_new_string(GW_VERSION));
    json_object_object_add(product, "server",
                           json_object_new_string(ap_get_server_banner()));
    json_object_object_add(o, "gateway", product);
    return gw_admin_send_json(req, HTTP_OK, o);
}

/* Kong's nginx counters: connections the event MPM holds and workers
 * reading or writing from httpd's scoreboard; requests and accepted
 * connections from the node's own counters in shared memory. */
static json_object *server_counters(gw_admin_req_t *req)
{
    gw_node_config_state_t cs;
    json_object *o = json_object_new_object();
    apr_int64_t active = 0, waiting = 0, reading = 0, writing = 0, requests = 0;
    int daemons = 0, threads = 0, i, j;

    if (ap_exists_scoreboard_image()) {
        ap_mpm_query(AP_MPMQ_HARD_LIMIT_DAEMONS, &daemons);
        ap_mpm_query(AP_MPMQ_HARD_LIMIT_THREADS, &threads);
        for (i = 0; i < daemons; i++) {
            process_score *ps = ap_get_scoreboard_process(i);

            if (!ps || ps->pid <= 0) {
                continue;
            }
            active += ps->connections;
            waiting += ps->keep_alive;
            for (j = 0; j < threads; j++) {
                worker_score *ws = ap_get_scoreboard_worker_from_indexes(i, j);

                if (!ws) {
                    continue;
                }
                requests += (apr_int64_t)ws->access_count;
                if (ws->status == SERVER_BUSY_READ) {
                    reading++;
                }
                else if (ws->status == SERVER_BUSY_WRITE) {
                    writing++;
                }
            }
        }
    }
    if (active < reading + writing) {
        active = reading + writing;
    }
    req->node->config_state(&cs, req->pool);
    requests = (apr_int64_t)cs.requests;
    json_object_object_add(o, "connections_accepted",
                           json_object_new_int64((apr_int64_t)cs.connections));
    json_object_object_add(o, "connections_active",
                           json_object_new_int64(active));
    json_object_object_add(o, "connections_handled",
                           json_object_new_int64((apr_int64_t)cs.connections));
    json_object_object_add(o, "connections_reading",
                           json_object_new_int64(reading));
    json_object_object_add(o, "connections_waiting",
                           json_object_new_int64(waiting));
    json_object_object_add(o, "connections_writing",
                           json_object_new_int64(writing));
    json_object_object_add(o, "total_requests",
                           json_object_new_int64(requests));
    return o;
}

/* Beyond Kong: which configuration this node serves and where it came
 * from ("file" means the last-known-good snapshot, e.g. after a start
 * while the database was down). */
static json_object *configuration_state(gw_admin_req_t *req)
{
    json_object *o = json_object_new_object();
    gw_node_config_state_t cs;

    req->node->config_state(&cs, req->pool);
    json_object_object_add(o, "source", gw_json_new_str(cs.source));
    json_object_object_add(
        o, "loaded_at",
        cs.loaded_at ? json_object_new_int64(apr_time_sec(cs.loaded_at))
                     : NULL);
    json_object_object_add(o, "services", json_object_new_int(cs.services));
    json_object_object_add(o, "routes", json_object_new_int(cs.routes));
    if (req->node->database) {
        json_object_object_add(o, "refresher_database_reachable",
                               json_object_new_boolean(cs.database_reachable));
        json_object_object_add(o, "refresher_error", gw_json_new_str(cs.error));
    }
    return o;
}

int gw_admin_info_status(gw_admin_req_t *req)
{
    const char *unit = gw_admin_query(req, "unit", NULL);
    json_object *o, *db;

    if (unit && (strlen(unit) != 1 || !strchr("bBkKmMgG", unit[0]))) {
        return gw_admin_send_message(
            req, HTTP_BAD_REQUEST,
            apr_psprintf(req->pool,
                         "invalid unit '%s' (expected 'k/K', 'm/M', or "
                         "'g/G')",
                         unit));
    }
    o = gw_json_own(req->pool, json_object_new_object());
    db = json_object_new_object();

    if (req->node->database) {
        json_object_object_add(
            db, "reachable",
            json_object_new_boolean(gw_admin_store(req) != NULL));
        json_object_object_add(o, "database", db);
    }
    else {
        gw_node_config_state_t cs;

        json_object_put(db);
        /* Kong's DB-less nodes: the hash of what they serve, zeros before
         * any configuration */
        req->node->config_state(&cs, req->pool);
        json_object_object_add(
            o, "configuration_hash",
            json_object_new_string(
                cs.hash ? cs.hash : "00000000000000000000000000000000"));
    }
    json_object_object_add(o, "server", server_counters(req));
    json_object_object_add(o, "configuration", configuration_state(req));
    return gw_admin_send_json(req, HTTP_OK, o);
}
