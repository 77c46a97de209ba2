//! The token endpoint: client authentication, then the authorization code grant here
//! and RFC 8693 token exchange in [`super::exchange`].
//!
//! Desktop MCP clients are public ([`super::mcp_client`]): they redeem codes with PKCE
//! and no secret, for an MCP-audience token, and may not exchange tokens.
//!
//! A code is spent by its first presentation from the authenticated client, whatever
//! the outcome, so a wrong verifier cannot be retried. A second redemption is refused
//! with `invalid_grant`; the tokens the first one issued cannot be revoked because they
//! are stateless JWTs (see [`super::access_token`]), so they simply expire.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use super::access_token::{AccessTokenClaims, TokenSpec};
use super::authorize::CodeGrant;
use super::client_auth::{authenticate, AuthenticatedClient};
use super::exchange;
use super::mcp_client::{public_client, DESKTOP_MCP_CLIENT_ID};
use super::metadata::TOKEN_EXCHANGE_GRANT;
use super::oauth_error::{no_store, ErrorCode, OAuthError};
use super::params::Params;
use super::pkce::{CodeVerifier, PkceError};
use super::store::TakeError;
use super::{now, AsState, MCP_TOKEN_LIFETIME_SECS, SESSION_TOKEN_LIFETIME_SECS};

/// A successful token response (RFC 6749 §5.1, RFC 8693 §2.2.1).
#[derive(Clone, Serialize)]
pub(super) struct TokenResponse {
    /// The signed JWT.
    pub(super) access_token: String,
    /// RFC 8693 only: what kind of token was issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) issued_token_type: Option<&'static str>,
    /// Always `Bearer`.
    pub(super) token_type: &'static str,
    /// Seconds until the token expires.
    pub(super) expires_in: i64,
    /// The granted scopes, space-separated.
    pub(super) scope: String,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"[redacted]")
            .field("issued_token_type", &self.issued_token_type)
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .finish()
    }
}

impl IntoResponse for TokenResponse {
    fn into_response(self) -> Response {
        let mut response = Json(self).into_response();
        no_store(&mut response);
        response
    }
}

/// `POST {issuer}/token`.
pub(super) async fn post_token(
    State(state): State<Arc<AsState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let latency = state.exchange_latency();
    if !latency.is_zero()
        && Params::parse(&body)
            .single("grant_type")
            .is_ok_and(|g| g == Some(TOKEN_EXCHANGE_GRANT))
    {
        tokio::time::sleep(latency).await;
    }
    match token(&state, &headers, &body, now()) {
        Ok(response) => response.into_response(),
        Err(error) => {
            tracing::info!(error = error.code.as_str(), description = %error.description, "token request refused");
            error.into_response()
        }
    }
}

fn token(
    state: &AsState,
    headers: &HeaderMap,
    body: &[u8],
    now: i64,
) -> Result<TokenResponse, OAuthError> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !is_form {
        return Err(OAuthError::invalid_request(
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    let params = Params::parse(body);
    let client = match public_client(headers, &params)? {
        Some(public) => public,
        None => authenticate(headers, &params, &state.settings)?,
    };
    match params.single("grant_type")? {
        None => Err(OAuthError::missing("grant_type")),
        Some("authorization_code") => redeem_code(state, &client, &params, now),
        Some(TOKEN_EXCHANGE_GRANT) if client.client_id == DESKTOP_MCP_CLIENT_ID => {
            Err(OAuthError::new(
                ErrorCode::UnauthorizedClient,
                "a public client cannot exchange tokens",
            ))
        }
        Some(TOKEN_EXCHANGE_GRANT) => exchange::exchange(state, &client, &params, now),
        Some(_) => Err(OAuthError::new(
            ErrorCode::UnsupportedGrantType,
            "supported grant types: authorization_code and token exchange",
        )),
    }
}

/// What the client presented with a code.
#[derive(Debug)]
struct Redemption<'a> {
    client: &'a AuthenticatedClient,
    redirect_uri: &'a str,
    verifier: CodeVerifier,
    resource: Option<&'a str>,
}

/// Checks a code's binding against what its redeemer presented (pure).
fn check_redemption(grant: &CodeGrant, r: &Redemption<'_>) -> Result<(), OAuthError> {
    if grant.client_id != r.client.client_id {
        return Err(OAuthError::invalid_grant(
            "the code was issued to another client",
        ));
    }
    if grant.redirect_uri != r.redirect_uri {
        return Err(OAuthError::invalid_grant(
            "redirect_uri does not match the authorization request",
        ));
    }
    if !grant.challenge.is_satisfied_by(&r.verifier) {
        return Err(OAuthError::invalid_grant(
            "code_verifier does not match the code_challenge",
        ));
    }
    if r.resource.is_some_and(|res| res != grant.resource) {
        return Err(OAuthError::invalid_target(
            "resource does not match the authorization request",
        ));
    }
    Ok(())
}

fn redeem_code(
    state: &AsState,
    client: &AuthenticatedClient,
    params: &Params,
    now: i64,
) -> Result<TokenResponse, OAuthError> {
    let code = params
        .single("code")?
        .ok_or_else(|| OAuthError::missing("code"))?;
    let redirect_uri = params
        .single("redirect_uri")?
        .ok_or_else(|| OAuthError::missing("redirect_uri"))?;
    let verifier = params
        .single("code_verifier")?
        .ok_or_else(|| OAuthError::missing("code_verifier"))?;
    let verifier = CodeVerifier::parse(verifier)
        .map_err(|e: PkceError| OAuthError::invalid_request(e.to_string()))?;
    let resource = match params.all("resource").as_slice() {
        [] => None,
        [one] => Some(*one),
        _ => {
            return Err(OAuthError::invalid_target(
                "only one resource may be requested",
            ))
        }
    };
    let grant = match state.codes.take(code, now) {
        Ok(grant) => grant,
        Err(TakeError::AlreadyUsed) => {
            tracing::warn!(client_id = %client.client_id, "an authorization code was presented twice");
            return Err(OAuthError::invalid_grant(
                "the authorization code was already used",
            ));
        }
        Err(TakeError::Expired | TakeError::Unknown) => {
            return Err(OAuthError::invalid_grant(
                "the authorization code is invalid or expired",
            ))
        }
    };
    check_redemption(
        &grant,
        &Redemption {
            client,
            redirect_uri,
            verifier,
            resource,
        },
    )?;
    let settings = &state.settings;
    // An MCP client's token lives as long as the one `POST /api/mcp/token` hands out,
    // and names the user the same way, so the activity trail labels both alike.
    let for_mcp = grant.resource == settings.mcp_resource;
    let lifetime_secs = if for_mcp {
        MCP_TOKEN_LIFETIME_SECS
    } else {
        SESSION_TOKEN_LIFETIME_SECS
    };
    let mut claims = AccessTokenClaims::new(
        &TokenSpec {
            issuer: &settings.issuer,
            subject: &grant.subject,
            audience: &grant.resource,
            client_id: &client.client_id,
            scopes: &grant.scopes,
            lifetime_secs,
        },
        now,
    );
    if grant.subject == settings.user.sub {
        let has = |s: &str| for_mcp || grant.scopes.iter().any(|g| g == s);
        claims.name = has("profile").then(|| settings.user.name.clone());
        claims.email = has("email").then(|| settings.user.email.clone());
    }
    let access_token = sign(state, &claims)?;
    tracing::info!(client_id = %client.client_id, scope = %claims.scope, "issued an access token for a code");
    Ok(TokenResponse {
        access_token,
        issued_token_type: None,
        token_type: "Bearer",
        expires_in: lifetime_secs,
        scope: claims.scope,
    })
}

/// Signs claims, hiding signer errors behind `server_error`.
pub(super) fn sign(state: &AsState, claims: &AccessTokenClaims) -> Result<String, OAuthError> {
    state.key.sign(claims).map_err(|e| {
        tracing::error!(error = %e, "signing an access token failed");
        OAuthError::new(ErrorCode::ServerError, "the token could not be signed")
    })
}

#[cfg(test)]
mod tests {
    use super::super::pkce::CodeChallenge;
    use super::*;

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn grant() -> CodeGrant {
        CodeGrant {
            client_id: "pmt-tmb".to_owned(),
            redirect_uri: "http://127.0.0.1:1/callback".to_owned(),
            challenge: CodeChallenge::parse(CHALLENGE).expect("challenge"),
            resource: "urn:pmt:api".to_owned(),
            scopes: vec!["openid".to_owned()],
            subject: "demo-user".to_owned(),
        }
    }

    fn check(
        client: &str,
        redirect: &str,
        verifier: &str,
        resource: Option<&str>,
    ) -> Result<(), OAuthError> {
        let client = AuthenticatedClient {
            client_id: client.to_owned(),
        };
        check_redemption(
            &grant(),
            &Redemption {
                client: &client,
                redirect_uri: redirect,
                verifier: CodeVerifier::parse(verifier).expect("verifier"),
                resource,
            },
        )
    }

    #[test]
    fn the_bound_client_redirect_and_verifier_redeem() {
        assert!(check(
            "pmt-tmb",
            "http://127.0.0.1:1/callback",
            VERIFIER,
            Some("urn:pmt:api")
        )
        .is_ok());
    }

    #[test]
    fn a_wrong_verifier_is_invalid_grant() {
        let e = check(
            "pmt-tmb",
            "http://127.0.0.1:1/callback",
            &"x".repeat(43),
            None,
        );
        assert_eq!(e.expect_err("refused").code, ErrorCode::InvalidGrant);
    }

    #[test]
    fn another_redirect_uri_or_client_is_invalid_grant() {
        for (client, redirect) in [
            ("pmt-tmb", "http://127.0.0.1:1/callback/"),
            ("other", "http://127.0.0.1:1/callback"),
        ] {
            let e = check(client, redirect, VERIFIER, None);
            assert_eq!(e.expect_err("refused").code, ErrorCode::InvalidGrant);
        }
    }

    #[test]
    fn another_resource_is_invalid_target() {
        let e = check(
            "pmt-tmb",
            "http://127.0.0.1:1/callback",
            VERIFIER,
            Some("urn:pmt:gmail"),
        );
        assert_eq!(e.expect_err("refused").code, ErrorCode::InvalidTarget);
    }
}
