//! Pure domain types that parse themselves ("parse, don't validate"): handlers turn request fields
//! into these types at the edge, and services accept only them, so a value that reaches a use case or
//! the database is already known to be acceptable. Each parse error carries a stable snake_case
//! `code()` and a human message (its `Display`), which the API maps to per-field problem details.
//!
//! Nothing here does I/O, and the embedded lists (free-mail domains, common passwords) and the phone
//! metadata are loaded once per process, so parsing is cheap enough for every request.

/// diesel's `ToSql`/`FromSql` as `TEXT` on both databases for a type written as its `as_str()`
/// and read back with `$read` (a closure from the stored `String` to `Result<Self, String>`).
macro_rules! stored_as_text {
    ($name:ty, $read:expr) => {
        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, DB>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(
                    self.as_str(),
                    out,
                )
            }
        }

        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                let raw = String::from_sql(bytes)?;
                let read: fn(String) -> Result<Self, String> = $read;
                read(raw).map_err(Into::into)
            }
        }
    };
}

/// An enum stored as `TEXT` (a `CHECK` constraint in the schema lists the same words): `as_str`,
/// `parse`, `ALL`, `Display`, `Serialize` as the word, and diesel's `ToSql`/`FromSql` on both
/// databases. A word the enum does not know, read from the database, is a deserialization error.
macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            pub fn parse(raw: &str) -> Option<Self> {
                match raw {
                    $($text => Some(Self::$variant),)+
                    _ => None,
                }
            }

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        stored_as_text!($name, |raw: String| {
            Self::parse(&raw).ok_or_else(|| format!(concat!("not a ", stringify!($name), ": {:?}"), raw))
        });
    };
}

pub mod codes;
pub mod country;
pub mod email;
pub mod ids;
pub mod name;
pub mod password;
pub mod phone;
pub mod roles;
pub mod vat;

pub use codes::{ChallengeStep, DeviceCode, MfaCode, OpaqueToken};
pub use country::{Country, CountryError, PostalCode, PostalCodeError};
pub use email::{Email, EmailError};
pub use ids::{
    AccountId, ChallengeId, DeviceId, InvitationId, NotAnId, OrganizationId, PersonalTokenId,
    ProjectId, SalesRepresentativeId, SessionId,
};
pub use name::{FullName, NameError};
pub use password::{Password, PasswordPolicy, PasswordRule};
pub use phone::{PhoneError, PhoneNumber};
pub use roles::{AccountRole, AccountType, Role};
pub use vat::{VatId, VatIdError};
