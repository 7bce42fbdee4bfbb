/*
 * gw_ptree: a prefix tree (radix tree with compressed edges) from byte
 * strings to lists of values, answering "which stored keys are prefixes of
 * this string" in one walk along the string, whatever the number of keys.
 * The router keeps one per host bucket, keyed by plain route paths.
 *
 * A tree and everything in it (a copy of each key, the value lists, never
 * the values themselves) live in the pool given to gw_ptree_create(). It is
 * built single-threaded; once built, walks only read it, so any number of
 * threads may walk it at once.
 */
#ifndef GW_PTREE_H
#define GW_PTREE_H

#include <apr_pools.h>
#include <apr_tables.h>

typedef struct gw_ptree_s gw_ptree_t;

/* Called with a stored key and the values added under it (an array of
 * void *, in insertion order unless the caller reordered it). Returning 0
 * stops the walk. */
typedef int gw_ptree_visit_fn(void *baton, const char *key,
                              apr_array_header_t *values);

/* An empty tree in *out, allocated from p. */
apr_status_t gw_ptree_create(gw_ptree_t **out, apr_pool_t *p);

/* Adds value under key (non-empty); a key may hold any number of values. */
void gw_ptree_add(gw_ptree_t *t, const char *key, void *value);

/* Visits every stored key that is a prefix of s (a pure byte prefix, s
 * itself included), shortest first. Cost is bounded by strlen(s) plus the
 * visits. */
void gw_ptree_walk(const gw_ptree_t *t, const char *s, gw_ptree_visit_fn *fn,
                   void *baton);

/* Visits every stored key, parents before children; the visitor may
 * reorder the values array it is given. */
void gw_ptree_each(gw_ptree_t *t, gw_ptree_visit_fn *fn, void *baton);

/* Number of distinct keys stored. */
int gw_ptree_count(const gw_ptree_t *t);

#endif
