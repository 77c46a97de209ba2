//! The MCP server at `/mcp`: the tool registry over Streamable HTTP, as an OAuth
//! protected resource (RFC 9728).
//!
//! A desktop MCP client (Claude Desktop, an IDE) reaches the same tools as Todaygent.
//! It is an OAuth resource server in its own right, per the MCP authorization spec:
//! its own audience (the configured MCP resource, `{public_url}/mcp` by default), a
//! metadata document that names the authorization server, 401 challenges that point
//! at it, and no token passthrough — a tool that reads a source exchanges the MCP
//! token for a token for that source alone, exactly as the dashboard does.
//!
//! The transport is `rmcp`'s Streamable HTTP service in stateless mode (no
//! `Mcp-Session-Id`; every POST stands alone, as the 2026 revision of the spec has it):
//! nothing to keep per client, and every request is authenticated on its own.
//!
//! Modules:
//! - [`scope`]: the scopes `/mcp` knows and what a token grants (pure).
//! - [`metadata`]: the RFC 9728 document and its well-known URL.
//! - [`challenge`]: 401/403 responses with `WWW-Authenticate` (pure).
//! - [`auth`]: the guard: token validation for the MCP audience, scopes, the caller.
//! - [`listing`]: registry specs as MCP tools with annotations; outcomes as results (pure).
//! - [`server`]: the `rmcp` handler.

pub mod auth;
pub mod challenge;
pub mod listing;
pub mod metadata;
pub mod scope;
pub mod server;

use std::sync::Arc;

use axum::Router;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};

use crate::config::{Config, MCP_PATH};
use crate::AppState;

/// `/mcp` behind the token guard, and the metadata document at its well-known paths
/// (full paths: merged at the root, outside `/api`).
pub fn router(state: AppState) -> Router {
    let transport = transport_config(&state.config);
    let handler_state = state.clone();
    let service = StreamableHttpService::new(
        move || Ok(server::McpServer::new(handler_state.clone())),
        Arc::new(NeverSessionManager::default()),
        transport,
    );
    Router::new()
        .route_service(MCP_PATH, service)
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::require_token,
        ))
        .merge(metadata::routes(&state.config))
        .with_state(state)
}

/// Stateless, JSON answers where possible, and `rmcp`'s DNS-rebinding defences set for
/// this server: the `Host` must be ours (public URL, MCP resource or loopback), and a
/// browser `Origin`, when sent, must be the app's own.
fn transport_config(config: &Config) -> StreamableHttpServerConfig {
    let mut hosts: Vec<String> = ["localhost", "127.0.0.1", "::1"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    let mut origins = Vec::new();
    for url in [&config.public_url, &config.auth.mcp_resource]
        .into_iter()
        .filter_map(|u| url::Url::parse(u).ok())
    {
        if let Some(host) = url.host_str() {
            let host = host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned();
            if !hosts.contains(&host) {
                hosts.push(host);
            }
        }
        if let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) {
            let origin = format!("{}://{host}:{port}", url.scheme());
            if !origins.contains(&origin) {
                origins.push(origin);
            }
        }
    }
    StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None)
        .with_allowed_hosts(hosts)
        .with_allowed_origins(origins)
        .enforce_origin_validation()
}
