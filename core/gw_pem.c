/*
 * gw_pem: certificates and keys read with OpenSSL. See gw_pem.h.
 *
 * Every function clears OpenSSL's error queue before it starts and after
 * it has taken its message from it, so that one failure never shows up
 * in the message of the next call made on the same thread.
 */
#include <string.h>

#include <apr_strings.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "gw_pem.h"
#include "gw_text.h"

#define CERT_TAG "-----BEGIN CERTIFICATE-----"

/* Never asks for a passphrase: OpenSSL's default callback would prompt
 * on the terminal of a server process. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return 0;
}

/* lua-resty-openssl's format_error(ctx): the first queued error as
 * "<ctx>: error:<code>:<lib>::<reason>:<file>:<line>:", the file shown
 * from its crypto/ or providers/ directory on. */
static const char *openssl_reason(const char *ctx, apr_pool_t *p)
{
    const char *file = NULL, *path, *out;
    int line = 0;
    unsigned long code = ERR_peek_error_all(&file, &line, NULL, NULL, NULL);
    char buf[256];

    if (code == 0) {
        return apr_pstrcat(p, ctx, ": unknown error", NULL);
    }
    ERR_error_string_n(code, buf, sizeof(buf));
    path = file ? file : "";
    if (strstr(path, "crypto/")) {
        path = strstr(path, "crypto/") + strlen("crypto/");
    }
    else if (strstr(path, "providers/")) {
        path = strstr(path, "providers/");
    }
    /* the file name lives in the error record: copied before clearing */
    out = apr_psprintf(p, "%s: %s:%s:%d:", ctx, buf, path, line);
    ERR_clear_error();
    return out;
}

static BIO *open_text(const char *pem, apr_size_t len)
{
    return len <= GW_PEM_MAX ? BIO_new_mem_buf(pem, (int)len) : NULL;
}

static X509 *read_cert(const char *pem, apr_size_t len)
{
    BIO *bio = open_text(pem, len);
    X509 *x = bio ? PEM_read_bio_X509(bio, NULL, no_passphrase, NULL) : NULL;

    BIO_free(bio);
    return x;
}

static EVP_PKEY *read_key(const char *pem, apr_size_t len, int private_only)
{
    BIO *bio = open_text(pem, len);
    EVP_PKEY *key;

    if (!bio) {
        return NULL;
    }
    /* the first error queued, the one reported, stays the private key's
     * (pkey.new also tries the private form first) */
    key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
    if (!key && !private_only && BIO_reset(bio) == 1) {
        key = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
    }
    BIO_free(bio);
    return key;
}

static apr_time_t asn1_time(const ASN1_TIME *t)
{
    struct tm tm;
    apr_time_exp_t exp;
    apr_time_t out = 0;

    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) {
        return 0;
    }
    memset(&exp, 0, sizeof(exp));
    exp.tm_sec = tm.tm_sec;
    exp.tm_min = tm.tm_min;
    exp.tm_hour = tm.tm_hour;
    exp.tm_mday = tm.tm_mday;
    exp.tm_mon = tm.tm_mon;
    exp.tm_year = tm.tm_year;
    return apr_time_exp_gmt_get(&out, &exp) == APR_SUCCESS ? out : 0;
}

/* get_basic_constraints("CA") in Kong: the extension's flag only, so a
 * version 1 self-signed certificate is not a CA here (OpenSSL's
 * X509_check_ca() would say it is). */
static int basic_constraints_ca(X509 *x)
{
    BASIC_CONSTRAINTS *bc =
        X509_get_ext_d2i(x, NID_basic_constraints, NULL, NULL);
    int ca = bc && bc->ca;

    BASIC_CONSTRAINTS_free(bc);
    return ca;
}

static apr_array_header_t *subject_names(X509 *x, apr_pool_t *p)
{
    apr_array_header_t *names = apr_array_make(p, 2, sizeof(const char *));
    GENERAL_NAMES *sans = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    int i, n = sans ? sk_GENERAL_NAME_num(sans) : 0;

    for (i = 0; i < n; i++) {
        const GENERAL_NAME *gn = sk_GENERAL_NAME_value(sans, i);

        if (gn->type == GEN_DNS) {
            const ASN1_IA5STRING *s = gn->d.dNSName;

            APR_ARRAY_PUSH(names, const char *) =
                apr_pstrmemdup(p, (const char *)ASN1_STRING_get0_data(s),
                               (apr_size_t)ASN1_STRING_length(s));
        }
    }
    GENERAL_NAMES_free(sans);
    if (names->nelts == 0) {
        X509_NAME *subject = X509_get_subject_name(x);
        int at = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
        ASN1_STRING *cn =
            at >= 0 ? X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at))
                    : NULL;

        if (cn) {
            APR_ARRAY_PUSH(names, const char *) =
                apr_pstrmemdup(p, (const char *)ASN1_STRING_get0_data(cn),
                               (apr_size_t)ASN1_STRING_length(cn));
        }
    }
    return names;
}

static const char *too_large(const char *what, apr_pool_t *p)
{
    return apr_psprintf(p, "invalid %s: longer than %d bytes", what,
                        GW_PEM_MAX);
}

apr_status_t gw_pem_cert_read(gw_pem_cert_t **out, const char **why,
                              const char *pem, apr_size_t len, apr_pool_t *p)
{
    gw_pem_cert_t *c;
    EVP_PKEY *pub;
    X509 *x;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    *out = NULL;
    *why = NULL;
    if (len > GW_PEM_MAX) {
        *why = too_large("certificate", p);
        return APR_EINVAL;
    }
    ERR_clear_error();
    x = read_cert(pem, len);
    if (!x) {
        *why = apr_pstrcat(
            p, "invalid certificate: ", openssl_reason("x509.new", p), NULL);
        return APR_EINVAL;
    }
    c = apr_pcalloc(p, sizeof(*c));
    pub = X509_get0_pubkey(x);
    c->key_type = pub ? EVP_PKEY_get_base_id(pub) : 0;
    c->key_type_name = apr_pstrdup(p, pub && EVP_PKEY_get0_type_name(pub)
                                          ? EVP_PKEY_get0_type_name(pub)
                                          : "unknown");
    c->is_ca = basic_constraints_ca(x);
    c->not_before = asn1_time(X509_get0_notBefore(x));
    c->not_after = asn1_time(X509_get0_notAfter(x));
    if (X509_digest(x, EVP_sha256(), md, &mdlen) == 1) {
        c->sha256 = gw_text_hex(md, mdlen, p);
    }
    c->names = subject_names(x, p);
    X509_free(x);
    ERR_clear_error();
    *out = c;
    return APR_SUCCESS;
}

apr_status_t gw_pem_key_check(const char **why, const char *pem, apr_size_t len,
                              int private_only, apr_pool_t *p)
{
    EVP_PKEY *key;

    *why = NULL;
    if (len > GW_PEM_MAX) {
        *why = too_large("key", p);
        return APR_EINVAL;
    }
    ERR_clear_error();
    key = read_key(pem, len, private_only);
    if (!key) {
        *why = apr_pstrcat(
            p, "invalid key: ", openssl_reason("pkey.new:load_key", p), NULL);
        return APR_EINVAL;
    }
    EVP_PKEY_free(key);
    ERR_clear_error();
    return APR_SUCCESS;
}

int gw_pem_cert_count(const char *pem)
{
    int n = 0;

    for (; (pem = strstr(pem, CERT_TAG)) != NULL; pem += strlen(CERT_TAG)) {
        n++;
    }
    return n;
}

apr_status_t gw_pem_key_matches(int *match, const char *cert, const char *key)
{
    X509 *x;
    EVP_PKEY *k;

    *match = 0;
    ERR_clear_error();
    x = read_cert(cert, strlen(cert));
    k = read_key(key, strlen(key), 0);
    if (x && k) {
        /* Kong compares the two public keys' PEM texts: the same test */
        *match = EVP_PKEY_eq(X509_get0_pubkey(x), k) == 1;
    }
    X509_free(x);
    EVP_PKEY_free(k);
    ERR_clear_error();
    return x && k ? APR_SUCCESS : APR_EINVAL;
}
