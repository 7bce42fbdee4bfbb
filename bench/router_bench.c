/*
 * router_bench: cost of one gw_router_match() at 10, 1,000 and 10,000
 * routes. Not a test: it prints figures. The cost per match must stay flat
 * as the number of routes grows (DESIGN.md §1, "cost that does not grow
 * with the number of routes").
 *
 * Routes look like a real deployment: four routes per service host
 * ("svcN.example.com"), plain prefixes ("/api/v1/<resource>"), one of them
 * limited to GET and POST; on every fifth host the fourth route is a regex
 * with a named capture, on another fifth a tenant wildcard host
 * ("*.tN.example.net"); and a few host-less routes (health checks, a
 * legacy regex) that every request must also consider. Each request runs
 * in a pool cleared after the match, as a request pool would be.
 *
 * Two figures per size: requests spread over every host (what a busy
 * gateway sees; at 10,000 routes the working set outgrows the CPU caches,
 * so memory latency shows) and requests over 8 hosts only (the same work
 * with warm caches, which isolates the cost of the algorithm).
 *
 * Usage: router_bench [matches per size [number of routes]]
 *        (default 1,000,000 matches at each of the three sizes)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "gw_json.h"
#include "gw_router.h"

#define REQUESTS 4096

static const char *resources[] = {"users", "orders", "invoices", "carts"};

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static json_object *str_array(const char *a, const char *b)
{
    json_object *arr = json_object_new_array();

    json_object_array_add(arr, json_object_new_string(a));
    if (b) {
        json_object_array_add(arr, json_object_new_string(b));
    }
    return arr;
}

static json_object *route(apr_pool_t *p, int n, const char *host,
                          const char *path, int service)
{
    json_object *r = json_object_new_object(), *svc;

    json_object_object_add(
        r, "id",
        json_object_new_string(apr_psprintf(p, "%08x-0000-4000-8000-%012x",
                                            (unsigned)n * 2654435761u, n)));
    if (host) {
        json_object_object_add(r, "hosts", str_array(host, NULL));
    }
    json_object_object_add(r, "paths", str_array(path, NULL));
    if (service >= 0) {
        svc = json_object_new_object();
        json_object_object_add(
            svc, "id",
            json_object_new_string(apr_psprintf(p, "svc-%d", service)));
        json_object_object_add(r, "service", svc);
    }
    return r;
}

/* n routes (rounded down to whole hosts, plus the fixed host-less ones). */
static void make_config(apr_pool_t *p, int n, json_object **routes,
                        json_object **services)
{
    int hosts = n / 4 > 0 ? n / 4 : 1, h, k, id = 0;

    *routes = gw_json_own(p, json_object_new_array());
    *services = gw_json_own(p, json_object_new_array());
    for (h = 0; h < hosts && id < n; h++) {
        const char *host = apr_psprintf(p, "svc%d.example.com", h);
        json_object *svc = json_object_new_object();

        json_object_object_add(
            svc, "id", json_object_new_string(apr_psprintf(p, "svc-%d", h)));
        json_object_object_add(svc, "path", json_object_new_string("/svc"));
        json_object_array_add(*services, svc);
        for (k = 0; k < 4 && id < n; k++) {
            json_object *r;

            if (k == 3 && h % 5 == 0) {
                r = route(p, id++, host,
                          "~/api/v1/items/(?<item>[0-9]+)/details$", h);
            }
            else if (k == 3 && h % 5 == 1) {
                r = route(p, id++, apr_psprintf(p, "*.t%d.example.net", h),
                          "/api/v1/tenant", h);
            }
            else {
                r = route(p, id++, host,
                          apr_psprintf(p, "/api/v1/%s", resources[k]), h);
            }
            if (k == 1) {
                json_object_object_add(r, "methods", str_array("GET", "POST"));
            }
            json_object_array_add(*routes, r);
        }
    }
    json_object_array_add(*routes, route(p, id++, NULL, "/health", -1));
    json_object_array_add(*routes, route(p, id++, NULL, "/status", -1));
    json_object_array_add(*routes,
                          route(p, id++, NULL, "~/legacy/[a-z]+/[0-9]+$", -1));
}

/* A mix of requests spread over all hosts: mostly hits on plain
 * prefixes, some on regex and wildcard routes, some misses. */
static void make_requests(apr_pool_t *p, int hosts, gw_request_t *reqs)
{
    int i;

    srand(42);
    for (i = 0; i < REQUESTS; i++) {
        gw_request_t *r = &reqs[i];
        int h = rand() % hosts, kind = rand() % 10;

        r->method = "GET";
        r->scheme = "http";
        r->headers = apr_table_make(p, 1);
        r->host = apr_psprintf(p, "svc%d.example.com", h);
        switch (kind) {
            case 0:
                r->path = apr_psprintf(p, "/api/v1/items/%d/details",
                                       rand() % 100000);
                break;
            case 1:
                r->host = apr_psprintf(p, "shop.t%d.example.net", h);
                r->path = "/api/v1/tenant/orders";
                break;
            case 2:
                r->path = "/nothing/here";
                break;
            case 3:
                r->path = "/health";
                break;
            default:
                r->path = apr_psprintf(p, "/api/v1/%s/%d", resources[kind % 3],
                                       rand() % 1000);
        }
    }
}

static double time_matches(const gw_router_t *rt, const gw_request_t *reqs,
                           long matches, apr_pool_t *rp, long *found)
{
    gw_match_t m;
    double t0;
    long i;

    for (i = 0; i < REQUESTS; i++) { /* warm up */
        gw_router_match(rt, &reqs[i], &m, rp);
        apr_pool_clear(rp);
    }
    *found = 0;
    t0 = now_ns();
    for (i = 0; i < matches; i++) {
        *found +=
            gw_router_match(rt, &reqs[i % REQUESTS], &m, rp) == APR_SUCCESS;
        apr_pool_clear(rp);
    }
    return (now_ns() - t0) / (double)matches;
}

/* Builds about n routes and times matches over every host, then over 8. */
static void run(int n, long matches)
{
    apr_pool_t *p, *rp;
    json_object *routes, *services;
    gw_request_t *spread, *hot;
    gw_router_t *rt;
    char *err = NULL;
    double t0, build_ms, ns_spread, ns_hot;
    int hosts = n / 4 > 0 ? n / 4 : 1;
    long found;

    apr_pool_create(&p, NULL);
    apr_pool_create(&rp, NULL);
    make_config(p, n, &routes, &services);
    spread = apr_pcalloc(p, sizeof(*spread) * REQUESTS);
    make_requests(p, hosts, spread);
    hot = apr_pcalloc(p, sizeof(*hot) * REQUESTS);
    make_requests(p, hosts < 8 ? hosts : 8, hot);

    t0 = now_ns();
    if (gw_router_create(&rt, p, routes, services, &err) != APR_SUCCESS
        || err) {
        fprintf(stderr, "router_bench: %s\n", err ? err : "create failed");
        exit(1);
    }
    build_ms = (now_ns() - t0) / 1e6;
    ns_hot = time_matches(rt, hot, matches, rp, &found);
    ns_spread = time_matches(rt, spread, matches, rp, &found);
    printf("%8d %10.1f %16.0f %16.0f %9.1f%%\n", gw_router_count(rt), build_ms,
           ns_spread, ns_hot, 100.0 * (double)found / (double)matches);
    apr_pool_destroy(rp);
    apr_pool_destroy(p);
}

int main(int argc, char **argv)
{
    long matches = argc > 1 ? atol(argv[1]) : 1000000;
    int only = argc > 2 ? atoi(argv[2]) : 0;

    apr_initialize();
    printf("%8s %10s %16s %16s %10s\n", "routes", "build ms", "ns/match (all)",
           "ns/match (8 h)", "matched");
    if (only) {
        run(only, matches);
    }
    else {
        run(10, matches);
        run(1000, matches);
        run(10000, matches);
    }
    apr_terminate();
    return 0;
}
