//! Local decisions about tasks: `POST /tasks/{id}/dismiss`, `POST /tasks/{id}/restore`,
//! `PUT /tasks/{id}/priority` (mounted under `/api`).
//!
//! Decisions live only in the store, keyed by the caller's `sub` and the stable task
//! id, and apply on every read, so they survive refreshes and restarts. Only kinds the
//! source cannot mark done may be dismissed here; the others are changed in their
//! source app (the app is read-only toward the sources). Each action answers with the
//! task as the list now shows it.
//!
//! Task ids contain `:` and, for GitHub, `/` and `#`: clients percent-encode the id as
//! one path segment (`github%3Aacme%2Fapi%231347`).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::{post, put};
use axum::{Json, Router};
use pmt_wire::decisions::SetPriorityRequest;
use pmt_wire::{AdHocPatch, Snapshot, Source, Task, TaskId, TaskKind};

use crate::auth::{unix_now, AuthUser};
use crate::error::AppError;
use crate::plan::snapshot;
use crate::sources::Today;
use crate::store::StoreError;
use crate::AppState;

/// The decision routes (mounted under `/api`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tasks/{id}/dismiss", post(dismiss))
        .route("/tasks/{id}/restore", post(restore))
        .route("/tasks/{id}/priority", put(set_priority))
}

/// Hides a dismissible task.
async fn dismiss(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<Task>, AppError> {
    set_dismissed(&state, &user.claims.sub, TaskId(id), true).await
}

/// Shows a dismissed task again.
async fn restore(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<Task>, AppError> {
    set_dismissed(&state, &user.claims.sub, TaskId(id), false).await
}

async fn set_dismissed(
    state: &AppState,
    sub: &str,
    id: TaskId,
    dismissed: bool,
) -> Result<Json<Task>, AppError> {
    let task = find(&view(state, sub).await?, &id)?;
    if dismissed && !task.dismissible {
        return Err(AppError::Conflict(not_dismissible(&task)));
    }
    state
        .store
        .set_dismissed(sub, &id, dismissed)
        .await
        .map_err(store_error)?;
    Ok(Json(find(&view(state, sub).await?, &id)?))
}

/// Sets or clears the level shown for a task. For an ad-hoc task this is the task's
/// own priority.
async fn set_priority(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Task>, AppError> {
    let request: SetPriorityRequest = serde_json::from_slice(&body).map_err(|_| {
        AppError::bad_request(
            "invalid_request",
            "The body must be {\"priority\": …} with one of \"critical\", \"high\", \
             \"medium\", \"low\", or null to clear the override.",
        )
    })?;
    let sub = &user.claims.sub;
    let id = TaskId(id);
    let task = find(&view(&state, sub).await?, &id)?;
    if task.source == Source::AdHoc {
        let patch = AdHocPatch {
            priority: Some(request.priority),
            ..AdHocPatch::default()
        };
        state
            .store
            .update_adhoc(sub, adhoc_store_id(&id.0), patch)
            .await
            .map_err(store_error)?;
    } else {
        state
            .store
            .set_override(sub, &id, request.priority)
            .await
            .map_err(store_error)?;
    }
    Ok(Json(find(&view(&state, sub).await?, &id)?))
}

/// The caller's list as `GET /api/tasks` shows it: the stored snapshot (empty before
/// the first refresh) with the current decisions and ad-hoc tasks.
///
/// # Errors
/// When the store cannot be read (500).
pub(crate) async fn view(state: &AppState, sub: &str) -> Result<Snapshot, AppError> {
    let stored = state.store.load_snapshot(sub).await.map_err(store_error)?;
    let decisions = state.store.decisions(sub).await.map_err(store_error)?;
    let adhoc = state.store.list_adhoc(sub).await.map_err(store_error)?;
    let now = unix_now();
    let today = Today::at(now, &state.config.time_zone).unwrap_or_else(|_| Today::utc(now));
    Ok(snapshot::assemble(
        stored.unwrap_or_default(),
        &adhoc,
        &decisions,
        &today,
        &state.config.scoring,
    ))
}

/// The task with `id` in `view`.
///
/// # Errors
/// 404 when the list has no such task.
pub(crate) fn find(view: &Snapshot, id: &TaskId) -> Result<Task, AppError> {
    view.tasks
        .iter()
        .find(|t| &t.id == id)
        .cloned()
        .ok_or_else(|| AppError::NotFound(format!("There is no task {} in your list.", id.0)))
}

/// The store id of an ad-hoc task from its task id (`ad_hoc:<id>`) or the bare id.
pub(crate) fn adhoc_store_id(id: &str) -> &str {
    id.strip_prefix(Source::AdHoc.as_str())
        .and_then(|rest| rest.strip_prefix(':'))
        .unwrap_or(id)
}

/// A store failure as an HTTP error: missing → 404, refused fields → 400, anything
/// else is ours (500, details in the log only).
pub(crate) fn store_error(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound(what) => AppError::NotFound(format!("There is no {what}.")),
        StoreError::Invalid(why) => AppError::bad_request("invalid_request", why.message()),
        other => AppError::Internal(format!("store: {other}")),
    }
}

/// Why a task cannot be dismissed here, naming its source.
fn not_dismissible(task: &Task) -> String {
    let what = match task.kind {
        TaskKind::Meeting => "meetings",
        TaskKind::Rsvp => "invitations",
        TaskKind::Email => "emails",
        TaskKind::Issue => "issues",
        TaskKind::Review => "review requests",
        TaskKind::PullRequest => "pull requests",
        _ => "items",
    };
    let source = task.source.label();
    format!("{source} {what} can't be dismissed here: change their status in {source}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adhoc_ids_are_accepted_with_or_without_their_prefix() {
        assert_eq!(adhoc_store_id("ad_hoc:abc"), "abc");
        assert_eq!(adhoc_store_id("abc"), "abc");
        assert_eq!(adhoc_store_id("ad_hocabc"), "ad_hocabc");
    }
}
