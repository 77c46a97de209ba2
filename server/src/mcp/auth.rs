//! The guard in front of the MCP service: `/mcp` as an OAuth resource server.
//!
//! Every request must carry a bearer token that validates against the configured
//! issuer's keys with the **MCP resource** as audience (RFC 8707; the MCP
//! authorization spec's "issued specifically for them"). A PWA session token, whose
//! audience is the API, is refused here, as an MCP token is refused at `/api`. The
//! token needs [`scope::READ`], and [`scope::WRITE`] for a call of a write tool.
//!
//! An admitted request carries an [`McpCaller`] in its extensions: the user (with the
//! token, which the tools only ever use as the subject of the backend's own token
//! exchange — it is never sent to a source) and the activity [`Origin`] of this one
//! HTTP request (actor `mcp`, the token's client, a fresh group).

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use pmt_wire::activity::{Actor, GroupKind};

use super::challenge::{Challenge, Refusal};
use super::{metadata, scope};
use crate::activity::Origin;
use crate::auth::extract::{bearer_credentials, Credentials};
use crate::auth::{AuthError, AuthUser, Claims, Expectations};
use crate::error::AppError;
use crate::secret::BearerToken;
use crate::tools;
use crate::AppState;

/// Largest request body the guard reads when it must look for write calls (the MCP
/// service's own limit).
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The activity client name when a token names no `client_id`.
pub const UNNAMED_CLIENT: &str = "mcp-client";

/// Who is calling, for one admitted MCP request.
#[derive(Debug, Clone)]
pub struct McpCaller {
    /// The user and their MCP token (redacted `Debug`).
    pub user: AuthUser,
    /// Actor `mcp`, the MCP client's id, a group for this request.
    pub origin: Origin,
}

/// Why a request was not admitted.
enum Rejected {
    /// A refusal with a challenge.
    Refused(Refusal),
    /// Any other response (the authorization server unreachable, a body too large).
    Response(Response),
}

impl From<Refusal> for Rejected {
    fn from(r: Refusal) -> Self {
        Self::Refused(r)
    }
}

/// The middleware: admits the request with an [`McpCaller`] or answers 401/403.
pub async fn require_token(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    match admit(&state, request).await {
        Ok(request) => next.run(request).await,
        Err(Rejected::Response(response)) => response,
        Err(Rejected::Refused(refusal)) => {
            let config = &state.config;
            let resource_metadata =
                metadata::metadata_url(&config.auth.mcp_resource).unwrap_or_default();
            let scopes = scope::all_joined();
            if !matches!(refusal, Refusal::NoToken) {
                tracing::info!(
                    error = refusal.error_code().unwrap_or_default(),
                    "MCP request refused"
                );
            }
            refusal.into_response(&Challenge {
                resource_metadata: &resource_metadata,
                scope: &scopes,
            })
        }
    }
}

async fn admit(state: &AppState, request: Request) -> Result<Request, Rejected> {
    let token = match bearer_credentials(request.headers()) {
        Credentials::None => return Err(Refusal::NoToken.into()),
        Credentials::Malformed(why) => return Err(Refusal::MalformedHeader(why).into()),
        Credentials::Bearer(token) => token.to_owned(),
    };
    let claims = validate(state, &token).await?;
    let granted = scope::Granted::from_claim(claims.scope.as_deref());
    if !granted.read {
        return Err(Refusal::InsufficientScope {
            needed: scope::READ.to_owned(),
        }
        .into());
    }
    let mut request = request;
    if !granted.write {
        let (parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
            .await
            .map_err(|_| {
                Rejected::Response(
                    (StatusCode::PAYLOAD_TOO_LARGE, "The request is too large.").into_response(),
                )
            })?;
        if calls_a_write_tool(&bytes, is_write_tool) {
            return Err(Refusal::InsufficientScope {
                needed: scope::all_joined(),
            }
            .into());
        }
        request = Request::from_parts(parts, Body::from(bytes));
    }
    let client = claims
        .client_id
        .clone()
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| UNNAMED_CLIENT.to_owned());
    let caller = McpCaller {
        origin: Origin::new(Actor::Mcp, client, GroupKind::Mcp),
        user: AuthUser {
            claims,
            token: BearerToken::new(token),
        },
    };
    request.extensions_mut().insert(caller);
    Ok(request)
}

/// Validates the token for the MCP resource, and refuses one that is also meant for
/// the API: the two audiences are kept mutually exclusive (RFC 8725 §3.12).
async fn validate(state: &AppState, token: &str) -> Result<Claims, Rejected> {
    let config = &state.config;
    let expect = Expectations::new(&config.auth.issuer, &config.auth.mcp_resource);
    match state.auth.validate_bearer_for(token, &expect).await {
        Ok(claims) if claims.aud.iter().any(|a| a == &config.auth.resource) => {
            Err(Refusal::InvalidToken(
                "the token is also meant for the Plan My Today API; this MCP server accepts only tokens issued for it alone"
                    .to_owned(),
            )
            .into())
        }
        Ok(claims) => Ok(claims),
        Err(AuthError::Token(e)) => Err(Refusal::InvalidToken(e.to_string()).into()),
        Err(other) => Err(Rejected::Response(AppError::from(other).into_response())),
    }
}

/// Whether the registry's tool of this name writes.
fn is_write_tool(name: &str) -> bool {
    tools::specs().iter().any(|s| s.write && s.name == name)
}

/// Whether a JSON-RPC body (one message or a batch) calls a tool `is_write` says
/// writes (pure). A body that is not JSON calls nothing; the MCP service answers it.
pub fn calls_a_write_tool(body: &Bytes, is_write: impl Fn(&str) -> bool) -> bool {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return false;
    };
    let messages = match &value {
        serde_json::Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    messages.into_iter().any(|m| {
        m.get("method").and_then(serde_json::Value::as_str) == Some("tools/call")
            && m.pointer("/params/name")
                .and_then(serde_json::Value::as_str)
                .is_some_and(&is_write)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writes(name: &str) -> bool {
        name == "dismiss_task"
    }

    #[test]
    fn a_write_call_is_found_alone_or_in_a_batch() {
        let call = |name: &str| serde_json::json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":name}});
        let body = |v: serde_json::Value| Bytes::from(v.to_string());
        assert!(calls_a_write_tool(&body(call("dismiss_task")), writes));
        assert!(!calls_a_write_tool(&body(call("get_todays_tasks")), writes));
        assert!(calls_a_write_tool(
            &body(serde_json::json!([
                call("get_todays_tasks"),
                call("dismiss_task")
            ])),
            writes
        ));
        let listing = serde_json::json!({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"name":"dismiss_task"}});
        assert!(!calls_a_write_tool(&body(listing), writes));
        assert!(!calls_a_write_tool(
            &Bytes::from_static(b"not json"),
            writes
        ));
    }
}
