/*
 * gw_migrate: applies schema/ migrations. See gw_migrate.h.
 */
#include <string.h>

#include <apr_strings.h>

#include "gw_migrate.h"

/* pg_advisory_lock key shared by every migrating process ("gwmigr") */
#define MIGRATE_LOCK "113482937460850"

static int contains(apr_array_header_t *arr, const char *name)
{
    int i;

    for (i = 0; i < arr->nelts; i++) {
        if (strcmp(((const char **)arr->elts)[i], name) == 0) {
            return 1;
        }
    }
    return 0;
}

static int known(const char *name)
{
    const gw_migration_t *m;

    for (m = gw_migrations; m->name; m++) {
        if (strcmp(m->name, name) == 0) {
            return 1;
        }
    }
    return 0;
}

apr_status_t gw_migrate_state(gw_migrate_state_t *state, gw_store_t *st)
{
    apr_array_header_t *rows;
    const gw_migration_t *m;
    int i;

    memset(state, 0, sizeof(*state));
    state->pending = apr_array_make(st->pool, 8, sizeof(const char *));
    state->unknown = apr_array_make(st->pool, 2, sizeof(const char *));
    if (gw_store_strings(
            &rows, st, "SELECT to_regclass('schema_meta') IS NOT NULL", 0, NULL)
        != APR_SUCCESS) {
        return APR_EGENERAL;
    }
    state->bootstrapped =
        rows->nelts == 1 && strcmp(((const char **)rows->elts)[0], "t") == 0;
    state->executed = apr_array_make(st->pool, 8, sizeof(const char *));
    if (state->bootstrapped) {
        if (gw_store_strings(&rows, st,
                             "SELECT unnest(executed) FROM schema_meta "
                             "WHERE key = 'schema_meta' AND "
                             "subsystem = 'core'",
                             0, NULL)
            != APR_SUCCESS) {
            return APR_EGENERAL;
        }
        state->executed = rows;
    }
    for (m = gw_migrations; m->name; m++) {
        if (!contains(state->executed, m->name)) {
            *(const char **)apr_array_push(state->pending) = m->name;
        }
    }
    for (i = 0; i < state->executed->nelts; i++) {
        const char *name = ((const char **)state->executed->elts)[i];

        if (!known(name)) {
            *(const char **)apr_array_push(state->unknown) = name;
        }
    }
    return APR_SUCCESS;
}

static apr_status_t apply(gw_store_t *st, const gw_migration_t *m)
{
    const char *args[2] = {m->name, m->name};
    apr_array_header_t *rows;

    if (gw_store_begin(st) != APR_SUCCESS) {
        return APR_EGENERAL;
    }
    if (gw_store_exec(st, m->sql) != APR_SUCCESS
        || gw_store_exec(st, "INSERT INTO schema_meta (key, subsystem, "
                             "executed, pending) VALUES ('schema_meta', "
                             "'core', '{}', '{}') ON CONFLICT DO NOTHING")
               != APR_SUCCESS
        || gw_store_strings(&rows, st,
                            "UPDATE schema_meta SET last_executed = %s, "
                            "executed = array_append(executed, %s::text) "
                            "WHERE key = 'schema_meta' AND subsystem = "
                            "'core' RETURNING 1",
                            2, args)
               != APR_SUCCESS
        || gw_store_commit(st) != APR_SUCCESS) {
        const char *err = st->error;

        gw_store_rollback(st);
        st->error = apr_psprintf(st->pool, "migration %s failed: %s", m->name,
                                 err ? err : "unknown error");
        return APR_EGENERAL;
    }
    return APR_SUCCESS;
}

apr_status_t gw_migrate_up(gw_store_t *st, const char **why,
                           void (*done)(const char *name, void *ctx), void *ctx)
{
    gw_migrate_state_t state;
    const gw_migration_t *m;
    apr_status_t rv = APR_SUCCESS;

    *why = NULL;
    if (gw_store_exec(st, "SELECT pg_advisory_lock(" MIGRATE_LOCK ")")
        != APR_SUCCESS) {
        return APR_EGENERAL;
    }
    if (gw_migrate_state(&state, st) != APR_SUCCESS) {
        rv = APR_EGENERAL;
    }
    else if (state.unknown->nelts > 0) {
        *why = apr_psprintf(
            st->pool,
            "the database schema is newer than this build (unknown "
            "migrations: %s); upgrade mod_gateway before migrating",
            apr_array_pstrcat(st->pool, state.unknown, ','));
        rv = APR_EINVAL;
    }
    else {
        for (m = gw_migrations; m->name; m++) {
            int i, ran = 1;

            for (i = 0; i < state.pending->nelts; i++) {
                if (strcmp(((const char **)state.pending->elts)[i], m->name)
                    == 0) {
                    ran = 0;
                }
            }
            if (ran) {
                continue;
            }
            if (apply(st, m) != APR_SUCCESS) {
                rv = APR_EGENERAL;
                break;
            }
            if (done) {
                done(m->name, ctx);
            }
        }
    }
    (void)gw_store_exec(st, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")");
    return rv;
}
