/*
 * gw_store: entities in PostgreSQL through apr_dbd. See gw_store.h.
 *
 * Rows move as JSON: writes pass the whole row as one jsonb parameter to
 * jsonb_populate_record(), reads return to_jsonb(row). The mapping between
 * Kong's entity shape and the table (foreign keys as <name>_id, timestamps
 * as timestamptz) is the only per-entity knowledge, and it comes from the
 * entity's schema.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <apr_time.h>

#include "gw_json.h"
#include "gw_store.h"
#include "gw_text.h"
#include "gw_uuid.h"

gw_store_t *gw_store_wrap(apr_pool_t *p, const apr_dbd_driver_t *driver,
                          apr_dbd_t *handle)
{
    gw_store_t *st = apr_pcalloc(p, sizeof(*st));

    st->driver = driver;
    st->handle = handle;
    st->pool = p;
    return st;
}

gw_store_t *gw_store_memory(apr_pool_t *p, const gw_memstore_t *m)
{
    gw_store_t *st = apr_pcalloc(p, sizeof(*st));

    st->pool = p;
    st->mem = m;
    return st;
}

static apr_status_t mem_select(json_object **out, gw_store_t *st,
                               const gw_entity_t *e, const char *column,
                               const char *value);
static apr_status_t mem_select_child(json_object **out, gw_store_t *st,
                                     const gw_entity_t *e, const char *column,
                                     const char *value, const char *fk_column,
                                     const char *fk_value);
static apr_status_t mem_page(json_object **out, const char **after_last,
                             gw_store_t *st, const gw_entity_t *e,
                             const gw_store_query_t *q);
static apr_status_t mem_tags(json_object **out, const char **next_id,
                             const char **next_tag, gw_store_t *st,
                             const char *tag, int size, const char *after_id,
                             const char *after_tag);

static apr_status_t fail(gw_store_t *st, int rv)
{
    const char *msg = apr_dbd_error(st->driver, st->handle, rv);

    st->error = apr_pstrdup(st->pool, msg ? msg : "unknown database error");
    st->unreachable =
        apr_dbd_check_conn(st->driver, st->pool, st->handle) != APR_SUCCESS;
    return APR_EGENERAL;
}

apr_status_t gw_store_exec(gw_store_t *st, const char *sql)
{
    int nrows = 0;
    int rv = apr_dbd_query(st->driver, st->handle, &nrows, sql);

    return rv ? fail(st, rv) : APR_SUCCESS;
}

apr_status_t gw_store_begin(gw_store_t *st)
{
    return gw_store_exec(st, "BEGIN");
}

apr_status_t gw_store_commit(gw_store_t *st)
{
    return gw_store_exec(st, "COMMIT");
}

void gw_store_rollback(gw_store_t *st)
{
    int nrows;

    (void)apr_dbd_query(st->driver, st->handle, &nrows, "ROLLBACK");
}

void gw_store_prepare_statements(gw_store_t *st)
{
    st->prepared = apr_hash_make(st->pool);
    st->stmt_pool = st->pool;
}

gw_store_t *gw_store_view(gw_store_t *st, apr_pool_t *p)
{
    gw_store_t *view = gw_store_wrap(p, st->driver, st->handle);

    view->prepared = st->prepared;
    view->stmt_pool = st->stmt_pool;
    return view;
}

static apr_status_t prepare(apr_dbd_prepared_t **stmt, gw_store_t *st,
                            const char *sql)
{
    const char *label = NULL;
    int rv;

    if (st->prepared) {
        *stmt = apr_hash_get(st->prepared, sql, APR_HASH_KEY_STRING);
        if (*stmt) {
            return APR_SUCCESS;
        }
        label = apr_psprintf(st->stmt_pool, "gw_stmt_%u",
                             apr_hash_count(st->prepared));
        sql = apr_pstrdup(st->stmt_pool, sql);
    }
    /* Without a label the pgsql driver runs the statement with
     * PQexecParams, so nothing is left prepared on a pooled connection. */
    rv = apr_dbd_prepare(st->driver, st->prepared ? st->stmt_pool : st->pool,
                         st->handle, sql, label, stmt);
    if (rv) {
        *stmt = NULL;
        return fail(st, rv);
    }
    if (label) {
        apr_hash_set(st->prepared, sql, APR_HASH_KEY_STRING, *stmt);
    }
    return APR_SUCCESS;
}

apr_status_t gw_store_strings(apr_array_header_t **out, gw_store_t *st,
                              const char *sql, int nargs, const char **args)
{
    apr_dbd_prepared_t *stmt = NULL;
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;
    int rv;

    *out = apr_array_make(st->pool, 8, sizeof(const char *));
    if (prepare(&stmt, st, sql) != APR_SUCCESS) {
        return APR_EGENERAL;
    }
    /* random access (1): the driver reads the whole result at once and
     * never waits on an empty one */
    rv = apr_dbd_pselect(st->driver, st->pool, st->handle, &res, stmt, 1, nargs,
                         args);
    if (rv) {
        return fail(st, rv);
    }
    while (apr_dbd_get_row(st->driver, st->pool, res, &row, -1) == 0) {
        const char *v = apr_dbd_get_entry(st->driver, row, 0);

        *(const char **)apr_array_push(*out) =
            v ? apr_pstrdup(st->pool, v) : NULL;
    }
    return APR_SUCCESS;
}

static apr_status_t run(gw_store_t *st, int *nrows, const char *sql, int nargs,
                        const char **args)
{
    apr_dbd_prepared_t *stmt = NULL;
    int rv;

    if (prepare(&stmt, st, sql) != APR_SUCCESS) {
        return APR_EGENERAL;
    }
    rv = apr_dbd_pquery(st->driver, st->pool, st->handle, nrows, stmt, nargs,
                        args);
    return rv ? fail(st, rv) : APR_SUCCESS;
}

/* ------------------------------------------------------- row mapping */

static const char *column_of(const gw_field_t *f, apr_pool_t *p)
{
    return f->type == GW_T_FOREIGN ? apr_pstrcat(p, f->name, "_id", NULL)
                                   : f->name;
}

/* f's column as an SQL identifier: quoted, since some of Kong's column
 * names are SQL keywords (acls."group") */
static const char *sql_column(const gw_field_t *f, apr_pool_t *p)
{
    return apr_pstrcat(p, "\"", column_of(f, p), "\"", NULL);
}

/* created_at, updated_at: integer seconds, or (GW_T_NUMBER) seconds with
 * milliseconds */
static int is_timestamp(const gw_field_t *f)
{
    return (f->flags & GW_F_AUTO)
           && (f->type == GW_T_INTEGER || f->type == GW_T_NUMBER);
}

/* The SELECT list that turns a row of e into JSON with epoch timestamps.
 * Milliseconds go through float8 so that JSON shows them as Kong does
 * (1700000000.12, 1700000000 for a whole second). */
static const char *select_json(const gw_entity_t *e, apr_pool_t *p)
{
    const char *sql = "to_jsonb(t)";
    const gw_field_t *f;

    for (f = e->fields; f->name; f++) {
        if (is_timestamp(f)) {
            sql = apr_psprintf(
                p,
                f->type == GW_T_NUMBER
                    ? "%s || jsonb_build_object('%s', round(extract(epoch "
                      "from t.%s), 3)::float8)"
                    : "%s || jsonb_build_object('%s', "
                      "floor(extract(epoch from t.%s))::bigint)",
                sql, f->name, f->name);
        }
    }
    return sql;
}

static json_object *row_to_entity(const gw_entity_t *e, const char *text,
                                  apr_pool_t *p)
{
    json_object *row, *ent;
    const gw_field_t *f;

    if (gw_json_parse(&row, NULL, text, strlen(text), p) != APR_SUCCESS
        || !row) {
        return NULL;
    }
    ent = gw_json_own(p, json_object_new_object());
    for (f = e->fields; f->name; f++) {
        json_object *v = gw_json_get(row, column_of(f, p));

        if (f->flags & GW_F_TRANSIENT) {
            continue;
        }
        if (f->type == GW_T_FOREIGN && v) {
            json_object *ref = json_object_new_object();

            json_object_object_add(ref, "id", json_object_get(v));
            json_object_object_add(ent, f->name, ref);
            continue;
        }
        json_object_object_add(ent, f->name, json_object_get(v));
    }
    return ent;
}

/* An epoch timestamp (integer or fractional seconds) as ISO 8601 with
 * milliseconds, for a timestamptz column. */
static const char *iso_time(json_object *secs, apr_pool_t *p)
{
    double d = json_object_get_double(secs) * 1000.0;
    apr_int64_t ms = (apr_int64_t)(d < 0 ? d - 0.5 : d + 0.5);
    apr_time_exp_t tm;
    char buf[64];
    apr_size_t len;

    apr_time_exp_gmt(&tm, apr_time_from_msec(ms));
    apr_strftime(buf, &len, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    return apr_psprintf(p, "%s.%03dZ", buf, (int)(tm.tm_usec / 1000));
}

static const char *entity_to_row(const gw_entity_t *e, json_object *ent,
                                 apr_pool_t *p)
{
    json_object *row = gw_json_own(p, json_object_new_object());
    const gw_field_t *f;

    for (f = e->fields; f->name; f++) {
        json_object *v = gw_json_get(ent, f->name);

        if (f->flags & GW_F_TRANSIENT) {
            continue;
        }
        if (f->type == GW_T_FOREIGN) {
            v = gw_json_get(v, "id");
        }
        else if (is_timestamp(f) && v) {
            json_object_object_add(row, f->name,
                                   json_object_new_string(iso_time(v, p)));
            continue;
        }
        json_object_object_add(row, column_of(f, p), json_object_get(v));
    }
    return gw_json_text(row, p);
}

/* -------------------------------------------------------------- reads */

apr_status_t gw_store_select(json_object **out, gw_store_t *st,
                             const gw_entity_t *e, const char *column,
                             const char *value)
{
    apr_array_header_t *rows;
    const char *sql;

    if (st->mem) {
        return mem_select(out, st, e, column, value);
    }
    *out = NULL;
    sql = apr_psprintf(st->pool, "SELECT %s FROM %s t WHERE t.%s = %%s",
                       select_json(e, st->pool), e->name, column);
    if (gw_store_strings(&rows, st, sql, 1, &value) != APR_SUCCESS) {
        return APR_EGENERAL;
    }
    if (rows->nelts > 0) {
        *out = row_to_entity(e, ((const char **)rows->elts)[0], st->pool);
    }
    return APR_SUCCESS;
}

apr_status_t gw_store_select_child(json_object **out, gw_store_t *st,
                                   const gw_entity_t *e, const char *column,
                                   const char *value, const char *fk_column,
                                   const char *fk_value)
{
    apr_array_header_t *rows;
    const char *args[2] = {value, fk_value};
    const char *sql;

    if (st->mem) {
        return mem_select_child(out, st, e, column, value, fk_column, fk_value);
    }
    *out = NULL;
    sql = apr_psprintf(st->pool,
                       "SELECT %s FROM %s t WHERE t.%s = %%s AND t.%s = "
                       "%%s::uuid ORDER BY t.created_at DESC, t.id DESC "
                       "LIMIT 1",
                       select_json(e, st->pool), e->name, column, fk_column);
    if (gw_store_strings(&rows, st, sql, 2, args) != APR_SUCCESS) {
        return APR_EGENERAL;
    }
    if (rows->nelts > 0) {
        *out = row_to_entity(e, ((const char **)rows->elts)[0], st->pool);
    }
    return APR_SUCCESS;
}

apr_status_t gw_store_page(json_object **out, const char **after_last,
                           gw_store_t *st, const gw_entity_t *e,
                           const gw_store_query_t *q)
{
    apr_array_header_t *rows;
    const char *args[6];
    const char *sql;
    int nargs = 0, i, n;

    if (st->mem) {
        return mem_page(out, after_last, st, e, q);
    }
    *after_last = NULL;
    sql = apr_psprintf(st->pool, "SELECT %s FROM %s t WHERE true",
                       select_json(e, st->pool), e->name);
    if (q->newest_per) {
        /* the newest row of each value, then those rows newest first */
        sql = apr_psprintf(st->pool,
                           "SELECT %s FROM (SELECT DISTINCT ON (t.%s) t.* "
                           "FROM %s t WHERE true",
                           select_json(e, st->pool), q->newest_per, e->name);
    }
    else if (q->after) {
        sql = apr_pstrcat(st->pool, sql, " AND t.id > %s::uuid", NULL);
        args[nargs++] = q->after;
    }
    if (q->fk_column && q->fk_values) {
        /* ids from the store itself: a uuid[] literal */
        sql = apr_psprintf(st->pool, "%s AND t.%s = ANY(%%s::uuid[])", sql,
                           q->fk_column);
        args[nargs++] = apr_pstrcat(
            st->pool, "{", apr_array_pstrcat(st->pool, q->fk_values, ','), "}",
            NULL);
    }
    else if (q->fk_column) {
        sql = apr_psprintf(st->pool, "%s AND t.%s = %%s::uuid", sql,
                           q->fk_column);
        args[nargs++] = q->fk_value;
    }
    if (q->eq_column) {
        sql = apr_psprintf(st->pool, "%s AND t.%s = %%s", sql, q->eq_column);
        args[nargs++] = q->eq_value;
    }
    if (q->tags && q->tags->nelts > 0) {
        json_object *arr = gw_json_own(st->pool, json_object_new_array());

        for (i = 0; i < q->tags->nelts; i++) {
            json_object_array_add(
                arr, json_object_new_string(((const char **)q->tags->elts)[i]));
        }
        sql = apr_psprintf(st->pool,
                           "%s AND t.tags %s ARRAY(SELECT "
                           "jsonb_array_elements_text(%%s::jsonb))",
                           sql, q->tags_any ? "&&" : "@>");
        args[nargs++] = gw_json_text(arr, st->pool);
    }
    if (q->newest_per) {
        sql = apr_psprintf(st->pool,
                           "%s ORDER BY t.%s, t.created_at DESC, t.id DESC) "
                           "t ORDER BY t.created_at DESC, t.id DESC "
                           "LIMIT %d OFFSET %d",
                           sql, q->newest_per, q->size + 1, q->skip);
    }
    else {
        sql = apr_psprintf(st->pool, "%s ORDER BY t.id LIMIT %d", sql,
                           q->size + 1);
    }
    if (gw_store_strings(&rows, st, sql, nargs, args) != APR_SUCCESS) {
        return APR_EGENERAL;
    }
    *out = gw_json_own(st->pool, json_object_new_array());
    n = rows->nelts > q->size ? q->size : rows->nelts;
    for (i = 0; i < n; i++) {
        json_object *ent =
            row_to_entity(e, ((const char **)rows->elts)[i], st->pool);

        if (ent) {
            json_object_array_add(*out, json_object_get(ent));
        }
    }
    if (rows->nelts > q->size && n > 0) {
        *after_last =
            q->newest_per
                ? apr_itoa(st->pool, q->skip + q->size)
                : gw_json_str(json_object_array_get_idx(*out, (size_t)n - 1),
                              "id");
    }
    return APR_SUCCESS;
}

apr_status_t gw_store_all(json_object **out, gw_store_t *st,
                          const gw_entity_t *e)
{
    apr_array_header_t *rows;
    const char *sql;
    int i;

    if (st->mem) {
        *out = gw_json_copy(gw_memstore_all(st->mem, e), st->pool);
        return APR_SUCCESS;
    }
    *out = NULL;
    sql = apr_psprintf(st->pool, "SELECT %s FROM %s t ORDER BY t.id",
                       select_json(e, st->pool), e->name);
    if (gw_store_strings(&rows, st, sql, 0, NULL) != APR_SUCCESS) {
        return APR_EGENERAL;
    }
    *out = gw_json_own(st->pool, json_object_new_array());
    for (i = 0; i < rows->nelts; i++) {
        json_object *ent =
            row_to_entity(e, ((const char **)rows->elts)[i], st->pool);

        if (ent) {
            json_object_array_add(*out, json_object_get(ent));
        }
    }
    return APR_SUCCESS;
}

static int by_string(const void *a, const void *b)
{
    return strcmp(json_object_get_string(*(json_object *const *)a),
                  json_object_get_string(*(json_object *const *)b));
}

/* The distinct values of one column, from memory. */
static void mem_distinct(json_object *out, gw_store_t *st, const gw_entity_t *e,
                         const char *column)
{
    json_object *all = gw_memstore_all(st->mem, e);
    apr_hash_t *seen = apr_hash_make(st->pool);
    size_t i, n = json_object_array_length(all);

    for (i = 0; i < n; i++) {
        const char *v = gw_json_str(json_object_array_get_idx(all, i), column);

        if (v && !apr_hash_get(seen, v, APR_HASH_KEY_STRING)) {
            apr_hash_set(seen, v, APR_HASH_KEY_STRING, v);
            json_object_array_add(out, json_object_new_string(v));
        }
    }
    json_object_array_sort(out, by_string);
}

apr_status_t gw_store_distinct(json_object **out, gw_store_t *st,
                               const gw_entity_t *e, const char *column)
{
    apr_array_header_t *rows;
    int i;

    *out = gw_json_own(st->pool, json_object_new_array());
    if (st->mem) {
        mem_distinct(*out, st, e, column);
        return APR_SUCCESS;
    }
    /* byte order, as strcmp sorts the in-memory ones */
    if (gw_store_strings(&rows, st,
                         apr_psprintf(st->pool,
                                      "SELECT DISTINCT \"%s\" COLLATE \"C\" "
                                      "FROM %s WHERE \"%s\" IS NOT NULL "
                                      "ORDER BY 1",
                                      column, e->name, column),
                         0, NULL)
        != APR_SUCCESS) {
        return APR_EGENERAL;
    }
    for (i = 0; i < rows->nelts; i++) {
        json_object_array_add(
            *out, json_object_new_string(APR_ARRAY_IDX(rows, i, const char *)));
    }
    return APR_SUCCESS;
}

apr_status_t gw_store_load_all(json_object *config, gw_store_t *st)
{
    const gw_entity_t *const *e;

    for (e = gw_entity_all(); *e; e++) {
        json_object *rows;

        if (gw_store_all(&rows, st, *e) != APR_SUCCESS) {
            return APR_EGENERAL;
        }
        json_object_object_add(config, (*e)->name, json_object_get(rows));
    }
    return APR_SUCCESS;
}

apr_status_t gw_store_tags(json_object **out, const char **next_id,
                           const char **next_tag, gw_store_t *st,
                           const char *tag, int size, const char *after_id,
                           const char *after_tag)
{
    const gw_entity_t *const *e;
    const char *all = NULL, *sql, *args[3];
    apr_array_header_t *rows;
    int nargs = 0, i, n;

    if (st->mem) {
        return mem_tags(out, next_id, next_tag, st, tag, size, after_id,
                        after_tag);
    }
    *next_id = *next_tag = NULL;
    for (e = gw_entity_all(); *e; e++) {
        const char *one;

        if (!gw_schema_field((*e)->fields, "tags")) {
            continue;
        }
        one = apr_psprintf(st->pool,
                           "SELECT unnest(tags) AS tag, '%s'::text AS "
                           "entity_name, id::text AS entity_id FROM %s",
                           (*e)->name, (*e)->name);
        all = all ? apr_pstrcat(st->pool, all, " UNION ALL ", one, NULL) : one;
    }
    sql = apr_psprintf(st->pool,
                       "SELECT jsonb_build_object('tag', tag, 'entity_name', "
                       "entity_name, 'entity_id', entity_id) FROM (%s) x "
                       "WHERE true",
                       all);
    if (tag) {
        sql = apr_pstrcat(st->pool, sql, " AND tag = %s", NULL);
        args[nargs++] = tag;
    }
    if (after_id) {
        sql = apr_pstrcat(st->pool, sql, " AND (entity_id, tag) > (%s, %s)",
                          NULL);
        args[nargs++] = after_id;
        args[nargs++] = after_tag;
    }
    sql = apr_psprintf(st->pool, "%s ORDER BY entity_id, tag LIMIT %d", sql,
                       size + 1);
    if (gw_store_strings(&rows, st, sql, nargs, args) != APR_SUCCESS) {
        return APR_EGENERAL;
    }
    *out = gw_json_own(st->pool, json_object_new_array());
    n = rows->nelts > size ? size : rows->nelts;
    for (i = 0; i < n; i++) {
        json_object *row;
        const char *text = ((const char **)rows->elts)[i];

        if (gw_json_parse(&row, NULL, text, strlen(text), st->pool)
                == APR_SUCCESS
            && row) {
            json_object_array_add(*out, json_object_get(row));
        }
    }
    if (rows->nelts > size && n > 0) {
        json_object *last = json_object_array_get_idx(*out, (size_t)n - 1);

        *next_id = gw_json_str(last, "entity_id");
        *next_tag = gw_json_str(last, "tag");
    }
    return APR_SUCCESS;
}

/* ------------------------------------------------------------- writes */

apr_status_t gw_store_write(gw_store_t *st, const gw_entity_t *e,
                            json_object *ent, int replace)
{
    const char *row = entity_to_row(e, ent, st->pool);
    const char *sql, *cols = NULL, *vals = NULL;
    const gw_field_t *f;
    int nrows = 0;

    sql = apr_psprintf(st->pool,
                       "INSERT INTO %s SELECT * FROM "
                       "jsonb_populate_record(NULL::%s, %%s::jsonb)",
                       e->name, e->name);
    if (replace) {
        for (f = e->fields; f->name; f++) {
            const char *c = sql_column(f, st->pool);

            if ((f->flags & GW_F_TRANSIENT) || strcmp(f->name, "id") == 0) {
                continue;
            }
            cols = cols ? apr_pstrcat(st->pool, cols, ", ", c, NULL) : c;
            c = apr_pstrcat(st->pool, "EXCLUDED.", c, NULL);
            vals = vals ? apr_pstrcat(st->pool, vals, ", ", c, NULL) : c;
        }
        sql = apr_psprintf(st->pool,
                           "%s ON CONFLICT (id) DO UPDATE SET (%s) = ROW(%s)",
                           sql, cols, vals);
    }
    return run(st, &nrows, sql, 1, &row);
}

apr_status_t gw_store_set_ttl(gw_store_t *st, const gw_entity_t *e,
                              const char *id, apr_int64_t seconds)
{
    const char *args[2];
    int nrows = 0;

    args[0] = apr_psprintf(st->pool, "%" APR_INT64_T_FMT, seconds);
    args[1] = id;
    return run(st, &nrows,
               apr_psprintf(st->pool,
                            "UPDATE %s SET ttl = now() + %%s::bigint * "
                            "interval '1 second' WHERE id = %%s::uuid",
                            e->name),
               2, args);
}

apr_status_t gw_store_delete(gw_store_t *st, const gw_entity_t *e,
                             const char *id, int *deleted)
{
    int nrows = 0;
    apr_status_t rv;

    rv = run(
        st, &nrows,
        apr_psprintf(st->pool, "DELETE FROM %s WHERE id = %%s::uuid", e->name),
        1, &id);
    *deleted = nrows > 0;
    return rv;
}

static apr_status_t exists(int *found, gw_store_t *st, const char *table,
                           const char *column, const char *value,
                           const char *except_id)
{
    apr_array_header_t *rows;
    const char *args[2] = {value, except_id};
    const char *sql;

    sql =
        apr_psprintf(st->pool, "SELECT 1 FROM %s WHERE \"%s\" = %%s%s LIMIT 1",
                     table, column, except_id ? " AND id <> %s::uuid" : "");
    if (gw_store_strings(&rows, st, sql, except_id ? 2 : 1, args)
        != APR_SUCCESS) {
        return APR_EGENERAL;
    }
    *found = rows->nelts > 0;
    return APR_SUCCESS;
}

static json_object *one_field(const char *name, json_object *v, apr_pool_t *p)
{
    json_object *o = gw_json_own(p, json_object_new_object());

    json_object_object_add(o, name, json_object_get(v));
    return o;
}

/* Kong's cache_key: the fields of e->unique_together may not all be
 * equal to another row's, null equal to null (a global plugin is one
 * scope); *err is Kong's 409 naming all of them, nulls included. */
static apr_status_t check_unique_together(gw_error_t **err, gw_store_t *st,
                                          const gw_entity_t *e,
                                          json_object *ent)
{
    const char *const *n;
    const char *sql, *args[8];
    json_object *key = gw_json_own(st->pool, json_object_new_object());
    apr_array_header_t *rows;
    int nargs = 0;

    sql = apr_psprintf(st->pool, "SELECT 1 FROM %s WHERE id <> %%s::uuid",
                       e->name);
    args[nargs++] = gw_json_str(ent, "id");
    for (n = e->unique_together; *n && nargs < 8; n++) {
        const gw_field_t *f = gw_schema_field(e->fields, *n);
        json_object *v = gw_json_get(ent, *n);
        int foreign = f->type == GW_T_FOREIGN;

        if (!v) {
            sql = apr_psprintf(st->pool, "%s AND %s IS NULL", sql,
                               column_of(f, st->pool));
            json_object_object_add(key, *n, NULL);
            continue;
        }
        sql = apr_psprintf(st->pool, "%s AND %s = %%s%s", sql,
                           sql_column(f, st->pool), foreign ? "::uuid" : "");
        args[nargs++] =
            foreign ? gw_json_str(v, "id") : json_object_get_string(v);
        json_object_object_add(key, *n, json_object_get(v));
    }
    if (gw_store_strings(&rows, st,
                         apr_pstrcat(st->pool, sql, " LIMIT 1", NULL), nargs,
                         args)
        != APR_SUCCESS) {
        return APR_EGENERAL;
    }
    if (rows->nelts > 0) {
        *err = gw_error_dao(st->pool, GW_ERR_UNIQUE_VIOLATION,
                            apr_psprintf(st->pool,
                                         "UNIQUE violation detected on '%s'",
                                         gw_error_lua(key, st->pool)),
                            key);
    }
    return APR_SUCCESS;
}

apr_status_t gw_store_check_write(gw_error_t **err, gw_store_t *st,
                                  const gw_entity_t *e, json_object *ent)
{
    const char *id = gw_json_str(ent, "id");
    const gw_field_t *f;
    int found;

    *err = NULL;
    for (f = e->fields; f->name; f++) {
        json_object *v = gw_json_get(ent, f->name);

        if (!v) {
            continue;
        }
        if ((f->flags & GW_F_UNIQUE) && f->type == GW_T_STRING) {
            json_object *key;

            if (exists(&found, st, e->name, f->name, json_object_get_string(v),
                       id)
                != APR_SUCCESS) {
                return APR_EGENERAL;
            }
            if (found) {
                key = one_field(f->name, v, st->pool);
                *err = gw_error_dao(
                    st->pool, GW_ERR_UNIQUE_VIOLATION,
                    apr_psprintf(st->pool, "UNIQUE violation detected on '%s'",
                                 gw_error_lua(key, st->pool)),
                    key);
                return APR_SUCCESS;
            }
        }
        if (f->type == GW_T_FOREIGN) {
            const char *ref = gw_json_str(v, "id");

            found = 0;
            if (gw_entity_find(f->reference)
                && exists(&found, st, f->reference, "id", ref, NULL)
                       != APR_SUCCESS) {
                return APR_EGENERAL;
            }
            if (!found) {
                *err = gw_error_dao(
                    st->pool, GW_ERR_FOREIGN_KEY_VIOLATION,
                    apr_psprintf(st->pool,
                                 "the foreign key '%s' does not reference "
                                 "an existing '%s' entity.",
                                 gw_error_lua(v, st->pool), f->reference),
                    one_field(f->name, v, st->pool));
                return APR_SUCCESS;
            }
        }
    }
    if (e->unique_together) {
        return check_unique_together(err, st, e, ent);
    }
    return APR_SUCCESS;
}

apr_status_t gw_store_check_delete(gw_error_t **err, gw_store_t *st,
                                   const gw_entity_t *e, const char *id)
{
    const gw_entity_t *const *other;
    int found;

    *err = NULL;
    for (other = gw_entity_all(); *other; other++) {
        const gw_field_t *f = gw_entity_foreign_to(*other, e);
        json_object *fields;

        if (!f || (f->flags & GW_F_CASCADE)) {
            continue;
        }
        if (exists(&found, st, (*other)->name, column_of(f, st->pool), id, NULL)
            != APR_SUCCESS) {
            return APR_EGENERAL;
        }
        if (found) {
            fields = gw_json_own(st->pool, json_object_new_object());
            json_object_object_add(fields, "@referenced_by",
                                   json_object_new_string((*other)->name));
            *err = gw_error_dao(
                st->pool, GW_ERR_FOREIGN_KEY_VIOLATION,
                apr_psprintf(st->pool,
                             "an existing '%s' entity references this '%s' "
                             "entity",
                             (*other)->name, e->name),
                fields);
            return APR_SUCCESS;
        }
    }
    return APR_SUCCESS;
}

apr_status_t gw_store_event(gw_store_t *st, const char *node_id,
                            const char *channel, const char *data)
{
    const char *id = gw_uuid_v4(st->pool);
    const char *args[4] = {id, node_id, channel, data};
    apr_array_header_t *rows;
    const char *notify[1];
    int nrows;

    if (run(st, &nrows,
            "INSERT INTO cluster_events (id, node_id, at, nbf, expire_at, "
            "channel, data) VALUES (%s::uuid, %s::uuid, now(), NULL, "
            "now() + interval '1 hour', %s, %s)",
            4, args)
        != APR_SUCCESS) {
        return APR_EGENERAL;
    }
    notify[0] = apr_pstrcat(st->pool, channel, " ", data, NULL);
    return gw_store_strings(
        &rows, st, "SELECT pg_notify('" GW_STORE_CHANNEL "', %s)", 1, notify);
}

int gw_store_ping(gw_store_t *st)
{
    apr_array_header_t *rows;

    return gw_store_strings(&rows, st, "SELECT 1", 0, NULL) == APR_SUCCESS
           && rows->nelts == 1;
}

/* ------------------------------------------------- reads from memory */

static apr_status_t mem_select(json_object **out, gw_store_t *st,
                               const gw_entity_t *e, const char *column,
                               const char *value)
{
    json_object *ent = gw_memstore_select(st->mem, e, column, value);

    *out = ent ? gw_json_copy(ent, st->pool) : NULL;
    return APR_SUCCESS;
}

/* Orders rows newest first (created_at, then id, descending), the order
 * of a nested list of newest rows. */
static int newest_first(const void *a, const void *b)
{
    json_object *x = *(json_object *const *)a, *y = *(json_object *const *)b;
    double cx = json_object_get_double(gw_json_get(x, "created_at"));
    double cy = json_object_get_double(gw_json_get(y, "created_at"));

    if (cx != cy) {
        return cx < cy ? 1 : -1;
    }
    return -strcmp(gw_json_str(x, "id"), gw_json_str(y, "id"));
}

static apr_status_t mem_select_child(json_object **out, gw_store_t *st,
                                     const gw_entity_t *e, const char *column,
                                     const char *value, const char *fk_column,
                                     const char *fk_value)
{
    json_object *all = gw_memstore_all(st->mem, e), *best = NULL;
    size_t i, n = json_object_array_length(all);

    for (i = 0; i < n; i++) {
        json_object *ent = json_object_array_get_idx(all, i);

        if (gw_memstore_column_is(e, ent, column, value)
            && gw_memstore_column_is(e, ent, fk_column, fk_value)
            && (!best || newest_first(&ent, &best) < 0)) {
            best = ent;
        }
    }
    *out = best ? gw_json_copy(best, st->pool) : NULL;
    return APR_SUCCESS;
}

static int has_tags(json_object *ent, const gw_store_query_t *q)
{
    json_object *tags = gw_json_get(ent, "tags");
    int i, found = 0;

    for (i = 0; i < q->tags->nelts; i++) {
        const char *want = ((const char **)q->tags->elts)[i];
        size_t j, n = tags ? json_object_array_length(tags) : 0;
        int here = 0;

        for (j = 0; j < n && !here; j++) {
            here = strcmp(json_object_get_string(
                              json_object_array_get_idx(tags, j)),
                          want)
                   == 0;
        }
        if (here) {
            found++;
        }
        else if (!q->tags_any) {
            return 0;
        }
    }
    return found > 0;
}

/* Rows of a memstore are shared between threads: they are gathered as
 * plain pointers and deep-copied into the caller's pool. */
typedef struct mem_page_s {
    const gw_entity_t *e;
    const gw_store_query_t *q;
    apr_array_header_t *rows; /* of json_object * */
    int limit;                /* stop at this many rows; 0: collect all */
} mem_page_t;

static json_object *mem_copy(json_object *shared)
{
    json_object *copy = NULL;

    return json_object_deep_copy(shared, &copy, NULL) == 0 ? copy : NULL;
}

static int any_fk(const gw_entity_t *e, json_object *ent,
                  const gw_store_query_t *q)
{
    int i;

    for (i = 0; i < q->fk_values->nelts; i++) {
        if (gw_memstore_column_is(
                e, ent, q->fk_column,
                APR_ARRAY_IDX(q->fk_values, i, const char *))) {
            return 1;
        }
    }
    return 0;
}

static int mem_collect(void *baton, json_object *ent)
{
    mem_page_t *mp = baton;
    const gw_store_query_t *q = mp->q;

    if ((q->fk_column && q->fk_values && !any_fk(mp->e, ent, q))
        || (q->fk_column && !q->fk_values
            && !gw_memstore_column_is(mp->e, ent, q->fk_column, q->fk_value))
        || (q->eq_column
            && !gw_memstore_column_is(mp->e, ent, q->eq_column, q->eq_value))
        || (q->tags && q->tags->nelts > 0 && !has_tags(ent, q))) {
        return 0;
    }
    APR_ARRAY_PUSH(mp->rows, json_object *) = ent;
    return mp->limit && mp->rows->nelts >= mp->limit;
}

/* Keeps the newest row of each value of q->newest_per, newest first. */
static apr_array_header_t *newest_rows(mem_page_t *mp, apr_pool_t *p)
{
    apr_hash_t *seen = apr_hash_make(p);
    apr_array_header_t *out =
        apr_array_make(p, mp->rows->nelts + 1, sizeof(json_object *));
    int i;

    qsort(mp->rows->elts, (size_t)mp->rows->nelts, sizeof(json_object *),
          newest_first);
    for (i = 0; i < mp->rows->nelts; i++) {
        json_object *ent = APR_ARRAY_IDX(mp->rows, i, json_object *);
        const char *key = gw_json_str(ent, mp->q->newest_per);

        if (key && !apr_hash_get(seen, key, APR_HASH_KEY_STRING)) {
            apr_hash_set(seen, key, APR_HASH_KEY_STRING, ent);
            APR_ARRAY_PUSH(out, json_object *) = ent;
        }
    }
    return out;
}

static apr_status_t mem_page(json_object **out, const char **after_last,
                             gw_store_t *st, const gw_entity_t *e,
                             const gw_store_query_t *q)
{
    mem_page_t mp = {e, q, NULL, 0};
    apr_array_header_t *rows;
    int first = 0, i;

    *after_last = NULL;
    mp.rows = apr_array_make(st->pool, 16, sizeof(json_object *));
    if (q->newest_per) {
        gw_memstore_each(st->mem, e, NULL, mem_collect, &mp);
        rows = newest_rows(&mp, st->pool);
        first = q->skip;
    }
    else {
        mp.limit = q->size + 1;
        gw_memstore_each(st->mem, e, q->after, mem_collect, &mp);
        rows = mp.rows;
    }
    *out = gw_json_own(st->pool, json_object_new_array());
    for (i = first; i < rows->nelts && i < first + q->size; i++) {
        json_object_array_add(*out,
                              mem_copy(APR_ARRAY_IDX(rows, i, json_object *)));
    }
    if (rows->nelts > first + q->size) {
        *after_last =
            q->newest_per
                ? apr_itoa(st->pool, q->skip + q->size)
                : gw_json_str(
                    json_object_array_get_idx(*out, (size_t)q->size - 1), "id");
    }
    return APR_SUCCESS;
}

static apr_status_t mem_tags(json_object **out, const char **next_id,
                             const char **next_tag, gw_store_t *st,
                             const char *tag, int size, const char *after_id,
                             const char *after_tag)
{
    json_object *all = gw_memstore_tags(st->mem);
    size_t i, n = json_object_array_length(all);
    int taken = 0;

    *next_id = *next_tag = NULL;
    *out = gw_json_own(st->pool, json_object_new_array());
    for (i = 0; i < n; i++) {
        json_object *row = json_object_array_get_idx(all, i);
        const char *id = gw_json_str(row, "entity_id");
        const char *t = gw_json_str(row, "tag");
        int c;

        if (tag && strcmp(t, tag) != 0) {
            continue;
        }
        if (after_id) {
            c = strcmp(id, after_id);
            if (c < 0 || (c == 0 && strcmp(t, after_tag) <= 0)) {
                continue;
            }
        }
        if (taken == size) {
            json_object *last =
                json_object_array_get_idx(*out, (size_t)taken - 1);

            *next_id = gw_json_str(last, "entity_id");
            *next_tag = gw_json_str(last, "tag");
            break;
        }
        json_object_array_add(*out, mem_copy(row));
        taken++;
    }
    return APR_SUCCESS;
}
