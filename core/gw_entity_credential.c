/*
 * gw_entity_credential: the credential entities of the auth plugins
 * (reference §2.8): key-auth keys, basic-auth username and password,
 * hmac-auth username and secret, jwt keys and secrets, and ACL groups.
 * Each belongs to one consumer and goes with it. Kong defines them in the
 * plugins' DAOs; their Admin paths are plural at the top level
 * (/key-auths) and singular under a consumer (/consumers/{c}/key-auth).
 * Keys and secrets the client leaves out are generated (Kong's
 * random_string: 32 letters and digits).
 */
#include <string.h>

#include <apr_strings.h>
#include <openssl/evp.h>

#include "gw_entity.h"
#include "gw_entity_credential.h"
#include "gw_json.h"
#include "gw_pem.h"
#include "gw_text.h"

#define CONSUMER_FIELD                                                  \
    {                                                                   \
        .name = "consumer", .type = GW_T_FOREIGN,                       \
        .flags = GW_F_REQUIRED | GW_F_CASCADE, .reference = "consumers" \
    }
#define GENERATED_FIELD(n, more)                                  \
    {                                                             \
        .name = n, .type = GW_T_STRING, .flags = GW_F_AUTO | more \
    }

/* ------------------------------------------------------------ key-auth */

static const gw_field_t keyauth_fields[] = {GW_FIELDS_ID_AND_CREATED_AT,
                                            CONSUMER_FIELD,
                                            GENERATED_FIELD("key", GW_F_UNIQUE),
                                            GW_FIELD_TAGS,
                                            {NULL}};

/* A key may be given a ttl (seconds) when written; see
 * gw_entity_take_ttl. */
const gw_entity_t gw_entity_keyauth_credentials = {
    .name = "keyauth_credentials",
    .singular = "keyauth_credential",
    .endpoint_key = "key",
    .fields = keyauth_fields,
    .flags = GW_E_TTL,
    .path = "key-auths",
    .nested_path = "key-auth",
};

/* ---------------------------------------------------------- basic-auth */

const char *gw_credential_basicauth_hash(const char *password,
                                         const char *consumer_id, apr_pool_t *p)
{
    const char *salted = apr_pstrcat(p, password ? password : "",
                                     consumer_id ? consumer_id : "", NULL);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;

    if (EVP_Digest(salted, strlen(salted), md, &len, EVP_sha1(), NULL) != 1) {
        return NULL;
    }
    return gw_text_hex(md, len, p);
}

static const gw_field_t basicauth_fields[] = {
    GW_FIELDS_ID_AND_CREATED_AT,
    CONSUMER_FIELD,
    {.name = "username",
     .type = GW_T_STRING,
     .flags = GW_F_REQUIRED | GW_F_UNIQUE},
    {.name = "password", .type = GW_T_STRING, .flags = GW_F_REQUIRED},
    GW_FIELD_TAGS,
    {NULL}};

/* Kong hashes the password whenever a write carries one. An update
 * whose password is the stored one either did not carry it or sent the
 * hash back: both keep it (Kong would hash a hash). */
static void hash_password(const gw_entity_t *e, gw_op_e op, json_object *ent,
                          const json_object *existing, gw_validation_t *v,
                          apr_pool_t *p)
{
    json_object *password = gw_json_get(ent, "password");
    const char *hash;

    (void)e;
    if (op == GW_OP_UPDATE && existing
        && gw_json_equal(password, gw_json_get(existing, "password"))) {
        return;
    }
    hash = gw_credential_basicauth_hash(
        json_object_get_string(password),
        gw_json_str(gw_json_get(ent, "consumer"), "id"), p);
    if (!hash) {
        gw_validation_field_error(v, "password", "cannot hash the password");
        return;
    }
    json_object_object_add(ent, "password", json_object_new_string(hash));
}

const gw_entity_t gw_entity_basicauth_credentials = {
    .name = "basicauth_credentials",
    .singular = "basicauth_credential",
    .endpoint_key = "username",
    .fields = basicauth_fields,
    .path = "basic-auths",
    .nested_path = "basic-auth",
    .on_write = hash_password,
};

/* ----------------------------------------------------------- hmac-auth */

static const gw_field_t hmacauth_fields[] = {
    GW_FIELDS_ID_AND_CREATED_AT,
    CONSUMER_FIELD,
    {.name = "username",
     .type = GW_T_STRING,
     .flags = GW_F_REQUIRED | GW_F_UNIQUE},
    GENERATED_FIELD("secret", 0),
    GW_FIELD_TAGS,
    {NULL}};

const gw_entity_t gw_entity_hmacauth_credentials = {
    .name = "hmacauth_credentials",
    .singular = "hmacauth_credential",
    .endpoint_key = "username",
    .fields = hmacauth_fields,
    .path = "hmac-auths",
    .nested_path = "hmac-auth",
};

/* ----------------------------------------------------------------- jwt */

static const char *const jwt_algorithms[] = {
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256",
    "ES384", "ES512", "PS256", "PS384", "PS512", "EdDSA", NULL};

/* The algorithms whose tokens are verified with rsa_public_key, for
 * which Kong's schema requires one. ES* is not among them in Kong's
 * schema, though the plugin verifies ES* tokens with it too. */
static const char *const jwt_public_key_algorithms[] = {
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA", NULL};

static const gw_field_t jwt_fields[] = {
    GW_FIELDS_ID_AND_CREATED_AT,
    CONSUMER_FIELD,
    GENERATED_FIELD("key", GW_F_UNIQUE),
    GENERATED_FIELD("secret", 0),
    {.name = "rsa_public_key", .type = GW_T_STRING},
    {.name = "algorithm",
     .type = GW_T_STRING,
     .dflt = "\"HS256\"",
     .one_of = jwt_algorithms},
    GW_FIELD_TAGS,
    {NULL}};

/* Kong's conditional check: with an algorithm verified by a public key,
 * rsa_public_key is required and must be a key OpenSSL reads (public or
 * private, as pkey.new takes either). */
static void check_public_key(gw_validation_t *v, json_object *ent)
{
    const char *pem = gw_json_str(ent, "rsa_public_key"), *why;

    if (!gw_text_in_list(gw_json_str(ent, "algorithm"),
                         jwt_public_key_algorithms)) {
        return;
    }
    if (!gw_json_get(ent, "rsa_public_key")) {
        gw_validation_field_error(v, "rsa_public_key",
                                  "required field missing");
    }
    else if (gw_validation_failed(v, "rsa_public_key")) {
        /* its type or length message stands */
    }
    else if (gw_pem_key_check(&why, pem, strlen(pem), 0, v->pool)
             != APR_SUCCESS) {
        gw_validation_field_error(v, "rsa_public_key", "invalid key");
    }
    else {
        return;
    }
    gw_validation_entity_error(v, "failed conditional validation given value "
                                  "of field 'algorithm'");
}

static const gw_entity_check_t jwt_checks[] = {
    {.kind = GW_CHECK_CUSTOM, .fn = check_public_key}, {0}};

const gw_entity_t gw_entity_jwt_secrets = {
    .name = "jwt_secrets",
    .singular = "jwt_secret",
    .endpoint_key = "key",
    .fields = jwt_fields,
    .checks = jwt_checks,
    .path = "jwts",
    .nested_path = "jwt",
};

/* ----------------------------------------------------------------- acl */

static const gw_field_t acl_fields[] = {
    GW_FIELDS_ID_AND_CREATED_AT,
    CONSUMER_FIELD,
    {.name = "group", .type = GW_T_STRING, .flags = GW_F_REQUIRED},
    GW_FIELD_TAGS,
    {NULL}};

/* A consumer is in a group once (Kong's cache_key). Only ids address an
 * ACL at the top level; under its consumer its group does too. */
const gw_entity_t gw_entity_acls = {
    .name = "acls",
    .singular = "acl",
    .fields = acl_fields,
    .unique_together = (const char *const[]){"consumer", "group", NULL},
    .nested_endpoint_key = "group",
};
