DROP TABLE account_closures;
ALTER TABLE accounts DROP COLUMN erased_at;
ALTER TABLE accounts DROP COLUMN closed_at;
