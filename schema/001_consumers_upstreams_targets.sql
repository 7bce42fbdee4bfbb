-- 001_consumers_upstreams_targets: consumers, and the upstreams and targets
-- that load balancing works from. Tables, columns and indexes follow Kong's
-- PostgreSQL schema. Upstream and consumer timestamps are at second
-- precision like every other entity's; target timestamps keep milliseconds,
-- as Kong's do. Targets go with their upstream (ON DELETE CASCADE), and one
-- upstream lists an address once (Kong enforces the same through its
-- targets.cache_key column).

CREATE TABLE IF NOT EXISTS consumers (
    id          uuid PRIMARY KEY,
    created_at  timestamptz,
    updated_at  timestamptz,
    username    text UNIQUE,
    custom_id   text UNIQUE,
    tags        text[]
);
CREATE INDEX IF NOT EXISTS consumers_username_idx ON consumers (lower(username));
CREATE INDEX IF NOT EXISTS consumers_tags_idx ON consumers USING gin (tags);

CREATE TABLE IF NOT EXISTS upstreams (
    id                         uuid PRIMARY KEY,
    created_at                 timestamptz,
    updated_at                 timestamptz,
    name                       text UNIQUE,
    hash_on                    text,
    hash_fallback              text,
    hash_on_header             text,
    hash_fallback_header       text,
    hash_on_cookie             text,
    hash_on_cookie_path        text,
    hash_on_query_arg          text,
    hash_fallback_query_arg    text,
    hash_on_uri_capture        text,
    hash_fallback_uri_capture  text,
    slots                      integer NOT NULL,
    healthchecks               jsonb,
    tags                       text[],
    algorithm                  text,
    host_header                text,
    -- REFERENCES certificates (id) once that table exists
    client_certificate_id      uuid,
    use_srv_name               boolean DEFAULT false
);
CREATE INDEX IF NOT EXISTS upstreams_tags_idx ON upstreams USING gin (tags);

CREATE TABLE IF NOT EXISTS targets (
    id           uuid PRIMARY KEY,
    created_at   timestamptz(3),
    updated_at   timestamptz(3),
    upstream_id  uuid REFERENCES upstreams (id) ON DELETE CASCADE,
    target       text NOT NULL,
    weight       integer NOT NULL,
    tags         text[],
    UNIQUE (upstream_id, target)
);
CREATE INDEX IF NOT EXISTS targets_target_idx ON targets (target);
CREATE INDEX IF NOT EXISTS targets_tags_idx ON targets USING gin (tags);
