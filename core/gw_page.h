/*
 * gw_page: the list-query parameters of the Admin API, checked as Kong
 * checks them: `size` (code 9), the opaque `offset` token (code 7) and
 * the `tags` filter (code 11). Results live in the pool passed in.
 */
#ifndef GW_PAGE_H
#define GW_PAGE_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "gw_error.h"

#define GW_PAGE_DEFAULT_SIZE 100
#define GW_PAGE_MAX_SIZE 1000
#define GW_PAGE_MAX_TAGS 5

/* Parses `size` (NULL: the default). On failure returns APR_EINVAL and a
 * code-9 error. */
apr_status_t gw_page_size(int *size, gw_error_t **err, const char *text,
                          apr_pool_t *p);

/* The offset token for a page that ended with id: URL-safe base64 (no
 * padding) of the JSON array ["<id>"], as Kong makes it. */
const char *gw_page_offset_encode(const char *id, apr_pool_t *p);

/* Kong's code-7 error for an offset token: "'<token>' is not a valid
 * offset: <why>". */
gw_error_t *gw_page_offset_error(const char *token, const char *why,
                                 apr_pool_t *p);

/* Decodes a token into the id to continue after, or a code-7 error. */
apr_status_t gw_page_offset_decode(const char **id, gw_error_t **err,
                                   const char *token, apr_pool_t *p);

/* The code-11 error for the tags parameter, e.g. why = "invalid filter
 * syntax". */
gw_error_t *gw_page_tags_error(const char *why, apr_pool_t *p);

/* Parses `tags`: "a" or "a,b" (all of) or "a/b" (any of). present is 0
 * when the query has no tags parameter (then *tags is NULL). A code-11
 * error on bad syntax. */
apr_status_t gw_page_tags(apr_array_header_t **tags, int *any, gw_error_t **err,
                          const char *text, int present, apr_pool_t *p);

#endif
