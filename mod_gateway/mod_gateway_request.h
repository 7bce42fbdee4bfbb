/*
 * mod_gateway_request: what the gateway knows about one request it
 * handles, and the responses it makes itself.
 *
 * translate_name creates a gw_req_t in the request pool once the request
 * is the gateway's (its vhost has `Gateway On`); later hooks and filters
 * find it with gw_req_get(). Responses the gateway generates (no route,
 * no service, https required, upstream failures) use Kong's bodies
 * (reference §3.9): JSON by default, text or HTML when the client's Accept
 * asks for them, always with the request id.
 */
#ifndef MOD_GATEWAY_REQUEST_H
#define MOD_GATEWAY_REQUEST_H

#include <httpd.h>

#include "gw_router.h"
#include "mod_gateway_runtime.h"

/* The handler name of responses the gateway makes itself. */
#define GW_RESPONSE_HANDLER "gateway-response"

typedef struct gw_req_s {
    request_rec *r;
    gw_compiled_t *compiled; /* held until the request ends */
    gw_match_t match;        /* valid when matched */
    int matched;
    const char *request_id;
    apr_time_t proxy_start; /* when the gateway handed over to mod_proxy */
    int gen_status;         /* a response the gateway makes itself */
    const char *gen_message;
    const char *gen_location; /* for redirects */
    const char *raw_path;     /* the request path as the client sent it */
    int in_scheme_handler;    /* the retry loop is running the handlers */
    int early_status;         /* refused before routing (e.g. a NUL escape) */
} gw_req_t;

/* Creates the request's context (translate_name). */
gw_req_t *gw_req_create(request_rec *r);

/* The context of r (or of the request r is an internal redirect or
 * subrequest of), NULL when the gateway does not handle r. */
gw_req_t *gw_req_get(request_rec *r);

/* Arranges for the gateway's own answer: status and Kong's message. The
 * caller returns OK from translate_name; the gateway-response handler
 * writes it. */
int gw_req_respond(gw_req_t *req, int status, const char *message);

/* Kong's message for an error status (reference §3.9). */
const char *gw_req_default_message(int status);

void gw_request_register_hooks(apr_pool_t *p);

#endif
