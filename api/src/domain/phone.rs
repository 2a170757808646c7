//! Phone numbers (the sign-up phone, an organization's business phone), parsed with Google's
//! libphonenumber metadata (the `phonenumber` crate) and stored in E.164 form ("+6281234567890"), so
//! that every number has one spelling whatever the person typed.
//!
//! People type numbers with spaces, dashes, dots and parentheses, and often in national form
//! ("0812 3456 7890"); the portal's default region (ISO 3166 alpha-2, e.g. "ID") turns those into
//! international numbers. Letters (vanity numbers), extensions and other characters are refused.
//!
//! The metadata database is built once, lazily, inside the `phonenumber` crate, by the first
//! number parsed: about 90 ms in a release build, then a few microseconds per parse (the first
//! number of a region also compiles its patterns, a few ms). It is not loaded at start: it holds
//! about 2.3 MB, and its compiled patterns about 100 KB each, which a server that has not seen a
//! phone number yet does not need (see [`forget_compiled_patterns`]).

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

/// Longest input accepted, in characters, before any parsing.
pub const MAX_INPUT_LENGTH: usize = 32;

/// A valid phone number in E.164 form.
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct PhoneNumber(String);

/// Why a phone number was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// A national number with no '+' and no default region to interpret it in.
    #[error("must include the country code, for example +62 812 3456 7890")]
    MissingCountryCode,
    /// Empty, too long, with characters other than digits and separators, or not a valid number.
    #[error("must be a valid phone number")]
    Invalid,
}

impl PhoneError {
    /// Stable machine-readable code, shared with clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingCountryCode => "phone_missing_country_code",
            Self::Invalid => "phone_invalid",
        }
    }
}

impl PhoneNumber {
    /// Parses a typed phone number. A number without a leading '+' is read as a national number of
    /// `default_region` (ISO 3166 alpha-2, any case); an unknown region counts as none.
    pub fn parse(raw: &str, default_region: Option<&str>) -> Result<PhoneNumber, PhoneError> {
        let trimmed = raw.trim();
        if trimmed.is_empty()
            || trimmed.chars().take(MAX_INPUT_LENGTH + 1).count() > MAX_INPUT_LENGTH
        {
            return Err(PhoneError::Invalid);
        }
        let (international, rest) = match trimmed.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        if !rest
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'))
        {
            return Err(PhoneError::Invalid);
        }
        let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
        if digits.is_empty() {
            return Err(PhoneError::Invalid);
        }

        let region = if international {
            None
        } else {
            let region = default_region
                .and_then(|code| {
                    code.trim()
                        .to_ascii_uppercase()
                        .parse::<phonenumber::country::Id>()
                        .ok()
                })
                .ok_or(PhoneError::MissingCountryCode)?;
            Some(region)
        };
        let input = if international {
            format!("+{digits}")
        } else {
            digits
        };
        PATTERNS_LOADED.store(true, Ordering::Relaxed);
        let number = phonenumber::parse(region, &input).map_err(|_| PhoneError::Invalid)?;
        if !phonenumber::is_valid(&number) {
            return Err(PhoneError::Invalid);
        }
        Ok(PhoneNumber(
            number.format().mode(phonenumber::Mode::E164).to_string(),
        ))
    }

    /// The number in E.164 form, e.g. "+6281234567890".
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Set once a number has been parsed: the metadata (and its pattern cache) exist from then on.
static PATTERNS_LOADED: AtomicBool = AtomicBool::new(false);

/// Drops the compiled patterns the metadata keeps (up to 100, about 100 KB each: 2 MB for one
/// country's numbers, 10 MB once many countries have been seen). They are compiled again from
/// their source on the next use (about a millisecond for a country). The metadata itself stays.
/// Does nothing before the first number has been parsed, so it never loads the metadata.
pub fn forget_compiled_patterns() {
    if PATTERNS_LOADED.load(Ordering::Relaxed) {
        if let Ok(mut cache) = phonenumber::metadata::DATABASE.cache().lock() {
            cache.clear();
        }
    }
}

impl AsRef<str> for PhoneNumber {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PhoneNumber").field(&self.0).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e164(raw: &str, region: Option<&str>) -> Result<String, PhoneError> {
        PhoneNumber::parse(raw, region).map(|n| n.as_str().to_owned())
    }

    #[test]
    fn international_number_with_separators_becomes_e164() {
        assert_eq!(e164("+62 812-3456-7890", None).unwrap(), "+6281234567890");
        assert_eq!(e164("+62 (812) 3456.7890", None).unwrap(), "+6281234567890");
        assert_eq!(e164("  +6281234567890  ", None).unwrap(), "+6281234567890");
    }

    #[test]
    fn national_number_is_read_in_the_default_region() {
        assert_eq!(
            e164("0812 3456 7890", Some("ID")).unwrap(),
            "+6281234567890"
        );
        assert_eq!(
            e164("0812-3456-7890", Some("id")).unwrap(),
            "+6281234567890"
        );
    }

    #[test]
    fn international_number_ignores_the_default_region() {
        assert_eq!(
            e164("+1 (650) 253-0000", Some("ID")).unwrap(),
            "+16502530000"
        );
        assert_eq!(
            e164("+44 20 7946 0958", Some("ID")).unwrap(),
            "+442079460958"
        );
    }

    #[test]
    fn national_number_without_a_default_region_needs_the_country_code() {
        assert_eq!(
            e164("0812 3456 7890", None),
            Err(PhoneError::MissingCountryCode)
        );
    }

    #[test]
    fn unknown_default_region_counts_as_none() {
        assert_eq!(
            e164("0812 3456 7890", Some("XX")),
            Err(PhoneError::MissingCountryCode)
        );
    }

    #[test]
    fn numbers_that_are_not_valid_are_refused() {
        for raw in [
            "+62 12",
            "+62 812",
            "+999 1234 5678",
            "+1 555 0100",
            "+6281234567890123456",
            "0000 0000",
        ] {
            assert_eq!(e164(raw, Some("ID")), Err(PhoneError::Invalid), "{raw}");
        }
    }

    #[test]
    fn empty_or_separator_only_input_is_invalid() {
        assert_eq!(e164("", Some("ID")), Err(PhoneError::Invalid));
        assert_eq!(e164("   ", Some("ID")), Err(PhoneError::Invalid));
        assert_eq!(e164("+", Some("ID")), Err(PhoneError::Invalid));
        assert_eq!(e164("(-.)", Some("ID")), Err(PhoneError::Invalid));
    }

    #[test]
    fn letters_extensions_and_other_characters_are_refused() {
        for raw in [
            "+1 800 FLOWERS",
            "+62 812 3456 7890 ext 12",
            "+62 812/3456/7890",
            "++62 812 3456 7890",
            "62+ 812 3456 7890",
            "tel:+6281234567890",
            "+６２８１２３４５６７８９０",
        ] {
            assert_eq!(e164(raw, Some("ID")), Err(PhoneError::Invalid), "{raw}");
        }
    }

    #[test]
    fn input_of_32_characters_is_parsed_and_33_refused() {
        let padded = |width: usize| format!("+62{:>w$}", "812-3456-7890", w = width - 3);
        assert_eq!(padded(32).chars().count(), 32);
        assert_eq!(e164(&padded(32), None).unwrap(), "+6281234567890");
        assert_eq!(e164(&padded(33), None), Err(PhoneError::Invalid));
    }

    #[test]
    fn display_and_debug_show_the_e164_form() {
        let number = PhoneNumber::parse("+62 812-3456-7890", None).unwrap();
        assert_eq!(number.to_string(), "+6281234567890");
        assert_eq!(format!("{number:?}"), "PhoneNumber(\"+6281234567890\")");
        assert_eq!(
            serde_json::to_string(&number).unwrap(),
            "\"+6281234567890\""
        );
    }

    #[test]
    fn numbers_parse_the_same_after_the_compiled_patterns_are_forgotten() {
        forget_compiled_patterns();
        let before = PhoneNumber::parse("0812 3456 7890", Some("ID")).unwrap();
        forget_compiled_patterns();
        let after = PhoneNumber::parse("0812 3456 7890", Some("ID")).unwrap();
        assert_eq!(before, after);
        assert_eq!(after.as_str(), "+6281234567890");
        assert_eq!(
            PhoneNumber::parse("+62 812", None),
            Err(PhoneError::Invalid)
        );
    }

    #[test]
    fn every_error_has_a_stable_code_and_a_message() {
        assert_eq!(
            PhoneError::MissingCountryCode.code(),
            "phone_missing_country_code"
        );
        assert_eq!(
            PhoneError::MissingCountryCode.to_string(),
            "must include the country code, for example +62 812 3456 7890"
        );
        assert_eq!(PhoneError::Invalid.code(), "phone_invalid");
        assert_eq!(
            PhoneError::Invalid.to_string(),
            "must be a valid phone number"
        );
    }
}
