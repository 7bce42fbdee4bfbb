/*
 * test_memstore: gw_store's reads answered from an in-memory
 * configuration (DB-less nodes), against the semantics of the SQL they
 * stand in for: id order, `after` paging, foreign-key, equality and tag
 * filters, newest row per key, and /tags paging.
 */
#include "tap.h"

#include <apr_general.h>

#include "entity_fixture.h"
#include "gw_store.h"

#define S1 "00000000-0000-4000-8000-000000000001"
#define S2 "00000000-0000-4000-8000-000000000002"
#define S3 "00000000-0000-4000-8000-000000000003"
#define U1 "10000000-0000-4000-8000-000000000001"

static const char *config_text =
    "{\"services\":["
    "{\"id\":\"" S3 "\",\"name\":\"c\",\"port\":80,\"tags\":[\"x\"]},"
    "{\"id\":\"" S1 "\",\"name\":\"a\",\"port\":80,\"tags\":[\"x\",\"y\"]},"
    "{\"id\":\"" S2 "\",\"name\":\"b\",\"port\":8080,\"tags\":null}],"
    "\"routes\":["
    "{\"id\":\"20000000-0000-4000-8000-000000000001\",\"name\":\"r1\","
    "\"service\":{\"id\":\"" S1 "\"},\"tags\":[\"y\"]},"
    "{\"id\":\"20000000-0000-4000-8000-000000000002\",\"name\":\"r2\","
    "\"service\":{\"id\":\"" S2 "\"}}],"
    "\"upstreams\":[{\"id\":\"" U1 "\",\"name\":\"up\"}],"
    "\"targets\":["
    "{\"id\":\"30000000-0000-4000-8000-000000000001\",\"target\":\"a:80\","
    "\"created_at\":1.5,\"upstream\":{\"id\":\"" U1 "\"},\"weight\":100},"
    "{\"id\":\"30000000-0000-4000-8000-000000000002\",\"target\":\"a:80\","
    "\"created_at\":2.5,\"upstream\":{\"id\":\"" U1 "\"},\"weight\":0},"
    "{\"id\":\"30000000-0000-4000-8000-000000000003\",\"target\":\"b:80\","
    "\"created_at\":2.0,\"upstream\":{\"id\":\"" U1 "\"},\"weight\":5}]}";

static const char *ids(json_object *rows)
{
    const char *out = "";
    size_t i;

    for (i = 0; i < json_object_array_length(rows); i++) {
        const char *id = gw_json_str(json_object_array_get_idx(rows, i), "id");

        out = apr_pstrcat(pool, out, i ? "," : "", id + strlen(id) - 1, NULL);
    }
    return out;
}

static apr_array_header_t *tags(const char *a, const char *b)
{
    apr_array_header_t *t = apr_array_make(pool, 2, sizeof(const char *));

    APR_ARRAY_PUSH(t, const char *) = a;
    if (b) {
        APR_ARRAY_PUSH(t, const char *) = b;
    }
    return t;
}

int main(void)
{
    gw_memstore_t *m;
    gw_store_t *st;
    gw_store_query_t q;
    json_object *out, *rows;
    const char *next, *next_id, *next_tag;

    apr_initialize();
    apr_pool_create(&pool, NULL);
    m = gw_memstore_create(json(config_text), pool);
    st = gw_store_memory(pool, m);

    /* select */
    gw_store_select(&out, st, &gw_entity_services, "id", S2);
    is(gw_json_str(out, "name"), "b", "select by id");
    gw_store_select(&out, st, &gw_entity_services, "name", "c");
    is(gw_json_str(out, "id"), S3, "select by endpoint key");
    gw_store_select(&out, st, &gw_entity_services, "port", "8080");
    is(gw_json_str(out, "name"), "b", "select compares numbers as text");
    gw_store_select(&out, st, &gw_entity_services, "name", "zz");
    ok(out == NULL, "no match is NULL");
    gw_store_select(&out, st, &gw_entity_routes, "service_id", S2);
    is(gw_json_str(out, "name"), "r2", "<fk>_id selects by the reference");
    gw_store_select(&out, st, &gw_entity_services, "id", S1);
    json_object_object_add(out, "name", json_object_new_string("changed"));
    gw_store_select(&out, st, &gw_entity_services, "id", S1);
    is(gw_json_str(out, "name"), "a", "results are copies");

    /* all and pages in id order */
    gw_store_all(&rows, st, &gw_entity_services);
    is(ids(rows), "1,2,3", "all in id order");
    memset(&q, 0, sizeof(q));
    q.size = 2;
    gw_store_page(&rows, &next, st, &gw_entity_services, &q);
    is(ids(rows), "1,2", "first page");
    is(next, S2, "continues after the last id");
    q.after = next;
    gw_store_page(&rows, &next, st, &gw_entity_services, &q);
    is(ids(rows), "3", "second page");
    ok(next == NULL, "last page has no next");
    q.after = S1 "0"; /* between S1 and S2 */
    gw_store_page(&rows, &next, st, &gw_entity_services, &q);
    is(ids(rows), "2,3", "after an id that is not stored");

    memset(&q, 0, sizeof(q));
    q.size = 10;
    q.tags = tags("x", "y");
    gw_store_page(&rows, &next, st, &gw_entity_services, &q);
    is(ids(rows), "1", "tags x,y: both");
    q.tags_any = 1;
    gw_store_page(&rows, &next, st, &gw_entity_services, &q);
    is(ids(rows), "1,3", "tags x/y: either");
    q.tags = tags("nope", NULL);
    gw_store_page(&rows, &next, st, &gw_entity_services, &q);
    is(ids(rows), "", "unknown tag: nothing");

    memset(&q, 0, sizeof(q));
    q.size = 10;
    q.fk_column = "service_id";
    q.fk_value = S1;
    gw_store_page(&rows, &next, st, &gw_entity_routes, &q);
    is(ids(rows), "1", "nested list by foreign key");
    memset(&q, 0, sizeof(q));
    q.size = 10;
    q.fk_column = "service_id";
    q.fk_values = apr_array_make(pool, 2, sizeof(const char *));
    APR_ARRAY_PUSH(q.fk_values, const char *) = S2;
    APR_ARRAY_PUSH(q.fk_values, const char *) = S3;
    gw_store_page(&rows, &next, st, &gw_entity_routes, &q);
    is(ids(rows), "2", "any of several foreign keys");
    APR_ARRAY_PUSH(q.fk_values, const char *) = S1;
    gw_store_page(&rows, &next, st, &gw_entity_routes, &q);
    is(ids(rows), "1,2", "in id order");

    memset(&q, 0, sizeof(q));
    q.size = 10;
    q.eq_column = "name";
    q.eq_value = "c";
    gw_store_page(&rows, &next, st, &gw_entity_services, &q);
    is(ids(rows), "3", "equality filter");

    /* newest row per key, newest first, decimal offsets */
    memset(&q, 0, sizeof(q));
    q.size = 1;
    q.fk_column = "upstream_id";
    q.fk_value = U1;
    q.newest_per = "target";
    gw_store_page(&rows, &next, st, &gw_entity_targets, &q);
    is(ids(rows), "2", "newest a:80 first");
    is(next, "1", "next is a row number");
    q.skip = 1;
    gw_store_page(&rows, &next, st, &gw_entity_targets, &q);
    is(ids(rows), "3", "then b:80");
    ok(next == NULL, "and no more");
    gw_store_select_child(&out, st, &gw_entity_targets, "target", "a:80",
                          "upstream_id", U1);
    is(gw_json_str(out, "id"), "30000000-0000-4000-8000-000000000002",
       "select_child picks the newest row");

    /* /tags in (entity_id, tag) order */
    gw_store_tags(&rows, &next_id, &next_tag, st, NULL, 2, NULL, NULL);
    is_int((long long)json_object_array_length(rows), 2, "a page of tags");
    is(gw_json_str(json_object_array_get_idx(rows, 1), "tag"), "y",
       "S1's tags in order");
    is(next_id, S1, "next pair id");
    is(next_tag, "y", "next pair tag");
    gw_store_tags(&rows, &next_id, &next_tag, st, NULL, 10, next_id, next_tag);
    is_int((long long)json_object_array_length(rows), 2, "the rest");
    is(gw_json_str(json_object_array_get_idx(rows, 1), "entity_name"), "routes",
       "route tags come after by entity id");
    ok(next_id == NULL, "no next on the last page");
    gw_store_tags(&rows, &next_id, &next_tag, st, "x", 10, NULL, NULL);
    is_int((long long)json_object_array_length(rows), 2, "filtered by tag");

    /* distinct values of a column, sorted */
    gw_store_distinct(&rows, st, &gw_entity_targets, "target");
    is(gw_json_text(rows, pool), "[\"a:80\",\"b:80\"]",
       "distinct targets, sorted");

    apr_pool_destroy(pool);
    apr_terminate();
    return exit_status();
}
