ALTER TABLE organization_events DROP COLUMN details;
DROP TABLE project_status_changes;
DELETE FROM projects WHERE cluster_status = 'deleting';
ALTER TABLE projects DROP COLUMN deletion_requested_by;
ALTER TABLE projects DROP CONSTRAINT projects_cluster_status_check;
ALTER TABLE projects ADD CONSTRAINT projects_cluster_status_check
    CHECK (cluster_status IN ('pending', 'provisioning', 'ready', 'failed'));
