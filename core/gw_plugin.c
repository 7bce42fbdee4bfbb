/*
 * gw_plugin: the registry of bundled plugins and what the Admin API says
 * about them. See gw_plugin.h; the schemas themselves are in the family
 * files gw_plugin_<family>.c.
 */
#include <string.h>

#include <apr_strings.h>

#include "gw_json.h"
#include "gw_plugin.h"
#include "gw_version.h"

/* sorted by name: /plugins/enabled and GET / list them in this order */
static const gw_plugin_t *const plugins[] = {
    &gw_plugin_acl,
    &gw_plugin_basic_auth,
    &gw_plugin_bot_detection,
    &gw_plugin_correlation_id,
    &gw_plugin_cors,
    &gw_plugin_file_log,
    &gw_plugin_hmac_auth,
    &gw_plugin_http_log,
    &gw_plugin_ip_restriction,
    &gw_plugin_jwt,
    &gw_plugin_key_auth,
    &gw_plugin_prometheus,
    &gw_plugin_proxy_cache,
    &gw_plugin_rate_limiting,
    &gw_plugin_request_size_limiting,
    &gw_plugin_request_termination,
    &gw_plugin_request_transformer,
    &gw_plugin_response_transformer,
    NULL,
};

static const char *const http_protocols[] = {"grpc", "grpcs", "http", "https",
                                             NULL};

const gw_field_t gw_plugin_http_protocol_element = {
    .name = "protocol", .type = GW_T_STRING, .one_of = http_protocols};
const gw_field_t gw_plugin_string_element = {.name = "value",
                                             .type = GW_T_STRING};
const gw_field_t gw_plugin_header_name_element =
    GW_PLUGIN_FIELD_HEADER_NAME("header");
const gw_field_t gw_plugin_ip_or_cidr_element = {
    .name = "ip", .type = GW_T_STRING, .check = gw_schema_check_ip_or_cidr};

const gw_plugin_t *gw_plugin_find(const char *name)
{
    const gw_plugin_t *const *pl;

    for (pl = plugins; name && *pl; pl++) {
        if (strcmp((*pl)->name, name) == 0) {
            return *pl;
        }
    }
    return NULL;
}

const gw_plugin_t *const *gw_plugin_all(void)
{
    return plugins;
}

const char *gw_plugin_version(const gw_plugin_t *pl)
{
    return pl->version ? pl->version : GW_KONG_COMPAT_VERSION;
}

int gw_plugin_scope_allowed(const gw_plugin_t *pl, const char *scope)
{
    const gw_field_t *f = gw_schema_field(pl->schema.fields, scope);

    return !f || !(f->flags & GW_F_NULL_ONLY);
}

const gw_field_t *gw_plugin_config_fields(const gw_plugin_t *pl)
{
    return gw_schema_field(pl->schema.fields, "config")->fields;
}

json_object *gw_plugin_describe(const gw_plugin_t *pl, apr_pool_t *p)
{
    return gw_schema_describe(pl->schema.fields, pl->schema.checks, p);
}

json_object *gw_plugin_describe_config(const gw_plugin_t *pl, apr_pool_t *p)
{
    return gw_schema_describe(gw_plugin_config_fields(pl), NULL, p);
}

json_object *gw_plugin_enabled_json(apr_pool_t *p)
{
    json_object *o = gw_json_own(p, json_object_new_object());
    json_object *names = json_object_new_array();
    const gw_plugin_t *const *pl;

    for (pl = plugins; *pl; pl++) {
        json_object_array_add(names, json_object_new_string((*pl)->name));
    }
    json_object_object_add(o, "enabled_plugins", names);
    return o;
}

json_object *gw_plugin_available_json(apr_pool_t *p)
{
    json_object *o = gw_json_own(p, json_object_new_object());
    const gw_plugin_t *const *pl;

    for (pl = plugins; *pl; pl++) {
        json_object *one = json_object_new_object();

        json_object_object_add(one, "version",
                               json_object_new_string(gw_plugin_version(*pl)));
        json_object_object_add(one, "priority",
                               json_object_new_int((*pl)->priority));
        json_object_object_add(o, (*pl)->name, one);
    }
    return o;
}

static int holds(json_object *set, const char *s)
{
    size_t i, n = json_object_array_length(set);

    for (i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(set, i);

        if (e && strcmp(json_object_get_string(e), s) == 0) {
            return 1;
        }
    }
    return 0;
}

int gw_plugin_protocols_match(const json_object *plugin,
                              const json_object *route)
{
    json_object *mine = gw_json_get(plugin, "protocols");
    json_object *theirs = gw_json_get(route, "protocols");
    size_t i, n;

    if (!mine || !theirs || !json_object_is_type(mine, json_type_array)
        || !json_object_is_type(theirs, json_type_array)) {
        return 1;
    }
    n = json_object_array_length(mine);
    for (i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(mine, i);

        if (e && holds(theirs, json_object_get_string(e))) {
            return 1;
        }
    }
    return 0;
}
