//! The tool registry: the one list of what Todaygent and MCP clients may do, each
//! tool with a typed input schema, a read/write flag and a description an LLM can use.
//!
//! No tool changes anything at a source: the writes (`dismiss_task`,
//! `restore_task`, `set_task_priority`) change local decisions only. A write never
//! runs without [`Consent`]: the agent passes [`Consent::None`] until the user pressed
//! Allow in the chat, so an unconfirmed write is refused here, whatever the model says.
//! Every call is recorded in the activity trail.
//!
//! - [`specs`]: names, descriptions and input schemas.
//! - [`args`]: arguments checked against the schemas; their one-line summaries.
//! - [`reads`]: today's list, refresh, one source now, the day plan.
//! - [`decide`]: the local decisions (the only writes).
//! - [`record`]: the activity entry of every call, tokens redacted.
//! - [`today`]: the list and plan as the dashboard shows them (store reads).
//! - [`view`]: tasks as a model reads them.
//!
//! A call goes: name → arguments → consent (writes) → run, and whichever step ends
//! it, one activity entry says how ([`record`] explains the confirmation recorded).

pub mod args;
pub mod decide;
pub mod reads;
pub mod record;
pub mod specs;
pub mod today;
pub mod view;

use pmt_wire::activity::{Confirmation, Outcome};
use pmt_wire::Source;

use crate::activity::Trail;
use crate::auth::AuthUser;
use crate::AppState;
use args::Args;
use decide::Decision;
use record::Entry;

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
    specs::all().into_iter().map(specs::spec).collect()
}

/// Looks a tool up by its wire name.
pub fn find(name: &str) -> Option<ToolName> {
    ToolName::parse(name)
}

/// Checks a call's name and arguments without running it, and says in words what a
/// write would do ("Dismiss 'Weekly digest' (Gmail)"), for the confirmation prompt.
/// Nothing is recorded: the caller records what it does with the answer.
///
/// # Errors
/// Unknown tool, invalid arguments, unknown task, a task that cannot be dismissed.
pub async fn describe(
    state: &AppState,
    user: &AuthUser,
    call: &ToolCall,
) -> Result<String, ToolError> {
    let tool = find(&call.name).ok_or_else(|| ToolError::UnknownTool(call.name.clone()))?;
    let args = args::parse(tool, &call.arguments)?;
    if let Some((id, decision)) = write_of(tool, &args) {
        let task = decide::check(state, &user.claims.sub, id, decision).await?;
        return Ok(decide::describe(&task, decision));
    }
    Ok(match tool {
        ToolName::GetTodaysTasks => "Read today's task list (the stored snapshot)".to_owned(),
        ToolName::RefreshAllSources => "Fetch every source now".to_owned(),
        ToolName::ReadSource(source) => format!("Fetch {} now", source.label()),
        ToolName::PlanMyDay => "Build today's plan".to_owned(),
        other => specs::spec(other).title,
    })
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
    let secret = Some(user.token.expose());
    let Some(tool) = find(&call.name) else {
        let error = ToolError::UnknownTool(call.name.clone());
        let entry = Entry {
            tool: &call.name,
            write: false,
            arguments: &args::raw_summary(&call.arguments),
            confirmation: Confirmation::NotNeeded,
            detail: &format!("not run: {error}"),
        };
        record::append(trail, Outcome::Refused, entry, secret).await;
        return Err(error);
    };
    let name = tool.name();
    let write = tool.is_write();
    let confirmation = record::confirmation(write, consent);
    let args = match args::parse(tool, &call.arguments) {
        Ok(args) => args,
        Err(error) => {
            let entry = Entry {
                tool: &name,
                write,
                arguments: &args::raw_summary(&call.arguments),
                confirmation,
                detail: &format!("not run: {error}"),
            };
            record::append(trail, Outcome::Refused, entry, secret).await;
            return Err(error);
        }
    };
    let summary = args::summary(&args);
    let result = if write && consent == Consent::None {
        Err(ToolError::NeedsConfirmation(name.clone()))
    } else {
        run(state, user, trail, tool, args).await
    };
    let (outcome, detail) = match &result {
        Ok(output) => (Outcome::Ok, output.summary.clone()),
        Err(e @ ToolError::NeedsConfirmation(_)) => (
            Outcome::Refused,
            format!("not run: no confirmation given ({e})"),
        ),
        Err(e) => (record::outcome(e), e.to_string()),
    };
    let entry = Entry {
        tool: &name,
        write,
        arguments: &summary,
        confirmation,
        detail: &detail,
    };
    record::append(trail, outcome, entry, secret).await;
    result
}

/// Records a write the user denied (pressed Deny, or let the confirmation lapse): it
/// did not run. Outcome refused, [`Confirmation::Denied`].
pub async fn record_denied(trail: &Trail, call: &ToolCall) {
    let tool = find(&call.name);
    let arguments = match tool.map(|t| args::parse(t, &call.arguments)) {
        Some(Ok(args)) => args::summary(&args),
        _ => args::raw_summary(&call.arguments),
    };
    let entry = Entry {
        tool: &call.name,
        write: tool.is_some_and(ToolName::is_write),
        arguments: &arguments,
        confirmation: Confirmation::Denied,
        detail: "not run: the user denied it",
    };
    record::append(trail, Outcome::Refused, entry, None).await;
}

/// Runs a checked call.
async fn run(
    state: &AppState,
    user: &AuthUser,
    trail: &Trail,
    tool: ToolName,
    args: Args,
) -> Result<ToolOutput, ToolError> {
    if let Some((id, decision)) = write_of(tool, &args) {
        return decide::apply(state, &user.claims.sub, id, decision).await;
    }
    match (tool, &args) {
        (ToolName::GetTodaysTasks, Args::GetTodaysTasks(filter)) => {
            reads::get_todays_tasks(state, user, filter).await
        }
        (ToolName::RefreshAllSources, Args::None) => {
            reads::refresh_all_sources(state, user, trail).await
        }
        (ToolName::ReadSource(source), Args::None) => {
            reads::read_source(state, user, trail, source).await
        }
        (ToolName::PlanMyDay, Args::None) => reads::plan_my_day(state, user).await,
        (tool, _) => Err(ToolError::Failed(format!(
            "{} got arguments it does not take",
            tool.name()
        ))),
    }
}

/// The task and decision of a write call (its arguments checked); `None` for reads.
fn write_of(tool: ToolName, args: &Args) -> Option<(&pmt_wire::TaskId, Decision)> {
    match (tool, args) {
        (ToolName::DismissTask, Args::Task(id)) => Some((id, Decision::Dismiss)),
        (ToolName::RestoreTask, Args::Task(id)) => Some((id, Decision::Restore)),
        (ToolName::SetTaskPriority, Args::Priority(id, p)) => Some((id, Decision::Priority(*p))),
        _ => None,
    }
}
