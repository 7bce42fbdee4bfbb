/*
 * gw_entity_plugin: the Plugin entity (reference §2.4): one configured
 * instance of a plugin, global or scoped to a route, a service, a
 * consumer or a combination of them.
 *
 * Its `config` is abstract: the plugin that `name` designates supplies
 * it, with its `protocols` and its `consumer` rule, as a Kong subschema
 * (gw_plugin.h). gw_entity_prepare() resolves that subschema before
 * anything else, so defaults, PATCH merges of config member by member,
 * validation and error paths ("config.minute") all follow the plugin's
 * own fields.
 */
#include "gw_entity.h"
#include "gw_plugin.h"

#define GW_SCOPE_FIELD(n, table)                                \
    {                                                           \
        .name = n, .type = GW_T_FOREIGN, .flags = GW_F_CASCADE, \
        .reference = table                                      \
    }

/* in Kong's order */
static const gw_field_t plugin_fields[] = {
    GW_FIELD_ID,
    {.name = "name", .type = GW_T_STRING, .flags = GW_F_REQUIRED},
    GW_FIELD_UNIQUE_NAME("instance_name"),
    GW_FIELDS_TIMESTAMPS,
    GW_SCOPE_FIELD("route", "routes"),
    GW_SCOPE_FIELD("service", "services"),
    GW_SCOPE_FIELD("consumer", "consumers"),
    {.name = "config", .type = GW_T_RECORD, .flags = GW_F_ABSTRACT},
    GW_PLUGIN_FIELD_PROTOCOLS,
    {.name = "enabled",
     .type = GW_T_BOOLEAN,
     .flags = GW_F_REQUIRED,
     .dflt = "true"},
    GW_FIELD_TAGS,
    {NULL}};

static const gw_subschema_t *plugin_subschema(const char *name)
{
    const gw_plugin_t *pl = gw_plugin_find(name);

    return pl ? &pl->schema : NULL;
}

const gw_entity_t gw_entity_plugins = {
    .name = "plugins",
    .singular = "plugin",
    .endpoint_key = "instance_name",
    .fields = plugin_fields,
    /* Kong's cache_key: one instance of a plugin per scope */
    .unique_together =
        (const char *const[]){"name", "route", "service", "consumer", NULL},
    .subschema_key = "name",
    .subschema = plugin_subschema,
    .subschema_error = "plugin '%s' not enabled; add it to the 'plugins' "
                       "configuration property",
};
