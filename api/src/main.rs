//! Entry point: parse the command line and settings, start logging, run (see [`portal_api::cli`]).

use std::process::ExitCode;

use clap::Parser;
use portal_api::cli::{self, Cli, Command};
use portal_api::config::Settings;

fn main() -> ExitCode {
    portal_api::memory::tune_allocator();
    portal_api::memory::tune_sqlite();
    let cli = Cli::parse();
    if let Some(code) = cli::run_without_settings(cli.command.as_ref()) {
        return code;
    }
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    portal_api::telemetry::init(settings.log_format);
    // The main runtime only runs the outbox and job workers and waits for the server (whose
    // workers have runtimes of their own): one thread, and no more blocking threads than
    // database connections can use.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .max_blocking_threads(settings.database_pool_size as usize + 2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(cli.command.unwrap_or(Command::Serve), settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
