/*
 * gw_entity_sni: the SNI entity (reference §2.7): a server name, exact or
 * with one wildcard ("*.example.com", "example.*", "*" for the default),
 * and the certificate served for it. A name belongs to one certificate;
 * SNIs go with their certificate when it is deleted.
 */
#include "gw_entity.h"

static const gw_field_t sni_fields[] = {
    {.name = "id", .type = GW_T_STRING, .flags = GW_F_AUTO | GW_F_UUID},
    {.name = "name",
     .type = GW_T_STRING,
     .flags = GW_F_REQUIRED | GW_F_UNIQUE,
     .check = gw_schema_check_wildcard_host},
    {.name = "created_at", .type = GW_T_INTEGER, .flags = GW_F_AUTO},
    {.name = "updated_at", .type = GW_T_INTEGER, .flags = GW_F_AUTO},
    GW_FIELD_TAGS,
    /* Kong's certificates DAO deletes a certificate's SNIs with it */
    {.name = "certificate",
     .type = GW_T_FOREIGN,
     .flags = GW_F_REQUIRED | GW_F_CASCADE,
     .reference = "certificates"},
    {NULL}};

const gw_entity_t gw_entity_snis = {
    .name = "snis",
    .singular = "sni",
    .endpoint_key = "name",
    .fields = sni_fields,
};
