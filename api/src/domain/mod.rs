//! Pure domain types that parse themselves ("parse, don't validate"): handlers turn request fields
//! into these types at the edge, and services accept only them, so a value that reaches a use case or
//! the database is already known to be acceptable. Each parse error carries a stable snake_case
//! `code()` and a human message (its `Display`), which the API maps to per-field problem details.
//!
//! Nothing here does I/O, and the embedded lists (free-mail domains, common passwords) and the phone
//! metadata are loaded once per process, so parsing is cheap enough for every request.

pub mod country;
pub mod email;
pub mod name;
pub mod password;
pub mod phone;
pub mod vat;

pub use country::{Country, CountryError, PostalCode, PostalCodeError};
pub use email::{Email, EmailError};
pub use name::{FullName, NameError};
pub use password::{Password, PasswordPolicy, PasswordRule};
pub use phone::{PhoneError, PhoneNumber};
pub use vat::{VatId, VatIdError};
