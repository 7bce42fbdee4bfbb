/*
 * gw_entity_ca_certificate: the CA Certificate entity (reference §2.7):
 * one trusted CA certificate that services use to verify their upstreams
 * (services.ca_certificates holds their ids). Its cert_digest, the
 * SHA-256 of the DER in lowercase hex, is computed by the server and is
 * unique, so one CA is stored once.
 */
#include <string.h>

#include <apr_time.h>

#include "gw_entity.h"
#include "gw_entity_certificate.h"
#include "gw_json.h"
#include "gw_pem.h"

static const gw_field_t ca_certificate_fields[] = {
    GW_FIELDS_ID_AND_TIMESTAMPS,
    {.name = "cert",
     .type = GW_T_STRING,
     .flags = GW_F_REQUIRED,
     .check = gw_certificate_check_cert},
    {.name = "cert_digest", .type = GW_T_STRING, .flags = GW_F_UNIQUE},
    GW_FIELD_TAGS,
    {NULL}};

/* Kong's custom check, on a cert that parsed: one certificate, not
 * expired now, a CA by its basic constraints; the first failure only. */
static void check_ca(gw_validation_t *v, json_object *ent)
{
    const char *pem = gw_json_str(ent, "cert"), *why;
    gw_pem_cert_t *cert;

    if (!pem || gw_validation_failed(v, "cert")) {
        return;
    }
    if (gw_pem_cert_count(pem) > 1) {
        gw_validation_entity_error(
            v, "please submit only one certificate at a time");
        return;
    }
    if (gw_pem_cert_read(&cert, &why, pem, strlen(pem), v->pool)
        != APR_SUCCESS) {
        return;
    }
    if (cert->not_after < apr_time_now()) {
        gw_validation_entity_error(
            v, "certificate expired, \"Not After\" time is in the past");
    }
    else if (!cert->is_ca) {
        gw_validation_entity_error(v, "certificate does not appear to be a CA "
                                      "because it is missing the \"CA\" "
                                      "basic constraint");
    }
}

static const gw_entity_check_t ca_certificate_checks[] = {
    {.kind = GW_CHECK_CUSTOM, .fn = check_ca}, {0}};

/* Kong computes the digest in a transformation that a declarative
 * `_transform: false` skips; here it always follows the certificate,
 * whatever the client sent as cert_digest, as it costs nothing and the
 * column may not be null. A cert that does not parse fails validation. */
static void set_digest(const gw_entity_t *e, gw_op_e op, json_object *ent,
                       const json_object *existing, gw_validation_t *v,
                       apr_pool_t *p)
{
    const char *pem = gw_json_str(ent, "cert"), *why;
    gw_pem_cert_t *cert;

    (void)e;
    (void)op;
    (void)existing;
    (void)v;
    if (pem && gw_pem_cert_read(&cert, &why, pem, strlen(pem), p) == APR_SUCCESS
        && cert->sha256) {
        json_object_object_add(ent, "cert_digest",
                               json_object_new_string(cert->sha256));
    }
}

const gw_entity_t gw_entity_ca_certificates = {
    .name = "ca_certificates",
    .singular = "ca_certificate",
    .fields = ca_certificate_fields,
    .checks = ca_certificate_checks,
    .complete = set_digest,
};
