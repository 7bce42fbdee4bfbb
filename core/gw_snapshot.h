/*
 * gw_snapshot: one node's whole gateway configuration as one byte string.
 *
 * The refresher loads the configuration (from PostgreSQL, the declarative
 * file or the last-known-good file), encodes it once, and every child
 * decodes the same bytes into its compiled form. The encoding is
 * position-independent text (compact JSON behind a small header with a
 * format tag, the payload length and a CRC-32), so it can live in shared
 * memory and on disk alike, and a torn or foreign file is recognised
 * instead of half-loaded.
 *
 *   GWSNAP1 <length> <crc32 hex> <source>\n<json>
 *
 * The JSON object holds "services" and "routes" arrays in their Admin API
 * shape (later: every entity type). Decoded objects belong to the pool
 * passed in.
 */
#ifndef GW_SNAPSHOT_H
#define GW_SNAPSHOT_H

#include <apr_pools.h>
#include <json.h>

typedef struct gw_snapshot_s {
    json_object *config; /* {"services":[...],"routes":[...]} */
    const char *source;  /* "database", "file", "declarative" */
} gw_snapshot_t;

/* Encodes config into *bytes / *len, allocated from p. */
apr_status_t gw_snapshot_encode(const char **bytes, apr_size_t *len,
                                json_object *config, const char *source,
                                apr_pool_t *p);

/* Decodes and checks bytes; APR_EGENERAL with *why when they are not a
 * complete snapshot. */
apr_status_t gw_snapshot_decode(gw_snapshot_t *snap, const char **why,
                                const char *bytes, apr_size_t len,
                                apr_pool_t *p);

/* Writes bytes to path atomically (temporary file, fsync, rename). */
apr_status_t gw_snapshot_write_file(const char *path, const char *bytes,
                                    apr_size_t len, apr_pool_t *p);

/* Reads a whole file into p (at most max bytes). */
apr_status_t gw_snapshot_read_file(const char **bytes, apr_size_t *len,
                                   const char *path, apr_size_t max,
                                   apr_pool_t *p);

/* CRC-32 (IEEE) of data, for the header and for change detection. */
unsigned long gw_snapshot_crc32(const char *data, apr_size_t len);

#endif
