/*
 * test_schema: the schema engine (gw_schema) and Kong's error objects
 * (gw_error): every field-level message of reference §1.6 to the byte,
 * entity checks, defaults, form coercion, the "schema violation" message
 * construction and the error JSON the Admin API sends.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "gw_error.h"
#include "gw_json.h"
#include "gw_schema.h"
#include "tap.h"

#define TESTS 160

static apr_pool_t *pool;

/* ------------------------------------------------------------ schemas */

static const char *const colours[] = {"red", "green", "blue", NULL};
static const char *const codes[] = {"426", "301", NULL};

static const gw_field_t path_element = {
    .name = "path", .type = GW_T_STRING, .starts_with = "/"};
static const gw_field_t int_element = {.name = "n", .type = GW_T_INTEGER};
static const gw_field_t str_element = {.name = "s", .type = GW_T_STRING};

static const gw_field_t limits_fields[] = {
    {.name = "hour", .type = GW_T_INTEGER, .dflt = "60"},
    {.name = "day", .type = GW_T_INTEGER},
    {NULL}};

static const gw_field_t config_fields[] = {
    {.name = "minute", .type = GW_T_INTEGER, .has_gt = 1, .gt = 0},
    {.name = "policy",
     .type = GW_T_STRING,
     .dflt = "\"local\"",
     .one_of = colours},
    {.name = "limits", .type = GW_T_RECORD, .fields = limits_fields},
    {.name = "optional",
     .type = GW_T_RECORD,
     .flags = GW_F_NULL_RECORD,
     .fields = limits_fields},
    {NULL}};

static const gw_field_t fields[] = {
    {.name = "id", .type = GW_T_STRING, .flags = GW_F_AUTO | GW_F_UUID},
    {.name = "name", .type = GW_T_STRING, .flags = GW_F_REQUIRED},
    {.name = "port",
     .type = GW_T_INTEGER,
     .dflt = "80",
     .has_between = 1,
     .min = 0,
     .max = 65535},
    {.name = "ratio", .type = GW_T_NUMBER},
    {.name = "enabled", .type = GW_T_BOOLEAN, .dflt = "true"},
    {.name = "colour", .type = GW_T_STRING, .one_of = colours},
    {.name = "code", .type = GW_T_INTEGER, .one_of = codes},
    {.name = "paths", .type = GW_T_ARRAY, .elements = &path_element},
    {.name = "numbers", .type = GW_T_ARRAY, .elements = &int_element},
    {.name = "tags", .type = GW_T_SET, .elements = &str_element},
    {.name = "headers",
     .type = GW_T_MAP,
     .keys = &str_element,
     .elements = &str_element},
    {.name = "counts", .type = GW_T_MAP, .elements = &int_element},
    {.name = "config", .type = GW_T_RECORD, .fields = config_fields},
    {.name = "service", .type = GW_T_FOREIGN, .reference = "services"},
    {.name = "ref", .type = GW_T_STRING, .flags = GW_F_UUID},
    {.name = "note", .type = GW_T_STRING, .flags = GW_F_EMPTY_OK},
    {.name = "short", .type = GW_T_STRING, .len_min = 3, .len_max = 5},
    {.name = "secret",
     .type = GW_T_STRING,
     .flags = GW_F_TRANSIENT,
     .dflt = "\"s\""},
    {NULL}};

/* A schema for the entity checks: every member an optional string except
 * the required `label`. */
static const gw_field_t check_fields[] = {
    {.name = "label", .type = GW_T_STRING, .flags = GW_F_REQUIRED},
    {.name = "custom_id", .type = GW_T_STRING},
    {.name = "username", .type = GW_T_STRING},
    {.name = "cert_alt", .type = GW_T_STRING},
    {.name = "key_alt", .type = GW_T_STRING},
    {.name = "hash_on_header", .type = GW_T_STRING},
    {.name = "hash_fallback_header", .type = GW_T_STRING},
    {NULL}};

static const gw_entity_check_t at_least_one[] = {
    {.kind = GW_CHECK_AT_LEAST_ONE_OF,
     .fields = (const char *const[]){"custom_id", "username", NULL}},
    {0}};
static const gw_entity_check_t only_one[] = {
    {.kind = GW_CHECK_ONLY_ONE_OF,
     .fields = (const char *const[]){"custom_id", "username", NULL}},
    {0}};
static const gw_entity_check_t all_or_none[] = {
    {.kind = GW_CHECK_MUTUALLY_REQUIRED,
     .fields = (const char *const[]){"cert_alt", "key_alt", NULL}},
    {0}};
static const gw_entity_check_t distinct[] = {
    {.kind = GW_CHECK_DISTINCT,
     .fields =
         (const char *const[]){"hash_on_header", "hash_fallback_header", NULL}},
    {0}};

/* Kong's plugin schema language: records reached by paths, conditional
 * checks, fields that must stay null, abstract records. */
static const gw_field_t inner_fields[] = {
    {.name = "policy", .type = GW_T_STRING, .one_of = colours},
    {.name = "host", .type = GW_T_STRING, .len_min = 2},
    {.name = "max", .type = GW_T_NUMBER, .has_between = 1, .min = 0, .max = 9},
    {.name = "claims", .type = GW_T_ARRAY, .elements = &str_element},
    {.name = "allow", .type = GW_T_ARRAY, .elements = &str_element},
    {.name = "deny", .type = GW_T_ARRAY, .elements = &str_element},
    {NULL}};
static const gw_field_t outer_fields[] = {
    {.name = "owner",
     .type = GW_T_FOREIGN,
     .flags = GW_F_NULL_ONLY,
     .reference = "consumers"},
    {.name = "conf", .type = GW_T_RECORD, .fields = inner_fields},
    {.name = "any", .type = GW_T_RECORD, .flags = GW_F_ABSTRACT},
    {NULL}};
static const gw_entity_check_t path_checks[] = {
    {.kind = GW_CHECK_ONLY_ONE_OF,
     .fields = (const char *const[]){"conf.allow", "conf.deny", NULL}},
    {.kind = GW_CHECK_CONDITIONAL,
     .conditional = &(const gw_conditional_t){.if_field = "conf.policy",
                                              .if_match = {.eq = "red"},
                                              .then_field = "conf.host",
                                              .then_match = {.required = 1}}},
    {.kind = GW_CHECK_CONDITIONAL,
     .conditional =
         &(const gw_conditional_t){.if_field = "conf.max",
                                   .if_match = {.has_gt = 1, .gt = 0},
                                   .then_field = "conf.claims",
                                   .then_match = {.contains = "exp"}}},
    {0}};

/* ------------------------------------------------------------ helpers */

static json_object *json(const char *s)
{
    json_object *out = NULL;

    if (gw_json_parse(&out, NULL, s, strlen(s), pool) != APR_SUCCESS || !out) {
        diag(apr_psprintf(pool, "cannot parse fixture %s", s));
        abort();
    }
    return out;
}

/* The error tree of validating input against a schema, as JSON text. */
static const char *errors_with(const gw_field_t *schema,
                               const gw_entity_check_t *checks,
                               const char *input)
{
    gw_validation_t v;

    gw_validation_init(&v, pool);
    gw_schema_check_record(&v, schema, checks, json(input));
    return gw_json_text(v.errors, pool);
}

static const char *errors(const char *input)
{
    return errors_with(fields, NULL, input);
}

/* Kong's message for validating input ("" when valid). */
static const char *message_with(const gw_field_t *schema,
                                const gw_entity_check_t *checks,
                                const char *input)
{
    gw_validation_t v;

    gw_validation_init(&v, pool);
    gw_schema_check_record(&v, schema, checks, json(input));
    if (gw_validation_ok(&v)) {
        return "";
    }
    return gw_error_schema(pool, v.errors)->message;
}

static const char *message(const char *input)
{
    return message_with(fields, NULL, input);
}

/* The message for one field's value: "name" is given so that only the
 * field under test can fail. */
static const char *field_msg(const char *member_json)
{
    return message(
        apr_pstrcat(pool, "{\"name\":\"n\",", member_json, "}", NULL));
}

/* ------------------------------------------------------------ tests */

static void test_presence(void)
{
    is(errors("{\"name\":\"n\"}"), "{}", "a minimal valid record");
    is(errors("{}"), "{\"name\":\"required field missing\"}",
       "required member absent");
    is(message("{}"), "schema violation (name: required field missing)",
       "one violation: schema violation (x: y)");
    is(message("{\"name\":null}"),
       "schema violation (name: required field missing)",
       "required member null");
    is(field_msg("\"port\":null"), "", "an optional member may be null");
    is(field_msg("\"bogus\":1"), "schema violation (bogus: unknown field)",
       "unknown field");
    is(field_msg("\"config\":{\"zzz\":1}"),
       "schema violation (config.zzz: unknown field)",
       "unknown field inside a record");
    is(field_msg("\"id\":\"nope\""),
       "schema violation (id: expected a valid "
       "UUID)",
       "an auto id the client supplies is validated");
}

static void test_types(void)
{
    static const struct {
        const char *member, *msg;
    } cases[] = {
        {"\"port\":\"80\"", "port: expected an integer"},
        {"\"port\":1.5", "port: expected an integer"},
        {"\"port\":true", "port: expected an integer"},
        {"\"ratio\":\"x\"", "ratio: expected a number"},
        {"\"enabled\":\"true\"", "enabled: expected a boolean"},
        {"\"enabled\":1", "enabled: expected a boolean"},
        {"\"paths\":\"/a\"", "paths: expected an array"},
        {"\"paths\":{}", "paths: expected an array"},
        {"\"tags\":\"a\"", "tags: expected a set"},
        {"\"headers\":[]", "headers: expected a map"},
        {"\"headers\":\"x\"", "headers: expected a map"},
        {"\"config\":\"x\"", "config: expected a record"},
        {"\"config\":[]", "config: expected a record"},
        {"\"service\":\"x\"", "service: expected a record"},
        {"\"numbers\":[1,\"2\"]", "numbers.2: expected an integer"},
    };
    apr_size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        is(field_msg(cases[i].member),
           apr_psprintf(pool, "schema violation (%s)", cases[i].msg),
           cases[i].member);
    }
    is(message("{\"name\":1}"), "schema violation (name: expected a string)",
       "\"name\":1");
    is(field_msg("\"port\":80.0"), "", "an integral number is an integer");
    is(field_msg("\"ratio\":1"), "", "an integer is a number");
}

static void test_validators(void)
{
    is(field_msg("\"colour\":\"pink\""),
       "schema violation (colour: expected one of: red, green, blue)",
       "one_of on strings, in schema order");
    is(field_msg("\"colour\":\"Red\""),
       "schema violation (colour: expected one of: red, green, blue)",
       "one_of is case-sensitive");
    is(field_msg("\"code\":200"),
       "schema violation (code: expected one of: 426, 301)",
       "one_of on integers");
    is(field_msg("\"code\":301"), "", "an integer in one_of");
    is(field_msg("\"port\":65536"),
       "schema violation (port: value should be between 0 and 65535)",
       "above between");
    is(field_msg("\"port\":-1"),
       "schema violation (port: value should be between 0 and 65535)",
       "below between");
    is(field_msg("\"port\":0"), "", "between includes its minimum");
    is(field_msg("\"port\":65535"), "", "between includes its maximum");
    is(field_msg("\"config\":{\"minute\":0}"),
       "schema violation (config.minute: value must be greater than 0)",
       "gt excludes its bound");
    is(field_msg("\"config\":{\"minute\":-3}"),
       "schema violation (config.minute: value must be greater than 0)",
       "gt, negative");
    is(field_msg("\"config\":{\"minute\":1}"), "", "gt satisfied");
    is(message("{\"name\":\"\"}"),
       "schema violation (name: length must be at least 1)",
       "strings are non-empty by default");
    is(field_msg("\"note\":\"\""), "", "GW_F_EMPTY_OK allows \"\"");
    is(field_msg("\"short\":\"ab\""),
       "schema violation (short: length must be at least 3)", "len_min");
    is(field_msg("\"short\":\"abcdef\""),
       "schema violation (short: length must be at most 5)", "len_max");
    is(field_msg("\"short\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\""), "",
       "length counts characters, not bytes");
    is(field_msg("\"paths\":[\"a\"]"),
       "schema violation (paths.1: should start with: /)", "starts_with");
    is(field_msg("\"ref\":\"nope\""),
       "schema violation (ref: expected a valid UUID)", "uuid");
    is(field_msg("\"ref\":\"6ba7b810-9dad-11d1-80b4-00c04fd430c8\""), "",
       "a valid uuid");
}

static void test_foreign(void)
{
    is(field_msg("\"service\":{}"),
       "schema violation (service.id: missing primary key)",
       "foreign reference without id");
    is(errors("{\"name\":\"n\",\"service\":{}}"),
       "{\"service\":{\"id\":\"missing primary key\"}}",
       "fields mirror the nesting");
    is(field_msg("\"service\":{\"id\":null}"),
       "schema violation (service.id: missing primary key)", "null id");
    is(field_msg("\"service\":{\"id\":\"x\"}"),
       "schema violation (service.id: expected a valid UUID)", "bad id");
    is(field_msg("\"service\":{\"id\":\"6ba7b810-9dad-11d1-80b4-"
                 "00c04fd430c8\",\"x\":1}"),
       "", "other members of a reference are ignored, as in Kong");
    is(field_msg("\"service\":{\"id\":\"6ba7b810-9dad-11d1-80b4-"
                 "00c04fd430c8\"}"),
       "", "a valid reference");
}

static void test_collections(void)
{
    is(errors("{\"name\":\"n\",\"paths\":[\"/a\",\"x\"]}"),
       "{\"paths\":[null,\"should start with: /\"]}",
       "array element errors sit at the element's index");
    is(message("{\"name\":\"n\",\"paths\":[\"/a\",\"x\"]}"),
       "schema violation (paths.2: should start with: /)",
       "element paths are 1-based: paths.2");
    is(message("{\"name\":\"n\",\"paths\":[\"x\",\"/b\",\"y\"]}"),
       "2 schema violations (paths.1: should start with: /; paths.3: should "
       "start with: /)",
       "one entry per failing element");
    is(message("{\"name\":\"n\",\"paths\":[null]}"),
       "schema violation (paths.1: required field missing)",
       "a null element is missing");
    is(field_msg("\"paths\":[]"), "", "an empty array is valid");
    is(field_msg("\"headers\":{\"x\":\"1\"}"), "", "a valid map");
    is(field_msg("\"headers\":{\"x\":1}"),
       "schema violation (headers: expected a string)", "bad map value");
    is(field_msg("\"headers\":{\"\":\"1\"}"),
       "schema violation (headers: length must be at least 1)", "bad map key");
}

static void test_entity_checks(void)
{
    is(message_with(check_fields, at_least_one, "{\"label\":\"l\"}"),
       "schema violation (at least one of these fields must be non-empty: "
       "'custom_id', 'username')",
       "at least one of: none set");
    is(errors_with(check_fields, at_least_one, "{\"label\":\"l\"}"),
       "{\"@entity\":[\"at least one of these fields must be non-empty: "
       "'custom_id', 'username'\"]}",
       "entity errors go under @entity");
    is(message_with(check_fields, at_least_one,
                    "{\"label\":\"l\",\"username\":\"u\"}"),
       "", "at least one of: one set");
    is(message_with(check_fields, at_least_one,
                    "{\"label\":\"l\",\"username\":null}"),
       "schema violation (at least one of these fields must be non-empty: "
       "'custom_id', 'username')",
       "at least one of: null is not set");
    is(message_with(check_fields, at_least_one,
                    "{\"label\":\"l\",\"custom_id\":5}"),
       "schema violation (custom_id: expected a string)",
       "a check over a failed field is skipped");
    is(message_with(check_fields, at_least_one, "{}"),
       "2 schema violations (at least one of these fields must be non-empty: "
       "'custom_id', 'username'; label: required field missing)",
       "@entity entries come before field entries");
    is(message_with(check_fields, only_one,
                    "{\"label\":\"l\",\"custom_id\":\"c\",\"username\":\"u\"}"),
       "schema violation (exactly one of these fields must be non-empty: "
       "'custom_id', 'username')",
       "exactly one of: both set");
    is(message_with(check_fields, only_one,
                    "{\"label\":\"l\",\"custom_id\":null,"
                    "\"username\":null}"),
       "schema violation (exactly one of these fields must be non-empty: "
       "'custom_id', 'username')",
       "exactly one of: none set");
    is(message_with(check_fields, only_one, "{\"label\":\"l\"}"), "",
       "exactly one of: skipped when neither field is there at all");
    is(message_with(check_fields, only_one,
                    "{\"label\":\"l\",\"custom_id\":\"c\"}"),
       "", "exactly one of: one set");
    is(message_with(check_fields, all_or_none,
                    "{\"label\":\"l\",\"cert_alt\":\"c\"}"),
       "schema violation (all or none of these fields must be set: "
       "'cert_alt', 'key_alt')",
       "all or none: one of two");
    is(message_with(check_fields, all_or_none,
                    "{\"label\":\"l\",\"cert_alt\":\"c\",\"key_alt\":\"k\"}"),
       "", "all or none: all");
    is(message_with(check_fields, all_or_none, "{\"label\":\"l\"}"), "",
       "all or none: none");
    is(message_with(check_fields, distinct,
                    "{\"label\":\"l\",\"hash_on_header\":\"h\","
                    "\"hash_fallback_header\":\"h\"}"),
       "schema violation (values of these fields must be distinct: "
       "'hash_on_header', 'hash_fallback_header')",
       "distinct: equal values");
    is(message_with(check_fields, distinct,
                    "{\"label\":\"l\",\"hash_on_header\":\"h\","
                    "\"hash_fallback_header\":\"g\"}"),
       "", "distinct: different values");
    is(message_with(check_fields, distinct,
                    "{\"label\":\"l\",\"hash_on_header\":\"h\"}"),
       "", "distinct: one unset");
}

static void test_validation_api(void)
{
    gw_validation_t v;

    gw_validation_init(&v, pool);
    ok(gw_validation_ok(&v), "a new validation is ok");
    gw_validation_field_error(&v, "host", "first");
    gw_validation_field_error(&v, "host", "second");
    gw_validation_entity_error(&v, "e1");
    gw_validation_entity_error(&v, "e2");
    is(gw_json_text(v.errors, pool),
       "{\"host\":\"first\",\"@entity\":[\"e1\",\"e2\"]}",
       "the first field message wins; entity messages accumulate");
    ok(gw_validation_failed(&v, "host") && !gw_validation_failed(&v, "port"),
       "gw_validation_failed");
    ok(!gw_validation_ok(&v), "not ok after an error");
    ok(gw_schema_field(fields, "port") == &fields[2]
           && gw_schema_field(fields, "nope") == NULL,
       "gw_schema_field finds members");
}

static void test_defaults(void)
{
    json_object *o = json("{\"name\":\"n\"}");
    json_object *d;

    gw_schema_fill_defaults(fields, o);
    is(gw_json_text(o, pool),
       "{\"name\":\"n\",\"port\":80,\"ratio\":null,\"enabled\":true,"
       "\"colour\":null,\"code\":null,\"paths\":null,\"numbers\":null,"
       "\"tags\":null,\"headers\":null,\"counts\":null,"
       "\"config\":{\"minute\":null,\"policy\":\"local\","
       "\"limits\":{\"hour\":60,\"day\":null},\"optional\":null},"
       "\"service\":null,\"ref\":null,\"note\":null,\"short\":null}",
       "every member filled in schema order; nested records get their "
       "defaults; auto and transient members are left alone");
    o = json("{\"port\":1,\"enabled\":false,\"config\":{\"minute\":5,"
             "\"limits\":{\"day\":2}},\"paths\":null}");
    gw_schema_fill_defaults(fields, o);
    is(gw_json_text(gw_json_get(o, "config"), pool),
       "{\"minute\":5,\"limits\":{\"day\":2,\"hour\":60},\"policy\":\"local\","
       "\"optional\":null}",
       "a given record keeps its members and gains missing defaults, nested");
    ok(json_object_get_int(gw_json_get(o, "port")) == 1
           && !json_object_get_boolean(gw_json_get(o, "enabled"))
           && gw_json_has(o, "paths") && !gw_json_get(o, "paths"),
       "given values, false and null are not replaced by defaults");
    o = json("{\"config\":null}");
    gw_schema_fill_defaults(fields, o);
    ok(gw_json_has(o, "config") && !gw_json_get(o, "config"),
       "an explicit null record stays null");
    d = gw_json_own(pool, gw_schema_default(gw_schema_field(fields, "config")));
    is(gw_json_text(d, pool),
       "{\"minute\":null,\"policy\":\"local\",\"limits\":{\"hour\":60,"
       "\"day\":null},\"optional\":null}",
       "the default of a record is its members' defaults");
    ok(gw_schema_default(gw_schema_field(fields, "ratio")) == NULL,
       "no default is null");
    d = gw_json_own(pool, gw_schema_default(gw_schema_field(fields, "secret")));
    is(gw_json_text(d, pool), "\"s\"", "an explicit default");
}

static const char *coerced(const char *input)
{
    json_object *o = json(input);

    gw_schema_coerce(fields, o);
    return gw_json_text(o, pool);
}

static void test_coerce(void)
{
    is(coerced("{\"port\":\"80\"}"), "{\"port\":80}", "\"80\" -> 80");
    is(coerced("{\"port\":\"-7\"}"), "{\"port\":-7}", "negative integer");
    is(coerced("{\"ratio\":\"1.5\"}"), "{\"ratio\":1.5}", "\"1.5\" -> 1.5");
    is(coerced("{\"enabled\":\"true\"}"), "{\"enabled\":true}",
       "\"true\" -> true");
    is(coerced("{\"enabled\":\"false\"}"), "{\"enabled\":false}",
       "\"false\" -> false");
    is(coerced("{\"enabled\":\"TRUE\"}"), "{\"enabled\":\"TRUE\"}",
       "booleans are exactly true/false");
    is(coerced("{\"port\":\"x\"}"), "{\"port\":\"x\"}", "\"x\" stays");
    is(coerced("{\"port\":\"\"}"), "{\"port\":\"\"}", "\"\" stays");
    is(coerced("{\"port\":\"80x\"}"), "{\"port\":\"80x\"}",
       "trailing junk stays");
    is(coerced("{\"port\":\" 80\"}"), "{\"port\":\" 80\"}",
       "leading space stays");
    is(coerced("{\"name\":\"80\"}"), "{\"name\":\"80\"}",
       "string members stay strings");
    is(coerced("{\"paths\":\"/a\"}"), "{\"paths\":[\"/a\"]}",
       "scalar -> [scalar]");
    is(coerced("{\"numbers\":\"7\"}"), "{\"numbers\":[7]}",
       "scalar -> [scalar] with its element coerced");
    is(coerced("{\"numbers\":[\"1\",\"x\",2]}"), "{\"numbers\":[1,\"x\",2]}",
       "array elements coerced one by one");
    is(coerced("{\"tags\":\"a\"}"), "{\"tags\":[\"a\"]}", "sets too");
    is(coerced("{\"counts\":{\"a\":\"3\"}}"), "{\"counts\":{\"a\":3}}",
       "map values coerced");
    is(coerced("{\"config\":{\"minute\":\"5\",\"limits\":{\"hour\":\"2\"}}}"),
       "{\"config\":{\"minute\":5,\"limits\":{\"hour\":2}}}",
       "records coerced recursively");
    is(coerced("{\"paths\":{\"1\":\"/a\",\"2\":\"/b\"}}"),
       "{\"paths\":[\"/a\",\"/b\"]}",
       "{\"1\":..,\"2\":..} -> array (gw_schema.h contract)");
    is(coerced("{\"bogus\":\"1\"}"), "{\"bogus\":\"1\"}",
       "unknown members untouched");
    is(message(coerced("{\"name\":\"n\",\"port\":\"x\"}")),
       "schema violation (port: expected an integer)",
       "what does not convert fails validation");
    is(message(coerced("{\"name\":\"n\",\"port\":\"1.5\"}")),
       "schema violation (port: expected an integer)",
       "\"1.5\" for an integer fails validation");
}

static void test_message_construction(void)
{
    is(gw_error_schema_message(json("{\"host\":\"required field missing\"}"),
                               "schema violation", pool),
       "schema violation (host: required field missing)", "one entry");
    is(gw_error_schema_message(
           json("{\"path\":\"b\",\"host\":\"a\",\"Zed\":\"z\",\"@entity\":["
                "\"e1\",\"e2\"]}"),
           "schema violation", pool),
       "5 schema violations (e1; e2; Zed: z; host: a; path: b)",
       "@entity entries first, in order; then fields in byte order");
    is(gw_error_schema_message(
           json("{\"config\":{\"second\":\"s\",\"minute\":\"m\"}}"),
           "schema violation", pool),
       "2 schema violations (config.minute: m; config.second: s)",
       "record members sorted, one entry each");
    is(gw_error_schema_message(
           json("{\"config\":{\"limits\":{\"hour\":\"h\",\"day\":\"d\"}}}"),
           "schema violation", pool),
       "schema violation (config.limits: {day=\"d\",hour=\"h\"})",
       "a deeper table is printed Lua-style");
    is(gw_error_schema_message(
           json("{\"sources\":[null,{\"ip\":\"bad\"}],\"protocols\":[\"p\"]}"),
           "schema violation", pool),
       "2 schema violations (protocols.1: p; sources.2: {ip=\"bad\"})",
       "array entries numbered from 1; table elements Lua-style");
    is(gw_error_schema_message(json("{}"), "schema violation", pool),
       "schema violation", "no entries: the bare prefix");
}

static void test_error_json(void)
{
    gw_error_t *e;
    json_object *fields_tree = json("{\"host\":\"required field missing\"}");

    e = gw_error_schema(pool, fields_tree);
    is_int(e->status, 400, "schema violation is HTTP 400");
    is_int(e->code, GW_ERR_SCHEMA_VIOLATION, "code 2");
    is(gw_json_text(gw_error_json(e, pool), pool),
       "{\"code\":2,\"name\":\"schema violation\",\"message\":\"schema "
       "violation (host: required field missing)\",\"fields\":{\"host\":"
       "\"required field missing\"}}",
       "code 2 JSON: code, name, message, fields");
    e = gw_error_dao(pool, GW_ERR_INVALID_OPTIONS,
                     "invalid option (tags: cannot be null)",
                     json("{\"tags\":\"cannot be null\"}"));
    is(gw_json_text(gw_error_json(e, pool), pool),
       "{\"code\":11,\"name\":\"invalid options\",\"message\":\"invalid "
       "option (tags: cannot be null)\",\"options\":{\"tags\":\"cannot be "
       "null\"}}",
       "code 11 puts details under options");
    e = gw_error_dao(pool, GW_ERR_INVALID_SIZE, "size must be a number", NULL);
    is(gw_json_text(gw_error_json(e, pool), pool),
       "{\"code\":9,\"name\":\"invalid size\",\"message\":\"size must be a "
       "number\"}",
       "no fields key when there are none");
    e = gw_error_plain(pool, 404, "Not found");
    is(gw_json_text(gw_error_json(e, pool), pool),
       "{\"message\":\"Not found\"}", "a plain error is only a message");
    is_int(e->status, 404, "a plain error keeps its status");
    e = gw_error_plain(pool, 500, NULL);
    is(gw_json_text(gw_error_json(e, pool), pool),
       "{\"message\":\"An unexpected error occurred\"}",
       "no message: Kong's 500 text");
    is_int(gw_error_dao(pool, GW_ERR_UNIQUE_VIOLATION, "u", NULL)->status, 409,
           "unique violation is 409");
    is_int(gw_error_dao(pool, GW_ERR_NOT_FOUND, "n", NULL)->status, 404,
           "not found is 404");
    is_int(gw_error_dao(pool, GW_ERR_OPERATION_UNSUPPORTED, "o", NULL)->status,
           405, "operation unsupported is 405");
    is_int(gw_error_dao(pool, GW_ERR_DATABASE_ERROR, "d", NULL)->status, 500,
           "database error is 500");
    is(apr_psprintf(pool, "%s|%s|%s|%s|%s", gw_error_code_name(1),
                    gw_error_code_name(3), gw_error_code_name(4),
                    gw_error_code_name(7), gw_error_code_name(13)),
       "invalid primary key|primary key violation|foreign key "
       "violation|invalid offset|foreign keys unresolved",
       "code names as in §1.6");
    is(gw_error_code_name(GW_ERR_DECLARATIVE_CONFIG),
       "invalid declarative configuration", "code 14 name");
    is(gw_error_code_name((gw_err_code_e)99), "unknown error",
       "out-of-range code");
}

static void test_error_lua(void)
{
    is(gw_error_lua(json("{\"service\":{\"id\":\"u\"},\"name\":\"basic-auth\","
                         "\"route\":null,\"consumer\":null}"),
                    pool),
       "{consumer=null,name=\"basic-auth\",route=null,service={id=\"u\"}}",
       "Kong's unique-violation key rendering, keys sorted");
    is(gw_error_lua(json("{\"name\":\"foo\"}"), pool), "{name=\"foo\"}",
       "{name=\"foo\"}");
    is(gw_error_lua(json("[1,\"a\",true,false,[2.5]]"), pool),
       "{1,\"a\",true,false,{2.5}}", "arrays and scalars");
    is(gw_error_lua(json("{\"n\":2.0,\"big\":12345678901234}"), pool),
       "{big=12345678901234,n=2}", "integral numbers without a fraction");
    is(gw_error_lua(json("\"say \\\"hi\\\"\""), pool), "\"say \\\"hi\\\"\"",
       "strings quoted with escapes");
    is(gw_error_lua(json("{}"), pool), "{}", "empty table");
}

static const gw_field_t three_ints = {
    .name = "ints", .type = GW_T_ARRAY, .elements = &int_element, .len_min = 3};

static const char *path_errors(const char *input)
{
    return errors_with(outer_fields, path_checks, input);
}

static void test_plugin_language(void)
{
    gw_validation_t v;
    json_object *o;
    int present;
    const gw_field_t *merged;
    static const gw_field_t over[] = {
        {.name = "port", .type = GW_T_STRING}, {.name = "nope"}, {NULL}};

    is(path_errors("{\"conf\":{\"allow\":[\"a\"]}}"), "{}",
       "paths: a valid record");
    is(path_errors("{\"conf\":{\"allow\":[\"a\"],\"deny\":[\"b\"]}}"),
       "{\"@entity\":[\"exactly one of these fields must be non-empty: "
       "'conf.allow', 'conf.deny'\"]}",
       "paths: checks reach into records and name the paths");
    is(path_errors("{\"conf\":\"x\"}"), "{\"conf\":\"expected a record\"}",
       "paths: a check whose fields are all absent is skipped");
    is(path_errors("{\"conf\":{\"allow\":[\"a\"],\"policy\":\"red\"}}"),
       "{\"conf\":{\"host\":\"required field missing\"},\"@entity\":["
       "\"failed conditional validation given value of field "
       "'conf.policy'\"]}",
       "conditional: the message goes to the then-path");
    is(path_errors("{\"conf\":{\"allow\":[\"a\"],\"policy\":\"red\","
                   "\"host\":\"h\"}}"),
       "{\"conf\":{\"host\":\"length must be at least 2\"},\"@entity\":"
       "[\"failed conditional validation given value of field "
       "'conf.policy'\"]}",
       "conditional: the then-field's own rules count");
    is(path_errors("{\"conf\":{\"allow\":[\"a\"],\"policy\":\"blue\"}}"), "{}",
       "conditional: no match, no rule");
    is(path_errors("{\"conf\":{\"allow\":[\"a\"],\"policy\":null}}"),
       "{\"conf\":{\"host\":\"required field missing\"},\"@entity\":["
       "\"failed conditional validation given value of field "
       "'conf.policy'\"]}",
       "conditional: a null if-value matches, as in Kong");
    is(path_errors("{\"conf\":{\"allow\":[\"a\"],\"max\":5,"
                   "\"claims\":[\"nbf\"]}}"),
       "{\"conf\":{\"claims\":\"expected to contain: exp\"},\"@entity\":"
       "[\"failed conditional validation given value of field "
       "'conf.max'\"]}",
       "conditional: gt and contains");
    is(path_errors("{\"conf\":{\"allow\":[\"a\"],\"max\":50,"
                   "\"claims\":[\"nbf\"]}}"),
       "{\"conf\":{\"max\":\"value should be between 0 and 9\"}}",
       "conditional: an invalid if-value never matches");
    is(path_errors("{\"conf\":{\"allow\":[\"a\"],\"max\":5}}"), "{}",
       "conditional: a null then-value passes unless required");
    is(path_errors("{\"owner\":{\"id\":\"x\"},\"conf\":{\"allow\":"
                   "[\"a\"]}}"),
       "{\"owner\":\"value must be null\"}", "a field that must stay null");
    is(path_errors("{\"owner\":null,\"any\":{\"whatever\":1},"
                   "\"conf\":{\"allow\":[\"a\"]}}"),
       "{}", "an abstract record takes any members");
    is(path_errors("{\"any\":5,\"conf\":{\"allow\":[\"a\"]}}"),
       "{\"any\":\"expected a record\"}", "but is a record");
    o = json("{}");
    gw_schema_fill_defaults(outer_fields, o);
    is(gw_json_text(o, pool),
       "{\"owner\":null,\"conf\":{\"policy\":null,\"host\":null,"
       "\"max\":null,\"claims\":null,\"allow\":null,\"deny\":null}}",
       "an abstract record gets no default");
    is(gw_json_text(gw_schema_describe(outer_fields, path_checks, pool), pool),
       "{\"fields\":[{\"owner\":{\"type\":\"foreign\",\"eq\":null,"
       "\"reference\":\"consumers\"}},{\"conf\":{\"type\":\"record\","
       "\"fields\":[{\"policy\":{\"type\":\"string\",\"one_of\":["
       "\"red\",\"green\",\"blue\"]}},{\"host\":{\"type\":\"string\","
       "\"len_min\":2}},{\"max\":{\"type\":\"number\",\"between\":[0,"
       "9]}},{\"claims\":{\"type\":\"array\",\"elements\":{\"type\":"
       "\"string\"}}},{\"allow\":{\"type\":\"array\",\"elements\":{"
       "\"type\":\"string\"}}},{\"deny\":{\"type\":\"array\","
       "\"elements\":{\"type\":\"string\"}}}]}},{\"any\":{\"type\":"
       "\"record\",\"abstract\":true,\"fields\":[]}}],\"entity_checks\":["
       "{\"only_one_of\":[\"conf.allow\",\"conf.deny\"]},{\"conditional\":"
       "{\"if_field\":\"conf.policy\",\"if_match\":{\"eq\":\"red\"},"
       "\"then_field\":\"conf.host\",\"then_match\":{\"required\":true}}},"
       "{\"conditional\":{\"if_field\":\"conf.max\",\"if_match\":{\"gt\":"
       "0},\"then_field\":\"conf.claims\",\"then_match\":{\"contains\":"
       "\"exp\"}}}]}",
       "description: eq null, abstract, conditionals");

    gw_validation_init(&v, pool);
    gw_validation_field_error(&v, "conf", "expected a record");
    gw_validation_path_error(&v, "conf.host", "x");
    gw_validation_path_error(&v, "a.b.c", "y");
    is(gw_json_text(v.errors, pool),
       "{\"conf\":\"expected a record\",\"a\":{\"b\":{\"c\":\"y\"}}}",
       "path errors nest, and never inside a failed record");
    o = json("{\"a\":{\"b\":null,\"c\":{\"d\":1}}}");
    ok(!gw_schema_get_path(o, "a.b", &present) && present, "a null at a path");
    ok(!gw_schema_get_path(o, "a.x", &present) && !present, "nothing there");
    ok(!gw_schema_get_path(o, "a.b.c", &present) && !present,
       "a path through a null");
    is(gw_json_text(gw_schema_get_path(o, "a.c.d", &present), pool), "1",
       "a deep value");
    ok(gw_schema_field_path(outer_fields, "conf.host") == &inner_fields[1],
       "a field by path");
    ok(!gw_schema_field_path(outer_fields, "owner.id"),
       "no path through a non-record");
    merged = gw_schema_overlay(fields, over, pool);
    ok(merged[2].type == GW_T_STRING && strcmp(merged[1].name, "name") == 0
           && !gw_schema_field(merged, "nope"),
       "an overlay replaces same-named fields in place and adds none");
    is(gw_json_text(gw_schema_check_value(&three_ints, json("[\"x\"]"), pool),
                    pool),
       "[\"expected an integer\"]",
       "element errors come before the array's own rules");
    is(gw_json_text(gw_schema_check_value(&three_ints, json("[1]"), pool),
                    pool),
       "\"length must be at least 3\"", "then its length");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    plan(TESTS);
    test_presence();
    test_types();
    test_validators();
    test_foreign();
    test_collections();
    test_entity_checks();
    test_validation_api();
    test_defaults();
    test_coerce();
    test_message_construction();
    test_error_json();
    test_error_lua();
    test_plugin_language();
    apr_pool_destroy(pool);
    apr_terminate();
    return exit_status();
}
