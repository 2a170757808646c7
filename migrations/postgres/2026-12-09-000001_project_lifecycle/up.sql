-- Projects can be deleted: the cluster goes `deleting` (a job through the provisioner), then
-- the project is gone. Who asked is kept for the emails; every status a project passes through
-- is kept as its history. Organization events can carry details (a project's name, the fields
-- changed).
ALTER TABLE projects DROP CONSTRAINT projects_cluster_status_check;
ALTER TABLE projects ADD CONSTRAINT projects_cluster_status_check
    CHECK (cluster_status IN ('pending', 'provisioning', 'ready', 'failed', 'deleting'));
ALTER TABLE projects ADD COLUMN deletion_requested_by TEXT;

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
