/*
 * test_certificate: PEM handling (gw_pem) and the TLS entities through the
 * write pipeline: certificates (key pairs, the alternative pair of another
 * key type, the transient snis list and its helpers), snis (wildcard
 * rules) and ca_certificates (one CA certificate, not expired, digest
 * computed by the server), with Kong's messages (reference §2.7).
 */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_time.h>

#include "gw_entity.h"
#include "gw_entity_certificate.h"
#include "gw_json.h"
#include "gw_pem.h"
#include "gw_text.h"
#include "gw_uuid.h"
#include "tap.h"
#include "entity_fixture.h"
#include "pem_fixture.h"

#define TESTS 105

#define CERT_ID "6ba7b810-9dad-11d1-80b4-00c04fd430c8"

static int starts_with(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

static const char *violation(const char *entry)
{
    return apr_pstrcat(pool, "schema violation (", entry, ")", NULL);
}

/* {"name": value, ...} with PEM text quoted for JSON. */
static json_object *pems(const char *const *pairs)
{
    json_object *o = gw_json_own(pool, json_object_new_object());

    for (; pairs[0]; pairs += 2) {
        json_object_object_add(o, pairs[0], json_object_new_string(pairs[1]));
    }
    return o;
}

static const char *post(const gw_entity_t *e, json_object *in,
                        json_object **out)
{
    json_object *ignored;

    return prepare_msg(out ? out : &ignored, e, GW_OP_INSERT, in, NULL,
                       apr_time_now());
}

/* ------------------------------------------------------------- gw_pem */

static void test_pem_certs(void)
{
    gw_pem_cert_t *c = NULL;
    const char *why = NULL;
    apr_time_exp_t exp;

    ok(gw_pem_cert_read(&c, &why, RSA_CERT, strlen(RSA_CERT), pool)
               == APR_SUCCESS
           && c && !why,
       "an RSA certificate reads");
    is(c ? c->key_type_name : NULL, "RSA", "its key type is RSA");
    ok(c && !c->is_ca, "a CA:FALSE certificate is not a CA");
    ok(c && c->not_after > apr_time_now() && c->not_before < c->not_after,
       "it is valid now");
    is_int(c ? c->names->nelts : 0, 2, "its names are its two DNS SANs");
    is(c && c->names->nelts == 2 ? APR_ARRAY_IDX(c->names, 1, const char *)
                                 : NULL,
       "*.rsa.test", "wildcard SAN kept as written");

    gw_pem_cert_read(&c, &why, EC_CERT, strlen(EC_CERT), pool);
    is(c ? c->key_type_name : NULL, "EC", "an ECDSA certificate");
    is(c && c->names->nelts == 1 ? APR_ARRAY_IDX(c->names, 0, const char *)
                                 : NULL,
       "ec.test", "without SANs the CN names it");

    gw_pem_cert_read(&c, &why, CA_CERT, strlen(CA_CERT), pool);
    ok(c && c->is_ca, "a CA:TRUE certificate is a CA");
    is(c ? c->sha256 : NULL, CA_CERT_SHA256,
       "sha256 is the lowercase hex digest of the DER");

    gw_pem_cert_read(&c, &why, EXPIRED_CA_CERT, strlen(EXPIRED_CA_CERT), pool);
    ok(c && c->not_after < apr_time_now(), "the expired CA is expired");
    apr_time_exp_gmt(&exp, c ? c->not_after : 0);
    ok(exp.tm_year == 121 && exp.tm_mon == 0 && exp.tm_mday == 1
           && exp.tm_hour == 0,
       "its Not After is 2021-01-01T00:00:00Z");

    ok(gw_pem_cert_read(&c, &why, "garbage", 7, pool) == APR_EINVAL && !c,
       "text that is no certificate fails");
    ok(starts_with(why, "invalid certificate: x509.new: error:")
           && strstr(why, "no start line"),
       "with Kong's prefix and OpenSSL's reason");
    ok(gw_pem_cert_read(&c, &why, RSA_KEY, strlen(RSA_KEY), pool) == APR_EINVAL,
       "a key is no certificate");
    ok(gw_pem_cert_read(&c, &why, RSA_CERT, GW_PEM_MAX + 1, pool) == APR_EINVAL,
       "input beyond GW_PEM_MAX is refused unread");
    is(why, "invalid certificate: longer than 65536 bytes", "and says so");
}

static void test_pem_keys(void)
{
    const char *why = NULL;
    int match = -1;

    ok(gw_pem_key_check(&why, RSA_KEY, strlen(RSA_KEY), 1, pool) == APR_SUCCESS,
       "an RSA private key reads");
    ok(gw_pem_key_check(&why, EC_KEY, strlen(EC_KEY), 1, pool) == APR_SUCCESS,
       "an EC private key reads");
    ok(gw_pem_key_check(&why, RSA_PUBLIC_KEY, strlen(RSA_PUBLIC_KEY), 1, pool)
           == APR_EINVAL,
       "a public key is no private key");
    ok(starts_with(why, "invalid key: pkey.new:load_key: error:"),
       "Kong's message for a bad key");
    ok(gw_pem_key_check(&why, RSA_PUBLIC_KEY, strlen(RSA_PUBLIC_KEY), 0, pool)
           == APR_SUCCESS,
       "a public key reads where one is allowed");
    ok(gw_pem_key_check(&why, ED25519_PUBLIC_KEY, strlen(ED25519_PUBLIC_KEY), 0,
                        pool)
           == APR_SUCCESS,
       "an Ed25519 public key reads");
    ok(gw_pem_key_check(&why, EC_KEY_ENCRYPTED, strlen(EC_KEY_ENCRYPTED), 0,
                        pool)
           == APR_EINVAL,
       "a key under a passphrase fails without prompting");
    ok(gw_pem_key_check(&why, RSA_CERT, strlen(RSA_CERT), 0, pool)
           == APR_EINVAL,
       "a certificate is no key");

    gw_pem_key_matches(&match, RSA_CERT, RSA_KEY);
    is_int(match, 1, "a certificate matches its key");
    gw_pem_key_matches(&match, RSA_CERT, RSA_PUBLIC_KEY);
    is_int(match, 1, "and its public key");
    gw_pem_key_matches(&match, RSA_CERT, RSA2_KEY);
    is_int(match, 0, "not another RSA key");
    gw_pem_key_matches(&match, RSA_CERT, EC_KEY);
    is_int(match, 0, "nor a key of another type");
    ok(gw_pem_key_matches(&match, "x", RSA_KEY) == APR_EINVAL && !match,
       "an unreadable certificate matches nothing");

    is_int(gw_pem_cert_count(CA_CERT), 1, "one certificate counted");
    is_int(gw_pem_cert_count(CA_CERT EXPIRED_CA_CERT), 2, "two counted");
    is_int(gw_pem_cert_count(""), 0, "none in empty text");
    is(gw_text_hex((const unsigned char *)"\x00\xab\xff", 3, pool), "00abff",
       "gw_text_hex writes lowercase pairs");
}

/* ------------------------------------------------------- certificates */

static void test_certificates(void)
{
    const gw_entity_t *e = &gw_entity_certificates;
    json_object *out = NULL, *keys;
    const char *msg;

    msg =
        post(e, pems((const char *[]){"cert", RSA_CERT, "key", RSA_KEY, NULL}),
             &out);
    is(msg, "", "a certificate and its key");
    keys = gw_json_own(pool, json_object_new_array());
    json_object_object_foreach (out ? out : json("{}"), k, val) {
        (void)val;
        json_object_array_add(keys, json_object_new_string(k));
    }
    is(gw_json_text(keys, pool),
       "[\"id\",\"created_at\",\"updated_at\",\"cert\",\"key\",\"cert_alt\","
       "\"key_alt\",\"tags\"]",
       "Kong's fields in Kong's order; snis is not stored");
    ok(out && gw_uuid_valid(gw_json_str(out, "id")), "an id is generated");

    is(post(e, json("{}"), NULL),
       "2 schema violations (cert: required field missing; key: required "
       "field missing)",
       "cert and key are required");
    msg = post(e, pems((const char *[]){"cert", "nope", "key", RSA_KEY, NULL}),
               NULL);
    ok(starts_with(msg, "schema violation (cert: invalid certificate: "
                        "x509.new: "),
       "an invalid certificate");
    msg = post(
        e,
        pems((const char *[]){"cert", RSA_CERT, "key", RSA_PUBLIC_KEY, NULL}),
        NULL);
    ok(starts_with(msg, "schema violation (key: invalid key: pkey.new:"),
       "a public key is not a certificate's key");
    is(post(e, pems((const char *[]){"cert", RSA_CERT, "key", RSA2_KEY, NULL}),
            NULL),
       violation("certificate does not match key"), "a key of another pair");
    is(post(e,
            pems((const char *[]){"cert", RSA_CERT, "key", RSA_KEY, "cert_alt",
                                  EC_CERT, NULL}),
            NULL),
       violation("all or none of these fields must be set: 'cert_alt', "
                 "'key_alt'"),
       "cert_alt wants key_alt");
    is(post(e,
            pems((const char *[]){"cert", RSA_CERT, "key", RSA_KEY, "cert_alt",
                                  EC_CERT, "key_alt", EC_KEY, NULL}),
            &out),
       "", "an RSA pair with an ECDSA alternative");
    is(gw_json_str(out, "key_alt"), EC_KEY, "the alternative key is kept");
    is(post(e,
            pems((const char *[]){"cert", RSA_CERT, "key", RSA_KEY, "cert_alt",
                                  EC_CERT, "key_alt", RSA2_KEY, NULL}),
            NULL),
       violation("alternative certificate does not match key"),
       "an alternative key of another pair");
    is(post(e,
            pems((const char *[]){"cert", RSA_CERT, "key", RSA_KEY, "cert_alt",
                                  RSA2_CERT, "key_alt", RSA2_KEY, NULL}),
            NULL),
       violation("certificate and alternative certificate need to have "
                 "different type (e.g. RSA and ECDSA), the provided "
                 "certificates were both of the same type"),
       "both pairs RSA");
    is(post(e,
            pems((const char *[]){"cert", RSA_CERT, "key", EC_KEY, "cert_alt",
                                  EC_CERT, "key_alt", EC_KEY, NULL}),
            NULL),
       violation("certificate does not match key"),
       "each pair is checked on its own");
}

static json_object *with_snis(const char *snis_json)
{
    json_object *in =
        pems((const char *[]){"cert", RSA_CERT, "key", RSA_KEY, NULL});

    json_object_object_add(in, "snis", json_object_get(json(snis_json)));
    return in;
}

static void test_certificate_snis(void)
{
    const gw_entity_t *e = &gw_entity_certificates;
    json_object *names = NULL, *in, *out = NULL;
    gw_error_t *err = NULL;

    is(post(e, with_snis("[\"b.test\",\"*.a.test\"]"), &out), "",
       "snis are accepted with the certificate");
    ok(out && !gw_json_has(out, "snis"), "and left to the SNI rows");
    is(post(e, with_snis("[\"a.test\",\"10.0.0.1\"]"), NULL),
       violation("snis.2: must not be an IP"), "each name is an SNI");
    is(post(e, with_snis("[\"a.*.test\"]"), NULL),
       violation("snis.1: wildcard must be leftmost or rightmost character"),
       "with the wildcard rules");
    is(post(e, with_snis("\"a.test\""), NULL),
       violation("snis: expected an array"),
       "a lone string is not a list to the schema");

    ok(gw_certificate_snis_parse(&names, &err, with_snis("[\"b\",\"c\",\"a\"]"),
                                 pool)
               == APR_SUCCESS
           && !err,
       "distinct names parse");
    is(names ? gw_json_text(names, pool) : NULL, "[\"a\",\"b\",\"c\"]",
       "sorted, as Kong answers them");
    ok(gw_certificate_snis_parse(&names, &err,
                                 with_snis("[\"b\",\"a\",\"a\",\"b\"]"), pool)
               == APR_EINVAL
           && !names,
       "a repeated name fails");
    is(err ? err->message : NULL, "schema violation (snis: a is duplicated)",
       "naming the first repeat in the order given");
    is(err ? gw_json_text(err->fields, pool) : NULL,
       "{\"snis\":\"a is duplicated\"}", "under fields.snis");
    gw_certificate_snis_parse(&names, &err, json("{}"), pool);
    ok(!names && !err, "no snis: the SNIs stay as they are");
    gw_certificate_snis_parse(&names, &err, json("{\"snis\":null}"), pool);
    is(names ? gw_json_text(names, pool) : NULL, "[]",
       "null: the certificate loses its SNIs");

    in = json("{\"snis\":\"x.test\"}");
    gw_certificate_snis_input(in, "url.test", 1);
    is(gw_json_text(in, pool), "{\"snis\":[\"x.test\",\"url.test\"]}",
       "PUT /certificates/url.test adds the URL's name to a lone string");
    in = json("{\"snis\":[\"url.test\",\"x.test\"]}");
    gw_certificate_snis_input(in, "url.test", 1);
    is(gw_json_text(in, pool), "{\"snis\":[\"url.test\",\"x.test\"]}",
       "and not twice");
    in = json("{}");
    gw_certificate_snis_input(in, "url.test", 1);
    is(gw_json_text(in, pool), "{\"snis\":null}",
       "a PUT without snis clears them (as Kong's does)");
    in = json("{\"snis\":\"x.test\"}");
    gw_certificate_snis_input(in, "url.test", 0);
    is(gw_json_text(in, pool), "{\"snis\":[\"x.test\"]}",
       "PATCH makes a list and adds nothing");
    in = json("{}");
    gw_certificate_snis_input(in, NULL, 0);
    is(gw_json_text(in, pool), "{}", "PATCH without snis leaves them");

    err = gw_certificate_sni_taken("a.test", CERT_ID, pool);
    is(err->message,
       "schema violation (snis: a.test already associated with existing "
       "certificate '" CERT_ID "')",
       "an SNI of another certificate");
    is_int(err->status, 400, "is a 400");
    err = gw_certificate_sni_not_found(pool);
    ok(err->status == 404 && strcmp(err->message, "SNI not found") == 0,
       "an unknown SNI in /certificates/{sni} is a 404");

    out = json("{\"id\":\"" CERT_ID "\"}");
    gw_certificate_add_snis(out, json("[\"b\",\"a\"]"), pool);
    is(gw_json_text(out, pool),
       "{\"id\":\"" CERT_ID "\",\"snis\":[\"a\",\"b\"]}",
       "answers carry the names sorted");
    gw_certificate_add_snis(out, NULL, pool);
    is(gw_json_text(gw_json_get(out, "snis"), pool), "[]",
       "and an empty list, never null");
}

/* --------------------------------------------------------------- snis */

static const char *sni_msg(const char *name)
{
    json_object *in = json("{\"certificate\":{\"id\":\"" CERT_ID "\"}}");

    json_object_object_add(in, "name", json_object_new_string(name));
    return post(&gw_entity_snis, in, NULL);
}

static void test_snis(void)
{
    static const char *const good[] = {
        "valid.name",         "foo.valid.name", "*",
        "*.wildcard.com",     "wildcard.*",     "test.wildcard.*",
        "*.test.wildcard.com"};
    static const struct {
        const char *name, *msg;
    } bad[] = {
        {"foo.*.com", "wildcard must be leftmost or rightmost character"},
        {"*.example.*", "only one wildcard must be specified"},
        {"*.*.wildcard.*", "only one wildcard must be specified"},
        {"valid.name:8000", "must not have a port"},
        {"*.wildcard.com:8000", "must not have a port"},
        {"test.wildcard.com:*", "invalid value: test.wildcard.com:wildcard"},
        {"127.0.0.1", "must not be an IP"},
        {"10.0.0.1:8001", "must not be an IP"},
        {"::1", "must not be an IP"},
        {"example^com", "invalid value: example^com"},
    };
    json_object *out = NULL;
    apr_size_t i;

    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        is(sni_msg(good[i]), "", apr_psprintf(pool, "SNI %s", good[i]));
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        is(sni_msg(bad[i].name),
           violation(apr_pstrcat(pool, "name: ", bad[i].msg, NULL)),
           apr_psprintf(pool, "SNI %s", bad[i].name));
    }
    is(post(&gw_entity_snis, json("{\"name\":\"a.test\"}"), NULL),
       violation("certificate: required field missing"),
       "an SNI belongs to a certificate");
    is(post(&gw_entity_snis,
            json("{\"name\":\"a.test\",\"certificate\":{\"id\":\"" CERT_ID
                 "\"}}"),
            &out),
       "", "name and certificate");
    is(out ? gw_json_text(gw_json_get(out, "certificate"), pool) : NULL,
       "{\"id\":\"" CERT_ID "\"}", "the certificate is a reference");
    ok(gw_entity_foreign_to(&gw_entity_snis, &gw_entity_certificates)->flags
           & GW_F_CASCADE,
       "SNIs go with their certificate");
}

/* ---------------------------------------------------- ca_certificates */

static void test_ca_certificates(void)
{
    const gw_entity_t *e = &gw_entity_ca_certificates;
    json_object *out = NULL;
    const char *msg;

    is(post(e, pems((const char *[]){"cert", CA_CERT, NULL}), &out), "",
       "a CA certificate");
    is(gw_json_str(out, "cert_digest"), CA_CERT_SHA256,
       "its digest is computed");
    is(post(e,
            pems((const char *[]){"cert", CA_CERT, "cert_digest", "forged",
                                  NULL}),
            &out),
       "", "a digest in the input");
    is(gw_json_str(out, "cert_digest"), CA_CERT_SHA256,
       "is replaced by the real one");
    is(post(e, pems((const char *[]){"cert", EXPIRED_CA_CERT, NULL}), NULL),
       violation("certificate expired, \"Not After\" time is in the past"),
       "an expired CA");
    is(post(e, pems((const char *[]){"cert", RSA_CERT, NULL}), NULL),
       violation("certificate does not appear to be a CA because it is "
                 "missing the \"CA\" basic constraint"),
       "a certificate that is no CA");
    is(post(e, pems((const char *[]){"cert", CA_CERT EXPIRED_CA_CERT, NULL}),
            NULL),
       violation("please submit only one certificate at a time"),
       "two certificates at once");
    msg = post(e, pems((const char *[]){"cert", "-----BEGIN", NULL}), NULL);
    ok(starts_with(msg, "schema violation (cert: invalid certificate: "),
       "an invalid certificate");
    is(post(e, json("{}"), NULL), violation("cert: required field missing"),
       "cert is required");
}

/* ----------------------------------------------------------- registry */

static int position(const gw_entity_t *e)
{
    const gw_entity_t *const *all = gw_entity_all();
    int i;

    for (i = 0; all[i]; i++) {
        if (all[i] == e) {
            return i;
        }
    }
    return -1;
}

static void test_registry(void)
{
    ok(gw_entity_find("certificates") == &gw_entity_certificates
           && gw_entity_find("snis") == &gw_entity_snis
           && gw_entity_find("ca_certificates") == &gw_entity_ca_certificates,
       "the TLS entities are registered");
    ok(position(&gw_entity_certificates) < position(&gw_entity_snis)
           && position(&gw_entity_certificates) < position(&gw_entity_upstreams)
           && position(&gw_entity_certificates) < position(&gw_entity_services),
       "certificates come before what references them");
    ok(gw_entity_find(
           gw_schema_field(gw_entity_upstreams.fields, "client_certificate")
               ->reference)
           == &gw_entity_certificates,
       "upstreams.client_certificate resolves to certificates");
    ok(gw_entity_find(
           gw_schema_field(gw_entity_services.fields, "client_certificate")
               ->reference)
           == &gw_entity_certificates,
       "so does services.client_certificate");
    is(gw_entity_endpoint_key(&gw_entity_snis, 0), "name",
       "SNIs are addressed by name");
    ok(!gw_entity_endpoint_key(&gw_entity_certificates, 0)
           && !gw_entity_endpoint_key(&gw_entity_ca_certificates, 0),
       "certificates by id (or an SNI, resolved by the Admin API)");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    plan(TESTS);
    test_pem_certs();
    test_pem_keys();
    test_certificates();
    test_certificate_snis();
    test_snis();
    test_ca_certificates();
    test_registry();
    apr_pool_destroy(pool);
    apr_terminate();
    return exit_status();
}
