//! A chat client: `POST /api/chat` read as a stream, confirmations answered as the
//! test decides, everything the server sent kept for assertions.

use std::collections::VecDeque;
use std::time::Duration;

use pmt_wire::activity::ActivityEntry;
use pmt_wire::agent::ChatEvent;
use serde_json::{json, Value};

use crate::refresh_support::Session;

/// How the test answers a confirmation request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Press Allow.
    Allow,
    /// Press Deny.
    Deny,
    /// Do not answer (the confirmation times out).
    Ignore,
}

/// A chat turn being read.
pub struct ChatStream {
    response: reqwest::Response,
    buffer: String,
    pending: VecDeque<ChatEvent>,
    /// Everything received, as sent.
    pub raw: String,
    /// The events received so far.
    pub events: Vec<ChatEvent>,
}

impl ChatStream {
    /// The next event; `None` when the stream ended. Panics after 30 s of silence.
    pub async fn next(&mut self) -> Option<ChatEvent> {
        loop {
            if let Some(e) = self.pending.pop_front() {
                self.events.push(e.clone());
                return Some(e);
            }
            let chunk = tokio::time::timeout(Duration::from_secs(30), self.response.chunk())
                .await
                .expect("the chat stream stalled")
                .expect("chat stream");
            let chunk = chunk?;
            let text = String::from_utf8(chunk.to_vec()).expect("utf-8");
            self.raw.push_str(&text);
            self.buffer.push_str(&text);
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut name = None;
                let mut data = Vec::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = Some(v.trim().to_owned());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push(v.strip_prefix(' ').unwrap_or(v).to_owned());
                    }
                }
                if data.is_empty() {
                    continue;
                }
                let data = data.join("\n");
                let event = ChatEvent::from_data(&data)
                    .unwrap_or_else(|| panic!("not a chat event: {data}"));
                assert_eq!(Some(event.name()), name.as_deref(), "event name for {data}");
                self.pending.push_back(event);
            }
        }
    }
}

/// What a finished turn sent.
#[derive(Debug, Clone)]
pub struct Transcript {
    /// The events in order.
    pub events: Vec<ChatEvent>,
    /// The body as sent.
    pub raw: String,
}

impl Transcript {
    /// The answer's text.
    pub fn text(&self) -> String {
        self.events
            .iter()
            .filter_map(|e| match e {
                ChatEvent::Text { delta } => Some(delta.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The conversation id from `started`.
    pub fn conversation(&self) -> String {
        match self.events.first() {
            Some(ChatEvent::Started { conversation, .. }) => conversation.clone(),
            other => panic!("the turn did not start with started: {other:?}"),
        }
    }

    /// The turn id from `started`.
    pub fn turn(&self) -> String {
        match self.events.first() {
            Some(ChatEvent::Started { turn, .. }) => turn.clone(),
            other => panic!("the turn did not start with started: {other:?}"),
        }
    }

    /// (tool, write) of every `tool_call`.
    pub fn tool_calls(&self) -> Vec<(String, bool)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                ChatEvent::ToolCall { tool, write, .. } => Some((tool.clone(), *write)),
                _ => None,
            })
            .collect()
    }

    /// (ok, summary) of every `tool_result`.
    pub fn tool_results(&self) -> Vec<(bool, String)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                ChatEvent::ToolResult { ok, summary, .. } => Some((*ok, summary.clone())),
                _ => None,
            })
            .collect()
    }

    /// (tool, description) of every `confirm_request`.
    pub fn confirm_requests(&self) -> Vec<(String, String)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                ChatEvent::ConfirmRequest {
                    tool, description, ..
                } => Some((tool.clone(), description.clone())),
                _ => None,
            })
            .collect()
    }

    /// `allowed` of every `confirm_resolved`.
    pub fn resolutions(&self) -> Vec<bool> {
        self.events
            .iter()
            .filter_map(|e| match e {
                ChatEvent::ConfirmResolved { allowed, .. } => Some(*allowed),
                _ => None,
            })
            .collect()
    }

    /// Every notice.
    pub fn notices(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match e {
                ChatEvent::Notice { message } => Some(message.clone()),
                _ => None,
            })
            .collect()
    }

    /// Every error.
    pub fn errors(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match e {
                ChatEvent::Error { message } => Some(message.clone()),
                _ => None,
            })
            .collect()
    }

    /// Asserts the turn's frame: `started` first, `done` last, exactly once each.
    pub fn assert_complete(&self) {
        assert!(
            matches!(self.events.first(), Some(ChatEvent::Started { .. })),
            "{:?}",
            self.events
        );
        assert_eq!(
            self.events.last(),
            Some(&ChatEvent::Done),
            "{:?}",
            self.events
        );
        assert_eq!(
            self.events
                .iter()
                .filter(|e| matches!(e, ChatEvent::Done))
                .count(),
            1
        );
    }
}

/// `POST /api/chat` with a raw body.
pub async fn post_chat(session: &Session, body: &Value) -> reqwest::Response {
    session
        .request(reqwest::Method::POST, "/api/chat")
        .json(body)
        .send()
        .await
        .expect("POST /api/chat")
}

/// Opens a chat turn (asserting 200 and an event stream).
pub async fn open(session: &Session, message: &str, conversation: Option<&str>) -> ChatStream {
    let response = post_chat(
        session,
        &json!({ "message": message, "conversation": conversation }),
    )
    .await;
    let status = response.status();
    assert_eq!(
        response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("text/event-stream"),
        "status {status}"
    );
    ChatStream {
        response,
        buffer: String::new(),
        pending: VecDeque::new(),
        raw: String::new(),
        events: Vec::new(),
    }
}

/// `POST /api/chat/confirm/{id}` with `token`; returns the status.
pub async fn confirm_with(session: &Session, token: &str, id: &str, allow: bool) -> u16 {
    session
        .demo
        .http
        .post(session.demo.url(&format!("/api/chat/confirm/{id}")))
        .bearer_auth(token)
        .json(&json!({ "allow": allow }))
        .send()
        .await
        .expect("confirm")
        .status()
        .as_u16()
}

/// Runs a turn to its end, answering every confirmation with `answer`.
pub async fn chat(
    session: &Session,
    message: &str,
    conversation: Option<&str>,
    answer: Answer,
) -> Transcript {
    let mut stream = open(session, message, conversation).await;
    while let Some(event) = stream.next().await {
        if let ChatEvent::ConfirmRequest { confirmation, .. } = &event {
            let allow = match answer {
                Answer::Allow => true,
                Answer::Deny => false,
                Answer::Ignore => continue,
            };
            let status = confirm_with(session, &session.token, confirmation, allow).await;
            assert_eq!(status, 204, "confirming {confirmation}");
        }
    }
    let transcript = Transcript {
        events: stream.events,
        raw: stream.raw,
    };
    transcript.assert_complete();
    transcript
}

/// The user's `sub` (from the session token).
pub fn sub(session: &Session) -> String {
    crate::demo_as_support::decode_unverified(&session.token).1["sub"]
        .as_str()
        .expect("sub")
        .to_owned()
}

/// The user's activity entries, oldest first.
pub async fn activity(session: &Session) -> Vec<ActivityEntry> {
    let mut entries = session
        .demo
        .server
        .state
        .store
        .list_activity(&sub(session), 1000, None)
        .await
        .expect("activity");
    entries.reverse();
    entries
}

/// The activity entries of one chat turn, oldest first.
pub async fn turn_activity(session: &Session, turn: &str) -> Vec<ActivityEntry> {
    activity(session)
        .await
        .into_iter()
        .filter(|e| e.group_id == turn)
        .collect()
}
