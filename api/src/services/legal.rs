//! Legal documents: the shipped defaults are published at first start, the current version of
//! each kind is what people must accept, and consents record exactly which version.

use chrono::{DateTime, Utc};

use crate::db::models::legal::{self, LegalDocument, NewLegalDocument};
use crate::db::{Db, DbError};
use crate::impl_from_diesel;

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

/// Publishes the shipped documents for every kind that has none yet (first start).
pub fn seed_defaults(db: &Db, now: DateTime<Utc>) -> Result<usize, LegalError> {
    db.write_blocking(|conn| {
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
    })
}

/// The current version of one kind, in the language asked for (English when missing).
pub async fn current(db: &Db, kind: &str, language: &str) -> Result<LegalDocument, LegalError> {
    if !KINDS.contains(&kind) {
        return Err(LegalError::UnknownKind);
    }
    let kind = kind.to_owned();
    let language = language.to_owned();
    db.read(move |conn| {
        let doc = match legal::current(conn, &kind, &language)? {
            Some(doc) => Some(doc),
            None => legal::current(conn, &kind, "en")?,
        };
        doc.ok_or(LegalError::NotPublished)
    })
    .await
}

/// The current version of every kind that has one.
pub async fn all_current(db: &Db, language: &str) -> Result<Vec<LegalDocument>, LegalError> {
    let language = language.to_owned();
    db.read(move |conn| current_in(conn, &language)).await
}

/// Same as [`all_current`] inside an existing unit of work.
pub fn current_in(
    conn: &mut crate::db::DbConnection,
    language: &str,
) -> Result<Vec<LegalDocument>, LegalError> {
    let mut docs = Vec::new();
    for kind in KINDS {
        let doc = match legal::current(conn, kind, language)? {
            Some(doc) => Some(doc),
            None => legal::current(conn, kind, "en")?,
        };
        docs.extend(doc);
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
