/*
 * gw_text: byte-level text helpers shared by the Admin API, the CLI and the
 * entity validators: UTF-8 checks, percent-decoding, base64url and the
 * Lua-style quoting that Kong's error messages use.
 * All results are allocated from the pool passed in.
 */
#ifndef GW_TEXT_H
#define GW_TEXT_H

#include <apr_pools.h>

/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates). */
int gw_text_utf8_valid(const char *s, apr_size_t len);

/* Offset of the first byte that starts an ill-formed sequence, or len. */
apr_size_t gw_text_utf8_error_at(const char *s, apr_size_t len);

/* The value of a hex digit, -1 for any other byte. */
int gw_text_hexval(int c);

/* Percent-decodes s. With plus_is_space, '+' becomes ' ' (form bodies).
 * Returns NULL on a malformed escape; *len receives the decoded length
 * (which may include NUL bytes). */
char *gw_text_unescape(const char *s, apr_size_t n, int plus_is_space,
                       apr_size_t *len, apr_pool_t *p);

/* Percent-encodes everything but RFC 3986 unreserved characters. */
char *gw_text_escape(const char *s, apr_pool_t *p);

/* Lowercase hex of data[0..len) (digests as Kong stores them). */
char *gw_text_hex(const unsigned char *data, apr_size_t len, apr_pool_t *p);

/* URL-safe base64 without padding, and its inverse (NULL when invalid). */
char *gw_text_b64url_encode(const unsigned char *data, apr_size_t len,
                            apr_pool_t *p);
unsigned char *gw_text_b64url_decode(const char *s, apr_size_t *len,
                                     apr_pool_t *p);

/* Lua string literal as Kong prints it in messages: "a\"b". */
char *gw_text_lua_quote(const char *s, apr_pool_t *p);

/* True when s (not NULL) is one of the strings of list, ended by NULL. */
int gw_text_in_list(const char *s, const char *const *list);

/* ASCII case-insensitive prefix test. */
int gw_text_prefix_ci(const char *s, const char *prefix);

#endif
