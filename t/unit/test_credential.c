/*
 * test_credential: the credential entities of the auth plugins through
 * the write pipeline (reference §2.8): generated keys and secrets,
 * basic-auth's salted SHA-1 password (hashed on write, again only when it
 * changes, not at all for raw input), jwt's algorithm rules, ACL groups,
 * the key-auth ttl option, and where the Admin API finds them.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_time.h>

#include "gw_entity.h"
#include "gw_entity_credential.h"
#include "gw_json.h"
#include "gw_uuid.h"
#include "tap.h"
#include "entity_fixture.h"
#include "pem_fixture.h"

#define TESTS 86

#define CONSUMER_ID "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
#define OTHER_CONSUMER_ID "6ba7b811-9dad-11d1-80b4-00c04fd430c8"
#define CONSUMER "\"consumer\":{\"id\":\"" CONSUMER_ID "\"}"
/* sha1("secret" .. CONSUMER_ID), sha1("other" .. CONSUMER_ID) and
 * sha1("other" .. OTHER_CONSUMER_ID), computed with Python's hashlib */
#define SECRET_HASH "2dc82abd43a291a19c4599ce0f781fa6e4667e99"
#define OTHER_HASH "6ce112bd704f721b36cef0ddabff8c7e306fdd8e"
#define OTHER_CONSUMER_HASH "50e43b72c7be35227cd260c50c1f834fff35fde7"

static const char *violation(const char *entry)
{
    return apr_pstrcat(pool, "schema violation (", entry, ")", NULL);
}

static const char *write_op(const gw_entity_t *e, gw_op_e op, const char *input,
                            const json_object *existing, json_object **out)
{
    json_object *ignored;

    return prepare_msg(out ? out : &ignored, e, op, json(input), existing,
                       apr_time_from_sec(1700000000));
}

static const char *post(const gw_entity_t *e, const char *input,
                        json_object **out)
{
    return write_op(e, GW_OP_INSERT, input, NULL, out);
}

static int is_key(const char *s)
{
    int i;

    for (i = 0; s && s[i]; i++) {
        if (!isalnum((unsigned char)s[i])) {
            return 0;
        }
    }
    return s && i == GW_UUID_KEY_LEN;
}

static void test_keyauth(void)
{
    const gw_entity_t *e = &gw_entity_keyauth_credentials;
    json_object *out = NULL, *other = NULL, *patched = NULL;

    is(post(e, "{" CONSUMER "}", &out), "", "a key-auth credential");
    ok(is_key(gw_json_str(out, "key")), "gets a 32-character key");
    post(e, "{" CONSUMER "}", &other);
    ok(gw_json_str(other, "key")
           && strcmp(gw_json_str(out, "key"), gw_json_str(other, "key")) != 0,
       "a different one each time");
    is(out ? gw_json_text(out, pool) : NULL,
       apr_psprintf(pool,
                    "{\"id\":\"%s\",\"created_at\":1700000000," CONSUMER
                    ",\"key\":\"%s\",\"tags\":null}",
                    gw_json_str(out, "id"), gw_json_str(out, "key")),
       "Kong's fields: no updated_at");
    is(post(e, "{" CONSUMER ",\"key\":\"my-key\"}", &out), "", "a given key");
    is(gw_json_str(out, "key"), "my-key", "is kept");
    is(post(e, "{" CONSUMER ",\"key\":\"\"}", NULL),
       violation("key: length must be at least 1"), "an empty key");
    is(post(e, "{\"key\":\"k\"}", NULL),
       violation("consumer: required field missing"),
       "a credential belongs to a consumer");
    is(write_op(e, GW_OP_UPDATE, "{\"tags\":[\"t\"]}", out, &patched), "",
       "PATCH");
    is(gw_json_str(patched, "key"), "my-key", "keeps the key");
    is(write_op(e, GW_OP_UPSERT, "{" CONSUMER "}", NULL, &out), "", "PUT");
    ok(is_key(gw_json_str(out, "key")), "generates a key too");
}

static apr_int64_t ttl_of(const gw_entity_t *e, const char *input,
                          const char **msg)
{
    apr_int64_t ttl = -1;
    gw_error_t *err = NULL;
    json_object *in = json(input);

    *msg = "";
    if (gw_entity_take_ttl(&ttl, &err, e, in, pool) != APR_SUCCESS) {
        *msg = err ? apr_psprintf(
                   pool, "%d %s %s", err->code, err->message,
                   gw_json_text(
                       gw_json_get(gw_error_json(err, pool), "options"), pool))
                   : "no error";
    }
    else if (gw_json_has(in, "ttl")) {
        *msg = "ttl left in the input";
    }
    return ttl;
}

static void test_ttl(void)
{
    const gw_entity_t *e = &gw_entity_keyauth_credentials;
    const char *msg;

    is_int(ttl_of(e, "{\"ttl\":10}", &msg), 10, "a ttl in seconds");
    is(msg, "", "is taken out of the input");
    is_int(ttl_of(e, "{\"ttl\":\"20\"}", &msg), 20, "a form value");
    is_int(ttl_of(e, "{}", &msg), 0, "none: 0");
    ttl_of(e, "{\"ttl\":-1}", &msg);
    is(msg,
       "11 invalid option (ttl: must be an integer between 0 and 100000000) "
       "{\"ttl\":\"must be an integer between 0 and 100000000\"}",
       "a negative ttl: Kong's invalid option");
    ttl_of(e, "{\"ttl\":1.5}", &msg);
    ok(strncmp(msg, "11 invalid option (ttl: must be an integer", 42) == 0,
       "a fraction");
    ttl_of(e, "{\"ttl\":100000001}", &msg);
    ok(strncmp(msg, "11 invalid option", 17) == 0, "beyond Kong's maximum");
    ttl_of(e, "{\"ttl\":\"soon\"}", &msg);
    ok(strncmp(msg, "11 invalid option", 17) == 0, "not a number");
    ttl_of(e, "{\"ttl\":\"nan\"}", &msg);
    ok(strncmp(msg, "11 invalid option", 17) == 0, "not a number either");
    ttl_of(&gw_entity_consumers, "{\"ttl\":10}", &msg);
    is(msg,
       "11 invalid option (ttl: cannot be used with 'consumers') "
       "{\"ttl\":\"cannot be used with 'consumers'\"}",
       "only for entities that expire");
}

static void test_basicauth(void)
{
    const gw_entity_t *e = &gw_entity_basicauth_credentials;
    json_object *out = NULL, *patched = NULL, *raw = NULL;
    gw_error_t *err = NULL;

    is(gw_credential_basicauth_hash("secret", CONSUMER_ID, pool), SECRET_HASH,
       "the hash is sha1(password .. consumer_id) in hex");
    is(gw_credential_basicauth_hash(NULL, "abc", pool),
       "a9993e364706816aba3e25717850c26c9cd0d89d",
       "no password: the consumer id alone");
    is(post(e, "{" CONSUMER ",\"username\":\"u\",\"password\":\"secret\"}",
            &out),
       "", "a basic-auth credential");
    is(gw_json_str(out, "password"), SECRET_HASH, "stores the hash");
    is(write_op(e, GW_OP_UPDATE, "{\"tags\":[\"t\"]}", out, &patched), "",
       "PATCH without a password");
    is(gw_json_str(patched, "password"), SECRET_HASH, "keeps the hash");
    is(write_op(e, GW_OP_UPDATE,
                "{\"password\":\"" SECRET_HASH "\",\"tags\":[\"t\"]}", out,
                &patched),
       "", "PATCH sending the stored hash back");
    is(gw_json_str(patched, "password"), SECRET_HASH, "does not hash it again");
    is(write_op(e, GW_OP_UPDATE, "{\"password\":\"other\"}", out, &patched), "",
       "PATCH with a new password");
    is(gw_json_str(patched, "password"), OTHER_HASH, "rehashes");
    is(write_op(
           e, GW_OP_UPDATE,
           "{\"password\":\"other\",\"consumer\":{\"id\":\"" OTHER_CONSUMER_ID
           "\"}}",
           out, &patched),
       "", "PATCH with a password and another consumer");
    is(gw_json_str(patched, "password"), OTHER_CONSUMER_HASH,
       "salts with the new consumer");
    is(write_op(e, GW_OP_UPSERT,
                "{" CONSUMER ",\"username\":\"u\",\"password\":\"secret\"}",
                out, &patched),
       "", "PUT");
    is(gw_json_str(patched, "password"), SECRET_HASH, "hashes");
    ok(gw_entity_prepare_ex(&raw, &err, e, GW_OP_INSERT,
                            json("{" CONSUMER ",\"username\":\"u\","
                                 "\"password\":\"" OTHER_HASH "\"}"),
                            NULL, apr_time_now(), GW_PREPARE_RAW, pool)
           == APR_SUCCESS,
       "raw input (declarative _transform: false)");
    is(gw_json_str(raw, "password"), OTHER_HASH, "is stored as it is");
    is(post(e, "{" CONSUMER "}", NULL),
       "2 schema violations (password: required field missing; username: "
       "required field missing)",
       "username and password are required");
    is(post(e, "{" CONSUMER ",\"username\":\"u\",\"password\":\"\"}", NULL),
       violation("password: length must be at least 1"),
       "an empty password is refused, not hashed");
    is(post(e, "{" CONSUMER ",\"username\":\"u\",\"password\":1}", NULL),
       violation("password: expected a string"), "so is a number");
}

static void test_hmacauth(void)
{
    const gw_entity_t *e = &gw_entity_hmacauth_credentials;
    json_object *out = NULL;

    is(post(e, "{" CONSUMER ",\"username\":\"u\"}", &out), "",
       "an hmac-auth credential");
    ok(is_key(gw_json_str(out, "secret")), "gets a generated secret");
    is(post(e, "{" CONSUMER ",\"username\":\"u\",\"secret\":\"s\"}", &out), "",
       "a given secret");
    is(gw_json_str(out, "secret"), "s", "is kept");
    is(post(e, "{" CONSUMER "}", NULL),
       violation("username: required field missing"), "username is required");
}

static const char *jwt_with(const char *algorithm, const char *pem,
                            json_object **out)
{
    json_object *in = json("{" CONSUMER "}"), *ignored;

    json_object_object_add(in, "algorithm", json_object_new_string(algorithm));
    if (pem) {
        json_object_object_add(in, "rsa_public_key",
                               json_object_new_string(pem));
    }
    return prepare_msg(out ? out : &ignored, &gw_entity_jwt_secrets,
                       GW_OP_INSERT, in, NULL, apr_time_now());
}

static void test_jwt(void)
{
    const gw_entity_t *e = &gw_entity_jwt_secrets;
    static const char *const need_key[] = {"RS256", "RS384", "RS512", "PS256",
                                           "PS384", "PS512", "EdDSA"};
    json_object *out = NULL;
    apr_size_t i;

    is(post(e, "{" CONSUMER "}", &out), "", "a jwt credential");
    is(gw_json_str(out, "algorithm"), "HS256", "HS256 by default");
    ok(is_key(gw_json_str(out, "key")) && is_key(gw_json_str(out, "secret")),
       "key and secret are generated");
    ok(!gw_json_get(out, "rsa_public_key"), "no public key");
    is(post(e, "{" CONSUMER ",\"algorithm\":\"none\"}", NULL),
       violation("algorithm: expected one of: HS256, HS384, HS512, RS256, "
                 "RS384, RS512, ES256, ES384, ES512, PS256, PS384, PS512, "
                 "EdDSA"),
       "Kong's algorithms only");
    for (i = 0; i < sizeof(need_key) / sizeof(need_key[0]); i++) {
        is(jwt_with(need_key[i], NULL, NULL),
           "2 schema violations (failed conditional validation given value "
           "of field 'algorithm'; rsa_public_key: required field missing)",
           apr_psprintf(pool, "%s needs rsa_public_key", need_key[i]));
    }
    is(jwt_with("RS256", "not a key", NULL),
       "2 schema violations (failed conditional validation given value of "
       "field 'algorithm'; rsa_public_key: invalid key)",
       "which must be a key");
    is(jwt_with("RS256", "", NULL),
       "2 schema violations (failed conditional validation given value of "
       "field 'algorithm'; rsa_public_key: length must be at least 1)",
       "an empty one keeps its own message");
    is(jwt_with("RS256", RSA_PUBLIC_KEY, &out), "", "RS256 with a public key");
    is(gw_json_str(out, "rsa_public_key"), RSA_PUBLIC_KEY, "is kept");
    is(jwt_with("EdDSA", ED25519_PUBLIC_KEY, NULL), "",
       "EdDSA with an Ed25519 key");
    is(jwt_with("PS512", RSA_KEY, NULL), "",
       "a private key reads too, as in Kong");
    is(jwt_with("ES256", NULL, NULL), "",
       "Kong's schema does not require a key for ES256");
    is(jwt_with("HS512", "not a key", NULL), "", "nor looks at it for HS*");
}

static void test_acls(void)
{
    const gw_entity_t *e = &gw_entity_acls;
    json_object *out = NULL;

    is(post(e, "{" CONSUMER ",\"group\":\"admins\"}", &out), "", "an ACL");
    is(out ? gw_json_text(out, pool) : NULL,
       apr_psprintf(pool,
                    "{\"id\":\"%s\",\"created_at\":1700000000," CONSUMER
                    ",\"group\":\"admins\",\"tags\":null}",
                    gw_json_str(out, "id")),
       "Kong's fields");
    is(post(e, "{" CONSUMER "}", NULL),
       violation("group: required field missing"), "group is required");
    is(post(e, "{\"group\":\"g\"}", NULL),
       violation("consumer: required field missing"), "and a consumer");
    ok(e->unique_together && strcmp(e->unique_together[0], "consumer") == 0
           && strcmp(e->unique_together[1], "group") == 0
           && !e->unique_together[2],
       "a consumer is in a group once");
}

static void test_admin_names(void)
{
    static const struct {
        const gw_entity_t *e;
        const char *path, *nested, *key, *nested_key;
    } names[] = {
        {&gw_entity_keyauth_credentials, "key-auths", "key-auth", "key", "key"},
        {&gw_entity_basicauth_credentials, "basic-auths", "basic-auth",
         "username", "username"},
        {&gw_entity_hmacauth_credentials, "hmac-auths", "hmac-auth", "username",
         "username"},
        {&gw_entity_jwt_secrets, "jwts", "jwt", "key", "key"},
        {&gw_entity_acls, "acls", "acls", NULL, "group"},
    };
    apr_size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const gw_entity_t *e = names[i].e;
        const gw_field_t *fk = gw_entity_foreign_to(e, &gw_entity_consumers);
        const char *key = gw_entity_endpoint_key(e, 0);
        const char *nested_key = gw_entity_endpoint_key(e, 1);

        ok(gw_entity_find_path(names[i].path, 0) == e
               && gw_entity_find_path(names[i].nested, 1) == e
               && gw_entity_find(e->name) == e,
           apr_psprintf(pool, "/%s and /consumers/{c}/%s", names[i].path,
                        names[i].nested));
        ok(((!key && !names[i].key)
            || (key && names[i].key && strcmp(key, names[i].key) == 0))
               && nested_key && strcmp(nested_key, names[i].nested_key) == 0,
           apr_psprintf(pool, "%s endpoint keys", e->name));
        ok(fk && (fk->flags & GW_F_CASCADE) && (fk->flags & GW_F_REQUIRED),
           apr_psprintf(pool, "%s go with their consumer", e->name));
    }
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    plan(TESTS);
    test_keyauth();
    test_ttl();
    test_basicauth();
    test_hmacauth();
    test_jwt();
    test_acls();
    test_admin_names();
    apr_pool_destroy(pool);
    apr_terminate();
    return exit_status();
}
