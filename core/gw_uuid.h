/*
 * gw_uuid: UUID text ids as Kong uses them: random version 4 ids for new
 * entities, name-based version 5 ids for declarative configuration, and
 * the syntax check that decides whether an Admin API path segment is an id
 * or an endpoint key. Ids are 36-byte lower-case strings in the pool given.
 */
#ifndef GW_UUID_H
#define GW_UUID_H

#include <apr_pools.h>

#define GW_UUID_LEN 36
#define GW_UUID_KEY_LEN 32

/* A random (version 4) UUID. */
const char *gw_uuid_v4(apr_pool_t *p);

/* Kong's random_string(): 32 random ASCII letters and digits, the key or
 * secret generated for a credential that is given none. */
const char *gw_uuid_random_key(apr_pool_t *p);

/* The version 5 (SHA-1) UUID of name in namespace ns; NULL when ns is not
 * a valid UUID. */
const char *gw_uuid_v5(const char *ns, const char *name, apr_pool_t *p);

/* True when s is 8-4-4-4-12 hex digits (either case), as Kong accepts. */
int gw_uuid_valid(const char *s);

#endif
