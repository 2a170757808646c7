//! Rows and the queries on them, one module per aggregate. Models never decide policy.

pub mod account_closures;
pub mod accounts;
pub mod captcha;
pub mod challenges;
pub mod devices;
pub mod email_changes;
pub mod idempotency;
pub mod invitations;
pub mod jobs;
pub mod lease;
pub mod legal;
pub mod mfa;
pub mod oauth;
pub mod onboarding;
pub mod organization_events;
pub mod organization_invitations;
pub mod organizations;
pub mod outbox;
pub mod password_resets;
pub mod personal_tokens;
pub mod projects;
pub mod sales;
pub mod security_events;
pub mod sessions;
pub mod throttles;
pub mod verifications;
