//! What a scripted model answers, in each provider's streaming format, and helpers
//! for scripts that read the request (the user's words, the tool results).

use std::time::Duration;

use serde_json::{json, Value};

use super::Flavor;

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Text, streamed in small pieces.
    Text(String),
    /// Optional text, then tool calls: (name, raw argument JSON, which may be broken).
    Calls {
        /// Text before the calls.
        text: String,
        /// The calls.
        calls: Vec<(String, String)>,
    },
    /// Text that ends at the token limit.
    Truncated(String),
    /// An HTTP error.
    Status {
        /// The status.
        status: u16,
        /// `Retry-After`.
        retry_after: Option<String>,
        /// The body.
        body: String,
    },
    /// No answer at all.
    Hang,
    /// The first event of `reply`, then silence with the connection open.
    StallAfter(Box<Reply>),
    /// A 200 that is not an event stream.
    NotStream(String),
    /// An event-stream body exactly as given.
    Raw(String),
}

impl Reply {
    /// Text.
    pub fn text(t: &str) -> Reply {
        Reply::Text(t.to_owned())
    }

    /// One tool call with arguments given as JSON.
    pub fn call(name: &str, arguments: Value) -> Reply {
        Reply::Calls {
            text: String::new(),
            calls: vec![(name.to_owned(), arguments.to_string())],
        }
    }

    /// Several tool calls with arguments given as JSON.
    pub fn calls(calls: &[(&str, Value)]) -> Reply {
        Reply::Calls {
            text: String::new(),
            calls: calls
                .iter()
                .map(|(n, a)| ((*n).to_owned(), a.to_string()))
                .collect(),
        }
    }

    /// An HTTP error with a provider-style body.
    pub fn status(status: u16, message: &str) -> Reply {
        Reply::Status {
            status,
            retry_after: None,
            body: json!({"type": "error", "error": {"type": "x", "message": message}}).to_string(),
        }
    }
}

/// The body split into small chunks, a little apart, like a real stream.
pub fn chunks(
    text: String,
) -> impl futures::Stream<Item = Result<String, std::io::Error>> + Send + 'static {
    let pieces: Vec<String> = text
        .as_bytes()
        .chunks(97)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    let ok = pieces.iter().all(|p| !p.contains('\u{fffd}'));
    // Cutting inside a UTF-8 character would garble it; send such bodies whole.
    let pieces = if ok { pieces } else { vec![text] };
    futures::stream::unfold(pieces.into_iter(), |mut it| async move {
        let next = it.next()?;
        tokio::time::sleep(Duration::from_millis(1)).await;
        Some((Ok(next), it))
    })
}

fn pieces(text: &str, size: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(size).map(|c| c.iter().collect()).collect()
}

/// The body of `reply` (a streamed kind) in `flavor`'s format, for request `n`.
pub fn encode(flavor: Flavor, n: usize, reply: &Reply) -> String {
    let (text, calls, stop) = match reply {
        Reply::Text(t) => (t.clone(), Vec::new(), "end"),
        Reply::Truncated(t) => (t.clone(), Vec::new(), "max"),
        Reply::Calls { text, calls } => (text.clone(), calls.clone(), "tools"),
        other => panic!("not a streamed reply: {other:?}"),
    };
    match flavor {
        Flavor::Anthropic => anthropic(n, &text, &calls, stop),
        Flavor::OpenAi => openai(n, &text, &calls, stop),
    }
}

fn sse(event: &str, data: Value) -> String {
    format!("event: {event}\ndata: {data}\n\n")
}

fn anthropic(n: usize, text: &str, calls: &[(String, String)], stop: &str) -> String {
    let mut out = sse(
        "message_start",
        json!({"type": "message_start", "message": {"id": format!("msg_{n}"), "type": "message",
            "role": "assistant", "content": [], "model": "scripted-model", "stop_reason": null,
            "usage": {"input_tokens": 100, "cache_creation_input_tokens": 0,
                      "cache_read_input_tokens": 2000, "output_tokens": 1}}}),
    );
    out.push_str(&sse("ping", json!({"type": "ping"})));
    let mut index = 0;
    if !text.is_empty() {
        out.push_str(&sse(
            "content_block_start",
            json!({"type": "content_block_start", "index": index,
                   "content_block": {"type": "text", "text": ""}}),
        ));
        for piece in pieces(text, 7) {
            out.push_str(&sse(
                "content_block_delta",
                json!({"type": "content_block_delta", "index": index,
                       "delta": {"type": "text_delta", "text": piece}}),
            ));
        }
        out.push_str(&sse(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": index}),
        ));
        index += 1;
    }
    for (i, (name, arguments)) in calls.iter().enumerate() {
        out.push_str(&sse(
            "content_block_start",
            json!({"type": "content_block_start", "index": index, "content_block":
                {"type": "tool_use", "id": format!("toolu_{n}_{i}"), "name": name, "input": {}}}),
        ));
        for piece in pieces(arguments, 11) {
            out.push_str(&sse(
                "content_block_delta",
                json!({"type": "content_block_delta", "index": index,
                       "delta": {"type": "input_json_delta", "partial_json": piece}}),
            ));
        }
        out.push_str(&sse(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": index}),
        ));
        index += 1;
    }
    let reason = match stop {
        "tools" => "tool_use",
        "max" => "max_tokens",
        _ => "end_turn",
    };
    out.push_str(&sse(
        "message_delta",
        json!({"type": "message_delta", "delta": {"stop_reason": reason, "stop_sequence": null},
               "usage": {"output_tokens": 42}}),
    ));
    out.push_str(&sse("message_stop", json!({"type": "message_stop"})));
    out
}

fn chunk(n: usize, delta: Value, finish: Option<&str>) -> String {
    let data = json!({"id": format!("chatcmpl-{n}"), "object": "chat.completion.chunk",
        "created": 1, "model": "scripted-model",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]});
    format!("data: {data}\n\n")
}

fn openai(n: usize, text: &str, calls: &[(String, String)], stop: &str) -> String {
    let mut out = chunk(n, json!({"role": "assistant", "content": ""}), None);
    for piece in pieces(text, 7) {
        out.push_str(&chunk(n, json!({"content": piece}), None));
    }
    for (i, (name, arguments)) in calls.iter().enumerate() {
        out.push_str(&chunk(
            n,
            json!({"tool_calls": [{"index": i, "id": format!("call_{n}_{i}"), "type": "function",
                "function": {"name": name, "arguments": ""}}]}),
            None,
        ));
        for piece in pieces(arguments, 11) {
            out.push_str(&chunk(
                n,
                json!({"tool_calls": [{"index": i, "function": {"arguments": piece}}]}),
                None,
            ));
        }
    }
    let finish = match stop {
        "tools" => "tool_calls",
        "max" => "length",
        _ => "stop",
    };
    out.push_str(&chunk(n, json!({}), Some(finish)));
    let usage = json!({"id": format!("chatcmpl-{n}"), "object": "chat.completion.chunk",
        "choices": [], "usage": {"prompt_tokens": 120, "completion_tokens": 30,
        "prompt_tokens_details": {"cached_tokens": 100}}});
    out.push_str(&format!("data: {usage}\n\n"));
    out.push_str("data: [DONE]\n\n");
    out
}

/// A tool result the backend sent back, as the scripted model sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct SeenResult {
    /// The call it answers.
    pub id: String,
    /// Its text.
    pub content: String,
    /// Whether it was marked as an error (OpenAI: an `Error: ` prefix).
    pub is_error: bool,
}

/// The messages of a request, whatever the flavor, as (role, value).
fn messages(body: &Value) -> Vec<Value> {
    body["messages"].as_array().cloned().unwrap_or_default()
}

/// The newest text the user typed (not tool results).
pub fn last_user_text(body: &Value) -> String {
    for m in messages(body).iter().rev() {
        if m["role"] != "user" {
            continue;
        }
        match &m["content"] {
            Value::String(s) if !s.starts_with('[') => return s.clone(),
            Value::Array(blocks) => {
                if blocks.iter().any(|b| b["type"] == "tool_result") {
                    continue;
                }
                let text: Vec<&str> = blocks.iter().filter_map(|b| b["text"].as_str()).collect();
                return text.join("\n");
            }
            _ => {}
        }
    }
    String::new()
}

/// The tool results at the end of the request (the last round's).
pub fn last_results(body: &Value) -> Vec<SeenResult> {
    let messages = messages(body);
    let Some(last) = messages.last() else {
        return Vec::new();
    };
    if let Some(blocks) = last["content"].as_array() {
        if last["role"] == "user" {
            return blocks
                .iter()
                .filter(|b| b["type"] == "tool_result")
                .map(|b| SeenResult {
                    id: b["tool_use_id"].as_str().unwrap_or_default().to_owned(),
                    content: b["content"].as_str().unwrap_or_default().to_owned(),
                    is_error: b["is_error"] == true,
                })
                .collect();
        }
    }
    // OpenAI: the tool messages after the last assistant message.
    let start = messages
        .iter()
        .rposition(|m| m["role"] == "assistant")
        .map_or(0, |i| i + 1);
    messages[start..]
        .iter()
        .filter(|m| m["role"] == "tool")
        .map(|m| {
            let content = m["content"].as_str().unwrap_or_default();
            SeenResult {
                id: m["tool_call_id"].as_str().unwrap_or_default().to_owned(),
                content: content.to_owned(),
                is_error: content.starts_with("Error: "),
            }
        })
        .collect()
}

/// Every tool result in the request.
pub fn all_results(body: &Value) -> Vec<SeenResult> {
    let mut out = Vec::new();
    for m in messages(body) {
        if m["role"] == "tool" {
            let content = m["content"].as_str().unwrap_or_default().to_owned();
            out.push(SeenResult {
                id: m["tool_call_id"].as_str().unwrap_or_default().to_owned(),
                is_error: content.starts_with("Error: "),
                content,
            });
        }
        for b in m["content"].as_array().into_iter().flatten() {
            if b["type"] == "tool_result" {
                out.push(SeenResult {
                    id: b["tool_use_id"].as_str().unwrap_or_default().to_owned(),
                    content: b["content"].as_str().unwrap_or_default().to_owned(),
                    is_error: b["is_error"] == true,
                });
            }
        }
    }
    out
}

/// Whether the request ends with tool results (the model is mid-turn).
pub fn mid_turn(body: &Value) -> bool {
    !last_results(body).is_empty()
}

/// The tool names the request offers.
pub fn tool_names(body: &Value) -> Vec<String> {
    body["tools"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| {
            t["name"]
                .as_str()
                .or_else(|| t["function"]["name"].as_str())
                .map(str::to_owned)
        })
        .collect()
}

/// Whether tools are switched off for this request.
pub fn tools_off(body: &Value) -> bool {
    body["tool_choice"] == "none" || body["tool_choice"]["type"] == "none"
}
