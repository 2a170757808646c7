//! Service Portal: self-service onboarding and identity API.
//!
//! Layers: `http` (edges) → `services` (rules) → `db` (storage), with `domain` types that parse
//! themselves, `auth` for credentials and tokens, `mail` for the outbox and its delivery, and
//! `jobs` for background work (cluster provisioning).

pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod http;
pub mod jobs;
pub mod mail;
pub mod memory;
pub mod metrics;
pub mod openapi;
pub mod services;
pub mod startup;
pub mod telemetry;
