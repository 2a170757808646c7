ALTER TABLE accounts DROP COLUMN first_project_at;
