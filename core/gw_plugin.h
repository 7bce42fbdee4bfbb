/*
 * gw_plugin: the plugins the gateway knows, as data.
 *
 * Each plugin is one static gw_plugin_t: its name, its place in Kong's
 * execution order (priority), its version, and its schema in Kong's
 * shape: a subschema of the Plugin entity whose fields replace the
 * entity's `consumer` (when the plugin cannot be scoped to a consumer),
 * `protocols` (its own set and default) and `config` (its configuration
 * record), plus entity checks over "config.<member>" paths. The Plugin
 * entity (gw_entity_plugins) validates through that subschema; the Admin
 * API describes it at /schemas/plugins/{name}. The registry is static and
 * sorted by name; nothing here is allocated except descriptions, which
 * live in the caller's pool.
 */
#ifndef GW_PLUGIN_H
#define GW_PLUGIN_H

#include <apr_pools.h>
#include <json.h>

#include "gw_schema.h"

typedef struct gw_plugin_s {
    const char *name;      /* "key-auth" */
    int priority;          /* Kong 3.10's: higher runs first */
    const char *version;   /* NULL: GW_KONG_COMPAT_VERSION, as bundled */
    gw_subschema_t schema; /* fields: consumer?, protocols, config */
} gw_plugin_t;

/* The plugin called name, or NULL. */
const gw_plugin_t *gw_plugin_find(const char *name);

/* All plugins sorted by name, ended by NULL. */
const gw_plugin_t *const *gw_plugin_all(void);

/* pl's version string. */
const char *gw_plugin_version(const gw_plugin_t *pl);

/* Whether pl may be scoped to a "consumer", "service" or "route" (Kong's
 * typedefs.no_consumer & co. forbid it: the field must stay null). */
int gw_plugin_scope_allowed(const gw_plugin_t *pl, const char *scope);

/* The members of pl's config record. */
const gw_field_t *gw_plugin_config_fields(const gw_plugin_t *pl);

/* GET /schemas/plugins/{name}: pl's subschema as Kong shows it,
 * {"fields":[{"consumer":...}?,{"protocols":...},{"config":...}],
 *  "entity_checks":[...]}. Owned by p. */
json_object *gw_plugin_describe(const gw_plugin_t *pl, apr_pool_t *p);

/* GET /plugins/schema/{name} (deprecated): the config record alone,
 * {"fields":[...],"entity_checks":[]}. Owned by p. */
json_object *gw_plugin_describe_config(const gw_plugin_t *pl, apr_pool_t *p);

/* GET /plugins/enabled: {"enabled_plugins":["acl",...]}, sorted. Owned
 * by p. */
json_object *gw_plugin_enabled_json(apr_pool_t *p);

/* GET / plugins.available_on_server: {"acl":{"version":...,"priority":
 * 950},...}. Owned by p. */
json_object *gw_plugin_available_json(apr_pool_t *p);

/* Kong's check that a plugin on a route shares a protocol with it:
 * whether the plugin entity's and the route's protocols intersect (also
 * true when either has none). The Admin API answers a failure with
 * {"protocols":"must match the associated route's protocols"}. */
int gw_plugin_protocols_match(const json_object *plugin,
                              const json_object *route);

/* ---------------------------------------------- building plugin schemas */

/* Kong's typedefs.protocols (every protocol) and protocols_http (the
 * http subsystem's), both defaulting to the http subsystem's. */
#define GW_PLUGIN_HTTP_PROTOCOLS "[\"grpc\",\"grpcs\",\"http\",\"https\"]"
#define GW_PLUGIN_FIELD_PROTOCOLS_WITH(d, element)                     \
    {                                                                  \
        .name = "protocols", .type = GW_T_SET, .flags = GW_F_REQUIRED, \
        .dflt = d, .elements = element                                 \
    }
#define GW_PLUGIN_FIELD_PROTOCOLS                            \
    GW_PLUGIN_FIELD_PROTOCOLS_WITH(GW_PLUGIN_HTTP_PROTOCOLS, \
                                   &gw_schema_protocol_element)
#define GW_PLUGIN_FIELD_PROTOCOLS_HTTP                       \
    GW_PLUGIN_FIELD_PROTOCOLS_WITH(GW_PLUGIN_HTTP_PROTOCOLS, \
                                   &gw_plugin_http_protocol_element)
/* Kong's typedefs.no_consumer */
#define GW_PLUGIN_FIELD_NO_CONSUMER                                        \
    {                                                                      \
        .name = "consumer", .type = GW_T_FOREIGN, .flags = GW_F_NULL_ONLY, \
        .reference = "consumers"                                           \
    }
/* The config record: required, as Kong makes every record of an entity. */
#define GW_PLUGIN_FIELD_CONFIG(members, record_check)                  \
    {                                                                  \
        .name = "config", .type = GW_T_RECORD, .flags = GW_F_REQUIRED, \
        .fields = members, .check = record_check                       \
    }

extern const gw_field_t gw_plugin_http_protocol_element;

/* Members several plugins share (Kong's typedefs). */
#define GW_PLUGIN_FIELD_ANONYMOUS                \
    {                                            \
        .name = "anonymous", .type = GW_T_STRING \
    }
#define GW_PLUGIN_FIELD_REALM                \
    {                                        \
        .name = "realm", .type = GW_T_STRING \
    }
#define GW_PLUGIN_FIELD_BOOL(n, d)                                         \
    {                                                                      \
        .name = n, .type = GW_T_BOOLEAN, .flags = GW_F_REQUIRED, .dflt = d \
    }
/* typedefs.header_name */
#define GW_PLUGIN_FIELD_HEADER_NAME(n)                                       \
    {                                                                        \
        .name = n, .type = GW_T_STRING, .check = gw_schema_check_header_name \
    }

/* Element descriptions several plugins share. */
extern const gw_field_t gw_plugin_string_element;
extern const gw_field_t gw_plugin_header_name_element;
extern const gw_field_t gw_plugin_ip_or_cidr_element;

/* The bundled plugins, one per family file. */
extern const gw_plugin_t gw_plugin_acl;
extern const gw_plugin_t gw_plugin_basic_auth;
extern const gw_plugin_t gw_plugin_bot_detection;
extern const gw_plugin_t gw_plugin_correlation_id;
extern const gw_plugin_t gw_plugin_cors;
extern const gw_plugin_t gw_plugin_file_log;
extern const gw_plugin_t gw_plugin_hmac_auth;
extern const gw_plugin_t gw_plugin_http_log;
extern const gw_plugin_t gw_plugin_ip_restriction;
extern const gw_plugin_t gw_plugin_jwt;
extern const gw_plugin_t gw_plugin_key_auth;
extern const gw_plugin_t gw_plugin_prometheus;
extern const gw_plugin_t gw_plugin_proxy_cache;
extern const gw_plugin_t gw_plugin_rate_limiting;
extern const gw_plugin_t gw_plugin_request_size_limiting;
extern const gw_plugin_t gw_plugin_request_termination;
extern const gw_plugin_t gw_plugin_request_transformer;
extern const gw_plugin_t gw_plugin_response_transformer;

#endif
