/*
 * gw_form: Admin API request bodies and query strings that are not JSON,
 * decoded into the same json-c tree a JSON body would give, so that one
 * schema step validates all three encodings.
 *
 * Kong's form rules (kong/api/arguments.lua) are followed:
 *   - keys are split into a path by dots and brackets: `service.id`,
 *     `service[name]`, `config.key_names[1]`, `headers.x-version[]`;
 *     `[]` appends, `[N]` places the value at index N (0 or 1 based,
 *     sparse indexes are compacted in index order), `[word]` is a record
 *     member like `.word`; a key whose shape does not parse (`a[b`, `.a`,
 *     `a..b`, `[x]`) is kept as one literal name;
 *   - a plain key given twice makes an array, in arrival order;
 *   - values stay strings (the schema coerces "80" and "true" later); an
 *     empty value (`name=`) and a key without `=` are JSON null.
 * When one path is used both as a value and as a container, the later
 * field wins, with one exception: a value followed by `[]` or `[N]` fields
 * (or an array followed by the plain key) merges into one array, as a
 * repeated key does.
 *
 * The tree is owned by the pool passed in (gw_json_own); nothing else
 * outlives the call. Every decoder fails with APR_EINVAL on malformed input:
 * a bad percent escape, a key or value that is not UTF-8 or holds a NUL
 * byte, more than GW_FORM_MAX_FIELDS fields, a key deeper than
 * GW_FORM_MAX_DEPTH levels, an index that does not fit 64 bits, and for
 * multipart a missing or invalid boundary or a truncated body. On failure
 * *out is NULL.
 */
#ifndef GW_FORM_H
#define GW_FORM_H

#include <apr_pools.h>
#include <json.h>

/* Kong reads at most 1000 arguments; past that we refuse the body rather
 * than silently dropping fields. */
#define GW_FORM_MAX_FIELDS 1000

/* Levels a key may name: `a` is one level, `config.key_names[1]` three. */
#define GW_FORM_MAX_DEPTH 16

/* Decodes application/x-www-form-urlencoded text (body[0..len), NUL not
 * required; `+` is a space) into *out, a JSON object owned by p. An empty
 * body gives an empty object. */
apr_status_t gw_form_decode_urlencoded(json_object **out, const char *body,
                                       apr_size_t len, apr_pool_t *p);

/* Decodes a multipart/form-data body. content_type is the full header value;
 * its boundary parameter (maybe quoted) delimits the parts. Each part with
 * `Content-Disposition: form-data; name="..."` (or RFC 5987 `name*=`) gives
 * one field named by the same key rules (names are not percent-decoded);
 * its body up to the CRLF before the next delimiter is the value, a file
 * part included. Parts without a name are skipped. */
apr_status_t gw_form_decode_multipart(json_object **out, const char *body,
                                      apr_size_t len, const char *content_type,
                                      apr_pool_t *p);

/* Decodes a query string (r->args, without the `?`) by the urlencoded rules,
 * for ?size=&offset=&tags=. A NULL args gives an empty object. */
apr_status_t gw_form_decode_query(json_object **out, const char *args,
                                  apr_pool_t *p);

#endif
