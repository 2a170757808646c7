ALTER TABLE sessions DROP COLUMN scopes;
ALTER TABLE sessions DROP COLUMN client_id;
DROP TABLE device_authorizations;
DROP TABLE oauth_clients;
