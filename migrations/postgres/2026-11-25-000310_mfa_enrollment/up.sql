-- TOTP enrollment and the MFA step of sign-in.
--
-- A reset (enrolling a new authenticator while one is active) keeps the active secret in
-- `secret_ciphertext` until the new one is proven with a code: the new one waits here.
ALTER TABLE mfa_totp ADD COLUMN pending_secret_ciphertext TEXT;

-- An MFA challenge that follows a passed device-code step: the device is trusted, and its token
-- issued, when the sign-in completes (never before every factor has been checked).
ALTER TABLE sign_in_challenges ADD COLUMN issue_device_token BOOLEAN NOT NULL DEFAULT FALSE;
