//! The refresh stream: what `POST /api/refresh/stream` sends while the sources are
//! fetched, as Server-Sent Events.
//!
//! Each event's name is [`RefreshEvent::name`] and its `data` is the JSON of the
//! payload alone: `source_started` → [`SourceStarted`], `source_finished` →
//! [`SourceStatus`], `done` → [`Snapshot`]. The PWA reads the stream with `fetch`
//! (an `EventSource` cannot send the `Authorization` header) and turns each event back
//! into a [`RefreshEvent`] with [`RefreshEvent::from_parts`].

use serde::{Deserialize, Serialize};

use crate::task::{Snapshot, Source, SourceStatus};

/// `source_started`: a source's exchange and fetch began.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceStarted {
    /// Which source.
    pub source: Source,
}

/// One step of a refresh.
#[derive(Clone, Debug, PartialEq)]
pub enum RefreshEvent {
    /// A source's exchange and fetch began.
    SourceStarted(SourceStarted),
    /// A source finished (fetched, failed or timed out).
    SourceFinished(SourceStatus),
    /// The refresh is over: the new snapshot with the user's decisions applied.
    Done(Box<Snapshot>),
}

/// The SSE event name of [`RefreshEvent::SourceStarted`].
pub const SOURCE_STARTED: &str = "source_started";
/// The SSE event name of [`RefreshEvent::SourceFinished`].
pub const SOURCE_FINISHED: &str = "source_finished";
/// The SSE event name of [`RefreshEvent::Done`].
pub const DONE: &str = "done";

impl RefreshEvent {
    /// The SSE event name.
    pub fn name(&self) -> &'static str {
        match self {
            RefreshEvent::SourceStarted(_) => SOURCE_STARTED,
            RefreshEvent::SourceFinished(_) => SOURCE_FINISHED,
            RefreshEvent::Done(_) => DONE,
        }
    }

    /// The SSE `data`: the payload's JSON.
    ///
    /// # Errors
    /// When serialization fails (it does not for these types).
    pub fn data(&self) -> Result<String, serde_json::Error> {
        match self {
            RefreshEvent::SourceStarted(p) => serde_json::to_string(p),
            RefreshEvent::SourceFinished(p) => serde_json::to_string(p),
            RefreshEvent::Done(p) => serde_json::to_string(p),
        }
    }

    /// An event from its SSE name and data; `None` for an unknown name (ignored, so
    /// the server may add events) or data of the wrong shape.
    pub fn from_parts(name: &str, data: &str) -> Option<RefreshEvent> {
        match name {
            SOURCE_STARTED => serde_json::from_str(data)
                .ok()
                .map(RefreshEvent::SourceStarted),
            SOURCE_FINISHED => serde_json::from_str(data)
                .ok()
                .map(RefreshEvent::SourceFinished),
            DONE => serde_json::from_str(data)
                .ok()
                .map(|s| RefreshEvent::Done(Box::new(s))),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::SourceState;

    #[test]
    fn events_round_trip_through_name_and_data() {
        let events = [
            RefreshEvent::SourceStarted(SourceStarted {
                source: Source::Slack,
            }),
            RefreshEvent::SourceFinished(SourceStatus {
                source: Source::Gmail,
                state: SourceState::Failed {
                    reason: "timed out after 5 s".into(),
                },
                duration_ms: 5000,
                fetched_at: 1,
            }),
            RefreshEvent::Done(Box::default()),
        ];
        for event in events {
            let data = event.data().unwrap();
            assert_eq!(RefreshEvent::from_parts(event.name(), &data), Some(event));
        }
    }

    #[test]
    fn unknown_events_and_bad_data_are_ignored() {
        assert_eq!(RefreshEvent::from_parts("ping", "{}"), None);
        assert_eq!(RefreshEvent::from_parts(DONE, "not json"), None);
    }
}
