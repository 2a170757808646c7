//! Passwords and the policy they must meet. Sign-up, invitation acceptance and password changes parse
//! the candidate with [`Password::parse`] against the portal's [`PasswordPolicy`] (the `ai` or `cloud`
//! profile, or an operator's own), so hashing code only ever sees an acceptable password.
//!
//! Every unmet rule is reported, each with its own code and message, so the web app and API clients
//! can show a checklist instead of one error at a time; [`PasswordPolicy::rules_summary`] lists the
//! active rules for `GET /v1/config`. Whatever the composition rules, a password is bounded in length
//! (long input is refused before it is scanned), and checked against a list of common passwords and
//! against the person's own email address and name, as NIST SP 800-63B asks.

use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

use serde::ser::SerializeStruct;

/// Personal-information fragments shorter than this are too common to refuse ("ali", "lee").
const MIN_PERSONAL_FRAGMENT: usize = 4;
/// A common password found inside decoration ("Sunshine2024!!") counts only from this length on.
const MIN_COMMON_CORE: usize = 4;

/// The 10,000 most common passwords (lowercase), parsed once from the embedded list.
static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("common_passwords.txt")
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// The rules a password must meet. Lengths are counted in Unicode scalar values.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PasswordPolicy {
    pub min_length: usize,
    pub max_length: usize,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub require_digit: bool,
    pub require_symbol: bool,
    pub reject_common: bool,
    pub reject_personal_info: bool,
}

impl PasswordPolicy {
    /// The `ai` profile (the default): at least 14 characters, upper, lower, digit and symbol.
    pub fn ai() -> Self {
        Self {
            min_length: 14,
            ..Self::cloud()
        }
    }

    /// The `cloud` profile: at least 8 characters, upper, lower, digit and symbol.
    pub fn cloud() -> Self {
        Self {
            min_length: 8,
            max_length: 128,
            require_uppercase: true,
            require_lowercase: true,
            require_digit: true,
            require_symbol: true,
            reject_common: true,
            reject_personal_info: true,
        }
    }

    /// The active rules as `(code, message)`, in the order [`Password::parse`] reports them, so a
    /// client can render a checklist before the password is submitted.
    pub fn rules_summary(&self) -> Vec<(&'static str, String)> {
        let candidates = [
            (self.min_length > 0).then_some(PasswordRule::TooShort {
                min: self.min_length,
            }),
            Some(PasswordRule::TooLong {
                max: self.max_length,
            }),
            self.require_uppercase
                .then_some(PasswordRule::MissingUppercase),
            self.require_lowercase
                .then_some(PasswordRule::MissingLowercase),
            self.require_digit.then_some(PasswordRule::MissingDigit),
            self.require_symbol.then_some(PasswordRule::MissingSymbol),
            self.reject_common.then_some(PasswordRule::Common),
            self.reject_personal_info
                .then_some(PasswordRule::ContainsPersonalInfo),
        ];
        candidates
            .into_iter()
            .flatten()
            .map(|rule| (rule.code(), rule.message()))
            .collect()
    }
}

impl Default for PasswordPolicy {
    /// The default profile is `ai`.
    fn default() -> Self {
        Self::ai()
    }
}

/// One rule that a candidate password does not meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PasswordRule {
    TooShort { min: usize },
    TooLong { max: usize },
    MissingUppercase,
    MissingLowercase,
    MissingDigit,
    MissingSymbol,
    Common,
    ContainsPersonalInfo,
}

impl PasswordRule {
    /// Stable machine-readable code, shared with clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooShort { .. } => "password_too_short",
            Self::TooLong { .. } => "password_too_long",
            Self::MissingUppercase => "password_missing_uppercase",
            Self::MissingLowercase => "password_missing_lowercase",
            Self::MissingDigit => "password_missing_digit",
            Self::MissingSymbol => "password_missing_symbol",
            Self::Common => "password_common",
            Self::ContainsPersonalInfo => "password_contains_personal_info",
        }
    }

    /// Human-readable message, phrased to follow the field name ("Password must include a symbol").
    pub fn message(&self) -> String {
        match self {
            Self::TooShort { min } => format!("must be at least {min} characters"),
            Self::TooLong { max } => format!("must be at most {max} characters"),
            Self::MissingUppercase => "must include an uppercase letter".to_owned(),
            Self::MissingLowercase => "must include a lowercase letter".to_owned(),
            Self::MissingDigit => "must include a number".to_owned(),
            Self::MissingSymbol => "must include a symbol".to_owned(),
            Self::Common => "is too common; choose a less predictable password".to_owned(),
            Self::ContainsPersonalInfo => "must not contain your name or email address".to_owned(),
        }
    }
}

impl fmt::Display for PasswordRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl serde::Serialize for PasswordRule {
    /// `{"code": "...", "message": "..."}`
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut state = serializer.serialize_struct("PasswordRule", 2)?;
        state.serialize_field("code", self.code())?;
        state.serialize_field("message", &self.message())?;
        state.end()
    }
}

/// A password that met the policy it was parsed against. Its `Debug` never shows the secret.
pub struct Password(String);

impl Password {
    /// Checks `raw` (taken as typed: not trimmed, spaces allowed) against `policy`, returning every
    /// unmet rule in a stable order. `personal` carries the person's email address and full name;
    /// the password must not contain them or their parts.
    ///
    /// Input longer than `policy.max_length` is answered with `TooLong` alone, without further work.
    pub fn parse(
        policy: &PasswordPolicy,
        raw: &str,
        personal: &[&str],
    ) -> Result<Password, Vec<PasswordRule>> {
        // Bounded count: at most max_length + 1 characters are looked at.
        let length = raw
            .chars()
            .take(policy.max_length.saturating_add(1))
            .count();
        if length > policy.max_length {
            return Err(vec![PasswordRule::TooLong {
                max: policy.max_length,
            }]);
        }

        let mut unmet = Vec::new();
        if length < policy.min_length {
            unmet.push(PasswordRule::TooShort {
                min: policy.min_length,
            });
        }
        if policy.require_uppercase && !raw.chars().any(char::is_uppercase) {
            unmet.push(PasswordRule::MissingUppercase);
        }
        if policy.require_lowercase && !raw.chars().any(char::is_lowercase) {
            unmet.push(PasswordRule::MissingLowercase);
        }
        if policy.require_digit && !raw.chars().any(char::is_numeric) {
            unmet.push(PasswordRule::MissingDigit);
        }
        if policy.require_symbol && !raw.chars().any(is_symbol) {
            unmet.push(PasswordRule::MissingSymbol);
        }
        if policy.reject_common || policy.reject_personal_info {
            let lowered = raw.to_lowercase();
            if policy.reject_common && is_common(&lowered) {
                unmet.push(PasswordRule::Common);
            }
            if policy.reject_personal_info && contains_personal_info(&lowered, personal) {
                unmet.push(PasswordRule::ContainsPersonalInfo);
            }
        }

        if unmet.is_empty() {
            Ok(Password(raw.to_owned()))
        } else {
            Err(unmet)
        }
    }

    /// The secret itself, for hashing. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(**redacted**)")
    }
}

/// A symbol is anything that is neither a letter/number nor whitespace.
fn is_symbol(c: char) -> bool {
    !c.is_alphanumeric() && !c.is_whitespace()
}

/// `lowered` is on the list, or is a listed password of at least 4 characters wrapped in digits,
/// symbols or whitespace ("password123456!", "sunshine2024!!").
fn is_common(lowered: &str) -> bool {
    let list = &*COMMON_PASSWORDS;
    if list.contains(lowered) {
        return true;
    }
    let core = lowered.trim_matches(|c: char| !c.is_alphabetic());
    core.chars().count() >= MIN_COMMON_CORE && list.contains(core)
}

/// `lowered` contains a whole email address, its local part or a piece of it, or a part of the
/// name, of at least 4 characters. Entries with an '@' are taken as email addresses, others as names.
fn contains_personal_info(lowered: &str, personal: &[&str]) -> bool {
    let long_enough = |fragment: &&str| fragment.chars().count() >= MIN_PERSONAL_FRAGMENT;
    personal.iter().any(|entry| {
        let entry = entry.trim().to_lowercase();
        if entry.is_empty() {
            return false;
        }
        match entry.rsplit_once('@') {
            Some((local, _)) => {
                lowered.contains(entry.as_str())
                    || [local]
                        .into_iter()
                        // "budi.santoso" also yields "budi" and "santoso".
                        .chain(local.split(['.', '_', '-', '+']))
                        .filter(long_enough)
                        .any(|fragment| lowered.contains(fragment))
            }
            None => entry
                .split_whitespace()
                .filter(long_enough)
                .any(|part| lowered.contains(part)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRONG: &str = "Kx7#mQ2!vR9$wL";
    const NOBODY: &[&str] = &[];

    fn ai(raw: &str) -> Result<Password, Vec<PasswordRule>> {
        Password::parse(&PasswordPolicy::ai(), raw, NOBODY)
    }

    fn only(rule: PasswordRule) -> Result<(), Vec<PasswordRule>> {
        Err(vec![rule])
    }

    fn check(
        policy: &PasswordPolicy,
        raw: &str,
        personal: &[&str],
    ) -> Result<(), Vec<PasswordRule>> {
        Password::parse(policy, raw, personal).map(|_| ())
    }

    #[test]
    fn strong_password_is_accepted_and_exposed_as_typed() {
        let password = ai(STRONG).unwrap();
        assert_eq!(password.expose(), STRONG);
    }

    #[test]
    fn debug_output_never_shows_the_password() {
        let password = ai(STRONG).unwrap();
        assert_eq!(format!("{password:?}"), "Password(**redacted**)");
    }

    #[test]
    fn profiles_differ_only_in_minimum_length() {
        let (ai, cloud) = (PasswordPolicy::ai(), PasswordPolicy::cloud());
        assert_eq!((ai.min_length, cloud.min_length), (14, 8));
        assert_eq!((ai.max_length, cloud.max_length), (128, 128));
        assert_eq!(
            PasswordPolicy {
                min_length: 8,
                ..ai.clone()
            },
            cloud
        );
        assert_eq!(PasswordPolicy::default(), ai);
    }

    #[test]
    fn too_short_password_is_refused_with_the_policy_minimum() {
        assert_eq!(
            ai("Kx7#mQ2!vR9$w").map(|_| ()),
            only(PasswordRule::TooShort { min: 14 })
        );
        assert_eq!(
            check(&PasswordPolicy::cloud(), "Kx7#mQ2", NOBODY),
            only(PasswordRule::TooShort { min: 8 })
        );
        assert!(check(&PasswordPolicy::cloud(), "Kx7#mQ2!", NOBODY).is_ok());
    }

    #[test]
    fn missing_uppercase_is_refused() {
        assert_eq!(
            ai("kx7#mq2!vr9$wl").map(|_| ()),
            only(PasswordRule::MissingUppercase)
        );
    }

    #[test]
    fn missing_lowercase_is_refused() {
        assert_eq!(
            ai("KX7#MQ2!VR9$WL").map(|_| ()),
            only(PasswordRule::MissingLowercase)
        );
    }

    #[test]
    fn missing_digit_is_refused() {
        assert_eq!(
            ai("Kxz#mQq!vRr$wL").map(|_| ()),
            only(PasswordRule::MissingDigit)
        );
    }

    #[test]
    fn missing_symbol_is_refused() {
        assert_eq!(
            ai("Kx7tmQ2avR9bwL").map(|_| ()),
            only(PasswordRule::MissingSymbol)
        );
    }

    #[test]
    fn spaces_are_allowed_but_are_not_symbols() {
        assert_eq!(
            ai("Kx7 mQ2 vR9 wL").map(|_| ()),
            only(PasswordRule::MissingSymbol)
        );
        assert!(ai("Kx7 mQ2 vR9 wL!").is_ok());
    }

    #[test]
    fn password_is_not_trimmed() {
        assert_eq!(ai("  Kx7#mQ2!vR9  ").unwrap().expose(), "  Kx7#mQ2!vR9  ");
    }

    #[test]
    fn listed_common_password_is_refused() {
        let policy = PasswordPolicy {
            min_length: 1,
            require_uppercase: false,
            require_lowercase: false,
            require_digit: false,
            require_symbol: false,
            ..PasswordPolicy::ai()
        };
        for common in [
            "password", "PASSWORD", "qwerty", "123456", "iloveyou", "dragon",
        ] {
            assert_eq!(
                check(&policy, common, NOBODY),
                only(PasswordRule::Common),
                "{common}"
            );
        }
    }

    #[test]
    fn common_password_wrapped_in_digits_and_symbols_is_refused() {
        assert_eq!(
            ai("Password123456!").map(|_| ()),
            only(PasswordRule::Common)
        );
        assert_eq!(
            check(&PasswordPolicy::cloud(), "Sunshine2024!!", NOBODY),
            only(PasswordRule::Common)
        );
        assert_eq!(
            ai("!!2024 Dragon 2024!!").map(|_| ()),
            only(PasswordRule::Common)
        );
    }

    #[test]
    fn four_letter_common_core_inside_decoration_is_refused() {
        assert!(COMMON_PASSWORDS.contains("pass"));
        assert_eq!(
            ai("1234567!Pass!7654321").map(|_| ()),
            only(PasswordRule::Common)
        );
    }

    #[test]
    fn three_letter_core_inside_decoration_is_not_enough_to_refuse() {
        assert!(ai("1234567!Abc!7654321").is_ok());
    }

    #[test]
    fn common_word_inside_a_longer_phrase_is_accepted() {
        assert!(ai("Password-Horse-Battery-7").is_ok());
    }

    #[test]
    fn common_list_holds_about_ten_thousand_lowercase_entries() {
        let list = &*COMMON_PASSWORDS;
        assert!((9_900..=10_000).contains(&list.len()), "{}", list.len());
        assert!(list.iter().all(|p| p.to_lowercase() == *p));
    }

    #[test]
    fn password_containing_the_email_local_part_is_refused() {
        let personal = ["Budi.Santoso@Example.co.id", "Budi Santoso"];
        assert_eq!(
            check(&PasswordPolicy::ai(), "x!9Budi.Santoso#Q", &personal),
            only(PasswordRule::ContainsPersonalInfo)
        );
        assert_eq!(
            check(
                &PasswordPolicy::ai(),
                "x!9BUDI.SANTOSO@EXAMPLE.CO.ID",
                &personal
            ),
            only(PasswordRule::ContainsPersonalInfo)
        );
    }

    #[test]
    fn password_containing_a_piece_of_the_email_local_part_is_refused() {
        let personal = ["wibisono_karta@example.co.id"];
        assert_eq!(
            check(&PasswordPolicy::ai(), "Zq!8Wibisono#Zq", &personal),
            only(PasswordRule::ContainsPersonalInfo)
        );
    }

    #[test]
    fn password_containing_a_part_of_the_name_is_refused() {
        let personal = ["siti@example.com", "Siti Nurhaliza"];
        assert_eq!(
            check(&PasswordPolicy::ai(), "x!9NURHALIZA#Qz", &personal),
            only(PasswordRule::ContainsPersonalInfo)
        );
    }

    #[test]
    fn unicode_name_parts_are_compared_case_insensitively() {
        let personal = ["jose@example.com", "José Ñúñez"];
        assert_eq!(
            check(&PasswordPolicy::ai(), "x!9ÑÚÑEZ#Qz77wQ", &personal),
            only(PasswordRule::ContainsPersonalInfo)
        );
    }

    #[test]
    fn short_name_parts_and_local_parts_are_ignored() {
        let personal = ["ali@example.com", "Ali bin Abu"];
        assert!(check(&PasswordPolicy::ai(), "Ali!bin9Abu#Qz7", &personal).is_ok());
    }

    #[test]
    fn personal_info_rule_ignores_blank_entries() {
        assert!(check(&PasswordPolicy::ai(), STRONG, &["", "   "]).is_ok());
    }

    #[test]
    fn every_unmet_rule_is_reported_in_a_stable_order() {
        let personal = ["budi@example.com", "Budi Santoso"];
        assert_eq!(
            check(&PasswordPolicy::ai(), "budi", &personal),
            Err(vec![
                PasswordRule::TooShort { min: 14 },
                PasswordRule::MissingUppercase,
                PasswordRule::MissingDigit,
                PasswordRule::MissingSymbol,
                PasswordRule::ContainsPersonalInfo,
            ])
        );
        assert_eq!(
            check(&PasswordPolicy::ai(), "love", &personal),
            Err(vec![
                PasswordRule::TooShort { min: 14 },
                PasswordRule::MissingUppercase,
                PasswordRule::MissingDigit,
                PasswordRule::MissingSymbol,
                PasswordRule::Common,
            ])
        );
        assert_eq!(
            check(&PasswordPolicy::ai(), "love", &["love@example.com"]),
            Err(vec![
                PasswordRule::TooShort { min: 14 },
                PasswordRule::MissingUppercase,
                PasswordRule::MissingDigit,
                PasswordRule::MissingSymbol,
                PasswordRule::Common,
                PasswordRule::ContainsPersonalInfo,
            ])
        );
        assert_eq!(
            ai("").map(|_| ()),
            Err(vec![
                PasswordRule::TooShort { min: 14 },
                PasswordRule::MissingUppercase,
                PasswordRule::MissingLowercase,
                PasswordRule::MissingDigit,
                PasswordRule::MissingSymbol,
            ])
        );
    }

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        // 14 characters, 28 bytes of UTF-8.
        let password = "Ñú7#ñÉ2!éŘ9$řĹ";
        assert_eq!(password.chars().count(), 14);
        assert!(ai(password).is_ok());
        let at_max = "É".repeat(125) + "é1!";
        assert!(ai(&at_max).is_ok());
        assert_eq!(
            ai(&(at_max + "x")).map(|_| ()),
            only(PasswordRule::TooLong { max: 128 })
        );
    }

    #[test]
    fn letters_without_case_count_as_neither_upper_nor_lower() {
        assert_eq!(
            ai("李小龙李小龙李小龙李小龙7#").map(|_| ()),
            Err(vec![
                PasswordRule::MissingUppercase,
                PasswordRule::MissingLowercase
            ])
        );
    }

    #[test]
    fn non_ascii_digits_and_symbols_count() {
        // Arabic-Indic digit seven and a euro sign.
        assert!(ai("Kxa€mQb٧vRcdwL").is_ok());
    }

    #[test]
    fn sixty_four_characters_are_accepted_by_the_default_policy() {
        let password = format!("{STRONG}{}", "aB3$x".repeat(10));
        assert_eq!(password.chars().count(), 64);
        assert!(Password::parse(&PasswordPolicy::default(), &password, NOBODY).is_ok());
    }

    #[test]
    fn exactly_the_maximum_is_accepted_and_one_more_is_too_long() {
        let at_max = format!("{STRONG}{}", "aB3$".repeat(28) + "xy");
        assert_eq!(at_max.chars().count(), 128);
        assert!(ai(&at_max).is_ok());
        let over = at_max + "z";
        assert_eq!(over.chars().count(), 129);
        assert_eq!(
            ai(&over).map(|_| ()),
            only(PasswordRule::TooLong { max: 128 })
        );
    }

    #[test]
    fn overlong_input_reports_only_too_long() {
        // Would miss every composition rule and be common, but only its length is reported.
        assert_eq!(
            ai(&"a".repeat(1_000_000)).map(|_| ()),
            only(PasswordRule::TooLong { max: 128 })
        );
    }

    #[test]
    fn disabled_rules_are_not_checked() {
        let nist = PasswordPolicy {
            min_length: 15,
            require_uppercase: false,
            require_lowercase: false,
            require_digit: false,
            require_symbol: false,
            ..PasswordPolicy::ai()
        };
        assert!(check(&nist, "correct horse battery staple", NOBODY).is_ok());
        let lax = PasswordPolicy {
            reject_common: false,
            reject_personal_info: false,
            ..PasswordPolicy::cloud()
        };
        assert!(check(&lax, "Password1!", NOBODY).is_ok());
        assert!(check(&lax, "Budi2024!", &["budi@example.com"]).is_ok());
    }

    #[test]
    fn every_rule_has_a_stable_code_and_message() {
        let cases = [
            (
                PasswordRule::TooShort { min: 14 },
                "password_too_short",
                "must be at least 14 characters",
            ),
            (
                PasswordRule::TooLong { max: 128 },
                "password_too_long",
                "must be at most 128 characters",
            ),
            (
                PasswordRule::MissingUppercase,
                "password_missing_uppercase",
                "must include an uppercase letter",
            ),
            (
                PasswordRule::MissingLowercase,
                "password_missing_lowercase",
                "must include a lowercase letter",
            ),
            (
                PasswordRule::MissingDigit,
                "password_missing_digit",
                "must include a number",
            ),
            (
                PasswordRule::MissingSymbol,
                "password_missing_symbol",
                "must include a symbol",
            ),
            (
                PasswordRule::Common,
                "password_common",
                "is too common; choose a less predictable password",
            ),
            (
                PasswordRule::ContainsPersonalInfo,
                "password_contains_personal_info",
                "must not contain your name or email address",
            ),
        ];
        for (rule, code, message) in cases {
            assert_eq!(rule.code(), code);
            assert_eq!(rule.message(), message);
            assert_eq!(rule.to_string(), message);
        }
    }

    #[test]
    fn rule_serializes_as_code_and_message() {
        assert_eq!(
            serde_json::to_value(PasswordRule::TooShort { min: 8 }).unwrap(),
            serde_json::json!({"code": "password_too_short", "message": "must be at least 8 characters"})
        );
    }

    #[test]
    fn rules_summary_lists_every_active_rule_in_report_order() {
        let codes: Vec<&str> = PasswordPolicy::ai()
            .rules_summary()
            .into_iter()
            .map(|(code, _)| code)
            .collect();
        assert_eq!(
            codes,
            [
                "password_too_short",
                "password_too_long",
                "password_missing_uppercase",
                "password_missing_lowercase",
                "password_missing_digit",
                "password_missing_symbol",
                "password_common",
                "password_contains_personal_info",
            ]
        );
        assert_eq!(
            PasswordPolicy::cloud().rules_summary()[0],
            (
                "password_too_short",
                "must be at least 8 characters".to_owned()
            )
        );
    }

    #[test]
    fn rules_summary_leaves_out_disabled_rules() {
        let policy = PasswordPolicy {
            require_symbol: false,
            reject_common: false,
            ..PasswordPolicy::ai()
        };
        let codes: Vec<&str> = policy.rules_summary().into_iter().map(|(c, _)| c).collect();
        assert!(!codes.contains(&"password_missing_symbol"));
        assert!(!codes.contains(&"password_common"));
        assert_eq!(codes.len(), 6);
    }

    #[test]
    fn policy_serializes_with_its_field_names() {
        let value = serde_json::to_value(PasswordPolicy::cloud()).unwrap();
        assert_eq!(value["min_length"], 8);
        assert_eq!(value["max_length"], 128);
        assert_eq!(value["require_symbol"], true);
    }
}
