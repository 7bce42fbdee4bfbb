/*
 * mod_gateway_runtime: a child's compiled configuration.
 *
 * Each child turns the node's snapshot (mod_gateway_shm) into its compiled
 * form, today the router, in a pool of its own. The first one is built in
 * child_init, before the child serves; later ones are built by a
 * background thread that watches the snapshot generation, so a request
 * never waits for a rebuild. A request acquires the compiled configuration
 * current when it starts and holds it (a reference count under a mutex held
 * only for the swap) until its pool is cleared; a configuration replaced
 * meanwhile is destroyed when its last request ends.
 */
#ifndef MOD_GATEWAY_RUNTIME_H
#define MOD_GATEWAY_RUNTIME_H

#include <httpd.h>

#include "gw_memstore.h"
#include "gw_router.h"

typedef struct gw_compiled_s {
    apr_pool_t *pool; /* owns everything below */
    gw_router_t *router;
    gw_memstore_t *memstore; /* DB-less nodes: the Admin API's reads */
    apr_uint64_t generation;
    const char *source; /* where the snapshot came from */
    int refs;           /* requests holding it, under the runtime lock */
    int retired;        /* replaced: destroy when refs drops to 0 */
} gw_compiled_t;

/* The compiled configuration for r, held until r's pool is cleared; NULL
 * when this node has no configuration yet. */
gw_compiled_t *gw_runtime_acquire(request_rec *r);

/* The snapshot generation this child's current configuration was built
 * from; 0 before the first. */
apr_uint64_t gw_runtime_generation(void);

void gw_runtime_register_hooks(apr_pool_t *p);

#endif
