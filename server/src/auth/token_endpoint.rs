//! The token endpoint, called as a confidential client (RFC 6749 §2.3.1, §5).
//!
//! Code redemption and token exchange both POST a form here with the backend's client
//! credentials and read either a token response or an OAuth error. The client secret
//! goes only into the `Authorization` header (marked sensitive) or, for servers that
//! offer only `client_secret_post`, into the form body; the issued token is held in a
//! type whose `Debug` is redacted.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION};
use serde::Deserialize;

use super::discovery::ClientAuthMethod;
use super::upstream::{self, UpstreamError};
use crate::secret::ClientSecret;

/// Who the backend is at the token endpoint and how it proves it.
pub(crate) struct ClientCredentials<'a> {
    pub(crate) client_id: &'a str,
    pub(crate) secret: &'a ClientSecret,
    pub(crate) method: ClientAuthMethod,
}

/// A successful token response; `Debug` never shows the token.
pub(crate) struct TokenResponse {
    pub(crate) access_token: String,
    pub(crate) expires_in: Option<i64>,
    pub(crate) scope: Option<String>,
    pub(crate) issued_token_type: Option<String>,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"[redacted]")
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .field("issued_token_type", &self.issued_token_type)
            .finish()
    }
}

/// Why the token endpoint gave no usable token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokenEndpointError {
    /// No answer.
    Unreachable,
    /// An answer too large to read.
    TooLarge,
    /// An OAuth error response (RFC 6749 §5.2), sanitized.
    Rejected {
        status: u16,
        error: String,
        description: Option<String>,
    },
    /// A server error without an OAuth error body.
    ServerError(u16),
    /// A 200 that is not a usable bearer-token response; names what was wrong.
    InvalidResponse(&'static str),
}

impl From<UpstreamError> for TokenEndpointError {
    fn from(e: UpstreamError) -> Self {
        match e {
            UpstreamError::Unreachable => Self::Unreachable,
            UpstreamError::TooLarge => Self::TooLarge,
        }
    }
}

/// The `Authorization: Basic` value of RFC 6749 §2.3.1: id and secret are each
/// form-urlencoded before joining and base64-encoding (plain HTTP Basic would not).
fn basic_authorization(client_id: &str, secret: &ClientSecret) -> Option<HeaderValue> {
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let pair = format!("{}:{}", encode(client_id), encode(secret.expose()));
    let mut value = HeaderValue::from_str(&format!("Basic {}", STANDARD.encode(pair))).ok()?;
    value.set_sensitive(true);
    Some(value)
}

#[derive(Deserialize)]
struct RawSuccess {
    access_token: Option<String>,
    token_type: Option<String>,
    expires_in: Option<serde_json::Value>,
    scope: Option<String>,
    issued_token_type: Option<String>,
}

#[derive(Deserialize)]
struct RawError {
    error: Option<String>,
    error_description: Option<String>,
}

/// POSTs `form` with client authentication and reads a bearer-token response.
pub(crate) async fn request_token(
    http: &reqwest::Client,
    endpoint: &str,
    client: &ClientCredentials<'_>,
    form: &[(&str, &str)],
) -> Result<TokenResponse, TokenEndpointError> {
    let mut fields: Vec<(&str, &str)> = form.to_vec();
    let mut request = http.post(endpoint).header(ACCEPT, "application/json");
    match client.method {
        ClientAuthMethod::Basic => {
            let value = basic_authorization(client.client_id, client.secret)
                .ok_or(TokenEndpointError::InvalidResponse("client credentials"))?;
            request = request.header(AUTHORIZATION, value);
        }
        ClientAuthMethod::Post => {
            fields.push(("client_id", client.client_id));
            fields.push(("client_secret", client.secret.expose()));
        }
    }
    let (status, body) = upstream::send(request.form(&fields)).await?;
    if status.is_success() {
        parse_success(&body)
    } else {
        Err(parse_error(status.as_u16(), &body))
    }
}

fn parse_success(body: &[u8]) -> Result<TokenResponse, TokenEndpointError> {
    let raw: RawSuccess = serde_json::from_slice(body)
        .map_err(|_| TokenEndpointError::InvalidResponse("body is not a JSON token response"))?;
    let access_token = raw
        .access_token
        .filter(|t| !t.is_empty())
        .ok_or(TokenEndpointError::InvalidResponse("no access_token"))?;
    if !raw
        .token_type
        .is_some_and(|t| t.eq_ignore_ascii_case("bearer"))
    {
        return Err(TokenEndpointError::InvalidResponse(
            "token_type is not Bearer",
        ));
    }
    let expires_in = match raw.expires_in {
        None => None,
        Some(serde_json::Value::Number(n)) => n.as_i64(),
        // Some servers send it as a string; accept digits only.
        Some(serde_json::Value::String(s)) => s.parse().ok(),
        Some(_) => None,
    };
    Ok(TokenResponse {
        access_token,
        expires_in,
        scope: raw.scope,
        issued_token_type: raw.issued_token_type,
    })
}

fn parse_error(status: u16, body: &[u8]) -> TokenEndpointError {
    match serde_json::from_slice::<RawError>(body) {
        Ok(RawError {
            error: Some(error),
            error_description,
        }) => TokenEndpointError::Rejected {
            status,
            error: clean(&error, 64),
            description: error_description.map(|d| clean(&d, 300)),
        },
        _ if status >= 500 => TokenEndpointError::ServerError(status),
        _ => TokenEndpointError::InvalidResponse("error response without an OAuth error code"),
    }
}

/// Printable ASCII only, bounded: upstream text ends up in logs and error messages.
pub(crate) fn clean(text: &str, max: usize) -> String {
    text.chars()
        .filter(|c| c.is_ascii() && !c.is_ascii_control())
        .take(max)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_urlencoded_before_base64() {
        let value =
            basic_authorization("pmt tmb", &ClientSecret::new("a:b+c/d%")).expect("header value");
        assert!(value.is_sensitive());
        let encoded = value
            .to_str()
            .expect("ascii")
            .strip_prefix("Basic ")
            .expect("Basic scheme");
        let decoded = String::from_utf8(STANDARD.decode(encoded).expect("base64")).expect("utf8");
        assert_eq!(decoded, "pmt+tmb:a%3Ab%2Bc%2Fd%25");
    }

    #[test]
    fn a_dpop_or_unnamed_token_type_is_not_accepted_as_bearer() {
        let body = br#"{"access_token":"x","token_type":"DPoP"}"#;
        assert!(matches!(
            parse_success(body),
            Err(TokenEndpointError::InvalidResponse(_))
        ));
        let body = br#"{"access_token":"x"}"#;
        assert!(parse_success(body).is_err());
    }

    #[test]
    fn token_response_debug_is_redacted() {
        let r = parse_success(
            br#"{"access_token":"eyJsecret","token_type":"bearer","expires_in":"300"}"#,
        )
        .expect("response");
        assert_eq!(r.expires_in, Some(300));
        assert!(!format!("{r:?}").contains("eyJsecret"));
    }

    #[test]
    fn oauth_errors_are_kept_and_sanitized() {
        let e = parse_error(
            400,
            b"{\"error\":\"invalid_grant\",\"error_description\":\"used\\r\\ncode\"}",
        );
        assert_eq!(
            e,
            TokenEndpointError::Rejected {
                status: 400,
                error: "invalid_grant".to_owned(),
                description: Some("usedcode".to_owned()),
            }
        );
        assert_eq!(
            parse_error(503, b"<html>"),
            TokenEndpointError::ServerError(503)
        );
    }
}
