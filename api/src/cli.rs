//! Command line: the subcommands (`serve` by default) and what each does.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::db::Db;
use crate::startup::Application;

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

/// Runs a subcommand that needs no settings (`openapi`, `solve-captcha`); `None` for the others.
pub fn run_without_settings(command: Option<&Command>) -> Option<ExitCode> {
    match command? {
        Command::Openapi { output } => Some(openapi(output.as_deref())),
        Command::SolveCaptcha {
            challenge,
            difficulty,
        } => {
            let nonce = crate::auth::captcha::solve_pow(challenge, *difficulty);
            println!("{challenge}:{nonce}");
            Some(ExitCode::SUCCESS)
        }
        _ => None,
    }
}

/// Runs a subcommand that needs the settings (and, but for `healthcheck`, the database).
pub async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve => serve(settings).await,
        Command::Migrate => {
            let db = Db::connect(&settings.database, 1, settings.database_timeout)?;
            let applied = tokio::task::spawn_blocking(move || db.migrate()).await??;
            tracing::info!(applied, "migrations applied");
            Ok(())
        }
        Command::Healthcheck => {
            if healthy(settings.bind) {
                Ok(())
            } else {
                anyhow::bail!("{} does not answer /healthz with 200", settings.bind)
            }
        }
        Command::CreateAdmin {
            email,
            full_name,
            phone_number,
        } => create_admin(&settings, email, full_name, phone_number).await,
        Command::PublishLegal {
            kind,
            version,
            file,
            file_id,
        } => publish_legal(&settings, kind, version, file, file_id).await,
        Command::Openapi { .. } | Command::SolveCaptcha { .. } => Ok(()),
    }
}

fn openapi(output: Option<&Path>) -> ExitCode {
    let doc = crate::openapi::document_json();
    match output {
        Some(path) => match std::fs::write(path, doc) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("cannot write {}: {e}", path.display());
                ExitCode::FAILURE
            }
        },
        None => {
            print!("{doc}");
            ExitCode::SUCCESS
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
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

/// Opens the database and applies pending migrations (for subcommands that write).
async fn open_migrated(settings: &Settings) -> anyhow::Result<Db> {
    let db = Db::connect(&settings.database, 2, settings.database_timeout)?;
    let migrate = db.clone();
    tokio::task::spawn_blocking(move || migrate.migrate()).await??;
    Ok(db)
}

async fn create_admin(
    settings: &Settings,
    email: String,
    full_name: String,
    phone_number: String,
) -> anyhow::Result<()> {
    let db = open_migrated(settings).await?;
    let mut errors = Vec::new();
    let person = crate::services::staff::parse_person(
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
        db.write_blocking(|conn| {
            crate::services::staff::create_admin_in(conn, &person, &link_base, now)
        })
    })
    .await?
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "Created staff account {id} for {email}; an invitation to set the password is on its way."
    );
    Ok(())
}

async fn publish_legal(
    settings: &Settings,
    kind: String,
    version: String,
    file: PathBuf,
    file_id: Option<PathBuf>,
) -> anyhow::Result<()> {
    let db = open_migrated(settings).await?;
    let mut texts = Vec::new();
    for (language, path) in
        std::iter::once(("en", Some(file))).chain(std::iter::once(("id", file_id)))
    {
        let Some(path) = path else { continue };
        let text = std::fs::read_to_string(&path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let (title, body) = crate::services::legal::split_title(&text);
        texts.push((language.to_owned(), title.to_owned(), body.to_owned()));
    }
    let new = crate::services::legal::NewVersion {
        kind: kind.clone(),
        version: version.clone(),
        texts,
    };
    let now = chrono::Utc::now();
    tokio::task::spawn_blocking(move || {
        db.write_blocking(|conn| crate::services::legal::publish_in(conn, &new, now))
    })
    .await?
    .map_err(|e| match e {
        crate::services::legal::PublishError::Invalid(errors) => anyhow::anyhow!(
            "{}",
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow::anyhow!("{other}"),
    })?;
    println!("Published {kind} version {version}; every account will be asked to accept it.");
    Ok(())
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
