//! A project's business VAT ID: the Indonesian taxpayer number (NPWP, Nomor Pokok Wajib Pajak).
//!
//! Two formats are in use and both are accepted:
//! - the 15-digit NPWP, usually written `01.234.567.8-901.000` (9 digits of taxpayer number with
//!   its check digit, 3 of tax office, 3 of branch);
//! - the 16-digit NPWP16 of the 2024 reform: an individual's NIK (population identity number) or
//!   an entity's NPWP with a leading `0`, often written in groups of four.
//!
//! People copy them from documents with dots, dashes and spaces; those are tolerated and dropped,
//! so the stored form is digits only (`012345678901000`). Anything else — letters, other symbols,
//! another number of digits, all zeros — is refused with a message saying what is expected. The
//! check digit is not verified: the tax office's algorithm is not published, and a wrong refusal
//! would block a legitimate customer.

use std::fmt;

/// Longest input accepted, in characters, before any parsing (a 16-digit number with generous
/// separators fits easily).
pub const MAX_INPUT_LENGTH: usize = 40;

/// A business VAT ID: 15 or 16 ASCII digits.
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct VatId(String);

/// Why a VAT ID was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VatIdError {
    #[error("is required")]
    Required,
    #[error("may contain only digits, dots, dashes and spaces, for example 01.234.567.8-901.000")]
    InvalidCharacters,
    /// The number of digits found.
    #[error("must have 15 digits (NPWP, for example 01.234.567.8-901.000) or 16 digits (NIK or NPWP16), not {0}")]
    WrongLength(usize),
    #[error("is not a valid NPWP")]
    Invalid,
}

impl VatIdError {
    /// Stable machine-readable code, shared with clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Required => "vat_id_required",
            Self::InvalidCharacters => "vat_id_invalid_characters",
            Self::WrongLength(_) => "vat_id_wrong_length",
            Self::Invalid => "vat_id_invalid",
        }
    }
}

/// The two formats of [`VatId`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VatIdFormat {
    /// The 15-digit NPWP.
    Npwp15,
    /// The 16-digit NPWP16 (NIK-based for individuals).
    Npwp16,
}

impl VatId {
    /// Parses a typed NPWP, dropping dots, dashes and spaces.
    pub fn parse(raw: &str) -> Result<VatId, VatIdError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(VatIdError::Required);
        }
        if trimmed.chars().take(MAX_INPUT_LENGTH + 1).count() > MAX_INPUT_LENGTH {
            return Err(VatIdError::InvalidCharacters);
        }
        let mut digits = String::with_capacity(16);
        for c in trimmed.chars() {
            match c {
                '0'..='9' => digits.push(c),
                '.' | '-' | ' ' => {}
                _ => return Err(VatIdError::InvalidCharacters),
            }
        }
        match digits.len() {
            15 | 16 => {}
            n => return Err(VatIdError::WrongLength(n)),
        }
        if digits.bytes().all(|b| b == b'0') {
            return Err(VatIdError::Invalid);
        }
        Ok(VatId(digits))
    }

    /// The digits only, e.g. "012345678901000".
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn format(&self) -> VatIdFormat {
        if self.0.len() == 15 {
            VatIdFormat::Npwp15
        } else {
            VatIdFormat::Npwp16
        }
    }

    /// The customary written form: `01.234.567.8-901.000` for 15 digits, the 16 digits as they are.
    pub fn display(&self) -> String {
        let d = &self.0;
        match self.format() {
            VatIdFormat::Npwp15 => format!(
                "{}.{}.{}.{}-{}.{}",
                &d[0..2],
                &d[2..5],
                &d[5..8],
                &d[8..9],
                &d[9..12],
                &d[12..15]
            ),
            VatIdFormat::Npwp16 => d.clone(),
        }
    }
}

impl AsRef<str> for VatId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for VatId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for VatId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("VatId").field(&self.0).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(raw: &str) -> Result<String, VatIdError> {
        VatId::parse(raw).map(|v| v.as_str().to_owned())
    }

    #[test]
    fn the_15_digit_npwp_is_accepted_in_its_written_form_and_normalized() {
        assert_eq!(digits("01.234.567.8-901.000").unwrap(), "012345678901000");
        assert_eq!(digits("012345678901000").unwrap(), "012345678901000");
        assert_eq!(digits(" 01 234 567 8 901 000 ").unwrap(), "012345678901000");
        assert_eq!(digits("01-234-567-8-901-000").unwrap(), "012345678901000");
        let v = VatId::parse("01.234.567.8-901.000").unwrap();
        assert_eq!(v.format(), VatIdFormat::Npwp15);
        assert_eq!(v.display(), "01.234.567.8-901.000");
    }

    #[test]
    fn the_16_digit_npwp16_and_nik_are_accepted_with_separators() {
        assert_eq!(digits("3201 1234 5678 0001").unwrap(), "3201123456780001");
        assert_eq!(digits("0012.3456.7890.1000").unwrap(), "0012345678901000");
        assert_eq!(digits("3201-1234-5678-0001").unwrap(), "3201123456780001");
        let v = VatId::parse("3201123456780001").unwrap();
        assert_eq!(v.format(), VatIdFormat::Npwp16);
        assert_eq!(v.display(), "3201123456780001");
    }

    #[test]
    fn other_digit_counts_are_refused_with_the_count() {
        assert_eq!(
            digits("01.234.567.8-901.00"),
            Err(VatIdError::WrongLength(14))
        );
        assert_eq!(
            digits("12345678901234567"),
            Err(VatIdError::WrongLength(17))
        );
        assert_eq!(digits("1"), Err(VatIdError::WrongLength(1)));
        assert_eq!(digits("..--"), Err(VatIdError::WrongLength(0)));
        assert_eq!(VatIdError::WrongLength(14).code(), "vat_id_wrong_length");
        assert!(VatIdError::WrongLength(14).to_string().ends_with("not 14"));
    }

    #[test]
    fn letters_and_other_symbols_are_refused() {
        for raw in [
            "NPWP 01.234.567.8-901.000",
            "DE123456789",
            "01/234/567/8/901/000",
            "01.234.567.8_901.000",
            "０１２３４５６７８９０１０００",
            "01.234.567.8\n-901.000",
            "012345678901000;",
        ] {
            assert_eq!(digits(raw), Err(VatIdError::InvalidCharacters), "{raw:?}");
        }
    }

    #[test]
    fn empty_all_zero_and_oversized_input_is_refused() {
        assert_eq!(digits("   "), Err(VatIdError::Required));
        assert_eq!(digits("00.000.000.0-000.000"), Err(VatIdError::Invalid));
        assert_eq!(
            digits(&format!("{}012345678901000", " ".repeat(40))),
            Ok("012345678901000".into()),
            "leading whitespace is trimmed before the length check"
        );
        assert_eq!(digits(&"0 ".repeat(30)), Err(VatIdError::InvalidCharacters));
    }

    #[test]
    fn every_error_has_a_stable_code_and_a_message() {
        for (error, code) in [
            (VatIdError::Required, "vat_id_required"),
            (VatIdError::InvalidCharacters, "vat_id_invalid_characters"),
            (VatIdError::WrongLength(3), "vat_id_wrong_length"),
            (VatIdError::Invalid, "vat_id_invalid"),
        ] {
            assert_eq!(error.code(), code);
            assert!(!error.to_string().is_empty());
        }
    }

    #[test]
    fn serialization_and_debug_show_the_digits() {
        let v = VatId::parse("01.234.567.8-901.000").unwrap();
        assert_eq!(serde_json::to_string(&v).unwrap(), "\"012345678901000\"");
        assert_eq!(format!("{v:?}"), "VatId(\"012345678901000\")");
    }
}
