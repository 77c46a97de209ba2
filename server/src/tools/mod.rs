//! The tool registry: the one list of what Todaygent and MCP clients may do, each
//! tool with a typed input schema, a read/write flag and a description an LLM can use.
//!
//! No tool changes anything at a source: the writes (`dismiss_task`,
//! `restore_task`, `set_task_priority`) change local decisions only. A write never
//! runs without [`Consent`]: the agent passes [`Consent::None`] until the user pressed
//! Allow in the chat, so an unconfirmed write is refused here, whatever the model says.
//! Every call is recorded in the activity trail.

use pmt_wire::Source;

use crate::activity::Trail;
use crate::auth::AuthUser;
use crate::AppState;

/// Every tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ToolName {
    /// `get_todays_tasks`: the cached snapshot (no fetch).
    GetTodaysTasks,
    /// `refresh_all_sources`: fetch every enabled source now.
    RefreshAllSources,
    /// `read_<source>`: fetch one source now (one token exchange).
    ReadSource(Source),
    /// `dismiss_task` (write, local).
    DismissTask,
    /// `restore_task` (write, local).
    RestoreTask,
    /// `set_task_priority` (write, local).
    SetTaskPriority,
    /// `plan_my_day`: the time-blocked schedule.
    PlanMyDay,
}

/// Why a write may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    /// None given: reads run, writes are refused.
    None,
    /// The user's own click in the dashboard.
    UserAction,
    /// The user pressed Allow on the agent's proposal.
    Allowed,
    /// An MCP client, which asks its user before a destructive tool.
    McpClient,
}

/// A tool's description for an LLM or an MCP client.
#[derive(Debug, Clone)]
pub struct ToolSpec {
    /// Which tool.
    pub tool: ToolName,
    /// Its wire name (`get_todays_tasks`, `read_linear`, …).
    pub name: String,
    /// A short human title.
    pub title: String,
    /// What it does, when to use it, what it returns.
    pub description: String,
    /// JSON Schema of its arguments (an object schema).
    pub input_schema: serde_json::Value,
    /// Whether it writes (local decisions only).
    pub write: bool,
}

/// A call as an LLM or MCP client made it: a name and JSON arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCall {
    /// The tool's wire name (may be unknown).
    pub name: String,
    /// The arguments (may fail the schema).
    pub arguments: serde_json::Value,
}

/// What a successful call returns.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolOutput {
    /// The result, as JSON for the model or the MCP client.
    pub content: serde_json::Value,
    /// One line for the chat and the activity trail.
    pub summary: String,
}

/// Why a call did not run or failed. The texts are for the model and the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToolError {
    /// No tool has that name.
    #[error("there is no tool named {0:?}")]
    UnknownTool(String),
    /// The arguments do not fit the schema.
    #[error("invalid arguments for {tool}: {message}")]
    InvalidArguments {
        /// The tool.
        tool: String,
        /// What is wrong.
        message: String,
    },
    /// A write without consent.
    #[error("{0} changes your plan and needs your confirmation first")]
    NeedsConfirmation(String),
    /// No such task.
    #[error("no task {0} in today's plan")]
    NotFound(String),
    /// Not allowed for this task (e.g. dismissing a kind the source tracks).
    #[error("{0}")]
    Conflict(String),
    /// The source is off or not configured.
    #[error("{0}")]
    Unavailable(String),
    /// The work failed (store, source, exchange).
    #[error("{0}")]
    Failed(String),
}

/// The registry: every tool's spec, in a stable order.
pub fn specs() -> Vec<ToolSpec> {
    Vec::new()
}

/// Looks a tool up by its wire name.
pub fn find(name: &str) -> Option<ToolName> {
    let _ = name;
    None
}

/// Checks a call's name and arguments without running it, and says in words what a
/// write would do ("Dismiss 'Weekly digest' (Gmail)"), for the confirmation prompt.
///
/// # Errors
/// Unknown tool, invalid arguments, unknown task.
pub async fn describe(
    state: &AppState,
    user: &AuthUser,
    call: &ToolCall,
) -> Result<String, ToolError> {
    let _ = (state, user);
    Err(ToolError::UnknownTool(call.name.clone()))
}

/// Runs a call for `user`, recording it (and any token exchange it makes) in `trail`.
///
/// # Errors
/// See [`ToolError`]; a write without consent is [`ToolError::NeedsConfirmation`].
pub async fn call(
    state: &AppState,
    user: &AuthUser,
    trail: &Trail,
    call: &ToolCall,
    consent: Consent,
) -> Result<ToolOutput, ToolError> {
    let _ = (state, user, trail, consent);
    Err(ToolError::UnknownTool(call.name.clone()))
}
