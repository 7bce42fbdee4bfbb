/*
 * gw_entity_target: the Target entity (reference §2.6): one address
 * (host:port) an upstream balances over, with a weight. Targets exist
 * only under their upstream and go with it.
 *
 * A target is stored in the form Kong formats it: the port defaults to
 * 8000, IPv4 addresses lose leading zeros and IPv6 addresses are written
 * out in full inside brackets, so that one address has one spelling and
 * (upstream, target) can be unique. Its timestamps are seconds with
 * millisecond precision, as in Kong.
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "gw_entity.h"
#include "gw_json.h"
#include "gw_text.h"

#define GW_TARGET_DEFAULT_PORT 8000

/* Kong's check_hostname(): letters, digits, '-', '.', '_'; no label may
 * end in '-' and only the last may be empty (a fully qualified name). */
static int valid_name(const char *s, apr_size_t len)
{
    apr_size_t i, label = 0;

    if (len == 0) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        if (s[i] == '.') {
            if (i == label || s[i - 1] == '-') {
                return 0;
            }
            label = i + 1;
        }
        else if (!apr_isalnum(s[i]) && s[i] != '-' && s[i] != '_') {
            return 0;
        }
    }
    return s[len - 1] != '-';
}

/* A decimal port 0..65535 in s[0..len), else -1. */
static int parse_port(const char *s, apr_size_t len)
{
    apr_size_t i;
    long port = 0;

    if (len == 0) {
        return -1;
    }
    for (i = 0; i < len; i++) {
        if (!apr_isdigit(s[i])) {
            return -1;
        }
        port = port * 10 + (s[i] - '0');
        if (port > 65535) {
            return -1;
        }
    }
    return (int)port;
}

/* "a.b.c.d" with one to three digits each, every part 0..255, written
 * back without leading zeros; NULL when s is not that. */
static const char *ipv4_text(const char *s, apr_size_t len, apr_pool_t *p)
{
    int part[4], n = 0;
    apr_size_t i = 0;

    while (n < 4) {
        apr_size_t start = i;
        int val = 0;

        while (i < len && apr_isdigit(s[i]) && i - start < 3) {
            val = val * 10 + (s[i++] - '0');
        }
        if (i == start || val > 255) {
            return NULL;
        }
        part[n++] = val;
        if (n < 4 && (i >= len || s[i++] != '.')) {
            return NULL;
        }
    }
    if (i != len) {
        return NULL;
    }
    return apr_psprintf(p, "%d.%d.%d.%d", part[0], part[1], part[2], part[3]);
}

/* An IPv6 address (no brackets) as eight four-digit lower-case groups
 * joined by ':', the form Kong stores; NULL when s is not one. This is
 * Kong's normalize_ipv6(): a leading or trailing ':' gets a 0, the first
 * "::" is filled with zero groups, and then exactly eight groups of one
 * to four hex digits must remain (so embedded IPv4 is refused). */
static const char *ipv6_text(const char *s, apr_size_t len, apr_pool_t *p)
{
    char *check = apr_pstrndup(p, s, len);
    const char *gap, *c;
    unsigned group[8];
    int colons = 0, n;

    if (len == 0) {
        return NULL;
    }
    if (check[0] == ':') {
        check = apr_pstrcat(p, "0", check, NULL);
    }
    if (check[strlen(check) - 1] == ':') {
        check = apr_pstrcat(p, check, "0", NULL);
    }
    if ((gap = strstr(check, "::")) != NULL) {
        const char *fill = ":";

        for (c = check; *c; c++) {
            colons += *c == ':';
        }
        for (n = colons; n < 8; n++) {
            fill = apr_pstrcat(p, fill, "0:", NULL);
        }
        check =
            apr_pstrcat(p, apr_pstrndup(p, check, (apr_size_t)(gap - check)),
                        fill, gap + 2, NULL);
    }
    for (c = check, n = 0; n < 8; n++) {
        const char *start = c;

        group[n] = 0;
        while (apr_isxdigit(*c) && c - start < 4) {
            group[n] = group[n] * 16 + (unsigned)gw_text_hexval(*c++);
        }
        if (c == start || *c != (n < 7 ? ':' : '\0')) {
            return NULL;
        }
        c += n < 7;
    }
    return apr_psprintf(p, "%04x:%04x:%04x:%04x:%04x:%04x:%04x:%04x", group[0],
                        group[1], group[2], group[3], group[4], group[5],
                        group[6], group[7]);
}

/* Kong's format_host(normalize_ip(s), 8000): the stored spelling of a
 * target, NULL when s is neither a hostname nor an IP address (with an
 * optional port). The kind of address is decided as Kong's
 * hostname_type() does: two colons make IPv6, digits and dots IPv4. */
static const char *target_text(const char *s, apr_pool_t *p)
{
    apr_size_t len = strlen(s);
    const char *colon = strchr(s, ':'), *host;
    int port = GW_TARGET_DEFAULT_PORT;

    if (colon && strchr(colon + 1, ':')) {
        const char *close = s[0] == '[' ? strchr(s, ']') : NULL;

        if (s[0] == '[' && !close) {
            return NULL;
        }
        if (close && close[1]) {
            if (close[1] != ':'
                || (port = parse_port(close + 2, strlen(close + 2))) < 0) {
                return NULL;
            }
        }
        host = close ? ipv6_text(s + 1, (apr_size_t)(close - s - 1), p)
                     : ipv6_text(s, len, p);
        return host ? apr_psprintf(p, "[%s]:%d", host, port) : NULL;
    }
    if (colon) {
        port = parse_port(colon + 1, strlen(colon + 1));
        len = (apr_size_t)(colon - s);
        if (port < 0) {
            return NULL;
        }
    }
    if (strspn(s, "0123456789.") >= len && len > 0) {
        host = ipv4_text(s, len, p);
    }
    else {
        host = valid_name(s, len) ? apr_pstrndup(p, s, len) : NULL;
    }
    return host ? apr_psprintf(p, "%s:%d", host, port) : NULL;
}

static const gw_field_t target_fields[] = {
    {.name = "id", .type = GW_T_STRING, .flags = GW_F_AUTO | GW_F_UUID},
    {.name = "created_at", .type = GW_T_NUMBER, .flags = GW_F_AUTO},
    {.name = "updated_at", .type = GW_T_NUMBER, .flags = GW_F_AUTO},
    {.name = "upstream",
     .type = GW_T_FOREIGN,
     .flags = GW_F_REQUIRED | GW_F_CASCADE,
     .reference = "upstreams"},
    /* validated by target_transform, which also gives it its stored
     * form; no field check, so that looking a target up by an address
     * that is not valid is a plain 404, as in Kong */
    {.name = "target", .type = GW_T_STRING, .flags = GW_F_REQUIRED},
    {.name = "weight",
     .type = GW_T_INTEGER,
     .dflt = "100",
     .has_between = 1,
     .min = 0,
     .max = 65535},
    GW_FIELD_TAGS,
    {NULL}};

/* Kong formats the target before its schema sees it, so an address that
 * is not one fails with this message whatever else is wrong. */
static void target_transform(const gw_entity_t *e, json_object *in,
                             gw_validation_t *v)
{
    json_object *target;
    const char *text;

    if (!json_object_object_get_ex(in, "target", &target) || !target
        || !json_object_is_type(target, json_type_string)) {
        return;
    }
    text = target_text(json_object_get_string(target), v->pool);
    if (!text) {
        gw_validation_field_error(v, "target",
                                  "Invalid target; not a valid hostname or "
                                  "ip address");
        return;
    }
    json_object_object_add(in, "target", json_object_new_string(text));
    (void)e;
}

/* Kong's targets DAO: an upstream's targets live under it (PUT updates),
 * and its list shows one entry per address, the newest, as the target
 * history of older Kong versions had several. */
const gw_entity_t gw_entity_targets = {
    .name = "targets",
    .singular = "target",
    .endpoint_key = "target",
    .fields = target_fields,
    .transform = target_transform,
    .flags = GW_E_NESTED_ONLY | GW_E_PUT_UPDATES | GW_E_NEWEST_PER_KEY,
    .unique_together = (const char *const[]){"upstream", "target", NULL},
};
