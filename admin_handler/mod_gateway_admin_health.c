/*
 * mod_gateway_admin_health: target and balancer health. See
 * mod_gateway_admin_health.h.
 */
#include <httpd.h>
#include <apr_network_io.h>
#include <apr_strings.h>
#include <http_protocol.h>

#include "gw_json.h"
#include "gw_schema.h"
#include "mod_gateway_admin_health.h"

#define HEALTH_OFF "HEALTHCHECKS_OFF"

static long long number_at(json_object *o, const char *const *path)
{
    for (; *path && o; path++) {
        o = gw_json_get(o, *path);
    }
    return o ? (long long)json_object_get_int64(o) : 0;
}

/* Whether the upstream runs any health check: an active interval or a
 * passive counter that is not 0. */
static int checks_enabled(json_object *upstream)
{
    const char *const *const knobs[] = {
        (const char *const[]){"active", "healthy", "interval", NULL},
        (const char *const[]){"active", "unhealthy", "interval", NULL},
        (const char *const[]){"passive", "healthy", "successes", NULL},
        (const char *const[]){"passive", "unhealthy", "tcp_failures", NULL},
        (const char *const[]){"passive", "unhealthy", "timeouts", NULL},
        (const char *const[]){"passive", "unhealthy", "http_failures", NULL},
        NULL};
    json_object *hc = gw_json_get(upstream, "healthchecks");
    int i;

    for (i = 0; knobs[i]; i++) {
        if (number_at(hc, knobs[i]) > 0) {
            return 1;
        }
    }
    return 0;
}

static json_object *address(const char *ip, int port, const char *health,
                            int weight)
{
    json_object *a = json_object_new_object();

    json_object_object_add(a, "ip", json_object_new_string(ip));
    json_object_object_add(a, "port", json_object_new_int(port));
    json_object_object_add(a, "health", json_object_new_string(health));
    json_object_object_add(a, "weight", json_object_new_int(weight));
    return a;
}

/* Resolves "host:port" into addresses; returns the target's health. */
static const char *resolve(json_object *addresses, int *count,
                           const char *target, int weight, int enabled,
                           apr_pool_t *p)
{
    char *host = NULL, *scope = NULL;
    apr_port_t port = 0;
    apr_sockaddr_t *sa;
    const char *health = enabled && weight > 0 ? "HEALTHY" : HEALTH_OFF;

    *count = 0;
    if (apr_parse_addr_port(&host, &scope, &port, target, p) != APR_SUCCESS
        || !host
        || apr_sockaddr_info_get(&sa, host, APR_UNSPEC, port, 0, p)
               != APR_SUCCESS) {
        return "DNS_ERROR";
    }
    for (; sa; sa = sa->next) {
        char *ip = NULL;

        if (apr_sockaddr_ip_get(&ip, sa) == APR_SUCCESS) {
            json_object_array_add(addresses, address(ip, port, health, weight));
            (*count)++;
        }
    }
    return *count ? health : "DNS_ERROR";
}

void gw_admin_health_targets(gw_admin_req_t *req, json_object *upstream,
                             json_object *rows)
{
    int enabled = checks_enabled(upstream);
    size_t i, n = json_object_array_length(rows);

    for (i = 0; i < n; i++) {
        json_object *t = json_object_array_get_idx(rows, i);
        json_object *data = json_object_new_object();
        json_object *addresses = json_object_new_array();
        json_object *w = json_object_new_object();
        int weight = json_object_get_int(gw_json_get(t, "weight"));
        const char *target = gw_json_str(t, "target");
        int count = 0;
        const char *health = target ? resolve(addresses, &count, target, weight,
                                              enabled, req->pool)
                                    : "DNS_ERROR";
        int healthy = strcmp(health, "DNS_ERROR") != 0;

        json_object_object_add(w, "total", json_object_new_int(weight * count));
        json_object_object_add(
            w, "available", json_object_new_int(healthy ? weight * count : 0));
        json_object_object_add(
            w, "unavailable",
            json_object_new_int(healthy ? 0 : weight * count));
        json_object_object_add(data, "addresses", addresses);
        json_object_object_add(data, "weight", w);
        json_object_object_add(t, "health", json_object_new_string(health));
        json_object_object_add(t, "data", data);
    }
}

int gw_admin_health_balancer(gw_admin_req_t *req, json_object *upstream)
{
    json_object *body = gw_json_own(req->pool, json_object_new_object());
    json_object *data = json_object_new_object();
    const char *health = checks_enabled(upstream) ? "HEALTHY" : HEALTH_OFF;

    json_object_object_add(data, "id",
                           json_object_get(gw_json_get(upstream, "id")));
    json_object_object_add(data, "health", json_object_new_string(health));
    json_object_object_add(data, "balancer_health",
                           json_object_new_string(health));
    json_object_object_add(body, "data", data);
    json_object_object_add(body, "next", NULL);
    json_object_object_add(body, "node_id",
                           json_object_new_string(req->node->node_id));
    return gw_admin_send_json(req, HTTP_OK, body);
}
