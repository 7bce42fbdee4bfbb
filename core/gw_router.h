/*
 * gw_router: the compiled route table of one configuration, matching
 * requests the way Kong's default traditional_compatible router does
 * (reference §3.1-§3.5).
 *
 * A router is built once per configuration from the routes and services in
 * their Admin API JSON shape and is read-only afterwards, so every thread of
 * a child may match against it concurrently. Everything it owns (indexes,
 * compiled regexes, a reference on each route and service JSON object)
 * lives in the pool given to gw_router_create() and goes when that pool is
 * cleared; a request must hold the router's pool alive while it uses a
 * match result.
 *
 * Cost per request does not grow with the number of routes: routes are
 * indexed by host (an exact-host hash, suffix and prefix hashes for
 * "*.example.com" and "example.*", and an any-host bucket) and, within a
 * bucket, by plain path prefix in a radix tree walked once along the
 * request path. Only regex paths of the candidate buckets are tried one by
 * one, in priority order, and the walk stops as soon as no remaining
 * candidate can beat the best match found.
 *
 * Priority is Kong's 64-bit compat priority (§3.3); each route competes
 * once per path group (all its regex paths, or its plain paths of one
 * length). Equal priorities go to the greater route id, as in Kong's ATC
 * engine, so results never depend on input order.
 *
 * Where this deliberately differs from Kong: host names and SNIs compare
 * case-insensitively; a "~*" header value is compiled once as a PCRE2
 * case-insensitive regex (Kong lower-cases the pattern text, which turns
 * "\D" into "\d"); a negative regex_priority orders below zero instead of
 * wrapping around; a route that cannot be compiled is left out with a
 * warning instead of failing the whole build; regex paths see the
 * normalised path of gw_upath.h, with non-ASCII and unsafe bytes still
 * percent-encoded.
 */
#ifndef GW_ROUTER_H
#define GW_ROUTER_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <json.h>

#include "gw_request.h"
#include "gw_upath.h"

typedef struct gw_router_s gw_router_t;

typedef struct gw_match_s {
    /* The matched route and its service, as given to gw_router_create()
     * and owned by the router's pool. service is NULL when the route has
     * none (the caller answers 503). Other threads read the same objects:
     * never modify them, and serialise a copy (json_object_to_json_string()
     * caches its result inside the object). */
    json_object *route;
    json_object *service;
    const char *route_id;
    /* The normalised request path the match was made on. */
    const char *path;
    /* The leading part of path that the route's path attribute matched
     * (a plain prefix, or what a regex matched); NULL when the route has no
     * paths. */
    const char *matched_path;
    /* What strip_path removes: matched_path when the route strips, else
     * NULL (source of X-Forwarded-Prefix). */
    const char *stripped_prefix;
    /* The path to send upstream (service path composed with the request
     * path, gw_upath_compose), without query string. */
    const char *upstream_path;
    /* Regex captures of the matched path: numbered[0] is the whole match,
     * numbered[i] group i, NULL for a group that did not take part. named
     * maps each named group that took part to its value. Both are empty
     * for plain or path-less matches, never NULL. */
    apr_array_header_t *numbered; /* of const char * */
    apr_table_t *named;
    int strip_path;
    int preserve_host;
    /* Set when the route only accepts https (or grpcs) and the request
     * came over plain http: the caller answers with
     * https_redirect_status_code (426, 301, 302, 307 or 308) instead of
     * proxying. */
    int https_required;
    int https_redirect_status_code;
} gw_match_t;

/* Builds a router from routes and services (json arrays in the Admin API
 * shape; either may be NULL for none) into *out, allocated from p. The
 * router takes a reference on every route and service object it keeps and
 * points into their strings, so they must not be modified afterwards.
 * Routes of disabled services and stream-only routes are left out. A route
 * that cannot be compiled (no id, a regex PCRE2 rejects, a malformed host,
 * an unknown service) is left out too and described in *err while the call
 * still succeeds, so that one bad route never takes routing down; *err is
 * NULL when every route compiled. Returns APR_EINVAL with *err set when
 * routes or services is not an array, APR_ENOMEM when PCRE2 cannot
 * allocate. err may be NULL. */
apr_status_t gw_router_create(gw_router_t **out, apr_pool_t *p,
                              json_object *routes, json_object *services,
                              char **err);

/* Matches req against rt. Returns APR_SUCCESS with *m filled (allocated
 * from p, which is typically the request pool; the router itself is never
 * written), APR_NOTFOUND when no route matches, or APR_EINVAL when the
 * request path is malformed (gw_upath_normalize) and the caller should
 * answer 400. */
apr_status_t gw_router_match(const gw_router_t *rt, const gw_request_t *req,
                             gw_match_t *m, apr_pool_t *p);

/* Number of routes compiled into rt (routes left out are not counted). */
int gw_router_count(const gw_router_t *rt);

#endif
