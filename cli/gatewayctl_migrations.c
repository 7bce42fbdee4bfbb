/*
 * gatewayctl_migrations: `gatewayctl migrations bootstrap|up|status`.
 */
#include <stdio.h>
#include <string.h>

#include <apr_dbd.h>

#include "gatewayctl.h"
#include "gw_migrate.h"

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
        return GWCTL_FAILED;
    }
    if (!state.bootstrapped) {
        printf("database needs bootstrapping: run 'gatewayctl migrations "
               "bootstrap'\n");
        return GWCTL_PENDING;
    }
    print_list("executed", state.executed);
    print_list("pending", state.pending);
    if (state.unknown->nelts) {
        print_list("unknown (database is newer than this build)",
                   state.unknown);
        return GWCTL_FAILED;
    }
    if (state.pending->nelts) {
        printf("database has pending migrations: run 'gatewayctl migrations "
               "up'\n");
        return GWCTL_PENDING;
    }
    printf("database is up to date\n");
    return GWCTL_OK;
}

static int cmd_up(gw_store_t *st, int bootstrap)
{
    gw_migrate_state_t state;
    const char *why;

    if (gw_migrate_state(&state, st) != APR_SUCCESS) {
        fprintf(stderr, "gatewayctl: %s\n", st->error);
        return GWCTL_FAILED;
    }
    if (bootstrap && state.bootstrapped) {
        printf("database already bootstrapped\n");
    }
    else if (!bootstrap && !state.bootstrapped) {
        fprintf(stderr, "gatewayctl: database needs bootstrapping: run "
                        "'gatewayctl migrations bootstrap'\n");
        return GWCTL_FAILED;
    }
    switch (gw_migrate_up(st, &why, print_done, NULL)) {
        case APR_SUCCESS:
            printf("database is up to date\n");
            return GWCTL_OK;
        case APR_EINVAL:
            fprintf(stderr, "gatewayctl: %s\n", why);
            return GWCTL_FAILED;
        default:
            fprintf(stderr, "gatewayctl: %s\n", st->error);
            return GWCTL_FAILED;
    }
}

int gwctl_migrations(const char *conninfo, const char *what, apr_pool_t *p)
{
    gw_store_t *st;
    int rc;

    if (gwctl_connect(&st, conninfo, p) != APR_SUCCESS) {
        return GWCTL_FAILED;
    }
    if (strcmp(what, "status") == 0) {
        rc = cmd_status(st);
    }
    else {
        rc = cmd_up(st, strcmp(what, "bootstrap") == 0);
    }
    apr_dbd_close(st->driver, st->handle);
    return rc;
}
