/*
 * mod_gateway_admin_health: GET /upstreams/{u}/health.
 *
 * Kong lists an upstream's targets (the newest entry of each address,
 * paged like /upstreams/{u}/targets) with each one's health and the
 * addresses it resolves to, and with ?balancer_health=1 the upstream's
 * health as a whole. The states are Kong's: HEALTHCHECKS_OFF when the
 * upstream runs no health checks (no active interval and no passive
 * counter set) or the target has weight 0, DNS_ERROR when its name does
 * not resolve, and otherwise HEALTHY, the state targets start in until
 * probes or proxied traffic say otherwise.
 */
#ifndef MOD_GATEWAY_ADMIN_HEALTH_H
#define MOD_GATEWAY_ADMIN_HEALTH_H

#include <json.h>

#include "mod_gateway_admin_http.h"

/* Adds "health" and "data" to each target of upstream in rows. */
void gw_admin_health_targets(gw_admin_req_t *req, json_object *upstream,
                             json_object *rows);

/* Answers ?balancer_health=1 for upstream. */
int gw_admin_health_balancer(gw_admin_req_t *req, json_object *upstream);

#endif
