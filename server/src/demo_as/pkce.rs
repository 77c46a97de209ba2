//! PKCE (RFC 7636) as this server enforces it: S256 only, exact syntax on both halves.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Why a PKCE value was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(super) enum PkceError {
    /// The challenge is not the base64url (no padding) encoding of 32 bytes.
    #[error("code_challenge must be 43 base64url characters without padding (S256)")]
    MalformedChallenge,
    /// The verifier is not 43–128 unreserved characters (RFC 7636 §4.1).
    #[error("code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~]")]
    MalformedVerifier,
}

/// An S256 `code_challenge`: BASE64URL(SHA-256(verifier)), 43 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CodeChallenge(String);

impl CodeChallenge {
    /// Checks the syntax of an S256 challenge.
    ///
    /// # Errors
    /// [`PkceError::MalformedChallenge`] unless it decodes (canonically) to 32 bytes.
    pub(super) fn parse(value: &str) -> Result<Self, PkceError> {
        let canonical = value.len() == 43
            && URL_SAFE_NO_PAD
                .decode(value)
                .is_ok_and(|bytes| bytes.len() == 32 && URL_SAFE_NO_PAD.encode(&bytes) == value);
        if canonical {
            Ok(Self(value.to_owned()))
        } else {
            Err(PkceError::MalformedChallenge)
        }
    }

    /// Whether `verifier` hashes to this challenge (constant-time comparison).
    pub(super) fn is_satisfied_by(&self, verifier: &CodeVerifier) -> bool {
        s256(&verifier.0).as_bytes().ct_eq(self.0.as_bytes()).into()
    }
}

/// A `code_verifier` as presented at the token endpoint; never printed.
#[derive(Clone)]
pub(super) struct CodeVerifier(String);

impl CodeVerifier {
    /// Checks the syntax of a verifier (RFC 7636 §4.1: `43*128unreserved`).
    ///
    /// # Errors
    /// [`PkceError::MalformedVerifier`] when the length or an character is wrong.
    pub(super) fn parse(value: &str) -> Result<Self, PkceError> {
        let unreserved = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~');
        if (43..=128).contains(&value.len()) && value.chars().all(unreserved) {
            Ok(Self(value.to_owned()))
        } else {
            Err(PkceError::MalformedVerifier)
        }
    }
}

impl std::fmt::Debug for CodeVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeVerifier([redacted])")
    }
}

/// BASE64URL(SHA-256(ASCII(verifier))).
fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636 Appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn accepts_the_rfc7636_appendix_b_pair() {
        let challenge = CodeChallenge::parse(CHALLENGE).expect("challenge");
        let verifier = CodeVerifier::parse(VERIFIER).expect("verifier");
        assert!(challenge.is_satisfied_by(&verifier));
    }

    #[test]
    fn rejects_a_different_verifier() {
        let challenge = CodeChallenge::parse(CHALLENGE).expect("challenge");
        let other = CodeVerifier::parse(&"a".repeat(43)).expect("verifier");
        assert!(!challenge.is_satisfied_by(&other));
    }

    #[test]
    fn rejects_malformed_challenges() {
        for bad in [
            "",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM=",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM",
            VERIFIER.get(..42).unwrap_or(""),
            // 43 characters, but the last one carries bits beyond 32 bytes.
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN",
        ] {
            assert_eq!(
                CodeChallenge::parse(bad),
                Err(PkceError::MalformedChallenge),
                "{bad}"
            );
        }
    }

    #[test]
    fn verifier_length_bounds_are_43_and_128() {
        assert!(CodeVerifier::parse(&"a".repeat(42)).is_err());
        assert!(CodeVerifier::parse(&"a".repeat(43)).is_ok());
        assert!(CodeVerifier::parse(&"a".repeat(128)).is_ok());
        assert!(CodeVerifier::parse(&"a".repeat(129)).is_err());
    }

    #[test]
    fn verifier_allows_only_unreserved_characters() {
        assert!(CodeVerifier::parse(&format!("{}-._~", "a".repeat(40))).is_ok());
        for c in ['+', '/', '=', ' ', 'é'] {
            let v = format!("{}{c}", "a".repeat(43));
            assert!(CodeVerifier::parse(&v).is_err(), "{c}");
        }
    }

    #[test]
    fn verifier_debug_is_redacted() {
        let v = CodeVerifier::parse(VERIFIER).expect("verifier");
        assert!(!format!("{v:?}").contains("dBj"));
    }
}
