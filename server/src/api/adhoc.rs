//! The user's own tasks: `POST /adhoc`, `PATCH /adhoc/{id}`, `DELETE /adhoc/{id}`
//! (mounted under `/api`).
//!
//! Ad-hoc tasks live only in the store, keyed by the caller's `sub`; they join the list
//! as `ad_hoc:<id>` tasks, scored like the others, their own priority acting as an
//! override. A title is 1–200 characters, notes at most 2000: anything else is refused
//! with 400 and nothing is written. `{id}` is the store id or the task id `ad_hoc:<id>`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{patch, post};
use axum::{Json, Router};
use pmt_wire::{AdHocPatch, NewAdHocTask, Source, Task, TaskId};
use serde::de::DeserializeOwned;

use super::decisions::{adhoc_store_id, find, store_error, view};
use crate::auth::AuthUser;
use crate::error::AppError;
use crate::AppState;

/// The ad-hoc task routes (mounted under `/api`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/adhoc", post(create))
        .route("/adhoc/{id}", patch(update).delete(delete))
}

/// Creates a task: 201 with the task as the list shows it.
async fn create(
    State(state): State<AppState>,
    user: AuthUser,
    body: Bytes,
) -> Result<(StatusCode, Json<Task>), AppError> {
    let new: NewAdHocTask = parse(&body, "{\"title\": …, \"due\"?, \"priority\"?, \"notes\"?}")?;
    let sub = &user.claims.sub;
    let created = state
        .store
        .create_adhoc(sub, new)
        .await
        .map_err(store_error)?;
    let id = TaskId::new(Source::AdHoc, &created.id);
    Ok((
        StatusCode::CREATED,
        Json(find(&view(&state, sub).await?, &id)?),
    ))
}

/// Changes the fields the body names (`null` clears `due`, `priority`, `notes`).
async fn update(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Task>, AppError> {
    let changes: AdHocPatch = parse(
        &body,
        "an object with any of \"title\", \"due\", \"priority\", \"notes\"",
    )?;
    let sub = &user.claims.sub;
    let updated = state
        .store
        .update_adhoc(sub, adhoc_store_id(&id), changes)
        .await
        .map_err(store_error)?;
    let id = TaskId::new(Source::AdHoc, &updated.id);
    Ok(Json(find(&view(&state, sub).await?, &id)?))
}

/// Deletes a task and the decisions about it: 204.
async fn delete(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    state
        .store
        .delete_adhoc(&user.claims.sub, adhoc_store_id(&id))
        .await
        .map_err(store_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Decodes a JSON body; a bad one is a 400 that says what was expected and what was
/// wrong (serde names the field and type, quoting at most the caller's own input).
fn parse<T: DeserializeOwned>(body: &Bytes, expected: &str) -> Result<T, AppError> {
    serde_json::from_slice(body).map_err(|e| {
        let why = e.to_string();
        // Keep serde's "at line 1 column 9" out: it means nothing to people.
        let why = why.split(" at line ").next().unwrap_or_default();
        AppError::bad_request(
            "invalid_request",
            format!("The body must be {expected}: {why}."),
        )
    })
}
