/*
 * mod_gateway_admin_body: reading an Admin API request body and decoding
 * it, by Content-Type, into one JSON object (JSON, form-urlencoded or
 * multipart, as Kong accepts), within GatewayAdminBodyLimit.
 */
#ifndef MOD_GATEWAY_ADMIN_BODY_H
#define MOD_GATEWAY_ADMIN_BODY_H

#include "mod_gateway_admin_http.h"

/* Reads the body as it came (NUL-terminated; *buf NULL when there is
 * none), within GatewayAdminBodyLimit: 413 past it. */
gw_error_t *gw_admin_body_raw(gw_admin_req_t *req, char **buf, apr_size_t *len);

/* Reads and decodes the body. On success *out is an object owned by the
 * request pool ({} for an empty body) and *is_form tells whether values
 * still need coercion by schema. On failure returns the error to answer
 * with (400, 413 or 415). */
gw_error_t *gw_admin_body_read(gw_admin_req_t *req, json_object **out,
                               int *is_form);

#endif
