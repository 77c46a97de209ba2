//! RFC 8693 token exchange: the session token in, a short-lived token for one resource out.
//!
//! One request per resource (RFC 8707: exactly one `resource`), least scope, no
//! caching here: the caller asks for a fresh token per call. The response must say it
//! issued an access token (`issued_token_type`) of type `Bearer`. Errors carry the
//! authorization server's `error` / `error_description` (e.g. `invalid_target` when the
//! user's grant for that resource was revoked) but never a token.

use super::token_endpoint::{self, TokenEndpointError};
use super::{AuthError, Authenticator};
use crate::error::AppError;
use crate::secret::{BearerToken, ExchangedToken};

/// RFC 8693 §2.1 grant type.
pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// RFC 8693 §3 token type of an OAuth access token.
pub const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

/// A token obtained by exchange, with what the server said about it.
#[derive(Debug)]
pub struct ExchangedGrant {
    /// The token for the one requested resource.
    pub token: ExchangedToken,
    /// Lifetime in seconds, when the server says.
    pub expires_in: Option<i64>,
    /// Granted scope, when the server says (RFC 8693 §2.2.1: required if it differs from
    /// the request).
    pub scope: Option<String>,
}

/// Why an exchange gave no token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExchangeError {
    /// The requested resource is not an absolute URI without fragment (RFC 8707 §2).
    #[error("the resource to exchange for is not an absolute URI without fragment")]
    InvalidResource,
    /// The authorization server (metadata or token endpoint) could not be reached.
    #[error("the sign-in service could not be reached")]
    Unreachable,
    /// The authorization server's metadata is unusable.
    #[error("the sign-in service is misconfigured: {0}")]
    Misconfigured(String),
    /// The authorization server refused: its `error` and `error_description`.
    #[error("the sign-in service refused the token exchange ({error}){}", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Refused {
        /// HTTP status of the refusal.
        status: u16,
        /// RFC 6749 §5.2 / RFC 8693 §2.2.2 error code, e.g. `invalid_target`.
        error: String,
        /// The server's description, sanitized, if any.
        description: Option<String>,
    },
    /// A success response that is not a bearer access token.
    #[error("the sign-in service's exchange response is not usable: {0}")]
    InvalidResponse(&'static str),
}

impl ExchangeError {
    /// True when the server refused this resource for this user (`invalid_target`):
    /// the grant was revoked or never given.
    pub fn is_invalid_target(&self) -> bool {
        matches!(self, Self::Refused { error, .. } if error == "invalid_target")
    }
}

impl From<ExchangeError> for AppError {
    fn from(e: ExchangeError) -> Self {
        match e {
            ExchangeError::Refused { .. } if e.is_invalid_target() => AppError::BadGateway(
                "Access to this source was not granted or has been revoked.".to_owned(),
            ),
            ExchangeError::InvalidResource => AppError::Internal(e.to_string()),
            _ => AppError::BadGateway(e.to_string()),
        }
    }
}

/// Whether `text` contains a recognisable piece of `token` (the start of any of its
/// dot-separated parts): such a description is dropped rather than redacted, since it
/// may hold a truncated copy that a plain replace would miss.
fn mentions_token(text: &str, token: &str) -> bool {
    token
        .split('.')
        .filter(|part| part.len() >= 8)
        .filter_map(|part| part.get(..part.len().min(16)))
        .any(|piece| text.contains(piece))
}

/// RFC 8707 §2: an absolute URI, no fragment.
fn is_valid_resource(resource: &str) -> bool {
    url::Url::parse(resource).is_ok_and(|u| u.fragment().is_none())
}

impl Authenticator {
    /// Exchanges `subject` (the caller's session token) for a token for `resource`.
    ///
    /// # Errors
    /// See [`ExchangeError`].
    pub async fn exchange(
        &self,
        subject: &BearerToken,
        resource: &str,
        scope: &str,
    ) -> Result<ExchangedToken, ExchangeError> {
        self.exchange_grant(subject, resource, scope)
            .await
            .map(|g| g.token)
    }

    /// Like [`Authenticator::exchange`], also returning the lifetime and granted scope
    /// (for the activity log).
    ///
    /// # Errors
    /// See [`ExchangeError`].
    pub async fn exchange_grant(
        &self,
        subject: &BearerToken,
        resource: &str,
        scope: &str,
    ) -> Result<ExchangedGrant, ExchangeError> {
        if !is_valid_resource(resource) {
            return Err(ExchangeError::InvalidResource);
        }
        let meta = self.metadata().await.map_err(|e| {
            let e = AuthError::from(e);
            if e.is_unreachable() {
                ExchangeError::Unreachable
            } else {
                ExchangeError::Misconfigured(e.to_string())
            }
        })?;
        let mut form = vec![
            ("grant_type", GRANT_TYPE),
            ("subject_token", subject.expose()),
            ("subject_token_type", ACCESS_TOKEN_TYPE),
            ("requested_token_type", ACCESS_TOKEN_TYPE),
            ("resource", resource),
        ];
        if !scope.is_empty() {
            form.push(("scope", scope));
        }
        let response = token_endpoint::request_token(
            self.http(),
            &meta.token_endpoint,
            &self.client_credentials(meta),
            &form,
        )
        .await
        .map_err(|e| match e {
            TokenEndpointError::Unreachable | TokenEndpointError::ServerError(_) => {
                ExchangeError::Unreachable
            }
            TokenEndpointError::TooLarge => ExchangeError::InvalidResponse("answer too large"),
            TokenEndpointError::Rejected {
                status,
                error,
                description,
            } => ExchangeError::Refused {
                status,
                error,
                // A server could echo the request; the subject token must not travel on.
                description: description.filter(|d| !mentions_token(d, subject.expose())),
            },
            TokenEndpointError::InvalidResponse(what) => ExchangeError::InvalidResponse(what),
        })?;
        if response.issued_token_type.as_deref() != Some(ACCESS_TOKEN_TYPE) {
            return Err(ExchangeError::InvalidResponse(
                "issued_token_type is not an access token",
            ));
        }
        Ok(ExchangedGrant {
            token: ExchangedToken::new(response.access_token),
            expires_in: response.expires_in,
            scope: response.scope,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_must_be_absolute_uris_without_fragment() {
        assert!(is_valid_resource("https://api.linear.app/"));
        assert!(is_valid_resource("urn:pmt:api"));
        assert!(!is_valid_resource("/relative"));
        assert!(!is_valid_resource("https://api.example.com/#frag"));
        assert!(!is_valid_resource(""));
    }

    #[test]
    fn a_description_echoing_the_subject_token_is_dropped() {
        let token = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEiLCJhdWQiOiJ4In0.c2lnbmF0dXJlLWJ5dGVz";
        assert!(mentions_token(
            "bad subject_token eyJzdWIiOiJ1c2VyLTEi...",
            token
        ));
        assert!(mentions_token("sig c2lnbmF0dXJlLWJ5", token));
        assert!(!mentions_token("grant revoked", token));
    }

    #[test]
    fn refusal_text_carries_the_servers_code_and_description() {
        let e = ExchangeError::Refused {
            status: 400,
            error: "invalid_target".to_owned(),
            description: Some("grant revoked".to_owned()),
        };
        assert!(e.is_invalid_target());
        assert_eq!(
            e.to_string(),
            "the sign-in service refused the token exchange (invalid_target): grant revoked"
        );
    }
}
