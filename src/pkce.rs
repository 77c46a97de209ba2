//! PKCE (RFC 7636) and the `state` value, as types that cannot be misused.
//!
//! A [`Verifier`] is 32 CSPRNG bytes in base64url (43 characters); its [`Challenge`]
//! is `BASE64URL(SHA256(verifier))`, the S256 method — the only one we send. A
//! [`State`] is 128 random bits, single use, kept in this tab's `sessionStorage`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The random source failed (no CSPRNG available): sign-in cannot start safely.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("this browser could not produce secure random numbers, so sign-in cannot start")]
pub struct RandomUnavailable;

/// A string that is not a valid RFC 7636 code verifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifierError {
    /// Fewer than 43 or more than 128 characters.
    #[error("a code verifier must have 43 to 128 characters, not {0}")]
    Length(usize),
    /// A character outside `[A-Za-z0-9-._~]`.
    #[error("a code verifier may only use letters, digits and - . _ ~")]
    Charset,
}

fn random_bytes<const N: usize>() -> Result<[u8; N], RandomUnavailable> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|_| RandomUnavailable)?;
    Ok(bytes)
}

/// A PKCE code verifier. Its `Debug` is redacted: it is a one-time secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Verifier(String);

impl Verifier {
    /// A fresh verifier from 32 CSPRNG bytes.
    ///
    /// # Errors
    /// When the browser has no secure random source.
    pub fn generate() -> Result<Self, RandomUnavailable> {
        Ok(Self::from_bytes(&random_bytes::<32>()?))
    }

    /// The verifier for given random octets (RFC 7636 §4.1: base64url without padding).
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Checks a string against RFC 7636's `43*128unreserved`.
    ///
    /// # Errors
    /// On a wrong length or a character outside the unreserved set.
    pub fn parse(value: &str) -> Result<Self, VerifierError> {
        let len = value.chars().count();
        if !(43..=128).contains(&len) {
            return Err(VerifierError::Length(len));
        }
        if !value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
        {
            return Err(VerifierError::Charset);
        }
        Ok(Self(value.to_owned()))
    }

    /// The S256 challenge for this verifier.
    pub fn challenge(&self) -> Challenge {
        Challenge(URL_SAFE_NO_PAD.encode(Sha256::digest(self.0.as_bytes())))
    }

    /// The verifier itself, for the one request that must carry it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Verifier {
    type Error = VerifierError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Verifier> for String {
    fn from(v: Verifier) -> String {
        v.0
    }
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Verifier([redacted])")
    }
}

/// An S256 code challenge (safe to show: it reveals nothing of the verifier).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge(String);

impl Challenge {
    /// The challenge string sent as `code_challenge`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The `state` of one authorization request: 128 random bits, base64url.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct State(String);

impl State {
    /// A fresh state.
    ///
    /// # Errors
    /// When the browser has no secure random source.
    pub fn generate() -> Result<Self, RandomUnavailable> {
        Ok(Self(URL_SAFE_NO_PAD.encode(random_bytes::<16>()?)))
    }

    /// The value sent in the authorization request.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the state returned by the authorization server is this one.
    ///
    /// Compared without early exit so timing says nothing about a near match.
    pub fn matches(&self, returned: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), returned.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("State([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636 Appendix B.
    const RFC7636_OCTETS: [u8; 32] = [
        116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37,
        77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    ];

    #[test]
    fn rfc7636_appendix_b_vector() {
        let v = Verifier::from_bytes(&RFC7636_OCTETS);
        assert_eq!(v.expose(), "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            v.challenge().as_str(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn generated_verifiers_are_43_unreserved_chars_and_unique() {
        let a = Verifier::generate().unwrap();
        let b = Verifier::generate().unwrap();
        assert_eq!(a.expose().len(), 43);
        assert!(Verifier::parse(a.expose()).is_ok());
        assert_ne!(a, b);
    }

    #[test]
    fn parse_rejects_rfc7636_violations() {
        assert_eq!(
            Verifier::parse(&"a".repeat(42)),
            Err(VerifierError::Length(42))
        );
        assert_eq!(
            Verifier::parse(&"a".repeat(129)),
            Err(VerifierError::Length(129))
        );
        assert!(Verifier::parse(&"a".repeat(128)).is_ok());
        for bad in ['+', '/', '=', ' '] {
            let s = format!("{}{bad}", "a".repeat(43));
            assert_eq!(Verifier::parse(&s), Err(VerifierError::Charset), "{bad:?}");
        }
    }

    #[test]
    fn challenge_has_no_padding() {
        let c = Verifier::generate().unwrap().challenge();
        assert_eq!(c.as_str().len(), 43);
        assert!(!c.as_str().contains('='));
    }

    #[test]
    fn state_is_128_bits_and_matches_only_itself() {
        let s = State::generate().unwrap();
        assert_eq!(URL_SAFE_NO_PAD.decode(s.as_str()).unwrap().len(), 16);
        assert!(s.matches(s.as_str()));
        assert!(!s.matches("forged"));
        assert!(!s.matches(""));
        assert_ne!(s, State::generate().unwrap());
    }

    #[test]
    fn debug_output_redacts_secrets() {
        let v = Verifier::from_bytes(&RFC7636_OCTETS);
        assert!(!format!("{v:?}").contains("dBjft"));
    }
}
