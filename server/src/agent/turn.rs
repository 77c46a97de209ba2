//! The loop of one turn with a model: call it with the tools, run the calls it makes,
//! feed the results back, at most `max_rounds` times; then it must answer.
//!
//! The text streams to the chat as it arrives. When the rounds are used up the chat
//! gets a notice and the model one last request with tools off (`tool_choice:
//! none`); calls it still makes are refused and recorded. A provider error ends the
//! turn with an `error` event. A closed chat stops the turn at the next wait (the
//! model's stream, a confirmation) without committing it to the conversation.

use pmt_wire::agent::ChatEvent;

use super::calls::{self, CallLimits, Cancelled};
use super::conversations::Lease;
use super::llm::{
    Block, Event, LlmClient, LlmError, Message, ModelCall, Request, Role, StopReason, ToolChoice,
    ToolDef,
};
use super::{prompt, Turn};
use crate::tools;

/// Most tool calls run from one answer of the model; the rest are refused.
pub const MAX_CALLS_PER_ROUND: usize = 10;

/// Added to the last tool results when the rounds are used up.
pub const ROUND_LIMIT_NOTE: &str = "[The tool round limit for this message is reached. \
    Tools are off now: answer the user with what you have, and say briefly what you \
    could not get to.]";

/// What the model said in one round.
#[derive(Debug, Default)]
struct Reply {
    text: String,
    calls: Vec<ModelCall>,
    stop: Option<StopReason>,
}

/// Why a round did not produce a reply.
#[derive(Debug)]
enum Halt {
    Cancelled,
    Failed(LlmError),
}

/// The tools as the model sees them.
pub fn tool_defs() -> Vec<ToolDef> {
    tools::specs()
        .into_iter()
        .map(|s| ToolDef {
            name: s.name,
            description: s.description,
            input_schema: s.input_schema,
        })
        .collect()
}

/// Runs the turn for `message` in `lease`'s conversation.
pub async fn converse(turn: &Turn, llm: &LlmClient, lease: &mut Lease, message: String) {
    let settings = llm.settings().clone();
    let limits = CallLimits {
        result_max_chars: settings.tool_result_max_chars,
        confirm_timeout: settings.confirm_timeout,
    };
    let system = prompt::system(now_unix(), &turn.state.config.time_zone);
    let tools = tool_defs();
    let mut messages = lease.history.clone();
    messages.push(Message::user_text(message));
    let mut rounds = 0;
    loop {
        let last = rounds >= settings.max_rounds;
        let request = Request {
            model: &settings.model,
            system: &system,
            messages: &messages,
            tools: &tools,
            tool_choice: if last {
                ToolChoice::None
            } else {
                ToolChoice::Auto
            },
            max_tokens: settings.max_tokens,
        };
        let reply = match round(turn, llm, &request).await {
            Ok(reply) => reply,
            Err(Halt::Cancelled) => return,
            Err(Halt::Failed(e)) => {
                tracing::warn!(error = %e, "model call failed");
                turn.out
                    .send(ChatEvent::Error {
                        message: e.to_string(),
                    })
                    .await;
                if rounds > 0 {
                    // Keep what the tools did in the conversation, closed by a note.
                    messages.push(assistant(vec![Block::Text(format!(
                        "(My answer was cut off: {e})"
                    ))]));
                    lease.commit(messages);
                }
                return;
            }
        };
        if last || reply.calls.is_empty() {
            for call in &reply.calls {
                calls::skip(
                    turn,
                    call,
                    &format!(
                        "the limit of {} tool rounds was reached",
                        settings.max_rounds
                    ),
                )
                .await;
            }
            finish(turn, &reply).await;
            let text = if reply.text.trim().is_empty() {
                "(no answer)".to_owned()
            } else {
                reply.text
            };
            messages.push(assistant(vec![Block::Text(text)]));
            lease.commit(messages);
            return;
        }
        let mut content = Vec::with_capacity(reply.calls.len() + 1);
        if !reply.text.is_empty() {
            content.push(Block::Text(reply.text.clone()));
        }
        for call in &reply.calls {
            content.push(Block::ToolUse {
                id: call.id.clone(),
                name: call.name.clone(),
                input: match &call.arguments {
                    Ok(v) if v.is_object() => v.clone(),
                    _ => serde_json::json!({}),
                },
            });
        }
        messages.push(assistant(content));
        let mut results = Vec::with_capacity(reply.calls.len() + 1);
        for (i, call) in reply.calls.iter().enumerate() {
            let block = if i >= MAX_CALLS_PER_ROUND {
                calls::skip(
                    turn,
                    call,
                    &format!("at most {MAX_CALLS_PER_ROUND} tool calls are run per round"),
                )
                .await
            } else {
                match calls::run(turn, limits, call).await {
                    Ok(block) => block,
                    Err(Cancelled) => return,
                }
            };
            results.push(block);
        }
        rounds += 1;
        if rounds >= settings.max_rounds {
            turn.out
                .send(ChatEvent::Notice {
                    message: format!(
                        "Todaygent used all {} tool rounds for this message; it answers now \
                         with what it has.",
                        settings.max_rounds
                    ),
                })
                .await;
            results.push(Block::Text(ROUND_LIMIT_NOTE.to_owned()));
        }
        messages.push(Message {
            role: Role::User,
            content: results,
        });
    }
}

/// One model call, its text streamed to the chat as it comes.
async fn round(turn: &Turn, llm: &LlmClient, request: &Request<'_>) -> Result<Reply, Halt> {
    let mut stream = tokio::select! {
        started = llm.start(request) => started.map_err(Halt::Failed)?,
        () = turn.out.closed() => return Err(Halt::Cancelled),
    };
    let mut reply = Reply::default();
    loop {
        let next = tokio::select! {
            next = stream.next() => next,
            () = turn.out.closed() => return Err(Halt::Cancelled),
        };
        match next {
            None => return Ok(reply),
            Some(Err(e)) => return Err(Halt::Failed(e)),
            Some(Ok(Event::Text(delta))) => {
                reply.text.push_str(&delta);
                turn.out.send(ChatEvent::Text { delta }).await;
            }
            Some(Ok(Event::ToolCall(call))) => reply.calls.push(call),
            Some(Ok(Event::Stop(stop))) => reply.stop = Some(stop),
            Some(Ok(Event::Usage(u))) => tracing::debug!(
                input = u.input_tokens,
                output = u.output_tokens,
                cache_read = u.cache_read_tokens,
                cache_write = u.cache_write_tokens,
                "model usage"
            ),
        }
    }
}

/// Notices for an answer that ended unusually.
async fn finish(turn: &Turn, reply: &Reply) {
    let notice = match reply.stop {
        Some(StopReason::MaxTokens) => {
            Some("The answer hit the configured length limit (max_tokens) and was cut short.")
        }
        Some(StopReason::Refusal) => Some("The model declined to answer this."),
        _ if reply.text.trim().is_empty() => Some("Todaygent had nothing to say to that."),
        _ => None,
    };
    if let Some(message) = notice {
        turn.out
            .send(ChatEvent::Notice {
                message: message.to_owned(),
            })
            .await;
    }
}

fn assistant(content: Vec<Block>) -> Message {
    Message {
        role: Role::Assistant,
        content,
    }
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
