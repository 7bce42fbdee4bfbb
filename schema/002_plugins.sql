-- 002_plugins: configured plugin instances. Columns follow Kong's plugins
-- table: the scope is route_id, service_id and consumer_id, each deleted
-- with what it references; config is the plugin's whole configuration
-- record. cache_key is Kong's column for the one-instance-per-scope rule;
-- the gateway writes rows with exactly the entity's fields, so it stays
-- NULL here and the rule is kept by the store's check and, against two
-- writers racing, by plugins_scope_idx (NULL scopes compare equal).

CREATE TABLE IF NOT EXISTS plugins (
    id             uuid PRIMARY KEY,
    created_at     timestamptz,
    updated_at     timestamptz,
    name           text NOT NULL,
    instance_name  text UNIQUE,
    consumer_id    uuid REFERENCES consumers (id) ON DELETE CASCADE,
    service_id     uuid REFERENCES services (id) ON DELETE CASCADE,
    route_id       uuid REFERENCES routes (id) ON DELETE CASCADE,
    config         jsonb NOT NULL,
    enabled        boolean NOT NULL,
    cache_key      text UNIQUE,
    protocols      text[],
    tags           text[]
);
CREATE INDEX IF NOT EXISTS plugins_name_idx ON plugins (name);
CREATE INDEX IF NOT EXISTS plugins_consumer_id_idx ON plugins (consumer_id);
CREATE INDEX IF NOT EXISTS plugins_service_id_idx ON plugins (service_id);
CREATE INDEX IF NOT EXISTS plugins_route_id_idx ON plugins (route_id);
CREATE INDEX IF NOT EXISTS plugins_tags_idx ON plugins USING gin (tags);
CREATE UNIQUE INDEX IF NOT EXISTS plugins_scope_idx ON plugins (
    name,
    coalesce(route_id, '00000000-0000-0000-0000-000000000000'),
    coalesce(service_id, '00000000-0000-0000-0000-000000000000'),
    coalesce(consumer_id, '00000000-0000-0000-0000-000000000000'));
