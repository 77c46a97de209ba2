//! `POST /api/refresh` and `POST /api/refresh/stream`: fetch every enabled source now.
//!
//! Both run (or join) the user's refresh; the first answers with the [`Snapshot`], the
//! second streams its progress as Server-Sent Events (`source_started`,
//! `source_finished`, then `done` with the snapshot; `error` with an
//! [`ApiError`](pmt_wire::ApiError) if no snapshot could be made). The stream is a
//! `POST` read with `fetch`, because `EventSource` cannot send the `Authorization`
//! header. Closing the stream does not stop the refresh: its result is still stored.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::post;
use axum::{Json, Router};
use futures::stream::{self, Stream, StreamExt};
use pmt_wire::{ApiError, RefreshEvent, Snapshot};
use tokio::sync::{mpsc, oneshot};

use crate::auth::AuthUser;
use crate::error::AppError;
use crate::refresh::{self, RefreshError};
use crate::AppState;

/// The SSE event name of a refresh that produced no snapshot.
pub const ERROR_EVENT: &str = "error";

/// `/refresh`, `/refresh/stream` (mounted under `/api`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/refresh", post(post_refresh))
        .route("/refresh/stream", post(post_refresh_stream))
}

fn refresh_error(e: RefreshError) -> AppError {
    AppError::Internal(format!("refresh: {e}"))
}

/// Runs a refresh and answers with the new snapshot.
async fn post_refresh(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<Snapshot>, AppError> {
    refresh::refresh(&state, &user, None)
        .await
        .map(Json)
        .map_err(refresh_error)
}

/// Runs a refresh and streams its events.
async fn post_refresh_stream(
    State(state): State<AppState>,
    user: AuthUser,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let (events_tx, events_rx) = mpsc::channel::<RefreshEvent>(32);
    let (failed_tx, failed_rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        if let Err(e) = refresh::refresh(&state, &user, Some(events_tx)).await {
            tracing::error!(error = %e, "streamed refresh failed");
            let _ = failed_tx.send(());
        }
    });
    let events = stream::unfold(events_rx, |mut rx| async move {
        rx.recv().await.map(|event| (sse_event(&event), rx))
    });
    let failure = stream::once(failed_rx).filter_map(|failed| async move {
        failed.ok().map(|()| {
            let body = ApiError {
                error: "internal_error".to_owned(),
                error_description: "The refresh could not be completed.".to_owned(),
            };
            Event::default()
                .event(ERROR_EVENT)
                .json_data(body)
                .unwrap_or_default()
        })
    });
    Sse::new(events.map(Ok).chain(failure.map(Ok)))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

fn sse_event(event: &RefreshEvent) -> Event {
    let data = event.data().unwrap_or_else(|_| "{}".to_owned());
    Event::default().event(event.name()).data(data)
}
