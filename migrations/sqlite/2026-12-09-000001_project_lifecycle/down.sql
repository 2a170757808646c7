ALTER TABLE organization_events DROP COLUMN details;
DROP TABLE project_status_changes;
DELETE FROM projects WHERE cluster_status = 'deleting';
CREATE TABLE projects_old (
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
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (organization_id, name_normalized)
);
INSERT INTO projects_old (id, organization_id, name, name_normalized, description, vat_id, vat_name,
        vat_address, cluster_status, cluster_failure_reason, created_by, created_at, updated_at)
    SELECT id, organization_id, name, name_normalized, description, vat_id, vat_name, vat_address,
        cluster_status, cluster_failure_reason, created_by, created_at, updated_at FROM projects;
DROP TABLE projects;
ALTER TABLE projects_old RENAME TO projects;
