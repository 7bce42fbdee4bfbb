/*
 * gw_text: byte-level text helpers. See gw_text.h.
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "gw_text.h"

int gw_text_utf8_valid(const char *str, apr_size_t len)
{
    return gw_text_utf8_error_at(str, len) == len;
}

apr_size_t gw_text_utf8_error_at(const char *str, apr_size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    apr_size_t i = 0;

    while (i < len) {
        unsigned char c = s[i];
        apr_size_t need, k;
        unsigned long cp;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
            cp = c & 0x1F;
        }
        else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            cp = c & 0x0F;
        }
        else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            cp = c & 0x07;
        }
        else {
            return i;
        }
        for (k = 1; k <= need; k++) {
            if (i + k >= len || (s[i + k] & 0xC0) != 0x80) {
                return i;
            }
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000)
            || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return i;
        }
        i += need + 1;
    }
    return len;
}

int gw_text_hexval(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

char *gw_text_unescape(const char *s, apr_size_t n, int plus_is_space,
                       apr_size_t *len, apr_pool_t *p)
{
    char *out = apr_palloc(p, n + 1);
    apr_size_t i, o = 0;

    for (i = 0; i < n; i++) {
        if (s[i] == '%') {
            int hi, lo;

            if (n - i < 3) {
                return NULL;
            }
            hi = gw_text_hexval((unsigned char)s[i + 1]);
            lo = gw_text_hexval((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0) {
                return NULL;
            }
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        }
        else if (plus_is_space && s[i] == '+') {
            out[o++] = ' ';
        }
        else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    if (len) {
        *len = o;
    }
    return out;
}

char *gw_text_escape(const char *s, apr_pool_t *p)
{
    static const char hex[] = "0123456789ABCDEF";
    apr_size_t n = strlen(s), o = 0, i;
    char *out = apr_palloc(p, n * 3 + 1);

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (apr_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out[o++] = (char)c;
        }
        else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
    return out;
}

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *gw_text_hex(const unsigned char *data, apr_size_t len, apr_pool_t *p)
{
    static const char digits[] = "0123456789abcdef";
    char *out = apr_palloc(p, len * 2 + 1);
    apr_size_t i;

    for (i = 0; i < len; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 15];
    }
    out[2 * len] = '\0';
    return out;
}

char *gw_text_b64url_encode(const unsigned char *d, apr_size_t len,
                            apr_pool_t *p)
{
    char *out = apr_palloc(p, (len + 2) / 3 * 4 + 1);
    apr_size_t i, o = 0;

    for (i = 0; i + 2 < len; i += 3) {
        unsigned long v =
            ((unsigned long)d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
        out[o++] = b64url[(v >> 18) & 63];
        out[o++] = b64url[(v >> 12) & 63];
        out[o++] = b64url[(v >> 6) & 63];
        out[o++] = b64url[v & 63];
    }
    if (len - i == 1) {
        unsigned long v = (unsigned long)d[i] << 16;
        out[o++] = b64url[(v >> 18) & 63];
        out[o++] = b64url[(v >> 12) & 63];
    }
    else if (len - i == 2) {
        unsigned long v = ((unsigned long)d[i] << 16) | (d[i + 1] << 8);
        out[o++] = b64url[(v >> 18) & 63];
        out[o++] = b64url[(v >> 12) & 63];
        out[o++] = b64url[(v >> 6) & 63];
    }
    out[o] = '\0';
    return out;
}

static int b64val(int c)
{
    const char *at;

    if (c == '+') {
        return 62; /* tolerate the standard alphabet too */
    }
    if (c == '/') {
        return 63;
    }
    at = c ? strchr(b64url, c) : NULL;
    return at ? (int)(at - b64url) : -1;
}

unsigned char *gw_text_b64url_decode(const char *s, apr_size_t *len,
                                     apr_pool_t *p)
{
    apr_size_t n = strlen(s), i, o = 0;
    unsigned char *out;
    unsigned long acc = 0;
    int bits = 0;

    while (n > 0 && s[n - 1] == '=') {
        n--;
    }
    if (n % 4 == 1) {
        return NULL;
    }
    out = apr_palloc(p, n * 3 / 4 + 1);
    for (i = 0; i < n; i++) {
        int v = b64val((unsigned char)s[i]);

        if (v < 0) {
            return NULL;
        }
        acc = (acc << 6) | (unsigned long)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)((acc >> bits) & 0xFF);
        }
    }
    out[o] = '\0';
    *len = o;
    return out;
}

char *gw_text_lua_quote(const char *s, apr_pool_t *p)
{
    apr_size_t n = strlen(s), i, o = 0;
    char *out = apr_palloc(p, n * 2 + 3);

    out[o++] = '"';
    for (i = 0; i < n; i++) {
        if (s[i] == '"' || s[i] == '\\') {
            out[o++] = '\\';
        }
        out[o++] = s[i];
    }
    out[o++] = '"';
    out[o] = '\0';
    return out;
}

int gw_text_prefix_ci(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

int gw_text_in_list(const char *s, const char *const *list)
{
    for (; s && *list; list++) {
        if (strcmp(s, *list) == 0) {
            return 1;
        }
    }
    return 0;
}
