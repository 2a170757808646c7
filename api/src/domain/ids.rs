//! Identifiers. Every row's id is a UUID (version 7, so ids sort by creation), stored as its
//! lowercase hyphenated text. Each kind of id is its own type, so an organization's id cannot be
//! passed where an account's is expected: an id from a request is parsed once, at the edge
//! ([`FromStr`]; anything that is not a UUID names nothing), and an id read from the database is
//! trusted as stored.
//!
//! The types store and load themselves as `TEXT` on both databases (diesel's `ToSql`/`FromSql`
//! through `str`/`String`), and serialize as the plain string.

use std::fmt;
use std::str::FromStr;

/// A value that is not a UUID, where an id was expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not an id")]
pub struct NotAnId;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident;)+) => {$(
        $(#[$doc])*
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, diesel::AsExpression, diesel::FromSqlRow,
        )]
        #[serde(transparent)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub struct $name(String);

        impl $name {
            /// A new id (UUID v7).
            pub fn generate() -> Self {
                Self(uuid::Uuid::now_v7().to_string())
            }

            /// Parses a UUID in any of its spellings (surrounding spaces ignored) into the stored
            /// form; `None` for anything else.
            pub fn parse(raw: &str) -> Option<Self> {
                raw.parse().ok()
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = NotAnId;

            fn from_str(raw: &str) -> Result<Self, NotAnId> {
                uuid::Uuid::try_parse(raw.trim())
                    .map(|u| Self(u.to_string()))
                    .map_err(|_| NotAnId)
            }
        }

        /// From a request (a path segment, a body field): anything but a UUID is refused, which
        /// actix answers as 404 for a path.
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                raw.parse().map_err(|_| serde::de::Error::custom("not an id"))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        stored_as_text!($name, |raw: String| Ok(Self(raw)));
    )+};
}

id_type! {
    /// A person's account.
    AccountId;
    /// A pending sign-in (the device-code or MFA-code step).
    ChallengeId;
    /// An organization.
    OrganizationId;
    /// A project.
    ProjectId;
    /// A sales representative.
    SalesRepresentativeId;
    /// An invitation to an organization.
    InvitationId;
    /// A personal access token.
    PersonalTokenId;
    /// A session (the `sid` of its access tokens).
    SessionId;
    /// A trusted device.
    DeviceId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_parses_from_any_uuid_spelling_into_the_stored_form() {
        let id = AccountId::generate();
        assert_eq!(AccountId::parse(id.as_str()), Some(id.clone()));
        let upper = id.as_str().to_uppercase();
        assert_eq!(AccountId::parse(&upper), Some(id.clone()));
        let simple = id.as_str().replace('-', "");
        assert_eq!(AccountId::parse(&format!(" {simple} ")), Some(id));
    }

    #[test]
    fn anything_but_a_uuid_is_not_an_id() {
        for raw in [
            "",
            "x",
            "../etc",
            "0190b6b2-7c3a-7d6e-9f00-12345678901",
            "a\0b",
        ] {
            assert_eq!(raw.parse::<ChallengeId>(), Err(NotAnId), "{raw:?}");
        }
    }

    #[test]
    fn ids_deserialize_only_from_a_uuid() {
        let id: OrganizationId =
            serde_json::from_str("\"0190B6B2-7C3A-7D6E-9F00-123456789012\"").unwrap();
        assert_eq!(id.as_str(), "0190b6b2-7c3a-7d6e-9f00-123456789012");
        assert!(serde_json::from_str::<OrganizationId>("\"../admin\"").is_err());
    }

    #[test]
    fn ids_serialize_as_their_text() {
        let id = ProjectId::parse("0190b6b2-7c3a-7d6e-9f00-123456789012").unwrap();
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            "\"0190b6b2-7c3a-7d6e-9f00-123456789012\""
        );
        assert_eq!(id.to_string(), id.as_str());
    }

    #[test]
    fn ids_and_stored_words_round_trip_through_the_database() {
        use diesel::dsl::sql;
        use diesel::prelude::*;
        use diesel::sql_types::Text;

        use crate::db::DbConnection;
        use crate::domain::Role;

        let mut conn =
            DbConnection::Sqlite(diesel::SqliteConnection::establish(":memory:").unwrap());
        let id = AccountId::generate();
        let back: AccountId = diesel::select(id.clone().into_sql::<Text>())
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(back, id);
        let role: Role = diesel::select(Role::Billing.into_sql::<Text>())
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(role, Role::Billing);
        // A word the enum does not know is an error, not a default.
        assert!(diesel::select(sql::<Text>("'king'"))
            .get_result::<Role>(&mut conn)
            .is_err());
    }
}
