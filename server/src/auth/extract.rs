//! [`AuthUser`]: the only way a handler learns who is calling.
//!
//! RFC 6750: a request without credentials gets `401` and a bare `WWW-Authenticate:
//! Bearer` challenge (no error code, §3.1); a malformed `Authorization` header gets
//! `invalid_request`; a token that fails validation gets `invalid_token` with a plain
//! description. No response ever contains the token.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::HeaderMap;

use super::validate::Claims;
use crate::error::AppError;
use crate::secret::BearerToken;
use crate::AppState;

/// A caller whose bearer token passed validation for this backend's audience.
#[derive(Debug, Clone)]
pub struct AuthUser {
    /// The validated claims.
    pub claims: Claims,
    /// The token itself (redacted `Debug`), e.g. as the subject of a token exchange.
    pub token: BearerToken,
}

/// What the `Authorization` header holds.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Credentials<'a> {
    /// No `Authorization` header.
    None,
    /// A syntactically valid bearer token (RFC 6750 §2.1 `b64token`).
    Bearer(&'a str),
    /// Anything else: another scheme, several headers, bad characters.
    Malformed(&'static str),
}

/// Reads the bearer token from the headers (pure).
pub(crate) fn bearer_credentials(headers: &HeaderMap) -> Credentials<'_> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Credentials::None;
    };
    if values.next().is_some() {
        return Credentials::Malformed("Send exactly one Authorization header.");
    }
    let Ok(value) = value.to_str() else {
        return Credentials::Malformed("The Authorization header is not valid text.");
    };
    let Some((scheme, rest)) = value.split_once(' ') else {
        return Credentials::Malformed("The Authorization header must use the Bearer scheme.");
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Credentials::Malformed("The Authorization header must use the Bearer scheme.");
    }
    let token = rest.trim_start_matches(' ');
    if is_b64token(token) {
        Credentials::Bearer(token)
    } else {
        Credentials::Malformed("The bearer token is missing or has invalid characters.")
    }
}

/// RFC 6750 §2.1: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_b64token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = match bearer_credentials(&parts.headers) {
            Credentials::None => {
                return Err(AppError::Unauthorized {
                    error: "",
                    description: "Sign in to use this service.".to_owned(),
                })
            }
            Credentials::Malformed(why) => {
                return Err(AppError::Unauthorized {
                    error: "invalid_request",
                    description: why.to_owned(),
                })
            }
            Credentials::Bearer(token) => token,
        };
        let claims = state.auth.validate_bearer(token).await?;
        Ok(AuthUser {
            claims,
            token: BearerToken::new(token),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(values: &[&'static str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(AUTHORIZATION, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        assert_eq!(
            bearer_credentials(&headers(&["bearer abc.def.ghi"])),
            Credentials::Bearer("abc.def.ghi")
        );
        assert_eq!(
            bearer_credentials(&headers(&["Bearer  a+b/c=="])),
            Credentials::Bearer("a+b/c==")
        );
    }

    #[test]
    fn other_schemes_and_malformed_values_are_invalid_requests() {
        for v in [
            "Basic xyz",
            "Bearer",
            "Bearer ",
            "Bearer a b",
            "Bearer a\"b",
            "Bearer ==",
            "token",
        ] {
            assert!(
                matches!(
                    bearer_credentials(&headers(&[v])),
                    Credentials::Malformed(_)
                ),
                "{v}"
            );
        }
        assert!(matches!(
            bearer_credentials(&headers(&["Bearer a", "Bearer b"])),
            Credentials::Malformed(_)
        ));
        assert_eq!(bearer_credentials(&HeaderMap::new()), Credentials::None);
    }
}
