/*
 * gw_memstore: the entity queries of gw_store answered from a whole
 * configuration held in memory (a DB-less node's declarative
 * configuration, as the snapshot carries it).
 *
 * A memstore indexes one configuration object {"services":[...], ...}
 * once: entities by id per type, each type's entities in id order (the
 * order PostgreSQL lists uuids in), and the (tag, entity) pairs of /tags.
 * It never changes afterwards, so any number of threads may query it, as
 * long as none of them touches the objects' reference counts or asks
 * json-c to serialise them (both write into the object): callers copy
 * what they keep. A new configuration gets a new memstore. gw_store reads
 * through it when a store is made with gw_store_memory().
 */
#ifndef GW_MEMSTORE_H
#define GW_MEMSTORE_H

#include <apr_pools.h>
#include <json.h>

#include "gw_entity.h"

typedef struct gw_memstore_s gw_memstore_t;

/* Indexes config; config and everything built live as long as p. */
gw_memstore_t *gw_memstore_create(json_object *config, apr_pool_t *p);

/* The configuration indexed. */
json_object *gw_memstore_config(const gw_memstore_t *m);

/* The entity of type e whose column equals value (column: a field name,
 * or "<foreign field>_id"); NULL if none. */
json_object *gw_memstore_select(const gw_memstore_t *m, const gw_entity_t *e,
                                const char *column, const char *value);

/* Every entity of type e in id order (an empty array when none). */
json_object *gw_memstore_all(const gw_memstore_t *m, const gw_entity_t *e);

/* Calls fn for each entity of type e in id order after `after` (NULL:
 * from the first) until fn returns non-zero. */
typedef int (*gw_memstore_each_fn)(void *baton, json_object *ent);
void gw_memstore_each(const gw_memstore_t *m, const gw_entity_t *e,
                      const char *after, gw_memstore_each_fn fn, void *baton);

/* True when ent's column (as for gw_memstore_select) equals value. */
int gw_memstore_column_is(const gw_entity_t *e, json_object *ent,
                          const char *column, const char *value);

/* The (tag, entity_name, entity_id) objects of every tagged entity, in
 * (entity_id, tag) order. */
json_object *gw_memstore_tags(const gw_memstore_t *m);

#endif
