/*
 * gw_upath: request paths on their way through the router, as Kong treats
 * them (reference §3.1 and §3.5).
 *
 * Two steps. Before matching, the raw request path is normalised into a
 * canonical percent-encoded form: escapes of unreserved characters are
 * decoded, every other escape is kept with upper-case hex, raw bytes that
 * may not appear in a path are encoded, "." and ".." segments are resolved
 * (never above the root) and runs of slashes are merged. Route matching,
 * regex captures and the upstream path all work on that form, so it needs
 * no re-escaping before it is sent upstream. After matching, the upstream
 * path is composed from the service path, the normalised request path and
 * the part of it the route matched, following Kong's strip_path and
 * path_handling rules.
 *
 * Functions here are pure: results are allocated from the pool passed in
 * and nothing is kept between calls.
 *
 * One deliberate difference from Kong: Kong also decodes escapes of
 * characters that are neither reserved nor unreserved ("%20", "%C3%A9")
 * before matching and re-encodes them upstream. Here they stay encoded, so
 * a regex path sees "%20" where Kong's would see a space. Prefix paths are
 * unaffected because Kong only accepts route paths made of RFC 3986
 * characters.
 */
#ifndef GW_UPATH_H
#define GW_UPATH_H

#include <apr_pools.h>

/* How a route's path is composed with its service's path. Kong's default
 * router (traditional_compatible) only knows v0; v1 exists for the
 * traditional flavour. */
typedef enum { GW_UPATH_V0 = 0, GW_UPATH_V1 = 1 } gw_upath_handling_e;

/* Normalises the raw request path raw (starting with '/', without the
 * query string) into *out: raw itself when it is already canonical, else a
 * copy allocated from p.
 * Returns APR_SUCCESS, or APR_EINVAL when the path does not start with '/',
 * holds a malformed escape ("%", "%4", "%zz") or an encoded NUL ("%00");
 * the caller answers 400. */
apr_status_t gw_upath_normalize(const char **out, apr_pool_t *p,
                                const char *raw);

/* The handling to apply for a route's path_handling value (NULL means the
 * default). Only the traditional flavour honours "v1"; every other flavour
 * behaves as v0 whatever the route says, as Kong 3.x does. */
gw_upath_handling_e gw_upath_handling(const char *path_handling,
                                      int traditional);

/* Composes the upstream path.
 *   base     the service's path; NULL or "" mean "/"
 *   path     the normalised request path (gw_upath_normalize)
 *   matched  the leading part of path that the route's path attribute
 *            matched, or NULL when the route matched without a path
 *   strip    the route's strip_path
 * Returns the path to send upstream (without query string), from p. */
const char *gw_upath_compose(const char *base, const char *path,
                             const char *matched, int strip,
                             gw_upath_handling_e handling, apr_pool_t *p);

#endif
