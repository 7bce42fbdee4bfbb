-- 000_base: the first migration. Table and column names follow Kong's
-- PostgreSQL schema (services, routes, cluster_events, schema_meta) so that
-- tools and people who know Kong's database find what they expect.
-- Timestamps are timestamptz at second precision, lists are text[],
-- records and maps are jsonb. The runner wraps each file in a transaction.

CREATE TABLE IF NOT EXISTS schema_meta (
    key            text,
    subsystem      text,
    last_executed  text,
    executed       text[],
    pending        text[],
    PRIMARY KEY (key, subsystem)
);

CREATE TABLE IF NOT EXISTS cluster_events (
    id         uuid PRIMARY KEY,
    node_id    uuid NOT NULL,
    at         timestamptz NOT NULL,
    nbf        timestamptz,
    expire_at  timestamptz NOT NULL,
    channel    text,
    data       text
);
CREATE INDEX IF NOT EXISTS idx_cluster_events_at ON cluster_events (at);
CREATE INDEX IF NOT EXISTS idx_cluster_events_channel ON cluster_events (channel);
CREATE INDEX IF NOT EXISTS idx_cluster_events_expire_at ON cluster_events (expire_at);

-- Expired events are removed as new ones arrive, as Kong does.
CREATE OR REPLACE FUNCTION batch_delete_expired_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('DELETE FROM %I WHERE %I < CURRENT_TIMESTAMP AT TIME ZONE ''UTC''',
                   TG_TABLE_NAME, TG_ARGV[0]);
    RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS cluster_events_ttl_trigger ON cluster_events;
CREATE TRIGGER cluster_events_ttl_trigger
    AFTER INSERT ON cluster_events
    FOR EACH STATEMENT EXECUTE PROCEDURE batch_delete_expired_rows('expire_at');

CREATE TABLE IF NOT EXISTS services (
    id                     uuid PRIMARY KEY,
    created_at             timestamptz,
    updated_at             timestamptz,
    name                   text UNIQUE,
    retries                bigint,
    protocol               text,
    host                   text,
    port                   bigint,
    path                   text,
    connect_timeout        bigint,
    write_timeout          bigint,
    read_timeout           bigint,
    tags                   text[],
    client_certificate_id  uuid,
    tls_verify             boolean,
    tls_verify_depth       smallint,
    ca_certificates        uuid[],
    enabled                boolean NOT NULL DEFAULT true
);
CREATE INDEX IF NOT EXISTS services_tags_idx ON services USING gin (tags);

CREATE TABLE IF NOT EXISTS routes (
    id                          uuid PRIMARY KEY,
    created_at                  timestamptz,
    updated_at                  timestamptz,
    name                        text UNIQUE,
    service_id                  uuid REFERENCES services (id),
    protocols                   text[],
    methods                     text[],
    hosts                       text[],
    paths                       text[],
    snis                        text[],
    sources                     jsonb[],
    destinations                jsonb[],
    regex_priority              bigint,
    strip_path                  boolean,
    preserve_host               boolean,
    tags                        text[],
    https_redirect_status_code  integer,
    headers                     jsonb,
    path_handling               text DEFAULT 'v0',
    request_buffering           boolean,
    response_buffering          boolean
);
CREATE INDEX IF NOT EXISTS routes_service_id_idx ON routes (service_id);
CREATE INDEX IF NOT EXISTS routes_tags_idx ON routes USING gin (tags);
