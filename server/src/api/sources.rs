//! `PUT /api/sources/{source}`: the user turns a source on or off. An off source's
//! next token exchange is not attempted and its tasks are hidden; everything else
//! keeps working (the local counterpart of revoking one grant). Answers with the plan
//! as the dashboard now shows it.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::put;
use axum::{Json, Router};
use pmt_wire::agent::SourceSwitch;
use pmt_wire::{Snapshot, Source};

use crate::api::tasks::{current_snapshot, store_error};
use crate::auth::AuthUser;
use crate::error::AppError;
use crate::AppState;

/// `/sources/{source}` (mounted under `/api`).
pub fn routes() -> Router<AppState> {
    Router::new().route("/sources/{source}", put(switch_source))
}

async fn switch_source(
    State(state): State<AppState>,
    user: AuthUser,
    Path(name): Path<String>,
    body: Bytes,
) -> Result<Json<Snapshot>, AppError> {
    let source = Source::parse(&name)
        .filter(|s| *s != Source::AdHoc)
        .ok_or_else(|| AppError::NotFound(format!("There is no source named {name:?}.")))?;
    if state.config.source(source).is_none_or(|s| !s.enabled) {
        return Err(AppError::Conflict(format!(
            "{} is not connected in this server's configuration, so it cannot be switched.",
            source.label()
        )));
    }
    let switch: SourceSwitch = serde_json::from_slice(&body).map_err(|_| {
        AppError::bad_request(
            "invalid_body",
            "Send {\"enabled\": true} or {\"enabled\": false}.",
        )
    })?;
    state
        .store
        .set_source_enabled(&user.claims.sub, source, switch.enabled)
        .await
        .map_err(store_error)?;
    Ok(Json(current_snapshot(&state, &user.claims.sub).await?))
}
