/*
 * gw_router_compile: one route's JSON into matching rules and priority
 * groups. See gw_router_compile.h.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "gw_json.h"
#include "gw_router_compile.h"

#define GW_ROUTER_MAX_HEADERS 255

static int array_length(json_object *arr)
{
    return json_object_is_type(arr, json_type_array)
               ? (int)json_object_array_length(arr)
               : 0;
}

static int bool_field(json_object *obj, const char *key, int dflt)
{
    json_object *v = gw_json_get(obj, key);

    return json_object_is_type(v, json_type_boolean)
               ? json_object_get_boolean(v)
               : dflt;
}

/* The string members of a JSON array (others are skipped), NULL-ended. */
static const char **string_list(json_object *arr, int *n, apr_pool_t *p)
{
    int i, len = array_length(arr);
    const char **list = apr_pcalloc(p, sizeof(char *) * (apr_size_t)(len + 1));

    *n = 0;
    for (i = 0; i < len; i++) {
        json_object *v = json_object_array_get_idx(arr, (size_t)i);

        if (json_object_is_type(v, json_type_string)) {
            list[(*n)++] = json_object_get_string(v);
        }
    }
    return list;
}

static const char *compile_regex(pcre2_code **out, apr_pool_t *p,
                                 gw_router_regexes_t *rx, const char *re,
                                 uint32_t options)
{
    PCRE2_UCHAR msg[256];
    PCRE2_SIZE off;
    uint32_t groups = 0;
    int code;

    *out = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, options, &code,
                         &off, NULL);
    if (!*out) {
        pcre2_get_error_message(code, msg, sizeof(msg));
        return apr_psprintf(p, "invalid regex: '%s' (PCRE returned: %s)", re,
                            (const char *)msg);
    }
    APR_ARRAY_PUSH(rx->codes, pcre2_code *) = *out;
    /* Without JIT support pcre2_match() falls back to the interpreter. */
    pcre2_jit_compile(*out, PCRE2_JIT_COMPLETE);
    pcre2_pattern_info(*out, PCRE2_INFO_CAPTURECOUNT, &groups);
    if (groups + 1 > rx->max_pairs) {
        rx->max_pairs = groups + 1;
    }
    return NULL;
}

void gw_router_split_host(const char *s, apr_size_t *hlen, int *port)
{
    const char *colon = NULL, *c;

    *hlen = strlen(s);
    *port = 0;
    if (*s == '[') {
        const char *end = strchr(s, ']');

        if (end && end[1] == ':') {
            colon = end + 1;
        }
    }
    else {
        colon = strchr(s, ':');
    }
    if (!colon) {
        return;
    }
    if (!colon[1]) {
        *hlen = (apr_size_t)(colon - s); /* "host:" has no port */
        return;
    }
    if (strlen(colon + 1) > 5) {
        return;
    }
    for (c = colon + 1; *c; c++) {
        if (!apr_isdigit(*c)) {
            return;
        }
    }
    *hlen = (apr_size_t)(colon - s);
    *port = atoi(colon + 1);
}

static const char *parse_host_rule(gw_host_rule_t *h, const char *s,
                                   int with_port, apr_pool_t *p)
{
    apr_size_t len, i;
    char *name;

    h->port = 0;
    if (with_port) {
        gw_router_split_host(s, &len, &h->port);
    }
    else {
        len = strlen(s);
        if (len > 1 && s[len - 1] == '.') {
            len--; /* the root dot of an FQDN is not routed on */
        }
    }
    name = apr_pstrmemdup(p, s, len);
    for (i = 0; i < len; i++) {
        name[i] = (char)apr_tolower(name[i]);
    }
    h->kind = GW_HOST_EXACT;
    if (len > 2 && name[0] == '*' && name[1] == '.') {
        h->kind = GW_HOST_SUFFIX;
        name++;
        len--;
    }
    else if (len > 2 && name[len - 1] == '*' && name[len - 2] == '.') {
        h->kind = GW_HOST_PREFIX;
        name[--len] = '\0';
    }
    if (len == 0 || memchr(name, '*', len)) {
        return apr_psprintf(p, "invalid wildcard: '%s'", s);
    }
    h->name = name;
    h->len = len;
    return NULL;
}

static const char *parse_host_rules(gw_host_rule_t **out, int *n,
                                    json_object *arr, int with_port,
                                    apr_pool_t *p)
{
    int i, len;
    const char **list = string_list(arr, &len, p);

    *n = 0;
    *out = apr_pcalloc(p, sizeof(gw_host_rule_t) * (apr_size_t)(len + 1));
    for (i = 0; i < len; i++) {
        const char *err;

        if (!*list[i]) {
            continue;
        }
        if ((err = parse_host_rule(&(*out)[*n], list[i], with_port, p))) {
            return err;
        }
        (*n)++;
    }
    return NULL;
}

/* Header names in byte order, so that compiled routes do not depend on
 * json-c's hash order. */
static const char *parse_headers(gw_route_rec_t *r, apr_pool_t *p,
                                 gw_router_regexes_t *rx, json_object *obj)
{
    int i, n;
    const char **names = gw_json_sorted_keys(obj, &n, p);

    r->headers = apr_pcalloc(p, sizeof(gw_header_rule_t) * (apr_size_t)(n + 1));
    for (i = 0; i < n; i++) {
        gw_header_rule_t *h = &r->headers[r->nheaders];
        json_object *vals = gw_json_get(obj, names[i]);
        const char **list;
        int j, nlist;

        if (strcasecmp(names[i], "host") == 0) {
            continue; /* hosts are matched by the hosts attribute only */
        }
        if (json_object_is_type(vals, json_type_string)) {
            list = apr_pcalloc(p, 2 * sizeof(char *));
            list[0] = json_object_get_string(vals);
            nlist = 1;
        }
        else {
            list = string_list(vals, &nlist, p);
        }
        if (nlist == 0) {
            continue;
        }
        h->name = names[i];
        h->values = apr_pcalloc(p, sizeof(char *) * (apr_size_t)nlist);
        h->regexes = apr_pcalloc(p, sizeof(pcre2_code *) * (apr_size_t)nlist);
        for (j = 0; j < nlist; j++) {
            if (strncmp(list[j], "~*", 2) == 0) {
                const char *err = compile_regex(&h->regexes[h->nregexes], p, rx,
                                                list[j] + 2, PCRE2_CASELESS);
                if (err) {
                    return err;
                }
                h->nregexes++;
            }
            else {
                h->values[h->nvalues++] = list[j];
            }
        }
        r->nheaders++;
    }
    return NULL;
}

/* Kong's compat priority (reference §3.3), 64 bits, high to low:
 * 63-61 attribute count, 60 plain hosts only, 59-52 header names,
 * 51 regex group, 50-19 regex_priority, 18-0 plain prefix length.
 * regex_priority is stored offset by 2^31 so that negative values order
 * below positive ones instead of wrapping around. */
static apr_uint64_t group_priority(const gw_route_rec_t *r, int has_paths,
                                   int regex, apr_int64_t regex_priority,
                                   apr_size_t plain_len)
{
    apr_uint64_t weight = 0, prio;
    int plain_hosts = r->nhosts > 0, i;

    weight += r->nmethods > 0;
    weight += r->nhosts > 0;
    weight += r->nheaders > 0;
    weight += r->nsnis > 0;
    weight += has_paths != 0;
    for (i = 0; i < r->nhosts; i++) {
        if (r->hosts[i].kind != GW_HOST_EXACT) {
            plain_hosts = 0;
        }
    }
    prio = weight << 61;
    prio |= (apr_uint64_t)plain_hosts << 60;
    prio |= (apr_uint64_t)(r->nheaders > GW_ROUTER_MAX_HEADERS
                               ? GW_ROUTER_MAX_HEADERS
                               : r->nheaders)
            << 52;
    if (regex) {
        if (regex_priority > APR_INT32_MAX) {
            regex_priority = APR_INT32_MAX;
        }
        if (regex_priority < APR_INT32_MIN) {
            regex_priority = APR_INT32_MIN;
        }
        prio |= (apr_uint64_t)1 << 51;
        prio |= (apr_uint64_t)(regex_priority + 0x80000000LL) << 19;
    }
    else {
        prio |= (apr_uint64_t)(plain_len & 0x7FFFF);
    }
    return prio;
}

static gw_route_group_t *group_add(gw_route_rec_t *r, apr_uint64_t priority)
{
    gw_route_group_t *g = &r->groups[r->ngroups++];

    g->route = r;
    g->priority = priority;
    return g;
}

/* Splits the route's paths into Kong's groups: one for all regex paths,
 * one per distinct length of the plain paths as written. */
static const char *compile_paths(gw_route_rec_t *r, apr_pool_t *p,
                                 gw_router_regexes_t *rx, json_object *route)
{
    int i, j, n, nplain = 0, ncodes = 0;
    const char **paths = string_list(gw_json_get(route, "paths"), &n, p);
    const char **plain = apr_pcalloc(p, sizeof(char *) * (apr_size_t)(n + 1));
    apr_size_t *lens = apr_pcalloc(p, sizeof(apr_size_t) * (apr_size_t)(n + 1));
    pcre2_code **codes = apr_pcalloc(p, sizeof(*codes) * (apr_size_t)(n + 1));
    json_object *rp = gw_json_get(route, "regex_priority");
    apr_int64_t regex_priority = 0;
    gw_route_group_t *g;

    if (json_object_is_type(rp, json_type_int)) {
        regex_priority = json_object_get_int64(rp);
    }
    for (i = 0; i < n; i++) {
        if (paths[i][0] == '~') {
            const char *err = compile_regex(&codes[ncodes], p, rx, paths[i] + 1,
                                            PCRE2_ANCHORED);
            if (err) {
                return err;
            }
            ncodes++;
        }
        else if (gw_upath_normalize(&plain[nplain], p, paths[i])
                 != APR_SUCCESS) {
            return apr_psprintf(p, "invalid path: '%s'", paths[i]);
        }
        else {
            lens[nplain++] = strlen(paths[i]);
        }
    }
    r->groups = apr_pcalloc(p, sizeof(gw_route_group_t) * (apr_size_t)(n + 1));
    if (n == 0) {
        group_add(r, group_priority(r, 0, 0, 0, 0));
        return NULL;
    }
    if (ncodes) {
        g = group_add(r, group_priority(r, 1, 1, regex_priority, 0));
        g->regexes = codes;
        g->nregexes = ncodes;
    }
    for (i = 0; i < nplain; i++) {
        int seen = 0;

        for (j = 0; j < i; j++) {
            seen |= lens[j] == lens[i];
        }
        if (seen) {
            continue;
        }
        g = group_add(r, group_priority(r, 1, 0, 0, lens[i]));
        g->prefixes = apr_pcalloc(p, sizeof(char *) * (apr_size_t)nplain);
        for (j = i; j < nplain; j++) {
            if (lens[j] == lens[i]) {
                g->prefixes[g->nprefixes++] = plain[j];
            }
        }
    }
    return NULL;
}

/* Which of Kong's HTTP-subsystem protocols the route accepts. Returns 0 for
 * a stream-only route. */
static int http_protocols(gw_route_rec_t *r, json_object *route, apr_pool_t *p)
{
    json_object *protos = gw_json_get(route, "protocols");
    const char **list;
    int i, n, http_ish = 0;

    if (!protos) {
        r->plain_ok = 1; /* Kong's default: http, https */
        return 1;
    }
    list = string_list(protos, &n, p);
    for (i = 0; i < n; i++) {
        int plain = !strcmp(list[i], "http") || !strcmp(list[i], "grpc");

        if (plain || !strcmp(list[i], "https") || !strcmp(list[i], "grpcs")) {
            http_ish = 1;
            r->plain_ok |= plain;
        }
    }
    return http_ish;
}

static const char *compile_route(gw_route_rec_t **out, apr_pool_t *p,
                                 json_object *route, apr_hash_t *services,
                                 gw_router_regexes_t *rx)
{
    gw_route_rec_t *r = apr_pcalloc(p, sizeof(*r));
    json_object *svc_ref = gw_json_get(route, "service");
    json_object *code = gw_json_get(route, "https_redirect_status_code");
    const char *err;

    r->id = gw_json_str(route, "id");
    if (!r->id) {
        return "route has no id";
    }
    if (!http_protocols(r, route, p)) {
        return NULL;
    }
    if (svc_ref) {
        const char *sid = gw_json_str(svc_ref, "id");

        r->service =
            sid ? apr_hash_get(services, sid, APR_HASH_KEY_STRING) : NULL;
        if (!r->service) {
            return apr_psprintf(p, "could not find service for route (%s)",
                                r->id);
        }
        if (!bool_field(r->service, "enabled", 1)) {
            return NULL;
        }
        r->service_path = gw_json_str(r->service, "path");
    }
    r->strip_path = bool_field(route, "strip_path", 1);
    r->preserve_host = bool_field(route, "preserve_host", 0);
    r->handling = gw_upath_handling(gw_json_str(route, "path_handling"), 0);
    r->redirect_status = json_object_is_type(code, json_type_int)
                             ? json_object_get_int(code)
                             : 426;
    r->methods = string_list(gw_json_get(route, "methods"), &r->nmethods, p);
    if ((err = parse_host_rules(&r->hosts, &r->nhosts,
                                gw_json_get(route, "hosts"), 1, p))
        || (err = parse_host_rules(&r->snis, &r->nsnis,
                                   gw_json_get(route, "snis"), 0, p))
        || (err = parse_headers(r, p, rx, gw_json_get(route, "headers")))) {
        return err;
    }
    if (!r->nmethods && !r->nhosts && !r->nsnis && !r->nheaders
        && !array_length(gw_json_get(route, "paths"))) {
        return "no attribute to match on (methods, hosts, headers, paths, "
               "snis)";
    }
    if ((err = compile_paths(r, p, rx, route))) {
        return err;
    }
    r->route = gw_json_own(p, json_object_get(route));
    *out = r;
    return NULL;
}

apr_status_t gw_router_compile(gw_route_rec_t **out, apr_pool_t *p,
                               json_object *route, apr_hash_t *services,
                               gw_router_regexes_t *rx, const char **why)
{
    *out = NULL;
    *why = compile_route(out, p, route, services, rx);
    if (*why) {
        *out = NULL;
        return APR_EINVAL;
    }
    return APR_SUCCESS;
}
