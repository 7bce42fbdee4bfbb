/*
 * mod_gateway_admin_certificates: certificates and their SNIs. See
 * mod_gateway_admin_certificates.h.
 */
#include <httpd.h>
#include <apr_hash.h>
#include <apr_strings.h>

#include "gw_entity_certificate.h"
#include "gw_json.h"
#include "mod_gateway_admin_certificates.h"

apr_status_t gw_admin_cert_by_sni(json_object **out, gw_store_t *st,
                                  const char *name)
{
    json_object *sni;
    const char *id;

    *out = NULL;
    if (gw_store_select(&sni, st, &gw_entity_snis, "name", name)
        != APR_SUCCESS) {
        return APR_EGENERAL;
    }
    id = sni ? gw_json_str(gw_json_get(sni, "certificate"), "id") : NULL;
    if (!id) {
        return APR_SUCCESS;
    }
    return gw_store_select(out, st, &gw_entity_certificates, "id", id);
}

/* The SNI rows of certificate id, in id order. */
static apr_status_t snis_of(json_object **rows, gw_store_t *st, const char *id)
{
    gw_store_query_t q;
    const char *after;

    memset(&q, 0, sizeof(q));
    q.size = 100000;
    q.fk_column = "certificate_id";
    q.fk_value = id;
    return gw_store_page(rows, &after, st, &gw_entity_snis, &q);
}

apr_status_t gw_admin_cert_decorate(gw_store_t *st, json_object *cert)
{
    json_object *one = gw_json_own(st->pool, json_object_new_array());

    json_object_array_add(one, json_object_get(cert));
    return gw_admin_cert_decorate_list(st, one);
}

apr_status_t gw_admin_cert_decorate_list(gw_store_t *st, json_object *certs)
{
    apr_hash_t *names = apr_hash_make(st->pool);
    gw_store_query_t q;
    json_object *rows;
    const char *after;
    size_t i, n = json_object_array_length(certs);

    if (n == 0) {
        return APR_SUCCESS;
    }
    memset(&q, 0, sizeof(q));
    q.size = 1000000;
    q.fk_column = "certificate_id";
    q.fk_values = apr_array_make(st->pool, (int)n, sizeof(const char *));
    for (i = 0; i < n; i++) {
        json_object *cert = json_object_array_get_idx(certs, i);

        APR_ARRAY_PUSH(q.fk_values, const char *) = gw_json_str(cert, "id");
        apr_hash_set(names, gw_json_str(cert, "id"), APR_HASH_KEY_STRING,
                     gw_json_own(st->pool, json_object_new_array()));
    }
    if (gw_store_page(&rows, &after, st, &gw_entity_snis, &q) != APR_SUCCESS) {
        return APR_EGENERAL;
    }
    for (i = 0; i < json_object_array_length(rows); i++) {
        json_object *sni = json_object_array_get_idx(rows, i);
        json_object *list = apr_hash_get(
            names, gw_json_str(gw_json_get(sni, "certificate"), "id"),
            APR_HASH_KEY_STRING);

        if (list) {
            json_object_array_add(list,
                                  json_object_get(gw_json_get(sni, "name")));
        }
    }
    for (i = 0; i < n; i++) {
        json_object *cert = json_object_array_get_idx(certs, i);

        gw_certificate_add_snis(
            cert,
            apr_hash_get(names, gw_json_str(cert, "id"), APR_HASH_KEY_STRING),
            st->pool);
    }
    return APR_SUCCESS;
}

apr_status_t gw_admin_cert_before_write(json_object **names, gw_error_t **err,
                                        gw_store_t *st, json_object *input,
                                        const char *url_name, int put,
                                        const char *cert_id, apr_pool_t *p)
{
    size_t i, n;

    *err = NULL;
    if (url_name || put || cert_id) {
        gw_certificate_snis_input(input, url_name, put);
    }
    if (gw_certificate_snis_parse(names, err, input, p) != APR_SUCCESS) {
        return APR_SUCCESS;
    }
    n = *names ? json_object_array_length(*names) : 0;
    for (i = 0; i < n; i++) {
        const char *name =
            json_object_get_string(json_object_array_get_idx(*names, i));
        json_object *sni;
        const char *owner;

        if (gw_store_select(&sni, st, &gw_entity_snis, "name", name)
            != APR_SUCCESS) {
            return APR_EGENERAL;
        }
        owner = sni ? gw_json_str(gw_json_get(sni, "certificate"), "id") : NULL;
        if (owner && (!cert_id || strcmp(owner, cert_id) != 0)) {
            *err = gw_certificate_sni_taken(name, owner, p);
            return APR_SUCCESS;
        }
    }
    return APR_SUCCESS;
}

static int listed(json_object *names, const char *name)
{
    size_t i, n = json_object_array_length(names);

    for (i = 0; i < n; i++) {
        if (strcmp(json_object_get_string(json_object_array_get_idx(names, i)),
                   name)
            == 0) {
            return 1;
        }
    }
    return 0;
}

apr_status_t gw_admin_cert_after_write(gw_error_t **err, gw_store_t *st,
                                       json_object *cert, json_object *names,
                                       apr_pool_t *p)
{
    const char *id = gw_json_str(cert, "id");
    json_object *rows, *have;
    size_t i, n;
    int deleted;

    *err = NULL;
    if (names) {
        if (snis_of(&rows, st, id) != APR_SUCCESS) {
            return APR_EGENERAL;
        }
        have = gw_json_own(p, json_object_new_array());
        n = json_object_array_length(rows);
        for (i = 0; i < n; i++) {
            json_object *row = json_object_array_get_idx(rows, i);
            const char *name = gw_json_str(row, "name");

            if (listed(names, name)) {
                json_object_array_add(have, json_object_new_string(name));
            }
            else if (gw_store_delete(st, &gw_entity_snis,
                                     gw_json_str(row, "id"), &deleted)
                     != APR_SUCCESS) {
                return APR_EGENERAL;
            }
        }
        n = json_object_array_length(names);
        for (i = 0; i < n; i++) {
            const char *name =
                json_object_get_string(json_object_array_get_idx(names, i));
            json_object *input, *sni, *ref;

            if (listed(have, name)) {
                continue;
            }
            input = gw_json_own(p, json_object_new_object());
            ref = json_object_new_object();
            json_object_object_add(ref, "id", json_object_new_string(id));
            json_object_object_add(input, "name", json_object_new_string(name));
            json_object_object_add(input, "certificate", ref);
            if (gw_entity_prepare(&sni, err, &gw_entity_snis, GW_OP_INSERT,
                                  input, NULL, apr_time_now(), p)
                != APR_SUCCESS) {
                return APR_SUCCESS;
            }
            if (gw_store_write(st, &gw_entity_snis, sni, 0) != APR_SUCCESS) {
                return APR_EGENERAL;
            }
        }
    }
    return gw_admin_cert_decorate(st, cert);
}
