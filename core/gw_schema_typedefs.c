/*
 * gw_schema_typedefs: Kong's typedefs, the validators and field
 * descriptions that several entities and plugins share (names, tags,
 * hosts, SNIs, paths, addresses, header names, regexes, protocols).
 * Declared in gw_schema.h; messages are Kong's, to the byte.
 */
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <apr_lib.h>
#include <apr_strings.h>
#include <pcre2.h>

#include "gw_schema.h"
#include "gw_text.h"

const char *gw_schema_check_utf8_name(json_object *v, apr_pool_t *p)
{
    const char *s = json_object_get_string(v);
    apr_size_t i, len = strlen(s);

    i = gw_text_utf8_error_at(s, len);
    if (i < len) {
        /* Kong reports the 1-based byte position of the bad sequence */
        return apr_psprintf(p,
                            "invalid utf-8 character sequence detected at "
                            "position %lu",
                            (unsigned long)i + 1);
    }
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c < 0x80 && !apr_isalnum(c) && !strchr(".-_~", c)) {
            return apr_psprintf(p,
                                "invalid value '%s': the only accepted ascii "
                                "characters are alphanumerics or ., -, _, "
                                "and ~",
                                s);
        }
    }
    return NULL;
}

const char *gw_schema_check_tag(json_object *v, apr_pool_t *p)
{
    const char *s = json_object_get_string(v);
    apr_size_t i, len = strlen(s);

    if (!gw_text_utf8_valid(s, len)) {
        return "invalid utf-8";
    }
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c < 0x80 && (c < 0x20 || c == 0x7F || c == ',' || c == '/')) {
            return apr_psprintf(p,
                                "invalid tag '%s': expected printable ascii "
                                "(except `,` and `/`) or valid utf-8 "
                                "sequences",
                                s);
        }
    }
    return NULL;
}

static int valid_ipv4(const char *s)
{
    int parts = 0;

    while (*s) {
        int val = 0, digits = 0;

        while (apr_isdigit(*s)) {
            val = val * 10 + (*s++ - '0');
            if (++digits > 3) {
                return 0;
            }
        }
        if (!digits || val > 255) {
            return 0;
        }
        parts++;
        if (*s == '.') {
            s++;
            if (!*s) {
                return 0;
            }
        }
        else if (*s) {
            return 0;
        }
    }
    return parts == 4;
}

static int looks_ipv4(const char *s)
{
    for (; *s; s++) {
        if (!apr_isdigit(*s) && *s != '.') {
            return 0;
        }
    }
    return 1;
}

static int valid_ipv6(const char *s)
{
    int colons = 0;

    if (!*s) {
        return 0;
    }
    for (; *s; s++) {
        if (*s == ':') {
            colons++;
        }
        else if (!apr_isxdigit(*s) && *s != '.') {
            return 0;
        }
    }
    return colons >= 2 && colons <= 7;
}

/* Kong's check_hostname(): ASCII letters, digits, '-', '.' and '_'; no
 * label ends with '-', and only the last may be empty (a fully qualified
 * "example.com."). */
static int valid_hostname(const char *s)
{
    apr_size_t len = strlen(s);
    const char *label = s;

    if (len == 0 || len > 253) {
        return 0;
    }
    for (;; s++) {
        if (*s == '.' || !*s) {
            apr_size_t n = (apr_size_t)(s - label);

            if ((n == 0 && *s) || (n > 0 && s[-1] == '-')) {
                return 0;
            }
            if (!*s) {
                return 1;
            }
            label = s + 1;
        }
        else if (!apr_isalnum(*s) && *s != '-' && *s != '_') {
            return 0;
        }
    }
}

static int parse_port(const char *s)
{
    long v = 0;

    if (!*s) {
        return -2;
    }
    for (; *s; s++) {
        if (!apr_isdigit(*s)) {
            return -2;
        }
        v = v * 10 + (*s - '0');
        if (v > 65535) {
            return -2;
        }
    }
    return (int)v;
}

int gw_schema_parse_host(const char *s, const char **host, int *port,
                         apr_pool_t *p)
{
    const char *colon;

    *port = -1;
    *host = s;
    if (*s == '[') {
        const char *end = strchr(s, ']');

        if (!end) {
            return 0;
        }
        *host = apr_pstrndup(p, s + 1, (apr_size_t)(end - s - 1));
        if (end[1] == ':') {
            *port = parse_port(end + 2);
        }
        else if (end[1]) {
            return 0;
        }
        return valid_ipv6(*host);
    }
    colon = strchr(s, ':');
    if (colon && strchr(colon + 1, ':')) {
        return valid_ipv6(s);
    }
    if (colon) {
        *host = apr_pstrndup(p, s, (apr_size_t)(colon - s));
        *port = parse_port(colon + 1);
    }
    if (looks_ipv4(*host)) {
        return valid_ipv4(*host);
    }
    return valid_hostname(*host);
}

const char *gw_schema_check_host(json_object *v, apr_pool_t *p)
{
    const char *s = json_object_get_string(v), *host;
    int port;

    if (!gw_schema_parse_host(s, &host, &port, p)) {
        return apr_pstrcat(p, "invalid value: ", s, NULL);
    }
    if (port != -1) {
        return "must not have a port";
    }
    return NULL;
}

const char *gw_schema_check_host_port(json_object *v, apr_pool_t *p)
{
    const char *s = json_object_get_string(v), *host;
    int port;

    if (!gw_schema_parse_host(s, &host, &port, p) || port == -2) {
        return apr_pstrcat(p, "invalid value: ", s, NULL);
    }
    return NULL;
}

const char *gw_schema_check_http_method(json_object *v, apr_pool_t *p)
{
    const char *s = json_object_get_string(v), *c;

    for (c = s; *c; c++) {
        if (!apr_isupper(*c)) {
            return apr_pstrcat(p, "invalid value: ", s, NULL);
        }
    }
    return NULL;
}

const char *gw_schema_check_header_name(json_object *v, apr_pool_t *p)
{
    const char *s = json_object_get_string(v), *c;

    for (c = s; *c; c++) {
        if (!apr_isalnum(*c) && *c != '-' && *c != '_') {
            return apr_psprintf(p,
                                "bad header name '%s', allowed characters "
                                "are A-Z, a-z, 0-9, '_', and '-'",
                                s);
        }
    }
    return NULL;
}

int gw_schema_is_ip_address(const char *s)
{
    const char *colon = strchr(s, ':');
    apr_size_t digits = 0;

    if (colon && strchr(colon + 1, ':')) {
        return 1;
    }
    for (; *s; s++) {
        if (*s == ':') {
            continue;
        }
        if (!apr_isdigit(*s) && *s != '.') {
            return 0;
        }
        digits++;
    }
    return digits > 0;
}

gw_addr_status_e gw_schema_address_status(const char *s, int *port,
                                          apr_pool_t *p)
{
    const char *host, *colon;

    if (!gw_schema_parse_host(s, &host, port, p)) {
        return GW_ADDR_INVALID;
    }
    if (*port != -2) {
        return GW_ADDR_OK;
    }
    colon = strrchr(s, ':');
    if (strlen(colon + 1) > 0 && strlen(colon + 1) < 11
        && strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
        return GW_ADDR_BAD_PORT;
    }
    return GW_ADDR_INVALID;
}

/* Kong's validate_sni() on the text s, which the wildcard check calls
 * with its stand-in for the '*'. */
static const char *check_sni_text(const char *s, apr_pool_t *p)
{
    int port;

    switch (gw_schema_address_status(s, &port, p)) {
        case GW_ADDR_INVALID:
            return apr_pstrcat(p, "invalid value: ", s, NULL);
        case GW_ADDR_BAD_PORT:
            return "must not have a port";
        default:
            break;
    }
    if (gw_schema_is_ip_address(s)) {
        return "must not be an IP";
    }
    return port != -1 ? "must not have a port" : NULL;
}

const char *gw_schema_check_sni(json_object *v, apr_pool_t *p)
{
    return check_sni_text(json_object_get_string(v), p);
}

const char *gw_schema_check_wildcard_host(json_object *v, apr_pool_t *p)
{
    const char *s = json_object_get_string(v);
    const char *star = strchr(s, '*');
    apr_size_t len = strlen(s);

    if (!star) {
        return check_sni_text(s, p);
    }
    if (star != s && star != s + len - 1) {
        return "wildcard must be leftmost or rightmost character";
    }
    if (strchr(star + 1, '*')) {
        return "only one wildcard must be specified";
    }
    /* Kong validates the name with "wildcard" in place of the '*', and
     * its messages show that name */
    return check_sni_text(
        apr_pstrcat(p, apr_pstrndup(p, s, (apr_size_t)(star - s)), "wildcard",
                    star + 1, NULL),
        p);
}

const char *gw_schema_regex_error(const char *re, apr_pool_t *p)
{
    PCRE2_UCHAR buf[256];
    PCRE2_SIZE erroff;
    int errcode;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
                                     PCRE2_UTF, &errcode, &erroff, NULL);

    if (code) {
        pcre2_code_free(code);
        return NULL;
    }
    pcre2_get_error_message(errcode, buf, sizeof(buf));
    return apr_pstrdup(p, (const char *)buf);
}

const char *gw_schema_check_ip_or_cidr(json_object *v, apr_pool_t *p)
{
    const char *s = json_object_get_string(v);
    const char *slash = strchr(s, '/');
    const char *ip = slash ? apr_pstrndup(p, s, (apr_size_t)(slash - s)) : s;
    int v6 = strchr(ip, ':') != NULL, bits = -1;

    if (slash) {
        bits = parse_port(slash + 1);
        if (bits < 0 || bits > (v6 ? 128 : 32)) {
            return apr_pstrcat(p, "invalid ip or cidr range: '", s, "'", NULL);
        }
    }
    if (v6 ? !valid_ipv6(ip) : !valid_ipv4(ip)) {
        return apr_pstrcat(p, "invalid ip or cidr range: '", s, "'", NULL);
    }
    return NULL;
}

const char *gw_schema_check_path(json_object *v, apr_pool_t *p)
{
    static const char allowed[] = "-._~/%:@!$&'()*+,;=";
    const char *s = json_object_get_string(v), *c;

    if (strstr(s, "//")) {
        return "must not have empty segments";
    }
    for (c = s; *c; c++) {
        if (!apr_isalnum(*c) && !strchr(allowed, *c)) {
            return apr_psprintf(p,
                                "invalid path: '%s' (characters outside of "
                                "the reserved list of RFC 3986 found)",
                                s);
        }
    }
    for (c = s; *c; c++) {
        if (*c == '%') {
            if (!apr_isxdigit(c[1]) || !apr_isxdigit(c[2])) {
                return apr_psprintf(
                    p, "invalid url-encoded value: '%s'",
                    apr_pstrndup(p, c, c[1] ? (c[2] ? 3 : 2) : 1));
            }
            c += 2;
        }
    }
    return NULL;
}

const char *const gw_schema_protocols[] = {
    "grpc", "grpcs",           "http", "https", "tcp",
    "tls",  "tls_passthrough", "udp",  NULL};

const gw_field_t gw_schema_protocol_element = {
    .name = "protocol", .type = GW_T_STRING, .one_of = gw_schema_protocols};

const gw_field_t gw_schema_tag_element = {
    .name = "tag",
    .type = GW_T_STRING,
    .flags = GW_F_REQUIRED,
    .check = gw_schema_check_tag,
};
