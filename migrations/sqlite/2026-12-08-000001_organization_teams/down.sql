DROP TABLE organization_events;
DROP TABLE organization_invitations;
DELETE FROM organization_members WHERE role NOT IN ('owner', 'member');
