/*
 * mod_gateway_admin_http: answering Admin API requests. See
 * mod_gateway_admin_http.h.
 */
#include <httpd.h>
#include <apr_dbd.h>
#include <apr_strings.h>
#include <http_log.h>
#include <http_protocol.h>
#include <mod_dbd.h>

#include "gw_json.h"
#include "gw_version.h"
#include "mod_gateway_admin_http.h"

APLOG_USE_MODULE(gateway_admin);

static APR_OPTIONAL_FN_TYPE(ap_dbd_acquire) * dbd_acquire;

void gw_admin_http_init(void)
{
    dbd_acquire = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_acquire);
}

/* Kong answers every Admin request with these CORS headers: the request's
 * Origin when it sent one, else "*". */
static void set_common_headers(gw_admin_req_t *req)
{
    request_rec *r = req->r;
    const char *origin = apr_table_get(r->headers_in, "Origin");

    apr_table_setn(r->headers_out, "Access-Control-Allow-Origin",
                   origin ? origin : "*");
    apr_table_setn(r->headers_out, "Access-Control-Allow-Credentials", "true");
    if (origin) {
        apr_table_mergen(r->headers_out, "Vary", "Origin");
    }
    apr_table_setn(
        r->headers_out, "X-Kong-Admin-Latency",
        apr_psprintf(r->pool, "%" APR_TIME_T_FMT,
                     apr_time_as_msec(apr_time_now() - r->request_time)));
}

int gw_admin_send_json(gw_admin_req_t *req, int status, json_object *body)
{
    request_rec *r = req->r;
    const char *text = gw_json_text(body, req->pool);
    apr_size_t len = strlen(text);

    set_common_headers(req);
    r->status = status;
    ap_set_content_type(r, "application/json; charset=utf-8");
    ap_set_content_length(r, (apr_off_t)len);
    if (!r->header_only) {
        ap_rwrite(text, (int)len, r);
    }
    return OK;
}

int gw_admin_send_message(gw_admin_req_t *req, int status, const char *msg)
{
    json_object *o = gw_json_own(req->pool, json_object_new_object());

    json_object_object_add(o, "message", json_object_new_string(msg));
    return gw_admin_send_json(req, status, o);
}

int gw_admin_send_error(gw_admin_req_t *req, const gw_error_t *err)
{
    /* a plain error without a message is answered without a body (Kong's
     * 415) */
    if (err->code == GW_ERR_NONE && !err->message) {
        return gw_admin_send_empty(req, err->status);
    }
    return gw_admin_send_json(req, err->status, gw_error_json(err, req->pool));
}

int gw_admin_send_empty(gw_admin_req_t *req, int status)
{
    set_common_headers(req);
    req->r->status = status;
    /* no Content-Type for an empty answer */
    req->r->content_type = NULL;
    apr_table_unset(req->r->headers_out, "Content-Length");
    return OK;
}

gw_store_t *gw_admin_store(gw_admin_req_t *req)
{
    ap_dbd_t *dbd;
    gw_store_t *st;

    if (req->store) {
        return req->store;
    }
    if (!req->node->database) {
        /* a DB-less node reads what its children serve */
        const gw_memstore_t *m = req->node->config_acquire
                                     ? req->node->config_acquire(req->r)
                                     : NULL;

        if (!m) {
            m = gw_memstore_create(
                gw_json_own(req->pool, json_object_new_object()), req->pool);
        }
        req->store = gw_store_memory(req->pool, m);
        return req->store;
    }
    if (!dbd_acquire || !(dbd = dbd_acquire(req->r))) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, req->r,
                      "GW00201: no database connection (is mod_dbd loaded "
                      "and PostgreSQL reachable?)");
        return NULL;
    }
    st = gw_store_wrap(req->pool, dbd->driver, dbd->handle);
    /* A pooled connection whose server restarted still looks healthy until
     * it is used; check_conn resets it, so one retry heals it. */
    if (!gw_store_ping(st)) {
        apr_dbd_check_conn(dbd->driver, req->pool, dbd->handle);
        if (!gw_store_ping(st)) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, req->r,
                          "GW00202: database unreachable: %s",
                          st->error ? st->error : "no answer");
            return NULL;
        }
    }
    st->error = NULL;
    req->store = st;
    return st;
}

int gw_admin_send_store_failure(gw_admin_req_t *req)
{
    gw_store_t *st = req->store;

    if (!st || st->unreachable) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, req->r,
                      "GW00203: database unreachable%s%s",
                      st && st->error ? ": " : "",
                      st && st->error ? st->error : "");
        return gw_admin_send_message(req, HTTP_SERVICE_UNAVAILABLE,
                                     "The database is currently "
                                     "unreachable");
    }
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, req->r,
                  "GW00204: database error: %s",
                  st->error ? st->error : "unknown");
    return gw_admin_send_message(req, HTTP_INTERNAL_SERVER_ERROR,
                                 "An unexpected error occurred");
}

const char *gw_admin_query(gw_admin_req_t *req, const char *name, int *present)
{
    json_object *v = NULL;
    int has = json_object_object_get_ex(req->query, name, &v);

    if (present) {
        *present = has;
    }
    if (v && json_object_is_type(v, json_type_array)) {
        v = json_object_array_get_idx(v, 0);
    }
    return v && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}
