//! OpenAI-compatible chat completions: `POST {base_url}/chat/completions` with
//! `stream: true` — OpenAI itself, or a local model server that speaks the same API.
//!
//! Each `data:` chunk carries `choices[0].delta`: `content` pieces, and `tool_calls`
//! pieces keyed by `index` (the first with `id` and `function.name`, the rest with
//! fragments of `function.arguments`); `finish_reason` ends the choice, a last chunk
//! may carry `usage`, and `data: [DONE]` ends the stream. Tool results go back as
//! `role: "tool"` messages.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::error::clean;
use super::sse::Frame;
use super::{
    parse_arguments, Block, Event, LlmError, Message, ModelCall, Request, Role, StopReason,
    ToolChoice, Usage,
};

/// The JSON body of a request (pure).
pub fn request_body(request: &Request<'_>) -> Value {
    let system = format!("{}\n\n{}", request.system.rules, request.system.today);
    let mut messages = vec![json!({ "role": "system", "content": system })];
    for m in request.messages {
        messages.extend(message(m));
    }
    let mut body = json!({
        "model": request.model,
        "stream": true,
        "stream_options": { "include_usage": true },
        "max_tokens": request.max_tokens,
        "messages": messages,
    });
    if !request.tools.is_empty() {
        body["tools"] = request
            .tools
            .iter()
            .map(|t| {
                json!({ "type": "function", "function": {
                    "name": t.name,
                    "description": t.description,
                    "parameters": t.input_schema,
                } })
            })
            .collect();
        body["tool_choice"] = json!(match request.tool_choice {
            ToolChoice::Auto => "auto",
            ToolChoice::None => "none",
        });
    }
    body
}

/// OpenAI's own API wants `max_completion_tokens` (its newer models refuse
/// `max_tokens`); compatible servers know `max_tokens`, which the body carries by default.
pub fn use_max_completion_tokens(body: &mut Value) {
    if let Some(map) = body.as_object_mut() {
        if let Some(n) = map.remove("max_tokens") {
            map.insert("max_completion_tokens".to_owned(), n);
        }
    }
}

/// One of our messages as chat-completions messages (tool results become `tool`
/// messages, ahead of any text of the same turn).
fn message(m: &Message) -> Vec<Value> {
    let text: Vec<&str> = m
        .content
        .iter()
        .filter_map(|b| match b {
            Block::Text(t) if !t.is_empty() => Some(t.as_str()),
            _ => None,
        })
        .collect();
    let text = text.join("\n\n");
    match m.role {
        Role::User => {
            let mut out: Vec<Value> = m
                .content
                .iter()
                .filter_map(|b| match b {
                    Block::ToolResult {
                        id,
                        content,
                        is_error,
                    } => {
                        let content = if *is_error {
                            format!("Error: {content}")
                        } else {
                            content.clone()
                        };
                        Some(json!({ "role": "tool", "tool_call_id": id, "content": content }))
                    }
                    _ => None,
                })
                .collect();
            if !text.is_empty() || out.is_empty() {
                out.push(json!({ "role": "user", "content": text }));
            }
            out
        }
        Role::Assistant => {
            let calls: Vec<Value> = m
                .content
                .iter()
                .filter_map(|b| match b {
                    Block::ToolUse { id, name, input } => Some(json!({
                        "id": id, "type": "function",
                        "function": { "name": name, "arguments": input.to_string() },
                    })),
                    _ => None,
                })
                .collect();
            let mut out = json!({ "role": "assistant", "content": text });
            if !calls.is_empty() {
                if text.is_empty() {
                    out["content"] = Value::Null;
                }
                out["tool_calls"] = Value::Array(calls);
            }
            vec![out]
        }
    }
}

/// A tool call being streamed.
#[derive(Debug, Default)]
struct Pending {
    id: String,
    name: String,
    arguments: String,
}

/// Decodes the stream's chunks (pure).
#[derive(Debug, Default)]
pub struct StreamDecoder {
    calls: BTreeMap<u64, Pending>,
    finish: Option<StopReason>,
    usage: Usage,
    done: bool,
}

fn malformed(what: &str) -> LlmError {
    LlmError::Malformed(what.to_owned())
}

impl StreamDecoder {
    /// The events one SSE frame completes.
    ///
    /// # Errors
    /// A chunk that is not JSON, or an `error` chunk.
    pub fn frame(&mut self, frame: &Frame) -> Result<Vec<Event>, LlmError> {
        let mut events = Vec::new();
        if frame.data.trim() == "[DONE]" {
            self.done = true;
            self.flush_calls(&mut events);
            events.push(Event::Stop(
                self.finish.take().unwrap_or(StopReason::EndTurn),
            ));
            events.push(Event::Usage(self.usage));
            return Ok(events);
        }
        let data: Value =
            serde_json::from_str(&frame.data).map_err(|_| malformed("a chunk that is not JSON"))?;
        if let Some(error) = data.get("error").filter(|e| !e.is_null()) {
            let message = error["message"]
                .as_str()
                .or_else(|| error.as_str())
                .map(|m| clean(m, None))
                .unwrap_or_else(|| "unknown error".to_owned());
            return Err(LlmError::Provider(message));
        }
        if let Some(choice) = data["choices"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["index"].as_u64().unwrap_or(0) == 0))
        {
            let delta = &choice["delta"];
            if let Some(text) = delta["content"].as_str().filter(|t| !t.is_empty()) {
                events.push(Event::Text(text.to_owned()));
            }
            for (position, call) in delta["tool_calls"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                let index = call["index"].as_u64().unwrap_or(position as u64);
                let pending = self.calls.entry(index).or_default();
                if let Some(id) = call["id"].as_str().filter(|i| !i.is_empty()) {
                    pending.id = id.to_owned();
                }
                let function = &call["function"];
                if let Some(name) = function["name"].as_str() {
                    pending.name.push_str(name);
                }
                if let Some(args) = function["arguments"].as_str() {
                    pending.arguments.push_str(args);
                } else if function["arguments"].is_object() {
                    // Some local servers send the arguments as an object.
                    pending
                        .arguments
                        .push_str(&function["arguments"].to_string());
                }
            }
            if let Some(reason) = choice["finish_reason"].as_str() {
                self.finish = Some(finish_reason(reason));
                self.flush_calls(&mut events);
            }
        }
        if let Some(usage) = data.get("usage").filter(|u| u.is_object()) {
            let n = |v: &Value| v.as_u64().unwrap_or(0);
            let cached = n(&usage["prompt_tokens_details"]["cached_tokens"]);
            self.usage = Usage {
                input_tokens: n(&usage["prompt_tokens"]).saturating_sub(cached),
                output_tokens: n(&usage["completion_tokens"]),
                cache_read_tokens: cached,
                cache_write_tokens: 0,
            };
        }
        Ok(events)
    }

    /// The end of the bytes: a stream that finished its choice but left out
    /// `[DONE]` (some local servers) still counts.
    ///
    /// # Errors
    /// When the stream stopped before any `finish_reason`.
    pub fn finish(&mut self) -> Result<Vec<Event>, LlmError> {
        if self.done {
            return Ok(Vec::new());
        }
        match self.finish.take() {
            Some(reason) => {
                self.done = true;
                let mut events = Vec::new();
                self.flush_calls(&mut events);
                events.push(Event::Stop(reason));
                events.push(Event::Usage(self.usage));
                Ok(events)
            }
            None => Err(malformed("the stream ended before the answer was complete")),
        }
    }

    /// Whether `[DONE]` was seen.
    pub fn is_finished(&self) -> bool {
        self.done
    }

    fn flush_calls(&mut self, events: &mut Vec<Event>) {
        for (index, call) in std::mem::take(&mut self.calls) {
            let id = if call.id.is_empty() {
                format!("call_{index}")
            } else {
                call.id
            };
            events.push(Event::ToolCall(ModelCall {
                id,
                name: call.name,
                arguments: parse_arguments(&call.arguments),
            }));
        }
    }
}

fn finish_reason(reason: &str) -> StopReason {
    match reason {
        "stop" => StopReason::EndTurn,
        "tool_calls" | "function_call" => StopReason::ToolUse,
        "length" => StopReason::MaxTokens,
        "content_filter" => StopReason::Refusal,
        other => StopReason::Other(other.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{SystemPrompt, ToolDef};
    use super::*;

    const STREAM: &str = concat!(
        "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n",
        "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Checking\"},\"finish_reason\":null}]}\n\n",
        "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_abc\",\"type\":\"function\",\"function\":{\"name\":\"get_todays_tasks\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n",
        "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_def\",\"type\":\"function\",\"function\":{\"name\":\"read_linear\",\"arguments\":\"{\\\"li\"}}]},\"finish_reason\":null}]}\n\n",
        "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"mit\\\": 5}\"}}]},\"finish_reason\":null}]}\n\n",
        "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n",
        "data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":20,\"prompt_tokens_details\":{\"cached_tokens\":64}}}\n\n",
        "data: [DONE]\n\n",
    );

    fn decode(text: &str, chunk: usize) -> Result<Vec<Event>, LlmError> {
        super::super::decode_in_chunks(
            super::super::Decoder::OpenAi(StreamDecoder::default()),
            text,
            chunk,
        )
    }

    #[test]
    fn decodes_text_and_interleaved_tool_call_fragments() {
        for chunk in [1, 5, 100, 10_000] {
            assert_eq!(
                decode(STREAM, chunk).unwrap(),
                vec![
                    Event::Text("Checking".into()),
                    Event::ToolCall(ModelCall {
                        id: "call_abc".into(),
                        name: "get_todays_tasks".into(),
                        arguments: Ok(json!({})),
                    }),
                    Event::ToolCall(ModelCall {
                        id: "call_def".into(),
                        name: "read_linear".into(),
                        arguments: Ok(json!({"limit": 5})),
                    }),
                    Event::Stop(StopReason::ToolUse),
                    Event::Usage(Usage {
                        input_tokens: 36,
                        output_tokens: 20,
                        cache_read_tokens: 64,
                        cache_write_tokens: 0,
                    }),
                ],
                "{chunk}"
            );
        }
    }

    #[test]
    fn a_finished_stream_without_done_still_counts_but_a_cut_one_fails() {
        let text = STREAM.replace("data: [DONE]\n\n", "");
        let events = decode(&text, 100).unwrap();
        assert!(events.contains(&Event::Stop(StopReason::ToolUse)));
        let cut = &STREAM[..STREAM.find("\"finish_reason\":\"tool_calls\"").unwrap() - 60];
        let cut = &cut[..cut.rfind("\n\n").unwrap() + 2];
        assert!(matches!(decode(cut, 100), Err(LlmError::Malformed(_))));
    }

    #[test]
    fn malformed_arguments_and_error_chunks() {
        let text = STREAM.replace("mit\\\": 5}", "mit\\\": 5");
        let events = decode(&text, 100).unwrap();
        assert!(events.iter().any(|e| matches!(e,
            Event::ToolCall(ModelCall { name, arguments: Err(_), .. }) if name == "read_linear")));
        assert_eq!(
            decode(
                "data: {\"error\":{\"message\":\"model overloaded\"}}\n\n",
                100
            ),
            Err(LlmError::Provider("model overloaded".into()))
        );
        assert!(matches!(
            decode("data: {oops\n\n", 100),
            Err(LlmError::Malformed(_))
        ));
    }

    #[test]
    fn missing_call_ids_are_made_up_per_index() {
        let text = "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"name\":\"plan_my_day\",\"arguments\":{}}}]},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
        let events = decode(text, 7).unwrap();
        assert_eq!(
            events[0],
            Event::ToolCall(ModelCall {
                id: "call_0".into(),
                name: "plan_my_day".into(),
                arguments: Ok(json!({})),
            })
        );
    }

    #[test]
    fn the_request_has_system_tools_and_tool_messages() {
        let system = SystemPrompt {
            rules: "rules".into(),
            today: "today".into(),
        };
        let messages = vec![
            Message::user_text("hi"),
            Message {
                role: Role::Assistant,
                content: vec![Block::ToolUse {
                    id: "call_1".into(),
                    name: "get_todays_tasks".into(),
                    input: json!({}),
                }],
            },
            Message {
                role: Role::User,
                content: vec![
                    Block::ToolResult {
                        id: "call_1".into(),
                        content: "denied".into(),
                        is_error: true,
                    },
                    Block::Text("Answer now.".into()),
                ],
            },
        ];
        let tools = vec![ToolDef {
            name: "get_todays_tasks".into(),
            description: "d".into(),
            input_schema: json!({"type": "object", "properties": {}}),
        }];
        let body = request_body(&Request {
            model: "local",
            system: &system,
            messages: &messages,
            tools: &tools,
            tool_choice: ToolChoice::None,
            max_tokens: 10,
        });
        let m = body["messages"].as_array().unwrap();
        assert_eq!(m[0]["role"], "system");
        assert_eq!(m[0]["content"], "rules\n\ntoday");
        assert_eq!(m[2]["content"], Value::Null);
        assert_eq!(m[2]["tool_calls"][0]["function"]["arguments"], "{}");
        assert_eq!(m[3]["role"], "tool");
        assert_eq!(m[3]["tool_call_id"], "call_1");
        assert_eq!(m[3]["content"], "Error: denied");
        assert_eq!(m[4]["role"], "user");
        assert_eq!(body["tool_choice"], "none");
        assert_eq!(body["tools"][0]["function"]["parameters"]["type"], "object");
        assert_eq!(body["max_tokens"], 10);
        let mut official = body.clone();
        use_max_completion_tokens(&mut official);
        assert_eq!(official["max_completion_tokens"], 10);
        assert!(official.get("max_tokens").is_none());
    }
}
