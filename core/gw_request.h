/*
 * gw_request: the plain description of a proxied HTTP request that core/
 * code decides on (router, plugin decisions), so that none of it needs a
 * request_rec.
 *
 * The httpd glue fills one per request from request_rec and its connection;
 * unit tests fill it by hand. Every pointer is borrowed: the strings and the
 * header table belong to whoever built the description (the request pool in
 * httpd) and must outlive every call that is given it. Core code never
 * modifies a gw_request_t.
 */
#ifndef GW_REQUEST_H
#define GW_REQUEST_H

#include <apr_network_io.h>
#include <apr_tables.h>

typedef struct gw_request_s {
    /* Request method exactly as sent ("GET"); methods are case-sensitive. */
    const char *method;
    /* "http" or "https": the scheme the client used to reach the gateway. */
    const char *scheme;
    /* The Host header value as received, possibly with ":port" or an IPv6
     * literal in brackets; NULL when the request carried none. */
    const char *host;
    /* The raw path as received (percent-encoded, not yet normalised), from
     * the first '/' up to but excluding '?'. In httpd this is
     * r->parsed_uri.path, never the already-decoded r->uri. */
    const char *path;
    /* The raw query string without the '?', or NULL when absent. */
    const char *query;
    /* All request headers; apr_table lookups are case-insensitive and
     * apr_table_do() visits every value of a repeated header. May be NULL
     * when the request has none. */
    const apr_table_t *headers;
    /* TLS server name indication; NULL for plain http or when the client
     * sent none. */
    const char *sni;
    /* Address and port of the connecting peer (after any real-ip logic the
     * glue applies). */
    const char *client_ip;
    apr_port_t client_port;
} gw_request_t;

#endif
