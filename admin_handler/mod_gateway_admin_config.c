/*
 * mod_gateway_admin_config: GET and POST /config on a DB-less node. See
 * mod_gateway_admin_config.h.
 */
#include <httpd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <apr_strings.h>
#include <http_log.h>
#include <http_protocol.h>

#include "gw_declarative.h"
#include "gw_json.h"
#include "gw_text.h"
#include "mod_gateway_admin_body.h"
#include "mod_gateway_admin_config.h"

APLOG_USE_MODULE(gateway_admin);

static int send_config(gw_admin_req_t *req)
{
    gw_store_t *st = gw_admin_store(req);
    json_object *body, *config;
    const char *text;

    config = st && st->mem ? gw_memstore_config(st->mem) : NULL;
    if (!config
        || gw_declarative_export_text(&text, req->pool, config, 0)
               != APR_SUCCESS) {
        return gw_admin_send_message(req, HTTP_INTERNAL_SERVER_ERROR,
                                     "An unexpected error occurred");
    }
    body = gw_json_own(req->pool, json_object_new_object());
    json_object_object_add(body, "config", json_object_new_string(text));
    return gw_admin_send_json(req, HTTP_OK, body);
}

static int is_yaml(const char *ctype)
{
    static const char *const types[] = {"application/yaml",
                                        "application/x-yaml", "text/yaml",
                                        "text/x-yaml", NULL};
    int i;

    for (i = 0; ctype && types[i]; i++) {
        if (gw_text_prefix_ci(ctype, types[i])) {
            return 1;
        }
    }
    return 0;
}

static int flag(gw_admin_req_t *req, const char *name)
{
    const char *v = gw_admin_query(req, name, NULL);

    return v && (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0);
}

/* Parses what the request carries; returns 0 and *d, or the handler's
 * answer (non-zero) when it carries nothing usable. */
static int parse_request(gw_admin_req_t *req, gw_declarative_t **d,
                         const gw_declarative_opts_t *opts, int *answer)
{
    const char *ctype = apr_table_get(req->r->headers_in, "Content-Type");
    json_object *doc, *text;
    gw_error_t *err;
    char *buf;
    apr_size_t len;
    int is_form;

    if (ctype && gw_text_prefix_ci(ctype, "application/json")) {
        /* read here rather than by gw_admin_body_read, so that a body
         * that is no JSON gets the declarative parser's precise reason
         * (a duplicate key, the depth) in Kong's code-14 shape */
        const char *why;
        int is_null;

        if ((err = gw_admin_body_raw(req, &buf, &len))) {
            *answer = gw_admin_send_error(req, err);
            return 1;
        }
        if (!buf || len == 0) {
            goto missing;
        }
        if (gw_json_parse_why(&doc, &is_null, &why, buf, len, req->pool)
                != APR_SUCCESS
            || !doc || !json_object_is_type(doc, json_type_object)) {
            gw_declarative_parse(d, req->pool, buf, len, opts);
            return 0;
        }
        is_form = 0;
    }
    else if (is_yaml(ctype)) {
        if ((err = gw_admin_body_raw(req, &buf, &len))) {
            *answer = gw_admin_send_error(req, err);
            return 1;
        }
        if (!buf || len == 0) {
            goto missing;
        }
        gw_declarative_parse(d, req->pool, buf, len, opts);
        return 0;
    }
    else if ((err = gw_admin_body_read(req, &doc, &is_form))) {
        *answer = gw_admin_send_error(req, err);
        return 1;
    }
    text = gw_json_get(doc, "config");
    if (text && json_object_is_type(text, json_type_string)) {
        gw_declarative_parse(d, req->pool, json_object_get_string(text),
                             (apr_size_t)json_object_get_string_len(text),
                             opts);
        return 0;
    }
    if (!is_form && gw_json_has(doc, "_format_version")) {
        gw_declarative_load(d, req->pool, doc, opts);
        return 0;
    }
missing:
    *answer = gw_admin_send_message(req, HTTP_BAD_REQUEST,
                                    "expected a declarative configuration");
    return 1;
}

static int replace(gw_admin_req_t *req)
{
    gw_declarative_opts_t opts = {0};
    gw_declarative_t *d = NULL;
    gw_node_config_state_t cs;
    apr_status_t rv;
    int answer;

    opts.now = apr_time_now();
    opts.flatten_errors = flag(req, "flatten_errors");
    if (parse_request(req, &d, &opts, &answer)) {
        return answer;
    }
    if (!d || !d->config) {
        return gw_admin_send_json(req, HTTP_BAD_REQUEST,
                                  gw_declarative_error_json(d, req->pool));
    }
    if (flag(req, "check_hash")) {
        req->node->config_state(&cs, req->pool);
        if (cs.hash && d->hash && strcmp(cs.hash, d->hash) == 0) {
            return gw_admin_send_empty(req, HTTP_NOT_MODIFIED);
        }
    }
    if (!req->node->config_replace) {
        return gw_admin_send_message(req, HTTP_INTERNAL_SERVER_ERROR,
                                     "An unexpected error occurred");
    }
    rv = req->node->config_replace(req->r, d->config, d->hash);
    if (rv == APR_EBUSY) {
        apr_table_setn(req->r->headers_out, "Retry-After", "1");
        return gw_admin_send_message(req, HTTP_TOO_MANY_REQUESTS,
                                     "Currently loading previous "
                                     "configuration");
    }
    if (rv != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, req->r,
                      "GW00231: cannot replace the configuration");
        return gw_admin_send_message(req, HTTP_INTERNAL_SERVER_ERROR,
                                     "An unexpected error occurred");
    }
    return gw_admin_send_json(req, HTTP_CREATED,
                              gw_declarative_by_id(d->config, req->pool));
}

#ifdef __GLIBC__
/* Runs after the request's other cleanups (registered first, run last),
 * once the JSON of a whole configuration has been freed. */
static apr_status_t trim_heap(void *data)
{
    (void)data;
    malloc_trim(0);
    return APR_SUCCESS;
}
#endif

int gw_admin_config(gw_admin_req_t *req, const char *method)
{
#ifdef __GLIBC__
    /* a large configuration leaves the heap with many free pages: hand
     * them back when the request is done */
    apr_pool_cleanup_register(req->r->pool, NULL, trim_heap,
                              apr_pool_cleanup_null);
#endif
    return strcmp(method, "GET") == 0 ? send_config(req) : replace(req);
}
