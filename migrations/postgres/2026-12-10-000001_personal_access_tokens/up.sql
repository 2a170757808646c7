-- Personal access tokens: a program acts for the account with the scopes given, until the
-- token expires or is revoked. Only the SHA-256 of the token is stored.
CREATE TABLE personal_access_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    expires_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    last_used_at TIMESTAMP WITHOUT TIME ZONE,
    last_used_ip TEXT,
    revoked_at TIMESTAMP WITHOUT TIME ZONE,
    revoked_reason TEXT,
    expiry_notice_sent_at TIMESTAMP WITHOUT TIME ZONE
);
CREATE INDEX personal_access_tokens_account ON personal_access_tokens (account_id);
