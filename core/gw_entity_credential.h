/*
 * gw_entity_credential: what the auth plugins and the Admin API share
 * about the credential entities (reference §2.8) beyond their schemas.
 *
 * Basic-auth passwords are stored hashed: gw_entity_prepare hashes the
 * password of a basicauth_credentials entity on insert and upsert, and on
 * update when the password changed (Kong's transformation). Inputs that
 * already hold the stored hash, such as a declarative file with
 * `_transform: false` or one exported by db_export, go through
 * gw_entity_prepare_ex with GW_PREPARE_RAW instead.
 */
#ifndef GW_ENTITY_CREDENTIAL_H
#define GW_ENTITY_CREDENTIAL_H

#include <apr_pools.h>

/* Kong's crypto.hash(consumer_id, password): the lowercase hex SHA-1 of
 * password followed by consumer_id (consumer_id alone for a NULL
 * password), as basic-auth stores and compares it. Owned by p. */
const char *gw_credential_basicauth_hash(const char *password,
                                         const char *consumer_id,
                                         apr_pool_t *p);

#endif
