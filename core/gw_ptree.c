/*
 * gw_ptree: prefix tree with compressed edges. See gw_ptree.h.
 *
 * Each node is reached through an edge label (a slice of some stored key);
 * children are kept sorted by the first byte of their label, which is
 * unique among siblings, so a walk step is one binary search and one
 * comparison of the label.
 */
#include <string.h>

#include <apr_strings.h>

#include "gw_ptree.h"

typedef struct node_s node_t;

struct node_s {
    const char *edge; /* label from the parent; points into a stored key */
    apr_size_t elen;
    const char *key;            /* the whole key when values is set */
    apr_array_header_t *values; /* NULL: no key ends here */
    node_t **kids;              /* sorted by (unsigned char)edge[0] */
    int nkids;
    int kcap;
};

struct gw_ptree_s {
    apr_pool_t *pool;
    node_t root;
    int nkeys;
};

apr_status_t gw_ptree_create(gw_ptree_t **out, apr_pool_t *p)
{
    gw_ptree_t *t = apr_pcalloc(p, sizeof(*t));

    t->pool = p;
    t->root.edge = "";
    *out = t;
    return APR_SUCCESS;
}

/* Index of the child whose label starts with c, or where it would go. */
static int child_pos(const node_t *n, unsigned char c, int *found)
{
    int lo = 0, hi = n->nkids;

    *found = 0;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        unsigned char m = (unsigned char)n->kids[mid]->edge[0];

        if (m == c) {
            *found = 1;
            return mid;
        }
        if (m < c) {
            lo = mid + 1;
        }
        else {
            hi = mid;
        }
    }
    return lo;
}

static node_t *node_new(gw_ptree_t *t, const char *edge, apr_size_t elen)
{
    node_t *n = apr_pcalloc(t->pool, sizeof(*n));

    n->edge = edge;
    n->elen = elen;
    return n;
}

static void child_insert(gw_ptree_t *t, node_t *n, int pos, node_t *kid)
{
    if (n->nkids == n->kcap) {
        int cap = n->kcap ? n->kcap * 2 : 2;
        node_t **kids = apr_palloc(t->pool, sizeof(node_t *) * (apr_size_t)cap);

        if (n->nkids) {
            memcpy(kids, n->kids, sizeof(node_t *) * (apr_size_t)n->nkids);
        }
        n->kids = kids;
        n->kcap = cap;
    }
    memmove(n->kids + pos + 1, n->kids + pos,
            sizeof(node_t *) * (apr_size_t)(n->nkids - pos));
    n->kids[pos] = kid;
    n->nkids++;
}

void gw_ptree_add(gw_ptree_t *t, const char *key, void *value)
{
    const char *copy = apr_pstrdup(t->pool, key), *rest = copy;
    node_t *n = &t->root;

    while (*rest) {
        int found, pos = child_pos(n, (unsigned char)*rest, &found);
        node_t *c;
        apr_size_t k = 0;

        if (!found) {
            c = node_new(t, rest, strlen(rest));
            child_insert(t, n, pos, c);
            n = c;
            break;
        }
        c = n->kids[pos];
        while (k < c->elen && rest[k] == c->edge[k]) {
            k++;
        }
        if (k < c->elen) {
            /* the new key leaves this edge half-way: split it */
            node_t *mid = node_new(t, c->edge, k);

            c->edge += k;
            c->elen -= k;
            child_insert(t, mid, 0, c);
            n->kids[pos] = mid;
            c = mid;
        }
        rest += k;
        n = c;
    }
    if (!n->values) {
        n->values = apr_array_make(t->pool, 1, sizeof(void *));
        n->key = copy;
        t->nkeys++;
    }
    APR_ARRAY_PUSH(n->values, void *) = value;
}

void gw_ptree_walk(const gw_ptree_t *t, const char *s, gw_ptree_visit_fn *fn,
                   void *baton)
{
    const node_t *n = &t->root;

    for (;;) {
        int found, pos;

        if (n->values && !fn(baton, n->key, n->values)) {
            return;
        }
        if (!*s) {
            return;
        }
        pos = child_pos(n, (unsigned char)*s, &found);
        if (!found) {
            return;
        }
        n = n->kids[pos];
        /* s may be shorter than the label: strncmp stops at its NUL */
        if (strncmp(n->edge, s, n->elen) != 0) {
            return;
        }
        s += n->elen;
    }
}

static int each_node(node_t *n, gw_ptree_visit_fn *fn, void *baton)
{
    int i;

    if (n->values && !fn(baton, n->key, n->values)) {
        return 0;
    }
    for (i = 0; i < n->nkids; i++) {
        if (!each_node(n->kids[i], fn, baton)) {
            return 0;
        }
    }
    return 1;
}

void gw_ptree_each(gw_ptree_t *t, gw_ptree_visit_fn *fn, void *baton)
{
    each_node(&t->root, fn, baton);
}

int gw_ptree_count(const gw_ptree_t *t)
{
    return t->nkeys;
}
