-- OAuth 2.0 clients and the Device Authorization Grant (RFC 8628). A public client (the
-- `portal` CLI, seeded) asks for a device code; the person approves it in the web app; the
-- client's session carries the client and the scopes it may use.
CREATE TABLE oauth_clients (
    client_id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('public', 'confidential')),
    secret_hash TEXT,
    scopes TEXT NOT NULL,
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    created_by TEXT,
    disabled_at TIMESTAMP WITHOUT TIME ZONE
);
INSERT INTO oauth_clients (client_id, name, kind, secret_hash, scopes, created_at)
    VALUES ('portal', 'Service Portal CLI', 'public', NULL,
            'organizations:read projects:read projects:write account:read', CURRENT_TIMESTAMP);

CREATE TABLE device_authorizations (
    id TEXT PRIMARY KEY NOT NULL,
    device_code_hash TEXT NOT NULL UNIQUE,
    user_code TEXT NOT NULL UNIQUE,
    client_id TEXT NOT NULL REFERENCES oauth_clients (client_id),
    scopes TEXT NOT NULL,
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    expires_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    interval_seconds INTEGER NOT NULL,
    last_polled_at TIMESTAMP WITHOUT TIME ZONE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'used')),
    account_id TEXT REFERENCES accounts (id) ON DELETE CASCADE,
    decided_at TIMESTAMP WITHOUT TIME ZONE,
    client_ip TEXT
);
CREATE INDEX device_authorizations_expires ON device_authorizations (expires_at);

ALTER TABLE sessions ADD COLUMN client_id TEXT;
ALTER TABLE sessions ADD COLUMN scopes TEXT;
