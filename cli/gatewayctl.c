/*
 * gatewayctl: the operator's command line.
 *
 *   gatewayctl [--db CONNINFO] migrations bootstrap|up|status
 *   gatewayctl config parse FILE           validate a declarative file
 *   gatewayctl [--db CONNINFO] config db_import FILE
 *   gatewayctl [--db CONNINFO] config db_export [FILE]   (default stdout)
 *
 * CONNINFO is a libpq connection string; it defaults to $GW_DB, then to
 * "host=127.0.0.1 port=5432 dbname=gateway user=postgres". Exit codes: 0
 * success (status: up to date), 1 failure (an invalid file, a conflict
 * with the database), 2 usage, 3 status: migrations pending or database
 * not bootstrapped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_dbd.h>
#include <apr_general.h>
#include <apr_strings.h>

#include "gatewayctl.h"
#include "gw_version.h"

#define DEFAULT_DB "host=127.0.0.1 port=5432 dbname=gateway user=postgres"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: gatewayctl [--db CONNINFO] migrations "
            "bootstrap|up|status\n"
            "       gatewayctl config parse FILE\n"
            "       gatewayctl [--db CONNINFO] config db_import FILE\n"
            "       gatewayctl [--db CONNINFO] config db_export [FILE]\n"
            "       gatewayctl --version\n"
            "CONNINFO defaults to $GW_DB, then \"%s\".\n",
            DEFAULT_DB);
}

apr_status_t gwctl_connect(gw_store_t **st, const char *conninfo, apr_pool_t *p)
{
    const apr_dbd_driver_t *driver;
    apr_dbd_t *handle;
    const char *err = NULL;
    apr_status_t rv;

    apr_dbd_init(p);
    rv = apr_dbd_get_driver(p, "pgsql", &driver);
    if (rv != APR_SUCCESS) {
        fprintf(stderr, "gatewayctl: the apr_dbd pgsql driver is missing "
                        "(install libaprutil1-dbd-pgsql)\n");
        return rv;
    }
    rv = apr_dbd_open_ex(driver, p, conninfo, &handle, &err);
    if (rv != APR_SUCCESS) {
        fprintf(stderr, "gatewayctl: cannot connect to the database: %s\n",
                err ? err : "unknown error");
        return rv;
    }
    *st = gw_store_wrap(p, driver, handle);
    return APR_SUCCESS;
}

int main(int argc, const char *const *argv)
{
    const char *conninfo = getenv("GW_DB");
    apr_pool_t *p;
    int i = 1, n;

    if (!conninfo || !*conninfo) {
        conninfo = DEFAULT_DB;
    }
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("gatewayctl %s (Kong Admin API %s)\n", GW_VERSION,
               GW_KONG_COMPAT_VERSION);
        return GWCTL_OK;
    }
    if (argc > 1
        && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return GWCTL_OK;
    }
    if (argc > 2 && strcmp(argv[1], "--db") == 0) {
        conninfo = argv[2];
        i = 3;
    }
    n = argc - i;
    apr_app_initialize(&argc, &argv, NULL);
    atexit(apr_terminate);
    apr_pool_create(&p, NULL);
    if (n == 2 && strcmp(argv[i], "migrations") == 0
        && (strcmp(argv[i + 1], "bootstrap") == 0
            || strcmp(argv[i + 1], "up") == 0
            || strcmp(argv[i + 1], "status") == 0)) {
        return gwctl_migrations(conninfo, argv[i + 1], p);
    }
    if (n >= 2 && n <= 3 && strcmp(argv[i], "config") == 0
        && (((strcmp(argv[i + 1], "parse") == 0
              || strcmp(argv[i + 1], "db_import") == 0)
             && n == 3)
            || strcmp(argv[i + 1], "db_export") == 0)) {
        return gwctl_config(conninfo, argv[i + 1], n == 3 ? argv[i + 2] : NULL,
                            p);
    }
    usage(stderr);
    return GWCTL_USAGE;
}
