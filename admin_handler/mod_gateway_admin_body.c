/*
 * mod_gateway_admin_body: request bodies. See mod_gateway_admin_body.h.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_log.h>
#include <http_protocol.h>

#include "gw_form.h"
#include "gw_json.h"
#include "gw_text.h"
#include "mod_gateway_admin_body.h"

APLOG_USE_MODULE(gateway_admin);

static apr_off_t body_limit(request_rec *r)
{
    gw_admin_conf_t *c =
        ap_get_module_config(r->server->module_config, &gateway_admin_module);

    return c->body_limit >= 0 ? c->body_limit : GW_ADMIN_DEFAULT_BODY_LIMIT;
}

/* Reads the whole body into the request pool; -1 past the limit. */
static apr_status_t read_body(request_rec *r, apr_off_t limit, char **buf,
                              apr_size_t *len, int *too_large)
{
    const char *cl = apr_table_get(r->headers_in, "Content-Length");
    apr_size_t cap = 8192, n = 0;
    char *data;
    long got;
    int rv;

    *too_large = 0;
    *buf = NULL;
    *len = 0;
    if (cl && apr_atoi64(cl) > limit) {
        *too_large = 1;
        return APR_SUCCESS;
    }
    rv = ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK);
    if (rv != OK) {
        return APR_EGENERAL;
    }
    if (!ap_should_client_block(r)) {
        return APR_SUCCESS;
    }
    data = apr_palloc(r->pool, cap + 1);
    for (;;) {
        if (n == cap) {
            char *bigger;

            if ((apr_off_t)cap > limit) {
                *too_large = 1;
                return APR_SUCCESS;
            }
            bigger = apr_palloc(r->pool, cap * 2 + 1);
            memcpy(bigger, data, n);
            data = bigger;
            cap *= 2;
        }
        got = ap_get_client_block(r, data + n, cap - n);
        if (got < 0) {
            return APR_EGENERAL;
        }
        if (got == 0) {
            break;
        }
        n += (apr_size_t)got;
        if ((apr_off_t)n > limit) {
            *too_large = 1;
            return APR_SUCCESS;
        }
    }
    data[n] = '\0';
    *buf = data;
    *len = n;
    return APR_SUCCESS;
}

gw_error_t *gw_admin_body_raw(gw_admin_req_t *req, char **buf, apr_size_t *len)
{
    request_rec *r = req->r;
    int too_large;

    if (read_body(r, body_limit(r), buf, len, &too_large) != APR_SUCCESS) {
        return gw_error_plain(req->pool, HTTP_BAD_REQUEST,
                              "Cannot read request body");
    }
    if (too_large) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      "GW00211: request body over GatewayAdminBodyLimit "
                      "(%" APR_OFF_T_FMT " bytes)",
                      body_limit(r));
        return gw_error_plain(req->pool, HTTP_REQUEST_ENTITY_TOO_LARGE,
                              "Payload too large");
    }
    return NULL;
}

gw_error_t *gw_admin_body_read(gw_admin_req_t *req, json_object **out,
                               int *is_form)
{
    request_rec *r = req->r;
    const char *ctype = apr_table_get(r->headers_in, "Content-Type");
    gw_error_t *err;
    char *buf;
    apr_size_t len;
    int is_null;
    apr_status_t rv;

    *out = NULL;
    *is_form = 0;
    /* httpd folds repeated headers into one value joined by ", " */
    if (ctype && strchr(ctype, ',')) {
        return gw_error_plain(req->pool, HTTP_BAD_REQUEST,
                              "Multiple Content-Type headers not allowed");
    }
    if ((err = gw_admin_body_raw(req, &buf, &len))) {
        return err;
    }
    if (!ctype || !*ctype) {
        if (len > 0) {
            return gw_error_plain(req->pool, HTTP_UNSUPPORTED_MEDIA_TYPE, NULL);
        }
        *out = gw_json_own(req->pool, json_object_new_object());
        return NULL;
    }
    if (gw_text_prefix_ci(ctype, "application/json")) {
        rv = gw_json_parse(out, &is_null, buf ? buf : "", len, req->pool);
        if (rv != APR_SUCCESS || !*out
            || !json_object_is_type(*out, json_type_object)) {
            return gw_error_plain(req->pool, HTTP_BAD_REQUEST,
                                  "Cannot parse JSON body");
        }
        return NULL;
    }
    if (gw_text_prefix_ci(ctype, "application/x-www-form-urlencoded")) {
        rv = gw_form_decode_urlencoded(out, buf ? buf : "", len, req->pool);
    }
    else if (gw_text_prefix_ci(ctype, "multipart/form-data")) {
        rv = gw_form_decode_multipart(out, buf ? buf : "", len, ctype,
                                      req->pool);
    }
    else {
        return gw_error_plain(req->pool, HTTP_UNSUPPORTED_MEDIA_TYPE, NULL);
    }
    if (rv != APR_SUCCESS) {
        return gw_error_plain(req->pool, HTTP_BAD_REQUEST,
                              "Cannot parse request body");
    }
    *is_form = 1;
    return NULL;
}
