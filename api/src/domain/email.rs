//! Email addresses as the portal accepts them: sign-up, sign-in, invitations and the unique index of
//! accounts all go through [`Email::parse`], so a service that holds an [`Email`] holds an address
//! that is well formed, ASCII only, stored with a lowercased domain, and — when the portal requires
//! corporate addresses (the `cloud` profile) — not at a free-mail, consumer ISP or disposable domain.
//!
//! The grammar is the practical subset of RFC 5321/5322 that real mail systems deliver to: a dot-atom
//! local part (no quoted strings, comments or IP literals) and a DNS host name with an alphabetic
//! top-level domain. Anything stricter belongs to the verification email, not to the parser.

use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

/// Maximum length of a whole address (RFC 5321 §4.5.3.1.3, forward-path less the angle brackets).
pub const MAX_LENGTH: usize = 254;
/// Longest input a handler passes on for parsing, in bytes: a longer field is refused at once,
/// before any normalization or lookup. Room for an address of [`MAX_LENGTH`] with surrounding
/// spaces (and RFC 3696's 64 + 1 + 255); the parser then holds the address to [`MAX_LENGTH`].
pub const MAX_INPUT: usize = 320;
/// Maximum length of the local part (RFC 5321 §4.5.3.1.1).
pub const MAX_LOCAL_LENGTH: usize = 64;
/// Maximum length of one DNS label (RFC 1035).
const MAX_LABEL_LENGTH: usize = 63;

/// Punctuation allowed in a dot-atom local part besides letters, digits and '.' (RFC 5322 `atext`).
const LOCAL_PUNCTUATION: &str = "!#$%&'*+/=?^_`{|}~-";

/// Free-mail, consumer ISP and disposable domains, parsed once from the embedded list.
static FREE_MAIL_DOMAINS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("free_email_domains.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// A syntactically valid email address: `local@domain`, the local part as typed, the domain lowercased.
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Email(String);

/// Why an email address was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Nothing but whitespace was given.
    #[error("is required")]
    Empty,
    /// Longer than [`MAX_LENGTH`] characters.
    #[error("must be at most 254 characters")]
    TooLong,
    /// Not an address of the accepted grammar.
    #[error("must be a valid email address")]
    Invalid,
    /// Contains characters outside ASCII (internationalized addresses are not supported).
    #[error(
        "must contain only ASCII characters; internationalized email addresses are not supported"
    )]
    NonAscii,
    /// A free-mail, consumer or disposable domain where a corporate address is required.
    #[error("must be a corporate email address; free email providers are not accepted")]
    FreeMailDomain,
}

impl EmailError {
    /// Stable machine-readable code, shared with clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "email_required",
            Self::TooLong => "email_too_long",
            Self::Invalid => "email_invalid",
            Self::NonAscii => "email_non_ascii",
            Self::FreeMailDomain => "email_free_mail_domain",
        }
    }
}

impl Email {
    /// Parses a user-supplied address. Surrounding whitespace is ignored; when `corporate_only` is
    /// true, addresses at free-mail domains (and their subdomains) are refused.
    pub fn parse(raw: &str, corporate_only: bool) -> Result<Email, EmailError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        if trimmed.chars().take(MAX_LENGTH + 1).count() > MAX_LENGTH {
            return Err(EmailError::TooLong);
        }
        if !trimmed.is_ascii() {
            return Err(EmailError::NonAscii);
        }
        let (local, domain) = trimmed.split_once('@').ok_or(EmailError::Invalid)?;
        if domain.contains('@') || !is_valid_local_part(local) {
            return Err(EmailError::Invalid);
        }
        let domain = domain.to_ascii_lowercase();
        if !is_valid_domain(&domain) {
            return Err(EmailError::Invalid);
        }
        if corporate_only && is_free_mail_domain(&domain) {
            return Err(EmailError::FreeMailDomain);
        }
        Ok(Email(format!("{local}@{domain}")))
    }

    /// The address as stored: local part as typed, domain lowercased.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The whole address lowercased: the key of the case-insensitive unique index of accounts.
    pub fn normalized(&self) -> String {
        self.0.to_ascii_lowercase()
    }

    /// The part before the '@', as typed.
    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(local, _)| local)
    }

    /// The lowercased domain, after the '@'.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Email").field(&self.0).finish()
    }
}

/// True when `domain` (lowercase) or one of its parent domains is on the free-mail list.
pub fn is_free_mail_domain(domain: &str) -> bool {
    let list = &*FREE_MAIL_DOMAINS;
    let mut candidate = domain;
    loop {
        if list.contains(candidate) {
            return true;
        }
        match candidate.split_once('.') {
            Some((_, parent)) if parent.contains('.') => candidate = parent,
            // A bare top-level domain is never on the list; stop before it.
            _ => return false,
        }
    }
}

/// Dot-atom local part: 1..=64 `atext` characters, dots only between atoms.
fn is_valid_local_part(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= MAX_LOCAL_LENGTH
        && local.split('.').all(|atom| {
            !atom.is_empty()
                && atom
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || LOCAL_PUNCTUATION.contains(c))
        })
}

/// Lowercase ASCII host name: at least two labels of [a-z0-9-] (1..=63, no '-' at either end), the
/// last one alphabetic and at least two letters long.
fn is_valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let Some(tld) = labels.last() else {
        return false;
    };
    labels.len() >= 2
        && tld.len() >= 2
        && tld.chars().all(|c| c.is_ascii_lowercase())
        && labels.iter().all(|label| {
            (1..=MAX_LABEL_LENGTH).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<Email, EmailError> {
        Email::parse(raw, false)
    }

    #[test]
    fn plain_address_is_accepted_as_typed() {
        let email = parse("budi@example.com").unwrap();
        assert_eq!(email.as_str(), "budi@example.com");
        assert_eq!(email.to_string(), "budi@example.com");
        assert_eq!(format!("{email:?}"), "Email(\"budi@example.com\")");
    }

    #[test]
    fn domain_is_lowercased_but_local_part_is_kept() {
        let email = parse("Budi@Example.CO.ID").unwrap();
        assert_eq!(email.as_str(), "Budi@example.co.id");
        assert_eq!(email.local_part(), "Budi");
        assert_eq!(email.domain(), "example.co.id");
    }

    #[test]
    fn normalized_form_lowercases_the_whole_address() {
        assert_eq!(
            parse("Budi.Santoso@Example.CO.ID").unwrap().normalized(),
            "budi.santoso@example.co.id"
        );
    }

    #[test]
    fn surrounding_whitespace_is_trimmed() {
        assert_eq!(
            parse("  \tsiti@example.com \n").unwrap().as_str(),
            "siti@example.com"
        );
    }

    #[test]
    fn empty_or_blank_input_is_required() {
        assert_eq!(parse(""), Err(EmailError::Empty));
        assert_eq!(parse("   "), Err(EmailError::Empty));
    }

    #[test]
    fn every_practical_dot_atom_character_is_accepted_in_the_local_part() {
        let local = "a!#$%&'*+/=?^_`{|}~-1.b";
        let email = parse(&format!("{local}@example.com")).unwrap();
        assert_eq!(email.local_part(), local);
    }

    #[test]
    fn plus_addressing_and_subdomains_are_accepted() {
        assert!(parse("first.last+portal@mail.eu.example-corp.com").is_ok());
    }

    #[test]
    fn address_without_exactly_one_at_sign_is_invalid() {
        assert_eq!(parse("budi.example.com"), Err(EmailError::Invalid));
        assert_eq!(parse("budi@@example.com"), Err(EmailError::Invalid));
        assert_eq!(parse("budi@team@example.com"), Err(EmailError::Invalid));
    }

    #[test]
    fn empty_local_part_or_domain_is_invalid() {
        assert_eq!(parse("@example.com"), Err(EmailError::Invalid));
        assert_eq!(parse("budi@"), Err(EmailError::Invalid));
    }

    #[test]
    fn misplaced_dots_in_the_local_part_are_invalid() {
        assert_eq!(parse(".budi@example.com"), Err(EmailError::Invalid));
        assert_eq!(parse("budi.@example.com"), Err(EmailError::Invalid));
        assert_eq!(parse("bu..di@example.com"), Err(EmailError::Invalid));
    }

    #[test]
    fn quoted_local_parts_and_specials_are_invalid() {
        assert_eq!(parse("\"budi\"@example.com"), Err(EmailError::Invalid));
        assert_eq!(parse("bu di@example.com"), Err(EmailError::Invalid));
        assert_eq!(parse("budi(x)@example.com"), Err(EmailError::Invalid));
        assert_eq!(parse("budi,x@example.com"), Err(EmailError::Invalid));
        assert_eq!(parse("<budi@example.com>"), Err(EmailError::Invalid));
    }

    #[test]
    fn local_part_of_64_characters_is_accepted_and_65_refused() {
        let ok = format!("{}@example.com", "a".repeat(64));
        let too_long = format!("{}@example.com", "a".repeat(65));
        assert!(parse(&ok).is_ok());
        assert_eq!(parse(&too_long), Err(EmailError::Invalid));
    }

    #[test]
    fn address_of_254_characters_is_accepted_and_255_too_long() {
        // 64 + 1 + (63 + 1) * 2 + 58 + 1 + 2 = 254
        let domain = |last: usize| format!("{0}.{0}.{1}.id", "d".repeat(63), "d".repeat(last));
        let ok = format!("{}@{}", "a".repeat(64), domain(58));
        assert_eq!(ok.len(), 254);
        assert!(parse(&ok).is_ok());
        let too_long = format!("{}@{}", "a".repeat(64), domain(59));
        assert_eq!(parse(&too_long), Err(EmailError::TooLong));
    }

    #[test]
    fn very_long_input_is_too_long() {
        assert_eq!(parse(&"a".repeat(100_000)), Err(EmailError::TooLong));
    }

    #[test]
    fn non_ascii_addresses_are_refused_with_their_own_error() {
        assert_eq!(parse("budi@exämple.com"), Err(EmailError::NonAscii));
        assert_eq!(parse("josé@example.com"), Err(EmailError::NonAscii));
        assert_eq!(parse("李@例子.中国"), Err(EmailError::NonAscii));
    }

    #[test]
    fn domain_needs_a_dot() {
        assert_eq!(parse("budi@localhost"), Err(EmailError::Invalid));
    }

    #[test]
    fn domain_labels_must_be_well_formed() {
        assert_eq!(parse("budi@-example.com"), Err(EmailError::Invalid));
        assert_eq!(parse("budi@example-.com"), Err(EmailError::Invalid));
        assert_eq!(parse("budi@exa_mple.com"), Err(EmailError::Invalid));
        assert_eq!(parse("budi@example..com"), Err(EmailError::Invalid));
        assert_eq!(parse("budi@.example.com"), Err(EmailError::Invalid));
        assert_eq!(parse("budi@example.com."), Err(EmailError::Invalid));
        assert_eq!(parse("budi@[192.168.0.1]"), Err(EmailError::Invalid));
    }

    #[test]
    fn domain_label_of_63_characters_is_accepted_and_64_refused() {
        assert!(parse(&format!("budi@{}.com", "a".repeat(63))).is_ok());
        assert_eq!(
            parse(&format!("budi@{}.com", "a".repeat(64))),
            Err(EmailError::Invalid)
        );
    }

    #[test]
    fn hyphens_and_digits_inside_labels_are_accepted() {
        assert!(parse("budi@my-company2.co.id").is_ok());
        assert!(parse("budi@123.example.com").is_ok());
    }

    #[test]
    fn top_level_domain_must_be_alphabetic_and_at_least_two_letters() {
        assert_eq!(parse("budi@example.c"), Err(EmailError::Invalid));
        assert_eq!(parse("budi@example.c0m"), Err(EmailError::Invalid));
        assert_eq!(parse("budi@10.0.0.1"), Err(EmailError::Invalid));
        assert!(parse("budi@example.technology").is_ok());
    }

    #[test]
    fn free_mail_is_accepted_when_any_address_is_allowed() {
        assert!(Email::parse("budi@gmail.com", false).is_ok());
    }

    #[test]
    fn free_mail_is_refused_when_corporate_only() {
        for domain in [
            "gmail.com",
            "GMail.com",
            "yahoo.co.id",
            "outlook.com",
            "hotmail.co.uk",
            "icloud.com",
            "proton.me",
            "qq.com",
            "mailinator.com",
            "10minutemail.com",
            "temp-mail.org",
        ] {
            assert_eq!(
                Email::parse(&format!("budi@{domain}"), true),
                Err(EmailError::FreeMailDomain),
                "{domain}"
            );
        }
    }

    #[test]
    fn subdomain_of_a_free_mail_domain_is_refused_when_corporate_only() {
        assert_eq!(
            Email::parse("budi@vip.163.com", true),
            Err(EmailError::FreeMailDomain)
        );
    }

    #[test]
    fn corporate_domain_that_merely_ends_like_a_free_one_is_accepted() {
        assert!(Email::parse("budi@notgmail.com", true).is_ok());
        assert!(Email::parse("budi@gmail.com.example.co.id", true).is_ok());
        assert!(Email::parse("budi@example.co.id", true).is_ok());
    }

    #[test]
    fn free_mail_list_is_sorted_lowercase_and_complete_enough() {
        let lines: Vec<&str> = include_str!("free_email_domains.txt")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .collect();
        assert!((100..=400).contains(&lines.len()), "{}", lines.len());
        assert!(lines.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
        for domain in &lines {
            assert!(is_valid_domain(domain), "{domain}");
        }
    }

    #[test]
    fn every_error_has_a_stable_code_and_a_message() {
        let cases = [
            (EmailError::Empty, "email_required", "is required"),
            (
                EmailError::TooLong,
                "email_too_long",
                "must be at most 254 characters",
            ),
            (
                EmailError::Invalid,
                "email_invalid",
                "must be a valid email address",
            ),
            (
                EmailError::NonAscii,
                "email_non_ascii",
                "must contain only ASCII characters; internationalized email addresses are not supported",
            ),
            (
                EmailError::FreeMailDomain,
                "email_free_mail_domain",
                "must be a corporate email address; free email providers are not accepted",
            ),
        ];
        for (error, code, message) in cases {
            assert_eq!(error.code(), code);
            assert_eq!(error.to_string(), message);
        }
    }

    #[test]
    fn serializes_as_a_plain_string() {
        let email = parse("Budi@Example.com").unwrap();
        assert_eq!(
            serde_json::to_string(&email).unwrap(),
            "\"Budi@example.com\""
        );
    }
}
