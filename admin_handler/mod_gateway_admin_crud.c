/*
 * mod_gateway_admin_crud: entity endpoints. See mod_gateway_admin_crud.h.
 *
 * Every write runs in one transaction: the lookups it depends on, the
 * uniqueness and foreign-key checks, the row itself and the cluster event
 * that tells the other nodes. Any failure rolls the whole of it back.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_log.h>
#include <http_protocol.h>

#include "gw_json.h"
#include "gw_page.h"
#include "gw_plugin.h"
#include "gw_text.h"
#include "gw_uuid.h"
#include "mod_gateway_admin_body.h"
#include "gw_entity_certificate.h"
#include "mod_gateway_admin_certificates.h"
#include "mod_gateway_admin_crud.h"
#include "mod_gateway_admin_health.h"

APLOG_USE_MODULE(gateway_admin);

/* The result of a step: done (answered), or go on. */
#define STEP_OK 0
#define STEP_ANSWERED 1

typedef struct crud_s {
    gw_admin_req_t *req;
    const gw_admin_target_t *t;
    gw_store_t *st;
    const char *method;
    int in_tx;
    int answer; /* the handler's return value once answered */
} crud_t;

static int answered(crud_t *c, int handler_rv)
{
    if (c->in_tx) {
        gw_store_rollback(c->st);
        c->in_tx = 0;
    }
    c->answer = handler_rv;
    return STEP_ANSWERED;
}

static int fail_store(crud_t *c)
{
    return answered(c, gw_admin_send_store_failure(c->req));
}

static int fail_error(crud_t *c, const gw_error_t *err)
{
    return answered(c, gw_admin_send_error(c->req, err));
}

static int not_found(crud_t *c)
{
    return answered(c,
                    gw_admin_send_message(c->req, HTTP_NOT_FOUND, "Not found"));
}

/* Looks an entity up by id, or by endpoint key when key is not a UUID;
 * a key under a parent (a nested path) is looked up among the parent's
 * entities only, the newest first. */
static int lookup(crud_t *c, const gw_entity_t *e, const char *key,
                  json_object *parent, json_object **out)
{
    const char *column = "id";
    const char *endpoint_key = gw_entity_endpoint_key(e, parent != NULL);

    *out = NULL;
    if (!gw_uuid_valid(key) && e == &gw_entity_certificates) {
        /* /certificates/{name}: the certificate of that SNI */
        return gw_admin_cert_by_sni(out, c->st, key) == APR_SUCCESS
                   ? STEP_OK
                   : fail_store(c);
    }
    if (!gw_uuid_valid(key)) {
        const gw_field_t *kf;
        const char *why;
        gw_error_t *err;

        if (!endpoint_key) {
            return STEP_OK;
        }
        column = endpoint_key;
        /* Kong checks a key with its field's validator before using it:
         * code 10, "invalid unique <field>" */
        kf = gw_schema_field(e->fields, endpoint_key);
        why = kf && kf->check ? kf->check(
                  gw_json_own(c->req->pool, json_object_new_string(key)),
                  c->req->pool)
                              : NULL;
        if (why) {
            err = gw_error_dao(c->req->pool, GW_ERR_INVALID_UNIQUE, why, NULL);
            err->name = apr_pstrcat(c->req->pool, "invalid unique ",
                                    endpoint_key, NULL);
            return fail_error(c, err);
        }
    }
    if (parent && strcmp(column, "id") != 0) {
        if (gw_store_select_child(
                out, c->st, e, column, key,
                apr_pstrcat(c->req->pool, c->t->fk->name, "_id", NULL),
                gw_json_str(parent, "id"))
            != APR_SUCCESS) {
            return fail_store(c);
        }
        return STEP_OK;
    }
    if (gw_store_select(out, c->st, e, column, key) != APR_SUCCESS) {
        return fail_store(c);
    }
    return STEP_OK;
}

static int begin(crud_t *c)
{
    if (gw_store_begin(c->st) != APR_SUCCESS) {
        return fail_store(c);
    }
    c->in_tx = 1;
    return STEP_OK;
}

/* Loads the parent of a nested path; 404 when it does not exist. */
static int load_parent(crud_t *c, json_object **parent)
{
    if (lookup(c, c->t->parent, c->t->parent_key, NULL, parent) != STEP_OK) {
        return STEP_ANSWERED;
    }
    return *parent ? STEP_OK : not_found(c);
}

static int belongs_to(const gw_admin_target_t *t, json_object *ent,
                      json_object *parent)
{
    const char *fk = gw_json_str(gw_json_get(ent, t->fk->name), "id");

    return fk && strcmp(fk, gw_json_str(parent, "id")) == 0;
}

static void force_parent(const gw_admin_target_t *t, json_object *input,
                         json_object *parent)
{
    json_object *ref = json_object_new_object();

    json_object_object_add(ref, "id",
                           json_object_get(gw_json_get(parent, "id")));
    json_object_object_add(input, t->fk->name, ref);
}

static int read_input(crud_t *c, const gw_entity_t *e, json_object **input)
{
    gw_error_t *err;
    int is_form;

    err = gw_admin_body_read(c->req, input, &is_form);
    if (err) {
        return fail_error(c, err);
    }
    if (is_form) {
        /* a plugin's config is typed by the plugin the body names */
        gw_schema_coerce(gw_entity_fields(e, *input, c->req->pool), *input);
    }
    return STEP_OK;
}

/* Replaces {"service":{"name":"x"}} by {"service":{"id":...}}; code 13
 * when no such entity exists. */
static int resolve_foreign_keys(crud_t *c, const gw_entity_t *e,
                                json_object *input)
{
    apr_pool_t *p = c->req->pool;
    const gw_field_t *f;

    for (f = e->fields; f->name; f++) {
        json_object *ref = gw_json_get(input, f->name), *found, *fields;
        const gw_entity_t *target;
        const char *key, *msg;

        if (f->type != GW_T_FOREIGN || !ref
            || !json_object_is_type(ref, json_type_object)
            || gw_json_has(ref, "id")) {
            continue;
        }
        target = gw_entity_find(f->reference);
        if (!target || !target->endpoint_key
            || !(key = gw_json_str(ref, target->endpoint_key))) {
            continue;
        }
        if (gw_store_select(&found, c->st, target, target->endpoint_key, key)
            != APR_SUCCESS) {
            return fail_store(c);
        }
        if (found) {
            json_object *byid = json_object_new_object();

            json_object_object_add(byid, "id",
                                   json_object_get(gw_json_get(found, "id")));
            json_object_object_add(input, f->name, byid);
            continue;
        }
        msg = apr_psprintf(p,
                           "the foreign key cannot be resolved with "
                           "'{%s=%s}' for an existing '%s' entity",
                           target->endpoint_key, gw_text_lua_quote(key, p),
                           target->name);
        fields = gw_json_own(p, json_object_new_object());
        json_object_object_add(fields, f->name, json_object_new_object());
        json_object_object_add(gw_json_get(fields, f->name),
                               target->endpoint_key,
                               json_object_new_string(msg));
        return fail_error(
            c, gw_error_dao(
                   p, GW_ERR_FOREIGN_KEYS_UNRESOLVED,
                   gw_error_schema_message(fields, "foreign key unresolved", p),
                   fields));
    }
    return STEP_OK;
}

/* What the client reads of an entity read back (*ent is replaced): a
 * certificate with its SNI names, a plugin with what its schema shows
 * beyond what is stored. */
static int decorate(crud_t *c, const gw_entity_t *e, json_object **ent)
{
    if (!*ent) {
        return STEP_OK;
    }
    if (e == &gw_entity_certificates
        && gw_admin_cert_decorate(c->st, *ent) != APR_SUCCESS) {
        return fail_store(c);
    }
    *ent = gw_entity_present(e, *ent, c->req->pool);
    return STEP_OK;
}

/* The protocols of one route, or of each route of a service, as a
 * plugin entity carries them, for gw_plugin_protocols_match. */
static int plugin_fits_routes(crud_t *c, json_object *plugin, int *fits,
                              const char **msg)
{
    const char *route = gw_json_str(gw_json_get(plugin, "route"), "id");
    const char *service = gw_json_str(gw_json_get(plugin, "service"), "id");
    json_object *r, *rows;
    gw_store_query_t q;
    const char *after;
    size_t i, n;

    *fits = 1;
    if (route) {
        if (gw_store_select(&r, c->st, &gw_entity_routes, "id", route)
            != APR_SUCCESS) {
            return fail_store(c);
        }
        *fits = !r || gw_plugin_protocols_match(plugin, r);
        *msg = "must match the associated route's protocols";
        return STEP_OK;
    }
    if (!service) {
        return STEP_OK;
    }
    memset(&q, 0, sizeof(q));
    q.size = 100000;
    q.fk_column = "service_id";
    q.fk_value = service;
    if (gw_store_page(&rows, &after, c->st, &gw_entity_routes, &q)
        != APR_SUCCESS) {
        return fail_store(c);
    }
    n = json_object_array_length(rows);
    *fits = n == 0;
    for (i = 0; i < n && !*fits; i++) {
        *fits = gw_plugin_protocols_match(plugin,
                                          json_object_array_get_idx(rows, i));
    }
    *msg = "must match the protocols of at least one route pointing to "
           "this Plugin's service";
    return STEP_OK;
}

/* Kong rejects a plugin that could never run on its route (or on any
 * route of its service). */
static int check_plugin_protocols(crud_t *c, json_object *plugin)
{
    json_object *fields;
    const char *msg = NULL;
    int fits;

    if (plugin_fits_routes(c, plugin, &fits, &msg) != STEP_OK) {
        return STEP_ANSWERED;
    }
    if (fits) {
        return STEP_OK;
    }
    fields = gw_json_own(c->req->pool, json_object_new_object());
    json_object_object_add(fields, "protocols", json_object_new_string(msg));
    return fail_error(c, gw_error_schema(c->req->pool, fields));
}

/* A certificate's write carries its SNI names: taken out of input here,
 * written after it by finish_write. */
static int prepare_snis(crud_t *c, json_object *input, gw_op_e op,
                        json_object *existing, json_object **names)
{
    const char *key = c->t->key;
    const char *url_name =
        c->t->kind == GW_ADMIN_ENTITY && key && !gw_uuid_valid(key) ? key
                                                                    : NULL;
    gw_error_t *err;

    if (gw_admin_cert_before_write(
            names, &err, c->st, input, url_name, op == GW_OP_UPSERT,
            existing ? gw_json_str(existing, "id") : gw_json_str(input, "id"),
            c->req->pool)
        != APR_SUCCESS) {
        return fail_store(c);
    }
    return err ? fail_error(c, err) : STEP_OK;
}

/* Kong's ttl option: the row stops counting that many seconds from now. */
static int write_ttl(crud_t *c, const gw_entity_t *e, const char *id,
                     apr_int64_t ttl)
{
    if (ttl > 0 && gw_store_set_ttl(c->st, e, id, ttl) != APR_SUCCESS) {
        return fail_store(c);
    }
    return STEP_OK;
}

/* Validates, checks and stores; on success *out is the stored entity and
 * the transaction is still open. */
static int store_entity(crud_t *c, const gw_entity_t *e, gw_op_e op,
                        json_object *input, json_object *existing,
                        json_object **out)
{
    json_object *snis = NULL;
    apr_int64_t ttl = 0;
    gw_error_t *err;
    const char *id;

    if (resolve_foreign_keys(c, e, input) != STEP_OK) {
        return STEP_ANSWERED;
    }
    if ((e->flags & GW_E_TTL)
        && gw_entity_take_ttl(&ttl, &err, e, input, c->req->pool)
               != APR_SUCCESS) {
        return fail_error(c, err);
    }
    if (e == &gw_entity_certificates
        && prepare_snis(c, input, op, existing, &snis) != STEP_OK) {
        return STEP_ANSWERED;
    }
    if (gw_entity_prepare(out, &err, e, op, input, existing, apr_time_now(),
                          c->req->pool)
        != APR_SUCCESS) {
        return fail_error(c, err);
    }
    id = gw_json_str(*out, "id");
    if (e == &gw_entity_plugins && check_plugin_protocols(c, *out) != STEP_OK) {
        return STEP_ANSWERED;
    }
    if (op == GW_OP_INSERT) {
        json_object *dup;

        if (gw_store_select(&dup, c->st, e, "id", id) != APR_SUCCESS) {
            return fail_store(c);
        }
        if (dup) {
            json_object *key =
                gw_json_own(c->req->pool, json_object_new_object());

            json_object_object_add(key, "id", json_object_new_string(id));
            return fail_error(
                c, gw_error_dao(c->req->pool, GW_ERR_PRIMARY_KEY_VIOLATION,
                                apr_psprintf(c->req->pool,
                                             "primary key violation on key "
                                             "'{id=\"%s\"}'",
                                             id),
                                key));
        }
    }
    if (gw_store_check_write(&err, c->st, e, *out) != APR_SUCCESS) {
        return fail_store(c);
    }
    if (err) {
        return fail_error(c, err);
    }
    if (gw_store_write(c->st, e, *out, op != GW_OP_INSERT) != APR_SUCCESS) {
        return fail_store(c);
    }
    if (write_ttl(c, e, id, ttl) != STEP_OK) {
        return STEP_ANSWERED;
    }
    if (e == &gw_entity_certificates) {
        if (gw_admin_cert_after_write(&err, c->st, *out, snis, c->req->pool)
            != APR_SUCCESS) {
            return fail_store(c);
        }
        if (err) {
            return fail_error(c, err);
        }
    }
    *out = gw_entity_present(e, *out, c->req->pool);
    if (gw_store_event(c->st, c->req->node->node_id, "invalidations",
                       apr_pstrcat(c->req->pool, e->name, ":", id, NULL))
        != APR_SUCCESS) {
        return fail_store(c);
    }
    return STEP_OK;
}

static int commit_and_send(crud_t *c, int status, json_object *body)
{
    if (gw_store_commit(c->st) != APR_SUCCESS) {
        return fail_store(c);
    }
    c->in_tx = 0;
    c->answer = body ? gw_admin_send_json(c->req, status, body)
                     : gw_admin_send_empty(c->req, status);
    return STEP_ANSWERED;
}

/* ------------------------------------------------------------ list */

/* GET /consumers?custom_id=x: the one entity with that value, or none;
 * paging and filters do not apply. */
static int do_query_key(crud_t *c)
{
    const gw_entity_t *e = c->t->entity;
    json_object *v = gw_json_get(c->req->query, e->query_key);
    json_object *ent = NULL, *body, *data;

    if (!v || !json_object_is_type(v, json_type_string)
        || json_object_get_string_len(v) == 0) {
        return answered(c,
                        gw_admin_send_message(
                            c->req, HTTP_BAD_REQUEST,
                            apr_pstrcat(c->req->pool, e->query_key,
                                        " must be an unempty string", NULL)));
    }
    if (gw_store_select(&ent, c->st, e, e->query_key, json_object_get_string(v))
        != APR_SUCCESS) {
        return fail_store(c);
    }
    body = gw_json_own(c->req->pool, json_object_new_object());
    data = json_object_new_array();
    if (ent) {
        json_object_array_add(data, json_object_get(ent));
    }
    json_object_object_add(body, "data", data);
    json_object_object_add(body, "next", NULL);
    c->answer = gw_admin_send_json(c->req, HTTP_OK, body);
    return STEP_ANSWERED;
}

/* The decimal offset of a newest-per-key list (Kong's targets). */
static int decimal_offset(crud_t *c, const char *offset, int *skip)
{
    apr_int64_t n;

    if (!offset) {
        *skip = 0;
        return STEP_OK;
    }
    n = apr_atoi64(offset);
    if (!*offset || strspn(offset, "0123456789") != strlen(offset)
        || strlen(offset) > 9) {
        return fail_error(
            c, gw_page_offset_error(offset, "bad integer", c->req->pool));
    }
    *skip = (int)n;
    return STEP_OK;
}

static int do_list(crud_t *c)
{
    gw_admin_req_t *req = c->req;
    const gw_admin_target_t *t = c->t;
    const char *size_arg = gw_admin_query(req, "size", NULL);
    const char *offset = gw_admin_query(req, "offset", NULL);
    const char *tags_arg, *after, *next;
    gw_store_query_t q;
    gw_error_t *err;
    json_object *rows, *body, *parent = NULL;
    int tags_present;
    size_t i;

    memset(&q, 0, sizeof(q));
    if (t->kind == GW_ADMIN_COLLECTION && t->entity->query_key
        && gw_json_has(req->query, t->entity->query_key)) {
        return do_query_key(c);
    }
    if ((t->kind == GW_ADMIN_NESTED_COLLECTION
         || t->kind == GW_ADMIN_UPSTREAM_HEALTH)
        && (t->entity->flags & GW_E_NEWEST_PER_KEY)) {
        q.newest_per = t->entity->endpoint_key;
    }
    if (req->bad_query) {
        /* a tags filter with bytes that are not UTF-8 is a syntax error;
         * anything else undecodable is a bad request */
        if (req->r->args && ap_strstr_c(req->r->args, "tags=")) {
            return fail_error(
                c, gw_page_tags_error("invalid filter syntax", req->pool));
        }
        return fail_error(c, gw_error_plain(req->pool, HTTP_BAD_REQUEST,
                                            "Cannot parse query string"));
    }
    if (gw_page_size(&q.size, &err, size_arg, req->pool) != APR_SUCCESS
        || (offset && !q.newest_per
            && gw_page_offset_decode(&q.after, &err, offset, req->pool)
                   != APR_SUCCESS)) {
        return fail_error(c, err);
    }
    if (q.newest_per && decimal_offset(c, offset, &q.skip) != STEP_OK) {
        return STEP_ANSWERED;
    }
    tags_arg = gw_admin_query(req, "tags", &tags_present);
    if (t->kind == GW_ADMIN_COLLECTION
        && gw_page_tags(&q.tags, &q.tags_any, &err, tags_arg, tags_present,
                        req->pool)
               != APR_SUCCESS) {
        return fail_error(c, err);
    }
    if (t->kind == GW_ADMIN_NESTED_COLLECTION || t->kind == GW_ADMIN_NESTED_ALL
        || t->kind == GW_ADMIN_UPSTREAM_HEALTH) {
        if (load_parent(c, &parent) != STEP_OK) {
            return STEP_ANSWERED;
        }
        if (t->kind == GW_ADMIN_UPSTREAM_HEALTH
            && gw_admin_query(req, "balancer_health", NULL)) {
            c->answer = gw_admin_health_balancer(req, parent);
            return STEP_ANSWERED;
        }
        q.fk_column = apr_pstrcat(req->pool, t->fk->name, "_id", NULL);
        q.fk_value = gw_json_str(parent, "id");
    }
    if (gw_store_page(&rows, &after, c->st, t->entity, &q) != APR_SUCCESS) {
        return fail_store(c);
    }
    if (t->entity == &gw_entity_certificates
        && gw_admin_cert_decorate_list(c->st, rows) != APR_SUCCESS) {
        return fail_store(c);
    }
    for (i = 0; i < json_object_array_length(rows); i++) {
        json_object *row = json_object_array_get_idx(rows, i);
        json_object *shown = gw_entity_present(t->entity, row, req->pool);

        if (shown != row) {
            json_object_array_put_idx(rows, i, json_object_get(shown));
        }
    }
    body = gw_json_own(req->pool, json_object_new_object());
    if (t->kind == GW_ADMIN_UPSTREAM_HEALTH) {
        gw_admin_health_targets(req, parent, rows);
        json_object_object_add(body, "node_id",
                               json_object_new_string(req->node->node_id));
    }
    json_object_object_add(body, "data", json_object_get(rows));
    if (after) {
        const char *token =
            q.newest_per ? after : gw_page_offset_encode(after, req->pool);

        next = apr_pstrcat(req->pool, t->path,
                           "?offset=", gw_text_escape(token, req->pool), NULL);
        if (t->kind == GW_ADMIN_COLLECTION) {
            if (q.tags) {
                next = apr_pstrcat(req->pool, next, "&tags=",
                                   gw_text_escape(tags_arg, req->pool), NULL);
            }
            if (size_arg) {
                next = apr_psprintf(req->pool, "%s&size=%d", next, q.size);
            }
        }
        json_object_object_add(body, "offset", json_object_new_string(token));
        json_object_object_add(body, "next", json_object_new_string(next));
    }
    else {
        json_object_object_add(body, "next", NULL);
    }
    c->answer = gw_admin_send_json(req, HTTP_OK, body);
    return STEP_ANSWERED;
}

/* ------------------------------------------------------------ create */

static int do_create(crud_t *c)
{
    const gw_admin_target_t *t = c->t;
    json_object *input, *parent, *out;

    if (read_input(c, t->entity, &input) != STEP_OK || begin(c) != STEP_OK) {
        return STEP_ANSWERED;
    }
    if (t->kind == GW_ADMIN_NESTED_COLLECTION) {
        if (load_parent(c, &parent) != STEP_OK) {
            return STEP_ANSWERED;
        }
        force_parent(t, input, parent);
    }
    if (store_entity(c, t->entity, GW_OP_INSERT, input, NULL, &out)
        != STEP_OK) {
        return STEP_ANSWERED;
    }
    return commit_and_send(c, HTTP_CREATED, out);
}

/* ------------------------------------------------- read/update/delete */

/* Loads the addressed entity and, for nested paths, its parent; 404 when
 * the parent is absent or the entity belongs to another one. */
static int load_target(crud_t *c, json_object **ent, json_object **parent)
{
    const gw_admin_target_t *t = c->t;

    *parent = NULL;
    if (t->kind == GW_ADMIN_NESTED_ENTITY
        && load_parent(c, parent) != STEP_OK) {
        return STEP_ANSWERED;
    }
    if (lookup(c, t->entity, t->key, *parent, ent) != STEP_OK) {
        return STEP_ANSWERED;
    }
    if (*ent && *parent && !belongs_to(t, *ent, *parent)) {
        return not_found(c);
    }
    if (!*ent && t->entity == &gw_entity_certificates
        && t->kind == GW_ADMIN_ENTITY && !gw_uuid_valid(t->key)
        && strcmp(c->method, "PUT") != 0) {
        /* Kong: a name that is no SNI, whatever the method but PUT */
        return fail_error(c, gw_certificate_sni_not_found(c->req->pool));
    }
    return STEP_OK;
}

static int do_read(crud_t *c)
{
    json_object *ent, *parent;

    if (load_target(c, &ent, &parent) != STEP_OK) {
        return STEP_ANSWERED;
    }
    if (!ent) {
        return not_found(c);
    }
    if (decorate(c, c->t->entity, &ent) != STEP_OK) {
        return STEP_ANSWERED;
    }
    c->answer = gw_admin_send_json(c->req, HTTP_OK, ent);
    return STEP_ANSWERED;
}

static int do_update(crud_t *c);

static int do_upsert(crud_t *c)
{
    const gw_admin_target_t *t = c->t;
    const gw_entity_t *e = t->entity;
    json_object *input, *ent, *parent, *out;

    if (e->flags & GW_E_PUT_UPDATES) {
        return do_update(c);
    }
    if (read_input(c, e, &input) != STEP_OK || begin(c) != STEP_OK
        || load_target(c, &ent, &parent) != STEP_OK) {
        return STEP_ANSWERED;
    }
    if (gw_uuid_valid(t->key)) {
        json_object_object_add(input, "id", json_object_new_string(t->key));
    }
    else if (e == &gw_entity_certificates) {
        /* PUT /certificates/{sni}: that SNI's certificate, or a new one
         * that gets the name */
        json_object_object_add(
            input, "id",
            ent ? json_object_get(gw_json_get(ent, "id"))
                : json_object_new_string(gw_uuid_v4(c->req->pool)));
    }
    else if (gw_entity_endpoint_key(e, parent != NULL)) {
        json_object_object_add(input, gw_entity_endpoint_key(e, parent != NULL),
                               json_object_new_string(t->key));
        if (ent) {
            json_object_object_add(input, "id",
                                   json_object_get(gw_json_get(ent, "id")));
        }
    }
    else {
        return not_found(c);
    }
    if (parent) {
        force_parent(t, input, parent);
    }
    if (store_entity(c, e, GW_OP_UPSERT, input, ent, &out) != STEP_OK) {
        return STEP_ANSWERED;
    }
    return commit_and_send(c, HTTP_OK, out);
}

static int do_update(crud_t *c)
{
    const gw_admin_target_t *t = c->t;
    json_object *input, *ent, *parent, *out;

    if (read_input(c, t->entity, &input) != STEP_OK || begin(c) != STEP_OK
        || load_target(c, &ent, &parent) != STEP_OK) {
        return STEP_ANSWERED;
    }
    if (!ent) {
        return not_found(c);
    }
    /* the primary key of an entity never changes */
    json_object_object_add(input, "id",
                           json_object_get(gw_json_get(ent, "id")));
    if (parent) {
        force_parent(t, input, parent);
    }
    if (store_entity(c, t->entity, GW_OP_UPDATE, input, ent, &out) != STEP_OK) {
        return STEP_ANSWERED;
    }
    return commit_and_send(c, HTTP_OK, out);
}

static int do_delete(crud_t *c)
{
    const gw_admin_target_t *t = c->t;
    json_object *ent, *parent;
    gw_error_t *err;
    const char *id;
    int deleted;

    if (begin(c) != STEP_OK || load_target(c, &ent, &parent) != STEP_OK) {
        return STEP_ANSWERED;
    }
    if (!ent) {
        /* Kong: deleting what is not there succeeds, except through a
         * parent it cannot belong to */
        return t->kind == GW_ADMIN_NESTED_ENTITY
                   ? not_found(c)
                   : commit_and_send(c, HTTP_NO_CONTENT, NULL);
    }
    id = gw_json_str(ent, "id");
    if (gw_store_check_delete(&err, c->st, t->entity, id) != APR_SUCCESS) {
        return fail_store(c);
    }
    if (err) {
        return fail_error(c, err);
    }
    if (gw_store_delete(c->st, t->entity, id, &deleted) != APR_SUCCESS
        || gw_store_event(
               c->st, c->req->node->node_id, "invalidations",
               apr_pstrcat(c->req->pool, t->entity->name, ":", id, NULL))
               != APR_SUCCESS) {
        return fail_store(c);
    }
    return commit_and_send(c, HTTP_NO_CONTENT, NULL);
}

/* A DB-less node's entities change only through POST /config: Kong's 405
 * with the DAO's "operation unsupported" error. */
static int unsupported(crud_t *c, const char *method)
{
    const gw_entity_t *e = c->t->entity;
    const char *op = "create";

    if (c->t->kind == GW_ADMIN_PARENT) {
        e = c->t->parent;
    }
    if (strcmp(method, "PUT") == 0) {
        op = "create or update";
    }
    else if (strcmp(method, "PATCH") == 0) {
        op = "update";
    }
    else if (strcmp(method, "DELETE") == 0) {
        op = "remove";
    }
    return gw_admin_send_error(
        c->req, gw_error_dao(c->req->pool, GW_ERR_OPERATION_UNSUPPORTED,
                             apr_psprintf(c->req->pool,
                                          "cannot %s '%s' entities when not "
                                          "using a database",
                                          op, e->name),
                             NULL));
}

/* ---------------------------------------- /routes/{r}/service and such */

static int do_parent(crud_t *c, const char *method)
{
    const gw_admin_target_t *t = c->t;
    const gw_entity_t *child = t->entity, *pe = t->parent;
    json_object *ent, *pent = NULL, *input = NULL, *out, *link;
    const char *pid;

    if (strcmp(method, "GET") != 0) {
        if ((strcmp(method, "DELETE") != 0
             && read_input(c, pe, &input) != STEP_OK)
            || begin(c) != STEP_OK) {
            return STEP_ANSWERED;
        }
    }
    if (lookup(c, child, t->key, NULL, &ent) != STEP_OK) {
        return STEP_ANSWERED;
    }
    if (!ent) {
        return not_found(c);
    }
    pid = gw_json_str(gw_json_get(ent, t->fk->name), "id");
    if (pid && lookup(c, pe, pid, NULL, &pent) != STEP_OK) {
        return STEP_ANSWERED;
    }
    if (strcmp(method, "GET") == 0) {
        if (!pent) {
            return not_found(c);
        }
        if (decorate(c, pe, &pent) != STEP_OK) {
            return STEP_ANSWERED;
        }
        c->answer = gw_admin_send_json(c->req, HTTP_OK, pent);
        return STEP_ANSWERED;
    }
    if (strcmp(method, "DELETE") == 0) {
        return pent ? answered(c, gw_admin_send_message(c->req,
                                                        HTTP_METHOD_NOT_ALLOWED,
                                                        "Method not allowed"))
                    : not_found(c);
    }
    if (strcmp(method, "PATCH") == 0) {
        if (!pent) {
            return not_found(c);
        }
        json_object_object_add(input, "id", json_object_new_string(pid));
        if (store_entity(c, pe, GW_OP_UPDATE, input, pent, &out) != STEP_OK) {
            return STEP_ANSWERED;
        }
        return commit_and_send(c, HTTP_OK, out);
    }
    /* PUT: replace the linked entity, or create one and link it */
    json_object_object_add(
        input, "id",
        json_object_new_string(pid ? pid : gw_uuid_v4(c->req->pool)));
    if (store_entity(c, pe, GW_OP_UPSERT, input, pent, &out) != STEP_OK) {
        return STEP_ANSWERED;
    }
    if (!pent) {
        json_object *upd = gw_json_own(c->req->pool, json_object_new_object());

        force_parent(t, upd, out);
        if (store_entity(c, child, GW_OP_UPDATE, upd, ent, &link) != STEP_OK) {
            return STEP_ANSWERED;
        }
    }
    return commit_and_send(c, HTTP_OK, out);
}

int gw_admin_crud(gw_admin_req_t *req, const gw_admin_target_t *t,
                  const char *method)
{
    crud_t c;

    memset(&c, 0, sizeof(c));
    c.req = req;
    c.t = t;
    c.method = method;
    c.answer = OK;
    c.st = gw_admin_store(req);
    if (!c.st) {
        return gw_admin_send_store_failure(req);
    }
    if (c.st->mem && strcmp(method, "GET") != 0) {
        return unsupported(&c, method);
    }
    if (t->kind == GW_ADMIN_PARENT) {
        do_parent(&c, method);
    }
    else if (t->kind == GW_ADMIN_NESTED_ALL
             || t->kind == GW_ADMIN_UPSTREAM_HEALTH) {
        do_list(&c);
    }
    else if (t->kind == GW_ADMIN_COLLECTION
             || t->kind == GW_ADMIN_NESTED_COLLECTION) {
        if (strcmp(method, "GET") == 0) {
            do_list(&c);
        }
        else {
            do_create(&c);
        }
    }
    else if (strcmp(method, "GET") == 0) {
        do_read(&c);
    }
    else if (strcmp(method, "PUT") == 0) {
        do_upsert(&c);
    }
    else if (strcmp(method, "PATCH") == 0) {
        do_update(&c);
    }
    else {
        do_delete(&c);
    }
    if (c.in_tx) {
        gw_store_rollback(c.st);
    }
    return c.answer;
}
