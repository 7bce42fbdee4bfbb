/*
 * gw_snapshot: configuration snapshots. See gw_snapshot.h.
 */
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include <apr_file_io.h>
#include <apr_strings.h>

#include "gw_json.h"
#include "gw_snapshot.h"

#define MAGIC "GWSNAP1 "

unsigned long gw_snapshot_crc32(const char *data, apr_size_t len)
{
    unsigned long crc = 0xFFFFFFFFUL;
    apr_size_t i;
    int k;

    for (i = 0; i < len; i++) {
        crc ^= (unsigned char)data[i];
        for (k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0xEDB88320UL & (0UL - (crc & 1UL)));
        }
    }
    return crc ^ 0xFFFFFFFFUL;
}

apr_status_t gw_snapshot_encode(const char **bytes, apr_size_t *len,
                                json_object *config, const char *source,
                                apr_pool_t *p)
{
    const char *json = gw_json_text(config, p);
    apr_size_t jlen = strlen(json);

    *bytes = apr_psprintf(p, MAGIC "%" APR_SIZE_T_FMT " %08lx %s\n%s", jlen,
                          gw_snapshot_crc32(json, jlen), source, json);
    *len = strlen(*bytes);
    return APR_SUCCESS;
}

apr_status_t gw_snapshot_decode(gw_snapshot_t *snap, const char **why,
                                const char *bytes, apr_size_t len,
                                apr_pool_t *p)
{
    const char *nl, *json;
    char source[32];
    unsigned long crc;
    apr_size_t jlen;
    json_object *config;

    memset(snap, 0, sizeof(*snap));
    *why = NULL;
    nl =
        len > sizeof(MAGIC) ? memchr(bytes, '\n', len < 128 ? len : 128) : NULL;
    if (!nl || strncmp(bytes, MAGIC, sizeof(MAGIC) - 1) != 0) {
        *why = "not a gateway snapshot";
        return APR_EGENERAL;
    }
    if (sscanf(bytes + sizeof(MAGIC) - 1, "%" APR_SIZE_T_FMT " %lx %31s", &jlen,
               &crc, source)
        != 3) {
        *why = "malformed snapshot header";
        return APR_EGENERAL;
    }
    json = nl + 1;
    if ((apr_size_t)(bytes + len - json) != jlen) {
        *why = "snapshot is truncated";
        return APR_EGENERAL;
    }
    if (gw_snapshot_crc32(json, jlen) != crc) {
        *why = "snapshot checksum mismatch";
        return APR_EGENERAL;
    }
    if (gw_json_parse(&config, NULL, json, jlen, p) != APR_SUCCESS || !config
        || !json_object_is_type(config, json_type_object)) {
        *why = "snapshot payload is not a JSON object";
        return APR_EGENERAL;
    }
    snap->config = config;
    snap->source = apr_pstrdup(p, source);
    return APR_SUCCESS;
}

apr_status_t gw_snapshot_write_file(const char *path, const char *bytes,
                                    apr_size_t len, apr_pool_t *p)
{
    const char *tmp =
        apr_psprintf(p, "%s.%" APR_PID_T_FMT ".tmp", path, getpid());
    apr_file_t *f;
    apr_status_t rv;

    rv = apr_file_open(&f, tmp,
                       APR_FOPEN_WRITE | APR_FOPEN_CREATE | APR_FOPEN_TRUNCATE
                           | APR_FOPEN_BINARY,
                       APR_FPROT_UREAD | APR_FPROT_UWRITE | APR_FPROT_GREAD, p);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    rv = apr_file_write_full(f, bytes, len, NULL);
    if (rv == APR_SUCCESS) {
        rv = apr_file_sync(f);
    }
    apr_file_close(f);
    if (rv == APR_SUCCESS) {
        rv = apr_file_rename(tmp, path, p);
    }
    if (rv != APR_SUCCESS) {
        apr_file_remove(tmp, p);
    }
    return rv;
}

apr_status_t gw_snapshot_read_file(const char **bytes, apr_size_t *len,
                                   const char *path, apr_size_t max,
                                   apr_pool_t *p)
{
    apr_finfo_t fi;
    apr_file_t *f;
    apr_status_t rv;
    char *buf;
    apr_size_t n;

    rv = apr_stat(&fi, path, APR_FINFO_SIZE, p);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    if ((apr_size_t)fi.size > max) {
        return APR_ENOSPC;
    }
    rv = apr_file_open(&f, path, APR_FOPEN_READ | APR_FOPEN_BINARY, 0, p);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    n = (apr_size_t)fi.size;
    buf = apr_palloc(p, n + 1);
    rv = apr_file_read_full(f, buf, n, &n);
    apr_file_close(f);
    if (rv != APR_SUCCESS && rv != APR_EOF) {
        return rv;
    }
    buf[n] = '\0';
    *bytes = buf;
    *len = n;
    return APR_SUCCESS;
}
