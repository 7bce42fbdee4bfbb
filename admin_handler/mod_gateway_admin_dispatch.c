/*
 * mod_gateway_admin_dispatch: Admin API paths. See
 * mod_gateway_admin_dispatch.h.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_log.h>
#include <http_protocol.h>

#include "gw_text.h"
#include "mod_gateway_admin_config.h"
#include "mod_gateway_admin_crud.h"
#include "mod_gateway_admin_dispatch.h"
#include "mod_gateway_admin_info.h"
#include "mod_gateway_admin_meta.h"
#include "mod_gateway_admin_plugins.h"

APLOG_USE_MODULE(gateway_admin);

#define MAX_SEGMENTS 8

static const char *const read_only[] = {"GET", "HEAD", "OPTIONS", NULL};
static const char *const collection[] = {"GET", "HEAD", "OPTIONS", "POST",
                                         NULL};
static const char *const entity[] = {"DELETE", "GET", "HEAD", "OPTIONS",
                                     "PATCH",  "PUT", NULL};

static const char *const post_only[] = {"OPTIONS", "POST", NULL};
static const char *const config[] = {"GET", "HEAD", "OPTIONS", "POST", NULL};

static const char *const *allowed_methods(gw_admin_kind_e kind)
{
    switch (kind) {
        case GW_ADMIN_ROOT:
        case GW_ADMIN_STATUS:
        case GW_ADMIN_ENDPOINTS:
        case GW_ADMIN_SCHEMA:
        case GW_ADMIN_PLUGINS_ENABLED:
        case GW_ADMIN_PLUGIN_SCHEMA:
        case GW_ADMIN_PLUGIN_CONFIG_SCHEMA:
        case GW_ADMIN_TAGS:
        case GW_ADMIN_NESTED_ALL:
        case GW_ADMIN_UPSTREAM_HEALTH:
            return read_only;
        case GW_ADMIN_SCHEMA_VALIDATE:
            return post_only;
        case GW_ADMIN_CONFIG:
            return config;
        case GW_ADMIN_COLLECTION:
        case GW_ADMIN_NESTED_COLLECTION:
            return collection;
        default:
            return entity;
    }
}

/* Splits the raw path into percent-decoded segments; a trailing slash is
 * tolerated, empty segments elsewhere are not. */
static int split_path(gw_admin_req_t *req, const char *raw, const char **seg)
{
    int n = 0;
    const char *start = raw + 1;

    if (raw[0] != '/') {
        return -1;
    }
    while (*start) {
        const char *end = strchr(start, '/');
        apr_size_t len = end ? (apr_size_t)(end - start) : strlen(start);
        char *dec;

        if (len == 0 || n == MAX_SEGMENTS) {
            return -1;
        }
        dec = gw_text_unescape(start, len, 0, NULL, req->pool);
        if (!dec) {
            return -1;
        }
        seg[n++] = dec;
        if (!end) {
            break;
        }
        start = end + 1;
    }
    return n;
}

/* The foreign key of child that references the entity type called
 * parent_name, when /parent/{p}/child is a nested path. */
static const gw_field_t *nested_fk(const gw_entity_t *child,
                                   const gw_entity_t *parent)
{
    return child && parent ? gw_entity_foreign_to(child, parent) : NULL;
}

static int resolve(gw_admin_req_t *req, gw_admin_target_t *t)
{
    const char *raw =
        req->r->parsed_uri.path ? req->r->parsed_uri.path : req->r->uri;
    const char *seg[MAX_SEGMENTS];
    const gw_entity_t *e;
    int n = split_path(req, raw, seg);

    memset(t, 0, sizeof(*t));
    if (n < 0) {
        return 0;
    }
    if (n == 0) {
        t->kind = GW_ADMIN_ROOT;
        return 1;
    }
    if (n == 1 && strcmp(seg[0], "status") == 0) {
        t->kind = GW_ADMIN_STATUS;
        return 1;
    }
    if (n == 1 && strcmp(seg[0], "endpoints") == 0) {
        t->kind = GW_ADMIN_ENDPOINTS;
        return 1;
    }
    if ((n == 1 || n == 2) && strcmp(seg[0], "tags") == 0) {
        t->kind = GW_ADMIN_TAGS;
        t->key = n == 2 ? seg[1] : NULL;
        return 1;
    }
    if (n == 1 && strcmp(seg[0], "config") == 0) {
        t->kind = GW_ADMIN_CONFIG;
        return 1;
    }
    if (n == 2 && strcmp(seg[0], "plugins") == 0
        && strcmp(seg[1], "enabled") == 0) {
        t->kind = GW_ADMIN_PLUGINS_ENABLED;
        return 1;
    }
    if (n == 3 && strcmp(seg[0], "schemas") == 0
        && strcmp(seg[1], "plugins") == 0 && strcmp(seg[2], "validate") != 0) {
        t->kind = GW_ADMIN_PLUGIN_SCHEMA;
        t->key = seg[2];
        return 1;
    }
    if (n == 3 && strcmp(seg[0], "plugins") == 0
        && strcmp(seg[1], "schema") == 0) {
        t->kind = GW_ADMIN_PLUGIN_CONFIG_SCHEMA;
        t->key = seg[2];
        return 1;
    }
    if ((n == 2 || n == 3) && strcmp(seg[0], "schemas") == 0) {
        if (n == 3 && strcmp(seg[2], "validate") != 0) {
            return 0;
        }
        t->kind = n == 2 ? GW_ADMIN_SCHEMA : GW_ADMIN_SCHEMA_VALIDATE;
        t->key = seg[1];
        return 1;
    }
    e = gw_entity_find_path(seg[0], 0);
    if (!e || (e->flags & GW_E_NESTED_ONLY)) {
        return 0;
    }
    t->entity = e;
    t->path = apr_pstrcat(req->pool, "/", seg[0], NULL);
    switch (n) {
        case 1:
            t->kind = GW_ADMIN_COLLECTION;
            return 1;
        case 2:
            t->kind = GW_ADMIN_ENTITY;
            t->key = seg[1];
            return 1;
        case 3: {
            const gw_field_t *f = gw_schema_field(e->fields, seg[2]);
            const gw_entity_t *child = gw_entity_find_path(seg[2], 1);

            if (f && f->type == GW_T_FOREIGN && gw_entity_find(f->reference)) {
                t->kind = GW_ADMIN_PARENT;
                t->key = seg[1];
                t->fk = f;
                t->parent = gw_entity_find(f->reference);
                return 1;
            }
            if (e == &gw_entity_upstreams && strcmp(seg[2], "health") == 0) {
                /* the upstream's targets, each with its health */
                t->kind = GW_ADMIN_UPSTREAM_HEALTH;
                t->parent = e;
                t->parent_key = seg[1];
                t->entity = &gw_entity_targets;
                t->fk = gw_entity_foreign_to(&gw_entity_targets, e);
                t->path =
                    apr_pstrndup(req->pool, raw,
                                 strlen(raw) - (raw[strlen(raw) - 1] == '/'));
                return 1;
            }
            if ((t->fk = nested_fk(child, e))) {
                t->kind = GW_ADMIN_NESTED_COLLECTION;
                t->parent = e;
                t->parent_key = seg[1];
                t->entity = child;
                /* Kong echoes the parent segment as the client sent it */
                t->path =
                    apr_pstrndup(req->pool, raw,
                                 strlen(raw) - (raw[strlen(raw) - 1] == '/'));
                return 1;
            }
            return 0;
        }
        case 4: {
            const gw_entity_t *child = gw_entity_find_path(seg[2], 1);

            if ((t->fk = nested_fk(child, e))) {
                t->kind = GW_ADMIN_NESTED_ENTITY;
                if ((child->flags & GW_E_NEWEST_PER_KEY)
                    && strcmp(seg[3], "all") == 0) {
                    /* every stored row; "all" is never a valid key */
                    t->kind = GW_ADMIN_NESTED_ALL;
                    t->path = apr_pstrndup(req->pool, raw,
                                           strlen(raw)
                                               - (raw[strlen(raw) - 1] == '/'));
                }
                t->parent = e;
                t->parent_key = seg[1];
                t->entity = child;
                t->key = seg[3];
                return 1;
            }
            return 0;
        }
        default:
            return 0;
    }
}

static int method_allowed(const char *method, const char *const *list)
{
    for (; *list; list++) {
        if (strcmp(method, *list) == 0) {
            return 1;
        }
    }
    return 0;
}

static int answer_options(gw_admin_req_t *req, const char *const *list)
{
    request_rec *r = req->r;
    const char *joined = NULL;
    const char *asked =
        apr_table_get(r->headers_in, "Access-Control-Request-Headers");

    for (; *list; list++) {
        joined =
            joined ? apr_pstrcat(r->pool, joined, ", ", *list, NULL) : *list;
    }
    apr_table_setn(r->headers_out, "Allow", joined);
    apr_table_setn(r->headers_out, "Access-Control-Allow-Methods", joined);
    apr_table_setn(r->headers_out, "Access-Control-Allow-Headers",
                   asked ? asked : "Content-Type");
    return gw_admin_send_empty(req, HTTP_NO_CONTENT);
}

int gw_admin_dispatch(gw_admin_req_t *req)
{
    request_rec *r = req->r;
    const char *method = r->header_only ? "HEAD" : r->method;
    const char *const *allowed;
    gw_admin_target_t t;

    if (!resolve(req, &t)) {
        return gw_admin_send_message(req, HTTP_NOT_FOUND, "Not found");
    }
    allowed = allowed_methods(t.kind);
    if (strcmp(method, "OPTIONS") == 0) {
        return answer_options(req, allowed);
    }
    /* Kong answers /config on a database node the same for every method */
    if (t.kind == GW_ADMIN_CONFIG && req->node->database) {
        return gw_admin_meta_config(req);
    }
    if (!method_allowed(method, allowed)) {
        return gw_admin_send_message(req, HTTP_METHOD_NOT_ALLOWED,
                                     "Method not allowed");
    }
    if (strcmp(method, "HEAD") == 0) {
        method = "GET";
    }
    switch (t.kind) {
        case GW_ADMIN_ROOT:
            return gw_admin_info_root(req);
        case GW_ADMIN_STATUS:
            return gw_admin_info_status(req);
        case GW_ADMIN_ENDPOINTS:
            return gw_admin_meta_endpoints(req);
        case GW_ADMIN_SCHEMA:
            return gw_admin_meta_schema(req, t.key);
        case GW_ADMIN_SCHEMA_VALIDATE:
            return gw_admin_meta_validate(req, t.key);
        case GW_ADMIN_PLUGINS_ENABLED:
            return gw_admin_plugins_enabled(req);
        case GW_ADMIN_PLUGIN_SCHEMA:
            return gw_admin_plugins_schema(req, t.key, 0);
        case GW_ADMIN_PLUGIN_CONFIG_SCHEMA:
            return gw_admin_plugins_schema(req, t.key, 1);
        case GW_ADMIN_CONFIG:
            return gw_admin_config(req, method);
        case GW_ADMIN_TAGS:
            return gw_admin_meta_tags(req, t.key);
        default:
            return gw_admin_crud(req, &t, method);
    }
}
