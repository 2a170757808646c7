//! Where rendered emails go: an SMTP server (lettre, `PORTAL_SMTP_URL`), or, in the embedded
//! default, `.eml` files under the mail directory plus the console, so a newcomer can click
//! their link without any mail server.

use std::path::PathBuf;

use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::templates::Rendered;

pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files { dir: PathBuf, console: bool },
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth trying again later (connection refused, 4xx reply, timeout).
    #[error("temporary failure: {0}")]
    Temporary(String),
    /// Will not succeed on retry (bad address, 5xx reply).
    #[error("permanent failure: {0}")]
    Permanent(String),
}

impl Transport {
    pub fn new(smtp_url: Option<&str>, mail_dir: PathBuf, console: bool) -> anyhow::Result<Self> {
        match smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("PORTAL_SMTP_URL: {e}"))?
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .build();
                Ok(Self::Smtp(transport))
            }
            None => {
                std::fs::create_dir_all(&mail_dir).map_err(|e| {
                    anyhow::anyhow!("PORTAL_MAIL_DIR: cannot create {}: {e}", mail_dir.display())
                })?;
                Ok(Self::Files {
                    dir: mail_dir,
                    console,
                })
            }
        }
    }

    /// Whether the mail server accepts a connection now (always, for files).
    pub async fn answers(&self) -> bool {
        match self {
            Self::Smtp(smtp) => smtp.test_connection().await.unwrap_or(false),
            Self::Files { .. } => true,
        }
    }

    pub async fn send(
        &self,
        id: &str,
        from: &Mailbox,
        to: &str,
        mail: &Rendered,
    ) -> Result<(), SendError> {
        let to: Mailbox = to
            .parse()
            .map_err(|e| SendError::Permanent(format!("bad recipient: {e}")))?;
        let message = Message::builder()
            .from(from.clone())
            .to(to.clone())
            .subject(mail.subject.clone())
            .message_id(Some(format!("<{id}@{}>", from.email.domain())))
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(mail.text.clone()),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(mail.html.clone()),
                    ),
            )
            .map_err(|e| SendError::Permanent(format!("cannot build the message: {e}")))?;
        match self {
            Self::Smtp(smtp) => match smtp.send(message).await {
                Ok(_) => Ok(()),
                Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
                Err(e) => Err(SendError::Temporary(e.to_string())),
            },
            Self::Files { dir, console } => {
                let path = dir.join(format!("{id}.eml"));
                tokio::fs::write(&path, message.formatted())
                    .await
                    .map_err(|e| {
                        SendError::Temporary(format!("cannot write {}: {e}", path.display()))
                    })?;
                if *console {
                    // The console is this transport's delivery channel (development only, when no
                    // SMTP server is configured), so the message is printed whole on purpose.
                    println!(
                        "\n----- email to {to} ({}) -----\nSubject: {}\n\n{}\n----- end of email -----\n",
                        path.display(),
                        mail.subject,
                        mail.text
                    );
                }
                Ok(())
            }
        }
    }
}
