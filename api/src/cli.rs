//! Command line: `serve` (default), `migrate`, `openapi`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "portal",
    version,
    about = "Service Portal onboarding and identity API"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the API (and the web app when built): the default.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document (or write it to a file).
    Openapi {
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Create a staff account (role admin) and email it an invitation to set its password.
    /// The running server delivers the email (or the next one to start).
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        full_name: String,
        /// With country code, e.g. +62 812 3456 7890.
        #[arg(long)]
        phone_number: String,
    },
    /// Publish a new version of a legal document from Markdown files (first line `# Title`).
    /// Every account must accept it again.
    PublishLegal {
        /// terms, privacy or eula.
        #[arg(long)]
        kind: String,
        /// The new version label, e.g. 2.0.
        #[arg(long)]
        version: String,
        /// English text.
        #[arg(long)]
        file: PathBuf,
        /// Indonesian text (optional).
        #[arg(long)]
        file_id: Option<PathBuf>,
    },
    /// Check that the server on `PORTAL_BIND` answers `/healthz` (for container health checks:
    /// exits 0 when it does, 1 otherwise).
    Healthcheck,
    /// Solve a built-in captcha challenge (for scripts and API clients): prints the `captcha`
    /// field value, `<challenge>:<nonce>`.
    SolveCaptcha {
        /// The `challenge` from `POST /v1/captcha/challenges`.
        challenge: String,
        /// The `difficulty` from the same answer.
        difficulty: u8,
    },
}
