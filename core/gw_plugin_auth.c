/*
 * gw_plugin_auth: the schemas of the plugins that identify a consumer
 * (key-auth, basic-auth, jwt, hmac-auth) and of acl, which authorises
 * one (reference §4.2-4.7). None of them can be scoped to a consumer:
 * the consumer is what they find out.
 */
#include "gw_plugin.h"

/* ------------------------------------------------------------ key-auth */

static const gw_field_t key_auth_config[] = {
    {.name = "key_names",
     .type = GW_T_ARRAY,
     .flags = GW_F_REQUIRED,
     .dflt = "[\"apikey\"]",
     .elements = &gw_plugin_header_name_element},
    GW_PLUGIN_FIELD_BOOL("hide_credentials", "false"),
    GW_PLUGIN_FIELD_ANONYMOUS,
    GW_PLUGIN_FIELD_BOOL("key_in_header", "true"),
    GW_PLUGIN_FIELD_BOOL("key_in_query", "true"),
    GW_PLUGIN_FIELD_BOOL("key_in_body", "false"),
    GW_PLUGIN_FIELD_BOOL("run_on_preflight", "true"),
    GW_PLUGIN_FIELD_REALM,
    {NULL}};

static const gw_field_t key_auth_fields[] = {
    GW_PLUGIN_FIELD_NO_CONSUMER,
    GW_PLUGIN_FIELD_PROTOCOLS_HTTP,
    GW_PLUGIN_FIELD_CONFIG(key_auth_config, NULL),
    {NULL}};

const gw_plugin_t gw_plugin_key_auth = {
    .name = "key-auth",
    .priority = 1250,
    .schema = {.fields = key_auth_fields},
};

/* ---------------------------------------------------------- basic-auth */

static const gw_field_t basic_auth_config[] = {
    GW_PLUGIN_FIELD_ANONYMOUS,
    GW_PLUGIN_FIELD_BOOL("hide_credentials", "false"),
    {.name = "realm",
     .type = GW_T_STRING,
     .flags = GW_F_REQUIRED,
     .dflt = "\"service\""},
    {NULL}};

static const gw_field_t basic_auth_fields[] = {
    GW_PLUGIN_FIELD_NO_CONSUMER,
    GW_PLUGIN_FIELD_PROTOCOLS_HTTP,
    GW_PLUGIN_FIELD_CONFIG(basic_auth_config, NULL),
    {NULL}};

const gw_plugin_t gw_plugin_basic_auth = {
    .name = "basic-auth",
    .priority = 1100,
    .schema = {.fields = basic_auth_fields},
};

/* ----------------------------------------------------------------- jwt */

static const char *const jwt_claims[] = {"exp", "nbf", NULL};

static const gw_field_t jwt_claim_element = {
    .name = "claim", .type = GW_T_STRING, .one_of = jwt_claims};

#define GW_JWT_NAMES(n, d)                      \
    {                                           \
        .name = n, .type = GW_T_SET, .dflt = d, \
        .elements = &gw_plugin_string_element   \
    }

static const gw_field_t jwt_config[] = {
    GW_JWT_NAMES("uri_param_names", "[\"jwt\"]"),
    GW_JWT_NAMES("cookie_names", "[]"),
    {.name = "key_claim_name", .type = GW_T_STRING, .dflt = "\"iss\""},
    GW_PLUGIN_FIELD_BOOL("secret_is_base64", "false"),
    {.name = "claims_to_verify",
     .type = GW_T_SET,
     .elements = &jwt_claim_element},
    GW_PLUGIN_FIELD_ANONYMOUS,
    GW_PLUGIN_FIELD_BOOL("run_on_preflight", "true"),
    {.name = "maximum_expiration",
     .type = GW_T_NUMBER,
     .dflt = "0",
     .has_between = 1,
     .min = 0,
     .max = 31536000},
    GW_JWT_NAMES("header_names", "[\"authorization\"]"),
    GW_PLUGIN_FIELD_REALM,
    {NULL}};

static const gw_field_t jwt_fields[] = {
    GW_PLUGIN_FIELD_NO_CONSUMER,
    GW_PLUGIN_FIELD_PROTOCOLS_HTTP,
    GW_PLUGIN_FIELD_CONFIG(jwt_config, NULL),
    {NULL}};

/* a token's lifetime can only be capped when its exp is verified */
static const gw_entity_check_t jwt_checks[] = {
    {.kind = GW_CHECK_CONDITIONAL,
     .conditional =
         &(const gw_conditional_t){.if_field = "config.maximum_expiration",
                                   .if_match = {.has_gt = 1, .gt = 0},
                                   .then_field = "config.claims_to_verify",
                                   .then_match = {.contains = "exp"}}},
    {0}};

const gw_plugin_t gw_plugin_jwt = {
    .name = "jwt",
    .priority = 1450,
    .schema = {.fields = jwt_fields, .checks = jwt_checks},
};

/* ----------------------------------------------------------- hmac-auth */

static const char *const hmac_algorithms[] = {
    "hmac-sha1", "hmac-sha256", "hmac-sha384", "hmac-sha512", NULL};

static const gw_field_t hmac_algorithm_element = {
    .name = "algorithm", .type = GW_T_STRING, .one_of = hmac_algorithms};

static const gw_field_t hmac_auth_config[] = {
    GW_PLUGIN_FIELD_BOOL("hide_credentials", "false"),
    {.name = "clock_skew",
     .type = GW_T_NUMBER,
     .dflt = "300",
     .has_gt = 1,
     .gt = 0},
    GW_PLUGIN_FIELD_ANONYMOUS,
    GW_PLUGIN_FIELD_BOOL("validate_request_body", "false"),
    {.name = "enforce_headers",
     .type = GW_T_ARRAY,
     .dflt = "[]",
     .elements = &gw_plugin_string_element},
    {.name = "algorithms",
     .type = GW_T_ARRAY,
     .dflt = "[\"hmac-sha1\",\"hmac-sha256\",\"hmac-sha384\",\"hmac-sha512\"]",
     .elements = &hmac_algorithm_element},
    GW_PLUGIN_FIELD_REALM,
    {NULL}};

static const gw_field_t hmac_auth_fields[] = {
    GW_PLUGIN_FIELD_NO_CONSUMER,
    GW_PLUGIN_FIELD_PROTOCOLS_HTTP,
    GW_PLUGIN_FIELD_CONFIG(hmac_auth_config, NULL),
    {NULL}};

const gw_plugin_t gw_plugin_hmac_auth = {
    .name = "hmac-auth",
    .priority = 1030,
    .schema = {.fields = hmac_auth_fields},
};

/* ----------------------------------------------------------------- acl */

static const gw_field_t acl_config[] = {
    {.name = "allow",
     .type = GW_T_ARRAY,
     .elements = &gw_plugin_string_element},
    {.name = "deny", .type = GW_T_ARRAY, .elements = &gw_plugin_string_element},
    GW_PLUGIN_FIELD_BOOL("hide_groups_header", "false"),
    GW_PLUGIN_FIELD_BOOL("always_use_authenticated_groups", "false"),
    {NULL}};

static const gw_field_t acl_fields[] = {
    GW_PLUGIN_FIELD_NO_CONSUMER,
    GW_PLUGIN_FIELD_PROTOCOLS_HTTP,
    GW_PLUGIN_FIELD_CONFIG(acl_config, NULL),
    {NULL}};

static const char *const acl_lists[] = {"config.allow", "config.deny", NULL};

static const gw_entity_check_t acl_checks[] = {
    {.kind = GW_CHECK_ONLY_ONE_OF, .fields = acl_lists},
    {.kind = GW_CHECK_AT_LEAST_ONE_OF, .fields = acl_lists},
    {0}};

const gw_plugin_t gw_plugin_acl = {
    .name = "acl",
    .priority = 950,
    .schema = {.fields = acl_fields, .checks = acl_checks},
};
