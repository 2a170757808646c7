-- Projects can be deleted: the cluster goes `deleting` (a job through the provisioner), then
-- the project is gone. Who asked is kept for the emails; every status a project passes through
-- is kept as its history. Organization events can carry details (a project's name, the fields
-- changed).
CREATE TABLE projects_new (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    name_normalized TEXT NOT NULL,
    description TEXT NOT NULL,
    vat_id TEXT NOT NULL,
    vat_name TEXT NOT NULL,
    vat_address TEXT NOT NULL,
    cluster_status TEXT NOT NULL CHECK (cluster_status IN ('pending', 'provisioning', 'ready', 'failed', 'deleting')),
    cluster_failure_reason TEXT,
    created_by TEXT NOT NULL REFERENCES accounts (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deletion_requested_by TEXT,
    UNIQUE (organization_id, name_normalized)
);
INSERT INTO projects_new (id, organization_id, name, name_normalized, description, vat_id, vat_name,
        vat_address, cluster_status, cluster_failure_reason, created_by, created_at, updated_at)
    SELECT id, organization_id, name, name_normalized, description, vat_id, vat_name, vat_address,
        cluster_status, cluster_failure_reason, created_by, created_at, updated_at FROM projects;
DROP TABLE projects;
ALTER TABLE projects_new RENAME TO projects;

CREATE TABLE project_status_changes (
    id TEXT PRIMARY KEY NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    reason TEXT,
    occurred_at TIMESTAMP NOT NULL
);
CREATE INDEX project_status_changes_project ON project_status_changes (project_id, occurred_at);
-- What is known of the projects that exist: created `pending`, and where they are now.
INSERT INTO project_status_changes (id, project_id, status, reason, occurred_at)
    SELECT id || '-0', id, 'pending', NULL, created_at FROM projects;
INSERT INTO project_status_changes (id, project_id, status, reason, occurred_at)
    SELECT id || '-1', id, cluster_status, cluster_failure_reason, updated_at FROM projects
    WHERE cluster_status <> 'pending';

ALTER TABLE organization_events ADD COLUMN details TEXT;
