//! The refusals of `/mcp` (pure): status, `WWW-Authenticate` challenge and JSON body.
//!
//! Per the MCP authorization spec and RFC 6750 §3: 401 for a missing or unacceptable
//! token, 403 `insufficient_scope` for a token without the scopes the request needs;
//! every challenge carries `resource_metadata` (RFC 9728 §5.1), the pointer a client
//! follows to find the authorization server, and the `scope` that would do. When a
//! token was sent, `error` says what was wrong with it. No challenge echoes the token.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use pmt_wire::ApiError;

/// Why `/mcp` refused a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No `Authorization` header: 401 with the bare challenge (RFC 6750 §3.1).
    NoToken,
    /// The header is not one bearer token: 401 `invalid_request`.
    MalformedHeader(&'static str),
    /// The token is not valid for this resource: 401 `invalid_token`.
    InvalidToken(String),
    /// The token lacks scopes: 403 `insufficient_scope`, naming the ones needed.
    InsufficientScope {
        /// The scopes the request needs (space-separated).
        needed: String,
    },
}

/// Everything a challenge is built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge<'a> {
    /// The RFC 9728 metadata URL.
    pub resource_metadata: &'a str,
    /// The scopes to ask for when nothing more specific is known.
    pub scope: &'a str,
}

impl Refusal {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::InsufficientScope { .. } => StatusCode::FORBIDDEN,
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    /// The RFC 6750 error code (`None` when no token was sent).
    pub fn error_code(&self) -> Option<&'static str> {
        match self {
            Self::NoToken => None,
            Self::MalformedHeader(_) => Some("invalid_request"),
            Self::InvalidToken(_) => Some("invalid_token"),
            Self::InsufficientScope { .. } => Some("insufficient_scope"),
        }
    }

    /// What was wrong, in words (never the token).
    pub fn description(&self) -> String {
        match self {
            Self::NoToken => "This MCP server needs an access token issued for it.".to_owned(),
            Self::MalformedHeader(why) => (*why).to_owned(),
            Self::InvalidToken(why) => why.clone(),
            Self::InsufficientScope { needed } => {
                format!("This request needs the scopes: {needed}.")
            }
        }
    }

    /// The `WWW-Authenticate` value.
    pub fn www_authenticate(&self, challenge: &Challenge<'_>) -> String {
        let scope = match self {
            Self::InsufficientScope { needed } => needed.as_str(),
            _ => challenge.scope,
        };
        let mut value = format!(
            "Bearer resource_metadata={}, scope={}",
            quoted(challenge.resource_metadata),
            quoted(scope)
        );
        if let Some(code) = self.error_code() {
            value.push_str(&format!(
                ", error={}, error_description={}",
                quoted(code),
                quoted(&self.description())
            ));
        }
        value
    }

    /// The whole response: status, challenge, `Cache-Control: no-store`, JSON body.
    pub fn into_response(self, challenge: &Challenge<'_>) -> Response {
        let body = ApiError {
            error: self.error_code().unwrap_or("unauthorized").to_owned(),
            error_description: self.description(),
        };
        let mut response = (self.status(), Json(body)).into_response();
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&self.www_authenticate(challenge)) {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

/// An RFC 7235 quoted-string of printable ASCII (other characters dropped, quotes and
/// backslashes turned into apostrophes).
fn quoted(value: &str) -> String {
    let inner: String = value
        .chars()
        .filter(|c| c.is_ascii() && !c.is_ascii_control())
        .map(|c| if matches!(c, '"' | '\\') { '\'' } else { c })
        .collect();
    format!("\"{inner}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    const META: &str = "http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp";

    fn challenge() -> Challenge<'static> {
        Challenge {
            resource_metadata: META,
            scope: "plan.read plan.write",
        }
    }

    #[test]
    fn no_token_gets_the_bare_challenge_with_the_metadata_pointer() {
        assert_eq!(
            Refusal::NoToken.www_authenticate(&challenge()),
            format!("Bearer resource_metadata=\"{META}\", scope=\"plan.read plan.write\"")
        );
        assert_eq!(Refusal::NoToken.status(), StatusCode::UNAUTHORIZED);
    }

    #[test]
    fn a_bad_token_says_invalid_token_and_quotes_safely() {
        let value = Refusal::InvalidToken("the \"token\" was not issued for this service".into())
            .www_authenticate(&challenge());
        assert!(value.starts_with(&format!("Bearer resource_metadata=\"{META}\"")));
        assert!(value.contains(
            "error=\"invalid_token\", error_description=\"the 'token' was not issued for this service\""
        ));
    }

    #[test]
    fn missing_scopes_are_403_naming_the_needed_ones() {
        let refusal = Refusal::InsufficientScope {
            needed: "plan.read plan.write".into(),
        };
        assert_eq!(refusal.status(), StatusCode::FORBIDDEN);
        let value = refusal.www_authenticate(&Challenge {
            resource_metadata: META,
            scope: "plan.read",
        });
        assert!(value.contains("scope=\"plan.read plan.write\""), "{value}");
        assert!(value.contains("error=\"insufficient_scope\""), "{value}");
    }
}
