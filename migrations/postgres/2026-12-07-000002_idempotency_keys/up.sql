-- Answers to create requests sent with an Idempotency-Key (draft-ietf-httpapi-idempotency-key-header),
-- kept for 24 hours so that a retry gets the first answer instead of a second resource.
CREATE TABLE idempotency_keys (
    -- Whose key: the account id, or 'anonymous' for sign-up.
    scope TEXT NOT NULL,
    -- The method and route template, e.g. 'POST /v1/organizations'.
    operation TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    -- HMAC-SHA256 of the path and the request body under a server key (bodies may hold passwords).
    request_hash TEXT NOT NULL,
    -- NULL while the first request runs.
    status INTEGER,
    response_body TEXT,
    location TEXT,
    etag TEXT,
    -- A first request that never finished (a crash) gives its key up after this.
    locked_until TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    PRIMARY KEY (scope, operation, idempotency_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
