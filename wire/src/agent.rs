//! Todaygent's chat: `POST /api/chat` streams a turn as Server-Sent Events; a write
//! the agent proposes waits for `POST /api/chat/confirm/{id}`.
//!
//! Each SSE event's name is [`ChatEvent::name`] and its `data` is the JSON of the
//! event (the enum's internally tagged form, so `data` alone also round-trips).

use serde::{Deserialize, Serialize};

/// Longest user message accepted, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4000;

/// `POST /api/chat`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatRequest {
    /// The conversation to continue; `None` starts a new one.
    #[serde(default)]
    pub conversation: Option<String>,
    /// What the user wrote.
    pub message: String,
}

/// `POST /api/chat/confirm/{id}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmRequest {
    /// `true` = Allow, `false` = Deny.
    pub allow: bool,
}

/// `GET /api/chat/status`: whether an LLM is configured.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatStatus {
    /// `anthropic` or `openai` when configured.
    #[serde(default)]
    pub provider: Option<String>,
    /// The model name when configured.
    #[serde(default)]
    pub model: Option<String>,
}

/// One event of a chat turn.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChatEvent {
    /// The turn began; ids for follow-ups and the activity trail.
    Started {
        /// The conversation (send it back to continue).
        conversation: String,
        /// This turn (the activity group id).
        turn: String,
    },
    /// A piece of the agent's answer (markdown-ish plain text).
    Text {
        /// The text to append.
        delta: String,
    },
    /// The agent called a tool.
    ToolCall {
        /// The call's id.
        call_id: String,
        /// The tool's name.
        tool: String,
        /// A short summary of the arguments.
        summary: String,
        /// Whether it writes.
        write: bool,
    },
    /// A tool call finished (or was refused).
    ToolResult {
        /// The call's id.
        call_id: String,
        /// Whether it succeeded.
        ok: bool,
        /// A short summary of the result.
        summary: String,
    },
    /// The agent wants to run a write tool; the turn waits for Allow or Deny.
    ConfirmRequest {
        /// Send the answer to `/api/chat/confirm/{confirmation}`.
        confirmation: String,
        /// The tool.
        tool: String,
        /// What it will do, in words ("Dismiss 'Weekly digest' (gmail)").
        description: String,
    },
    /// The user answered a confirmation (or it expired: `allowed` false).
    ConfirmResolved {
        /// Which confirmation.
        confirmation: String,
        /// Whether the write ran.
        allowed: bool,
    },
    /// Something the user should know that is not the agent speaking (no LLM
    /// configured, the round cap was reached).
    Notice {
        /// The message.
        message: String,
    },
    /// The turn failed; the message says what to do.
    Error {
        /// The message.
        message: String,
    },
    /// The turn is over.
    Done,
}

impl ChatEvent {
    /// The SSE event name (the `type` tag).
    pub fn name(&self) -> &'static str {
        match self {
            ChatEvent::Started { .. } => "started",
            ChatEvent::Text { .. } => "text",
            ChatEvent::ToolCall { .. } => "tool_call",
            ChatEvent::ToolResult { .. } => "tool_result",
            ChatEvent::ConfirmRequest { .. } => "confirm_request",
            ChatEvent::ConfirmResolved { .. } => "confirm_resolved",
            ChatEvent::Notice { .. } => "notice",
            ChatEvent::Error { .. } => "error",
            ChatEvent::Done => "done",
        }
    }

    /// The SSE `data`.
    ///
    /// # Errors
    /// When serialization fails (it does not for these types).
    pub fn data(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }

    /// An event from its SSE data; `None` for an unknown type or a bad shape.
    pub fn from_data(data: &str) -> Option<ChatEvent> {
        serde_json::from_str(data).ok()
    }
}

/// `PUT /api/sources/{source}`: turn a source on or off for this user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceSwitch {
    /// Whether the source is fetched.
    pub enabled: bool,
}

/// `POST /api/mcp/token` (demo mode): a token for a local MCP client.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpToken {
    /// The bearer token (audience: the MCP server).
    pub access_token: String,
    /// Seconds until it expires.
    pub expires_in: u64,
    /// The MCP server's URL.
    pub mcp_url: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip_through_their_data() {
        let events = [
            ChatEvent::Started {
                conversation: "c".into(),
                turn: "t".into(),
            },
            ChatEvent::Text { delta: "hi".into() },
            ChatEvent::ConfirmRequest {
                confirmation: "x".into(),
                tool: "dismiss_task".into(),
                description: "Dismiss".into(),
            },
            ChatEvent::Done,
        ];
        for e in events {
            let data = e.data().unwrap();
            assert!(
                data.contains(&format!("\"type\":\"{}\"", e.name())),
                "{data}"
            );
            assert_eq!(ChatEvent::from_data(&data), Some(e));
        }
        assert_eq!(ChatEvent::from_data("{\"type\":\"nope\"}"), None);
    }
}
