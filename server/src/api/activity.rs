//! `GET /api/activity`: the signed-in user's activity trail, newest first — every
//! token exchange and tool call made on their behalf. Entries hold no token value.
//!
//! `limit` (1–500, default 200) and `before` (an entry id, for the next page).

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use pmt_wire::activity::ActivityPage;
use serde::Deserialize;

use crate::api::tasks::store_error;
use crate::auth::AuthUser;
use crate::error::AppError;
use crate::AppState;

/// Entries per page unless asked otherwise.
const DEFAULT_LIMIT: u32 = 200;
/// The largest page.
const MAX_LIMIT: u32 = 500;

/// `/activity` (mounted under `/api`).
pub fn routes() -> Router<AppState> {
    Router::new().route("/activity", get(get_activity))
}

/// The query string.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    limit: Option<u32>,
    before: Option<i64>,
}

async fn get_activity(
    State(state): State<AppState>,
    user: AuthUser,
    query: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ActivityPage>, AppError> {
    let Query(query) = query.map_err(|_| {
        AppError::bad_request(
            "invalid_query",
            "Use limit (1–500) and before (an entry id), both numbers.",
        )
    })?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(AppError::bad_request(
            "invalid_query",
            "limit must be between 1 and 500.",
        ));
    }
    let entries = state
        .store
        .list_activity(&user.claims.sub, limit, query.before)
        .await
        .map_err(store_error)?;
    Ok(Json(ActivityPage { entries }))
}
