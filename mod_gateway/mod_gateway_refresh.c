/*
 * mod_gateway_refresh: the refresher. See mod_gateway_refresh.h.
 */
#include <httpd.h>
#include <poll.h>
#include <apr_dbd.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <http_config.h>
#include <http_log.h>
#include <http_core.h>
#include <libpq-fe.h>
#include <mod_dbd.h>
#include <mod_watchdog.h>

#include "gw_json.h"
#include "gw_snapshot.h"
#include "gw_store.h"
#include "mod_gateway_config.h"
#include "mod_gateway_refresh.h"
#include "mod_gateway_shm.h"

APLOG_USE_MODULE(gateway);

#define RETRY_MIN apr_time_from_msec(100)
/* How long one tick listens on the connection, handling each NOTIFY as it
 * arrives: a change reaches shared memory in milliseconds instead of at
 * the next 100 ms tick. Child exit waits at most this long for the lock. */
#define LISTEN_WINDOW apr_time_from_msec(500)
#define RETRY_MAX apr_time_from_sec(5)

static APR_OPTIONAL_FN_TYPE(ap_dbd_open) * dbd_open;
static APR_OPTIONAL_FN_TYPE(ap_dbd_close) * dbd_close;

/* The refresher's state; it lives in the watchdog thread only. */
typedef struct refresher_s {
    server_rec *s;
    gw_server_conf_t *conf;
    apr_pool_t *pool; /* the connection's pool, new per connection */
    ap_dbd_t *dbd;
    gw_store_t *st;
    apr_time_t next_connect;
    apr_interval_time_t backoff;
    apr_time_t next_poll;
    char last_event[64];    /* newest cluster_events id loaded, "" none */
    unsigned long last_crc; /* of the last snapshot published */
    apr_size_t last_len;
    int reported_down;
    apr_time_t started;
} refresher_t;

static refresher_t refresher;

/* Held by each tick and by the child's shutdown: the connection belongs
 * to mod_dbd's pool, which the child destroys on exit, so it must go back
 * before that, never while a tick is using it. */
static apr_thread_mutex_t *refresh_lock;
static int refresh_stopped;

static void disconnect(refresher_t *rf, const char *why)
{
    if (rf->dbd) {
        if (rf->st && !rf->st->unreachable) {
            /* the connection goes back to mod_dbd's pool: leave nothing
             * behind that its next user would trip over */
            gw_store_rollback(rf->st);
            (void)gw_store_exec(rf->st, "UNLISTEN *");
            (void)gw_store_exec(rf->st, "DEALLOCATE ALL");
        }
        dbd_close(rf->s, rf->dbd);
        rf->dbd = NULL;
    }
    rf->st = NULL;
    if (rf->pool) {
        apr_pool_destroy(rf->pool);
        rf->pool = NULL;
    }
    if (why) {
        gw_shm_status_set_db(0, why);
        /* mod_dbd may still be starting in this child: stay quiet for the
         * first moments */
        if (!rf->reported_down
            && apr_time_now() - rf->started > apr_time_from_sec(2)) {
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, rf->s,
                         "GW00131: database unreachable (%s); this node keeps "
                         "serving its current configuration",
                         why);
            rf->reported_down = 1;
        }
    }
}

static apr_status_t connect_db(refresher_t *rf)
{
    PGconn *pg;

    apr_pool_create(&rf->pool, NULL);
    apr_pool_tag(rf->pool, "gateway-refresher");
    rf->dbd = dbd_open ? dbd_open(rf->pool, rf->s) : NULL;
    if (!rf->dbd) {
        disconnect(rf, "no connection from mod_dbd");
        return APR_EGENERAL;
    }
    rf->st = gw_store_wrap(rf->pool, rf->dbd->driver, rf->dbd->handle);
    gw_store_prepare_statements(rf->st);
    pg = apr_dbd_native_handle(rf->dbd->driver, rf->dbd->handle);
    if (!pg
        || gw_store_exec(rf->st, "LISTEN " GW_STORE_CHANNEL) != APR_SUCCESS) {
        disconnect(rf,
                   rf->st && rf->st->error ? rf->st->error : "LISTEN failed");
        return APR_EGENERAL;
    }
    if (rf->reported_down) {
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, rf->s,
                     "GW00132: database reachable again");
        rf->reported_down = 0;
    }
    gw_shm_status_set_db(1, NULL);
    return APR_SUCCESS;
}

/* Loads the whole configuration as one consistent snapshot. */
static apr_status_t load(refresher_t *rf, gw_store_t *st, apr_pool_t *ptemp)
{
    json_object *services, *routes, *config;
    const char *bytes, *last_event = NULL;
    apr_array_header_t *ev;
    apr_size_t len;
    unsigned long crc;
    apr_status_t rv;

    config = gw_json_own(ptemp, json_object_new_object());
    if (gw_store_exec(st, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            != APR_SUCCESS
        || gw_store_strings(&ev, st,
                            "SELECT id::text FROM cluster_events ORDER BY "
                            "at DESC, id DESC LIMIT 1",
                            0, NULL)
               != APR_SUCCESS
        || gw_store_load_all(config, st) != APR_SUCCESS
        || gw_store_commit(st) != APR_SUCCESS) {
        gw_store_rollback(st);
        return APR_EGENERAL;
    }
    if (ev->nelts > 0) {
        last_event = ((const char **)ev->elts)[0];
    }
    services = gw_json_get(config, "services");
    routes = gw_json_get(config, "routes");
    gw_snapshot_encode(&bytes, &len, config, "database", ptemp);
    apr_cpystrn(rf->last_event, last_event ? last_event : "",
                sizeof(rf->last_event));
    crc = gw_snapshot_crc32(bytes, len);
    if (crc == rf->last_crc && len == rf->last_len) {
        return APR_SUCCESS; /* nothing changed */
    }
    rv = gw_shm_publish(bytes, len, "database");
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, rf->s,
                     "GW00133: snapshot of %" APR_SIZE_T_FMT " bytes does not "
                     "fit GatewaySnapshotMaxSize; keeping the previous one",
                     len);
        return rv;
    }
    rf->last_crc = crc;
    rf->last_len = len;
    gw_shm_status_set_counts(config);
    rv = gw_snapshot_write_file(rf->conf->snapshot_file, bytes, len, ptemp);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, rv, rf->s,
                     "GW00134: cannot write the last-known-good snapshot %s",
                     rf->conf->snapshot_file);
    }
    ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, rf->s,
                 "GW00135: published configuration: %d services, %d routes",
                 (int)json_object_array_length(services),
                 (int)json_object_array_length(routes));
    return APR_SUCCESS;
}

/* True when a NOTIFY arrived or the newest event differs from the last
 * one loaded (the poll covers notifications lost with a connection). */
static int changed(refresher_t *rf, gw_store_t *st, apr_time_t now, int wait_ms)
{
    PGconn *pg = apr_dbd_native_handle(rf->dbd->driver, rf->dbd->handle);
    PGnotify *n;
    int notified = 0;
    apr_array_header_t *ev;
    struct pollfd pfd;

    /* wait for a notification rather than find it at a later tick */
    pfd.fd = PQsocket(pg);
    pfd.events = POLLIN;
    pfd.revents = 0;
    if (wait_ms > 0 && pfd.fd >= 0 && !PQisBusy(pg)) {
        (void)poll(&pfd, 1, wait_ms);
    }
    if (PQconsumeInput(pg) == 0) {
        st->unreachable = 1;
        st->error = apr_pstrdup(st->pool, PQerrorMessage(pg));
        return -1;
    }
    while ((n = PQnotifies(pg)) != NULL) {
        notified = 1;
        PQfreemem(n);
    }
    if (notified) {
        return 1;
    }
    if (now < rf->next_poll) {
        return 0;
    }
    rf->next_poll = now + rf->conf->refresh_interval;
    if (gw_store_strings(&ev, st,
                         "SELECT id::text FROM cluster_events ORDER BY at "
                         "DESC, id DESC LIMIT 1",
                         0, NULL)
        != APR_SUCCESS) {
        return -1;
    }
    gw_shm_status_set_db(1, NULL);
    if (ev->nelts == 0) {
        return rf->last_event[0] != '\0';
    }
    return strcmp(rf->last_event, ((const char **)ev->elts)[0]) != 0;
}

static void tick(refresher_t *rf, apr_pool_t *ptemp)
{
    apr_time_t now = apr_time_now();
    gw_store_t *view;
    apr_time_t deadline;
    int c = 0;

    if (!rf->dbd) {
        if (now < rf->next_connect) {
            return;
        }
        if (connect_db(rf) != APR_SUCCESS) {
            rf->backoff = rf->backoff ? rf->backoff * 2 : RETRY_MIN;
            if (rf->backoff > RETRY_MAX) {
                rf->backoff = RETRY_MAX;
            }
            rf->next_connect = now + rf->backoff;
            return;
        }
        rf->backoff = 0;
        c = 1; /* whatever happened while disconnected: reload */
    }
    /* everything a tick reads lives in ptemp, cleared before the next */
    view = gw_store_view(rf->st, ptemp);
    deadline = now + LISTEN_WINDOW;
    for (;;) {
        if (c == 0) {
            apr_interval_time_t left = deadline - apr_time_now();

            c = changed(rf, view, apr_time_now(),
                        left > 0 ? (int)apr_time_as_msec(left) : 0);
        }
        if (c > 0 && load(rf, view, ptemp) != APR_SUCCESS
            && view->unreachable) {
            c = -1;
        }
        if (c < 0) {
            disconnect(rf, view->error ? apr_pstrdup(ptemp, view->error)
                                       : "connection lost");
            rf->next_connect = apr_time_now() + RETRY_MIN;
            return;
        }
        if (apr_time_now() >= deadline) {
            return;
        }
        c = 0;
    }
}

static apr_status_t refresh_callback(int state, void *data, apr_pool_t *ptemp)
{
    refresher_t *rf = &refresher;

    if (!refresh_lock) {
        return APR_SUCCESS;
    }
    apr_thread_mutex_lock(refresh_lock);
    if (refresh_stopped) {
        apr_thread_mutex_unlock(refresh_lock);
        return APR_SUCCESS;
    }
    switch (state) {
        case AP_WATCHDOG_STATE_STARTING:
            memset(rf, 0, sizeof(*rf));
            rf->s = data;
            rf->conf = gw_config_get(rf->s);
            rf->started = apr_time_now();
            tick(rf, ptemp);
            break;
        case AP_WATCHDOG_STATE_RUNNING:
            tick(rf, ptemp);
            break;
        case AP_WATCHDOG_STATE_STOPPING:
            disconnect(rf, NULL);
            break;
    }
    apr_thread_mutex_unlock(refresh_lock);
    return APR_SUCCESS;
}

/* A pre-cleanup of the child pool runs before mod_dbd's connection pool
 * is destroyed. */
static apr_status_t refresh_child_exit(void *data)
{
    apr_thread_mutex_lock(refresh_lock);
    disconnect(&refresher, NULL);
    refresh_stopped = 1;
    apr_thread_mutex_unlock(refresh_lock);
    return APR_SUCCESS;
}

static void refresh_child_init(apr_pool_t *pchild, server_rec *s)
{
    refresh_stopped = 0;
    if (apr_thread_mutex_create(&refresh_lock, APR_THREAD_MUTEX_DEFAULT, pchild)
        == APR_SUCCESS) {
        apr_pool_pre_cleanup_register(pchild, NULL, refresh_child_exit);
    }
}

/* Publishes the last-known-good file before any child starts. */
static void publish_last_known_good(gw_server_conf_t *conf, server_rec *s,
                                    apr_pool_t *ptemp)
{
    const char *bytes, *why;
    apr_size_t len;
    gw_snapshot_t snap;
    apr_status_t rv;

    rv = gw_snapshot_read_file(&bytes, &len, conf->snapshot_file,
                               conf->snapshot_max, ptemp);
    if (rv != APR_SUCCESS) {
        if (!APR_STATUS_IS_ENOENT(rv)) {
            ap_log_error(APLOG_MARK, APLOG_WARNING, rv, s,
                         "GW00136: cannot read the last-known-good snapshot "
                         "%s",
                         conf->snapshot_file);
        }
        return;
    }
    if (gw_snapshot_decode(&snap, &why, bytes, len, ptemp) != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     "GW00137: ignoring the last-known-good snapshot %s: %s",
                     conf->snapshot_file, why);
        return;
    }
    if (gw_shm_publish(bytes, len, "file") == APR_SUCCESS) {
        gw_shm_status_set_counts(snap.config);
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s,
                     "GW00138: serving the last-known-good configuration "
                     "from %s until the database answers",
                     conf->snapshot_file);
    }
}

static int refresh_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                               apr_pool_t *ptemp, server_rec *s)
{
    APR_OPTIONAL_FN_TYPE(ap_watchdog_get_instance) * wd_get;
    APR_OPTIONAL_FN_TYPE(ap_watchdog_register_callback) * wd_register;
    gw_server_conf_t *conf = gw_config_get(s);
    ap_watchdog_t *wd;
    apr_status_t rv;

    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG) {
        return OK;
    }
    if (gw_shm_create(conf->snapshot_max, pconf, s) != APR_SUCCESS) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    publish_last_known_good(conf, s, ptemp);
    if (!conf->node->database) {
        return OK;
    }
    dbd_open = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_open);
    dbd_close = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_close);
    wd_get = APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_get_instance);
    wd_register = APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_register_callback);
    if (!dbd_open || !dbd_close) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s,
                     "GW00139: GatewayDatabase postgres needs mod_dbd "
                     "(LoadModule dbd_module, DBDriver pgsql, DBDParams)");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (!wd_get || !wd_register) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s,
                     "GW00140: mod_watchdog is not available");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    rv = wd_get(&wd, "gateway-refresh", 0, 1, pconf);
    if (rv == APR_SUCCESS) {
        rv = wd_register(wd, AP_WD_TM_SLICE, s, refresh_callback);
    }
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s,
                     "GW00141: cannot start the configuration refresher");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

void gw_refresh_register_hooks(apr_pool_t *p)
{
    static const char *const before_watchdog[] = {"mod_watchdog.c", NULL};

    /* runs after gw_node_register_hooks' APR_HOOK_FIRST, which sets up the
     * node and its state directory */
    ap_hook_post_config(refresh_post_config, NULL, before_watchdog,
                        APR_HOOK_MIDDLE);
    /* before mod_watchdog starts its threads in its own child_init */
    ap_hook_child_init(refresh_child_init, NULL, before_watchdog,
                       APR_HOOK_FIRST);
}
