//! Black-box tests of the Service Portal API: each test starts the real server on port 0 with
//! its own database, once on SQLite and once on PostgreSQL, and reads the emails it sends over
//! SMTP.

mod enterprise;
mod errors;
mod faults;
mod flows;
mod fuzz;
mod guard;
mod mail;
mod manage;
mod mfa;
mod oauth;
mod onboarding;
mod openapi;
mod operations;
mod organizations;
mod portal;
mod projects;
mod provisioning;
mod races;
mod recovery;
mod sessions;
mod settings;
mod signin;
mod signup;
mod support;
mod teams;
mod telemetry;
mod tokens;
mod verification;
