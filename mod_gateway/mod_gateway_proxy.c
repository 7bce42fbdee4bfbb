/*
 * mod_gateway_proxy: router to mod_proxy. See mod_gateway_proxy.h.
 */
#include <httpd.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <mod_proxy.h>
#include <mod_ssl.h>

#include "gw_json.h"
#include "gw_version.h"
#include "mod_gateway_config.h"
#include "mod_gateway_proxy.h"
#include "mod_gateway_request.h"

APLOG_USE_MODULE(gateway);

extern module AP_MODULE_DECLARE_DATA gateway_module;

/* How long an idle pooled upstream connection is kept (Kong's
 * upstream_keepalive_idle_timeout). */
#define IDLE_TTL apr_time_from_sec(60)

static APR_OPTIONAL_FN_TYPE(ssl_var_lookup) * ssl_var;

/* https upstreams: mod_ssl does the TLS, with the settings of the
 * directory configuration mod_proxy passes it. A service's tls_verify
 * picks one of two <Proxy> sections the proxy vhost may define (their
 * names never match a real URL); tls_verify null keeps the vhost's own
 * SSLProxy* settings (Kong's global proxy_ssl_verify). */
#define TLS_VERIFY_SECTION "gateway:tls-verify"
#define TLS_NO_VERIFY_SECTION "gateway:tls-no-verify"

typedef struct tls_profiles_s {
    void *verify; /* mod_ssl's directory config of each section */
    void *no_verify;
} tls_profiles_t;

static module *ssl_mod;
static apr_hash_t *tls_profiles; /* server_rec * -> tls_profiles_t */

/* This child's workers, by address and timeouts; they live as long as the
 * child so that their connection pools outlive configuration changes. */
static apr_pool_t *workers_pool;
static apr_thread_mutex_t *workers_lock;
static apr_hash_t *workers;

static apr_int64_t int_field(json_object *o, const char *key, apr_int64_t dflt)
{
    json_object *v = gw_json_get(o, key);

    return v ? json_object_get_int64(v) : dflt;
}

static const char *host_for_url(const char *host, apr_pool_t *p)
{
    return strchr(host, ':') ? apr_pstrcat(p, "[", host, "]", NULL) : host;
}

/* -1: the vhost's settings, 0: no verification, 1: verify. */
static int tls_mode(json_object *svc)
{
    json_object *v = gw_json_get(svc, "tls_verify");

    if (!v || strcmp(gw_json_str(svc, "protocol"), "https") != 0) {
        return -1;
    }
    return json_object_get_boolean(v) ? 1 : 0;
}

/* Points mod_ssl at the section for the service's tls_verify; 0 when the
 * service asks for a setting the vhost does not offer. */
static int select_tls_profile(request_rec *r, json_object *svc)
{
    tls_profiles_t *prof;
    void *dc;
    int mode = tls_mode(svc);

    if (mode < 0) {
        return 1;
    }
    prof = tls_profiles
               ? apr_hash_get(tls_profiles, &r->server, sizeof(server_rec *))
               : NULL;
    dc = prof ? (mode ? prof->verify : prof->no_verify) : NULL;
    if (!dc) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "GW00165: service %s sets tls_verify=%s but this "
                      "virtual host has no <Proxy \"%s\"> section",
                      gw_json_str(svc, "id"), mode ? "true" : "false",
                      mode ? TLS_VERIFY_SECTION : TLS_NO_VERIFY_SECTION);
        return 0;
    }
    r->per_dir_config = ap_merge_per_dir_configs(
        r->pool, r->per_dir_config, ap_create_per_dir_config(r->pool));
    ap_set_module_config(r->per_dir_config, ssl_mod, dc);
    return 1;
}

/* The worker for a service's scheme, address and timeouts; created on
 * first use in this child. */
static proxy_worker *service_worker(request_rec *r, json_object *svc)
{
    const char *scheme = gw_json_str(svc, "protocol");
    const char *host = gw_json_str(svc, "host");
    apr_int64_t port = int_field(svc, "port", 80);
    apr_int64_t ct = int_field(svc, "connect_timeout", 60000);
    apr_int64_t rt = int_field(svc, "read_timeout", 60000);
    const char *url, *key, *err;
    proxy_worker *w;

    url = apr_psprintf(r->pool, "%s://%s:%" APR_INT64_T_FMT, scheme,
                       host_for_url(host, r->pool), port);
    /* TLS connections made under one verification setting are never
     * reused under another */
    key =
        apr_psprintf(r->pool, "%s|%" APR_INT64_T_FMT "|%" APR_INT64_T_FMT "|%d",
                     url, ct, rt, tls_mode(svc));
    apr_thread_mutex_lock(workers_lock);
    w = apr_hash_get(workers, key, APR_HASH_KEY_STRING);
    if (!w) {
        err = ap_proxy_define_worker_ex(workers_pool, &w, NULL, NULL, url, 0);
        if (err) {
            apr_thread_mutex_unlock(workers_lock);
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                          "GW00161: cannot define a worker for %s: %s", url,
                          err);
            return NULL;
        }
        w->s->conn_timeout = apr_time_from_msec(ct);
        w->s->conn_timeout_set = 1;
        /* mod_proxy has one socket timeout, spent almost always waiting
         * for the upstream's answer: the service's read_timeout. Sends
         * rarely block; write_timeout is not applied separately. */
        w->s->timeout = apr_time_from_msec(rt);
        w->s->timeout_set = 1;
        /* failures are retried at once: health is the gateway's business */
        w->s->retry = 0;
        w->s->retry_set = 1;
        w->s->status &= ~PROXY_WORKER_IGNORE_ERRORS;
        w->s->ttl = IDLE_TTL;
        w->s->keepalive = 1;
        w->s->keepalive_set = 1;
        if (ap_proxy_initialize_worker(w, r->server, workers_pool)
            != APR_SUCCESS) {
            apr_thread_mutex_unlock(workers_lock);
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                          "GW00162: cannot initialise the worker for %s", url);
            return NULL;
        }
        apr_hash_set(workers, apr_pstrdup(workers_pool, key),
                     APR_HASH_KEY_STRING, w);
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      "GW00163: new upstream worker %s", key);
    }
    apr_thread_mutex_unlock(workers_lock);
    return w;
}

/* Kong retries a request on another try when the upstream could not be
 * reached, reset the connection, answered garbage or timed out, as long as
 * nothing reached the client; mod_proxy's own loop only retries refused
 * connections, and only through a balancer. So the gateway runs the scheme
 * handlers (mod_proxy_http's) itself, once per try. A request with a body
 * gets one try: the body is consumed by the first. */
static int retriable(int status)
{
    return status == HTTP_BAD_GATEWAY || status == HTTP_SERVICE_UNAVAILABLE
           || status == HTTP_GATEWAY_TIME_OUT
           || status == HTTP_INTERNAL_SERVER_ERROR;
}

static int has_body(request_rec *r)
{
    const char *cl = apr_table_get(r->headers_in, "Content-Length");

    return apr_table_get(r->headers_in, "Transfer-Encoding")
           || (cl && strcmp(cl, "0") != 0);
}

static int proxy_scheme_handler(request_rec *r, proxy_worker *worker,
                                proxy_server_conf *conf, char *url,
                                const char *proxyname, apr_port_t proxyport)
{
    gw_req_t *req = ap_get_module_config(r->request_config, &gateway_module);
    apr_array_header_t *hooks;
    int tries, attempt, i, keepalives, rv = DECLINED;

    if (!req || !req->matched || req->in_scheme_handler) {
        return DECLINED;
    }
    tries =
        has_body(r) ? 1 : 1 + (int)int_field(req->match.service, "retries", 5);
    hooks = proxy_hook_get_scheme_handler();
    for (attempt = 1; attempt <= tries; attempt++) {
        proxy_LINK_scheme_handler_t *h = (void *)hooks->elts;

        rv = DECLINED;
        req->in_scheme_handler = 1;
        /* On a client connection that has served requests before,
         * mod_proxy_http answers a failed upstream read by closing the
         * client connection without a response (so that a browser retries).
         * Kong answers 502 and keeps the client connection: hide the count
         * from it for the call. */
        keepalives = r->connection->keepalives;
        r->connection->keepalives = 0;
        for (i = 0; i < hooks->nelts && rv == DECLINED; i++) {
            if (h[i].pFunc != proxy_scheme_handler) {
                rv = h[i].pFunc(r, worker, conf, url, proxyname, proxyport);
            }
        }
        r->connection->keepalives = keepalives;
        req->in_scheme_handler = 0;
        if (!retriable(rv) || r->sent_bodyct || attempt == tries) {
            break;
        }
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      "GW00166: try %d of %d failed with %d, retrying", attempt,
                      tries, rv);
        /* the worker is in no balancer: its error state only means this
         * try failed */
        worker->s->status &= ~PROXY_WORKER_IN_ERROR;
        apr_table_unset(r->notes, "proxy_timedout");
    }
    /* mod_proxy_http reports a read timeout as 502 with a note, a broken
     * upstream connection sometimes as 500: Kong says 504 and 502 */
    if (rv == HTTP_BAD_GATEWAY && apr_table_get(r->notes, "proxy_timedout")) {
        rv = HTTP_GATEWAY_TIME_OUT;
    }
    else if (rv == HTTP_INTERNAL_SERVER_ERROR) {
        rv = HTTP_BAD_GATEWAY;
    }
    return rv;
}

/* Routes decide preserve_host per request; mod_proxy reads it from its
 * directory configuration, so the request gets its own copy. */
static void set_preserve_host(request_rec *r, int preserve)
{
    proxy_dir_conf *d = ap_get_module_config(r->per_dir_config, &proxy_module);
    proxy_dir_conf *copy;

    if (!d || (int)d->preserve_host == preserve) {
        return;
    }
    copy = apr_pmemdup(r->pool, d, sizeof(*d));
    copy->preserve_host = preserve ? 1 : 0;
    copy->preserve_host_set = 1;
    r->per_dir_config = ap_merge_per_dir_configs(
        r->pool, r->per_dir_config, ap_create_per_dir_config(r->pool));
    ap_set_module_config(r->per_dir_config, &proxy_module, copy);
}

static int proxy_pre_request(proxy_worker **worker, proxy_balancer **balancer,
                             request_rec *r, proxy_server_conf *conf,
                             char **url)
{
    gw_req_t *req = ap_get_module_config(r->request_config, &gateway_module);
    proxy_worker *w;

    if (!req || !req->matched || !req->match.service) {
        return DECLINED;
    }
    if (!req->proxy_start) {
        req->proxy_start = apr_time_now();
        set_preserve_host(r, req->match.preserve_host);
        if (!select_tls_profile(r, req->match.service)) {
            return HTTP_BAD_GATEWAY;
        }
    }
    w = service_worker(r, req->match.service);
    if (!w) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    *worker = w;
    return OK;
}

/* ------------------------------------------------------- translate */

static const char *request_sni(request_rec *r)
{
    return ssl_var ? ssl_var(r->pool, r->server, r->connection, r,
                             (char *)"SSL_TLS_SNI")
                   : NULL;
}

/* Kong's upstream headers (reference §3.7); mod_proxy's own
 * X-Forwarded-* are turned off on gateway vhosts (post_config). */
static void set_upstream_headers(gw_req_t *req)
{
    request_rec *r = req->r;
    const char *xff = apr_table_get(r->headers_in, "X-Forwarded-For");
    const char *host = apr_table_get(r->headers_in, "Host");
    const char *via = apr_table_get(r->headers_in, "Via");
    const char *colon;
    const char *mine = apr_psprintf(r->pool, "%d.%d " GW_PRODUCT "/" GW_VERSION,
                                    r->proto_num / 1000, r->proto_num % 1000);

    apr_table_setn(r->headers_in, "X-Real-IP", r->useragent_ip);
    apr_table_setn(
        r->headers_in, "X-Forwarded-For",
        xff ? apr_pstrcat(r->pool, xff, ", ", r->connection->client_ip, NULL)
            : r->useragent_ip);
    apr_table_setn(r->headers_in, "X-Forwarded-Proto", ap_http_scheme(r));
    if (host) {
        colon = host[0] == '[' ? strstr(host, "]:") : strrchr(host, ':');
        apr_table_setn(
            r->headers_in, "X-Forwarded-Host",
            colon ? apr_pstrndup(r->pool, host,
                                 (apr_size_t)(colon - host) + (host[0] == '['))
                  : host);
    }
    apr_table_setn(
        r->headers_in, "X-Forwarded-Port",
        apr_psprintf(r->pool, "%u", (unsigned)r->connection->local_addr->port));
    apr_table_setn(r->headers_in, "X-Forwarded-Path", req->raw_path);
    if (req->match.stripped_prefix && strcmp(req->match.stripped_prefix, "/")
        && *req->match.stripped_prefix) {
        apr_table_setn(r->headers_in, "X-Forwarded-Prefix",
                       req->match.stripped_prefix);
    }
    else {
        apr_table_unset(r->headers_in, "X-Forwarded-Prefix");
    }
    apr_table_setn(r->headers_in, "Via",
                   via ? apr_pstrcat(r->pool, via, ", ", mine, NULL) : mine);
    apr_table_setn(r->headers_in, "X-Kong-Request-Id", req->request_id);
}

/* The path as the client sent it: httpd has percent-decoded
 * r->parsed_uri.path in place before translate_name, and Kong matches and
 * forwards the raw form (normalised by the router). */
static const char *raw_path(request_rec *r)
{
    const char *u = r->unparsed_uri;

    if (u && u[0] == '/') {
        apr_size_t n = strcspn(u, "?#");

        return apr_pstrmemdup(r->pool, u, n);
    }
    return r->parsed_uri.path ? r->parsed_uri.path : "/";
}

static int https_required(gw_req_t *req)
{
    request_rec *r = req->r;
    int code = req->match.https_redirect_status_code;
    const char *host = apr_table_get(r->headers_in, "Host");

    if (code == HTTP_UPGRADE_REQUIRED || !code) {
        return gw_req_respond(req, HTTP_UPGRADE_REQUIRED,
                              "Please use HTTPS protocol");
    }
    req->gen_location = apr_pstrcat(
        r->pool, "https://", host ? host : r->hostname, r->unparsed_uri, NULL);
    return gw_req_respond(req, code, "");
}

/* httpd decodes the path before translate_name and answers a NUL escape
 * with its own 404; Kong answers 400. This runs first, on the raw path. */
static int proxy_post_read_request(request_rec *r)
{
    gw_server_conf_t *conf = gw_config_get(r->server);
    const char *path, *p;
    gw_req_t *req;

    if (!conf->enabled || r->main || r->prev || !r->unparsed_uri) {
        return DECLINED;
    }
    path = raw_path(r);
    for (p = strchr(path, '%'); p; p = strchr(p + 1, '%')) {
        if (p[1] == '0' && p[2] == '0') {
            req = gw_req_create(r);
            req->early_status = HTTP_BAD_REQUEST;
            return HTTP_BAD_REQUEST;
        }
    }
    return DECLINED;
}

static int proxy_translate(request_rec *r)
{
    gw_server_conf_t *conf = gw_config_get(r->server);
    gw_request_t greq;
    gw_req_t *req;
    json_object *svc;
    const char *scheme, *host, *url;
    apr_status_t rv;

    if (!conf->enabled || r->main || r->prev || r->proxyreq) {
        return DECLINED;
    }
    req = gw_req_create(r);
    req->compiled = gw_runtime_acquire(r);
    memset(&greq, 0, sizeof(greq));
    greq.method = r->method;
    greq.scheme = ap_http_scheme(r);
    greq.host = apr_table_get(r->headers_in, "Host");
    greq.path = req->raw_path = raw_path(r);
    greq.query = r->args;
    greq.headers = r->headers_in;
    greq.sni = request_sni(r);
    greq.client_ip = r->useragent_ip;
    greq.client_port = r->useragent_addr ? r->useragent_addr->port : 0;
    rv = req->compiled ? gw_router_match(req->compiled->router, &greq,
                                         &req->match, r->pool)
                       : APR_NOTFOUND;
    if (rv == APR_NOTFOUND) {
        if (conf->fallthrough) {
            ap_set_module_config(r->request_config, &gateway_module, NULL);
            return DECLINED;
        }
        return gw_req_respond(req, HTTP_NOT_FOUND,
                              "no Route matched with those values");
    }
    if (rv != APR_SUCCESS) {
        return gw_req_respond(req, HTTP_BAD_REQUEST, "Bad request");
    }
    req->matched = 1;
    if (req->match.https_required) {
        return https_required(req);
    }
    svc = req->match.service;
    if (!svc) {
        return gw_req_respond(req, HTTP_SERVICE_UNAVAILABLE,
                              "no Service found with those values");
    }
    scheme = gw_json_str(svc, "protocol");
    if (!scheme || (strcmp(scheme, "http") && strcmp(scheme, "https"))) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "GW00164: service %s uses protocol %s, which this "
                      "gateway does not proxy",
                      gw_json_str(svc, "id"), scheme ? scheme : "(none)");
        return gw_req_respond(req, HTTP_BAD_GATEWAY,
                              gw_req_default_message(HTTP_BAD_GATEWAY));
    }
    host = host_for_url(gw_json_str(svc, "host"), r->pool);
    url =
        apr_psprintf(r->pool, "%s://%s:%" APR_INT64_T_FMT "%s%s%s", scheme,
                     host, int_field(svc, "port", 80), req->match.upstream_path,
                     r->args ? "?" : "", r->args ? r->args : "");
    set_upstream_headers(req);
    r->filename = apr_pstrcat(r->pool, "proxy:", url, NULL);
    r->handler = "proxy-server";
    r->proxyreq = PROXYREQ_REVERSE;
    /* the router's path is already normalised and escaped: mod_proxy must
     * send it as it is, query string included */
    apr_table_setn(r->notes, "proxy-nocanon", "1");
    return OK;
}

/* ------------------------------------------------------- lifecycle */

/* Kong routes "/a%2Fb" like any other path; httpd refuses encoded
 * slashes unless told otherwise (AllowEncodedSlashes NoDecode). */
static void allow_encoded_slashes(server_rec *vs)
{
    core_dir_config *d = ap_get_core_module_config(vs->lookup_defaults);

    d->allow_encoded_slashes = 1;
    d->decode_encoded_slashes = 0;
}

/* Finds the TLS profile sections of a gateway vhost. mod_ssl has set
 * them up (SSL context included) in mod_proxy's post_config. */
static void find_tls_profiles(server_rec *vs, apr_pool_t *pconf)
{
    proxy_server_conf *sc =
        ap_get_module_config(vs->module_config, &proxy_module);
    ap_conf_vector_t **sections;
    tls_profiles_t *prof = apr_pcalloc(pconf, sizeof(*prof));
    int i;

    if (!ssl_mod || !sc || !sc->sec_proxy) {
        return;
    }
    sections = (ap_conf_vector_t **)sc->sec_proxy->elts;
    for (i = 0; i < sc->sec_proxy->nelts; i++) {
        proxy_dir_conf *d = ap_get_module_config(sections[i], &proxy_module);
        void *ssl_dc = ap_get_module_config(sections[i], ssl_mod);

        if (!d || !d->p || !ssl_dc) {
            continue;
        }
        if (strcmp(d->p, TLS_VERIFY_SECTION) == 0) {
            prof->verify = ssl_dc;
        }
        else if (strcmp(d->p, TLS_NO_VERIFY_SECTION) == 0) {
            prof->no_verify = ssl_dc;
        }
    }
    if (prof->verify || prof->no_verify) {
        server_rec **key = apr_pmemdup(pconf, &vs, sizeof(vs));

        apr_hash_set(tls_profiles, key, sizeof(server_rec *), prof);
    }
}

static int proxy_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *s)
{
    server_rec *vs;

    ssl_var = APR_RETRIEVE_OPTIONAL_FN(ssl_var_lookup);
    ssl_mod = ap_find_linked_module("mod_ssl.c");
    tls_profiles = apr_hash_make(pconf);
    for (vs = s; vs; vs = vs->next) {
        proxy_dir_conf *d;

        if (!gw_config_get(vs)->enabled) {
            continue;
        }
        find_tls_profiles(vs, pconf);
        allow_encoded_slashes(vs);
        d = ap_get_module_config(vs->lookup_defaults, &proxy_module);
        if (d && d->add_forwarded_headers) {
            /* the gateway sets Kong's X-Forwarded-* itself */
            d->add_forwarded_headers = 0;
            d->add_forwarded_headers_set = 1;
        }
    }
    return OK;
}

static void proxy_child_init(apr_pool_t *pchild, server_rec *s)
{
    apr_pool_create(&workers_pool, pchild);
    apr_pool_tag(workers_pool, "gateway-workers");
    apr_thread_mutex_create(&workers_lock, APR_THREAD_MUTEX_DEFAULT, pchild);
    workers = apr_hash_make(workers_pool);
}

void gw_proxy_register_hooks(apr_pool_t *p)
{
    /* before mod_proxy's own translate (ProxyPass) and mod_rewrite, as
     * mod_rewrite places itself */
    static const char *const before_proxy[] = {"mod_proxy.c", "mod_rewrite.c",
                                               NULL};
    static const char *const before_balancer[] = {"mod_proxy_balancer.c", NULL};
    static const char *const after_proxy[] = {"mod_proxy.c", NULL};

    ap_hook_post_read_request(proxy_post_read_request, NULL, NULL,
                              APR_HOOK_FIRST);
    ap_hook_translate_name(proxy_translate, NULL, before_proxy, APR_HOOK_FIRST);
    /* after mod_proxy's, which has mod_ssl set up the <Proxy> sections */
    ap_hook_post_config(proxy_post_config, after_proxy, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(proxy_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    proxy_hook_pre_request(proxy_pre_request, NULL, before_balancer,
                           APR_HOOK_FIRST);
    proxy_hook_scheme_handler(proxy_scheme_handler, NULL, NULL,
                              APR_HOOK_REALLY_FIRST);
}
