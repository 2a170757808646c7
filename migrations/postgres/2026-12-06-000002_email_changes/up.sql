-- Changes of the sign-in email: a single-use link to the new address confirms (30 minutes);
-- a link to the old address cancels, even after the change was confirmed (7 days). Only the
-- hashes of both tokens are stored.
CREATE TABLE email_changes (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    session_id TEXT,
    old_email TEXT NOT NULL,
    new_email TEXT NOT NULL,
    new_email_normalized TEXT NOT NULL,
    confirm_token_hash TEXT NOT NULL UNIQUE,
    cancel_token_hash TEXT NOT NULL UNIQUE,
    -- A second cancel link, sent to the old address once the change is confirmed; the first
    -- one keeps working too.
    confirmed_cancel_token_hash TEXT UNIQUE,
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    expires_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    cancel_until TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    confirmed_at TIMESTAMP WITHOUT TIME ZONE,
    cancelled_at TIMESTAMP WITHOUT TIME ZONE
);
CREATE INDEX email_changes_account ON email_changes (account_id);
