-- When the account first created a project: onboarding's project step stays done after that
-- project is deleted.
ALTER TABLE accounts ADD COLUMN first_project_at TIMESTAMP WITHOUT TIME ZONE;
UPDATE accounts SET first_project_at = (
    SELECT MIN(p.created_at) FROM projects p WHERE p.created_by = accounts.id
);
