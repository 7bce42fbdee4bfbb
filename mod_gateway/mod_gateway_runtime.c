/*
 * mod_gateway_runtime: compiled configurations in a child. See
 * mod_gateway_runtime.h.
 */
#include <httpd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <apr_allocator.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>
#include <apr_thread_mutex.h>
#include <http_config.h>
#include <http_log.h>

#include "gw_json.h"
#include "gw_snapshot.h"
#include "mod_gateway_config.h"
#include "mod_gateway_runtime.h"
#include "mod_gateway_shm.h"

APLOG_USE_MODULE(gateway);

/* Free memory the runtime allocator keeps for reuse (bytes). */
#define RUNTIME_MAX_FREE (4 * 1024 * 1024)

/* How often the background thread looks at the snapshot generation. */
#define WATCH_INTERVAL apr_time_from_msec(10)

static apr_thread_mutex_t *lock;
static gw_compiled_t *current;
static apr_thread_t *watcher;
static volatile int stopping;
static server_rec *main_server;

static void destroy(gw_compiled_t *c)
{
    apr_pool_destroy(c->pool);
#ifdef __GLIBC__
    /* a configuration's JSON is many small json-c objects on the C heap:
     * give the pages they leave free back, or every reload would keep
     * the high-water mark of the largest configuration ever loaded */
    malloc_trim(0);
#endif
}

static void keep_only_router_input(json_object *config)
{
    const gw_entity_t *const *e;

    for (e = gw_entity_all(); *e; e++) {
        if (*e != &gw_entity_services && *e != &gw_entity_routes) {
            json_object_object_del(config, (*e)->name);
        }
    }
}

/* Builds the compiled form of the newest snapshot; NULL on failure (the
 * previous one stays in service). */
static gw_compiled_t *build(apr_pool_t *parent)
{
    const char *bytes, *why;
    apr_size_t len;
    apr_uint64_t gen;
    gw_snapshot_t snap;
    apr_pool_t *p;
    gw_compiled_t *c;
    char *err = NULL;
    apr_status_t rv;

    apr_pool_create(&p, parent);
    apr_pool_tag(p, "gateway-compiled");
    if (gw_shm_fetch(&bytes, &len, &gen, p) != APR_SUCCESS) {
        apr_pool_destroy(p);
        return NULL;
    }
    if (gw_snapshot_decode(&snap, &why, bytes, len, p) != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, main_server,
                     "GW00151: snapshot %" APR_UINT64_T_FMT " unusable: %s",
                     gen, why);
        apr_pool_destroy(p);
        return NULL;
    }
    c = apr_pcalloc(p, sizeof(*c));
    c->pool = p;
    c->generation = gen;
    c->source = snap.source;
    rv = gw_router_create(&c->router, p, gw_json_get(snap.config, "routes"),
                          gw_json_get(snap.config, "services"), &err);
    if (rv != APR_SUCCESS) {
        ap_log_error(
            APLOG_MARK, APLOG_ERR, rv, main_server,
            "GW00152: cannot build the router of snapshot %" APR_UINT64_T_FMT
            ": %s",
            gen, err ? err : "unknown error");
        apr_pool_destroy(p);
        return NULL;
    }
    if (!gw_config_get(main_server)->node->database) {
        c->memstore = gw_memstore_create(snap.config, p);
    }
    else {
        /* a database node's Admin API reads PostgreSQL: the child keeps
         * only what the router points into */
        keep_only_router_input(snap.config);
    }
    if (err) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, main_server,
                     "GW00153: routes left out of snapshot %" APR_UINT64_T_FMT
                     ": %s",
                     gen, err);
    }
    return c;
}

static void install(gw_compiled_t *next)
{
    gw_compiled_t *old;
    int drop = 0;

    apr_thread_mutex_lock(lock);
    old = current;
    current = next;
    if (old) {
        old->retired = 1;
        drop = old->refs == 0;
    }
    apr_thread_mutex_unlock(lock);
    if (drop) {
        destroy(old);
    }
}

static apr_status_t release(void *data)
{
    gw_compiled_t *c = data;
    int drop;

    apr_thread_mutex_lock(lock);
    drop = --c->refs == 0 && c->retired;
    apr_thread_mutex_unlock(lock);
    if (drop) {
        destroy(c);
    }
    return APR_SUCCESS;
}

gw_compiled_t *gw_runtime_acquire(request_rec *r)
{
    gw_compiled_t *c;

    if (!lock) {
        return NULL;
    }
    apr_thread_mutex_lock(lock);
    c = current;
    if (c) {
        c->refs++;
    }
    apr_thread_mutex_unlock(lock);
    if (c) {
        apr_pool_cleanup_register(r->pool, c, release, apr_pool_cleanup_null);
    }
    return c;
}

apr_uint64_t gw_runtime_generation(void)
{
    apr_uint64_t gen = 0;

    if (lock) {
        apr_thread_mutex_lock(lock);
        gen = current ? current->generation : 0;
        apr_thread_mutex_unlock(lock);
    }
    return gen;
}

static void *APR_THREAD_FUNC watch(apr_thread_t *thd, void *data)
{
    apr_pool_t *parent = data;

    while (!stopping) {
        apr_uint64_t gen = gw_shm_generation();
        gw_compiled_t *next;

        if (gen && (!current || current->generation != gen)) {
            next = build(parent);
            if (next) {
                install(next);
            }
        }
        apr_sleep(WATCH_INTERVAL);
    }
    apr_thread_exit(thd, APR_SUCCESS);
    return NULL;
}

static apr_status_t stop_watcher(void *data)
{
    apr_status_t rv;

    stopping = 1;
    if (watcher) {
        apr_thread_join(&rv, watcher);
        watcher = NULL;
    }
    return APR_SUCCESS;
}

static void runtime_child_init(apr_pool_t *pchild, server_rec *s)
{
    apr_pool_t *parent;
    apr_allocator_t *alloc;
    apr_thread_mutex_t *alloc_lock;
    gw_compiled_t *first;
    apr_status_t rv;

    main_server = s;
    apr_thread_mutex_create(&lock, APR_THREAD_MUTEX_DEFAULT, pchild);
    /* Compiled configurations come and go with every change; their own
     * allocator hands freed memory back instead of keeping the high-water
     * mark of every configuration ever built. Threads share it (the
     * watcher builds, requests release), hence its mutex. */
    if (apr_allocator_create(&alloc) == APR_SUCCESS
        && apr_thread_mutex_create(&alloc_lock, APR_THREAD_MUTEX_DEFAULT,
                                   pchild)
               == APR_SUCCESS) {
        apr_allocator_max_free_set(alloc, RUNTIME_MAX_FREE);
        apr_allocator_mutex_set(alloc, alloc_lock);
        apr_pool_create_ex(&parent, pchild, NULL, alloc);
        apr_allocator_owner_set(alloc, parent);
    }
    else {
        apr_pool_create(&parent, pchild);
    }
    apr_pool_tag(parent, "gateway-runtime");
    first = build(parent);
    if (first) {
        install(first);
    }
    stopping = 0;
    rv = apr_thread_create(&watcher, NULL, watch, parent, pchild);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s,
                     "GW00154: cannot start the configuration watcher; this "
                     "child will not see configuration changes");
        watcher = NULL;
        return;
    }
    /* a pre-cleanup runs before pchild's subpools (the compiled
     * configurations the thread works in) are destroyed */
    apr_pool_pre_cleanup_register(pchild, NULL, stop_watcher);
}

void gw_runtime_register_hooks(apr_pool_t *p)
{
    ap_hook_child_init(runtime_child_init, NULL, NULL, APR_HOOK_MIDDLE);
}
