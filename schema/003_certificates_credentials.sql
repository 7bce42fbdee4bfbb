-- 003_certificates_credentials: TLS certificates with their SNIs, trusted
-- CA certificates, and the credentials of the auth plugins (key-auth,
-- basic-auth, hmac-auth, jwt, acl). Tables, columns and indexes follow
-- Kong's PostgreSQL schema.
--
-- The store writes a row with jsonb_populate_record over exactly the
-- entity's fields, so the columns Kong has beyond them (keyauth ttl,
-- acls cache_key) are nullable and have no default.
--
-- SNIs and credentials go with what they belong to (ON DELETE CASCADE):
-- Kong's certificates DAO deletes a certificate's SNIs itself, and its
-- credential tables cascade from consumers.

CREATE TABLE IF NOT EXISTS certificates (
    id          uuid PRIMARY KEY,
    created_at  timestamptz,
    updated_at  timestamptz,
    cert        text,
    key         text,
    cert_alt    text,
    key_alt     text,
    tags        text[]
);
CREATE INDEX IF NOT EXISTS certificates_tags_idx ON certificates USING gin (tags);

CREATE TABLE IF NOT EXISTS snis (
    id              uuid PRIMARY KEY,
    name            text NOT NULL UNIQUE,
    created_at      timestamptz,
    updated_at      timestamptz,
    tags            text[],
    certificate_id  uuid REFERENCES certificates (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS snis_certificate_id_idx ON snis (certificate_id);
CREATE INDEX IF NOT EXISTS snis_tags_idx ON snis USING gin (tags);

CREATE TABLE IF NOT EXISTS ca_certificates (
    id           uuid PRIMARY KEY,
    created_at   timestamptz,
    updated_at   timestamptz,
    cert         text NOT NULL,
    cert_digest  text NOT NULL UNIQUE,
    tags         text[]
);
CREATE INDEX IF NOT EXISTS ca_certificates_tags_idx ON ca_certificates USING gin (tags);

-- the client certificates that services and upstreams present upstream
ALTER TABLE services DROP CONSTRAINT IF EXISTS services_client_certificate_id_fkey;
ALTER TABLE services ADD CONSTRAINT services_client_certificate_id_fkey
    FOREIGN KEY (client_certificate_id) REFERENCES certificates (id);
ALTER TABLE upstreams DROP CONSTRAINT IF EXISTS upstreams_client_certificate_id_fkey;
ALTER TABLE upstreams ADD CONSTRAINT upstreams_client_certificate_id_fkey
    FOREIGN KEY (client_certificate_id) REFERENCES certificates (id);

-- ttl: when the key stops working (the Admin API's `ttl` option); rows
-- past it are removed as new keys arrive, as Kong does
CREATE TABLE IF NOT EXISTS keyauth_credentials (
    id           uuid PRIMARY KEY,
    created_at   timestamptz,
    consumer_id  uuid REFERENCES consumers (id) ON DELETE CASCADE,
    key          text UNIQUE,
    tags         text[],
    ttl          timestamptz
);
CREATE INDEX IF NOT EXISTS keyauth_credentials_consumer_id_idx ON keyauth_credentials (consumer_id);
CREATE INDEX IF NOT EXISTS keyauth_tags_idex_tags_idx ON keyauth_credentials USING gin (tags);
CREATE INDEX IF NOT EXISTS keyauth_credentials_ttl_idx ON keyauth_credentials (ttl);
DROP TRIGGER IF EXISTS keyauth_credentials_ttl_trigger ON keyauth_credentials;
CREATE TRIGGER keyauth_credentials_ttl_trigger
    AFTER INSERT ON keyauth_credentials
    FOR EACH STATEMENT EXECUTE PROCEDURE batch_delete_expired_rows('ttl');

-- password: hex SHA-1 of the password followed by the consumer id
CREATE TABLE IF NOT EXISTS basicauth_credentials (
    id           uuid PRIMARY KEY,
    created_at   timestamptz,
    consumer_id  uuid REFERENCES consumers (id) ON DELETE CASCADE,
    username     text UNIQUE,
    password     text,
    tags         text[]
);
CREATE INDEX IF NOT EXISTS basicauth_consumer_id_idx ON basicauth_credentials (consumer_id);
CREATE INDEX IF NOT EXISTS basicauth_tags_idex_tags_idx ON basicauth_credentials USING gin (tags);

CREATE TABLE IF NOT EXISTS hmacauth_credentials (
    id           uuid PRIMARY KEY,
    created_at   timestamptz,
    consumer_id  uuid REFERENCES consumers (id) ON DELETE CASCADE,
    username     text UNIQUE,
    secret       text,
    tags         text[]
);
CREATE INDEX IF NOT EXISTS hmacauth_credentials_consumer_id_idx ON hmacauth_credentials (consumer_id);
CREATE INDEX IF NOT EXISTS hmacauth_tags_idex_tags_idx ON hmacauth_credentials USING gin (tags);

CREATE TABLE IF NOT EXISTS jwt_secrets (
    id              uuid PRIMARY KEY,
    created_at      timestamptz,
    consumer_id     uuid REFERENCES consumers (id) ON DELETE CASCADE,
    key             text UNIQUE,
    secret          text,
    rsa_public_key  text,
    algorithm       text,
    tags            text[]
);
CREATE INDEX IF NOT EXISTS jwt_secrets_consumer_id_idx ON jwt_secrets (consumer_id);
CREATE INDEX IF NOT EXISTS jwt_secrets_secret_idx ON jwt_secrets (secret);
CREATE INDEX IF NOT EXISTS jwtsecrets_tags_idex_tags_idx ON jwt_secrets USING gin (tags);

-- Kong keeps (consumer, group) unique through a cache_key column that
-- its DAO fills in; ours is the pair itself, and cache_key stays for
-- databases shared with Kong's tools
CREATE TABLE IF NOT EXISTS acls (
    id           uuid PRIMARY KEY,
    created_at   timestamptz,
    consumer_id  uuid REFERENCES consumers (id) ON DELETE CASCADE,
    "group"      text,
    cache_key    text UNIQUE,
    tags         text[],
    UNIQUE (consumer_id, "group")
);
CREATE INDEX IF NOT EXISTS acls_consumer_id_idx ON acls (consumer_id);
CREATE INDEX IF NOT EXISTS acls_group_idx ON acls ("group");
CREATE INDEX IF NOT EXISTS acls_tags_idex_tags_idx ON acls USING gin (tags);
