-- Personal access tokens: a program acts for the account with the scopes given, until the
-- token expires or is revoked. Only the SHA-256 of the token is stored.
CREATE TABLE personal_access_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    last_used_ip TEXT,
    revoked_at TIMESTAMP,
    revoked_reason TEXT,
    expiry_notice_sent_at TIMESTAMP
);
CREATE INDEX personal_access_tokens_account ON personal_access_tokens (account_id);
