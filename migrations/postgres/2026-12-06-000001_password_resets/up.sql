-- Password resets: a single-use link emailed to a verified address. Only the hash of its
-- 256-bit token is stored; a newer request replaces the older one (only the newest link works).
CREATE TABLE password_resets (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    expires_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    used_at TIMESTAMP WITHOUT TIME ZONE,
    client_ip TEXT,
    user_agent TEXT
);
CREATE INDEX password_resets_account ON password_resets (account_id);
