//! Versioned legal documents (Terms, Privacy, EULA), one row per kind, version and language.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::legal_documents;
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = legal_documents)]
pub struct LegalDocument {
    pub id: String,
    pub kind: String,
    pub version: String,
    pub language: String,
    pub title: String,
    pub body: String,
    pub published_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = legal_documents)]
pub struct NewLegalDocument<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub version: &'a str,
    pub language: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub published_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewLegalDocument<'_>) -> QueryResult<()> {
    diesel::insert_into(legal_documents::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

pub fn count_kind(conn: &mut DbConnection, kind: &str) -> QueryResult<i64> {
    legal_documents::table
        .filter(legal_documents::kind.eq(kind))
        .count()
        .get_result(conn)
}

/// The current version of `kind` — the one published last, in whatever language — in
/// `language` when that version has a text in it, else in English, else in the language it was
/// published in. A version published in English only is current for everyone: the answer's
/// `language` then says the text is a fallback.
pub fn current(
    conn: &mut DbConnection,
    kind: &str,
    language: &str,
) -> QueryResult<Option<LegalDocument>> {
    let newest = legal_documents::table
        .filter(legal_documents::kind.eq(kind))
        .order((
            legal_documents::published_at.desc(),
            legal_documents::id.desc(),
        ))
        .select(LegalDocument::as_select())
        .first(conn)
        .optional()?;
    let Some(newest) = newest else {
        return Ok(None);
    };
    if newest.language == language {
        return Ok(Some(newest));
    }
    for wanted in [language, "en"] {
        let text = legal_documents::table
            .filter(legal_documents::kind.eq(kind))
            .filter(legal_documents::version.eq(&newest.version))
            .filter(legal_documents::language.eq(wanted))
            .order((
                legal_documents::published_at.desc(),
                legal_documents::id.desc(),
            ))
            .select(LegalDocument::as_select())
            .first(conn)
            .optional()?;
        if text.is_some() {
            return Ok(text);
        }
    }
    Ok(Some(newest))
}
