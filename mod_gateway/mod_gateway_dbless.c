/*
 * mod_gateway_dbless: the declarative configuration of a DB-less node.
 * See mod_gateway_dbless.h.
 */
#include <httpd.h>
#include <apr_global_mutex.h>
#include <apr_strings.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <util_mutex.h>

#include "gw_declarative.h"
#include "gw_json.h"
#include "gw_snapshot.h"
#include "mod_gateway_config.h"
#include "mod_gateway_dbless.h"
#include "mod_gateway_shm.h"

APLOG_USE_MODULE(gateway);

static const char *const mutex_type = "gateway-config";
static apr_global_mutex_t *replace_mutex;
static server_rec *main_server;

static int entity_count(json_object *config, const char *name)
{
    json_object *list = gw_json_get(config, name);

    return list ? (int)json_object_array_length(list) : 0;
}

/* The configuration hash travels in the snapshot, so that a restart from
 * the last-known-good file reports the hash of what was loaded. */
#define HASH_KEY "_hash"

/* Publishes config to the children and keeps it as the last-known-good
 * file. */
static apr_status_t publish(server_rec *s, json_object *config,
                            const char *hash, const char *source, apr_pool_t *p)
{
    gw_server_conf_t *conf = gw_config_get(s);
    const char *bytes;
    apr_size_t len = 0;
    apr_status_t rv;

    json_object_object_add(config, HASH_KEY,
                           hash ? json_object_new_string(hash) : NULL);
    rv = gw_snapshot_encode(&bytes, &len, config, source, p);
    if (rv == APR_SUCCESS) {
        rv = gw_shm_publish(bytes, len, source);
    }
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s,
                     "GW00171: the declarative configuration (%" APR_SIZE_T_FMT
                     " bytes) does not fit GatewaySnapshotMaxSize",
                     len);
        return rv;
    }
    gw_shm_status_set_counts(config);
    gw_shm_status_set_hash(hash);
    rv = gw_snapshot_write_file(conf->snapshot_file, bytes, len, p);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, rv, s,
                     "GW00172: cannot write the last-known-good snapshot %s",
                     conf->snapshot_file);
    }
    return APR_SUCCESS;
}

static apr_status_t replace(request_rec *r, json_object *config,
                            const char *hash)
{
    apr_status_t rv = apr_global_mutex_trylock(replace_mutex);

    if (rv != APR_SUCCESS) {
        return APR_STATUS_IS_EBUSY(rv) ? APR_EBUSY : rv;
    }
    rv = publish(main_server, config, hash, "declarative", r->pool);
    apr_global_mutex_unlock(replace_mutex);
    if (rv == APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r,
                      "GW00173: configuration replaced through the Admin "
                      "API: %d services, %d routes",
                      entity_count(config, "services"),
                      entity_count(config, "routes"));
    }
    return rv;
}

/* Loads GatewayDeclarativeConfig; an invalid file keeps the server from
 * starting, with Kong's description of every error. */
static apr_status_t load_file(gw_server_conf_t *conf, server_rec *s,
                              apr_pool_t *ptemp)
{
    const char *text;
    apr_size_t len;
    gw_declarative_t *d;
    gw_declarative_opts_t opts = {0};
    apr_status_t rv;

    rv = gw_snapshot_read_file(&text, &len, conf->declarative_config,
                               conf->snapshot_max, ptemp);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s,
                     "GW00174: cannot read GatewayDeclarativeConfig %s "
                     "(at most GatewaySnapshotMaxSize bytes)",
                     conf->declarative_config);
        return rv;
    }
    opts.now = apr_time_now();
    rv = gw_declarative_parse(&d, ptemp, text, len, &opts);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s,
                     "GW00175: GatewayDeclarativeConfig %s: %s",
                     conf->declarative_config,
                     d && d->error && d->error->message ? d->error->message
                                                        : "invalid");
        return rv;
    }
    rv = publish(s, d->config, d->hash, "declarative", ptemp);
    if (rv == APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s,
                     "GW00176: loaded %s: %d services, %d routes",
                     conf->declarative_config,
                     entity_count(d->config, "services"),
                     entity_count(d->config, "routes"));
    }
    return rv;
}

/* Without a file: the last-known-good snapshot refresh_post_config has
 * published, or an empty configuration. */
static void adopt_last_known_good(server_rec *s, apr_pool_t *ptemp)
{
    const char *bytes, *why;
    apr_size_t len;
    apr_uint64_t gen;
    gw_snapshot_t snap;

    if (gw_shm_fetch(&bytes, &len, &gen, ptemp) == APR_SUCCESS
        && gw_snapshot_decode(&snap, &why, bytes, len, ptemp) == APR_SUCCESS) {
        gw_shm_status_set_hash(gw_json_str(snap.config, HASH_KEY));
        return;
    }
    (void)publish(s, gw_json_own(ptemp, json_object_new_object()), NULL,
                  "declarative", ptemp);
}

static int dbless_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp)
{
    return ap_mutex_register(pconf, mutex_type, NULL, APR_LOCK_DEFAULT, 0)
                   == APR_SUCCESS
               ? OK
               : HTTP_INTERNAL_SERVER_ERROR;
}

static int dbless_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                              apr_pool_t *ptemp, server_rec *s)
{
    gw_server_conf_t *conf = gw_config_get(s);

    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG) {
        return OK;
    }
    main_server = s;
    if (conf->node->database) {
        if (conf->declarative_config) {
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                         "GW00177: GatewayDeclarativeConfig is ignored "
                         "with GatewayDatabase postgres; import the file "
                         "with `gatewayctl config db_import`");
        }
        return OK;
    }
    if (ap_global_mutex_create(&replace_mutex, NULL, mutex_type, NULL, s, pconf,
                               0)
        != APR_SUCCESS) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    conf->node->config_replace = replace;
    if (conf->declarative_config) {
        return load_file(conf, s, ptemp) == APR_SUCCESS
                   ? OK
                   : HTTP_INTERNAL_SERVER_ERROR;
    }
    adopt_last_known_good(s, ptemp);
    return OK;
}

static void dbless_child_init(apr_pool_t *pchild, server_rec *s)
{
    if (replace_mutex) {
        apr_status_t rv = apr_global_mutex_child_init(
            &replace_mutex, apr_global_mutex_lockfile(replace_mutex), pchild);

        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s,
                         "GW00178: cannot attach to the configuration "
                         "mutex; POST /config will fail in this child");
        }
    }
}

void gw_dbless_register_hooks(apr_pool_t *p)
{
    ap_hook_pre_config(dbless_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    /* registered after the refresher's post_config (same module, same
     * order), which creates the shared memory and publishes the
     * last-known-good file */
    ap_hook_post_config(dbless_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(dbless_child_init, NULL, NULL, APR_HOOK_MIDDLE);
}
