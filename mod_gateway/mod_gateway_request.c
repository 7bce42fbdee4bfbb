/*
 * mod_gateway_request: per-request context, Kong-shaped responses and the
 * response headers the gateway adds. See mod_gateway_request.h.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <util_filter.h>
#include <openssl/rand.h>

#include "gw_version.h"
#include "mod_gateway_request.h"

APLOG_USE_MODULE(gateway);

extern module AP_MODULE_DECLARE_DATA gateway_module;

#define RESPONSE_FILTER "GATEWAY_RESPONSE"
#define ERROR_FILTER "GATEWAY_ERROR"

/* Request ids: a random per-child prefix and a counter, 32 hex digits like
 * Kong's, unique without a system call per request. */
static char id_prefix[17];
static apr_uint64_t id_counter;

static void request_child_init(apr_pool_t *p, server_rec *s)
{
    unsigned char b[8];
    int i;

    if (RAND_bytes(b, sizeof(b)) != 1) {
        apr_generate_random_bytes(b, sizeof(b));
    }
    for (i = 0; i < 8; i++) {
        apr_snprintf(id_prefix + 2 * i, 3, "%02x", b[i]);
    }
}

gw_req_t *gw_req_create(request_rec *r)
{
    gw_req_t *req = apr_pcalloc(r->pool, sizeof(*req));
    apr_uint64_t n = __atomic_add_fetch(&id_counter, 1, __ATOMIC_RELAXED);

    req->r = r;
    req->request_id =
        apr_psprintf(r->pool, "%s%016" APR_UINT64_T_HEX_FMT, id_prefix, n);
    ap_set_module_config(r->request_config, &gateway_module, req);
    return req;
}

gw_req_t *gw_req_get(request_rec *r)
{
    for (; r; r = r->prev ? r->prev : r->main) {
        gw_req_t *req =
            ap_get_module_config(r->request_config, &gateway_module);

        if (req) {
            return req;
        }
    }
    return NULL;
}

const char *gw_req_default_message(int status)
{
    switch (status) {
        case 400:
            return "Bad request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not found";
        case 405:
            return "Method not allowed";
        case 413:
            return "Payload too large";
        case 429:
            return "Too many requests";
        case 500:
            return "An unexpected error occurred";
        case 502:
            return "An invalid response was received from the upstream "
                   "server";
        case 503:
            return "The upstream server is currently unavailable";
        case 504:
            return "The upstream server is timing out";
        default:
            return NULL;
    }
}

int gw_req_respond(gw_req_t *req, int status, const char *message)
{
    request_rec *r = req->r;

    req->gen_status = status;
    req->gen_message = message;
    r->handler = GW_RESPONSE_HANDLER;
    r->filename = apr_pstrcat(r->pool, "gateway:", r->uri, NULL);
    return OK;
}

static const char *json_escape(const char *s, apr_pool_t *p)
{
    apr_size_t n = strlen(s), i, o = 0;
    char *out = apr_palloc(p, n * 6 + 1);

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        }
        else if (c < 0x20) {
            o += (apr_size_t)apr_snprintf(out + o, 7, "\\u%04x", c);
        }
        else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
    return out;
}

/* Kong's kong.response.error templates, chosen by Accept (JSON when the
 * client states no preference). */
static const char *error_body(request_rec *r, const char *msg, const char *id,
                              const char **ctype, const char *fallback_type)
{
    const char *accept = apr_table_get(r->headers_in, "Accept");
    const char *want = accept ? accept : fallback_type;

    if (want && !ap_strstr_c(want, "application/json")) {
        if (ap_strstr_c(want, "text/html")) {
            *ctype = "text/html; charset=utf-8";
            return apr_psprintf(
                r->pool,
                "<!doctype html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
                "<title>Error</title>\n</head>\n<body>\n<h1>Error</h1>\n"
                "<p>%s.</p>\n<p>request_id: %s</p>\n</body>\n</html>\n",
                ap_escape_html(r->pool, msg), id);
        }
        if (ap_strstr_c(want, "application/xml")) {
            *ctype = "application/xml; charset=utf-8";
            return apr_psprintf(r->pool,
                                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                "<error>\n  <message>%s</message>\n"
                                "  <requestid>%s</requestid>\n</error>\n",
                                ap_escape_html(r->pool, msg), id);
        }
        if (ap_strstr_c(want, "text/plain")) {
            *ctype = "text/plain; charset=utf-8";
            return apr_psprintf(r->pool, "%s\nrequest_id: %s\n", msg, id);
        }
    }
    *ctype = "application/json; charset=utf-8";
    return apr_psprintf(r->pool,
                        "{\n  \"message\":\"%s\",\n  \"request_id\":\"%s\"\n}",
                        json_escape(msg, r->pool), id);
}

static void set_gateway_headers(gw_req_t *req, apr_table_t *headers)
{
    request_rec *r = req->r;

    apr_table_setn(headers, "X-Kong-Request-Id", req->request_id);
    apr_table_setn(
        headers, "X-Kong-Response-Latency",
        apr_psprintf(r->pool, "%" APR_TIME_T_FMT,
                     apr_time_as_msec(apr_time_now() - r->request_time)));
}

static int response_handler(request_rec *r)
{
    gw_req_t *req;
    const char *body, *ctype;
    apr_size_t len;

    if (!r->handler || strcmp(r->handler, GW_RESPONSE_HANDLER) != 0) {
        return DECLINED;
    }
    req = gw_req_get(r);
    if (!req || !req->gen_status) {
        return DECLINED;
    }
    r->status = req->gen_status;
    set_gateway_headers(req, r->headers_out);
    if (req->gen_location) {
        apr_table_setn(r->headers_out, "Location", req->gen_location);
        ap_set_content_length(r, 0);
        return OK;
    }
    if (req->gen_status == HTTP_UPGRADE_REQUIRED) {
        apr_table_setn(r->headers_out, "Connection", "Upgrade");
        apr_table_setn(r->headers_out, "Upgrade", "TLS/1.2, HTTP/1.1");
    }
    body = error_body(r, req->gen_message, req->request_id, &ctype, NULL);
    len = strlen(body);
    ap_set_content_type(r, ctype);
    ap_set_content_length(r, (apr_off_t)len);
    if (!r->header_only) {
        ap_rwrite(body, (int)len, r);
    }
    return OK;
}

/* Our own responses need no file system mapping. */
static int response_map_to_storage(request_rec *r)
{
    gw_req_t *req = ap_get_module_config(r->request_config, &gateway_module);

    return req && req->gen_status ? OK : DECLINED;
}

/* Proxied responses: Kong's latency headers, Via and the request id. */
static apr_status_t response_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    request_rec *r = f->r;
    gw_req_t *req = gw_req_get(r);

    if (req && req->proxy_start) {
        apr_time_t now = apr_time_now();

        apr_table_setn(r->headers_out, "X-Kong-Upstream-Latency",
                       apr_psprintf(r->pool, "%" APR_TIME_T_FMT,
                                    apr_time_as_msec(now - req->proxy_start)));
        apr_table_setn(
            r->headers_out, "X-Kong-Proxy-Latency",
            apr_psprintf(r->pool, "%" APR_TIME_T_FMT,
                         apr_time_as_msec(req->proxy_start - r->request_time)));
        apr_table_mergen(
            r->headers_out, "Via",
            apr_psprintf(r->pool, "%d.%d " GW_PRODUCT "/" GW_VERSION,
                         r->proto_num / 1000, r->proto_num % 1000));
        apr_table_setn(r->headers_out, "X-Kong-Request-Id", req->request_id);
    }
    ap_remove_output_filter(f);
    return ap_pass_brigade(f->next, bb);
}

/* Errors httpd makes for a proxied request (mod_proxy's 500, 502, 503,
 * 504) get Kong's statuses and bodies. */
static apr_status_t error_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    request_rec *r = f->r;
    gw_req_t *req = gw_req_get(r);
    const char *body, *ctype, *msg;
    apr_bucket_brigade *out;

    ap_remove_output_filter(f);
    if (!req || (!req->proxy_start && !req->early_status)) {
        return ap_pass_brigade(f->next, bb);
    }
    /* mod_proxy answers 503 for a refused connection and 500 for a failed
     * TLS handshake; nginx, and so Kong, answer 502 for both */
    if (r->status == HTTP_SERVICE_UNAVAILABLE
        || r->status == HTTP_INTERNAL_SERVER_ERROR) {
        r->status = HTTP_BAD_GATEWAY;
        r->status_line = NULL;
    }
    msg = gw_req_default_message(r->status);
    if (!msg) {
        return ap_pass_brigade(f->next, bb);
    }
    r->status_line = NULL; /* "502 Bad Gateway", not mod_proxy's wording */
    /* the gateway's own refusals speak JSON by default (Kong's
     * kong.response.error); upstream failures follow the request's
     * Content-Type, else text/plain (Kong's nginx error pages) */
    body = error_body(r, msg, req->request_id, &ctype,
                      req->early_status
                          ? NULL
                          : (apr_table_get(r->headers_in, "Content-Type")
                                 ? apr_table_get(r->headers_in, "Content-Type")
                                 : "text/plain"));
    apr_brigade_cleanup(bb);
    set_gateway_headers(req, r->headers_out);
    ap_set_content_type(r, ctype);
    ap_set_content_length(r, (apr_off_t)strlen(body));
    out = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    if (!r->header_only) {
        APR_BRIGADE_INSERT_TAIL(
            out,
            apr_bucket_immortal_create(body, strlen(body), out->bucket_alloc));
    }
    APR_BRIGADE_INSERT_TAIL(out, apr_bucket_eos_create(out->bucket_alloc));
    return ap_pass_brigade(f->next, out);
}

static void insert_error_filter(request_rec *r)
{
    gw_req_t *req = gw_req_get(r);

    if (req && (req->proxy_start || req->early_status)) {
        ap_add_output_filter(ERROR_FILTER, NULL, r, r->connection);
    }
}

static void insert_filter(request_rec *r)
{
    gw_req_t *req = ap_get_module_config(r->request_config, &gateway_module);

    if (req && req->matched && !req->gen_status) {
        ap_add_output_filter(RESPONSE_FILTER, NULL, r, r->connection);
    }
}

void gw_request_register_hooks(apr_pool_t *p)
{
    ap_hook_child_init(request_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(response_handler, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_map_to_storage(response_map_to_storage, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_insert_filter(insert_filter, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_insert_error_filter(insert_error_filter, NULL, NULL,
                                APR_HOOK_MIDDLE);
    ap_register_output_filter(RESPONSE_FILTER, response_filter, NULL,
                              AP_FTYPE_CONTENT_SET);
    ap_register_output_filter(ERROR_FILTER, error_filter, NULL,
                              AP_FTYPE_CONTENT_SET);
}
