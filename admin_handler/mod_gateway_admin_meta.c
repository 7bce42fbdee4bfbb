/*
 * mod_gateway_admin_meta: endpoints about the API. See
 * mod_gateway_admin_meta.h.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include <http_protocol.h>

#include "gw_entity.h"
#include "gw_json.h"
#include "gw_page.h"
#include "gw_text.h"
#include "mod_gateway_admin_body.h"
#include "mod_gateway_admin_meta.h"

static void add_path(apr_array_header_t *paths, const char *path)
{
    *(const char **)apr_array_push(paths) = path;
}

/* Kong sorts segment-wise: '/' below every other byte. */
static int path_cmp(const void *a, const void *b)
{
    const unsigned char *x = *(const unsigned char *const *)a;
    const unsigned char *y = *(const unsigned char *const *)b;

    for (; *x && *x == *y; x++, y++) {
    }
    if (*x == '/' || *y == '/') {
        return *x == '/' ? (*y == '/' ? 0 : (*y ? -1 : 1)) : (*x ? 1 : -1);
    }
    return (int)*x - (int)*y;
}

int gw_admin_meta_endpoints(gw_admin_req_t *req)
{
    apr_pool_t *p = req->pool;
    apr_array_header_t *paths = apr_array_make(p, 32, sizeof(char *));
    const gw_entity_t *const *e, *const *c;
    json_object *body, *data;
    int i;

    add_path(paths, "/");
    add_path(paths, "/status");
    add_path(paths, "/endpoints");
    add_path(paths, "/config");
    add_path(paths, "/plugins/enabled");
    add_path(paths, "/tags");
    add_path(paths, "/tags/{tags}");
    add_path(paths, "/upstreams/{upstreams}/health");
    add_path(paths, "/schemas/{db_entity_name}");
    add_path(paths, "/schemas/{db_entity_name}/validate");
    add_path(paths, "/schemas/plugins/{name}");
    add_path(paths, "/plugins/schema/{name}");
    for (e = gw_entity_all(); *e; e++) {
        const gw_field_t *f;
        const char *path = gw_entity_path(*e);
        const char *one = apr_psprintf(p, "/%s/{%s}", path, path);

        if (!((*e)->flags & GW_E_NESTED_ONLY)) {
            add_path(paths, apr_pstrcat(p, "/", path, NULL));
            add_path(paths, one);
        }
        for (f = (*e)->fields; f->name; f++) {
            if (!((*e)->flags & GW_E_NESTED_ONLY) && f->type == GW_T_FOREIGN
                && gw_entity_find(f->reference)) {
                add_path(paths, apr_pstrcat(p, one, "/", f->name, NULL));
            }
        }
        for (c = gw_entity_all(); *c; c++) {
            if (gw_entity_foreign_to(*c, *e)) {
                const char *sub = gw_entity_nested_path(*c);

                add_path(paths, apr_psprintf(p, "%s/%s", one, sub));
                add_path(paths, apr_psprintf(p, "%s/%s/{%s}", one, sub,
                                             gw_entity_path(*c)));
                if ((*c)->flags & GW_E_NEWEST_PER_KEY) {
                    add_path(paths, apr_psprintf(p, "%s/%s/all", one, sub));
                }
            }
        }
    }
    qsort(paths->elts, (size_t)paths->nelts, sizeof(char *), path_cmp);
    body = gw_json_own(p, json_object_new_object());
    data = json_object_new_array();
    for (i = 0; i < paths->nelts; i++) {
        json_object_array_add(
            data, json_object_new_string(((const char **)paths->elts)[i]));
    }
    json_object_object_add(body, "data", data);
    return gw_admin_send_json(req, HTTP_OK, body);
}

int gw_admin_meta_schema(gw_admin_req_t *req, const char *entity)
{
    const gw_entity_t *e = gw_entity_find(entity);

    if (!e) {
        return gw_admin_send_message(
            req, HTTP_NOT_FOUND,
            apr_psprintf(req->pool, "No entity named '%s'", entity));
    }
    return gw_admin_send_json(
        req, HTTP_OK, gw_schema_describe(e->fields, e->checks, req->pool));
}

int gw_admin_meta_validate(gw_admin_req_t *req, const char *entity)
{
    const gw_entity_t *e = gw_entity_find(entity);
    json_object *input, *out;
    gw_error_t *err;
    int is_form;

    if (!e) {
        return gw_admin_send_message(
            req, HTTP_NOT_FOUND,
            apr_psprintf(req->pool, "No entity named '%s'", entity));
    }
    err = gw_admin_body_read(req, &input, &is_form);
    if (err) {
        return gw_admin_send_error(req, err);
    }
    if (is_form) {
        gw_schema_coerce(gw_entity_fields(e, input, req->pool), input);
    }
    if (gw_entity_prepare(&out, &err, e, GW_OP_INSERT, input, NULL,
                          apr_time_now(), req->pool)
        != APR_SUCCESS) {
        return gw_admin_send_error(req, err);
    }
    return gw_admin_send_message(req, HTTP_OK, "schema validation successful");
}

int gw_admin_meta_config(gw_admin_req_t *req)
{
    return gw_admin_send_message(req, HTTP_BAD_REQUEST,
                                 "this endpoint is only available when Kong "
                                 "is configured to not use a database");
}

/* /tags offsets carry the last (entity_id, tag) pair. */
static const char *tags_offset(const char *id, const char *tag, apr_pool_t *p)
{
    json_object *arr = gw_json_own(p, json_object_new_array());
    const char *text;

    json_object_array_add(arr, json_object_new_string(id));
    json_object_array_add(arr, json_object_new_string(tag));
    text = gw_json_text(arr, p);
    return gw_text_b64url_encode((const unsigned char *)text, strlen(text), p);
}

static gw_error_t *tags_offset_decode(const char **id, const char **tag,
                                      const char *token, apr_pool_t *p)
{
    apr_size_t len;
    unsigned char *raw = gw_text_b64url_decode(token, &len, p);
    json_object *arr;

    if (!raw || !*token) {
        return gw_page_offset_error(token, "bad base64 encoding", p);
    }
    if (gw_json_parse(&arr, NULL, (const char *)raw, len, p) != APR_SUCCESS
        || !arr || !json_object_is_type(arr, json_type_array)
        || json_object_array_length(arr) != 2
        || !json_object_is_type(json_object_array_get_idx(arr, 0),
                                json_type_string)
        || !json_object_is_type(json_object_array_get_idx(arr, 1),
                                json_type_string)) {
        return gw_page_offset_error(token, "bad json encoding", p);
    }
    *id = json_object_get_string(json_object_array_get_idx(arr, 0));
    *tag = json_object_get_string(json_object_array_get_idx(arr, 1));
    return NULL;
}

int gw_admin_meta_tags(gw_admin_req_t *req, const char *tag)
{
    const char *offset = gw_admin_query(req, "offset", NULL);
    const char *after_id = NULL, *after_tag = NULL, *next_id, *next_tag;
    const char *why, *next;
    json_object *rows, *body;
    gw_error_t *err;
    gw_store_t *st;
    int size;

    if (tag
        && (why = gw_schema_check_tag(
                gw_json_own(req->pool, json_object_new_string(tag)),
                req->pool))) {
        return gw_admin_send_message(
            req, HTTP_BAD_REQUEST,
            apr_pstrcat(req->pool, "invalid tag: ", why, NULL));
    }
    if (gw_page_size(&size, &err, gw_admin_query(req, "size", NULL), req->pool)
            != APR_SUCCESS
        || (offset
            && (err = tags_offset_decode(&after_id, &after_tag, offset,
                                         req->pool)))) {
        return gw_admin_send_error(req, err);
    }
    if (!(st = gw_admin_store(req))
        || gw_store_tags(&rows, &next_id, &next_tag, st, tag, size, after_id,
                         after_tag)
               != APR_SUCCESS) {
        return gw_admin_send_store_failure(req);
    }
    body = gw_json_own(req->pool, json_object_new_object());
    json_object_object_add(body, "data", json_object_get(rows));
    if (next_id) {
        const char *token = tags_offset(next_id, next_tag, req->pool);

        next =
            apr_pstrcat(req->pool,
                        tag ? apr_pstrcat(req->pool, "/tags/",
                                          gw_text_escape(tag, req->pool), NULL)
                            : "/tags",
                        "?offset=", gw_text_escape(token, req->pool), NULL);
        json_object_object_add(body, "offset", json_object_new_string(token));
        json_object_object_add(body, "next", json_object_new_string(next));
    }
    else {
        json_object_object_add(body, "next", NULL);
    }
    return gw_admin_send_json(req, HTTP_OK, body);
}
