//! The HTTP layer's one error type: each variant maps to a status and a JSON body.
//!
//! Bodies say what was wrong in plain words and never carry a token, a secret or an
//! upstream response body; details worth keeping go to the log through `tracing`, and
//! even there only after redaction by the caller.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use pmt_wire::ApiError;

/// An error a handler returns.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No usable bearer token: 401 with an RFC 6750 `WWW-Authenticate` challenge.
    #[error("{description}")]
    Unauthorized {
        /// RFC 6750 error code (`invalid_token`, `invalid_request`) or empty when no token was sent.
        error: &'static str,
        /// What was wrong, never echoing the token.
        description: String,
    },
    /// The request itself is wrong: 400.
    #[error("{description}")]
    BadRequest {
        /// Machine-readable code.
        error: &'static str,
        /// What was wrong.
        description: String,
    },
    /// The thing the request names does not exist (for this user): 404 `not_found`.
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with the thing's state (e.g. dismissing a kind that is
    /// changed only at its source): 409 `conflict`.
    #[error("{0}")]
    Conflict(String),
    /// The authorization server or another upstream could not be reached or answered badly: 502.
    #[error("{0}")]
    BadGateway(String),
    /// Something on our side failed: 500 (details only in the log).
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// 400 with a code and a description.
    pub fn bad_request(error: &'static str, description: impl Into<String>) -> Self {
        Self::BadRequest {
            error,
            description: description.into(),
        }
    }

    /// 401 `invalid_token` with a description.
    pub fn invalid_token(description: impl Into<String>) -> Self {
        Self::Unauthorized {
            error: "invalid_token",
            description: description.into(),
        }
    }

    /// The HTTP status this error maps to.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::BadGateway(_) => StatusCode::BAD_GATEWAY,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Quotes a value for a `WWW-Authenticate` auth-param (RFC 7235 quoted-string).
fn quoted(value: &str) -> String {
    let cleaned: String = value
        .chars()
        .filter(|c| c.is_ascii() && !c.is_ascii_control())
        .map(|c| if c == '"' || c == '\\' { '\'' } else { c })
        .collect();
    format!("\"{cleaned}\"")
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let (code, description) = match &self {
            Self::Unauthorized { error, description } => (
                if error.is_empty() {
                    "unauthorized"
                } else {
                    error
                },
                description.clone(),
            ),
            Self::BadRequest { error, description } => (*error, description.clone()),
            Self::NotFound(d) => ("not_found", d.clone()),
            Self::Conflict(d) => ("conflict", d.clone()),
            Self::BadGateway(d) => ("upstream_unavailable", d.clone()),
            Self::Internal(_) => (
                "internal_error",
                "Something went wrong on our side.".to_owned(),
            ),
        };
        if let Self::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let mut response = (
            status,
            Json(ApiError {
                error: code.to_owned(),
                error_description: description.clone(),
            }),
        )
            .into_response();
        if let Self::Unauthorized { error, .. } = &self {
            let challenge = if error.is_empty() {
                "Bearer".to_owned()
            } else {
                format!(
                    "Bearer error={}, error_description={}",
                    quoted(error),
                    quoted(&description)
                )
            };
            if let Ok(v) = HeaderValue::from_str(&challenge) {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unauthorized_carries_an_rfc6750_challenge() {
        let r = AppError::invalid_token("the token has expired").into_response();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let h = r.headers()[header::WWW_AUTHENTICATE].to_str().unwrap();
        assert_eq!(
            h,
            "Bearer error=\"invalid_token\", error_description=\"the token has expired\""
        );
    }

    #[test]
    fn challenge_quoting_cannot_break_out_of_the_header() {
        let r = AppError::invalid_token("bad \"x\"\r\nSet-Cookie: a=b").into_response();
        let h = r.headers()[header::WWW_AUTHENTICATE].to_str().unwrap();
        assert!(!h.contains('\n'));
        assert!(h.ends_with("'x'Set-Cookie: a=b\""), "{h}");
    }

    #[test]
    fn not_found_and_conflict_have_their_status_and_code() {
        let r = AppError::NotFound("no such task".to_owned()).into_response();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = AppError::Conflict("change it at the source".to_owned()).into_response();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert!(r.headers().get(header::WWW_AUTHENTICATE).is_none());
    }

    #[test]
    fn internal_errors_hide_details_from_the_body() {
        let r = AppError::Internal("db path /secret".to_owned()).into_response();
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
