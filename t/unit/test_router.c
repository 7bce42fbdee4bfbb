/*
 * test_router: Kong traditional_compatible routing (reference §3.1-§3.5):
 * attribute semantics, the compat priority rules, captures, path
 * composition through the router, and routes the router leaves out.
 *
 * Route JSON is written with single quotes for readability; js() turns
 * them into double quotes. Where a test is about priority, the route that
 * must win has the smaller id, so that the tie-break (greater id wins)
 * cannot make the test pass by accident.
 */
#include <apr_general.h>
#include <apr_strings.h>

#include "gw_json.h"
#include "gw_router.h"
#include "tap.h"

#define TESTS 148

static apr_pool_t *pool;

typedef struct {
    const char *method;
    const char *scheme;
    const char *host;
    const char *path;
    const char *sni;
    const char *headers[9]; /* name, value, ..., NULL */
} req_t;

static json_object *js(const char *text)
{
    char *s = apr_pstrdup(pool, text), *c;
    json_object *obj;

    for (c = s; *c; c++) {
        if (*c == '\'') {
            *c = '"';
        }
    }
    obj = json_tokener_parse(s);
    if (!obj) {
        diag(apr_psprintf(pool, "bad test JSON: %s", s));
    }
    return gw_json_own(pool, obj);
}

static gw_router_t *router2(const char *routes, const char *services)
{
    gw_router_t *rt = NULL;
    char *err = NULL;

    if (gw_router_create(&rt, pool, js(routes), services ? js(services) : NULL,
                         &err)
            != APR_SUCCESS
        || err) {
        diag(apr_psprintf(pool, "router: %s", err ? err : "failed"));
    }
    return rt;
}

static gw_router_t *router(const char *routes)
{
    return router2(routes, NULL);
}

static apr_status_t run(const gw_router_t *rt, const req_t *r, gw_match_t *m)
{
    gw_request_t req = {0};
    apr_table_t *headers = apr_table_make(pool, 4);
    int i;

    req.method = r->method ? r->method : "GET";
    req.scheme = r->scheme ? r->scheme : "http";
    req.host = r->host;
    req.path = r->path ? r->path : "/";
    req.sni = r->sni;
    for (i = 0; r->headers[i]; i += 2) {
        apr_table_add(headers, r->headers[i], r->headers[i + 1]);
    }
    req.headers = headers;
    return gw_router_match(rt, &req, m, pool);
}

/* The id of the winning route, "none" (404) or "400". */
static const char *winner(const gw_router_t *rt, const req_t *r)
{
    gw_match_t m;
    apr_status_t rv;

    if (!rt) {
        return "no router";
    }
    rv = run(rt, r, &m);
    if (rv == APR_NOTFOUND) {
        return "none";
    }
    if (rv == APR_EINVAL) {
        return "400";
    }
    return rv == APR_SUCCESS ? m.route_id : "error";
}

#define WINS(rt, want, name, ...) \
    is(winner(rt, &(req_t){__VA_ARGS__}), want, name)

static void priority(void)
{
    gw_router_t *rt;

    rt = router("[{'id':'a','hosts':['example.com'],'paths':['/']},"
                " {'id':'z','paths':['/api/v1/long']}]");
    WINS(rt, "a", "more attributes beat a longer path", .host = "example.com",
         .path = "/api/v1/long");
    WINS(rt, "z", "the other route still serves other hosts",
         .host = "other.test", .path = "/api/v1/long");

    rt = router("[{'id':'a','methods':['GET'],'paths':['/x']},"
                " {'id':'z','paths':['/x/longer/path']}]");
    WINS(rt, "a", "method + path beats path alone", .path = "/x/longer/path");

    rt = router("[{'id':'b','hosts':['api.example.com'],'paths':['/']},"
                " {'id':'y','hosts':['api.example.com','*.example.org'],"
                "  'paths':['/']},"
                " {'id':'z','hosts':['*.example.com'],'paths':['/']}]");
    WINS(rt, "b", "plain hosts beat a wildcard", .host = "api.example.com");
    WINS(rt, "b", "a route mixing plain and wildcard hosts is not plain",
         .host = "api.example.com", .path = "/x");
    WINS(rt, "z", "the wildcard serves the rest", .host = "www.example.com");
    WINS(rt, "y", "the mixed route's wildcard", .host = "a.example.org");

    rt = router("[{'id':'a','headers':{'x-a':['1'],'x-b':['2']},'paths':['/']},"
                " {'id':'z','headers':{'x-a':['1']},'paths':['/']}]");
    WINS(rt, "a", "more header names win", .headers = {"X-A", "1", "X-B", "2"});
    WINS(rt, "z", "fewer header names when the others do not match",
         .headers = {"X-A", "1", "X-B", "3"});

    rt = router("[{'id':'a','paths':['~/users/[0-9]+$']},"
                " {'id':'z','paths':['/users/123456789']}]");
    WINS(rt, "a", "regex beats a longer prefix", .path = "/users/123456789");
    WINS(rt, "z", "prefix when the regex does not match",
         .path = "/users/123456789x");
    WINS(rt, "a", "regex again", .path = "/users/1");

    rt = router("[{'id':'a','paths':['~/items/[0-9]+'],'regex_priority':5},"
                " {'id':'z','paths':['~/items/.*'],'regex_priority':0}]");
    WINS(rt, "a", "higher regex_priority wins", .path = "/items/7");
    WINS(rt, "z", "lower regex_priority when the other fails",
         .path = "/items/x");
    rt = router("[{'id':'a','paths':['~/n/.*'],'regex_priority':0},"
                " {'id':'z','paths':['~/n/[0-9]+'],'regex_priority':-3},"
                " {'id':'y','paths':['/n/1234567890']}]");
    WINS(rt, "a", "negative regex_priority ranks below zero", .path = "/n/1");
    WINS(rt, "a", "a regex of any priority beats a prefix",
         .path = "/n/1234567890");

    rt = router("[{'id':'a','paths':['/a/b']},{'id':'z','paths':['/a']}]");
    WINS(rt, "a", "longer prefix wins", .path = "/a/b/c");
    WINS(rt, "z", "shorter prefix when the longer one fails", .path = "/a/c");
    WINS(rt, "z", "prefix is a string prefix: /a matches /ab", .path = "/ab");

    rt = router("[{'id':'route','paths':['/route']}]");
    WINS(rt, "route", "/route matches /routereq", .path = "/routereq");
    WINS(rt, "route", "/route matches /route/x", .path = "/route/x");
    WINS(rt, "none", "/route does not match /rout", .path = "/rout");

    rt = router("[{'id':'foo','paths':['~/foo']}]");
    WINS(rt, "foo", "regex anchored at start matches /foo/bar",
         .path = "/foo/bar");
    WINS(rt, "foo", "regex not anchored at end matches /foobar",
         .path = "/foobar");
    WINS(rt, "none", "regex anchored at start misses /x/foo", .path = "/x/foo");
}

static void ties_and_groups(void)
{
    gw_router_t *rt;

    rt = router("[{'id':'r1','paths':['/t']},{'id':'r2','paths':['/t']}]");
    WINS(rt, "r2", "equal priority: greater id wins", .path = "/t");
    rt = router("[{'id':'r2','paths':['/t']},{'id':'r1','paths':['/t']}]");
    WINS(rt, "r2", "whatever the input order", .path = "/t");
    rt = router("[{'id':'r2','paths':['~/t']},{'id':'r1','paths':['~/t']}]");
    WINS(rt, "r2", "regex ties too", .path = "/t");

    /* Kong splits a route's paths into groups by kind and length: route z
     * competes with length 2 for /abc, so b's /ab (length 3) wins */
    rt = router("[{'id':'z','paths':['/a','/abcdefgh']},"
                " {'id':'b','paths':['/ab']}]");
    WINS(rt, "b", "each path group competes with its own length",
         .path = "/abc");
    WINS(rt, "z", "the long group of the same route", .path = "/abcdefghij");

    rt = router("[{'id':'m','paths':['/plain','~/re[0-9]']},"
                " {'id':'n','paths':['/pla']}]");
    WINS(rt, "m", "regex group of a mixed route", .path = "/re1");
    WINS(rt, "m", "plain group of a mixed route", .path = "/plain/x");
    WINS(rt, "n", "neither group matches", .path = "/plan");
}

static void hosts(void)
{
    gw_router_t *rt;

    rt = router("[{'id':'h','hosts':['example.com']}]");
    WINS(rt, "h", "plain host", .host = "example.com");
    WINS(rt, "h", "host without port matches any port",
         .host = "example.com:8080");
    WINS(rt, "h", "hosts compare case-insensitively", .host = "EXAMPLE.Com");
    WINS(rt, "none", "other host", .host = "example.org");
    WINS(rt, "none", "a host is not a suffix match", .host = "www.example.com");
    WINS(rt, "none", "no Host header", .host = NULL);

    rt = router("[{'id':'p','hosts':['example.com:8080']}]");
    WINS(rt, "p", "host with port", .host = "example.com:8080");
    WINS(rt, "none", "host with port needs that port", .host = "example.com");
    WINS(rt, "none", "another port", .host = "example.com:8081");

    rt = router("[{'id':'p80','hosts':['example.com:80']},"
                " {'id':'p443','hosts':['example.com:443']}]");
    WINS(rt, "p80", "http request without port is port 80",
         .host = "example.com");
    WINS(rt, "p443", "https request without port is port 443",
         .scheme = "https", .host = "example.com");

    rt = router("[{'id':'w','hosts':['*.example.com']}]");
    WINS(rt, "w", "leftmost wildcard", .host = "a.example.com");
    WINS(rt, "w", "wildcard spans dots", .host = "a.b.example.com");
    WINS(rt, "w", "wildcard without port, any port",
         .host = "a.example.com:9000");
    WINS(rt, "w", "wildcard is case-insensitive", .host = "A.EXAMPLE.COM");
    WINS(rt, "none", "wildcard needs a label", .host = "example.com");
    WINS(rt, "none", "wildcard is anchored at the dot", .host = "aexample.com");

    {
        char *deep = apr_pstrdup(pool, "example.com");
        int i;

        for (i = 0; i < 40; i++) {
            deep = apr_pstrcat(pool, "l.", deep, NULL);
        }
        WINS(rt, "w", "wildcard under a host of 42 labels", .host = deep);
    }

    rt = router("[{'id':'w','hosts':['example.*']}]");
    WINS(rt, "w", "rightmost wildcard", .host = "example.org");
    WINS(rt, "w", "rightmost wildcard spans dots", .host = "example.co.uk");
    WINS(rt, "w", "rightmost wildcard with a port", .host = "example.org:81");
    WINS(rt, "none", "rightmost wildcard is anchored at the start",
         .host = "www.example.org");
    WINS(rt, "none", "rightmost wildcard needs a label", .host = "example");

    rt = router("[{'id':'w','hosts':['*.example.com:8443']}]");
    WINS(rt, "w", "wildcard with port", .host = "x.example.com:8443");
    WINS(rt, "none", "wildcard with port needs it", .host = "x.example.com");

    rt = router("[{'id':'v6','hosts':['[::1]']},"
                " {'id':'v6p','hosts':['[::2]:8080']}]");
    WINS(rt, "v6", "IPv6 literal, any port", .host = "[::1]:8080");
    WINS(rt, "v6p", "IPv6 literal with port", .host = "[::2]:8080");
    WINS(rt, "none", "IPv6 literal with another port", .host = "[::2]");

    rt = router("[{'id':'h','hosts':['a.test']},{'id':'any','paths':['/']}]");
    WINS(rt, "any", "no Host header: host-less routes only", .host = NULL);
    WINS(rt, "h", "host route", .host = "a.test");
}

static void headers_methods_snis(void)
{
    gw_router_t *rt;

    rt = router("[{'id':'v','headers':{'X-Version':['v1','V2']}}]");
    WINS(rt, "v", "header value, any case", .headers = {"x-version", "V1"});
    WINS(rt, "v", "header name, any case", .headers = {"X-VERSION", "v2"});
    WINS(rt, "none", "other value", .headers = {"X-Version", "v3"});
    WINS(rt, "none", "header missing");
    WINS(rt, "v", "any of repeated values",
         .headers = {"X-Version", "v3", "X-Version", "v1"});

    rt = router("[{'id':'ua','headers':{'user-agent':['~*^mozilla/[0-9]']}}]");
    WINS(rt, "ua", "~* header value is a case-insensitive regex",
         .headers = {"User-Agent", "Mozilla/5.0 (X11)"});
    WINS(rt, "none", "regex header mismatch",
         .headers = {"User-Agent", "curl"});

    rt = router("[{'id':'h','headers':{'Host':['x.test']},'paths':['/h']}]");
    WINS(rt, "h", "a Host header rule is ignored", .host = "y.test",
         .path = "/h");

    rt = router("[{'id':'m','methods':['GET','POST'],'paths':['/m']}]");
    WINS(rt, "m", "GET", .method = "GET", .path = "/m");
    WINS(rt, "m", "POST", .method = "POST", .path = "/m");
    WINS(rt, "none", "PUT", .method = "PUT", .path = "/m");
    WINS(rt, "none", "methods are case-sensitive", .method = "get",
         .path = "/m");

    rt = router("[{'id':'s','snis':['secure.test'],'paths':['/s']},"
                " {'id':'w','snis':['*.wild.test'],'paths':['/w']}]");
    WINS(rt, "s", "snis are ignored for http", .path = "/s");
    WINS(rt, "s", "sni matches", .scheme = "https", .sni = "secure.test",
         .path = "/s");
    WINS(rt, "s", "sni ignores case and the root dot", .scheme = "https",
         .sni = "SECURE.test.", .path = "/s");
    WINS(rt, "none", "other sni", .scheme = "https", .sni = "other.test",
         .path = "/s");
    WINS(rt, "none", "https without sni", .scheme = "https", .path = "/s");
    WINS(rt, "w", "wildcard sni", .scheme = "https", .sni = "a.wild.test",
         .path = "/w");
}

static void services_and_protocols(void)
{
    const char *svcs = "[{'id':'s-off','enabled':false,'path':'/off'},"
                       " {'id':'s-on','enabled':true,'path':'/on'}]";
    gw_router_t *rt;
    gw_match_t m;

    rt = router2("[{'id':'a','paths':['/x/y'],'service':{'id':'s-off'}},"
                 " {'id':'z','paths':['/x'],'service':{'id':'s-on'}}]",
                 svcs);
    WINS(rt, "z", "routes of a disabled service are ignored", .path = "/x/y");
    is_int(gw_router_count(rt), 1, "disabled service's route not counted");
    ok(run(rt, &(req_t){.path = "/x/y"}, &m) == APR_SUCCESS && m.service
           && strcmp(gw_json_str(m.service, "id"), "s-on") == 0,
       "match carries the service");
    is(m.upstream_path, "/on/y", "upstream path from the service path");

    rt = router2("[{'id':'a','paths':['/x'],'service':{'id':'s-off'}}]", svcs);
    WINS(rt, "none", "nothing else: no match", .path = "/x");

    rt = router("[{'id':'n','paths':['/nosvc']}]");
    ok(run(rt, &(req_t){.path = "/nosvc/x"}, &m) == APR_SUCCESS
           && m.service == NULL,
       "route without service matches with service NULL");
    is(m.upstream_path, "/x", "and composes against /");
    ok(m.route && strcmp(gw_json_str(m.route, "id"), "n") == 0,
       "match carries the route JSON");

    rt = router("[{'id':'tls','protocols':['https'],'paths':['/secure'],"
                "  'https_redirect_status_code':301},"
                " {'id':'tls2','protocols':['https'],'paths':['/s2']},"
                " {'id':'g','protocols':['grpcs'],'paths':['/g']},"
                " {'id':'both','protocols':['http','https'],'paths':['/b']},"
                " {'id':'tcp','protocols':['tcp'],'snis':['x.test']}]");
    ok(run(rt, &(req_t){.path = "/secure"}, &m) == APR_SUCCESS
           && m.https_required && m.https_redirect_status_code == 301,
       "https-only route over http asks for the redirect code");
    ok(run(rt, &(req_t){.scheme = "https", .path = "/secure"}, &m)
               == APR_SUCCESS
           && !m.https_required,
       "https-only route over https proxies");
    ok(run(rt, &(req_t){.path = "/s2"}, &m) == APR_SUCCESS && m.https_required
           && m.https_redirect_status_code == 426,
       "default redirect code is 426");
    ok(run(rt, &(req_t){.path = "/g"}, &m) == APR_SUCCESS && m.https_required,
       "grpcs-only route over http");
    ok(run(rt, &(req_t){.path = "/b"}, &m) == APR_SUCCESS && !m.https_required,
       "http+https route over http");
    is_int(gw_router_count(rt), 4, "stream route left out of the http router");
}

static void captures(void)
{
    gw_router_t *rt;
    gw_match_t m;

    rt = router2("[{'id':'u','paths':['~/users/(?<id>[0-9]+)/([a-z]+)'],"
                 "  'service':{'id':'s'}},"
                 " {'id':'o','paths':['~/opt(/a)?(?<c>/c)?']},"
                 " {'id':'p','paths':['/plain']}]",
                 "[{'id':'s','path':'/svc'}]");
    ok(run(rt, &(req_t){.path = "/users/42/orders/x"}, &m) == APR_SUCCESS,
       "regex with captures matches");
    is_int(m.numbered->nelts, 3, "whole match plus two groups");
    is(APR_ARRAY_IDX(m.numbered, 0, const char *), "/users/42/orders",
       "capture 0 is the whole match");
    is(APR_ARRAY_IDX(m.numbered, 1, const char *), "42", "capture 1");
    is(APR_ARRAY_IDX(m.numbered, 2, const char *), "orders", "capture 2");
    is(apr_table_get(m.named, "id"), "42", "named capture");
    is(m.matched_path, "/users/42/orders", "matched part of the path");
    is(m.stripped_prefix, "/users/42/orders", "strip_path strips it");
    is(m.upstream_path, "/svc/x", "upstream path after a regex strip");

    ok(run(rt, &(req_t){.path = "/opt/c"}, &m) == APR_SUCCESS,
       "regex with optional groups");
    ok(m.numbered->nelts == 3 && !APR_ARRAY_IDX(m.numbered, 1, const char *),
       "a group that took no part is NULL");
    is(apr_table_get(m.named, "c"), "/c", "named group that took part");

    ok(run(rt, &(req_t){.path = "/plain/x"}, &m) == APR_SUCCESS
           && m.numbered->nelts == 0 && apr_is_empty_table(m.named),
       "plain match has no captures");
    is(m.matched_path, "/plain", "plain match's matched path");
}

static void normalisation(void)
{
    gw_router_t *rt;
    gw_match_t m;

    rt = router2("[{'id':'r','paths':['/route'],'service':{'id':'s'}},"
                 " {'id':'k','paths':['/keep'],'strip_path':false,"
                 "  'preserve_host':true,'service':{'id':'s'}}]",
                 "[{'id':'s','path':'/service'}]");
    ok(run(rt, &(req_t){.path = "/route%2E/req"}, &m) == APR_SUCCESS,
       "/route%2E/req matches /route");
    is(m.upstream_path, "/service/req", "and loses the dot segment upstream");
    is(m.path, "/route./req", "match reports the normalised path");
    ok(run(rt, &(req_t){.path = "/a/../route/x"}, &m) == APR_SUCCESS
           && !strcmp(m.upstream_path, "/service/x"),
       "dot segments are resolved before matching");
    WINS(rt, "r", "duplicate slashes are merged", .path = "//route//x");
    WINS(rt, "400", "encoded NUL is a bad request", .path = "/route%00");
    WINS(rt, "400", "malformed escape is a bad request", .path = "/route%zz");
    WINS(rt, "none", "encoded slash is not a separator",
         .path = "/x%2F..%2Froute");
    ok(run(rt, &(req_t){.path = "/keep/a%2fb"}, &m) == APR_SUCCESS
           && !strcmp(m.upstream_path, "/service/keep/a%2Fb") && !m.strip_path
           && m.preserve_host && !m.stripped_prefix,
       "strip_path false keeps the path, reserved escapes stay encoded");
}

/* v0 rows of reference §3.5 through the whole router (the compat router
 * treats v1 as v0, so only v0 rows apply). */
static void composition_through_router(void)
{
    static const struct {
        const char *svc, *route, *strip, *request, *upstream;
    } rows[] = {
        {"/srv", "/rou", "false", "/roureq", "/srv/roureq"},
        {"/srv", "/rou", "true", "/roureq", "/srv/req"},
        {"/srv/", "/rou", "true", "/rou", "/srv"},
        {"/service", "/", "true", "/route/", "/service/route/"},
        {"/service", "/route", "false", "/route", "/service/route"},
        {"/service", "/route/", "true", "/route/", "/service/"},
        {"/service/", "/route", "true", "/route", "/service"},
        {"/service", NULL, "true", "/route", "/service/route"},
        {"/service/", NULL, "false", "/", "/service/"},
        {"/service", "/route", "false", "/route%2e/req", "/service/route./req"},
    };
    apr_size_t i;

    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const char *attr =
            rows[i].route ? apr_psprintf(pool, "'paths':['%s']", rows[i].route)
                          : "'hosts':['h.test']";
        gw_router_t *rt = router2(
            apr_psprintf(pool,
                         "[{'id':'r',%s,'strip_path':%s,'path_handling':"
                         "'v1','service':{'id':'s'}}]",
                         attr, rows[i].strip),
            apr_psprintf(pool, "[{'id':'s','path':'%s'}]", rows[i].svc));
        gw_match_t m;
        apr_status_t rv =
            run(rt, &(req_t){.host = "h.test", .path = rows[i].request}, &m);

        is(rv == APR_SUCCESS ? m.upstream_path : "(no match)", rows[i].upstream,
           apr_psprintf(pool, "router: service %s, route %s, strip %s, %s",
                        rows[i].svc, rows[i].route ? rows[i].route : "(host)",
                        rows[i].strip, rows[i].request));
    }
}

static void bad_input(void)
{
    gw_router_t *rt = NULL;
    char *err = NULL;

    ok(gw_router_create(&rt, pool,
                        js("[{'id':'bad','paths':['~/(unclosed']},"
                           " {'id':'good','paths':['/']},"
                           " {'paths':['/noid']},"
                           " {'id':'orphan','paths':['/o'],"
                           "  'service':{'id':'missing'}},"
                           " {'id':'wild','hosts':['a.*.com']},"
                           " {'id':'empty','protocols':['http']}]"),
                        js("[]"), &err)
           == APR_SUCCESS,
       "bad routes do not fail the build");
    ok(err && strstr(err, "route bad left out: invalid regex"),
       "bad regex reported");
    ok(err && strstr(err, "(no id)"), "route without id reported");
    ok(err && strstr(err, "could not find service"),
       "unknown service reported");
    ok(err && strstr(err, "invalid wildcard"), "bad wildcard reported");
    ok(err && strstr(err, "route empty left out: no attribute"),
       "route without attributes reported");
    is_int(gw_router_count(rt), 1, "only the good route is in");
    WINS(rt, "good", "the good route serves", .path = "/o");

    ok(gw_router_create(&rt, pool, js("{}"), NULL, &err) == APR_EINVAL && err,
       "routes must be an array");
    ok(gw_router_create(&rt, pool, NULL, NULL, &err) == APR_SUCCESS && !err
           && gw_router_count(rt) == 0,
       "no routes at all is an empty router");
    WINS(rt, "none", "an empty router matches nothing", .path = "/");
}

/* Enough routes that every index structure holds many entries; answers
 * must stay those of the priority rules. */
static void many_routes(void)
{
    json_object *routes = gw_json_own(pool, json_object_new_array());
    gw_router_t *rt;
    char *err = NULL;
    int i;

    for (i = 0; i < 1000; i++) {
        json_object_array_add(
            routes, js(apr_psprintf(pool,
                                    "{'id':'r%d','hosts':['svc%d.example.com'],"
                                    "'paths':['/api/%d']}",
                                    i, i, i)));
        json_object_array_add(
            routes,
            js(apr_psprintf(pool,
                            "{'id':'r%d-v2','hosts':['svc%d.example.com'],"
                            "'paths':['/api/%d/v2']}",
                            i, i, i)));
    }
    /* js() handed one reference to the pool; the array takes its own */
    for (i = 0; i < (int)json_object_array_length(routes); i++) {
        json_object_get(json_object_array_get_idx(routes, (size_t)i));
    }
    json_object_array_add(
        routes, json_object_get(js("{'id':'catch','hosts':['*.example.com'],"
                                   "'paths':['/']}")));
    json_object_array_add(
        routes, json_object_get(js("{'id':'health','paths':['/health']}")));
    ok(gw_router_create(&rt, pool, routes, NULL, &err) == APR_SUCCESS && !err,
       "2002 routes build");
    is_int(gw_router_count(rt), 2002, "all counted");
    WINS(rt, "r500-v2", "longest prefix in the exact host bucket",
         .host = "svc500.example.com", .path = "/api/500/v2/x");
    WINS(rt, "r500", "shorter prefix in the same bucket",
         .host = "svc500.example.com", .path = "/api/500/v3");
    WINS(rt, "catch", "another route's path falls to the wildcard",
         .host = "svc500.example.com", .path = "/api/501");
    WINS(rt, "catch", "two attributes beat one across buckets",
         .host = "svc7.example.com", .path = "/health");
    WINS(rt, "health", "host-less route for other hosts", .host = "other.test",
         .path = "/health");
    WINS(rt, "r999", "last route", .host = "svc999.example.com:8000",
         .path = "/api/999");
    WINS(rt, "none", "unknown host and path", .host = "x.test", .path = "/api");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    plan(TESTS);
    diag("priority (reference 3.3)");
    priority();
    diag("ties and path groups");
    ties_and_groups();
    diag("hosts");
    hosts();
    diag("headers, methods, snis");
    headers_methods_snis();
    diag("services and protocols");
    services_and_protocols();
    diag("regex captures");
    captures();
    diag("path normalisation");
    normalisation();
    diag("path composition through the router");
    composition_through_router();
    diag("bad input");
    bad_input();
    diag("many routes");
    many_routes();
    apr_pool_destroy(pool);
    apr_terminate();
    return exit_status();
}
