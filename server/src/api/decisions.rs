//! Local decisions about tasks: `POST /tasks/{id}/dismiss`, `POST /tasks/{id}/restore`,
//! `PUT /tasks/{id}/priority` (mounted under `/api`).
//!
//! Decisions live only in the store, keyed by the caller's `sub` and the stable task
//! id, and apply on every read, so they survive refreshes and restarts. Only kinds the
//! source cannot mark done may be dismissed here; the others are changed in their
//! source app (the app is read-only toward the sources). Each action answers with the
//! task as the list now shows it.
//!
//! The actions run through the tool registry ([`crate::tools`]) as the user's own
//! click ([`Consent::UserAction`]): the same checks as Todaygent's and MCP clients'
//! calls, and an activity entry per action (actor UI, group "action").
//!
//! Task ids contain `:` and, for GitHub, `/` and `#`: clients percent-encode the id as
//! one path segment (`github%3Aacme%2Fapi%231347`).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::{post, put};
use axum::{Json, Router};
use pmt_wire::activity::{Actor, GroupKind};
use pmt_wire::decisions::SetPriorityRequest;
use pmt_wire::{Snapshot, Task, TaskId};
use serde_json::{json, Value};

use crate::activity::Trail;
use crate::auth::{unix_now, AuthUser};
use crate::error::AppError;
use crate::plan::snapshot;
use crate::sources::Today;
use crate::store::StoreError;
use crate::tools::{self, Consent, ToolCall, ToolError, ToolName};
use crate::AppState;

pub(crate) use crate::tools::decide::adhoc_store_id;

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
    decide(
        &state,
        &user,
        ToolName::DismissTask,
        json!({ "task_id": id }),
    )
    .await
}

/// Shows a dismissed task again.
async fn restore(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<Task>, AppError> {
    decide(
        &state,
        &user,
        ToolName::RestoreTask,
        json!({ "task_id": id }),
    )
    .await
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
    let arguments = json!({ "task_id": id, "priority": request.priority });
    decide(&state, &user, ToolName::SetTaskPriority, arguments).await
}

/// Runs a decision through the tool registry as the user's own click (so it is in
/// the activity trail, grouped as one dashboard action) and answers with the task as
/// the list now shows it.
async fn decide(
    state: &AppState,
    user: &AuthUser,
    tool: ToolName,
    arguments: Value,
) -> Result<Json<Task>, AppError> {
    let call = ToolCall {
        name: tool.name(),
        arguments,
    };
    let trail = action_trail(state, user);
    let mut output = tools::call(state, user, &trail, &call, Consent::UserAction)
        .await
        .map_err(tool_error)?;
    let task = output
        .content
        .get_mut("task")
        .map(Value::take)
        .ok_or_else(|| AppError::Internal(format!("{} answered without a task", call.name)))?;
    serde_json::from_value(task)
        .map(Json)
        .map_err(|e| AppError::Internal(format!("{} answered an unreadable task: {e}", call.name)))
}

/// A new activity group for one dashboard action, under the PWA's client id.
fn action_trail(state: &AppState, user: &AuthUser) -> Trail {
    let group = uuid::Uuid::new_v4().to_string();
    Trail::for_session(state, user, Actor::Ui, GroupKind::Action, group)
}

/// A registry refusal as the HTTP answer it always was: 404 for an unknown task, 409
/// for a kind changed only at its source, 400 for a bad request, 500 otherwise.
fn tool_error(e: ToolError) -> AppError {
    match e {
        ToolError::NotFound(id) => {
            AppError::NotFound(format!("There is no task {id} in your list."))
        }
        ToolError::Conflict(why) => AppError::Conflict(why),
        ToolError::InvalidArguments { message, .. } => {
            AppError::bad_request("invalid_request", message)
        }
        other => AppError::Internal(format!("decision: {other}")),
    }
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

/// A store failure as an HTTP error: missing → 404, refused fields → 400, anything
/// else is ours (500, details in the log only).
pub(crate) fn store_error(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound(what) => AppError::NotFound(format!("There is no {what}.")),
        StoreError::Invalid(why) => AppError::bad_request("invalid_request", why.message()),
        other => AppError::Internal(format!("store: {other}")),
    }
}
