//! MCP access tokens for local clients: what `POST /api/mcp/token` hands out in demo
//! mode, so a desktop MCP client can be configured with a pasted bearer token.
//!
//! The token is an ordinary access token of this server (`at+jwt`, ES256, our `kid`)
//! whose audience is the MCP server's resource: `/mcp` accepts it, `/api` does not,
//! and token exchange takes it as a subject only from the backend (see
//! [`super::exchange`]). It is issued to [`LOCAL_MCP_CLIENT_ID`] with the
//! [`MCP_SCOPES`], for [`MCP_TOKEN_LIFETIME_SECS`].

use super::access_token::{AccessTokenClaims, TokenSpec};
use super::settings::{LOCAL_MCP_CLIENT_ID, MCP_SCOPES, MCP_TOKEN_LIFETIME_SECS};
use super::{AsState, DemoAsError};
use crate::secret::BearerToken;

/// An issued MCP token and how long it lives.
#[derive(Debug, Clone)]
pub struct IssuedMcpToken {
    /// The signed JWT (redacted `Debug`).
    pub access_token: BearerToken,
    /// Seconds until it expires.
    pub expires_in: i64,
    /// The client id it was issued to.
    pub client_id: &'static str,
}

/// Signs an MCP token for `subject` at `now`. The demo user's token carries her name
/// and email, as her session token does, so the activity trail labels both alike.
pub(super) fn issue(
    state: &AsState,
    subject: &str,
    now: i64,
) -> Result<IssuedMcpToken, DemoAsError> {
    let settings = &state.settings;
    let scopes: Vec<String> = MCP_SCOPES.iter().map(|s| (*s).to_owned()).collect();
    let mut claims = AccessTokenClaims::new(
        &TokenSpec {
            issuer: &settings.issuer,
            subject,
            audience: &settings.mcp_resource,
            client_id: LOCAL_MCP_CLIENT_ID,
            scopes: &scopes,
            lifetime_secs: MCP_TOKEN_LIFETIME_SECS,
        },
        now,
    );
    if subject == settings.user.sub {
        claims.name = Some(settings.user.name.clone());
        claims.email = Some(settings.user.email.clone());
    }
    let token = state
        .key
        .sign(&claims)
        .map_err(|e| DemoAsError::KeyUse(e.to_string()))?;
    tracing::info!(client_id = LOCAL_MCP_CLIENT_ID, "issued an MCP token");
    Ok(IssuedMcpToken {
        access_token: BearerToken::new(token),
        expires_in: MCP_TOKEN_LIFETIME_SECS,
        client_id: LOCAL_MCP_CLIENT_ID,
    })
}
