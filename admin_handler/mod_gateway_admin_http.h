/*
 * mod_gateway_admin_http: one Admin API request, and how it is answered.
 *
 * A gw_admin_req_t lives in the request pool for the duration of one
 * request: the decoded query, the lazily read body, the database
 * connection borrowed from mod_dbd, and this node's identity. Every answer
 * goes out through the send functions here, so that the JSON shape,
 * Content-Type and CORS headers are the same on every path.
 */
#ifndef MOD_GATEWAY_ADMIN_HTTP_H
#define MOD_GATEWAY_ADMIN_HTTP_H

#include <httpd.h>
#include <http_config.h>
#include <json.h>

#include "gw_error.h"
#include "gw_store.h"
#include "mod_gateway_export.h"

typedef struct gw_admin_conf_s {
    apr_off_t body_limit; /* GatewayAdminBodyLimit, -1 unset */
} gw_admin_conf_t;

typedef struct gw_admin_req_s {
    request_rec *r;
    apr_pool_t *pool;
    const gw_node_info_t *node;
    json_object *query; /* decoded query string, never NULL */
    int bad_query;      /* the query string did not decode ({} instead) */
    gw_store_t *store;  /* NULL until gw_admin_store() */
} gw_admin_req_t;

/* Kong accepts Admin API bodies up to 10 MiB (client_body_buffer_size) */
#define GW_ADMIN_DEFAULT_BODY_LIMIT (10 * 1024 * 1024)

extern module AP_MODULE_DECLARE_DATA gateway_admin_module;

/* Answers with a JSON body (status 200..599) and returns OK (or DONE). */
int gw_admin_send_json(gw_admin_req_t *req, int status, json_object *body);

/* Answers {"message": msg}. */
int gw_admin_send_message(gw_admin_req_t *req, int status, const char *msg);

/* Answers err in Kong's error shape with its HTTP status (a plain error
 * without message: no body). */
int gw_admin_send_error(gw_admin_req_t *req, const gw_error_t *err);

/* Answers with no body (204, 304 ...). */
int gw_admin_send_empty(gw_admin_req_t *req, int status);

/* The database, or NULL when it cannot be reached (then the caller answers
 * with gw_admin_send_unavailable). The connection returns to mod_dbd's pool
 * with the request. */
gw_store_t *gw_admin_store(gw_admin_req_t *req);

/* 503 for an unreachable database, 500 for any other store failure; the
 * database's own message goes to the error log, not to the client. */
int gw_admin_send_store_failure(gw_admin_req_t *req);

/* A query parameter, NULL when absent; *present tells an absent key from
 * one without value. */
const char *gw_admin_query(gw_admin_req_t *req, const char *name, int *present);

/* Looked up once in post_config. */
void gw_admin_http_init(void);

#endif
