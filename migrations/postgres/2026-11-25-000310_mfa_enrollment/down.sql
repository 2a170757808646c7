ALTER TABLE sign_in_challenges DROP COLUMN issue_device_token;
ALTER TABLE mfa_totp DROP COLUMN pending_secret_ciphertext;
