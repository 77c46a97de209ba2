//! Reading the refresh progress stream: `POST /api/refresh/stream` answers with
//! server-sent events (`source_started`, `source_finished`, `done`), read here with
//! `fetch` and a `ReadableStream` reader ([`crate::stream`]; EventSource cannot send a
//! bearer token).

use pmt_wire::{ApiError, RefreshEvent};

use crate::api::CallError;
use crate::session::Session;
use crate::stream::read_events;

/// The streaming endpoint.
pub const STREAM_PATH: &str = "/api/refresh/stream";
/// The plain endpoint, used when streaming fails.
pub const PLAIN_PATH: &str = "/api/refresh";

/// How a stream ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamEnd {
    /// `done` arrived: the new snapshot was delivered.
    Done,
    /// The stream closed without `done` (a proxy cut it, the server restarted).
    Cut,
    /// The server said the refresh failed (`error` event); its message.
    Failed(String),
}

/// Runs a streamed refresh, calling `on_event` for each event (decoded with the
/// wire crate's [`RefreshEvent::from_parts`], so both sides agree on the shapes).
///
/// # Errors
/// When the stream cannot be opened or read; the caller falls back to
/// [`PLAIN_PATH`] unless the session ended.
pub async fn stream(
    session: &Session,
    mut on_event: impl FnMut(RefreshEvent),
) -> Result<StreamEnd, CallError> {
    let response = session.post_stream(STREAM_PATH).await?;
    let mut end = StreamEnd::Cut;
    read_events(response, &mut |name, data| {
        if name == "error" {
            let message = serde_json::from_str::<ApiError>(data)
                .map(|e| e.error_description)
                .unwrap_or_else(|_| "The refresh could not be completed.".to_owned());
            end = StreamEnd::Failed(message);
        } else if let Some(event) = RefreshEvent::from_parts(name, data) {
            if matches!(event, RefreshEvent::Done(_)) {
                end = StreamEnd::Done;
            }
            on_event(event);
        }
    })
    .await?;
    Ok(end)
}
