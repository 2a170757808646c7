-- Teams: four roles (owner, admin, member, billing), invitations by email and the
-- organization's own log of membership changes.
ALTER TABLE organization_members DROP CONSTRAINT organization_members_role_check;
ALTER TABLE organization_members ADD CONSTRAINT organization_members_role_check
    CHECK (role IN ('owner', 'admin', 'member', 'billing'));

-- An invitation is bound to a mailbox (lower-case address) and a role; only the hash of its
-- 256-bit token is stored. At most one pending invitation per organization and address.
CREATE TABLE organization_invitations (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'billing')),
    token_hash TEXT NOT NULL UNIQUE,
    invited_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    accepted_at TIMESTAMP,
    accepted_by TEXT,
    cancelled_at TIMESTAMP
);
CREATE INDEX organization_invitations_organization ON organization_invitations (organization_id);
CREATE UNIQUE INDEX organization_invitations_pending ON organization_invitations (organization_id, email)
    WHERE accepted_at IS NULL AND cancelled_at IS NULL;

-- Who changed what in an organization's membership (newest first when read).
CREATE TABLE organization_events (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    actor_id TEXT,
    subject_account_id TEXT,
    subject_email TEXT,
    role TEXT,
    occurred_at TIMESTAMP NOT NULL,
    client_ip TEXT
);
CREATE INDEX organization_events_organization ON organization_events (organization_id, occurred_at);
