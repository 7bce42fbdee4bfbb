/*
 * gw_declarative_errors: the error tree of a declarative configuration
 * and the three forms Kong gives it: the code-14 error's "fields" (JSON),
 * its message (Penlight's pretty.write of the Lua table, on one line),
 * and the flattened_errors list of POST /config?flatten_errors=1.
 *
 * The tree is built as json-c objects whose members are either named
 * (fields, entity types, endpoint keys) or positions in a Lua array,
 * written as index keys (gw_declarative_errors_index). Entity error trees
 * from gw_entity_prepare sit in it unchanged (their JSON arrays hold null
 * where an element had no error, as a Lua array would have a hole).
 * Private to gw_declarative*.c; everything lives in the pool passed in.
 */
#ifndef GW_DECLARATIVE_ERRORS_H
#define GW_DECLARATIVE_ERRORS_H

#include <apr_pools.h>
#include <json.h>

#include "gw_error.h"

/* The member name standing for position i (1-based) of a Lua array. */
const char *gw_declarative_errors_index(int i, apr_pool_t *p);

/* The object member key of obj, created when absent (or not an object). */
json_object *gw_declarative_errors_child(json_object *obj, const char *key,
                                         apr_pool_t *p);

/* Kong's "fields": index-keyed objects become arrays (null where nothing
 * failed), or objects with decimal keys when they also have names. */
json_object *gw_declarative_errors_json(const json_object *tree, apr_pool_t *p);

/* pl.pretty.write(tree, ""): {services={{host="required field missing"}}}. */
const char *gw_declarative_errors_lua(const json_object *tree, apr_pool_t *p);

/* The code-14 error for tree (which it takes over). */
gw_error_t *gw_declarative_errors_make(json_object *tree, apr_pool_t *p);

/* Kong's flatten_errors(): one entry per failing entity of input (the
 * document as given), nested entities hoisted to the top level. The
 * entries taken from tree are removed from it, so that what remains is
 * what Kong still reports under "fields". */
json_object *gw_declarative_errors_flatten(json_object *tree,
                                           const json_object *input,
                                           apr_pool_t *p);

#endif
