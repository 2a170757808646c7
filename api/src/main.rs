//! Entry point: parse the command line and settings, start logging, run.

use clap::Parser;
use portal_api::cli::{Cli, Command};
use portal_api::config::Settings;
use portal_api::db::Db;
use portal_api::startup::Application;

fn main() -> std::process::ExitCode {
    portal_api::memory::tune_allocator();
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
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command.unwrap_or(Command::Serve), settings)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Opens the database and applies pending migrations (for subcommands that write).
async fn open_migrated(settings: &Settings) -> anyhow::Result<Db> {
    let db = Db::connect(&settings.database, 2, settings.database_timeout)?;
    let migrate = db.clone();
    tokio::task::spawn_blocking(move || migrate.migrate()).await??;
    Ok(db)
}

async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Healthcheck => {
            if healthy(settings.bind) {
                Ok(())
            } else {
                anyhow::bail!("{} does not answer /healthz with 200", settings.bind)
            }
        }
        Command::Migrate => {
            let db = Db::connect(&settings.database, 1, settings.database_timeout)?;
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
        Command::CreateAdmin {
            email,
            full_name,
            phone_number,
        } => {
            let db = open_migrated(&settings).await?;
            let mut errors = Vec::new();
            let person = portal_api::services::staff::parse_person(
                "",
                &email,
                &full_name,
                &phone_number,
                None,
                settings.default_phone_region.as_deref(),
                &mut errors,
            );
            let Some(person) = person.filter(|_| errors.is_empty()) else {
                let messages: Vec<String> = errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect();
                anyhow::bail!("{}", messages.join("; "));
            };
            let link_base = settings.link("/accept-invitation?token=");
            let now = chrono::Utc::now();
            let id = tokio::task::spawn_blocking(move || {
                portal_api::services::staff::create_admin(&db, person, &link_base, now)
            })
            .await?
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("Created staff account {id} for {email}; an invitation to set the password is on its way.");
            Ok(())
        }
        Command::PublishLegal {
            kind,
            version,
            file,
            file_id,
        } => {
            let db = open_migrated(&settings).await?;
            let mut texts = Vec::new();
            for (language, path) in
                std::iter::once(("en", Some(file))).chain(std::iter::once(("id", file_id)))
            {
                let Some(path) = path else { continue };
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
                let (title, body) = portal_api::services::legal::split_title(&text);
                texts.push((language.to_owned(), title.to_owned(), body.to_owned()));
            }
            let new = portal_api::services::legal::NewVersion {
                kind: kind.clone(),
                version: version.clone(),
                texts,
            };
            let now = chrono::Utc::now();
            tokio::task::spawn_blocking(move || {
                db.write_blocking(|conn| portal_api::services::legal::publish_in(conn, &new, now))
            })
            .await?
            .map_err(|e| match e {
                portal_api::services::legal::PublishError::Invalid(errors) => anyhow::anyhow!(
                    "{}",
                    errors
                        .iter()
                        .map(|e| format!("{}: {}", e.field, e.message))
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
                other => anyhow::anyhow!("{other}"),
            })?;
            println!(
                "Published {kind} version {version}; every account will be asked to accept it."
            );
            Ok(())
        }
        Command::Openapi { .. } | Command::SolveCaptcha { .. } => Ok(()),
    }
}

/// `GET /healthz` over loopback (the bind address, or 127.0.0.1 when bound to every interface),
/// with short timeouts.
fn healthy(bind: std::net::SocketAddr) -> bool {
    use std::io::{Read, Write};
    let mut address = bind;
    if address.ip().is_unspecified() {
        address.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let timeout = std::time::Duration::from_secs(3);
    let Ok(mut stream) = std::net::TcpStream::connect_timeout(&address, timeout) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(timeout));
    let _ = stream.set_write_timeout(Some(timeout));
    let request = format!("GET /healthz HTTP/1.0\r\nHost: {address}\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 16];
    let mut read = 0;
    while read < head.len() {
        match stream.read(&mut head[read..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => read += n,
        }
    }
    head[..read].starts_with(b"HTTP/1.1 200") || head[..read].starts_with(b"HTTP/1.0 200")
}
