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
    /// Solve a built-in captcha challenge (for scripts and API clients): prints the `captcha`
    /// field value, `<challenge>:<nonce>`.
    SolveCaptcha {
        /// The `challenge` from `POST /v1/captcha/challenges`.
        challenge: String,
        /// The `difficulty` from the same answer.
        difficulty: u8,
    },
}
