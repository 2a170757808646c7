-- Closing an account: from closed_at it cannot be used (every session ends, sign-in is
-- refused); a single-use emailed link restores it until erase_after, when a job erases the
-- personal data and keeps only what the law requires (consents, without addresses).
ALTER TABLE accounts ADD COLUMN closed_at TIMESTAMP WITHOUT TIME ZONE;
ALTER TABLE accounts ADD COLUMN erased_at TIMESTAMP WITHOUT TIME ZONE;

CREATE TABLE account_closures (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    restore_token_hash TEXT NOT NULL UNIQUE,
    closed_by TEXT,
    closed_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    erase_after TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    restored_at TIMESTAMP WITHOUT TIME ZONE,
    erased_at TIMESTAMP WITHOUT TIME ZONE
);
CREATE INDEX account_closures_account ON account_closures (account_id);
