//! Signing in: the browser's code and PKCE verifier become a validated session token.
//!
//! The inputs are checked before anything leaves this process ([`SessionInput::check`],
//! pure): the redirect URI must be exactly the configured one, the verifier must be
//! RFC 7636 shaped. Then [`Authenticator::redeem_code`] redeems the code at the token
//! endpoint as the confidential client and validates the returned access token with
//! the same rules as every bearer token, so the browser never holds a token this
//! backend would refuse.

use pmt_wire::SessionRequest;

use super::token_endpoint::{self, TokenEndpointError};
use super::validate::{Claims, TokenError};
use super::{AuthError, Authenticator};
use crate::error::AppError;
use crate::secret::BearerToken;

/// RFC 7636 §4.1 bounds of a code verifier.
const VERIFIER_LEN: std::ops::RangeInclusive<usize> = 43..=128;
/// Codes longer than this are not codes.
const MAX_CODE_LEN: usize = 2048;

/// A PKCE code verifier of valid shape; `Debug` never shows it.
#[derive(Clone)]
pub struct CodeVerifier(String);

impl CodeVerifier {
    /// Accepts 43–128 characters from the unreserved set `[A-Za-z0-9-._~]` (RFC 7636 §4.1).
    ///
    /// # Errors
    /// [`SessionInputError::InvalidVerifier`] otherwise.
    pub fn parse(value: impl Into<String>) -> Result<Self, SessionInputError> {
        let value = value.into();
        let unreserved = |b: u8| b.is_ascii_alphanumeric() || b"-._~".contains(&b);
        if VERIFIER_LEN.contains(&value.len()) && value.bytes().all(unreserved) {
            Ok(Self(value))
        } else {
            Err(SessionInputError::InvalidVerifier)
        }
    }

    /// The verifier, for the token request only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for CodeVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeVerifier([redacted])")
    }
}

/// An authorization code of plausible shape; `Debug` never shows it.
#[derive(Clone)]
pub struct AuthorizationCode(String);

impl AuthorizationCode {
    /// Accepts a non-empty code of visible ASCII (RFC 6749 Appendix A.11), bounded in length.
    ///
    /// # Errors
    /// [`SessionInputError::InvalidCode`] otherwise.
    pub fn parse(value: impl Into<String>) -> Result<Self, SessionInputError> {
        let value = value.into();
        if !value.is_empty()
            && value.len() <= MAX_CODE_LEN
            && value.bytes().all(|b| (0x20..=0x7e).contains(&b))
        {
            Ok(Self(value))
        } else {
            Err(SessionInputError::InvalidCode)
        }
    }

    /// The code, for the token request only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for AuthorizationCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuthorizationCode([redacted])")
    }
}

/// What is wrong with a sign-in request before any network call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SessionInputError {
    /// The redirect URI is not exactly the configured one.
    #[error("The redirect URI is not the one this app is registered with.")]
    RedirectUriMismatch,
    /// The PKCE verifier is not 43–128 unreserved characters.
    #[error("The sign-in verifier is malformed. Please sign in again.")]
    InvalidVerifier,
    /// The code is empty, too long or has characters a code cannot have.
    #[error("The sign-in code is malformed. Please sign in again.")]
    InvalidCode,
}

impl From<SessionInputError> for AppError {
    fn from(e: SessionInputError) -> Self {
        let code = match e {
            SessionInputError::RedirectUriMismatch | SessionInputError::InvalidVerifier => {
                "invalid_request"
            }
            SessionInputError::InvalidCode => "invalid_grant",
        };
        AppError::bad_request(code, e.to_string())
    }
}

/// A checked sign-in request.
#[derive(Debug)]
pub struct SessionInput {
    /// The code to redeem.
    pub code: AuthorizationCode,
    /// Its PKCE verifier.
    pub verifier: CodeVerifier,
}

impl SessionInput {
    /// Checks a request against the one redirect URI this app may use (exact match).
    ///
    /// # Errors
    /// The first [`SessionInputError`] found, redirect URI first.
    pub fn check(request: SessionRequest, redirect_uri: &str) -> Result<Self, SessionInputError> {
        if request.redirect_uri != redirect_uri {
            return Err(SessionInputError::RedirectUriMismatch);
        }
        let verifier = CodeVerifier::parse(request.code_verifier)?;
        let code = AuthorizationCode::parse(request.code)?;
        Ok(Self { code, verifier })
    }
}

/// A signed-in session: the access token and its validated claims.
#[derive(Debug)]
pub struct Session {
    /// The access token for the browser to send back.
    pub token: BearerToken,
    /// What it says.
    pub claims: Claims,
}

/// Why a code could not be turned into a session.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// Discovery, the token endpoint or the JWKS could not be reached or read.
    #[error("the sign-in service could not be reached")]
    Unreachable,
    /// The metadata or keys are unusable.
    #[error("the sign-in service is misconfigured: {0}")]
    Misconfigured(String),
    /// The token endpoint refused (OAuth error code and description, sanitized).
    #[error("the sign-in service refused the code ({error})")]
    Rejected {
        /// RFC 6749 §5.2 error code, e.g. `invalid_grant`.
        error: String,
        /// The server's description, if any.
        description: Option<String>,
    },
    /// The token endpoint answered 200 with something that is not a bearer token.
    #[error("the sign-in service's answer was not usable: {0}")]
    InvalidResponse(&'static str),
    /// The issued access token fails validation.
    #[error("the sign-in service issued a token this service does not accept: {0}")]
    InvalidToken(TokenError),
}

impl From<AuthError> for SessionError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Token(t) => Self::InvalidToken(t),
            other if other.is_unreachable() => Self::Unreachable,
            other => Self::Misconfigured(other.to_string()),
        }
    }
}

impl From<SessionError> for AppError {
    fn from(e: SessionError) -> Self {
        match &e {
            SessionError::Rejected { error, .. } if error == "invalid_grant" => {
                AppError::bad_request(
                    "invalid_grant",
                    "The sign-in code was already used or has expired. Please sign in again.",
                )
            }
            SessionError::Rejected { error, .. } if error == "invalid_request" => {
                AppError::bad_request(
                    "invalid_request",
                    "The sign-in could not be completed. Please sign in again.",
                )
            }
            SessionError::Unreachable => AppError::BadGateway(
                "The sign-in service could not be reached. Please try again in a moment."
                    .to_owned(),
            ),
            _ => {
                tracing::warn!(error = %e, "sign-in failed upstream");
                AppError::BadGateway(
                    "The sign-in service did not complete the sign-in. Please try again later."
                        .to_owned(),
                )
            }
        }
    }
}

impl Authenticator {
    /// Redeems an authorization code (confidential client, PKCE) and validates the issued
    /// access token for this backend's audience.
    ///
    /// Sends `grant_type=authorization_code`, the code, the configured redirect URI, the
    /// verifier and `resource` = the backend's resource identifier (RFC 8707).
    ///
    /// # Errors
    /// See [`SessionError`]; a replayed or expired code, or a wrong verifier, comes back
    /// as [`SessionError::Rejected`] with `invalid_grant`.
    pub async fn redeem_code(
        &self,
        code: &AuthorizationCode,
        verifier: &CodeVerifier,
    ) -> Result<Session, SessionError> {
        let meta = self.metadata().await.map_err(AuthError::from)?;
        let redirect_uri = self.config().redirect_uri();
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code.expose()),
            ("redirect_uri", redirect_uri.as_str()),
            ("code_verifier", verifier.expose()),
            ("resource", self.config().auth.resource.as_str()),
        ];
        let response = token_endpoint::request_token(
            self.http(),
            &meta.token_endpoint,
            &self.client_credentials(meta),
            &form,
        )
        .await
        .map_err(|e| match e {
            TokenEndpointError::Unreachable | TokenEndpointError::ServerError(_) => {
                SessionError::Unreachable
            }
            TokenEndpointError::TooLarge => SessionError::InvalidResponse("answer too large"),
            TokenEndpointError::Rejected {
                error, description, ..
            } => SessionError::Rejected { error, description },
            TokenEndpointError::InvalidResponse(what) => SessionError::InvalidResponse(what),
        })?;
        let claims = self.validate_bearer(&response.access_token).await?;
        Ok(Session {
            token: BearerToken::new(response.access_token),
            claims,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REDIRECT: &str = "http://127.0.0.1:8080/callback";

    fn request(redirect: &str, verifier: &str, code: &str) -> SessionRequest {
        SessionRequest {
            code: code.to_owned(),
            code_verifier: verifier.to_owned(),
            redirect_uri: redirect.to_owned(),
        }
    }

    #[test]
    fn rfc7636_appendix_b_verifier_is_accepted() {
        assert!(CodeVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").is_ok());
    }

    #[test]
    fn verifiers_outside_the_rfc_bounds_are_refused() {
        for bad in [
            "a".repeat(42),
            "a".repeat(129),
            format!("{}+", "a".repeat(43)),
            format!("{}=", "a".repeat(43)),
            format!("{} ", "a".repeat(43)),
        ] {
            assert_eq!(
                CodeVerifier::parse(bad).err(),
                Some(SessionInputError::InvalidVerifier)
            );
        }
        assert!(CodeVerifier::parse("~._-".repeat(32)).is_ok());
    }

    #[test]
    fn the_redirect_uri_must_match_exactly() {
        let v = "a".repeat(43);
        for other in [
            "http://127.0.0.1:8080/callback/",
            "HTTP://127.0.0.1:8080/callback",
            "http://127.0.0.1:8080/callback?x=1",
            "http://evil.example/callback",
        ] {
            assert_eq!(
                SessionInput::check(request(other, &v, "c"), REDIRECT).err(),
                Some(SessionInputError::RedirectUriMismatch)
            );
        }
        assert!(SessionInput::check(request(REDIRECT, &v, "c"), REDIRECT).is_ok());
    }

    #[test]
    fn an_empty_or_binary_code_is_refused() {
        let v = "a".repeat(43);
        for code in ["", "a\nb", "\u{7f}"] {
            assert_eq!(
                SessionInput::check(request(REDIRECT, &v, code), REDIRECT).err(),
                Some(SessionInputError::InvalidCode)
            );
        }
    }

    #[test]
    fn debug_of_code_and_verifier_is_redacted() {
        let s = SessionInput::check(request(REDIRECT, &"v".repeat(43), "the-code"), REDIRECT)
            .expect("valid input");
        let shown = format!("{s:?}");
        assert!(
            !shown.contains("the-code") && !shown.contains("vvvv"),
            "{shown}"
        );
    }
}
