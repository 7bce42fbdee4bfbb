/*
 * gw_schema_describe: the /schemas representation of field schemas, in
 * the shape Kong's schema_to_jsonable() gives them. Declared in
 * gw_schema.h.
 */
#include <math.h>

#include <apr_strings.h>

#include "gw_json.h"
#include "gw_schema.h"

static const char *type_name(gw_type_e t)
{
    static const char *const names[] = {
        [GW_T_STRING] = "string",  [GW_T_INTEGER] = "integer",
        [GW_T_NUMBER] = "number",  [GW_T_BOOLEAN] = "boolean",
        [GW_T_ARRAY] = "array",    [GW_T_SET] = "set",
        [GW_T_MAP] = "map",        [GW_T_RECORD] = "record",
        [GW_T_FOREIGN] = "foreign"};

    return names[t];
}

static json_object *describe_field(const gw_field_t *f, apr_pool_t *p);

static json_object *number(double d)
{
    return d == floor(d) && fabs(d) < 9007199254740992.0
               ? json_object_new_int64((int64_t)d)
               : json_object_new_double(d);
}

static json_object *describe_fields(const gw_field_t *fields, apr_pool_t *p)
{
    json_object *arr = json_object_new_array();

    for (; fields && fields->name; fields++) {
        json_object *one = json_object_new_object();
        json_object *desc = describe_field(fields, p);

        /* Kong lists transient fields too (a certificate's snis), marked */
        if ((fields->flags & GW_F_TRANSIENT)
            && json_object_is_type(desc, json_type_object)) {
            json_object_object_add(desc, "transient",
                                   json_object_new_boolean(1));
        }
        json_object_object_add(one, fields->name, desc);
        json_object_array_add(arr, one);
    }
    return arr;
}

static json_object *describe_field(const gw_field_t *f, apr_pool_t *p)
{
    json_object *d = json_object_new_object();

    json_object_object_add(d, "type",
                           json_object_new_string(type_name(f->type)));
    if (f->flags & GW_F_REQUIRED) {
        json_object_object_add(d, "required", json_object_new_boolean(1));
    }
    if (f->flags & GW_F_UNIQUE) {
        json_object_object_add(d, "unique", json_object_new_boolean(1));
    }
    if (f->flags & GW_F_AUTO) {
        json_object_object_add(d, "auto", json_object_new_boolean(1));
    }
    if (f->flags & GW_F_UUID) {
        json_object_object_add(d, "uuid", json_object_new_boolean(1));
    }
    if (f->flags & GW_F_ABSTRACT) {
        json_object_object_add(d, "abstract", json_object_new_boolean(1));
    }
    if (f->flags & GW_F_NULL_ONLY) {
        json_object_object_add(d, "eq", NULL);
    }
    if (f->flags & GW_F_CASCADE) {
        json_object_object_add(d, "on_delete",
                               json_object_new_string("cascade"));
    }
    if (f->dflt) {
        json_object_object_add(d, "default", json_tokener_parse(f->dflt));
    }
    if (f->one_of) {
        json_object *list = json_object_new_array();
        const char *const *o;

        for (o = f->one_of; *o; o++) {
            json_object_array_add(list,
                                  f->type == GW_T_STRING
                                      ? json_object_new_string(*o)
                                      : json_object_new_int64(apr_atoi64(*o)));
        }
        json_object_object_add(d, "one_of", list);
    }
    if (f->has_gt) {
        json_object_object_add(d, "gt", number(f->gt));
    }
    if (f->has_between) {
        json_object *range = json_object_new_array();

        json_object_array_add(range, number(f->min));
        json_object_array_add(range, number(f->max));
        json_object_object_add(d, "between", range);
    }
    if (f->len_min) {
        json_object_object_add(d, "len_min", json_object_new_int(f->len_min));
    }
    if (f->starts_with) {
        json_object_object_add(d, "starts_with",
                               json_object_new_string(f->starts_with));
    }
    if (f->type == GW_T_FOREIGN) {
        json_object_object_add(d, "reference",
                               json_object_new_string(f->reference));
    }
    if (f->elements) {
        json_object_object_add(d, f->type == GW_T_MAP ? "values" : "elements",
                               describe_field(f->elements, p));
    }
    if (f->keys) {
        json_object_object_add(d, "keys", describe_field(f->keys, p));
    }
    if (f->type == GW_T_RECORD) {
        json_object_object_add(d, "fields", describe_fields(f->fields, p));
    }
    return d;
}

static json_object *describe_match(const gw_schema_match_t *m)
{
    json_object *o = json_object_new_object();

    if (m->eq) {
        json_object_object_add(o, "eq", json_object_new_string(m->eq));
    }
    if (m->match) {
        json_object_object_add(o, "match", json_object_new_string(m->match));
    }
    if (m->has_gt) {
        json_object_object_add(o, "gt", number(m->gt));
    }
    if (m->contains) {
        json_object_object_add(o, "contains",
                               json_object_new_string(m->contains));
    }
    if (m->required) {
        json_object_object_add(o, "required", json_object_new_boolean(1));
    }
    if (m->one_of) {
        json_object *list = json_object_new_array();
        const char *const *v;

        for (v = m->one_of; *v; v++) {
            json_object_array_add(list, json_object_new_string(*v));
        }
        json_object_object_add(o, "one_of", list);
    }
    return o;
}

static json_object *describe_conditional(const gw_conditional_t *c)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "if_field", json_object_new_string(c->if_field));
    json_object_object_add(o, "if_match", describe_match(&c->if_match));
    json_object_object_add(o, "then_field",
                           json_object_new_string(c->then_field));
    json_object_object_add(o, "then_match", describe_match(&c->then_match));
    return o;
}

json_object *gw_schema_describe(const gw_field_t *fields,
                                const gw_entity_check_t *checks, apr_pool_t *p)
{
    json_object *o = gw_json_own(p, json_object_new_object());
    json_object *list = json_object_new_array();
    static const char *const kinds[] = {
        [GW_CHECK_AT_LEAST_ONE_OF] = "at_least_one_of",
        [GW_CHECK_ONLY_ONE_OF] = "only_one_of",
        [GW_CHECK_MUTUALLY_REQUIRED] = "mutually_required",
        [GW_CHECK_DISTINCT] = "distinct",
        [GW_CHECK_CONDITIONAL] = "conditional"};

    json_object_object_add(o, "fields", describe_fields(fields, p));
    for (; checks && (checks->fields || checks->fn || checks->conditional);
         checks++) {
        json_object *c, *names;
        const char *const *n;

        /* a check written in C has nothing to show (Kong drops its
         * function too) */
        if (checks->kind == GW_CHECK_CUSTOM) {
            continue;
        }
        c = json_object_new_object();
        if (checks->kind == GW_CHECK_CONDITIONAL) {
            names = describe_conditional(checks->conditional);
        }
        else {
            names = json_object_new_array();
            for (n = checks->fields; *n; n++) {
                json_object_array_add(names, json_object_new_string(*n));
            }
        }
        json_object_object_add(c, kinds[checks->kind], names);
        json_object_array_add(list, c);
    }
    json_object_object_add(o, "entity_checks", list);
    return o;
}
