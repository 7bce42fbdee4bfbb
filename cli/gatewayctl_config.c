/*
 * gatewayctl_config: `gatewayctl config parse|db_import|db_export`, Kong's
 * `kong config` for a database node.
 *
 *   parse FILE       validate a declarative file (YAML or JSON) and say
 *                    what it holds; every error at once, in Kong's words
 *   db_import FILE   parse, then write it all into the database in one
 *                    transaction (nothing on any error)
 *   db_export [FILE] the database as a declarative file (YAML, or JSON
 *                    when FILE ends in .json); stdout without FILE
 */
#include <stdio.h>
#include <string.h>

#include <apr_dbd.h>
#include <apr_file_io.h>
#include <apr_strings.h>

#include "gatewayctl.h"
#include "gw_dbimport.h"
#include "gw_declarative.h"
#include "gw_json.h"
#include "gw_snapshot.h"

/* Declarative files are read whole; this bounds them (Kong's Admin API
 * takes 10 MiB bodies, files on disk may be larger). */
#define MAX_FILE (256 * 1024 * 1024)

static int load(json_object **config, const char *file, apr_pool_t *p)
{
    const char *text;
    apr_size_t len;
    gw_declarative_t *d;
    gw_declarative_opts_t opts = {0};
    apr_status_t rv;

    rv = gw_snapshot_read_file(&text, &len, file, MAX_FILE, p);
    if (rv != APR_SUCCESS) {
        char buf[256];

        fprintf(stderr, "gatewayctl: cannot read %s: %s\n", file,
                apr_strerror(rv, buf, sizeof(buf)));
        return GWCTL_FAILED;
    }
    opts.now = apr_time_now();
    if (gw_declarative_parse(&d, p, text, len, &opts) != APR_SUCCESS) {
        fprintf(stderr, "gatewayctl: %s: %s\n", file,
                d && d->error && d->error->message ? d->error->message
                                                   : "invalid");
        return GWCTL_FAILED;
    }
    *config = d->config;
    return GWCTL_OK;
}

/* "3 services, 4 routes" for what config holds. */
static const char *counts(json_object *config, apr_pool_t *p)
{
    const gw_entity_t *const *e;
    const char *out = NULL;

    for (e = gw_entity_all(); *e; e++) {
        json_object *list = gw_json_get(config, (*e)->name);
        size_t n = list ? json_object_array_length(list) : 0;

        if (n) {
            const char *one = apr_psprintf(p, "%d %s", (int)n, (*e)->name);

            out = out ? apr_pstrcat(p, out, ", ", one, NULL) : one;
        }
    }
    return out ? out : "no entities";
}

static int cmd_parse(const char *file, apr_pool_t *p)
{
    json_object *config;
    int rc = load(&config, file, p);

    if (rc == GWCTL_OK) {
        printf("parse successful: %s\n", counts(config, p));
    }
    return rc;
}

static int cmd_import(const char *conninfo, const char *file, apr_pool_t *p)
{
    json_object *config;
    gw_store_t *st;
    gw_error_t *err;
    gw_dbimport_stats_t stats;
    apr_status_t rv;
    int rc = load(&config, file, p);

    if (rc != GWCTL_OK) {
        return rc;
    }
    if (gwctl_connect(&st, conninfo, p) != APR_SUCCESS) {
        return GWCTL_FAILED;
    }
    /* the CLI is no node: its events name the nil node */
    rv = gw_dbimport(&err, &stats, st, config,
                     "00000000-0000-0000-0000-000000000000");
    apr_dbd_close(st->driver, st->handle);
    if (rv != APR_SUCCESS) {
        fprintf(stderr, "gatewayctl: import failed, nothing imported: %s\n",
                st->error ? st->error : "database error");
        return GWCTL_FAILED;
    }
    if (err) {
        fprintf(stderr, "gatewayctl: import failed, nothing imported: %s\n",
                err->message);
        return GWCTL_FAILED;
    }
    printf("import successful: %s\n", counts(config, p));
    return GWCTL_OK;
}

static int cmd_export(const char *conninfo, const char *file, apr_pool_t *p)
{
    json_object *config = gw_json_own(p, json_object_new_object());
    gw_store_t *st;
    const char *text;
    int json = file && strlen(file) > 5
               && strcmp(file + strlen(file) - 5, ".json") == 0;
    apr_status_t rv;

    if (gwctl_connect(&st, conninfo, p) != APR_SUCCESS) {
        return GWCTL_FAILED;
    }
    rv = gw_store_exec(st, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    if (rv == APR_SUCCESS) {
        rv = gw_store_load_all(config, st);
    }
    gw_store_rollback(st);
    apr_dbd_close(st->driver, st->handle);
    if (rv != APR_SUCCESS) {
        fprintf(stderr, "gatewayctl: cannot read the configuration: %s\n",
                st->error ? st->error : "database error");
        return GWCTL_FAILED;
    }
    if (gw_declarative_export_text(&text, p, config, json) != APR_SUCCESS) {
        fprintf(stderr, "gatewayctl: cannot write the configuration\n");
        return GWCTL_FAILED;
    }
    if (!file) {
        fputs(text, stdout);
        return GWCTL_OK;
    }
    rv = gw_snapshot_write_file(file, text, strlen(text), p);
    if (rv != APR_SUCCESS) {
        char buf[256];

        fprintf(stderr, "gatewayctl: cannot write %s: %s\n", file,
                apr_strerror(rv, buf, sizeof(buf)));
        return GWCTL_FAILED;
    }
    fprintf(stderr, "export successful: %s\n", counts(config, p));
    return GWCTL_OK;
}

int gwctl_config(const char *conninfo, const char *what, const char *file,
                 apr_pool_t *p)
{
    if (strcmp(what, "parse") == 0) {
        return cmd_parse(file, p);
    }
    if (strcmp(what, "db_import") == 0) {
        return cmd_import(conninfo, file, p);
    }
    return cmd_export(conninfo, file, p);
}
