//! The demo authorization server's one public client: MCP clients on this computer,
//! which run the full OAuth flow for the MCP server themselves (pure rules).
//!
//! - client id [`DESKTOP_MCP_CLIENT_ID`], no secret (`token_endpoint_auth_method`
//!   `none`), so PKCE S256 is what binds the code to the client;
//! - redirect URIs on the loopback interface with any port (RFC 8252 §7.3: a native
//!   app listens on a port it picks at run time), `http` only, no fragment;
//! - `resource` is the MCP server's (the default when absent), never the API's or a
//!   source's: the token it gets is accepted at `/mcp` and nowhere else;
//! - scopes: the MCP scopes only ([`MCP_SCOPES`], all of them by default);
//! - it may redeem codes, never exchange tokens.

use axum::http::{header, HeaderMap};

use super::client_auth::AuthenticatedClient;
use super::oauth_error::OAuthError;
use super::params::Params;
use super::settings::MCP_SCOPES;

/// The client id MCP clients use with the demo authorization server.
pub const DESKTOP_MCP_CLIENT_ID: &str = "pmt-mcp-desktop";

/// How the consent page names it.
pub(super) const DESKTOP_MCP_CLIENT_NAME: &str = "An MCP client on this computer";

/// Who is asking at the authorization endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ClientKind {
    /// The backend (confidential), signing the dashboard in.
    Backend,
    /// A desktop MCP client (public).
    McpDesktop,
}

/// The public client at the token endpoint (pure): a request that names
/// [`DESKTOP_MCP_CLIENT_ID`] and carries no client credentials at all
/// (`token_endpoint_auth_method` `none`). `None` for anything else, which then goes
/// through [`super::client_auth::authenticate`].
///
/// # Errors
/// `invalid_request` for a repeated `client_id`.
pub(super) fn public_client(
    headers: &HeaderMap,
    params: &Params,
) -> Result<Option<AuthenticatedClient>, OAuthError> {
    let credentials =
        headers.contains_key(header::AUTHORIZATION) || params.single("client_secret")?.is_some();
    Ok(match params.single("client_id")? {
        Some(DESKTOP_MCP_CLIENT_ID) if !credentials => Some(AuthenticatedClient {
            client_id: DESKTOP_MCP_CLIENT_ID.to_owned(),
        }),
        _ => None,
    })
}

/// Whether a redirect URI is an RFC 8252 loopback redirect: `http`, host `127.0.0.1`,
/// `[::1]` or `localhost`, any port, no credentials or fragment.
pub(super) fn is_loopback_redirect(uri: &str) -> bool {
    let Ok(url) = url::Url::parse(uri) else {
        return false;
    };
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name == "localhost",
        None => false,
    };
    url.scheme() == "http"
        && loopback
        && url.username().is_empty()
        && url.password().is_none()
        && url.fragment().is_none()
}

/// The scopes to grant an MCP client (pure): the requested ones, each an MCP scope, or
/// all of them when none are asked for.
///
/// # Errors
/// `invalid_scope` for any other scope.
pub(super) fn granted_scopes(requested: Option<&str>) -> Result<Vec<String>, OAuthError> {
    let mut scopes: Vec<String> = Vec::new();
    for scope in requested.unwrap_or_default().split_ascii_whitespace() {
        if !MCP_SCOPES.contains(&scope) {
            return Err(OAuthError::invalid_scope(format!(
                "an MCP client may ask only for: {}",
                MCP_SCOPES.join(" ")
            )));
        }
        if !scopes.iter().any(|s| s == scope) {
            scopes.push(scope.to_owned());
        }
    }
    if scopes.is_empty() {
        scopes = MCP_SCOPES.iter().map(|s| (*s).to_owned()).collect();
    }
    Ok(scopes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirects_on_any_port_are_accepted() {
        for ok in [
            "http://127.0.0.1:53682/callback",
            "http://127.0.0.1/cb",
            "http://localhost:9000/oauth/callback?x=1",
            "http://[::1]:4000/",
        ] {
            assert!(is_loopback_redirect(ok), "{ok}");
        }
    }

    #[test]
    fn other_redirects_are_refused() {
        for bad in [
            "https://127.0.0.1:53682/callback",
            "http://evil.example/cb",
            "http://127.0.0.1.evil.example/cb",
            "http://localhost.evil.example/cb",
            "http://user:pw@127.0.0.1:1/cb",
            "http://127.0.0.1:1/cb#frag",
            "myapp://callback",
            "not a url",
        ] {
            assert!(!is_loopback_redirect(bad), "{bad}");
        }
    }

    #[test]
    fn an_mcp_client_gets_mcp_scopes_only() {
        assert_eq!(
            granted_scopes(None).expect("default"),
            ["plan.read", "plan.write"]
        );
        assert_eq!(
            granted_scopes(Some("plan.read plan.read")).expect("read"),
            ["plan.read"]
        );
        for bad in ["openid", "plan.read gmail.read", "plan.admin"] {
            assert!(granted_scopes(Some(bad)).is_err(), "{bad}");
        }
    }
}
