/*
 * gatewayctl: the operator's command line.
 *
 *   gatewayctl [--db CONNINFO] migrations bootstrap|up|status
 *
 * CONNINFO is a libpq connection string; it defaults to $GW_DB, then to
 * "host=127.0.0.1 port=5432 dbname=gateway user=postgres". Exit codes: 0
 * success (status: up to date), 1 failure, 2 usage, 3 status: migrations
 * pending or database not bootstrapped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_dbd.h>
#include <apr_general.h>
#include <apr_strings.h>

#include "gw_migrate.h"
#include "gw_store.h"
#include "gw_version.h"

#define DEFAULT_DB "host=127.0.0.1 port=5432 dbname=gateway user=postgres"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: gatewayctl [--db CONNINFO] migrations "
            "bootstrap|up|status\n"
            "       gatewayctl --version\n"
            "CONNINFO defaults to $GW_DB, then \"%s\".\n",
            DEFAULT_DB);
}

static apr_status_t connect_db(gw_store_t **st, const char *conninfo,
                               apr_pool_t *p)
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

static void print_done(const char *name, void *ctx)
{
    (void)ctx;
    printf("migrated: %s\n", name);
}

static void print_list(const char *label, apr_array_header_t *names)
{
    int i;

    printf("%s:", label);
    for (i = 0; i < names->nelts; i++) {
        printf(" %s", ((const char **)names->elts)[i]);
    }
    printf("%s\n", names->nelts ? "" : " none");
}

static int cmd_status(gw_store_t *st)
{
    gw_migrate_state_t state;

    if (gw_migrate_state(&state, st) != APR_SUCCESS) {
        fprintf(stderr, "gatewayctl: %s\n", st->error);
        return 1;
    }
    if (!state.bootstrapped) {
        printf("database needs bootstrapping: run 'gatewayctl migrations "
               "bootstrap'\n");
        return 3;
    }
    print_list("executed", state.executed);
    print_list("pending", state.pending);
    if (state.unknown->nelts) {
        print_list("unknown (database is newer than this build)",
                   state.unknown);
        return 1;
    }
    if (state.pending->nelts) {
        printf("database has pending migrations: run 'gatewayctl migrations "
               "up'\n");
        return 3;
    }
    printf("database is up to date\n");
    return 0;
}

static int cmd_up(gw_store_t *st, int bootstrap)
{
    gw_migrate_state_t state;
    const char *why;

    if (gw_migrate_state(&state, st) != APR_SUCCESS) {
        fprintf(stderr, "gatewayctl: %s\n", st->error);
        return 1;
    }
    if (bootstrap && state.bootstrapped) {
        printf("database already bootstrapped\n");
    }
    else if (!bootstrap && !state.bootstrapped) {
        fprintf(stderr, "gatewayctl: database needs bootstrapping: run "
                        "'gatewayctl migrations bootstrap'\n");
        return 1;
    }
    switch (gw_migrate_up(st, &why, print_done, NULL)) {
        case APR_SUCCESS:
            printf("database is up to date\n");
            return 0;
        case APR_EINVAL:
            fprintf(stderr, "gatewayctl: %s\n", why);
            return 1;
        default:
            fprintf(stderr, "gatewayctl: %s\n", st->error);
            return 1;
    }
}

int main(int argc, const char *const *argv)
{
    const char *conninfo = getenv("GW_DB");
    apr_pool_t *p;
    gw_store_t *st;
    int i = 1, rc;

    if (!conninfo || !*conninfo) {
        conninfo = DEFAULT_DB;
    }
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("gatewayctl %s (Kong Admin API %s)\n", GW_VERSION,
               GW_KONG_COMPAT_VERSION);
        return 0;
    }
    if (argc > 1
        && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc > 2 && strcmp(argv[1], "--db") == 0) {
        conninfo = argv[2];
        i = 3;
    }
    if (argc - i != 2 || strcmp(argv[i], "migrations") != 0
        || (strcmp(argv[i + 1], "bootstrap") != 0
            && strcmp(argv[i + 1], "up") != 0
            && strcmp(argv[i + 1], "status") != 0)) {
        usage(stderr);
        return 2;
    }
    apr_app_initialize(&argc, &argv, NULL);
    atexit(apr_terminate);
    apr_pool_create(&p, NULL);
    if (connect_db(&st, conninfo, p) != APR_SUCCESS) {
        return 1;
    }
    if (strcmp(argv[i + 1], "status") == 0) {
        rc = cmd_status(st);
    }
    else {
        rc = cmd_up(st, strcmp(argv[i + 1], "bootstrap") == 0);
    }
    apr_dbd_close(st->driver, st->handle);
    return rc;
}
