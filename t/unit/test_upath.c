/*
 * test_upath: request path normalisation and Kong's upstream path
 * composition table (reference §3.5), row by row, for both path_handling
 * versions and both strip_path values wherever the table says "both".
 */
#include <apr_general.h>
#include <apr_strings.h>

#include <string.h>

#include "gw_upath.h"
#include "tap.h"

/* Every assertion below, counted so that a test that silently stops
 * running shows up as a failure. */
#define TESTS 140

static apr_pool_t *pool;

enum { STRIP_FALSE = 1, STRIP_TRUE = 2, STRIP_BOTH = 3 };
enum { H_V0 = 1, H_V1 = 2, H_BOTH = 3 };

typedef struct {
    const char *service_path;
    const char *route_path; /* NULL: the route matched on its host */
    int strip;
    int handling;
    const char *request;
    const char *upstream;
} row_t;

/* Kong's path-handling fixtures, as listed in reference §3.5. */
static const row_t table[] = {
    {"/", "/", STRIP_BOTH, H_BOTH, "/route/req", "/route/req"},
    {"/", "/route", STRIP_FALSE, H_BOTH, "/routereq", "/routereq"},
    {"/", "/route", STRIP_TRUE, H_BOTH, "/route", "/"},
    {"/", "/route", STRIP_TRUE, H_BOTH, "/route/", "/"},
    {"/", "/route", STRIP_TRUE, H_BOTH, "/routereq", "/req"},
    {"/", "/route/", STRIP_TRUE, H_BOTH, "/route/req", "/req"},
    {"/srv", "/rou", STRIP_FALSE, H_V0, "/roureq", "/srv/roureq"},
    {"/srv", "/rou", STRIP_FALSE, H_V1, "/roureq", "/srvroureq"},
    {"/srv", "/rou", STRIP_TRUE, H_V0, "/roureq", "/srv/req"},
    {"/srv", "/rou", STRIP_TRUE, H_V1, "/roureq", "/srvreq"},
    {"/srv/", "/rou", STRIP_TRUE, H_V0, "/rou", "/srv"},
    {"/srv/", "/rou", STRIP_TRUE, H_V1, "/rou", "/srv/"},
    {"/service", "/", STRIP_BOTH, H_V0, "/", "/service"},
    {"/service", "/", STRIP_BOTH, H_V0, "/route/", "/service/route/"},
    {"/service", "/", STRIP_BOTH, H_V1, "/route", "/serviceroute"},
    {"/service", "/route", STRIP_FALSE, H_V0, "/route", "/service/route"},
    {"/service", "/route", STRIP_TRUE, H_BOTH, "/route", "/service"},
    {"/service", "/route", STRIP_TRUE, H_BOTH, "/route/", "/service/"},
    {"/service", "/route", STRIP_TRUE, H_V0, "/routereq", "/service/req"},
    {"/service", "/route/", STRIP_TRUE, H_V0, "/route/", "/service/"},
    {"/service", "/route/", STRIP_TRUE, H_V1, "/route/", "/service"},
    {"/service/", "/", STRIP_BOTH, H_BOTH, "/", "/service/"},
    {"/service/", "/", STRIP_BOTH, H_BOTH, "/routereq", "/service/routereq"},
    {"/service/", "/route", STRIP_TRUE, H_V0, "/route", "/service"},
    {"/service/", "/route", STRIP_TRUE, H_V1, "/route", "/service/"},
    {"/service/", "/route", STRIP_TRUE, H_BOTH, "/routereq", "/service/req"},
    {"/service/", "/route/", STRIP_TRUE, H_BOTH, "/route/req", "/service/req"},
    {"/service", NULL, STRIP_BOTH, H_V0, "/route", "/service/route"},
    {"/service/", NULL, STRIP_BOTH, H_BOTH, "/", "/service/"},
    {"/service", "/route", STRIP_TRUE, H_V0, "/route./req", "/service/req"},
    {"/service", "/route", STRIP_TRUE, H_V0, "/route%2E/req", "/service/req"},
    {"/service", "/route", STRIP_TRUE, H_V0, "/route../req", "/service/req"},
    {"/service", "/route", STRIP_FALSE, H_V0, "/route%2e/req",
     "/service/route./req"},
};

static void composition_table(void)
{
    apr_size_t i;
    int strip, h;

    for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        const row_t *row = &table[i];
        const char *path;

        if (!ok(gw_upath_normalize(&path, pool, row->request) == APR_SUCCESS,
                apr_psprintf(pool, "row %d: %s normalises", (int)i + 1,
                             row->request))) {
            continue;
        }
        for (strip = 0; strip <= 1; strip++) {
            if (!(row->strip & (strip ? STRIP_TRUE : STRIP_FALSE))) {
                continue;
            }
            for (h = 0; h <= 1; h++) {
                const char *got;

                if (!(row->handling & (h ? H_V1 : H_V0))) {
                    continue;
                }
                got = gw_upath_compose(row->service_path, path, row->route_path,
                                       strip, h ? GW_UPATH_V1 : GW_UPATH_V0,
                                       pool);
                is(got, row->upstream,
                   apr_psprintf(pool,
                                "row %d: service %s, route %s, "
                                "strip %s, v%d, %s -> %s",
                                (int)i + 1, row->service_path,
                                row->route_path ? row->route_path : "(host)",
                                strip ? "true" : "false", h, row->request,
                                row->upstream));
            }
        }
    }
}

static void normalizes(const char *raw, const char *want)
{
    const char *got = NULL;
    apr_status_t rv = gw_upath_normalize(&got, pool, raw);

    if (rv != APR_SUCCESS) {
        got = "(rejected)";
    }
    is(got, want, apr_psprintf(pool, "normalise %s -> %s", raw, want));
}

static void rejects(const char *raw, const char *why)
{
    const char *got = "unchanged";

    is_int(gw_upath_normalize(&got, pool, raw), APR_EINVAL,
           apr_psprintf(pool, "reject %s (%s)", raw, why));
    ok(got == NULL, "no result on rejection");
}

static void normalisation(void)
{
    normalizes("/", "/");
    normalizes("/route%2E/req", "/route./req");
    normalizes("/route./req", "/route./req");
    normalizes("/route%2e/req", "/route./req");
    normalizes("//", "/");
    normalizes("//a///b//", "/a/b/");
    normalizes("/a/./b/.", "/a/b/");
    normalizes("/a/b/..", "/a/");
    normalizes("/a/b/../c", "/a/c");
    normalizes("/..", "/");
    normalizes("/../../etc/passwd", "/etc/passwd");
    normalizes("/a/../../../b", "/b");
    normalizes("/%2e%2e/%2E%2E/x", "/x");
    normalizes("/a/.%2e/b", "/b");
    normalizes("/...", "/...");
    normalizes("/a/..b/c", "/a/..b/c");
    normalizes("/%7Euser/%41%62%2D%5f", "/~user/Ab-_");
    normalizes("/a%2Fb", "/a%2Fb");
    normalizes("/a%2fb", "/a%2Fb");
    normalizes("/a%2F..%2Fb", "/a%2F..%2Fb");
    normalizes("/q%3Fx%23y%25z", "/q%3Fx%23y%25z");
    normalizes("/sp%20ace", "/sp%20ace");
    normalizes("/caf\xc3\xa9", "/caf%C3%A9");
    normalizes("/caf%c3%a9", "/caf%C3%A9");
    normalizes("/a b\"<>", "/a%20b%22%3C%3E");
    normalizes("/keep:@!$&'()*+,;=", "/keep:@!$&'()*+,;=");
    normalizes("/users/42/", "/users/42/");

    rejects("/a%00b", "encoded NUL");
    rejects("/a%", "escape cut short");
    rejects("/a%4", "escape cut short");
    rejects("/a%zz", "not hex");
    rejects("/a%g1", "not hex");
    rejects("relative/path", "no leading slash");
    rejects("", "empty");
}

/* Every byte value, raw and escaped, against RFC 3986's lists. */
static void character_classes(void)
{
    const char *unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
                             "wxyz0123456789-._~";
    const char *reserved = ":/?#[]@!$&'()*+,;=";
    int c, raw_bad = 0, esc_bad = 0;

    for (c = 1; c < 256; c++) {
        int unres = strchr(unreserved, c) != NULL;
        int res = strchr(reserved, c) != NULL;
        const char *got, *want;

        if (c != '%') {
            want = unres || res ? apr_psprintf(pool, "/x%cy", c)
                                : apr_psprintf(pool, "/x%%%02Xy", c);
            if (gw_upath_normalize(&got, pool, apr_psprintf(pool, "/x%cy", c))
                    != APR_SUCCESS
                || strcmp(got, want) != 0) {
                raw_bad++;
                diag(apr_psprintf(pool, "raw byte %d: want %s", c, want));
            }
        }
        want = unres ? apr_psprintf(pool, "/x%cy", c)
                     : apr_psprintf(pool, "/x%%%02Xy", c);
        if (gw_upath_normalize(&got, pool, apr_psprintf(pool, "/x%%%02xy", c))
                != APR_SUCCESS
            || strcmp(got, want) != 0) {
            esc_bad++;
            diag(apr_psprintf(pool, "escaped byte %d: want %s", c, want));
        }
    }
    is_int(raw_bad, 0,
           "raw bytes: unreserved and reserved stay, others are "
           "escaped");
    is_int(esc_bad, 0, "escapes: unreserved decoded, others kept upper-case");
}

static void handling_flags(void)
{
    is_int(gw_upath_handling("v1", 0), GW_UPATH_V0,
           "compat flavour treats v1 as v0");
    is_int(gw_upath_handling("v1", 1), GW_UPATH_V1,
           "traditional flavour honours v1");
    is_int(gw_upath_handling("v0", 1), GW_UPATH_V0, "v0 is v0");
    is_int(gw_upath_handling(NULL, 1), GW_UPATH_V0, "default is v0");
    is(gw_upath_compose(NULL, "/a", "/a", 1, GW_UPATH_V0, pool), "/",
       "no service path means /");
    is(gw_upath_compose("", "/a/b", "/a", 1, GW_UPATH_V0, pool), "/b",
       "empty service path means /");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    plan(TESTS);
    diag("upstream path composition (reference 3.5)");
    composition_table();
    diag("request path normalisation");
    normalisation();
    character_classes();
    diag("path_handling per router flavour");
    handling_flags();
    apr_pool_destroy(pool);
    apr_terminate();
    return exit_status();
}
