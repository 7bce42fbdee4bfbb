/*
 * entity_fixture.h: what the entity unit tests share: the test pool, JSON
 * fixtures, and one run of the write pipeline reduced to its message.
 * Include after tap.h; the test's main() creates `pool`.
 */
#ifndef GW_ENTITY_FIXTURE_H
#define GW_ENTITY_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "gw_entity.h"
#include "gw_json.h"

static apr_pool_t *pool;

/* A JSON fixture owned by pool; a fixture that does not parse is a bug in
 * the test, so it aborts. */
static inline json_object *json(const char *s)
{
    json_object *out = NULL;

    if (gw_json_parse(&out, NULL, s, strlen(s), pool) != APR_SUCCESS || !out) {
        diag(apr_psprintf(pool, "cannot parse fixture %s", s));
        abort();
    }
    return out;
}

/* Runs gw_entity_prepare for e; *out gets the entity or NULL and *fields
 * the error tree or NULL. Returns "" on success, else the
 * schema-violation message (or a description of an inconsistent result,
 * which no assertion expects). */
static inline const char *prepare_run(json_object **out, json_object **fields,
                                      const gw_entity_t *e, gw_op_e op,
                                      json_object *input,
                                      const json_object *existing,
                                      apr_time_t now)
{
    gw_error_t *err = NULL;
    apr_status_t rv;

    *fields = NULL;
    rv = gw_entity_prepare(out, &err, e, op, input, existing, now, pool);
    if (rv == APR_SUCCESS) {
        return (*out && !err) ? "" : "success without an entity";
    }
    if (rv != APR_EINVAL || *out || !err) {
        return apr_psprintf(pool, "inconsistent failure %d", rv);
    }
    if (err->code != GW_ERR_SCHEMA_VIOLATION || err->status != 400) {
        return apr_psprintf(pool, "code %d status %d: %s", err->code,
                            err->status, err->message);
    }
    *fields = err->fields;
    return err->message;
}

/* prepare_run() reduced to its message. */
static inline const char *prepare_msg(json_object **out, const gw_entity_t *e,
                                      gw_op_e op, json_object *input,
                                      const json_object *existing,
                                      apr_time_t now)
{
    json_object *fields;

    return prepare_run(out, &fields, e, op, input, existing, now);
}

/* The message of a POST of input (JSON text) as e at time now, "" when it
 * is accepted. */
static inline const char *post_entity_msg(const gw_entity_t *e,
                                          const char *input, apr_time_t now)
{
    json_object *out;

    return prepare_msg(&out, e, GW_OP_INSERT, json(input), NULL, now);
}

/* The entity that POST yields, or NULL after a diagnostic. */
static inline json_object *post_entity(const gw_entity_t *e, const char *input,
                                       apr_time_t now)
{
    json_object *out = NULL;
    const char *msg =
        prepare_msg(&out, e, GW_OP_INSERT, json(input), NULL, now);

    if (*msg) {
        diag(apr_psprintf(pool, "POST %s failed: %s", input, msg));
        return NULL;
    }
    return out;
}

#endif
