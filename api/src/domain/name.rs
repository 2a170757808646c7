//! A person's full name, as given at sign-up or in an enterprise invitation. It is shown back in the
//! web app and in emails, so it is tidied (trimmed, whitespace runs collapsed to one space) and kept
//! free of control characters, text-direction overrides and markup-like symbols, while letters of
//! any script, accents, apostrophes, hyphens, periods and commas ("Siti Nurhaliza", "José Ñúñez",
//! "李小龙", "Budi Santoso, S.T.") are accepted as typed.

use std::fmt;

/// Longest full name accepted, in characters, after whitespace is collapsed.
pub const MAX_LENGTH: usize = 100;

/// Symbols that belong to markup, templates or code rather than to a name.
const FORBIDDEN_SYMBOLS: &str = "<>&\"`\\{}[]|^=;@#$%*+!?/~_:";

/// A tidy, non-empty full name of at most 100 characters.
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct FullName(String);

/// Why a full name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Nothing but whitespace was given.
    #[error("is required")]
    Required,
    /// Longer than [`MAX_LENGTH`] characters.
    #[error("must be at most 100 characters")]
    TooLong,
    /// Contains a control character, a text-direction override or a symbol such as '<' or '>'.
    #[error("must not contain control characters or symbols such as < > & \" @")]
    InvalidCharacters,
}

impl NameError {
    /// Stable machine-readable code, shared with clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Required => "full_name_required",
            Self::TooLong => "full_name_too_long",
            Self::InvalidCharacters => "full_name_invalid_characters",
        }
    }
}

impl FullName {
    /// Parses a typed name: trims it, collapses every whitespace run to a single space, and refuses
    /// names that are empty, longer than 100 characters, or contain characters not found in names.
    pub fn parse(raw: &str) -> Result<FullName, NameError> {
        let mut tidy = String::with_capacity(raw.len().min(4 * MAX_LENGTH));
        for word in raw.split_whitespace() {
            if word.chars().any(is_forbidden) {
                return Err(NameError::InvalidCharacters);
            }
            if !tidy.is_empty() {
                tidy.push(' ');
            }
            tidy.push_str(word);
        }
        if tidy.is_empty() {
            return Err(NameError::Required);
        }
        if tidy.chars().count() > MAX_LENGTH {
            return Err(NameError::TooLong);
        }
        Ok(FullName(tidy))
    }

    /// The tidied name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Control characters (C0, C1), bidirectional overrides and isolates (which can make a name display
/// as something else), zero-width space and BOM, and the markup-like symbols.
fn is_forbidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}' | '\u{FEFF}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        || FORBIDDEN_SYMBOLS.contains(c)
}

impl AsRef<str> for FullName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FullName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for FullName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("FullName").field(&self.0).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<String, NameError> {
        FullName::parse(raw).map(|name| name.as_str().to_owned())
    }

    #[test]
    fn names_in_any_script_are_accepted_as_typed() {
        for name in [
            "Siti Nurhaliza",
            "José Ñúñez",
            "李小龙",
            "Budi",
            "Nguyễn Thị Minh Khai",
            "Zoë O'Brien-Smith",
            "Anak Agung Gde Ngurah",
            "Budi Santoso, S.T.",
            "محمد عبدالله",
            "Ирина Петрова",
        ] {
            assert_eq!(parse(name).unwrap(), name);
        }
    }

    #[test]
    fn combining_accents_are_accepted() {
        // "José" with a combining acute accent (NFD), as some keyboards produce it.
        assert_eq!(parse("Jose\u{301}").unwrap(), "Jose\u{301}");
    }

    #[test]
    fn surrounding_whitespace_is_trimmed_and_runs_are_collapsed() {
        assert_eq!(
            parse("  Siti \t  Nurhaliza\u{a0} binti\n Ahmad  ").unwrap(),
            "Siti Nurhaliza binti Ahmad"
        );
    }

    #[test]
    fn empty_or_blank_name_is_required() {
        assert_eq!(parse(""), Err(NameError::Required));
        assert_eq!(parse(" \t\n "), Err(NameError::Required));
    }

    #[test]
    fn one_hundred_characters_are_accepted_and_one_more_is_too_long() {
        let at_max = "é".repeat(50) + " " + &"ñ".repeat(49);
        assert_eq!(at_max.chars().count(), 100);
        assert_eq!(parse(&at_max).unwrap(), at_max);
        assert_eq!(parse(&(at_max + "x")), Err(NameError::TooLong));
    }

    #[test]
    fn length_is_counted_after_whitespace_is_collapsed() {
        let spaced = format!("{}{}{}", "a".repeat(50), " ".repeat(100), "b".repeat(49));
        assert_eq!(parse(&spaced).unwrap().chars().count(), 100);
    }

    #[test]
    fn markup_symbols_are_refused() {
        for name in [
            "<script>alert(1)</script>",
            "Budi <b>",
            "Budi > Siti",
            "Tom & Jerry",
            "Budi \"The Boss\"",
            "budi@example.com",
            "{{ name }}",
            "Budi; DROP TABLE",
        ] {
            assert_eq!(parse(name), Err(NameError::InvalidCharacters), "{name}");
        }
    }

    #[test]
    fn control_characters_are_refused() {
        assert_eq!(parse("Budi\u{0}Santoso"), Err(NameError::InvalidCharacters));
        assert_eq!(parse("Budi\u{7}"), Err(NameError::InvalidCharacters));
        assert_eq!(parse("Budi\u{1b}[31m"), Err(NameError::InvalidCharacters));
        assert_eq!(parse("Budi\u{9b}x"), Err(NameError::InvalidCharacters));
    }

    #[test]
    fn control_characters_that_are_whitespace_become_one_space() {
        assert_eq!(parse("Budi\r\n\u{85}Santoso").unwrap(), "Budi Santoso");
    }

    #[test]
    fn direction_overrides_and_invisible_characters_are_refused() {
        assert_eq!(
            parse("Budi\u{202E}otnas"),
            Err(NameError::InvalidCharacters)
        );
        assert_eq!(parse("Budi\u{2066}x"), Err(NameError::InvalidCharacters));
        assert_eq!(parse("Bu\u{200B}di"), Err(NameError::InvalidCharacters));
        assert_eq!(parse("\u{FEFF}Budi"), Err(NameError::InvalidCharacters));
    }

    #[test]
    fn display_debug_and_serialization_show_the_tidy_name() {
        let name = FullName::parse("  Siti   Nurhaliza ").unwrap();
        assert_eq!(name.to_string(), "Siti Nurhaliza");
        assert_eq!(format!("{name:?}"), "FullName(\"Siti Nurhaliza\")");
        assert_eq!(serde_json::to_string(&name).unwrap(), "\"Siti Nurhaliza\"");
    }

    #[test]
    fn every_error_has_a_stable_code_and_a_message() {
        let cases = [
            (NameError::Required, "full_name_required", "is required"),
            (
                NameError::TooLong,
                "full_name_too_long",
                "must be at most 100 characters",
            ),
            (
                NameError::InvalidCharacters,
                "full_name_invalid_characters",
                "must not contain control characters or symbols such as < > & \" @",
            ),
        ];
        for (error, code, message) in cases {
            assert_eq!(error.code(), code);
            assert_eq!(error.to_string(), message);
        }
    }
}
