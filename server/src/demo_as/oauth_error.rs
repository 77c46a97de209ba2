//! OAuth error codes and the token endpoint's error response (RFC 6749 §5.2).
//!
//! Descriptions are fixed phrases or name a parameter; they never echo a code,
//! verifier, secret or token.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use pmt_wire::ApiError;

use super::params::Repeated;

/// The error codes this server uses (RFC 6749 §4.1.2.1 and §5.2, RFC 8707, RFC 8693).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ErrorCode {
    /// Missing, repeated or malformed parameter; an unacceptable subject token.
    InvalidRequest,
    /// Client authentication failed.
    InvalidClient,
    /// The client may not use this grant type (a public client asking for token exchange).
    UnauthorizedClient,
    /// Code unknown, expired, used, or bound to something else; wrong verifier.
    InvalidGrant,
    /// A grant type this server does not implement.
    UnsupportedGrantType,
    /// A response type other than `code`.
    UnsupportedResponseType,
    /// A scope that is unknown or broader than allowed.
    InvalidScope,
    /// A resource this server will not issue for (RFC 8707 §2).
    InvalidTarget,
    /// The user said no.
    AccessDenied,
    /// Something failed on our side.
    ServerError,
    /// Too many pending requests.
    TemporarilyUnavailable,
}

impl ErrorCode {
    /// The code as it goes on the wire.
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::InvalidScope => "invalid_scope",
            Self::InvalidTarget => "invalid_target",
            Self::AccessDenied => "access_denied",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
        }
    }

    /// The HTTP status of a token endpoint error with this code.
    fn status(self) -> StatusCode {
        match self {
            Self::InvalidClient => StatusCode::UNAUTHORIZED,
            Self::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
            Self::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// An OAuth error: a code and a description for a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {description}", code.as_str())]
pub(super) struct OAuthError {
    /// The machine-readable code.
    pub(super) code: ErrorCode,
    /// What was wrong.
    pub(super) description: String,
}

impl OAuthError {
    /// An error with a code and a description.
    pub(super) fn new(code: ErrorCode, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description.into(),
        }
    }

    /// `invalid_request`.
    pub(super) fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRequest, description)
    }

    /// `invalid_grant`.
    pub(super) fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidGrant, description)
    }

    /// `invalid_target`.
    pub(super) fn invalid_target(description: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidTarget, description)
    }

    /// `invalid_scope`.
    pub(super) fn invalid_scope(description: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidScope, description)
    }

    /// `invalid_client`.
    pub(super) fn invalid_client(description: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidClient, description)
    }

    /// A required parameter is missing.
    pub(super) fn missing(name: &str) -> Self {
        Self::invalid_request(format!("{name} is required"))
    }
}

impl From<Repeated> for OAuthError {
    fn from(Repeated(name): Repeated) -> Self {
        Self::invalid_request(format!("{name} must not be repeated"))
    }
}

/// A token endpoint response must never be cached (RFC 6749 §5.1/§5.2).
pub(super) fn no_store(response: &mut Response) {
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

/// The JSON error of the token endpoint: 400 (401 with a Basic challenge for
/// `invalid_client`, RFC 6749 §5.2), never cached.
impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let mut response = (
            self.code.status(),
            Json(ApiError {
                error: self.code.as_str().to_owned(),
                error_description: self.description,
            }),
        )
            .into_response();
        no_store(&mut response);
        if self.code == ErrorCode::InvalidClient {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"demo-as\", charset=\"UTF-8\""),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_client_is_401_with_a_basic_challenge() {
        let r = OAuthError::invalid_client("bad secret").into_response();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let challenge = r.headers()[header::WWW_AUTHENTICATE]
            .to_str()
            .expect("ascii");
        assert!(challenge.starts_with("Basic "), "{challenge}");
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
    }

    #[test]
    fn other_errors_are_400_without_a_challenge() {
        let r = OAuthError::invalid_grant("x").into_response();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(!r.headers().contains_key(header::WWW_AUTHENTICATE));
        assert_eq!(r.headers()[header::PRAGMA], "no-cache");
    }

    #[test]
    fn repeats_become_invalid_request_naming_the_parameter() {
        let e = OAuthError::from(Repeated("code"));
        assert_eq!(e.code, ErrorCode::InvalidRequest);
        assert_eq!(e.description, "code must not be repeated");
    }
}
