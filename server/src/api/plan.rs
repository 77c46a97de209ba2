//! `GET /api/plan`: today's time-blocked plan for the signed-in user, built from the
//! stored snapshot (decisions, ad-hoc tasks and source switches applied) for now.
//! Reads the store only; never calls a provider, needs no LLM.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use pmt_wire::dayplan::DayPlan;

use crate::auth::AuthUser;
use crate::error::AppError;
use crate::tools::today;
use crate::AppState;

/// `/plan` (mounted under `/api`).
pub fn routes() -> Router<AppState> {
    Router::new().route("/plan", get(get_plan))
}

/// The plan (with no snapshot yet: meetings none, breaks kept, nothing to place).
async fn get_plan(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<DayPlan>, AppError> {
    let (plan, _) = today::plan(&state, &user.claims.sub)
        .await
        .map_err(|e| AppError::Internal(format!("store: {e}")))?;
    Ok(Json(plan))
}
