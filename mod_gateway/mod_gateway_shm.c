/*
 * mod_gateway_shm: the two-slot snapshot segment. See mod_gateway_shm.h.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_log.h>

#include "mod_gateway_shm.h"

APLOG_USE_MODULE(gateway);

typedef struct slot_s {
    volatile apr_uint64_t seq; /* odd while being written */
    volatile apr_uint64_t gen;
    volatile apr_size_t len;
} slot_t;

typedef struct shm_hdr_s {
    volatile apr_uint64_t generation;
    volatile apr_uint32_t active;
    apr_size_t slot_size;
    slot_t slots[2];
    gw_shm_status_t status;
} shm_hdr_t;

static shm_hdr_t *hdr;

static char *slot_data(int i)
{
    return (char *)(hdr + 1) + (apr_size_t)i * hdr->slot_size;
}

apr_status_t gw_shm_create(apr_size_t slot_size, apr_pool_t *pconf,
                           server_rec *s)
{
    apr_shm_t *shm;
    apr_status_t rv;

    rv = apr_shm_create(&shm, sizeof(shm_hdr_t) + 2 * slot_size, NULL, pconf);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s,
                     "GW00111: cannot create the snapshot shared memory "
                     "(%" APR_SIZE_T_FMT " bytes)",
                     sizeof(shm_hdr_t) + 2 * slot_size);
        return rv;
    }
    hdr = apr_shm_baseaddr_get(shm);
    memset(hdr, 0, sizeof(*hdr));
    hdr->slot_size = slot_size;
    return APR_SUCCESS;
}

apr_status_t gw_shm_publish(const char *bytes, apr_size_t len,
                            const char *source)
{
    apr_uint32_t w;
    slot_t *sl;

    if (!hdr) {
        return APR_ENOSHMAVAIL;
    }
    if (len > hdr->slot_size) {
        return APR_ENOSPC;
    }
    w = 1 - __atomic_load_n(&hdr->active, __ATOMIC_ACQUIRE);
    sl = &hdr->slots[w];
    __atomic_add_fetch(&sl->seq, 1, __ATOMIC_ACQ_REL); /* odd: writing */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    memcpy(slot_data((int)w), bytes, len);
    sl->len = len;
    sl->gen = hdr->generation + 1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    __atomic_add_fetch(&sl->seq, 1, __ATOMIC_ACQ_REL); /* even: stable */
    __atomic_store_n(&hdr->active, w, __ATOMIC_RELEASE);
    apr_cpystrn(hdr->status.source, source, sizeof(hdr->status.source));
    hdr->status.loaded_at = apr_time_now();
    __atomic_store_n(&hdr->generation, sl->gen, __ATOMIC_RELEASE);
    return APR_SUCCESS;
}

apr_uint64_t gw_shm_generation(void)
{
    return hdr ? __atomic_load_n(&hdr->generation, __ATOMIC_ACQUIRE) : 0;
}

apr_status_t gw_shm_fetch(const char **bytes, apr_size_t *len,
                          apr_uint64_t *gen, apr_pool_t *p)
{
    int attempt;

    if (!hdr || gw_shm_generation() == 0) {
        return APR_ENOENT;
    }
    for (attempt = 0; attempt < 100; attempt++) {
        apr_uint32_t a = __atomic_load_n(&hdr->active, __ATOMIC_ACQUIRE);
        slot_t *sl = &hdr->slots[a];
        apr_uint64_t before = __atomic_load_n(&sl->seq, __ATOMIC_ACQUIRE);
        apr_size_t n;
        char *copy;

        if (before & 1) {
            continue; /* a second publish is rewriting this slot */
        }
        n = sl->len;
        if (n > hdr->slot_size) {
            continue;
        }
        copy = apr_palloc(p, n + 1);
        memcpy(copy, slot_data((int)a), n);
        copy[n] = '\0';
        *gen = sl->gen;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (__atomic_load_n(&sl->seq, __ATOMIC_ACQUIRE) == before) {
            *bytes = copy;
            *len = n;
            return APR_SUCCESS;
        }
    }
    return APR_EAGAIN;
}

/* The status fields are advisory (shown by /status and the log); a reader
 * may see a mix of two updates, never a crash: strings are always
 * terminated within their arrays. */
void gw_shm_status_get(gw_shm_status_t *out)
{
    if (!hdr) {
        memset(out, 0, sizeof(*out));
        return;
    }
    memcpy(out, &hdr->status, sizeof(*out));
    out->source[sizeof(out->source) - 1] = '\0';
    out->error[sizeof(out->error) - 1] = '\0';
}

void gw_shm_status_set_db(int reachable, const char *error)
{
    if (!hdr) {
        return;
    }
    hdr->status.database_reachable = reachable;
    if (reachable) {
        hdr->status.checked_at = apr_time_now();
    }
    apr_cpystrn(hdr->status.error, error ? error : "",
                sizeof(hdr->status.error));
}

void gw_shm_count_request(void)
{
    if (hdr) {
        __atomic_add_fetch(&hdr->status.requests, 1, __ATOMIC_RELAXED);
    }
}

void gw_shm_count_connection(void)
{
    if (hdr) {
        __atomic_add_fetch(&hdr->status.connections, 1, __ATOMIC_RELAXED);
    }
}

static int count_of(const json_object *config, const char *name)
{
    json_object *list = NULL;

    return json_object_object_get_ex(config, name, &list)
                   && json_object_is_type(list, json_type_array)
               ? (int)json_object_array_length(list)
               : 0;
}

void gw_shm_status_set_counts(const json_object *config)
{
    if (hdr) {
        hdr->status.services = count_of(config, "services");
        hdr->status.routes = count_of(config, "routes");
    }
}

void gw_shm_status_set_hash(const char *hash)
{
    if (hdr) {
        apr_cpystrn(hdr->status.hash, hash ? hash : "",
                    sizeof(hdr->status.hash));
    }
}
