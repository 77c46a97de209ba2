//! Endpoint paths under the issuer, the discovery document (RFC 8414) and the JWKS.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use super::{AsState, DemoAsError, DemoAsSettings};

/// The RFC 8693 grant type.
pub(super) const TOKEN_EXCHANGE_GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";

/// Every route's path, derived from the issuer's path (`/as` in demo mode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Paths {
    /// RFC 8414 §3: `/.well-known/oauth-authorization-server` + issuer path.
    pub(super) oauth_metadata: String,
    /// OpenID Connect Discovery: issuer path + `/.well-known/openid-configuration`.
    pub(super) openid_metadata: String,
    /// Authorization endpoint.
    pub(super) authorize: String,
    /// Where the consent form posts.
    pub(super) consent: String,
    /// Token endpoint.
    pub(super) token: String,
    /// JWKS.
    pub(super) jwks: String,
    /// The pages' stylesheet.
    pub(super) stylesheet: String,
    /// The user's grants page.
    pub(super) grants: String,
}

impl Paths {
    /// Derives the paths from the issuer URL.
    ///
    /// # Errors
    /// [`DemoAsError::Settings`] unless the issuer is an absolute http(s) URL without
    /// query or fragment (RFC 8414 §2).
    pub(super) fn for_issuer(issuer: &str) -> Result<Self, DemoAsError> {
        let url = url::Url::parse(issuer)
            .map_err(|e| DemoAsError::Settings(format!("issuer is not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https")
            || url.query().is_some()
            || url.fragment().is_some()
        {
            return Err(DemoAsError::Settings(
                "issuer must be an http(s) URL without query or fragment".to_owned(),
            ));
        }
        let base = url.path().trim_end_matches('/');
        Ok(Self {
            oauth_metadata: format!("/.well-known/oauth-authorization-server{base}"),
            openid_metadata: format!("{base}/.well-known/openid-configuration"),
            authorize: format!("{base}/authorize"),
            consent: format!("{base}/consent"),
            token: format!("{base}/token"),
            jwks: format!("{base}/jwks.json"),
            stylesheet: format!("{base}/consent.css"),
            grants: format!("{base}/grants"),
        })
    }
}

/// The authorization server metadata document.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Metadata {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
    response_types_supported: [&'static str; 1],
    response_modes_supported: [&'static str; 1],
    grant_types_supported: [&'static str; 2],
    code_challenge_methods_supported: [&'static str; 1],
    token_endpoint_auth_methods_supported: [&'static str; 3],
    authorization_response_iss_parameter_supported: bool,
    scopes_supported: Vec<String>,
    subject_types_supported: [&'static str; 1],
}

/// The metadata for these settings (pure).
pub(super) fn metadata(settings: &DemoAsSettings) -> Metadata {
    let issuer = settings.issuer.trim_end_matches('/');
    Metadata {
        issuer: settings.issuer.clone(),
        authorization_endpoint: format!("{issuer}/authorize"),
        token_endpoint: format!("{issuer}/token"),
        jwks_uri: format!("{issuer}/jwks.json"),
        response_types_supported: ["code"],
        response_modes_supported: ["query"],
        grant_types_supported: ["authorization_code", TOKEN_EXCHANGE_GRANT],
        code_challenge_methods_supported: ["S256"],
        // `none`: desktop MCP clients (public, PKCE only; see `mcp_client`).
        token_endpoint_auth_methods_supported: [
            "client_secret_basic",
            "client_secret_post",
            "none",
        ],
        authorization_response_iss_parameter_supported: true,
        scopes_supported: settings.all_scopes(),
        subject_types_supported: ["public"],
    }
}

/// `GET` either discovery path.
pub(super) async fn get_metadata(State(state): State<Arc<AsState>>) -> Response {
    cacheable(Json(metadata(&state.settings)).into_response())
}

/// `GET {issuer}/jwks.json`.
pub(super) async fn get_jwks(State(state): State<Arc<AsState>>) -> Response {
    cacheable(Json(state.key.jwks()).into_response())
}

/// Public documents may be cached briefly; the key only changes if its file is deleted.
fn cacheable(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_the_issuer_path() {
        let p = Paths::for_issuer("http://127.0.0.1:8080/as").expect("paths");
        assert_eq!(
            p.oauth_metadata,
            "/.well-known/oauth-authorization-server/as"
        );
        assert_eq!(p.openid_metadata, "/as/.well-known/openid-configuration");
        assert_eq!(p.authorize, "/as/authorize");
        assert_eq!(p.token, "/as/token");
        assert_eq!(p.jwks, "/as/jwks.json");
    }

    #[test]
    fn issuers_with_a_query_are_refused() {
        assert!(Paths::for_issuer("http://127.0.0.1:8080/as?x=1").is_err());
        assert!(Paths::for_issuer("urn:pmt:as").is_err());
    }
}
