/*
 * gw_upath: request path normalisation and upstream path composition.
 * See gw_upath.h.
 */
#include <string.h>

#include <apr_strings.h>

#include "gw_text.h"
#include "gw_upath.h"

/* RFC 3986 character classes as bitmaps over ASCII (bit c%64 of word
 * c/64). unreserved: ALPHA DIGIT - . _ ~; reserved: the gen-delims and
 * sub-delims :/?#[]@!$&'()*+,;= whose escapes must stay escaped and whose
 * raw form stays raw. test_upath checks both against those lists for all
 * 256 byte values. */
static const apr_uint64_t unreserved_bits[2] = {0x03FF600000000000ULL,
                                                0x47FFFFFE87FFFFFEULL};
static const apr_uint64_t reserved_bits[2] = {0xAC009FDA00000000ULL,
                                              0x0000000028000001ULL};

static int in_class(const apr_uint64_t *bits, unsigned char c)
{
    return c < 128 && ((bits[c >> 6] >> (c & 63)) & 1);
}

static int is_unreserved(unsigned char c)
{
    return in_class(unreserved_bits, c);
}

static int is_reserved(unsigned char c)
{
    return in_class(reserved_bits, c);
}

/* True when raw is already in canonical form: no escapes, only characters
 * that stay raw, no empty or dot segments. Most request paths are. */
static int is_canonical(const char *raw)
{
    const unsigned char *s = (const unsigned char *)raw;

    for (; *s; s++) {
        if (*s == '/') {
            if (s[1] == '/'
                || (s[1] == '.'
                    && (!s[2] || s[2] == '/'
                        || (s[2] == '.' && (!s[3] || s[3] == '/'))))) {
                return 0;
            }
        }
        else if (!is_unreserved(*s) && !is_reserved(*s)) {
            return 0; /* '%' included */
        }
    }
    return 1;
}

static char *put_escape(char *o, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";

    *o++ = '%';
    *o++ = hex[c >> 4];
    *o++ = hex[c & 0x0F];
    return o;
}

/* First pass: canonical escaping. Writes at most 3 bytes per input byte. */
static apr_status_t canonical_escapes(char *out, apr_size_t *olen,
                                      const char *raw)
{
    const unsigned char *s = (const unsigned char *)raw;
    char *o = out;

    while (*s) {
        if (*s == '%') {
            int hi = gw_text_hexval(s[1]),
                lo = hi < 0 ? -1 : gw_text_hexval(s[2]);
            unsigned char c;

            if (hi < 0 || lo < 0) {
                return APR_EINVAL;
            }
            c = (unsigned char)(hi << 4 | lo);
            if (c == '\0') {
                return APR_EINVAL;
            }
            if (is_unreserved(c)) {
                *o++ = (char)c;
            }
            else {
                o = put_escape(o, c);
            }
            s += 3;
        }
        else if (is_unreserved(*s) || is_reserved(*s)) {
            *o++ = (char)*s++;
        }
        else {
            o = put_escape(o, *s++);
        }
    }
    *o = '\0';
    *olen = (apr_size_t)(o - out);
    return APR_SUCCESS;
}

/* Second pass, in place: RFC 3986 dot-segment removal plus merging of
 * empty segments. out always holds "/" followed by kept segments, each
 * terminated by '/'; the final slash is dropped again unless the input
 * ended in a way that asks for one ("/a/", "/a/.", "/a/b/.."). */
static apr_size_t resolve_segments(char *buf, apr_size_t len)
{
    apr_size_t i = 1, o = 1;
    int trailing = 1;

    while (i <= len) {
        apr_size_t start = i, n;

        while (i < len && buf[i] != '/') {
            i++;
        }
        n = i - start;
        i++; /* the slash, or one past the end */
        if (n == 0 || (n == 1 && buf[start] == '.')) {
            trailing = 1;
        }
        else if (n == 2 && buf[start] == '.' && buf[start + 1] == '.') {
            if (o > 1) {
                o--;
                while (buf[o - 1] != '/') {
                    o--;
                }
            }
            trailing = 1;
        }
        else {
            /* o <= start always holds, so the copy never overtakes the
             * bytes still to be read */
            memmove(buf + o, buf + start, n);
            o += n;
            buf[o++] = '/';
            trailing = 0;
        }
    }
    if (!trailing && o > 1) {
        o--;
    }
    buf[o] = '\0';
    return o;
}

apr_status_t gw_upath_normalize(const char **out, apr_pool_t *p,
                                const char *raw)
{
    apr_size_t len;
    apr_status_t rv;
    char *buf;

    *out = NULL;
    if (!raw || raw[0] != '/') {
        return APR_EINVAL;
    }
    if (is_canonical(raw)) {
        *out = raw;
        return APR_SUCCESS;
    }
    buf = apr_palloc(p, strlen(raw) * 3 + 1);
    rv = canonical_escapes(buf, &len, raw);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    resolve_segments(buf, len);
    *out = buf;
    return APR_SUCCESS;
}

gw_upath_handling_e gw_upath_handling(const char *path_handling,
                                      int traditional)
{
    if (traditional && path_handling && strcmp(path_handling, "v1") == 0) {
        return GW_UPATH_V1;
    }
    return GW_UPATH_V0;
}

/* Kong's sanitize_uri_postfix: a postfix that starts with a dot segment
 * left over from a prefix match ("/route./x" against "/route") loses it. */
static const char *sanitize_postfix(const char *postfix)
{
    if (strcmp(postfix, ".") == 0 || strcmp(postfix, "..") == 0) {
        return "";
    }
    if (strncmp(postfix, "./", 2) == 0) {
        return postfix + 2;
    }
    if (strncmp(postfix, "../", 3) == 0) {
        return postfix + 3;
    }
    return postfix;
}

static const char *compose_v0(const char *base, apr_size_t blen,
                              const char *path, const char *postfix, int strip,
                              apr_pool_t *p)
{
    apr_size_t plen = strlen(path);
    int path_slash = plen > 0 && path[plen - 1] == '/';

    if (base[blen - 1] == '/') {
        if (!strip) {
            return apr_pstrcat(p, base, path + 1, NULL);
        }
        if (*postfix == '\0') {
            if (blen == 1) {
                return "/";
            }
            return path_slash ? base : apr_pstrmemdup(p, base, blen - 1);
        }
        if (*postfix == '/') {
            return apr_pstrcat(p, apr_pstrmemdup(p, base, blen - 1), postfix,
                               NULL);
        }
        return apr_pstrcat(p, base, postfix, NULL);
    }
    if (!strip) {
        return strcmp(path, "/") == 0 ? base : apr_pstrcat(p, base, path, NULL);
    }
    if (*postfix == '\0') {
        return plen > 1 && path_slash ? apr_pstrcat(p, base, "/", NULL) : base;
    }
    if (*postfix == '/') {
        return apr_pstrcat(p, base, postfix, NULL);
    }
    return apr_pstrcat(p, base, "/", postfix, NULL);
}

static const char *compose_v1(const char *base, apr_size_t blen,
                              const char *path, const char *postfix, int strip,
                              apr_pool_t *p)
{
    if (!strip) {
        return apr_pstrcat(p, base, path + 1, NULL);
    }
    if (base[blen - 1] == '/' && *postfix == '/') {
        return apr_pstrcat(p, apr_pstrmemdup(p, base, blen - 1), postfix, NULL);
    }
    return apr_pstrcat(p, base, postfix, NULL);
}

const char *gw_upath_compose(const char *base, const char *path,
                             const char *matched, int strip,
                             gw_upath_handling_e handling, apr_pool_t *p)
{
    const char *postfix;
    apr_size_t blen;

    if (!base || !*base) {
        base = "/";
    }
    blen = strlen(base);
    /* Without a path match the whole path but its first slash is the
     * postfix, as in Kong's router. */
    if (matched && strip) {
        postfix = path + strlen(matched);
    }
    else {
        postfix = path + 1;
    }
    postfix = sanitize_postfix(postfix);
    if (handling == GW_UPATH_V1) {
        return compose_v1(base, blen, path, postfix, strip, p);
    }
    return compose_v0(base, blen, path, postfix, strip, p);
}
