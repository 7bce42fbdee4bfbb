/*
 * gw_entity_consumer: the Consumer entity (reference §2.3): someone who
 * calls the proxied APIs, known by a username, a custom_id from another
 * system, or both. Credentials and consumer-scoped plugins hang off it.
 */
#include "gw_entity.h"

static const gw_field_t consumer_fields[] = {
    GW_FIELDS_ID_AND_TIMESTAMPS,
    /* unlike service and route names, any non-empty string: Kong puts no
     * charset rule on either */
    {.name = "username", .type = GW_T_STRING, .flags = GW_F_UNIQUE},
    {.name = "custom_id", .type = GW_T_STRING, .flags = GW_F_UNIQUE},
    GW_FIELD_TAGS,
    {NULL}};

static const gw_entity_check_t consumer_checks[] = {
    {.kind = GW_CHECK_AT_LEAST_ONE_OF,
     .fields = (const char *const[]){"custom_id", "username", NULL}},
    {0}};

const gw_entity_t gw_entity_consumers = {
    .name = "consumers",
    .singular = "consumer",
    .endpoint_key = "username",
    .fields = consumer_fields,
    .checks = consumer_checks,
    .query_key = "custom_id",
};
