/*
 * gw_entity_certificate: the Certificate entity (reference §2.7): a PEM
 * certificate and its private key that the gateway serves for the SNIs
 * that name it, optionally with an alternative pair of another key type
 * (an RSA and an ECDSA certificate for the same names). Its `snis` are
 * accepted on input and kept as rows of the SNI entity; see
 * gw_entity_certificate.h for that part of the contract.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "gw_entity.h"
#include "gw_entity_certificate.h"
#include "gw_json.h"
#include "gw_pem.h"

const char *gw_certificate_check_cert(json_object *v, apr_pool_t *p)
{
    gw_pem_cert_t *cert;
    const char *why;

    gw_pem_cert_read(&cert, &why, json_object_get_string(v),
                     (apr_size_t)json_object_get_string_len(v), p);
    return why;
}

const char *gw_certificate_check_key(json_object *v, apr_pool_t *p)
{
    const char *why;

    /* Kong would take a public key here too, and fail only when nginx
     * serves it; a certificate's key has to be the private one */
    gw_pem_key_check(&why, json_object_get_string(v),
                     (apr_size_t)json_object_get_string_len(v), 1, p);
    return why;
}

static const gw_field_t sni_element = {
    .name = "sni",
    .type = GW_T_STRING,
    .check = gw_schema_check_wildcard_host,
};

static const gw_field_t certificate_fields[] = {
    GW_FIELDS_ID_AND_TIMESTAMPS,
    {.name = "cert",
     .type = GW_T_STRING,
     .flags = GW_F_REQUIRED,
     .check = gw_certificate_check_cert},
    {.name = "key",
     .type = GW_T_STRING,
     .flags = GW_F_REQUIRED,
     .check = gw_certificate_check_key},
    {.name = "cert_alt",
     .type = GW_T_STRING,
     .check = gw_certificate_check_cert},
    {.name = "key_alt", .type = GW_T_STRING, .check = gw_certificate_check_key},
    GW_FIELD_TAGS,
    {.name = "snis",
     .type = GW_T_ARRAY,
     .flags = GW_F_TRANSIENT,
     .elements = &sni_element},
    {NULL}};

/* Kong's custom checks run only on fields that are present and valid. */
static int usable(gw_validation_t *v, json_object *ent, const char *field)
{
    return gw_json_str(ent, field) && !gw_validation_failed(v, field);
}

static void check_pair(gw_validation_t *v, json_object *ent,
                       const char *cert_field, const char *key_field,
                       const char *msg)
{
    int match = 0;

    if (!usable(v, ent, cert_field) || !usable(v, ent, key_field)) {
        return;
    }
    gw_pem_key_matches(&match, gw_json_str(ent, cert_field),
                       gw_json_str(ent, key_field));
    if (!match) {
        gw_validation_entity_error(v, msg);
    }
}

static void check_key_pair(gw_validation_t *v, json_object *ent)
{
    check_pair(v, ent, "cert", "key", "certificate does not match key");
}

static void check_alt_key_pair(gw_validation_t *v, json_object *ent)
{
    check_pair(v, ent, "cert_alt", "key_alt",
               "alternative certificate does not match key");
}

static int key_type(json_object *ent, const char *field, apr_pool_t *p)
{
    const char *pem = gw_json_str(ent, field), *why;
    gw_pem_cert_t *cert = NULL;

    gw_pem_cert_read(&cert, &why, pem, strlen(pem), p);
    return cert ? cert->key_type : 0;
}

static void check_alt_type(gw_validation_t *v, json_object *ent)
{
    if (!usable(v, ent, "cert") || !usable(v, ent, "cert_alt")) {
        return;
    }
    if (key_type(ent, "cert", v->pool) == key_type(ent, "cert_alt", v->pool)) {
        gw_validation_entity_error(
            v, "certificate and alternative certificate need to have "
               "different type (e.g. RSA and ECDSA), the provided "
               "certificates were both of the same type");
    }
}

static const gw_entity_check_t certificate_checks[] = {
    {.kind = GW_CHECK_MUTUALLY_REQUIRED,
     .fields = (const char *const[]){"cert_alt", "key_alt", NULL}},
    {.kind = GW_CHECK_CUSTOM, .fn = check_key_pair},
    {.kind = GW_CHECK_CUSTOM, .fn = check_alt_key_pair},
    {.kind = GW_CHECK_CUSTOM, .fn = check_alt_type},
    {0}};

/* Addressed by id, or by the name of one of its SNIs, which the Admin
 * API resolves (no endpoint key of its own). */
const gw_entity_t gw_entity_certificates = {
    .name = "certificates",
    .singular = "certificate",
    .fields = certificate_fields,
    .checks = certificate_checks,
};

/* ------------------------------------------------------------ snis */

void gw_certificate_snis_input(json_object *input, const char *url_name,
                               int put)
{
    json_object *snis = NULL;
    size_t i, n;

    if (!json_object_object_get_ex(input, "snis", &snis)) {
        if (put) {
            json_object_object_add(input, "snis", NULL);
        }
        return;
    }
    if (snis && json_object_is_type(snis, json_type_string)) {
        json_object *list = json_object_new_array();

        json_object_array_add(list, json_object_get(snis));
        json_object_object_add(input, "snis", list);
        snis = list;
    }
    if (!put || !url_name || !snis
        || !json_object_is_type(snis, json_type_array)) {
        return;
    }
    n = json_object_array_length(snis);
    for (i = 0; i < n; i++) {
        const char *s =
            json_object_get_string(json_object_array_get_idx(snis, i));

        if (s && strcmp(s, url_name) == 0) {
            return;
        }
    }
    json_object_array_add(snis, json_object_new_string(url_name));
}

static int by_string(const void *a, const void *b)
{
    return strcmp(json_object_get_string(*(json_object *const *)a),
                  json_object_get_string(*(json_object *const *)b));
}

/* A copy of the array names with its strings sorted. */
static json_object *sorted_names(json_object *names, apr_pool_t *p)
{
    json_object *out = gw_json_own(p, json_object_new_array());
    size_t i, n = names ? json_object_array_length(names) : 0;

    for (i = 0; i < n; i++) {
        json_object *s = json_object_array_get_idx(names, i);

        if (s && json_object_is_type(s, json_type_string)) {
            json_object_array_add(out, json_object_get(s));
        }
    }
    json_object_array_sort(out, by_string);
    return out;
}

/* The first name of the array snis that an earlier one repeats, in the
 * order given, as Kong reports it; NULL when all differ. */
static const char *first_repeat(json_object *snis)
{
    size_t i, j, n = json_object_array_length(snis);

    for (i = 1; i < n; i++) {
        const char *s =
            json_object_get_string(json_object_array_get_idx(snis, i));

        for (j = 0; s && j < i; j++) {
            const char *t =
                json_object_get_string(json_object_array_get_idx(snis, j));

            if (t && strcmp(s, t) == 0) {
                return s;
            }
        }
    }
    return NULL;
}

apr_status_t gw_certificate_snis_parse(json_object **names, gw_error_t **err,
                                       json_object *input, apr_pool_t *p)
{
    json_object *snis = NULL, *fields;
    const char *repeated;

    *names = NULL;
    *err = NULL;
    if (!json_object_object_get_ex(input, "snis", &snis)) {
        return APR_SUCCESS;
    }
    if (snis && !json_object_is_type(snis, json_type_array)) {
        /* not a list: gw_entity_prepare says "expected an array" */
        return APR_SUCCESS;
    }
    if (snis && (repeated = first_repeat(snis)) != NULL) {
        fields = gw_json_own(p, json_object_new_object());
        json_object_object_add(fields, "snis",
                               json_object_new_string(apr_pstrcat(
                                   p, repeated, " is duplicated", NULL)));
        *err = gw_error_schema(p, fields);
        return APR_EINVAL;
    }
    *names = sorted_names(snis, p);
    return APR_SUCCESS;
}

gw_error_t *gw_certificate_sni_taken(const char *name, const char *cert_id,
                                     apr_pool_t *p)
{
    json_object *fields = gw_json_own(p, json_object_new_object());

    json_object_object_add(
        fields, "snis",
        json_object_new_string(apr_psprintf(
            p, "%s already associated with existing certificate '%s'", name,
            cert_id)));
    return gw_error_schema(p, fields);
}

gw_error_t *gw_certificate_sni_not_found(apr_pool_t *p)
{
    return gw_error_plain(p, 404, "SNI not found");
}

void gw_certificate_add_snis(json_object *cert, json_object *names,
                             apr_pool_t *p)
{
    json_object_object_add(cert, "snis",
                           json_object_get(sorted_names(names, p)));
}
