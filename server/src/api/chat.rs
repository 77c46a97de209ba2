//! Todaygent's chat: `POST /chat` (a turn, streamed as Server-Sent Events),
//! `POST /chat/confirm/{id}` (Allow or Deny a write the agent proposed) and
//! `GET /chat/status` (whether an LLM is configured). Mounted under `/api`.
//!
//! The stream is a `POST` read with `fetch` (the `Authorization` header), like the
//! refresh stream. Each event's name is [`ChatEvent::name`] and its data
//! [`ChatEvent::data`]: `started` first, `done` last. Closing the stream cancels the
//! turn: a write waiting for confirmation is then not run.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::stream::{self, Stream};
use pmt_wire::agent::{ChatEvent, ChatRequest, ChatStatus, ConfirmRequest, MAX_MESSAGE_CHARS};
use tokio::sync::mpsc;

use crate::agent::conversations::ConversationError;
use crate::auth::AuthUser;
use crate::error::AppError;
use crate::AppState;

/// `/chat`, `/chat/confirm/{id}`, `/chat/status` (mounted under `/api`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/chat", post(post_chat))
        .route("/chat/confirm/{id}", post(post_confirm))
        .route("/chat/status", get(get_status))
}

/// Checks a message: not blank, at most [`MAX_MESSAGE_CHARS`] characters.
///
/// # Errors
/// 400 with what is wrong.
pub fn check_message(message: &str) -> Result<&str, AppError> {
    let message = message.trim();
    if message.is_empty() {
        return Err(AppError::bad_request(
            "invalid_request",
            "The message is empty.",
        ));
    }
    let chars = message.chars().count();
    if chars > MAX_MESSAGE_CHARS {
        return Err(AppError::bad_request(
            "message_too_long",
            format!(
                "The message has {chars} characters; at most {MAX_MESSAGE_CHARS} are accepted."
            ),
        ));
    }
    Ok(message)
}

/// Starts a turn and streams its events.
async fn post_chat(
    State(state): State<AppState>,
    user: AuthUser,
    body: Bytes,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    let request: ChatRequest = serde_json::from_slice(&body).map_err(|e| {
        let why = e.to_string();
        let why = why.split(" at line ").next().unwrap_or_default().to_owned();
        AppError::bad_request(
            "invalid_request",
            format!("The body must be {{\"message\": …, \"conversation\"?: …}}: {why}."),
        )
    })?;
    let message = check_message(&request.message)?.to_owned();
    let lease = state
        .agent
        .conversations()
        .begin(&user.claims.sub, request.conversation.as_deref())
        .map_err(|e| match e {
            ConversationError::NotFound => AppError::NotFound(e.to_string()),
            ConversationError::Busy | ConversationError::TooMany => {
                AppError::Conflict(e.to_string())
            }
        })?;
    let (tx, rx) = mpsc::channel::<ChatEvent>(64);
    tokio::spawn(crate::agent::run_turn(state, user, lease, message, tx));
    let events = stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|event| (Ok(sse_event(&event)), rx))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// Delivers the user's Allow or Deny: 204, or 404 when no such confirmation waits
/// for this user.
async fn post_confirm(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<StatusCode, AppError> {
    let answer: ConfirmRequest = serde_json::from_slice(&body).map_err(|_| {
        AppError::bad_request(
            "invalid_request",
            "The body must be {\"allow\": true|false}.",
        )
    })?;
    state
        .agent
        .confirmations()
        .resolve(&user.claims.sub, &id, answer.allow)
        .map_err(|e| AppError::NotFound(e.to_string()))?;
    Ok(StatusCode::NO_CONTENT)
}

/// Whether an LLM is configured, and which.
async fn get_status(State(state): State<AppState>, _user: AuthUser) -> Json<ChatStatus> {
    Json(state.agent.status())
}

fn sse_event(event: &ChatEvent) -> Event {
    let data = event.data().unwrap_or_else(|_| "{}".to_owned());
    Event::default().event(event.name()).data(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_bounded_and_not_blank() {
        assert_eq!(check_message("  plan my day \n").unwrap(), "plan my day");
        assert!(check_message("   ").is_err());
        let at_limit = "é".repeat(MAX_MESSAGE_CHARS);
        assert!(check_message(&at_limit).is_ok());
        let over = "a".repeat(MAX_MESSAGE_CHARS + 1);
        let e = check_message(&over).unwrap_err();
        assert_eq!(e.status(), StatusCode::BAD_REQUEST);
        assert!(e.to_string().contains("4001"), "{e}");
    }
}
