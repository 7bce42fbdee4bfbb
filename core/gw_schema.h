/*
 * gw_schema: declarative field schemas in Kong's model.
 *
 * An entity or plugin configuration is described once as a static array of
 * gw_field_t (type, default, validators). The same description drives
 * default filling, form-value coercion, validation with Kong's exact
 * messages, and the /schemas endpoints. Schemas are static data: they are
 * never allocated. Validation results are JSON error trees allocated from
 * the caller's pool, in the shape that gw_error_schema() turns into Kong's
 * "schema violation" error.
 */
#ifndef GW_SCHEMA_H
#define GW_SCHEMA_H

#include <apr_pools.h>
#include <json.h>

typedef enum {
    GW_T_STRING,
    GW_T_INTEGER,
    GW_T_NUMBER,
    GW_T_BOOLEAN,
    GW_T_ARRAY,
    GW_T_SET,
    GW_T_MAP,
    GW_T_RECORD,
    GW_T_FOREIGN
} gw_type_e;

#define GW_F_REQUIRED 0x0001 /* null or absent is "required field missing" */
#define GW_F_UNIQUE 0x0002   /* unique across the table (checked by store) */
#define GW_F_AUTO 0x0004     /* id, timestamp or key the server fills in */
#define GW_F_UUID 0x0008     /* string must be a UUID */
#define GW_F_EMPTY_OK                                      \
    0x0010 /* string may be "" (strings default to len>=1) \
            */
#define GW_F_NULL_RECORD 0x0020 /* absent record stays null, no defaults */
#define GW_F_TRANSIENT 0x0040   /* accepted on input, never stored/returned */
#define GW_F_CASCADE 0x0080     /* FOREIGN: deleted with what it references */
#define GW_F_NULL_ONLY 0x0100   /* any value but null: "value must be null" */
#define GW_F_ABSTRACT 0x0200    /* RECORD whose members a subschema gives */

typedef struct gw_field_s gw_field_t;
typedef struct gw_entity_check_s gw_entity_check_t;

/* A custom validator: returns NULL when v is valid, else Kong's message
 * (static or allocated from p). v is never NULL (null is handled before). */
typedef const char *(*gw_field_check_fn)(json_object *v, apr_pool_t *p);

struct gw_field_s {
    const char *name;
    gw_type_e type;
    unsigned flags;
    const char *dflt;           /* default as JSON text; NULL = null */
    const gw_field_t *elements; /* ARRAY/SET elements, MAP values */
    const gw_field_t *keys;     /* MAP keys (a GW_T_STRING field) */
    const gw_field_t *fields;   /* RECORD members, ended by {NULL} */
    const char *reference;      /* FOREIGN: referenced entity name */
    const char *const *one_of;  /* strings, or integers written as text */
    int has_between;
    double min, max;
    int has_gt;
    double gt;
    int len_min; /* 0: strings 1, arrays no minimum */
    int len_max;
    const char *starts_with;
    gw_field_check_fn check;
    const gw_entity_check_t *checks; /* RECORD: checks across members */
};

/* Entity-level checks (Kong's entity_checks). Field names may be paths
 * into records ("config.allow"), as in Kong's plugin schemas. */
typedef enum {
    GW_CHECK_AT_LEAST_ONE_OF,
    GW_CHECK_ONLY_ONE_OF,
    GW_CHECK_MUTUALLY_REQUIRED,
    GW_CHECK_DISTINCT,
    GW_CHECK_CONDITIONAL,
    GW_CHECK_CUSTOM
} gw_check_kind_e;

typedef struct gw_validation_s gw_validation_t;

typedef void (*gw_entity_check_fn)(gw_validation_t *v, json_object *entity);

/* What a conditional's if-part or then-part asks of a value on top of its
 * field's own rules. A null value passes any match that is not
 * `required`, as in Kong. */
typedef struct {
    const char *eq;            /* a string equal to this */
    const char *match;         /* a Lua pattern "^literal$": a string equal to
                                  the literal (Kong writes some eq this way) */
    int has_gt;                /* a number greater than gt */
    double gt;                 /* */
    const char *contains;      /* an array holding this string */
    int required;              /* not null */
    const char *const *one_of; /* replaces the field's own list */
} gw_schema_match_t;

/* Kong's `conditional` check: when if_field satisfies if_match, then_field
 * must satisfy then_match; a failure puts then_field's message at its
 * path and "failed conditional validation given value of field '<if>'"
 * under "@entity". */
typedef struct {
    const char *if_field;
    gw_schema_match_t if_match;
    const char *then_field;
    gw_schema_match_t then_match;
} gw_conditional_t;

struct gw_entity_check_s {
    gw_check_kind_e kind;
    const char *const *fields;
    gw_entity_check_fn fn;
    const gw_conditional_t *conditional; /* GW_CHECK_CONDITIONAL */
};

/* Kong's subschemas: the fields that replace same-named fields of an
 * entity (a plugin's consumer, protocols and config), the checks that
 * run after the entity's own, an optional rewrite of the input
 * (deprecated shorthand fields) before anything else, and an optional
 * addition to what clients read (those shorthands again, as Kong shows
 * them), never stored. Static data. */
typedef struct {
    const gw_field_t *fields;
    const gw_entity_check_t *checks;
    void (*transform)(json_object *input, gw_validation_t *v);
    void (*present)(json_object *entity);
} gw_subschema_t;

/* The running validation of one record: its error tree and pool. */
struct gw_validation_s {
    apr_pool_t *pool;
    json_object *errors; /* {"field": msg | tree, "@entity": [msg...]} */
};

/* Starts a validation whose errors are owned by p. */
void gw_validation_init(gw_validation_t *v, apr_pool_t *p);

/* Adds an entity-level ("@entity") message. */
void gw_validation_entity_error(gw_validation_t *v, const char *msg);

/* Sets a field's message unless the field already has one. */
void gw_validation_field_error(gw_validation_t *v, const char *field,
                               const char *msg);

/* Sets the message at a path into nested records ("config.redis.host"),
 * replacing what is there, as Kong's conditional checks do. */
void gw_validation_path_error(gw_validation_t *v, const char *path,
                              const char *msg);

/* True when field already failed (entity checks on it are skipped). */
int gw_validation_failed(const gw_validation_t *v, const char *field);

/* True when nothing failed. */
int gw_validation_ok(const gw_validation_t *v);

/* Finds a member of a record description, NULL when unknown. */
const gw_field_t *gw_schema_field(const gw_field_t *fields, const char *name);

/* Finds the description at a path into records ("config.redis.host"). */
const gw_field_t *gw_schema_field_path(const gw_field_t *fields,
                                       const char *path);

/* The value at a path into objects; *present is set when every step
 * exists (the value itself may be a JSON null). */
json_object *gw_schema_get_path(const json_object *obj, const char *path,
                                int *present);

/* base with each member that over also describes replaced by over's
 * (Kong's subschema fields), in base's order; owned by p. */
const gw_field_t *gw_schema_overlay(const gw_field_t *base,
                                    const gw_field_t *over, apr_pool_t *p);

/* The default value of f as a new json-c reference (NULL for null). A
 * record without an explicit default yields its members' defaults. */
json_object *gw_schema_default(const gw_field_t *f);

/* Adds the default of every member of fields that obj lacks (recursing
 * into records). Transient and auto fields are left alone. */
void gw_schema_fill_defaults(const gw_field_t *fields, json_object *obj);

/* Converts form-decoded strings in obj to the types fields declare:
 * "80" -> 80, "true" -> true, a lone scalar -> a one-element array, and
 * {"1":"a","2":"b"} -> ["a","b"]. Values that do not convert stay as they
 * are and fail validation with Kong's "expected ..." message. */
void gw_schema_coerce(const gw_field_t *fields, json_object *obj);

/* Validates one value against f; NULL when valid, else an error node (a
 * string message, or an array/object tree for nested values) owned by p. */
json_object *gw_schema_check_value(const gw_field_t *f, json_object *value,
                                   apr_pool_t *p);

/* Validates the members of a record: unknown keys, missing required
 * members and each member's value; then the entity checks. Errors are
 * added to v. */
void gw_schema_check_record(gw_validation_t *v, const gw_field_t *fields,
                            const gw_entity_check_t *checks, json_object *obj);

/* Runs entity checks alone on obj, a record described by fields. */
void gw_schema_check_entity(gw_validation_t *v, const gw_field_t *fields,
                            const gw_entity_check_t *checks, json_object *obj);

/* The /schemas representation of a record description, Kong's shape:
 * {"fields":[{"name":{"type":...,"default":...}}...],"entity_checks":[]}.
 * Owned by p. */
json_object *gw_schema_describe(const gw_field_t *fields,
                                const gw_entity_check_t *checks, apr_pool_t *p);

/* Shared validators used by several entities. */
const char *gw_schema_check_utf8_name(json_object *v, apr_pool_t *p);
const char *gw_schema_check_tag(json_object *v, apr_pool_t *p);
const char *gw_schema_check_host(json_object *v, apr_pool_t *p);
const char *gw_schema_check_path(json_object *v, apr_pool_t *p);
const char *gw_schema_check_host_port(json_object *v, apr_pool_t *p);
const char *gw_schema_check_ip_or_cidr(json_object *v, apr_pool_t *p);
const char *gw_schema_check_header_name(json_object *v, apr_pool_t *p);
const char *gw_schema_check_http_method(json_object *v, apr_pool_t *p);

/* PCRE2's message when re does not compile, else NULL. */
const char *gw_schema_regex_error(const char *re, apr_pool_t *p);

/* Kong's normalize_ip() verdict on an address: valid (with *port -1 when
 * absent), invalid, or a well-formed port beyond 65535, which Kong
 * reports as "invalid port number" rather than as a bad address. */
typedef enum { GW_ADDR_OK, GW_ADDR_INVALID, GW_ADDR_BAD_PORT } gw_addr_status_e;
gw_addr_status_e gw_schema_address_status(const char *s, int *port,
                                          apr_pool_t *p);

/* Kong's hostname_type(): an IP address by exclusion, not validation (two
 * colons, or only digits and dots once colons are dropped). */
int gw_schema_is_ip_address(const char *s);

/* Kong's typedefs.sni (not an IP address, no port) and
 * typedefs.wildcard_host (the same with one '*' as the first or last
 * character: "*.example.com", "example.*", "*"). */
const char *gw_schema_check_sni(json_object *v, apr_pool_t *p);
const char *gw_schema_check_wildcard_host(json_object *v, apr_pool_t *p);

/* Splits "host", "host:port", "[v6]" or "[v6]:port". Returns 0 when the
 * text is neither a hostname nor an IP address; *port is -1 when absent
 * and -2 when present but not a number in 0..65535. */
int gw_schema_parse_host(const char *s, const char **host, int *port,
                         apr_pool_t *p);

/* Field descriptions shared by entities. */
extern const gw_field_t gw_schema_tag_element;
extern const gw_field_t gw_schema_protocol_element;
extern const char *const gw_schema_protocols[];

/* The members every entity starts with, and the common name and tags
 * members, for use in a gw_field_t array initialiser. */
#define GW_FIELD_ID                                                       \
    {                                                                     \
        .name = "id", .type = GW_T_STRING, .flags = GW_F_AUTO | GW_F_UUID \
    }
#define GW_FIELDS_TIMESTAMPS                                           \
    {.name = "created_at", .type = GW_T_INTEGER, .flags = GW_F_AUTO},  \
    {                                                                  \
        .name = "updated_at", .type = GW_T_INTEGER, .flags = GW_F_AUTO \
    }
#define GW_FIELDS_ID_AND_TIMESTAMPS GW_FIELD_ID, GW_FIELDS_TIMESTAMPS
/* Credentials (Kong's plugin DAOs) have a creation time and no update
 * time. */
#define GW_FIELDS_ID_AND_CREATED_AT                                    \
    GW_FIELD_ID,                                                       \
    {                                                                  \
        .name = "created_at", .type = GW_T_INTEGER, .flags = GW_F_AUTO \
    }
#define GW_FIELD_UNIQUE_NAME(n)                               \
    {                                                         \
        .name = n, .type = GW_T_STRING, .flags = GW_F_UNIQUE, \
        .check = gw_schema_check_utf8_name                    \
    }
#define GW_FIELD_TAGS                                                        \
    {                                                                        \
        .name = "tags", .type = GW_T_SET, .elements = &gw_schema_tag_element \
    }

#endif
