-- Onboarding after sign-in: organizations, projects with cluster provisioning jobs, TOTP MFA,
-- enterprise invitations, security events, and the sales representatives who recommend the portal.

CREATE TABLE sales_representatives (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL
);

CREATE TABLE organizations (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    country TEXT NOT NULL,
    description TEXT NOT NULL,
    business_phone TEXT NOT NULL,
    city TEXT NOT NULL,
    region TEXT NOT NULL,
    zip TEXT NOT NULL,
    sales_representative_id TEXT REFERENCES sales_representatives (id),
    created_by TEXT NOT NULL REFERENCES accounts (id),
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL
);

CREATE TABLE organization_members (
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    PRIMARY KEY (organization_id, account_id)
);
CREATE INDEX organization_members_account ON organization_members (account_id);

CREATE TABLE projects (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    name_normalized TEXT NOT NULL,
    description TEXT NOT NULL,
    vat_id TEXT NOT NULL,
    vat_name TEXT NOT NULL,
    vat_address TEXT NOT NULL,
    cluster_status TEXT NOT NULL CHECK (cluster_status IN ('pending', 'provisioning', 'ready', 'failed')),
    cluster_failure_reason TEXT,
    created_by TEXT NOT NULL REFERENCES accounts (id),
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    UNIQUE (organization_id, name_normalized)
);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'waiting', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_run_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    locked_by TEXT,
    locked_until TIMESTAMP WITHOUT TIME ZONE,
    last_error TEXT,
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL
);
CREATE INDEX jobs_due ON jobs (status, next_run_at);
CREATE INDEX jobs_subject ON jobs (subject_id);

CREATE TABLE mfa_totp (
    account_id TEXT PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    secret_ciphertext TEXT NOT NULL,
    activated_at TIMESTAMP WITHOUT TIME ZONE,
    last_used_step BIGINT NOT NULL DEFAULT 0,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL
);

CREATE TABLE recovery_codes (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    used_at TIMESTAMP WITHOUT TIME ZONE
);
CREATE INDEX recovery_codes_account ON recovery_codes (account_id);

CREATE TABLE invitations (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    invited_by TEXT REFERENCES accounts (id),
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    expires_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    used_at TIMESTAMP WITHOUT TIME ZONE
);
CREATE INDEX invitations_account ON invitations (account_id);

CREATE TABLE security_events (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    occurred_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    client_ip TEXT,
    user_agent TEXT,
    details TEXT
);
CREATE INDEX security_events_account ON security_events (account_id, id);
