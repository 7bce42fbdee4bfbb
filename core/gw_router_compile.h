/*
 * gw_router_compile: turns one route (Admin API JSON) into the form the
 * router matches with: lower-cased host and SNI rules split from their
 * ports, header rules with compiled "~*" regexes, and the route's path
 * groups, each carrying Kong's compat priority (reference §3.3).
 *
 * Private to gw_router.c. Everything compiled lives in the pool given;
 * every PCRE2 code is also recorded in a gw_router_regexes_t, whose owner
 * frees them when that pool is cleared.
 */
#ifndef GW_ROUTER_COMPILE_H
#define GW_ROUTER_COMPILE_H

#include <apr_hash.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include <json.h>

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include "gw_upath.h"

typedef enum {
    GW_HOST_EXACT,
    GW_HOST_SUFFIX, /* "*.example.com", kept as ".example.com" */
    GW_HOST_PREFIX  /* "example.*", kept as "example." */
} gw_host_kind_e;

typedef struct {
    const char *name; /* lower case, without the '*' */
    apr_size_t len;
    int port; /* 0: any port */
    gw_host_kind_e kind;
} gw_host_rule_t;

typedef struct {
    const char *name;
    const char **values; /* compared ASCII case-insensitively */
    int nvalues;
    pcre2_code **regexes; /* from "~*" values: case-insensitive, unanchored */
    int nregexes;
} gw_header_rule_t;

typedef struct gw_route_rec_s gw_route_rec_t;

/* One path group of a route, the unit that competes for a request: all
 * its regex paths, or all its plain paths of one written length, or
 * neither for a route without paths. */
typedef struct {
    const gw_route_rec_t *route;
    apr_uint64_t priority;
    const char **prefixes; /* plain group: normalised prefixes */
    int nprefixes;
    pcre2_code **regexes; /* regex group: anchored, in the route's order */
    int nregexes;
} gw_route_group_t;

struct gw_route_rec_s {
    json_object *route;   /* a reference owned by the pool */
    json_object *service; /* NULL when the route has no service */
    const char *id;
    const char **methods;
    int nmethods;
    gw_host_rule_t *hosts;
    int nhosts;
    gw_host_rule_t *snis;
    int nsnis;
    gw_header_rule_t *headers;
    int nheaders;
    gw_route_group_t *groups;
    int ngroups;
    const char *service_path;
    gw_upath_handling_e handling;
    int strip_path;
    int preserve_host;
    int plain_ok; /* protocols include http or grpc */
    int redirect_status;
};

/* The regexes of one router, freed together. */
typedef struct {
    apr_array_header_t *codes; /* pcre2_code * */
    apr_size_t max_pairs;      /* ovector pairs the largest one needs */
} gw_router_regexes_t;

/* Compiles route into *out, from p. services maps service id to its JSON.
 * Returns APR_SUCCESS with *out set, APR_SUCCESS with *out NULL for a
 * route the HTTP router deliberately leaves out (stream-only protocols, a
 * disabled service), or APR_EINVAL with *why set for a route that cannot
 * be compiled (bad regex or host, unknown service, nothing to match on). */
apr_status_t gw_router_compile(gw_route_rec_t **out, apr_pool_t *p,
                               json_object *route, apr_hash_t *services,
                               gw_router_regexes_t *rx, const char **why);

/* Splits "host", "host:port" or "[v6]:port" into the length of the host
 * part and the port (0 when absent). A port that is not a number stays in
 * the host, as in Kong. */
void gw_router_split_host(const char *s, apr_size_t *hlen, int *port);

#endif
