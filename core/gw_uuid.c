/*
 * gw_uuid: UUID generation and checks. See gw_uuid.h.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "gw_uuid.h"

static const char *format_uuid(const unsigned char b[16], apr_pool_t *p)
{
    return apr_psprintf(p,
                        "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                        "%02x%02x%02x%02x%02x%02x",
                        b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8],
                        b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

const char *gw_uuid_v4(apr_pool_t *p)
{
    unsigned char b[16];

    if (RAND_bytes(b, sizeof(b)) != 1) {
        /* The CSPRNG failing is not recoverable; never hand out a
         * predictable id instead. */
        abort();
    }
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    return format_uuid(b, p);
}

const char *gw_uuid_random_key(apr_pool_t *p)
{
    static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                "abcdefghijklmnopqrstuvwxyz0123456789";
    char *out = apr_palloc(p, GW_UUID_KEY_LEN + 1);
    int n = 0;

    while (n < GW_UUID_KEY_LEN) {
        unsigned char b[GW_UUID_KEY_LEN];
        int i;

        if (RAND_bytes(b, sizeof(b)) != 1) {
            abort(); /* as in gw_uuid_v4 */
        }
        for (i = 0; i < GW_UUID_KEY_LEN && n < GW_UUID_KEY_LEN; i++) {
            /* 248 = 4 * 62: rejecting the rest keeps every character
             * equally likely */
            if (b[i] < 248) {
                out[n++] = alnum[b[i] % 62];
            }
        }
    }
    out[n] = '\0';
    return out;
}

static int parse_uuid(const char *s, unsigned char out[16])
{
    int i, n = 0;

    if (!gw_uuid_valid(s)) {
        return 0;
    }
    for (i = 0; s[i] && n < 16; i++) {
        char pair[3];

        if (s[i] == '-') {
            continue;
        }
        pair[0] = s[i];
        pair[1] = s[i + 1];
        pair[2] = '\0';
        out[n++] = (unsigned char)strtol(pair, NULL, 16);
        i++;
    }
    return n == 16;
}

const char *gw_uuid_v5(const char *ns, const char *name, apr_pool_t *p)
{
    unsigned char nsb[16], md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx;

    if (!parse_uuid(ns, nsb)) {
        return NULL;
    }
    ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) != 1
        || EVP_DigestUpdate(ctx, nsb, sizeof(nsb)) != 1
        || EVP_DigestUpdate(ctx, name, strlen(name)) != 1
        || EVP_DigestFinal_ex(ctx, md, &mdlen) != 1) {
        EVP_MD_CTX_free(ctx);
        return NULL;
    }
    EVP_MD_CTX_free(ctx);
    md[6] = (unsigned char)((md[6] & 0x0F) | 0x50);
    md[8] = (unsigned char)((md[8] & 0x3F) | 0x80);
    return format_uuid(md, p);
}

int gw_uuid_valid(const char *s)
{
    static const int dash[] = {8, 13, 18, 23};
    int i, d = 0;

    if (!s || strlen(s) != GW_UUID_LEN) {
        return 0;
    }
    for (i = 0; i < GW_UUID_LEN; i++) {
        if (d < 4 && i == dash[d]) {
            if (s[i] != '-') {
                return 0;
            }
            d++;
        }
        else if (!apr_isxdigit(s[i])) {
            return 0;
        }
    }
    return 1;
}
