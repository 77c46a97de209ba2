//! The activity trail: every token exchange and every tool call made on the user's
//! behalf (`GET /api/activity`). Entries never carry a token value.

use serde::{Deserialize, Serialize};

/// Who asked for the access or the tool call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// The user, through the dashboard.
    Ui,
    /// Todaygent, the planning agent.
    Agent,
    /// An MCP client (its client id is in [`ActivityEntry::client`]).
    Mcp,
}

/// What groups entries in the Activity view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    /// One refresh (all its exchanges).
    Refresh,
    /// One chat turn (the agent's tool calls and the exchanges they caused).
    ChatTurn,
    /// One MCP request.
    Mcp,
    /// One dashboard action.
    Action,
}

/// How an exchange or call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Done.
    Ok,
    /// Refused (by the authorization server, the schema, the user, the permission model).
    Refused,
    /// Failed (network, timeout, an error at the source).
    Failed,
}

/// Whether the user confirmed a write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confirmation {
    /// The call needed no confirmation (a read, or the user's own click).
    NotNeeded,
    /// The user allowed it.
    Allowed,
    /// The user denied it (the call did not run).
    Denied,
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ActivityEvent {
    /// An RFC 8693 token exchange for one resource.
    Exchange {
        /// The resource (RFC 8707) asked for.
        resource: String,
        /// The source it was for (`google_calendar`, …), when it was for a source.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source: Option<String>,
        /// Scopes asked for (space-separated).
        requested_scope: String,
        /// Scopes granted (space-separated; empty when refused).
        granted_scope: String,
        /// How long the exchange took, milliseconds.
        duration_ms: u64,
        /// The authorization server's reason when it refused (its `error` and
        /// `error_description`), or what failed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// A call of a registry tool.
    ToolCall {
        /// The tool's name.
        tool: String,
        /// Whether the tool writes (local decisions only).
        write: bool,
        /// A short summary of the arguments (never a token).
        arguments: String,
        /// Whether the user confirmed it.
        confirmation: Confirmation,
        /// A short summary of the result or the reason it did not run.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        detail: String,
    },
}

/// One entry of the trail: app → user → resource.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEntry {
    /// Row id (increasing).
    pub id: i64,
    /// When, Unix milliseconds.
    pub at_ms: i64,
    /// The OAuth client (the app) acting: the PWA's client id or the MCP client's.
    pub client: String,
    /// The user on whose behalf (subject; email when known).
    pub user: String,
    /// Who asked.
    pub actor: Actor,
    /// The group's kind.
    pub group_kind: GroupKind,
    /// The group's id (one refresh, one chat turn, one MCP request).
    pub group_id: String,
    /// How it ended.
    pub outcome: Outcome,
    /// What happened.
    #[serde(flatten)]
    pub event: ActivityEvent,
}

/// `GET /api/activity`: the newest entries first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityPage {
    /// Entries, newest first.
    pub entries: Vec<ActivityEntry>,
}
