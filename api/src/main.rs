//! Entry point: parse the command line and settings, start logging, run.

use clap::Parser;
use portal_api::cli::{Cli, Command};
use portal_api::config::Settings;
use portal_api::db::Db;
use portal_api::startup::Application;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Openapi { output }) = &cli.command {
        let doc = portal_api::openapi::document_json();
        return match output {
            Some(path) => match std::fs::write(path, doc) {
                Ok(()) => std::process::ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("cannot write {}: {e}", path.display());
                    std::process::ExitCode::FAILURE
                }
            },
            None => {
                print!("{doc}");
                std::process::ExitCode::SUCCESS
            }
        };
    }
    if let Some(Command::SolveCaptcha {
        challenge,
        difficulty,
    }) = &cli.command
    {
        let nonce = portal_api::auth::captcha::solve_pow(challenge, *difficulty);
        println!("{challenge}:{nonce}");
        return std::process::ExitCode::SUCCESS;
    }
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    portal_api::telemetry::init(settings.log_format);
    match run(cli.command.unwrap_or(Command::Serve), settings).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Migrate => {
            let db = Db::connect(&settings.database, 1)?;
            let applied = tokio::task::spawn_blocking(move || db.migrate()).await??;
            tracing::info!(applied, "migrations applied");
            Ok(())
        }
        Command::Serve => {
            let app = Application::build(settings.clone()).await?;
            tracing::info!(
                address = %settings.bind,
                port = app.port(),
                database = settings.database.backend_name(),
                profile = ?settings.profile,
                web = settings.web_dir.is_some(),
                "Service Portal is listening"
            );
            println!(
                "Service Portal: {} (API reference: {}/docs)",
                settings.issuer(),
                settings.issuer()
            );
            app.run_until_stopped().await?;
            Ok(())
        }
        Command::Openapi { .. } | Command::SolveCaptcha { .. } => Ok(()),
    }
}
