//! `POST /api/mcp/token` (demo mode): an MCP-audience access token for a local MCP
//! client, handed to the signed-in user to paste into the client's configuration.
//!
//! The request must carry the PWA session token; the answer is a fresh token from the
//! demo authorization server whose audience is the MCP resource (so `/api` refuses
//! it), for the same user, issued to the local MCP client id, valid for an hour (see
//! [`crate::demo_as::MCP_TOKEN_LIFETIME_SECS`]). Outside demo mode the route answers
//! 404: tokens then come from the real authorization server, through the client's own
//! OAuth flow. The token is in the body only — never logged, never stored.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Json, Router};
use pmt_wire::agent::McpToken;

use crate::auth::AuthUser;
use crate::demo_as::DemoAs;
use crate::error::AppError;
use crate::AppState;

/// Demo mode's source of MCP tokens, present (as a request extension) only in demo mode.
#[derive(Debug, Clone)]
pub struct McpTokenIssuer(DemoAs);

impl McpTokenIssuer {
    /// The extension layer that makes the route work: added to the `/api` router in
    /// demo mode only.
    pub fn layer(auth_server: &DemoAs) -> Extension<Self> {
        Extension(Self(auth_server.clone()))
    }
}

/// `/mcp/token` (mounted under `/api`).
pub fn routes() -> Router<AppState> {
    Router::new().route("/mcp/token", post(post_mcp_token))
}

async fn post_mcp_token(
    user: AuthUser,
    State(state): State<AppState>,
    issuer: Option<Extension<McpTokenIssuer>>,
) -> Result<Response, AppError> {
    let Some(Extension(McpTokenIssuer(auth_server))) = issuer else {
        return Err(AppError::NotFound(
            "MCP tokens are issued here only in demo mode; connect your MCP client through \
             your authorization server instead."
                .to_owned(),
        ));
    };
    let issued = auth_server
        .issue_mcp_token(&user.claims.sub)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let body = McpToken {
        access_token: issued.access_token.expose().to_owned(),
        expires_in: u64::try_from(issued.expires_in).unwrap_or_default(),
        mcp_url: state.config.auth.mcp_resource.clone(),
    };
    let mut response = Json(body).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
