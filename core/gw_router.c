/*
 * gw_router: Kong traditional_compatible route matching. See gw_router.h.
 *
 * Build: each route is compiled (gw_router_compile) into path groups, and
 * each group is filed in the bucket of every host its route names, or in
 * the any-host bucket: plain prefixes in the bucket's prefix tree, regex
 * and path-less groups in lists sorted best first. Match: find the
 * request's buckets by hash lookups, take the groups met along the request
 * path in each tree and the path-less ones, then try regex groups only
 * while they could still win. The index only narrows the candidates: every
 * candidate is checked against all of its route's attributes, so the index
 * can make a route miss only by leaving it out, never match wrongly.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_hash.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "gw_json.h"
#include "gw_ptree.h"
#include "gw_router.h"
#include "gw_router_compile.h"

/* Bound the backtracking of a pathological regex, as Kong's traditional
 * router did with PCRE's LIMIT_MATCH, and the memory the interpreter may
 * take from the request pool (KiB; JIT-compiled regexes use a fixed stack).
 * A regex that hits either limit does not match. */
#define GW_ROUTER_MATCH_LIMIT 100000
#define GW_ROUTER_HEAP_LIMIT 1024

#define GW_ROUTER_LEN_SLOTS 256
#define LEN_SLOT(n) ((n) < GW_ROUTER_LEN_SLOTS ? (n) : GW_ROUTER_LEN_SLOTS - 1)

/* Buckets a request with up to 31 dots in its host can fall into without
 * a pool allocation: its exact host, up to two wildcards per dot, and the
 * any-host bucket. */
#define GW_ROUTER_MAX_BUCKETS 64

typedef struct {
    gw_ptree_t *plain;            /* normalised prefix -> gw_route_group_t */
    apr_array_header_t *pathless; /* gw_route_group_t *, best first */
    apr_array_header_t *regex;    /* gw_route_group_t *, best first */
} bucket_t;

struct gw_router_s {
    apr_pool_t *pool;
    apr_hash_t *exact;  /* host -> bucket_t */
    apr_hash_t *suffix; /* ".example.com" -> bucket_t */
    apr_hash_t *prefix; /* "example." -> bucket_t */
    /* Which lengths the suffix and prefix keys have (the last slot stands
     * for all lengths from there on), so that a request only probes the
     * wildcard hashes where a key could be. */
    unsigned char suffix_lens[GW_ROUTER_LEN_SLOTS];
    unsigned char prefix_lens[GW_ROUTER_LEN_SLOTS];
    bucket_t *any;
    apr_array_header_t *buckets; /* every bucket_t, to sort after filing */
    gw_router_regexes_t regexes;
    pcre2_match_context *mctx;
    int nroutes;
};

/* ------------------------------------------------------------ building */

/* > 0 when a beats b: higher priority, then the greater route id, the
 * order in which Kong's ATC engine walks its matchers. */
static int group_cmp(const gw_route_group_t *a, const gw_route_group_t *b)
{
    if (a->priority != b->priority) {
        return a->priority > b->priority ? 1 : -1;
    }
    return strcmp(a->route->id, b->route->id);
}

static int group_sort_desc(const void *x, const void *y)
{
    return group_cmp(*(const gw_route_group_t *const *)y,
                     *(const gw_route_group_t *const *)x);
}

static void sort_groups(apr_array_header_t *arr)
{
    if (arr->nelts > 1) {
        qsort(arr->elts, (size_t)arr->nelts, sizeof(gw_route_group_t *),
              group_sort_desc);
    }
}

static int sort_tree_node(void *baton, const char *key,
                          apr_array_header_t *values)
{
    sort_groups(values);
    return 1;
}

static apr_status_t router_cleanup(void *data)
{
    gw_router_t *rt = data;
    int i;

    for (i = 0; i < rt->regexes.codes->nelts; i++) {
        pcre2_code_free(APR_ARRAY_IDX(rt->regexes.codes, i, pcre2_code *));
    }
    pcre2_match_context_free(rt->mctx);
    return APR_SUCCESS;
}

static bucket_t *bucket_new(gw_router_t *rt)
{
    bucket_t *b = apr_pcalloc(rt->pool, sizeof(*b));

    gw_ptree_create(&b->plain, rt->pool);
    b->pathless = apr_array_make(rt->pool, 2, sizeof(gw_route_group_t *));
    b->regex = apr_array_make(rt->pool, 2, sizeof(gw_route_group_t *));
    APR_ARRAY_PUSH(rt->buckets, bucket_t *) = b;
    return b;
}

static bucket_t *bucket_for(gw_router_t *rt, const gw_host_rule_t *h)
{
    apr_hash_t *index = h->kind == GW_HOST_SUFFIX   ? rt->suffix
                        : h->kind == GW_HOST_PREFIX ? rt->prefix
                                                    : rt->exact;
    bucket_t *b = apr_hash_get(index, h->name, (apr_ssize_t)h->len);

    if (!b) {
        b = bucket_new(rt);
        apr_hash_set(index, h->name, (apr_ssize_t)h->len, b);
        if (h->kind == GW_HOST_SUFFIX) {
            rt->suffix_lens[LEN_SLOT(h->len)] = 1;
        }
        else if (h->kind == GW_HOST_PREFIX) {
            rt->prefix_lens[LEN_SLOT(h->len)] = 1;
        }
    }
    return b;
}

/* Files every group of r in each of its buckets, once per bucket even when
 * several hosts of the route share one ("a.test", "a.test:8080"). */
static void file_route(gw_router_t *rt, const gw_route_rec_t *r)
{
    int i, j, k, g, nseen = 0, n = r->nhosts ? r->nhosts : 1;
    bucket_t **seen = apr_palloc(rt->pool, sizeof(bucket_t *) * (apr_size_t)n);

    for (i = 0; i < n; i++) {
        bucket_t *b = r->nhosts ? bucket_for(rt, &r->hosts[i]) : rt->any;

        for (k = 0; k < nseen && seen[k] != b; k++) {
        }
        if (k < nseen) {
            continue;
        }
        seen[nseen++] = b;
        for (g = 0; g < r->ngroups; g++) {
            gw_route_group_t *grp = &r->groups[g];

            if (grp->nregexes) {
                APR_ARRAY_PUSH(b->regex, gw_route_group_t *) = grp;
            }
            else if (!grp->nprefixes) {
                APR_ARRAY_PUSH(b->pathless, gw_route_group_t *) = grp;
            }
            for (j = 0; j < grp->nprefixes; j++) {
                gw_ptree_add(b->plain, grp->prefixes[j], grp);
            }
        }
    }
}

static char *add_warning(apr_pool_t *p, char *warnings, const char *id,
                         const char *why)
{
    return apr_psprintf(p, "%s%sroute %s left out: %s",
                        warnings ? warnings : "", warnings ? "; " : "",
                        id ? id : "(no id)", why);
}

apr_status_t gw_router_create(gw_router_t **out, apr_pool_t *p,
                              json_object *routes, json_object *services,
                              char **err)
{
    gw_router_t *rt;
    apr_hash_t *by_id = apr_hash_make(p);
    char *warnings = NULL;
    int i, n;

    *out = NULL;
    if (err) {
        *err = NULL;
    }
    if ((routes && !json_object_is_type(routes, json_type_array))
        || (services && !json_object_is_type(services, json_type_array))) {
        if (err) {
            *err = "routes and services must be JSON arrays";
        }
        return APR_EINVAL;
    }
    rt = apr_pcalloc(p, sizeof(*rt));
    rt->pool = p;
    rt->mctx = pcre2_match_context_create(NULL);
    if (!rt->mctx) {
        return APR_ENOMEM;
    }
    pcre2_set_match_limit(rt->mctx, GW_ROUTER_MATCH_LIMIT);
    pcre2_set_heap_limit(rt->mctx, GW_ROUTER_HEAP_LIMIT);
    rt->regexes.codes = apr_array_make(p, 4, sizeof(pcre2_code *));
    rt->regexes.max_pairs = 1;
    apr_pool_cleanup_register(p, rt, router_cleanup, apr_pool_cleanup_null);
    rt->exact = apr_hash_make(p);
    rt->suffix = apr_hash_make(p);
    rt->prefix = apr_hash_make(p);
    rt->buckets = apr_array_make(p, 16, sizeof(bucket_t *));
    rt->any = bucket_new(rt);

    n = services ? (int)json_object_array_length(services) : 0;
    for (i = 0; i < n; i++) {
        json_object *svc = json_object_array_get_idx(services, (size_t)i);
        const char *id = gw_json_str(svc, "id");

        if (id) {
            apr_hash_set(by_id, id, APR_HASH_KEY_STRING,
                         gw_json_own(p, json_object_get(svc)));
        }
    }
    n = routes ? (int)json_object_array_length(routes) : 0;
    for (i = 0; i < n; i++) {
        json_object *route = json_object_array_get_idx(routes, (size_t)i);
        gw_route_rec_t *r;
        const char *why;

        if (gw_router_compile(&r, p, route, by_id, &rt->regexes, &why)
            != APR_SUCCESS) {
            warnings = add_warning(p, warnings, gw_json_str(route, "id"), why);
        }
        else if (r) {
            file_route(rt, r);
            rt->nroutes++;
        }
    }
    for (i = 0; i < rt->buckets->nelts; i++) {
        bucket_t *b = APR_ARRAY_IDX(rt->buckets, i, bucket_t *);

        gw_ptree_each(b->plain, sort_tree_node, NULL);
        sort_groups(b->pathless);
        sort_groups(b->regex);
    }
    if (err) {
        *err = warnings;
    }
    *out = rt;
    return APR_SUCCESS;
}

int gw_router_count(const gw_router_t *rt)
{
    return rt->nroutes;
}

/* ------------------------------------------------------------ matching */

typedef struct {
    const gw_router_t *rt;
    apr_pool_t *p;
    const char *method;
    const apr_table_t *headers;
    const char *path;
    apr_size_t plen;
    const char *host; /* lower case, without port; "" when absent */
    apr_size_t hlen;
    int port;
    const char *sni; /* lower case, no root dot; NULL when absent */
    apr_size_t slen;
    int https;
    pcre2_match_data *md;
    const gw_route_group_t *best;
    const char *matched;
    apr_array_header_t *numbered;
    apr_table_t *named;
} match_state_t;

static void *pool_malloc(PCRE2_SIZE size, void *pool)
{
    return apr_palloc(pool, size);
}

static void pool_free(void *mem, void *pool)
{
}

static pcre2_match_data *match_data(match_state_t *st)
{
    if (!st->md) {
        pcre2_general_context *gc =
            pcre2_general_context_create(pool_malloc, pool_free, st->p);

        st->md =
            pcre2_match_data_create((uint32_t)st->rt->regexes.max_pairs, gc);
    }
    return st->md;
}

static int host_rule_match(const gw_host_rule_t *h, const char *s,
                           apr_size_t len)
{
    switch (h->kind) {
        case GW_HOST_SUFFIX:
            return len > h->len
                   && memcmp(s + len - h->len, h->name, h->len) == 0;
        case GW_HOST_PREFIX:
            return len > h->len && memcmp(s, h->name, h->len) == 0;
        default:
            return len == h->len && memcmp(s, h->name, len) == 0;
    }
}

typedef struct {
    const gw_header_rule_t *rule;
    match_state_t *st;
    int found;
} header_baton_t;

static int header_piece_match(header_baton_t *b, const char *value,
                              apr_size_t len)
{
    const gw_header_rule_t *h = b->rule;
    int i;

    for (i = 0; i < h->nvalues; i++) {
        if (strlen(h->values[i]) == len
            && strncasecmp(value, h->values[i], len) == 0) {
            return 1;
        }
    }
    for (i = 0; i < h->nregexes; i++) {
        if (pcre2_match(h->regexes[i], (PCRE2_SPTR)value, len, 0, 0,
                        match_data(b->st), b->st->rt->mctx)
            >= 0) {
            return 1;
        }
    }
    return 0;
}

/* httpd folds a repeated header into one value joined by ", ", where Kong
 * sees the values apart: the whole value and each element are tried. */
static int header_value_match(void *baton, const char *key, const char *value)
{
    header_baton_t *b = baton;
    const char *p = value;

    if (header_piece_match(b, value, strlen(value))) {
        b->found = 1;
        return 0;
    }
    while (strchr(p, ',')) {
        const char *end = strchr(p, ',');
        const char *s = p, *e = end;

        while (s < e && (*s == ' ' || *s == '\t')) {
            s++;
        }
        while (e > s && (e[-1] == ' ' || e[-1] == '\t')) {
            e--;
        }
        if (header_piece_match(b, s, (apr_size_t)(e - s))) {
            b->found = 1;
            return 0;
        }
        p = end + 1;
    }
    if (p != value) {
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (header_piece_match(b, p, strlen(p))) {
            b->found = 1;
            return 0;
        }
    }
    return 1;
}

/* Every attribute of r but its paths. */
static int route_matches(match_state_t *st, const gw_route_rec_t *r)
{
    int i, ok;

    if (r->nmethods) {
        for (i = 0, ok = 0; i < r->nmethods && !ok; i++) {
            ok = st->method && strcmp(r->methods[i], st->method) == 0;
        }
        if (!ok) {
            return 0;
        }
    }
    if (r->nhosts) {
        for (i = 0, ok = 0; i < r->nhosts && !ok; i++) {
            ok = (!r->hosts[i].port || r->hosts[i].port == st->port)
                 && host_rule_match(&r->hosts[i], st->host, st->hlen);
        }
        if (!ok) {
            return 0;
        }
    }
    /* SNIs only constrain requests that came over TLS (Kong #6425) */
    if (r->nsnis && st->https) {
        for (i = 0, ok = 0; i < r->nsnis && !ok && st->sni; i++) {
            ok = host_rule_match(&r->snis[i], st->sni, st->slen);
        }
        if (!ok) {
            return 0;
        }
    }
    for (i = 0; i < r->nheaders; i++) {
        header_baton_t b = {&r->headers[i], st, 0};

        if (st->headers) {
            apr_table_do(header_value_match, &b, st->headers,
                         r->headers[i].name, NULL);
        }
        if (!b.found) {
            return 0;
        }
    }
    return 1;
}

static int beats_best(const match_state_t *st, const gw_route_group_t *g)
{
    return !st->best || group_cmp(g, st->best) > 0;
}

static void take(match_state_t *st, const gw_route_group_t *g,
                 const char *matched)
{
    st->best = g;
    st->matched = matched;
    st->numbered = NULL;
    st->named = NULL;
}

/* Scans a best-first list of candidates whose path already matched. */
static void scan_list(match_state_t *st, const apr_array_header_t *list,
                      const char *matched)
{
    int i;

    for (i = 0; i < list->nelts; i++) {
        const gw_route_group_t *g =
            APR_ARRAY_IDX(list, i, const gw_route_group_t *);

        if (!beats_best(st, g)) {
            return;
        }
        if (route_matches(st, g->route)) {
            take(st, g, matched);
            return;
        }
    }
}

static int visit_prefix(void *baton, const char *key,
                        apr_array_header_t *groups)
{
    scan_list(baton, groups, key);
    return 1;
}

/* Records the captures of the regex code that just matched st->path; rc
 * is pcre2_match()'s result, one more than the highest group set. */
static void keep_captures(match_state_t *st, const pcre2_code *code, int rc)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(st->md);
    uint32_t i, groups = 0, names = 0, size = 0;
    PCRE2_SPTR table = NULL;

    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &groups);
    st->numbered = apr_array_make(st->p, (int)groups + 1, sizeof(char *));
    for (i = 0; i <= groups; i++) {
        const char *v = NULL;

        if ((int)i < rc && ov[2 * i] != PCRE2_UNSET) {
            v = apr_pstrmemdup(st->p, st->path + ov[2 * i],
                               ov[2 * i + 1] - ov[2 * i]);
        }
        APR_ARRAY_PUSH(st->numbered, const char *) = v;
    }
    st->named = apr_table_make(st->p, 2);
    pcre2_pattern_info(code, PCRE2_INFO_NAMECOUNT, &names);
    pcre2_pattern_info(code, PCRE2_INFO_NAMEENTRYSIZE, &size);
    pcre2_pattern_info(code, PCRE2_INFO_NAMETABLE, &table);
    for (i = 0; i < names; i++, table += size) {
        int n = table[0] << 8 | table[1];
        const char *v = APR_ARRAY_IDX(st->numbered, n, const char *);

        if (v) {
            apr_table_setn(st->named, (const char *)table + 2, v);
        }
    }
    /* The matched part runs to the end of the whole match; it starts at 0
     * because the regex is anchored (\K could only move the reported
     * start, not what the route consumed). */
    st->matched = apr_pstrmemdup(st->p, st->path, ov[1]);
}

/* Tries a best-first list of regex groups, stopping at the first one that
 * matches or as soon as none left could beat the best match so far. */
static void scan_regex(match_state_t *st, const apr_array_header_t *list)
{
    int i, j;

    for (i = 0; i < list->nelts; i++) {
        const gw_route_group_t *g =
            APR_ARRAY_IDX(list, i, const gw_route_group_t *);

        if (!beats_best(st, g)) {
            return;
        }
        if (!route_matches(st, g->route)) {
            continue;
        }
        for (j = 0; j < g->nregexes; j++) {
            int rc = pcre2_match(g->regexes[j], (PCRE2_SPTR)st->path, st->plen,
                                 0, 0, match_data(st), st->rt->mctx);

            if (rc > 0) {
                take(st, g, NULL);
                keep_captures(st, g->regexes[j], rc);
                return;
            }
        }
    }
}

static char *lower_dup(apr_pool_t *p, const char *s, apr_size_t len)
{
    char *d = apr_pstrmemdup(p, s, len);
    apr_size_t i;

    for (i = 0; i < len; i++) {
        d[i] = (char)apr_tolower(d[i]);
    }
    return d;
}

/* The request's buckets: its exact host, every wildcard that covers it,
 * and the any-host bucket last. A wildcard's fixed part always ends
 * (suffix) or starts (prefix) at a dot of the host, so only the dots are
 * probed, and only where a key of that length exists. out has room for
 * two buckets per dot plus two. */
static int find_buckets(const match_state_t *st, const bucket_t **out)
{
    const gw_router_t *rt = st->rt;
    const char *h = st->host;
    apr_size_t i, len = st->hlen;
    int n = 0;

    if ((out[n] = apr_hash_get(rt->exact, h, (apr_ssize_t)len))) {
        n++;
    }
    for (i = 0; i < len; i++) {
        if (h[i] != '.') {
            continue;
        }
        if (i > 0 && rt->suffix_lens[LEN_SLOT(len - i)]
            && (out[n] =
                    apr_hash_get(rt->suffix, h + i, (apr_ssize_t)(len - i)))) {
            n++;
        }
        if (i + 1 < len && rt->prefix_lens[LEN_SLOT(i + 1)]
            && (out[n] = apr_hash_get(rt->prefix, h, (apr_ssize_t)(i + 1)))) {
            n++;
        }
    }
    out[n++] = rt->any;
    return n;
}

apr_status_t gw_router_match(const gw_router_t *rt, const gw_request_t *req,
                             gw_match_t *m, apr_pool_t *p)
{
    match_state_t st;
    const bucket_t *stack_buckets[GW_ROUTER_MAX_BUCKETS], **buckets;
    apr_size_t dots = 0;
    const gw_route_rec_t *r;
    int i, nb;

    memset(m, 0, sizeof(*m));
    memset(&st, 0, sizeof(st));
    st.rt = rt;
    st.p = p;
    st.method = req->method;
    st.headers = req->headers;
    if (gw_upath_normalize(&st.path, p, req->path) != APR_SUCCESS) {
        return APR_EINVAL;
    }
    st.plen = strlen(st.path);
    st.https = req->scheme && strcasecmp(req->scheme, "https") == 0;
    st.host = "";
    if (req->host) {
        gw_router_split_host(req->host, &st.hlen, &st.port);
        st.host = lower_dup(p, req->host, st.hlen);
    }
    if (!st.port) {
        st.port = st.https ? 443 : 80;
    }
    if (st.https && req->sni && *req->sni) {
        st.slen = strlen(req->sni);
        if (st.slen > 1 && req->sni[st.slen - 1] == '.') {
            st.slen--;
        }
        st.sni = lower_dup(p, req->sni, st.slen);
    }

    for (i = 0; i < (int)st.hlen; i++) {
        dots += st.host[i] == '.';
    }
    buckets = 2 * dots + 2 <= GW_ROUTER_MAX_BUCKETS
                  ? stack_buckets
                  : apr_palloc(p, sizeof(bucket_t *) * (2 * dots + 2));
    nb = find_buckets(&st, buckets);
    /* cheap candidates first, so that regexes only run if they can win */
    for (i = 0; i < nb; i++) {
        gw_ptree_walk(buckets[i]->plain, st.path, visit_prefix, &st);
        scan_list(&st, buckets[i]->pathless, NULL);
    }
    for (i = 0; i < nb; i++) {
        scan_regex(&st, buckets[i]->regex);
    }
    if (!st.best) {
        return APR_NOTFOUND;
    }

    r = st.best->route;
    m->route = r->route;
    m->service = r->service;
    m->route_id = r->id;
    m->path = st.path;
    m->matched_path = st.matched;
    m->stripped_prefix = r->strip_path ? st.matched : NULL;
    m->upstream_path = gw_upath_compose(r->service_path, st.path, st.matched,
                                        r->strip_path, r->handling, p);
    m->numbered =
        st.numbered ? st.numbered : apr_array_make(p, 1, sizeof(const char *));
    m->named = st.named ? st.named : apr_table_make(p, 1);
    m->strip_path = r->strip_path;
    m->preserve_host = r->preserve_host;
    m->https_required = !r->plain_ok && !st.https;
    m->https_redirect_status_code = r->redirect_status;
    return APR_SUCCESS;
}
