//! Rows and the queries on them, one module per aggregate. Models never decide policy.

pub mod accounts;
pub mod captcha;
pub mod challenges;
pub mod devices;
pub mod legal;
pub mod outbox;
pub mod sessions;
pub mod throttles;
pub mod verifications;
