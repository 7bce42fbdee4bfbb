/*
 * mod_gateway_proxy: the hand-off from the router to mod_proxy.
 *
 * translate_name matches the request against the child's compiled router
 * and, on a match, points the request at mod_proxy (`proxy:` filename,
 * proxy-server handler, reverse proxy) with the upstream URL composed by
 * the router and Kong's upstream headers. mod_proxy's pre_request hook then
 * gives mod_proxy a pooled worker for the service's address: workers are
 * created once per child and address (with the service's timeouts) and
 * kept for the child's lifetime, so connections to upstreams are reused
 * across requests and across configuration changes. A private balancer
 * record carries the service's `retries` into mod_proxy's retry loop.
 */
#ifndef MOD_GATEWAY_PROXY_H
#define MOD_GATEWAY_PROXY_H

#include <httpd.h>

void gw_proxy_register_hooks(apr_pool_t *p);

#endif
