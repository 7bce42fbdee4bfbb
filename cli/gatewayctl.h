/*
 * gatewayctl: what the command families share: the database connection
 * and the exit codes.
 */
#ifndef GATEWAYCTL_H
#define GATEWAYCTL_H

#include <apr_pools.h>

#include "gw_store.h"

#define GWCTL_OK 0
#define GWCTL_FAILED 1
#define GWCTL_USAGE 2
#define GWCTL_PENDING 3 /* migrations status: something to do */

/* Opens conninfo through apr_dbd's pgsql driver; says why on stderr. */
apr_status_t gwctl_connect(gw_store_t **st, const char *conninfo,
                           apr_pool_t *p);

/* `migrations bootstrap|up|status` */
int gwctl_migrations(const char *conninfo, const char *what, apr_pool_t *p);

/* `config parse|db_import|db_export FILE` */
int gwctl_config(const char *conninfo, const char *what, const char *file,
                 apr_pool_t *p);

#endif
