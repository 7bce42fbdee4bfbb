/*
 * gw_version: the versions the gateway reports. GW_VERSION is this
 * product's; GW_KONG_COMPAT_VERSION is the Kong release whose Admin API and
 * declarative format it implements, and is what `GET /` reports as
 * "version" because Kong clients (decK, go-kong) choose their behaviour by
 * parsing it.
 */
#ifndef GW_VERSION_H
#define GW_VERSION_H

#define GW_PRODUCT "mod_gateway"
#define GW_VERSION "0.1.0"
#define GW_KONG_COMPAT_VERSION "3.10.0"

#endif
