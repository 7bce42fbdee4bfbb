/*
 * mod_gateway_admin_certificates: what /certificates does beyond the
 * generic entity endpoints, as Kong's certificates DAO (kong-behaviour.md
 * §2.7): a certificate carries the names of its SNIs (`snis`, stored as
 * rows of the snis entity and written with it in the same transaction),
 * and /certificates/{name} addresses a certificate by one of its SNIs.
 * The rules themselves are in core/gw_entity_certificate.h; this is the
 * store side.
 */
#ifndef MOD_GATEWAY_ADMIN_CERTIFICATES_H
#define MOD_GATEWAY_ADMIN_CERTIFICATES_H

#include <json.h>

#include "gw_error.h"
#include "gw_store.h"

/* The certificate whose SNI is called name; *out NULL if none. */
apr_status_t gw_admin_cert_by_sni(json_object **out, gw_store_t *st,
                                  const char *name);

/* Adds "snis" (its SNI names, sorted) to cert. */
apr_status_t gw_admin_cert_decorate(gw_store_t *st, json_object *cert);

/* The same for every certificate of a list page, in one query. */
apr_status_t gw_admin_cert_decorate_list(gw_store_t *st, json_object *certs);

/* Before a certificate write: takes the SNI names out of input (url_name:
 * the SNI the URL named, NULL for an id; put: a PUT) into *names (NULL:
 * leave the SNIs alone) and checks that no other certificate than
 * cert_id holds one. *err is the client's error, if any. */
apr_status_t gw_admin_cert_before_write(json_object **names, gw_error_t **err,
                                        gw_store_t *st, json_object *input,
                                        const char *url_name, int put,
                                        const char *cert_id, apr_pool_t *p);

/* After it: makes the certificate's SNI rows exactly names (when not
 * NULL) and adds "snis" to cert. *err is set for an invalid name. */
apr_status_t gw_admin_cert_after_write(gw_error_t **err, gw_store_t *st,
                                       json_object *cert, json_object *names,
                                       apr_pool_t *p);

#endif
