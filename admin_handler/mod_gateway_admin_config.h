/*
 * mod_gateway_admin_config: /config, Kong's endpoint for the whole
 * declarative configuration of a DB-less node (kong-behaviour.md §1.7).
 *
 *   GET /config    {"config": "<the configuration as a YAML document>"}
 *   POST /config   replaces it: the body is the declarative document
 *                  itself (JSON with _format_version, or YAML with a YAML
 *                  Content-Type), or a `config` parameter holding one as
 *                  text (form, multipart or JSON). 201 with the entities
 *                  by id; 400 code 14 with every error and nothing
 *                  changed; ?check_hash=1 answers 304 when the node
 *                  already serves that configuration; 429 while another
 *                  replacement runs; ?flatten_errors=1 adds Kong's
 *                  flattened_errors.
 *
 * A database node answers 400 for any method (see mod_gateway_admin_meta).
 */
#ifndef MOD_GATEWAY_ADMIN_CONFIG_H
#define MOD_GATEWAY_ADMIN_CONFIG_H

#include "mod_gateway_admin_http.h"

int gw_admin_config(gw_admin_req_t *req, const char *method);

#endif
