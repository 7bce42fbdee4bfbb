/*
 * gw_pem: what the configuration needs to know about PEM certificates and
 * keys, read with OpenSSL: is this a certificate, is this a key, do they
 * belong together, what kind of key is it, is the certificate a CA, when
 * does it expire, what is its SHA-256 fingerprint.
 *
 * Only plain data leaves this file: OpenSSL objects are created and freed
 * inside each call, so callers need no OpenSSL header. Results and
 * messages are allocated from the pool passed in. Messages are Kong's
 * (typedefs.certificate / typedefs.key): "invalid certificate: <reason>",
 * "invalid key: <reason>", where the reason is lua-resty-openssl's
 * rendering of the first OpenSSL error ("x509.new: error:...:file:line:").
 * Inputs longer than GW_PEM_MAX bytes are refused before OpenSSL sees
 * them. Keys under a passphrase are refused, never prompted for.
 */
#ifndef GW_PEM_H
#define GW_PEM_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_time.h>

/* The longest PEM text accepted: a certificate with a long chain. */
#define GW_PEM_MAX (64 * 1024)

/* What one certificate says about itself. */
typedef struct {
    int key_type;              /* OpenSSL's base id of its public key
                                  (EVP_PKEY_RSA, EVP_PKEY_EC, ...) */
    const char *key_type_name; /* "RSA", "EC", "ED25519", ... */
    int is_ca;                 /* basicConstraints says CA:TRUE */
    apr_time_t not_before, not_after;
    const char *sha256;        /* lowercase hex SHA-256 of the DER */
    apr_array_header_t *names; /* const char *: the DNS subject
                                  alternative names, else the CN */
} gw_pem_cert_t;

/* Reads the first certificate of pem[0..len) into *out (owned by p). On
 * failure returns APR_EINVAL, *out is NULL and *why is Kong's message
 * ("invalid certificate: x509.new: ..."). */
apr_status_t gw_pem_cert_read(gw_pem_cert_t **out, const char **why,
                              const char *pem, apr_size_t len, apr_pool_t *p);

/* Checks that pem[0..len) holds a private key or, unless private_only, a
 * public key. On failure returns APR_EINVAL with Kong's message in *why
 * ("invalid key: pkey.new:load_key: ..."). */
apr_status_t gw_pem_key_check(const char **why, const char *pem, apr_size_t len,
                              int private_only, apr_pool_t *p);

/* How many certificates pem holds, counted as Kong counts them: by their
 * "-----BEGIN CERTIFICATE-----" lines. */
int gw_pem_cert_count(const char *pem);

/* *match is 1 when key (PEM) is the key of cert's public key, else 0.
 * Returns APR_EINVAL when either does not parse (*match is then 0). */
apr_status_t gw_pem_key_matches(int *match, const char *cert, const char *key);

#endif
