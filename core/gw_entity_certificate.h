/*
 * gw_entity_certificate: what the Admin API needs beyond the
 * `certificates` entity itself to behave like Kong's certificates DAO
 * (reference §2.7): the transient `snis` list, and the validators that
 * other entities (ca_certificates) share.
 *
 * A certificate's SNIs are rows of the `snis` entity. Kong accepts them
 * as a `snis` array in the certificate's body and answers with them, so
 * the Admin API glue, for POST/PUT/PATCH on /certificates[/{c}]:
 *   1. gw_certificate_snis_input()  (PUT/PATCH on /certificates/{c} only)
 *   2. gw_certificate_snis_parse()  -> names (NULL: leave SNIs alone)
 *   3. for each name, an existing SNI row on another certificate fails
 *      with gw_certificate_sni_taken()
 *   4. gw_entity_prepare() on the certificate, write it
 *   5. with names: insert the SNI rows not there yet (gw_entity_prepare on
 *      gw_entity_snis with {"name":n,"certificate":{"id":...}}), delete
 *      the certificate's other SNI rows
 *   6. gw_certificate_add_snis() on the output (always, on every read
 *      too: GET of one certificate and every page of the list)
 * /certificates/{key}: a key that is not a UUID is an SNI name; the
 * certificate is that SNI's. No such SNI: 404 gw_certificate_sni_not_found(),
 * except for PUT, which creates a certificate with a new id.
 * Deleting a certificate deletes its SNIs (the foreign key cascades).
 * Everything is allocated from the pool passed in.
 */
#ifndef GW_ENTITY_CERTIFICATE_H
#define GW_ENTITY_CERTIFICATE_H

#include <apr_pools.h>
#include <json.h>

#include "gw_error.h"

/* Kong's prepare_args for PUT and PATCH on /certificates/{c}: a lone
 * string in input's "snis" becomes a one-element array; on PUT the SNI
 * name the URL gave (url_name, NULL when the URL gave an id) is added to
 * the list when missing, and a PUT without "snis" sets it to null, which
 * removes the certificate's SNIs. */
void gw_certificate_snis_input(json_object *input, const char *url_name,
                               int put);

/* Kong's parse_name_list: the SNI names input's "snis" asks for, sorted,
 * in *names (owned by p): NULL when input has no "snis" (the SNIs stay as
 * they are), an empty array for null. A name given twice fails with
 * APR_EINVAL and Kong's "schema violation (snis: <name> is duplicated)".
 * The names themselves are validated by gw_entity_prepare. */
apr_status_t gw_certificate_snis_parse(json_object **names, gw_error_t **err,
                                       json_object *input, apr_pool_t *p);

/* Kong's error for an SNI already on another certificate: "schema
 * violation (snis: <name> already associated with existing certificate
 * '<cert_id>')". */
gw_error_t *gw_certificate_sni_taken(const char *name, const char *cert_id,
                                     apr_pool_t *p);

/* 404 {"message":"SNI not found"}. */
gw_error_t *gw_certificate_sni_not_found(apr_pool_t *p);

/* Sets cert's "snis" to names (an array of strings, sorted here; NULL is
 * an empty array), as every certificate answer carries it. */
void gw_certificate_add_snis(json_object *cert, json_object *names,
                             apr_pool_t *p);

/* Field validators: typedefs.certificate ("invalid certificate: ...")
 * and typedefs.key ("invalid key: ..."; a private key). */
const char *gw_certificate_check_cert(json_object *v, apr_pool_t *p);
const char *gw_certificate_check_key(json_object *v, apr_pool_t *p);

#endif
