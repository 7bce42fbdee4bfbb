/*
 * gw_yaml_emit: block-style YAML through libyaml's emitter, for GET
 * /config and gatewayctl db_export. See gw_yaml.h.
 */
#include <math.h>
#include <string.h>

#include <apr_strings.h>
#include <yaml.h>

#include "gw_json.h"
#include "gw_yaml.h"

typedef struct {
    yaml_emitter_t emitter;
    apr_pool_t *p;
    char *buf; /* the text so far, from p, grown by doubling */
    apr_size_t len, cap;
    int depth;
} writer_t;

static int write_bytes(void *data, unsigned char *bytes, size_t size)
{
    writer_t *w = data;

    if (w->len + size + 1 > w->cap) {
        apr_size_t cap = w->cap ? w->cap : 4096;
        char *grown;

        while (cap < w->len + size + 1) {
            cap *= 2;
        }
        grown = apr_palloc(w->p, cap);
        memcpy(grown, w->buf, w->len);
        w->buf = grown;
        w->cap = cap;
    }
    memcpy(w->buf + w->len, bytes, size);
    w->len += size;
    return 1;
}

/* Strings that a plain scalar would turn into something else, for lyaml
 * or for YAML 1.1 and 1.2 readers in general (y/n, 0o17), are quoted. */
static int needs_quotes(const char *s, apr_size_t len)
{
    json_object *v = NULL;
    int is_string = 0;

    if (gw_yaml_scalar(&v, &is_string, s, len) != APR_SUCCESS) {
        return 1;
    }
    json_object_put(v);
    return !is_string || (len == 1 && strchr("yYnN", s[0]))
           || (len > 2 && s[0] == '0' && s[1] == 'o');
}

static int emit_scalar(writer_t *w, const char *s, apr_size_t len,
                       yaml_scalar_style_t style)
{
    yaml_event_t ev;

    if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s,
                                      (int)len, 1, 1, style)) {
        return 0;
    }
    return yaml_emitter_emit(&w->emitter, &ev);
}

static int emit_string(writer_t *w, const char *s, apr_size_t len)
{
    yaml_scalar_style_t style = YAML_PLAIN_SCALAR_STYLE;

    if (needs_quotes(s, len)) {
        style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    }
    else if (memchr(s, '\n', len)) {
        /* PEM blocks read best literally; libyaml falls back to quotes
         * when a literal block cannot hold the text exactly */
        style = YAML_LITERAL_SCALAR_STYLE;
    }
    return emit_scalar(w, s, len, style);
}

static int emit_value(writer_t *w, const json_object *v, apr_pool_t *p);

static int emit_container(writer_t *w, const json_object *v, apr_pool_t *p)
{
    yaml_event_t ev;
    int ok;

    if (++w->depth > GW_JSON_MAX_DEPTH * 2) {
        return 0;
    }
    if (json_object_is_type(v, json_type_object)) {
        ok = yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
                                                 YAML_BLOCK_MAPPING_STYLE)
             && yaml_emitter_emit(&w->emitter, &ev);
        json_object_object_foreach ((json_object *)v, k, val) {
            ok = ok && emit_string(w, k, strlen(k)) && emit_value(w, val, p);
        }
        ok = ok && yaml_mapping_end_event_initialize(&ev)
             && yaml_emitter_emit(&w->emitter, &ev);
    }
    else {
        size_t i, n = json_object_array_length(v);

        ok = yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                                  YAML_BLOCK_SEQUENCE_STYLE)
             && yaml_emitter_emit(&w->emitter, &ev);
        for (i = 0; i < n && ok; i++) {
            ok = emit_value(w, json_object_array_get_idx(v, i), p);
        }
        ok = ok && yaml_sequence_end_event_initialize(&ev)
             && yaml_emitter_emit(&w->emitter, &ev);
    }
    w->depth--;
    return ok;
}

static int emit_value(writer_t *w, const json_object *v, apr_pool_t *p)
{
    const char *text;
    double d;

    switch (json_object_get_type(v)) {
        case json_type_null:
            return emit_scalar(w, "null", 4, YAML_PLAIN_SCALAR_STYLE);
        case json_type_boolean:
            text = json_object_get_boolean(v) ? "true" : "false";
            return emit_scalar(w, text, strlen(text), YAML_PLAIN_SCALAR_STYLE);
        case json_type_int:
            text = apr_psprintf(p, "%" APR_INT64_T_FMT,
                                (apr_int64_t)json_object_get_int64(v));
            return emit_scalar(w, text, strlen(text), YAML_PLAIN_SCALAR_STYLE);
        case json_type_double:
            d = json_object_get_double(v);
            if (isnan(d)) {
                text = ".nan";
            }
            else if (isinf(d)) {
                text = d > 0 ? ".inf" : "-.inf";
            }
            else {
                /* the text json-c would write (a parsed "1.50" stays so),
                 * with a fraction so that it reads back as a float */
                text = gw_json_text(v, p);
                if (!strpbrk(text, ".eE")) {
                    text = apr_pstrcat(p, text, ".0", NULL);
                }
            }
            return emit_scalar(w, text, strlen(text), YAML_PLAIN_SCALAR_STYLE);
        case json_type_string:
            return emit_string(w, json_object_get_string((json_object *)v),
                               (apr_size_t)json_object_get_string_len(v));
        default:
            return emit_container(w, v, p);
    }
}

apr_status_t gw_yaml_emit(const char **text, apr_pool_t *p, apr_size_t *len,
                          const json_object *v)
{
    writer_t w;
    yaml_event_t ev;
    int ok;

    *text = NULL;
    memset(&w, 0, sizeof(w));
    w.p = p;
    if (!yaml_emitter_initialize(&w.emitter)) {
        return APR_ENOMEM;
    }
    yaml_emitter_set_output(&w.emitter, write_bytes, &w);
    yaml_emitter_set_unicode(&w.emitter, 1);
    yaml_emitter_set_width(&w.emitter, -1);
    yaml_emitter_set_indent(&w.emitter, 2);
    ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING)
         && yaml_emitter_emit(&w.emitter, &ev)
         && yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1)
         && yaml_emitter_emit(&w.emitter, &ev) && emit_value(&w, v, p)
         && yaml_document_end_event_initialize(&ev, 1)
         && yaml_emitter_emit(&w.emitter, &ev)
         && yaml_stream_end_event_initialize(&ev)
         && yaml_emitter_emit(&w.emitter, &ev)
         && yaml_emitter_flush(&w.emitter);
    yaml_emitter_delete(&w.emitter);
    if (!ok) {
        return APR_EGENERAL;
    }
    if (!w.buf) {
        write_bytes(&w, (unsigned char *)"", 0);
    }
    w.buf[w.len] = '\0';
    *text = w.buf;
    if (len) {
        *len = w.len;
    }
    return APR_SUCCESS;
}
