//! What a person types or a client sends back to prove something: one-time codes and opaque
//! tokens. These parse only the shape (a bound on the length, surrounding spaces): whether a code
//! or token is right is the services' business, which compare hashes in constant time. Input past
//! the bound is refused before any lookup, so a megabyte of "code" is never hashed.

text_enum! {
    /// The step a pending sign-in waits for.
    ChallengeStep {
        /// The six-digit code emailed for a new device.
        DeviceCode = "device_code",
        /// A code from the authenticator app, or a recovery code.
        MfaCode = "mfa_code",
    }
}

/// The emailed device code as typed (six digits; spaces around it are ignored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCode(String);

impl DeviceCode {
    /// Longest input considered: six digits with room for stray spaces.
    pub const MAX_INPUT: usize = 16;

    /// `None` for input longer than [`Self::MAX_INPUT`] bytes; a wrong code of the right length
    /// is still a code (it counts as an attempt).
    pub fn parse(raw: &str) -> Option<Self> {
        (raw.len() <= Self::MAX_INPUT).then(|| Self(raw.trim().to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An MFA code as typed: six digits from the authenticator app, or a recovery code in any of the
/// spellings people type (groups, dashes, spaces, either case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaCode(String);

impl MfaCode {
    /// Longest input considered: a 24-character recovery code with separators and spaces.
    pub const MAX_INPUT: usize = 64;

    /// `None` for input longer than [`Self::MAX_INPUT`] bytes.
    pub fn parse(raw: &str) -> Option<Self> {
        (raw.len() <= Self::MAX_INPUT).then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An opaque token from an emailed link or a client (email verification, invitation, password
/// reset, email change, refresh, device token): random bytes in base64url, at most
/// [`Self::MAX_LEN`] bytes. The value is a secret: it has no `Display`, and its `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct OpaqueToken(String);

impl OpaqueToken {
    /// Longest token accepted (every token the portal issues is far shorter).
    pub const MAX_LEN: usize = 128;

    /// `None` for an empty token or one longer than [`Self::MAX_LEN`] bytes.
    pub fn parse(raw: &str) -> Option<Self> {
        (!raw.is_empty() && raw.len() <= Self::MAX_LEN).then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for OpaqueToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OpaqueToken(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_tokens_past_their_bound_are_refused() {
        assert_eq!(DeviceCode::parse(" 123456 ").unwrap().as_str(), "123456");
        assert!(DeviceCode::parse(&"1".repeat(DeviceCode::MAX_INPUT)).is_some());
        assert!(DeviceCode::parse(&"1".repeat(DeviceCode::MAX_INPUT + 1)).is_none());
        assert!(MfaCode::parse("ABCDEF-GHIJKL-MNOPQR-STUV23").is_some());
        assert!(MfaCode::parse(&"A".repeat(MfaCode::MAX_INPUT + 1)).is_none());
        assert!(OpaqueToken::parse("").is_none());
        assert!(OpaqueToken::parse(&"t".repeat(OpaqueToken::MAX_LEN)).is_some());
        assert!(OpaqueToken::parse(&"t".repeat(OpaqueToken::MAX_LEN + 1)).is_none());
    }

    #[test]
    fn a_token_never_prints() {
        let token = OpaqueToken::parse("s3cret-value").unwrap();
        assert!(!format!("{token:?}").contains("s3cret"));
    }

    #[test]
    fn challenge_steps_are_stored_as_their_words() {
        assert_eq!(ChallengeStep::DeviceCode.as_str(), "device_code");
        assert_eq!(
            ChallengeStep::parse("mfa_code"),
            Some(ChallengeStep::MfaCode)
        );
    }
}
