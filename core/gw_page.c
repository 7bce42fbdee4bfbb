/*
 * gw_page: list-query parameters. See gw_page.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "gw_json.h"
#include "gw_page.h"
#include "gw_schema.h"
#include "gw_text.h"
#include "gw_uuid.h"

apr_status_t gw_page_size(int *size, gw_error_t **err, const char *text,
                          apr_pool_t *p)
{
    char *end;
    double d;

    *err = NULL;
    *size = GW_PAGE_DEFAULT_SIZE;
    if (!text) {
        return APR_SUCCESS;
    }
    d = strtod(text, &end);
    if (!*text || *end || isnan(d)) {
        *err =
            gw_error_dao(p, GW_ERR_INVALID_SIZE, "size must be a number", NULL);
        return APR_EINVAL;
    }
    if (d != floor(d) || d < 1 || d > GW_PAGE_MAX_SIZE) {
        *err = gw_error_dao(p, GW_ERR_INVALID_SIZE,
                            "size must be an integer between 1 and 1000", NULL);
        return APR_EINVAL;
    }
    *size = (int)d;
    return APR_SUCCESS;
}

const char *gw_page_offset_encode(const char *id, apr_pool_t *p)
{
    const char *json = apr_pstrcat(p, "[\"", id, "\"]", NULL);

    return gw_text_b64url_encode((const unsigned char *)json, strlen(json), p);
}

gw_error_t *gw_page_offset_error(const char *token, const char *why,
                                 apr_pool_t *p)
{
    return gw_error_dao(
        p, GW_ERR_INVALID_OFFSET,
        apr_psprintf(p, "'%s' is not a valid offset: %s", token, why), NULL);
}

apr_status_t gw_page_offset_decode(const char **id, gw_error_t **err,
                                   const char *token, apr_pool_t *p)
{
    unsigned char *raw;
    apr_size_t len;
    json_object *arr, *first;

    *id = NULL;
    *err = NULL;
    raw = gw_text_b64url_decode(token, &len, p);
    if (!raw || !*token) {
        *err = gw_page_offset_error(token, "bad base64 encoding", p);
        return APR_EINVAL;
    }
    if (gw_json_parse(&arr, NULL, (const char *)raw, len, p) != APR_SUCCESS
        || !arr || !json_object_is_type(arr, json_type_array)
        || json_object_array_length(arr) != 1) {
        *err = gw_page_offset_error(token, "bad json encoding", p);
        return APR_EINVAL;
    }
    first = json_object_array_get_idx(arr, 0);
    if (!first || !json_object_is_type(first, json_type_string)
        || !gw_uuid_valid(json_object_get_string(first))) {
        *err = gw_page_offset_error(token, "bad json encoding", p);
        return APR_EINVAL;
    }
    *id = apr_pstrdup(p, json_object_get_string(first));
    return APR_SUCCESS;
}

gw_error_t *gw_page_tags_error(const char *why, apr_pool_t *p)
{
    json_object *opts = gw_json_own(p, json_object_new_object());

    json_object_object_add(opts, "tags", json_object_new_string(why));
    return gw_error_dao(p, GW_ERR_INVALID_OPTIONS,
                        apr_psprintf(p, "invalid option (tags: %s)", why),
                        opts);
}

apr_status_t gw_page_tags(apr_array_header_t **tags, int *any, gw_error_t **err,
                          const char *text, int present, apr_pool_t *p)
{
    const char *sep;
    char *copy, *tok, *state;
    json_object *tag;

    *tags = NULL;
    *any = 0;
    *err = NULL;
    if (!present) {
        return APR_SUCCESS;
    }
    if (!text || !*text) {
        *err = gw_page_tags_error("cannot be null", p);
        return APR_EINVAL;
    }
    if (strchr(text, ',') && strchr(text, '/')) {
        *err = gw_page_tags_error("invalid filter syntax", p);
        return APR_EINVAL;
    }
    *any = strchr(text, '/') != NULL;
    sep = *any ? "/" : ",";
    *tags = apr_array_make(p, 5, sizeof(const char *));
    copy = apr_pstrdup(p, text);
    /* an empty element ("a,,b", "a/") is a syntax error, so split by hand
     * rather than with apr_strtok, which skips empty tokens */
    for (tok = copy; tok; tok = state) {
        state = strchr(tok, sep[0]);
        if (state) {
            *state++ = '\0';
        }
        tag = gw_json_own(p, json_object_new_string(tok));
        if (!*tok || gw_schema_check_tag(tag, p)) {
            *err = gw_page_tags_error("invalid filter syntax", p);
            return APR_EINVAL;
        }
        *(const char **)apr_array_push(*tags) = tok;
    }
    if ((*tags)->nelts > GW_PAGE_MAX_TAGS) {
        *err = gw_page_tags_error("cannot query more than 5 tags", p);
        return APR_EINVAL;
    }
    return APR_SUCCESS;
}
