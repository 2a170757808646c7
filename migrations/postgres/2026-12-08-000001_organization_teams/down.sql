DROP TABLE organization_events;
DROP TABLE organization_invitations;
DELETE FROM organization_members WHERE role NOT IN ('owner', 'member');
ALTER TABLE organization_members DROP CONSTRAINT organization_members_role_check;
ALTER TABLE organization_members ADD CONSTRAINT organization_members_role_check
    CHECK (role IN ('owner', 'member'));
