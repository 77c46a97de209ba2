//! `GET /api/tasks`: the user's latest snapshot with their decisions and ad-hoc tasks
//! applied. Reads the store only; never calls a provider.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use pmt_wire::Snapshot;

use crate::auth::AuthUser;
use crate::error::AppError;
use crate::refresh;
use crate::store::StoreError;
use crate::AppState;

/// `/tasks` (mounted under `/api`).
pub fn routes() -> Router<AppState> {
    Router::new().route("/tasks", get(get_tasks))
}

/// The stored snapshot (or, before the first refresh, an empty one with
/// `generated_at: 0` and every enabled source pending), presented.
async fn get_tasks(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<Snapshot>, AppError> {
    Ok(Json(current_snapshot(&state, &user.claims.sub).await?))
}

/// The user's stored plan, aligned with the configuration and presented (decisions,
/// ad-hoc tasks, source switches).
///
/// # Errors
/// When the store cannot be read (500).
pub(crate) async fn current_snapshot(state: &AppState, sub: &str) -> Result<Snapshot, AppError> {
    let stored = state.store.load_snapshot(sub).await.map_err(store_error)?;
    let snapshot = match stored {
        Some(snapshot) => refresh::align_statuses(&state.config, snapshot),
        None => refresh::pending_snapshot(&state.config),
    };
    refresh::present(state, sub, snapshot)
        .await
        .map_err(store_error)
}

/// A store failure is ours: 500, details in the log only.
pub(crate) fn store_error(e: StoreError) -> AppError {
    AppError::Internal(format!("store: {e}"))
}
