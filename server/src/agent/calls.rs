//! One tool call of the model, from its raw form to the result the model reads.
//!
//! Every call shows in the chat (`tool_call`, then `tool_result`) and lands in the
//! activity trail. Arguments that are not JSON never reach the registry; unknown
//! names and arguments that fail the schema are refused by it (for a write, by its
//! `describe`, before the user is asked) and recorded. A write is described to the user first and runs only after their
//! Allow, with [`Consent::Allowed`]; Deny, no answer in time, or a closed chat mean it
//! does not run, and the trail says so.

use pmt_wire::activity::{Confirmation, Outcome};
use pmt_wire::agent::ChatEvent;

use super::llm::{Block, ModelCall};
use super::results::{display_name, for_model, summarize_arguments};
use super::Turn;
use crate::tools::record::{self, Entry};
use crate::tools::{self, Consent, ToolCall, ToolError};

/// The chat closed while the call waited: the turn stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

/// Limits a call runs under.
#[derive(Debug, Clone, Copy)]
pub struct CallLimits {
    /// Longest result the model reads.
    pub result_max_chars: usize,
    /// How long a confirmation waits.
    pub confirm_timeout: std::time::Duration,
}

/// How a confirmation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Allowed,
    Denied,
    TimedOut,
    ChatClosed,
}

/// Runs (or refuses) one call and returns the result block for the model.
///
/// # Errors
/// [`Cancelled`] when the chat closed while a confirmation waited (the write did not
/// run and is recorded as denied).
pub async fn run(turn: &Turn, limits: CallLimits, call: &ModelCall) -> Result<Block, Cancelled> {
    let name = display_name(&call.name);
    let spec = tools::specs().into_iter().find(|s| s.name == call.name);
    let write = spec.as_ref().is_some_and(|s| s.write);
    let arguments = match &call.arguments {
        Ok(v) => v.clone(),
        Err(why) => {
            turn.out
                .send(ChatEvent::ToolCall {
                    call_id: call.id.clone(),
                    tool: name.clone(),
                    summary: "arguments that are not valid JSON".to_owned(),
                    write,
                })
                .await;
            let detail = format!("not run: the arguments were not valid JSON ({why})");
            record(
                turn,
                &name,
                write,
                "(not valid JSON)",
                Outcome::Refused,
                Confirmation::NotNeeded,
                &detail,
            )
            .await;
            let model = format!(
                "Not run: your arguments for {name} were not valid JSON ({why}). Nothing \
                 was done. Send the arguments as one JSON object that matches the tool's schema."
            );
            return Ok(not_run(
                turn,
                call,
                "Not run: the arguments were not valid JSON.",
                model,
            )
            .await);
        }
    };
    let summary = summarize_arguments(&arguments);
    announce(turn, call, &name, &summary, write).await;
    let tool_call = ToolCall {
        name: call.name.clone(),
        arguments,
    };
    if write {
        confirm_then_run(turn, limits, call, &tool_call, &name, &summary).await
    } else {
        Ok(run_registry(turn, limits, call, &tool_call, Consent::None).await)
    }
}

/// Asks the user, waits, and runs the write only on Allow.
async fn confirm_then_run(
    turn: &Turn,
    limits: CallLimits,
    call: &ModelCall,
    tool_call: &ToolCall,
    name: &str,
    summary: &str,
) -> Result<Block, Cancelled> {
    let description = match tools::describe(&turn.state, &turn.user, tool_call).await {
        Ok(d) => d,
        Err(e) => {
            // Nothing to confirm: the call cannot run as asked (bad arguments, no such
            // task, a kind that cannot be dismissed). It never reaches the registry.
            let detail = format!("not run: {e}");
            record(
                turn,
                name,
                true,
                summary,
                Outcome::Refused,
                Confirmation::NotNeeded,
                &detail,
            )
            .await;
            return Ok(refused(turn, call, &e).await);
        }
    };
    let sub = turn.user.claims.sub.clone();
    let Ok(mut waiting) = turn.state.agent.confirmations().register(&sub) else {
        let detail = "not run: too many confirmations are waiting";
        record(
            turn,
            name,
            true,
            summary,
            Outcome::Refused,
            Confirmation::NotNeeded,
            detail,
        )
        .await;
        let model = "Not run: too many confirmations are already waiting. Nothing was changed.";
        return Ok(not_run(
            turn,
            call,
            "Not run: too many confirmations are waiting.",
            model.to_owned(),
        )
        .await);
    };
    let confirmation = waiting.id.clone();
    turn.out
        .send(ChatEvent::ConfirmRequest {
            confirmation: confirmation.clone(),
            tool: name.to_owned(),
            description,
        })
        .await;
    let answer = tokio::select! {
        allow = waiting.answer() => if allow { Answer::Allowed } else { Answer::Denied },
        () = tokio::time::sleep(limits.confirm_timeout) => Answer::TimedOut,
        () = turn.out.closed() => Answer::ChatClosed,
    };
    drop(waiting);
    if answer != Answer::ChatClosed {
        turn.out
            .send(ChatEvent::ConfirmResolved {
                confirmation,
                allowed: answer == Answer::Allowed,
            })
            .await;
    }
    let (detail, chat, model) = match answer {
        Answer::Allowed => {
            return Ok(run_registry(turn, limits, call, tool_call, Consent::Allowed).await)
        }
        Answer::Denied => (
            "denied by the user; not run",
            "Denied: nothing was changed.",
            "The user denied this action. It was not done; nothing was changed.",
        ),
        Answer::TimedOut => (
            "no answer in time (counts as denied); not run",
            "No answer in time: nothing was changed.",
            "The user did not answer the confirmation in time, so this was not done; \
             nothing was changed.",
        ),
        Answer::ChatClosed => (
            "the chat was closed before an answer (counts as denied); not run",
            "",
            "",
        ),
    };
    if answer == Answer::Denied {
        tools::record_denied(&turn.trail, tool_call).await;
    } else {
        record(
            turn,
            name,
            true,
            summary,
            Outcome::Refused,
            Confirmation::Denied,
            detail,
        )
        .await;
    }
    if answer == Answer::ChatClosed {
        return Err(Cancelled);
    }
    Ok(not_run(turn, call, chat, model.to_owned()).await)
}

/// Runs a call through the registry (which records it) and reports the result.
async fn run_registry(
    turn: &Turn,
    limits: CallLimits,
    call: &ModelCall,
    tool_call: &ToolCall,
    consent: Consent,
) -> Block {
    match tools::call(&turn.state, &turn.user, &turn.trail, tool_call, consent).await {
        Ok(output) => {
            turn.out
                .send(ChatEvent::ToolResult {
                    call_id: call.id.clone(),
                    ok: true,
                    summary: output.summary.clone(),
                })
                .await;
            Block::ToolResult {
                id: call.id.clone(),
                content: for_model(&output.content, limits.result_max_chars),
                is_error: false,
            }
        }
        Err(e) => refused(turn, call, &e).await,
    }
}

/// Reports a registry refusal or failure to the chat and returns it for the model.
async fn refused(turn: &Turn, call: &ModelCall, error: &ToolError) -> Block {
    let chat = match error {
        ToolError::UnknownTool(_) => "Not run: no such tool.".to_owned(),
        other => format!("Not run: {other}."),
    };
    not_run(turn, call, &chat, model_text(error)).await
}

/// Tells the chat a call did not run (`chat`) and returns what the model reads.
async fn not_run(turn: &Turn, call: &ModelCall, chat: &str, model: String) -> Block {
    turn.out
        .send(ChatEvent::ToolResult {
            call_id: call.id.clone(),
            ok: false,
            summary: chat.to_owned(),
        })
        .await;
    error_block(call, model)
}

/// What the model reads about a refused or failed call.
pub fn model_text(error: &ToolError) -> String {
    match error {
        ToolError::UnknownTool(name) => {
            let names: Vec<String> = tools::specs().into_iter().map(|s| s.name).collect();
            format!(
                "There is no tool named {:?}: no such tool. Nothing was done. Your tools are: {}. \
                 No tool can change anything at a source (issues, pull requests, email, \
                 Slack, calendar, documents); if the user asked for that, tell them plainly: \
                 \"My maker didn't trust me with permission to do that.\"",
                display_name(name),
                names.join(", ")
            )
        }
        ToolError::InvalidArguments { .. } => {
            format!("Not run: {error}. Nothing was done. Check the tool's schema and try again.")
        }
        ToolError::NeedsConfirmation(_) => format!("Not run: {error}. Nothing was done."),
        ToolError::Failed(_) | ToolError::Unavailable(_) => {
            format!("The tool failed: {error}. Nothing was changed.")
        }
        ToolError::NotFound(_) | ToolError::Conflict(_) => {
            format!("Not run: {error}. Nothing was changed.")
        }
    }
}

/// Tells the chat which tool the model called, with what, before anything runs.
async fn announce(turn: &Turn, call: &ModelCall, name: &str, summary: &str, write: bool) {
    turn.out
        .send(ChatEvent::ToolCall {
            call_id: call.id.clone(),
            tool: name.to_owned(),
            summary: summary.to_owned(),
            write,
        })
        .await;
}

fn error_block(call: &ModelCall, content: String) -> Block {
    Block::ToolResult {
        id: call.id.clone(),
        content,
        is_error: true,
    }
}

/// Records a call that never reached the registry, or a write the user did not allow
/// (through the registry's recorder, which redacts anything token-like).
async fn record(
    turn: &Turn,
    tool: &str,
    write: bool,
    arguments: &str,
    outcome: Outcome,
    confirmation: Confirmation,
    detail: &str,
) {
    let entry = Entry {
        tool,
        write,
        arguments,
        confirmation,
        detail,
    };
    record::append(&turn.trail, outcome, entry, Some(turn.user.token.expose())).await;
}

/// The arguments a refused-for-cap call had, for the trail.
pub fn arguments_summary(call: &ModelCall) -> String {
    match &call.arguments {
        Ok(v) => summarize_arguments(v),
        Err(_) => "(not valid JSON)".to_owned(),
    }
}

/// Reports a call that is not run because of a limit (round cap, calls per round).
pub async fn skip(turn: &Turn, call: &ModelCall, why: &str) -> Block {
    let name = display_name(&call.name);
    let write = tools::specs()
        .into_iter()
        .any(|s| s.name == call.name && s.write);
    let summary = arguments_summary(call);
    announce(turn, call, &name, &summary, write).await;
    record(
        turn,
        &name,
        write,
        &summary,
        Outcome::Refused,
        Confirmation::NotNeeded,
        &format!("not run: {why}"),
    )
    .await;
    turn.out
        .send(ChatEvent::ToolResult {
            call_id: call.id.clone(),
            ok: false,
            summary: format!("Not run: {why}."),
        })
        .await;
    error_block(call, format!("Not run: {why}. Nothing was done."))
}
