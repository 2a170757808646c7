//! Legal documents: the shipped defaults are published at first start, the current version of
//! each kind is what people must accept, and consents record exactly which version.

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::db::models::legal::{self, LegalDocument, NewLegalDocument};
use crate::db::{
    Committed::{self, Done, Refused},
    DbConnection, DbError,
};
use crate::domain::{AccountId, AccountType};
use crate::impl_from_diesel;
use crate::services::Context;

/// The kinds of document; the EULA applies to Enterprise accounts only.
pub const KINDS: [&str; 3] = ["terms", "privacy", "eula"];

/// The version of the documents shipped with the product.
pub const DEFAULT_VERSION: &str = "1.0";

struct Shipped {
    kind: &'static str,
    language: &'static str,
    text: &'static str,
}

const SHIPPED: &[Shipped] = &[
    Shipped {
        kind: "terms",
        language: "en",
        text: include_str!("../../legal/terms.md"),
    },
    Shipped {
        kind: "terms",
        language: "id",
        text: include_str!("../../legal/terms.id.md"),
    },
    Shipped {
        kind: "privacy",
        language: "en",
        text: include_str!("../../legal/privacy.md"),
    },
    Shipped {
        kind: "privacy",
        language: "id",
        text: include_str!("../../legal/privacy.id.md"),
    },
    Shipped {
        kind: "eula",
        language: "en",
        text: include_str!("../../legal/eula.md"),
    },
    Shipped {
        kind: "eula",
        language: "id",
        text: include_str!("../../legal/eula.id.md"),
    },
];

#[derive(Debug, thiserror::Error)]
pub enum LegalError {
    #[error("unknown document kind")]
    UnknownKind,
    #[error("no published version")]
    NotPublished,
    #[error(transparent)]
    Database(#[from] DbError),
}
impl_from_diesel!(LegalError);

/// Splits "# Title\n\nbody" into the title and the Markdown body.
pub fn split_title(text: &str) -> (&str, &str) {
    match text.strip_prefix("# ") {
        Some(rest) => match rest.split_once('\n') {
            Some((title, body)) => (title.trim(), body.trim_start()),
            None => (rest.trim(), ""),
        },
        None => ("", text),
    }
}

/// Publishes the shipped documents for every kind that has none yet (first start), inside the
/// caller's unit of work.
pub fn seed_defaults_in(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<usize, LegalError> {
    let mut published = 0;
    for kind in KINDS {
        if legal::count_kind(conn, kind)? > 0 {
            continue;
        }
        for doc in SHIPPED.iter().filter(|d| d.kind == kind) {
            let (title, body) = split_title(doc.text);
            let id = uuid::Uuid::now_v7().to_string();
            legal::insert(
                conn,
                &NewLegalDocument {
                    id: &id,
                    kind,
                    version: DEFAULT_VERSION,
                    language: doc.language,
                    title,
                    body,
                    published_at: now.naive_utc(),
                },
            )?;
            published += 1;
        }
    }
    Ok(published)
}

/// The current version of one kind, in the language asked for (English when missing).
pub async fn current(
    state: &Context,
    kind: &str,
    language: &str,
) -> Result<LegalDocument, LegalError> {
    if !KINDS.contains(&kind) {
        return Err(LegalError::UnknownKind);
    }
    let kind = kind.to_owned();
    let language = language.to_owned();
    state
        .db
        .read(move |conn| legal::current(conn, &kind, &language)?.ok_or(LegalError::NotPublished))
        .await
}

/// The current version of every kind that has one.
pub async fn all_current(
    state: &Context,
    language: &str,
) -> Result<Vec<LegalDocument>, LegalError> {
    let language = language.to_owned();
    state.db.read(move |conn| current_in(conn, &language)).await
}

/// Same as [`all_current`] inside an existing unit of work.
pub fn current_in(
    conn: &mut crate::db::DbConnection,
    language: &str,
) -> Result<Vec<LegalDocument>, LegalError> {
    let mut docs = Vec::new();
    for kind in KINDS {
        docs.extend(legal::current(conn, kind, language)?);
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_document_has_a_title() {
        for doc in SHIPPED {
            let (title, body) = split_title(doc.text);
            assert!(!title.is_empty(), "{} {}", doc.kind, doc.language);
            assert!(body.len() > 500);
        }
    }
}

/// Why a consent was refused, per submitted item.
#[derive(Debug, thiserror::Error)]
pub enum ConsentError {
    #[error("invalid consents")]
    Invalid(Vec<crate::error::FieldError>),
    #[error("no such account")]
    UnknownAccount,
    #[error(transparent)]
    Database(#[from] DbError),
}
impl_from_diesel!(ConsentError);

/// The kinds an account must accept: Terms and Privacy, plus the EULA for Enterprise accounts.
pub fn required_kinds(account_type: AccountType) -> &'static [&'static str] {
    if account_type == AccountType::Enterprise {
        &["terms", "privacy", "eula"]
    } else {
        &["terms", "privacy"]
    }
}

/// A current legal document the account has not accepted yet, with the version it accepted
/// before (when it did): what "we have updated our documents" shows.
#[derive(Debug, Clone)]
pub struct DocumentToAccept {
    pub kind: String,
    pub version: String,
    /// The English title.
    pub title: String,
    pub published_at: NaiveDateTime,
    pub accepted_version: Option<String>,
    pub accepted_at: Option<NaiveDateTime>,
}

/// The documents the account's type requires whose current version it has not accepted, in
/// the order terms, privacy, EULA.
pub async fn to_accept(
    state: &Context,
    account_id: AccountId,
    account_type: AccountType,
) -> Result<Vec<DocumentToAccept>, LegalError> {
    state
        .db
        .read(move |conn| {
            let accepted = crate::db::models::accounts::consents_of(conn, &account_id)?;
            let mut out = Vec::new();
            for kind in required_kinds(account_type) {
                let Some(current) = legal::current(conn, kind, "en")? else {
                    continue;
                };
                // Newest first: the first of this kind is the latest acceptance.
                let last = accepted.iter().find(|(k, _, _)| k == kind);
                if last.is_some_and(|(_, version, _)| *version == current.version) {
                    continue;
                }
                out.push(DocumentToAccept {
                    kind: current.kind,
                    version: current.version,
                    title: current.title,
                    published_at: current.published_at,
                    accepted_version: last.map(|(_, v, _)| v.clone()),
                    accepted_at: last.map(|(_, _, at)| *at),
                });
            }
            Ok(out)
        })
        .await
}

/// Records the account's acceptance of the current versions. Every document the account still
/// has to accept must be in `accepted`, at its current version; an outdated version is refused.
pub async fn accept(
    state: &crate::services::Context,
    account_id: AccountId,
    accepted: Vec<(String, String)>,
    client: crate::services::ClientInfo,
) -> Result<(), ConsentError> {
    use crate::db::models::accounts;
    use crate::error::FieldError;
    use crate::services::events::{self, EventKind};

    let now = state.clock.now();
    state
        .db
        .write_or_refuse(
            move |conn| -> Result<Committed<(), ConsentError>, ConsentError> {
                let account =
                    accounts::find(conn, &account_id)?.ok_or(ConsentError::UnknownAccount)?;
                let required = required_kinds(account.account_type);
                let already: Vec<(String, String, _)> = accounts::consents_of(conn, &account.id)?;
                let mut errors = Vec::new();
                let mut to_record = Vec::new();
                for (index, (kind, version)) in accepted.iter().enumerate() {
                    let field = format!("consents.{index}");
                    if !KINDS.contains(&kind.as_str()) {
                        errors.push(FieldError::new(
                            field,
                            "consent_unknown",
                            format!("{kind:?} is not a legal document"),
                        ));
                        continue;
                    }
                    if !required.contains(&kind.as_str()) {
                        errors.push(FieldError::new(
                            field,
                            "consent_not_applicable",
                            format!("the {kind} does not apply to this account"),
                        ));
                        continue;
                    }
                    match legal::current(conn, kind, "en")? {
                        Some(doc) if doc.version == *version => {
                            to_record.push((kind.clone(), version.clone()))
                        }
                        Some(doc) => errors.push(FieldError::new(
                            field,
                            "consent_outdated",
                            format!(
                                "version {version} of the {} is not the current one ({})",
                                doc.title, doc.version
                            ),
                        )),
                        None => errors.push(FieldError::new(
                            field,
                            "consent_unknown",
                            format!("no {kind} is published"),
                        )),
                    }
                }
                for kind in required {
                    let Some(doc) = legal::current(conn, kind, "en")? else {
                        continue;
                    };
                    let done = already
                        .iter()
                        .any(|(k, v, _)| k == kind && *v == doc.version);
                    let given = accepted.iter().any(|(k, _)| k == kind);
                    if !done && !given {
                        errors.push(FieldError::new(
                            "consents",
                            "consent_required",
                            format!(
                                "you must accept the {} (version {})",
                                doc.title, doc.version
                            ),
                        ));
                    }
                }
                if !errors.is_empty() {
                    return Ok(Refused(ConsentError::Invalid(errors)));
                }
                let user_agent = client.user_agent();
                for (kind, version) in &to_record {
                    accounts::insert_consent(
                        conn,
                        &accounts::NewConsent {
                            id: &uuid::Uuid::now_v7().to_string(),
                            account_id: &account.id,
                            kind,
                            version,
                            accepted_at: now.naive_utc(),
                            client_ip: client.ip.as_deref(),
                            user_agent: user_agent.as_deref(),
                        },
                    )?;
                    events::record(
                        conn,
                        &account.id,
                        EventKind::ConsentRecorded,
                        &client,
                        Some(serde_json::json!({ "kind": kind, "version": version })),
                        now,
                    )?;
                }
                Ok(Done(()))
            },
        )
        .await
}

/// A new version of a document, in one or more languages (English required).
#[derive(Debug, Clone)]
pub struct NewVersion {
    pub kind: String,
    pub version: String,
    /// (language, title, Markdown body)
    pub texts: Vec<(String, String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("invalid document")]
    Invalid(Vec<crate::error::FieldError>),
    #[error("this version already exists")]
    VersionExists,
    #[error(transparent)]
    Database(#[from] DbError),
}
impl_from_diesel!(PublishError);

/// Publishes a new version (staff, through the API); see [`publish_in`].
pub async fn publish(
    state: &Context,
    new: NewVersion,
    now: DateTime<Utc>,
) -> Result<(), PublishError> {
    state
        .db
        .write(move |conn| publish_in(conn, &new, now))
        .await
}

/// Publishes a new version; every account must accept it again (the onboarding gate re-opens).
pub fn publish_in(
    conn: &mut crate::db::DbConnection,
    new: &NewVersion,
    now: DateTime<Utc>,
) -> Result<(), PublishError> {
    use crate::error::FieldError;
    let mut errors = Vec::new();
    if !KINDS.contains(&new.kind.as_str()) {
        errors.push(FieldError::new(
            "kind",
            "kind_unknown",
            "must be terms, privacy or eula",
        ));
    }
    let version_ok = !new.version.is_empty()
        && new.version.len() <= 32
        && new
            .version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !version_ok {
        errors.push(FieldError::new(
            "version",
            "version_invalid",
            "must be 1 to 32 letters, digits, dots, dashes or underscores",
        ));
    }
    if !new.texts.iter().any(|(lang, _, _)| lang == "en") {
        errors.push(FieldError::new(
            "texts",
            "english_required",
            "an English text is required",
        ));
    }
    for (index, (lang, title, body)) in new.texts.iter().enumerate() {
        if !matches!(lang.as_str(), "en" | "id") {
            errors.push(FieldError::new(
                format!("texts.{index}.language"),
                "language_unsupported",
                "must be en or id",
            ));
        }
        if title.trim().is_empty() || title.len() > 200 {
            errors.push(FieldError::new(
                format!("texts.{index}.title"),
                "title_invalid",
                "must be 1 to 200 characters",
            ));
        }
        if title.contains('\0') {
            errors.push(FieldError::new(
                format!("texts.{index}.title"),
                "title_invalid",
                "must not contain NUL characters",
            ));
        }
        if body.contains('\0') {
            errors.push(FieldError::new(
                format!("texts.{index}.body"),
                "body_invalid",
                "must not contain NUL characters",
            ));
        }
        if body.trim().is_empty() || body.len() > 200_000 {
            errors.push(FieldError::new(
                format!("texts.{index}.body"),
                "body_invalid",
                "must be 1 to 200,000 characters",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(PublishError::Invalid(errors));
    }
    for (lang, title, body) in &new.texts {
        let id = uuid::Uuid::now_v7().to_string();
        let inserted = legal::insert(
            conn,
            &NewLegalDocument {
                id: &id,
                kind: &new.kind,
                version: &new.version,
                language: lang,
                title: title.trim(),
                body,
                published_at: now.naive_utc(),
            },
        );
        if let Err(e) = inserted {
            let e = DbError::from(e);
            return Err(if e.is_unique_violation() {
                PublishError::VersionExists
            } else {
                e.into()
            });
        }
    }
    Ok(())
}
