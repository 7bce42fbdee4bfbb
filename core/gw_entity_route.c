/*
 * gw_entity_route: the Route entity (reference §2.2): the rules that
 * match a request (protocols, methods, hosts, paths, headers, snis) and
 * how it is forwarded to its service (strip_path, preserve_host, ...).
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "gw_entity.h"
#include "gw_json.h"
#include "gw_text.h"
#include "gw_upath.h"

static const char *const path_handlings[] = {"v0", "v1", NULL};
static const char *const redirect_codes[] = {"426", "301", "302",
                                             "307", "308", NULL};

/* protocols that cannot be mixed in one route */
static const char *const *const protocol_subsets[] = {
    (const char *const[]){"http", "https", NULL},
    (const char *const[]){"tcp", "tls", "udp", NULL},
    (const char *const[]){"tls_passthrough", NULL},
    (const char *const[]){"grpc", "grpcs", NULL}, NULL};

static const char *check_protocol_set(json_object *v, apr_pool_t *p)
{
    size_t i, n = json_object_array_length(v);
    int s, used[8] = {0}, count = 0;
    const char *msg = NULL;

    for (i = 0; i < n; i++) {
        const char *proto =
            json_object_get_string(json_object_array_get_idx(v, i));

        for (s = 0; protocol_subsets[s]; s++) {
            if (gw_text_in_list(proto, protocol_subsets[s]) && !used[s]) {
                used[s] = 1;
                count++;
            }
        }
    }
    if (count < 2) {
        return NULL;
    }
    /* Kong names the sets the route mixes, in the schema's order */
    for (s = 0; protocol_subsets[s]; s++) {
        const char *const *e;
        const char *set = NULL;

        if (!used[s]) {
            continue;
        }
        for (e = protocol_subsets[s]; *e; e++) {
            const char *q = apr_pstrcat(p, "'", *e, "'", NULL);

            set = set ? apr_pstrcat(p, set, ", ", q, NULL) : q;
        }
        set = apr_pstrcat(p, "(", set, ")", NULL);
        msg = msg ? apr_pstrcat(p, msg, ", ", set, NULL) : set;
    }
    return apr_pstrcat(p, "these sets are mutually exclusive: ", msg, NULL);
}

static const char *check_wildcard_host(json_object *v, apr_pool_t *p)
{
    const char *s = json_object_get_string(v);
    const char *star = strchr(s, '*');
    json_object *plain;
    char *copy;

    if (star) {
        apr_size_t len = strlen(s);
        const char *colon = strrchr(s, ':');
        apr_size_t hostlen =
            colon && !strchr(s, '[') ? (apr_size_t)(colon - s) : len;

        if (strchr(star + 1, '*')) {
            return "invalid wildcard: must have at most one wildcard";
        }
        if (!((star == s && s[1] == '.')
              || (star == s + hostlen - 1 && hostlen > 1 && star[-1] == '.'))) {
            return "invalid wildcard: must be placed at leftmost or "
                   "rightmost label";
        }
        copy = apr_pstrdup(p, s);
        copy[star - s] = 'x';
        plain = gw_json_own(p, json_object_new_string(copy));
        return gw_schema_check_host_port(plain, p)
                   ? apr_pstrcat(p, "invalid value: ", s, NULL)
                   : NULL;
    }
    return gw_schema_check_host_port(v, p);
}

static const char *check_route_path(json_object *v, apr_pool_t *p)
{
    const char *s = json_object_get_string(v);
    const char *err, *normalized = NULL;

    if (strncmp(s, "/", 1) != 0 && strncmp(s, "~/", 2) != 0) {
        return "should start with: / (fixed path) or ~/ (regex path)";
    }
    if (strstr(s, "//")) {
        return "must not have empty segments";
    }
    if (s[0] == '~') {
        err = gw_schema_regex_error(s + 1, p);
        return err ? apr_psprintf(p, "invalid regex: '%s' (PCRE returned: %s)",
                                  s + 1, err)
                   : NULL;
    }
    err = gw_schema_check_path(v, p);
    if (err) {
        return err;
    }
    /* a prefix is compared with normalised request paths, so one that is
     * not normalised itself could never match */
    if (gw_upath_normalize(&normalized, p, s) != APR_SUCCESS
        || strcmp(normalized, s) != 0) {
        return apr_psprintf(p, "non-normalized path, consider use '%s' instead",
                            normalized ? normalized : s);
    }
    return NULL;
}

static const char *check_route_header_name(json_object *v, apr_pool_t *p)
{
    if (strcasecmp(json_object_get_string(v), "host") == 0) {
        return "cannot contain 'host' header, which must be specified in "
               "the 'hosts' attribute";
    }
    return gw_schema_check_header_name(v, p);
}

static const char *check_sni(json_object *v, apr_pool_t *p)
{
    const char *s = json_object_get_string(v);

    /* an SNI is a name, possibly with one wildcard label (checked as a
     * host): no IP address, no port */
    if (strchr(s, ':') || strspn(s, "0123456789.") == strlen(s)
        || check_wildcard_host(v, p)) {
        return apr_pstrcat(p, "invalid value: ", s, NULL);
    }
    return NULL;
}

static const gw_field_t method_element = {.name = "method",
                                          .type = GW_T_STRING,
                                          .check = gw_schema_check_http_method};
static const gw_field_t host_element = {
    .name = "host", .type = GW_T_STRING, .check = check_wildcard_host};
static const gw_field_t path_element = {
    .name = "path", .type = GW_T_STRING, .check = check_route_path};
static const gw_field_t sni_element = {
    .name = "sni", .type = GW_T_STRING, .check = check_sni};
static const gw_field_t header_name = {
    .name = "name", .type = GW_T_STRING, .check = check_route_header_name};
static const gw_field_t header_value = {
    .name = "value", .type = GW_T_STRING, .flags = GW_F_EMPTY_OK};
static const gw_field_t header_values = {
    .name = "values", .type = GW_T_ARRAY, .elements = &header_value};
static const gw_field_t endpoint_fields[] = {
    {.name = "ip", .type = GW_T_STRING, .check = gw_schema_check_ip_or_cidr},
    {.name = "port",
     .type = GW_T_INTEGER,
     .has_between = 1,
     .min = 0,
     .max = 65535},
    {NULL}};
static const gw_entity_check_t endpoint_checks[] = {
    {.kind = GW_CHECK_AT_LEAST_ONE_OF,
     .fields = (const char *const[]){"ip", "port", NULL}},
    {0}};
static const gw_field_t endpoint_element = {.name = "endpoint",
                                            .type = GW_T_RECORD,
                                            .flags = GW_F_NULL_RECORD,
                                            .fields = endpoint_fields,
                                            .checks = endpoint_checks};

static const gw_field_t route_fields[] = {
    GW_FIELDS_ID_AND_TIMESTAMPS,
    GW_FIELD_UNIQUE_NAME("name"),
    {.name = "protocols",
     .type = GW_T_SET,
     .flags = GW_F_REQUIRED,
     .dflt = "[\"http\",\"https\"]",
     .elements = &gw_schema_protocol_element,
     .len_min = 1,
     .check = check_protocol_set},
    {.name = "methods", .type = GW_T_SET, .elements = &method_element},
    {.name = "hosts", .type = GW_T_ARRAY, .elements = &host_element},
    {.name = "paths", .type = GW_T_ARRAY, .elements = &path_element},
    {.name = "headers",
     .type = GW_T_MAP,
     .keys = &header_name,
     .elements = &header_values},
    {.name = "https_redirect_status_code",
     .type = GW_T_INTEGER,
     .flags = GW_F_REQUIRED,
     .dflt = "426",
     .one_of = redirect_codes},
    {.name = "regex_priority", .type = GW_T_INTEGER, .dflt = "0"},
    {.name = "strip_path", .type = GW_T_BOOLEAN, .dflt = "true"},
    {.name = "path_handling",
     .type = GW_T_STRING,
     .dflt = "\"v0\"",
     .one_of = path_handlings},
    {.name = "preserve_host", .type = GW_T_BOOLEAN, .dflt = "false"},
    {.name = "request_buffering",
     .type = GW_T_BOOLEAN,
     .flags = GW_F_REQUIRED,
     .dflt = "true"},
    {.name = "response_buffering",
     .type = GW_T_BOOLEAN,
     .flags = GW_F_REQUIRED,
     .dflt = "true"},
    {.name = "snis", .type = GW_T_SET, .elements = &sni_element},
    {.name = "sources", .type = GW_T_SET, .elements = &endpoint_element},
    {.name = "destinations", .type = GW_T_SET, .elements = &endpoint_element},
    GW_FIELD_TAGS,
    {.name = "service", .type = GW_T_FOREIGN, .reference = "services"},
    {NULL}};

static int has_values(json_object *route, const char *field)
{
    json_object *v = gw_json_get(route, field);

    if (!v) {
        return 0;
    }
    if (json_object_is_type(v, json_type_array)) {
        return json_object_array_length(v) > 0;
    }
    if (json_object_is_type(v, json_type_object)) {
        return json_object_object_length(v) > 0;
    }
    return 1;
}

static int has_protocol(json_object *route, const char *const *which)
{
    json_object *protos = gw_json_get(route, "protocols");
    size_t i, n;

    if (!protos || !json_object_is_type(protos, json_type_array)) {
        return 0;
    }
    n = json_object_array_length(protos);
    for (i = 0; i < n; i++) {
        if (gw_text_in_list(
                json_object_get_string(json_object_array_get_idx(protos, i)),
                which)) {
            return 1;
        }
    }
    return 0;
}

static void forbid(gw_validation_t *v, json_object *route,
                   const char *const *fields, const char *when)
{
    for (; *fields; fields++) {
        if (has_values(route, *fields) && !gw_validation_failed(v, *fields)) {
            gw_validation_field_error(
                v, *fields,
                apr_psprintf(v->pool, "cannot set '%s' when 'protocols' is %s",
                             *fields, when));
        }
    }
}

static void require_one(gw_validation_t *v, json_object *route,
                        const char *const *fields, const char *list,
                        const char *when)
{
    for (; *fields; fields++) {
        if (has_values(route, *fields)) {
            return;
        }
    }
    gw_validation_entity_error(
        v, apr_psprintf(v->pool, "must set one of %s when 'protocols' is %s",
                        list, when));
}

/* Kong's per-protocol route subschemas, as entity checks. */
static void check_by_protocol(gw_validation_t *v, json_object *route)
{
    static const char *const http[] = {"http", NULL};
    static const char *const https[] = {"https", NULL};
    static const char *const grpc[] = {"grpc", "grpcs", NULL};
    static const char *const grpcs[] = {"grpcs", NULL};
    static const char *const stream[] = {"tcp", "tls", "udp", NULL};
    static const char *const passthrough[] = {"tls_passthrough", NULL};
    static const char *const tls_like[] = {"grpcs", "https", "tls",
                                           "tls_passthrough", NULL};
    static const char *const http_attrs[] = {"methods", "hosts", "headers",
                                             "paths", NULL};
    static const char *const https_attrs[] = {"methods", "hosts", "headers",
                                              "paths",   "snis",  NULL};
    static const char *const grpc_attrs[] = {"hosts", "headers", "paths", NULL};
    static const char *const grpcs_attrs[] = {"hosts", "headers", "paths",
                                              "snis", NULL};
    static const char *const stream_attrs[] = {"sources", "destinations",
                                               "snis", NULL};
    static const char *const endpoints[] = {"sources", "destinations", NULL};
    static const char *const grpc_forbidden[] = {"methods", "sources",
                                                 "destinations", NULL};
    static const char *const stream_forbidden[] = {"methods", "hosts", "paths",
                                                   "headers", NULL};
    const char *stream_when = "'tcp', 'tls', 'tls_passthrough' or 'udp'";

    if (gw_validation_failed(v, "protocols")) {
        return;
    }
    if (has_values(route, "snis") && !has_protocol(route, tls_like)
        && !gw_validation_failed(v, "snis")) {
        gw_validation_entity_error(v, "'snis' can only be set when "
                                      "'protocols' is 'grpcs', 'https', "
                                      "'tls' or 'tls_passthrough'");
        gw_validation_field_error(v, "snis", "length must be 0");
    }
    if (has_protocol(route, https)) {
        forbid(v, route, endpoints, "'http' or 'https'");
        require_one(v, route, https_attrs,
                    "'methods', 'hosts', 'headers', 'paths', 'snis'",
                    "'https'");
    }
    else if (has_protocol(route, http)) {
        forbid(v, route, endpoints, "'http' or 'https'");
        require_one(v, route, http_attrs,
                    "'methods', 'hosts', 'headers', 'paths'", "'http'");
    }
    else if (has_protocol(route, grpc)) {
        forbid(v, route, grpc_forbidden, "'grpc' or 'grpcs'");
        if (json_object_get_boolean(gw_json_get(route, "strip_path"))) {
            gw_validation_field_error(v, "strip_path",
                                      "cannot set 'strip_path' when "
                                      "'protocols' is 'grpc' or 'grpcs'");
        }
        if (has_protocol(route, grpcs)) {
            require_one(v, route, grpcs_attrs,
                        "'hosts', 'headers', 'paths', 'snis'", "'grpcs'");
        }
        else {
            require_one(v, route, grpc_attrs, "'hosts', 'headers', 'paths'",
                        "'grpc'");
        }
    }
    else if (has_protocol(route, passthrough)) {
        forbid(v, route, stream_forbidden, stream_when);
        if (!has_values(route, "snis")) {
            gw_validation_entity_error(v, "must set snis when 'protocols' is "
                                          "'tls_passthrough'");
        }
    }
    else if (has_protocol(route, stream)) {
        forbid(v, route, stream_forbidden, stream_when);
        require_one(v, route, stream_attrs, "'sources', 'destinations', 'snis'",
                    "'tcp', 'tls' or 'udp'");
    }
}

static const gw_entity_check_t route_checks[] = {
    {.kind = GW_CHECK_CUSTOM, .fn = check_by_protocol}, {0}};

/* gRPC routes cannot strip their path, so their default differs. */
static void route_transform(const gw_entity_t *e, json_object *in,
                            gw_validation_t *v)
{
    static const char *const grpc[] = {"grpc", "grpcs", NULL};

    if (!gw_json_has(in, "strip_path") && has_protocol(in, grpc)) {
        json_object_object_add(in, "strip_path", json_object_new_boolean(0));
    }
    (void)e;
    (void)v;
}

const gw_entity_t gw_entity_routes = {
    .name = "routes",
    .singular = "route",
    .endpoint_key = "name",
    .fields = route_fields,
    .checks = route_checks,
    .transform = route_transform,
};
