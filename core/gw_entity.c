/*
 * gw_entity: entity registry and the write pipeline shared by every
 * source of configuration. See gw_entity.h.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "gw_entity.h"
#include "gw_json.h"
#include "gw_uuid.h"

/* parents before children: declarative loads and exports go in this
 * order (certificates before the services and upstreams that name them
 * as client_certificate; credentials after their consumers) */
static const gw_entity_t *const entities[] = {
    &gw_entity_certificates,
    &gw_entity_snis,
    &gw_entity_ca_certificates,
    &gw_entity_services,
    &gw_entity_routes,
    &gw_entity_consumers,
    &gw_entity_upstreams,
    &gw_entity_targets,
    &gw_entity_keyauth_credentials,
    &gw_entity_basicauth_credentials,
    &gw_entity_hmacauth_credentials,
    &gw_entity_jwt_secrets,
    &gw_entity_acls,
    &gw_entity_plugins,
    NULL,
};

const gw_entity_t *gw_entity_find(const char *name)
{
    const gw_entity_t *const *e;

    for (e = entities; *e; e++) {
        if (strcmp((*e)->name, name) == 0) {
            return *e;
        }
    }
    return NULL;
}

const char *gw_entity_path(const gw_entity_t *e)
{
    return e->path ? e->path : e->name;
}

const char *gw_entity_nested_path(const gw_entity_t *e)
{
    return e->nested_path ? e->nested_path : gw_entity_path(e);
}

const char *gw_entity_endpoint_key(const gw_entity_t *e, int nested)
{
    if (nested && !e->endpoint_key) {
        return e->nested_endpoint_key;
    }
    return e->endpoint_key;
}

const gw_entity_t *gw_entity_find_path(const char *path, int nested)
{
    const gw_entity_t *const *e;

    for (e = entities; *e; e++) {
        const char *own =
            nested ? gw_entity_nested_path(*e) : gw_entity_path(*e);

        if (strcmp(own, path) == 0) {
            return *e;
        }
    }
    return NULL;
}

const gw_entity_t *const *gw_entity_all(void)
{
    return entities;
}

const gw_field_t *gw_entity_foreign_to(const gw_entity_t *e,
                                       const gw_entity_t *parent)
{
    const gw_field_t *f;

    for (f = e->fields; f->name; f++) {
        if (f->type == GW_T_FOREIGN
            && strcmp(f->reference, parent->name) == 0) {
            return f;
        }
    }
    return NULL;
}

/* The subschema ent names; *msg gets Kong's message when it names none. */
static const gw_subschema_t *find_subschema(const gw_entity_t *e,
                                            const json_object *ent,
                                            const char **msg, apr_pool_t *p)
{
    json_object *key = gw_json_get(ent, e->subschema_key);
    const gw_subschema_t *sub;

    *msg = NULL;
    if (!key) {
        *msg = "required field missing";
        return NULL;
    }
    if (!json_object_is_type(key, json_type_string)) {
        *msg = "expected a string";
        return NULL;
    }
    sub = e->subschema(json_object_get_string(key));
    if (!sub) {
        /* the key where subschema_error says %s (not a format: the
         * compiler could not check it) */
        const char *at = strstr(e->subschema_error, "%s");

        *msg = at ? apr_pstrcat(
                   p,
                   apr_pstrndup(p, e->subschema_error,
                                (apr_size_t)(at - e->subschema_error)),
                   json_object_get_string(key), at + 2, NULL)
                  : e->subschema_error;
    }
    return sub;
}

const gw_field_t *gw_entity_fields(const gw_entity_t *e, const json_object *ent,
                                   apr_pool_t *p)
{
    const gw_subschema_t *sub;
    const char *msg;

    if (!e->subschema_key) {
        return e->fields;
    }
    sub = find_subschema(e, ent, &msg, p);
    return sub ? gw_schema_overlay(e->fields, sub->fields, p) : e->fields;
}

json_object *gw_entity_present(const gw_entity_t *e, json_object *ent,
                               apr_pool_t *p)
{
    const gw_subschema_t *sub;
    const char *msg;

    if (!e->subschema_key) {
        return ent;
    }
    sub = find_subschema(e, ent, &msg, p);
    if (!sub || !sub->present) {
        return ent;
    }
    ent = gw_json_copy(ent, p);
    sub->present(ent);
    return ent;
}

/* PATCH semantics: records are merged member by member, everything else
 * (arrays included) is replaced. */
static void merge_into(const gw_field_t *fields, json_object *dst,
                       json_object *src)
{
    json_object_object_foreach (src, key, val) {
        const gw_field_t *f = gw_schema_field(fields, key);
        json_object *cur = gw_json_get(dst, key);

        if (f && f->type == GW_T_RECORD && val && cur
            && json_object_is_type(val, json_type_object)
            && json_object_is_type(cur, json_type_object)) {
            merge_into(f->fields, cur, val);
            continue;
        }
        json_object_object_add(dst, key, json_object_get(val));
    }
}

/* A timestamp as f declares it: integer seconds, or (GW_T_NUMBER) seconds
 * with milliseconds, written the way Kong's JSON encoder writes them
 * (1700000000.12, not 1700000000.1199999). */
static json_object *timestamp(const gw_field_t *f, apr_time_t now,
                              apr_pool_t *p)
{
    apr_int64_t ms = (apr_int64_t)apr_time_as_msec(now);
    char *text, *end;

    if (f->type != GW_T_NUMBER || ms % 1000 == 0) {
        return json_object_new_int64(ms / 1000);
    }
    text = apr_psprintf(p, "%" APR_INT64_T_FMT ".%03d", ms / 1000,
                        (int)(ms % 1000));
    for (end = text + strlen(text) - 1; *end == '0'; end--) {
        *end = '\0';
    }
    return json_object_new_double_s((double)ms / 1000.0, text);
}

static void set_auto_fields(const gw_entity_t *e, gw_op_e op, json_object *ent,
                            apr_time_t now, apr_pool_t *p)
{
    const gw_field_t *f;

    for (f = e->fields; f->name; f++) {
        if (!(f->flags & GW_F_AUTO)) {
            continue;
        }
        if (strcmp(f->name, "id") == 0) {
            if (!gw_json_has(ent, "id")) {
                json_object_object_add(ent, "id",
                                       json_object_new_string(gw_uuid_v4(p)));
            }
        }
        else if (strcmp(f->name, "updated_at") == 0) {
            json_object_object_add(ent, "updated_at", timestamp(f, now, p));
        }
        else if (strcmp(f->name, "created_at") == 0
                 && !gw_json_get(ent, "created_at")) {
            /* PUT overwrites the whole row, so it gets a new created_at
             * unless the client supplies one, as in Kong */
            json_object_object_add(ent, "created_at", timestamp(f, now, p));
        }
        else if (f->type == GW_T_STRING && op != GW_OP_UPDATE
                 && !gw_json_has(ent, f->name)) {
            /* absent, not null: an explicit null stays null, as in Kong */
            json_object_object_add(
                ent, f->name, json_object_new_string(gw_uuid_random_key(p)));
        }
    }
}

apr_status_t gw_entity_prepare(json_object **out, gw_error_t **err,
                               const gw_entity_t *e, gw_op_e op,
                               json_object *input, const json_object *existing,
                               apr_time_t now, apr_pool_t *p)
{
    return gw_entity_prepare_ex(out, err, e, op, input, existing, now, 0, p);
}

apr_status_t gw_entity_prepare_ex(json_object **out, gw_error_t **err,
                                  const gw_entity_t *e, gw_op_e op,
                                  json_object *input,
                                  const json_object *existing, apr_time_t now,
                                  unsigned flags, apr_pool_t *p)
{
    gw_validation_t v;
    json_object *ent;
    const gw_field_t *f, *fields = e->fields;
    const gw_subschema_t *sub = NULL;

    *out = NULL;
    *err = NULL;
    gw_validation_init(&v, p);
    if (e->transform) {
        e->transform(e, input, &v);
    }
    if (e->subschema_key) {
        /* a PATCH without the key keeps the stored one */
        const json_object *named =
            op == GW_OP_UPDATE && existing
                    && !gw_json_has(input, e->subschema_key)
                ? existing
                : input;
        const char *msg;

        sub = find_subschema(e, named, &msg, p);
        if (!sub) {
            json_object *only = gw_json_own(p, json_object_new_object());

            json_object_object_add(only, e->subschema_key,
                                   json_object_new_string(msg));
            *err = gw_error_schema(p, only);
            return APR_EINVAL;
        }
        fields = gw_schema_overlay(e->fields, sub->fields, p);
        if (sub->transform) {
            sub->transform(input, &v);
        }
    }
    if (op == GW_OP_UPDATE && existing) {
        ent = gw_json_copy(existing, p);
        /* the client may not move an entity's identity or history */
        json_object_object_del(input, "created_at");
        merge_into(fields, ent, input);
    }
    else {
        ent = gw_json_copy(input, p);
        gw_schema_fill_defaults(fields, ent);
    }
    set_auto_fields(e, op, ent, now, p);
    if (e->complete) {
        e->complete(e, op, ent, op == GW_OP_UPDATE ? existing : NULL, &v, p);
    }
    gw_schema_check_record(&v, fields, e->checks, ent);
    if (sub) {
        gw_schema_check_entity(&v, fields, sub->checks, ent);
    }
    if (gw_validation_ok(&v) && e->on_write && !(flags & GW_PREPARE_RAW)) {
        e->on_write(e, op, ent, op == GW_OP_UPDATE ? existing : NULL, &v, p);
    }
    if (!gw_validation_ok(&v)) {
        *err = gw_error_schema(p, v.errors);
        return APR_EINVAL;
    }
    for (f = fields; f->name; f++) {
        if (f->flags & GW_F_TRANSIENT) {
            json_object_object_del(ent, f->name);
        }
    }
    *out = gw_entity_shape(e, ent, p);
    return APR_SUCCESS;
}

apr_status_t gw_entity_take_ttl(apr_int64_t *ttl, gw_error_t **err,
                                const gw_entity_t *e, json_object *input,
                                apr_pool_t *p)
{
    json_object *v = NULL, *opts;
    const char *why = NULL;
    double d = -1;

    *ttl = 0;
    *err = NULL;
    if (!input || !json_object_object_get_ex(input, "ttl", &v)) {
        return APR_SUCCESS;
    }
    if (json_object_is_type(v, json_type_int)
        || json_object_is_type(v, json_type_double)) {
        d = json_object_get_double(v);
    }
    else if (json_object_is_type(v, json_type_string)) {
        /* form bodies carry it as text */
        const char *s = json_object_get_string(v);
        char *end;

        d = *s ? strtod(s, &end) : -1;
        d = *s && !*end ? d : -1;
    }
    if (!(e->flags & GW_E_TTL)) {
        why = apr_psprintf(p, "cannot be used with '%s'", e->name);
    }
    else if (!(d >= 0 && d <= GW_ENTITY_MAX_TTL) /* NaN too */
             || d != (double)(apr_int64_t)d) {
        why = apr_psprintf(p, "must be an integer between 0 and %d",
                           GW_ENTITY_MAX_TTL);
    }
    if (why) {
        opts = gw_json_own(p, json_object_new_object());
        json_object_object_add(opts, "ttl", json_object_new_string(why));
        *err = gw_error_dao(p, GW_ERR_INVALID_OPTIONS,
                            apr_psprintf(p, "invalid option (ttl: %s)", why),
                            opts);
        return APR_EINVAL;
    }
    *ttl = (apr_int64_t)d;
    json_object_object_del(input, "ttl");
    return APR_SUCCESS;
}

json_object *gw_entity_shape(const gw_entity_t *e, json_object *row,
                             apr_pool_t *p)
{
    json_object *out = gw_json_own(p, json_object_new_object());
    const gw_field_t *f;

    for (f = gw_entity_fields(e, row, p); f->name; f++) {
        json_object *val = NULL;

        if (f->flags & GW_F_TRANSIENT) {
            continue;
        }
        if (!json_object_object_get_ex(row, f->name, &val)
            && !(f->flags & GW_F_AUTO)) {
            val = gw_json_own(p, gw_schema_default(f));
        }
        json_object_object_add(out, f->name, json_object_get(val));
    }
    return out;
}
