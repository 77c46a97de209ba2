//! The Anthropic Messages API: `POST {base_url}/v1/messages` with `stream: true`.
//!
//! The request marks the stable part of the system prompt and the newest message with
//! `cache_control` (prompt caching: the tools and the rules are read from the cache on
//! every round, and each round's history from the round before). The stream is
//! `message_start`, then per content block `content_block_start` /
//! `content_block_delta` (`text_delta`, `input_json_delta`) / `content_block_stop`,
//! then `message_delta` (the stop reason) and `message_stop`; `ping` and unknown
//! events are skipped, `error` ends the answer.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::error::clean;
use super::sse::Frame;
use super::{
    parse_arguments, Block, Event, LlmError, Message, ModelCall, Request, Role, StopReason,
    ToolChoice, Usage,
};

/// The `anthropic-version` header.
pub const API_VERSION: &str = "2023-06-01";

/// The JSON body of a request (pure).
pub fn request_body(request: &Request<'_>) -> Value {
    let mut messages: Vec<Value> = request.messages.iter().map(message).collect();
    if let Some(last) = messages
        .last_mut()
        .and_then(|m| m["content"].as_array_mut())
        .and_then(|c| c.last_mut())
    {
        last["cache_control"] = json!({ "type": "ephemeral" });
    }
    let mut body = json!({
        "model": request.model,
        "max_tokens": request.max_tokens,
        "stream": true,
        "system": [
            { "type": "text", "text": request.system.rules,
              "cache_control": { "type": "ephemeral" } },
            { "type": "text", "text": request.system.today },
        ],
        "messages": messages,
    });
    if !request.tools.is_empty() {
        body["tools"] = request
            .tools
            .iter()
            .map(|t| {
                json!({
                    "name": t.name,
                    "description": t.description,
                    "input_schema": t.input_schema,
                })
            })
            .collect();
        body["tool_choice"] = match request.tool_choice {
            ToolChoice::Auto => json!({ "type": "auto" }),
            ToolChoice::None => json!({ "type": "none" }),
        };
    }
    body
}

fn message(m: &Message) -> Value {
    let mut content: Vec<Value> = m
        .content
        .iter()
        .filter(|b| !b.is_empty())
        .map(|b| match b {
            Block::Text(text) => json!({ "type": "text", "text": text }),
            Block::ToolUse { id, name, input } => {
                json!({ "type": "tool_use", "id": id, "name": name, "input": input })
            }
            Block::ToolResult {
                id,
                content,
                is_error,
            } => {
                let mut r = json!({ "type": "tool_result", "tool_use_id": id, "content": content });
                if *is_error {
                    r["is_error"] = json!(true);
                }
                r
            }
        })
        .collect();
    if content.is_empty() {
        content.push(json!({ "type": "text", "text": "(no text)" }));
    }
    let role = match m.role {
        Role::User => "user",
        Role::Assistant => "assistant",
    };
    json!({ "role": role, "content": content })
}

/// A content block being streamed.
#[derive(Debug)]
enum Open {
    Text,
    Tool {
        id: String,
        name: String,
        json: String,
        start_input: Value,
    },
    Other,
}

/// Decodes the stream's events (pure).
#[derive(Debug, Default)]
pub struct StreamDecoder {
    open: HashMap<u64, Open>,
    usage: Usage,
    stop: Option<StopReason>,
    stopped: bool,
}

fn malformed(what: &str) -> LlmError {
    LlmError::Malformed(what.to_owned())
}

impl StreamDecoder {
    /// The events one SSE frame completes.
    ///
    /// # Errors
    /// A frame that is not JSON, a block event without its index, an `error` event.
    pub fn frame(&mut self, frame: &Frame) -> Result<Vec<Event>, LlmError> {
        let data: Value = serde_json::from_str(&frame.data)
            .map_err(|_| malformed("an event that is not JSON"))?;
        let kind = data["type"].as_str().unwrap_or(frame.event.as_str());
        let index = || {
            data["index"]
                .as_u64()
                .ok_or_else(|| malformed("a content block event without its index"))
        };
        let mut events = Vec::new();
        match kind {
            "message_start" => self.add_usage(&data["message"]["usage"]),
            "content_block_start" => {
                let block = &data["content_block"];
                let open = match block["type"].as_str() {
                    Some("text") => {
                        if let Some(t) = block["text"].as_str().filter(|t| !t.is_empty()) {
                            events.push(Event::Text(t.to_owned()));
                        }
                        Open::Text
                    }
                    Some("tool_use") => Open::Tool {
                        id: block["id"].as_str().unwrap_or_default().to_owned(),
                        name: block["name"].as_str().unwrap_or_default().to_owned(),
                        json: String::new(),
                        start_input: block["input"].clone(),
                    },
                    _ => Open::Other,
                };
                self.open.insert(index()?, open);
            }
            "content_block_delta" => {
                let delta = &data["delta"];
                match (self.open.get_mut(&index()?), delta["type"].as_str()) {
                    (Some(Open::Text), Some("text_delta")) => {
                        if let Some(t) = delta["text"].as_str().filter(|t| !t.is_empty()) {
                            events.push(Event::Text(t.to_owned()));
                        }
                    }
                    (Some(Open::Tool { json, .. }), Some("input_json_delta")) => {
                        json.push_str(delta["partial_json"].as_str().unwrap_or_default());
                    }
                    (None, _) => return Err(malformed("a delta for a block that was not started")),
                    _ => {}
                }
            }
            "content_block_stop" => {
                if let Some(Open::Tool {
                    id,
                    name,
                    json,
                    start_input,
                }) = self.open.remove(&index()?)
                {
                    let arguments = if json.trim().is_empty() && start_input.is_object() {
                        Ok(start_input)
                    } else {
                        parse_arguments(&json)
                    };
                    events.push(Event::ToolCall(ModelCall {
                        id,
                        name,
                        arguments,
                    }));
                }
            }
            "message_delta" => {
                if let Some(reason) = data["delta"]["stop_reason"].as_str() {
                    self.stop = Some(stop_reason(reason));
                }
                if let Some(n) = data["usage"]["output_tokens"].as_u64() {
                    self.usage.output_tokens = n;
                }
            }
            "message_stop" => {
                self.stopped = true;
                events.push(Event::Stop(self.stop.take().unwrap_or(StopReason::EndTurn)));
                events.push(Event::Usage(self.usage));
            }
            "error" => {
                let message = data["error"]["message"]
                    .as_str()
                    .map(|m| clean(m, None))
                    .unwrap_or_else(|| "unknown error".to_owned());
                return Err(LlmError::Provider(message));
            }
            _ => {}
        }
        Ok(events)
    }

    /// The end of the bytes.
    ///
    /// # Errors
    /// When `message_stop` never came.
    pub fn finish(&mut self) -> Result<Vec<Event>, LlmError> {
        if self.stopped {
            Ok(Vec::new())
        } else {
            Err(malformed("the stream ended before the answer was complete"))
        }
    }

    /// Whether `message_stop` was seen.
    pub fn is_finished(&self) -> bool {
        self.stopped
    }

    fn add_usage(&mut self, usage: &Value) {
        let n = |k: &str| usage[k].as_u64().unwrap_or(0);
        self.usage.input_tokens = n("input_tokens");
        self.usage.cache_read_tokens = n("cache_read_input_tokens");
        self.usage.cache_write_tokens = n("cache_creation_input_tokens");
        self.usage.output_tokens = n("output_tokens");
    }
}

fn stop_reason(reason: &str) -> StopReason {
    match reason {
        "end_turn" | "stop_sequence" => StopReason::EndTurn,
        "tool_use" => StopReason::ToolUse,
        "max_tokens" => StopReason::MaxTokens,
        "refusal" => StopReason::Refusal,
        other => StopReason::Other(other.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{SystemPrompt, ToolDef};
    use super::*;

    /// A recorded stream: text, then a tool call whose JSON arrives in pieces.
    const STREAM: &str = concat!(
        "event: message_start\n",
        "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude\",\"stop_reason\":null,\"usage\":{\"input_tokens\":12,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":2048,\"output_tokens\":1}}}\n\n",
        "event: content_block_start\n",
        "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
        "event: ping\n",
        "data: {\"type\": \"ping\"}\n\n",
        "event: content_block_delta\n",
        "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Let me look\"}}\n\n",
        "event: content_block_delta\n",
        "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" at today.\"}}\n\n",
        "event: content_block_stop\n",
        "data: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
        "event: content_block_start\n",
        "data: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_01\",\"name\":\"set_task_priority\",\"input\":{}}}\n\n",
        "event: content_block_delta\n",
        "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}\n\n",
        "event: content_block_delta\n",
        "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"task_id\\\": \\\"linear:EN\"}}\n\n",
        "event: content_block_delta\n",
        "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"G-142\\\", \\\"priority\\\": \\\"high\\\"}\"}}\n\n",
        "event: content_block_stop\n",
        "data: {\"type\":\"content_block_stop\",\"index\":1}\n\n",
        "event: message_delta\n",
        "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":89}}\n\n",
        "event: message_stop\n",
        "data: {\"type\":\"message_stop\"}\n\n",
    );

    fn decode(text: &str, chunk: usize) -> Result<Vec<Event>, LlmError> {
        super::super::decode_in_chunks(
            super::super::Decoder::Anthropic(StreamDecoder::default()),
            text,
            chunk,
        )
    }

    #[test]
    fn decodes_text_and_a_tool_call_in_pieces() {
        for chunk in [1, 7, 64, 4096] {
            let events = decode(STREAM, chunk).unwrap();
            assert_eq!(
                events,
                vec![
                    Event::Text("Let me look".into()),
                    Event::Text(" at today.".into()),
                    Event::ToolCall(ModelCall {
                        id: "toolu_01".into(),
                        name: "set_task_priority".into(),
                        arguments: Ok(json!({"task_id": "linear:ENG-142", "priority": "high"})),
                    }),
                    Event::Stop(StopReason::ToolUse),
                    Event::Usage(Usage {
                        input_tokens: 12,
                        output_tokens: 89,
                        cache_read_tokens: 2048,
                        cache_write_tokens: 0,
                    }),
                ],
                "{chunk}"
            );
        }
    }

    #[test]
    fn a_tool_call_without_input_has_empty_arguments() {
        let text = STREAM.replace("{\\\"task_id\\\": \\\"linear:EN", "");
        let text = text.replace("G-142\\\", \\\"priority\\\": \\\"high\\\"}", "");
        let events = decode(&text, 4096).unwrap();
        let call = events.iter().find_map(|e| match e {
            Event::ToolCall(c) => Some(c.clone()),
            _ => None,
        });
        assert_eq!(call.unwrap().arguments, Ok(json!({})));
    }

    #[test]
    fn malformed_tool_json_is_reported_on_the_call_not_the_stream() {
        let text = STREAM.replace("\\\"high\\\"}", "\\\"high\\\"");
        let events = decode(&text, 4096).unwrap();
        let call = events
            .iter()
            .find_map(|e| match e {
                Event::ToolCall(c) => Some(c.clone()),
                _ => None,
            })
            .unwrap();
        assert!(call.arguments.is_err(), "{call:?}");
    }

    #[test]
    fn an_error_event_or_a_cut_stream_fails() {
        let text = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";
        assert_eq!(
            decode(text, 4096),
            Err(LlmError::Provider("Overloaded".into()))
        );
        let cut = &STREAM[..STREAM.find("event: message_delta").unwrap()];
        assert!(matches!(decode(cut, 4096), Err(LlmError::Malformed(_))));
        assert!(matches!(
            decode("event: message_start\ndata: {nope\n\n", 4096),
            Err(LlmError::Malformed(_))
        ));
    }

    #[test]
    fn unknown_events_and_thinking_blocks_are_skipped() {
        let text = STREAM.replace(
            "event: ping\n",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":5,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}\n\nevent: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":5,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"hmm\"}}\n\nevent: brand_new\ndata: {\"type\":\"brand_new\"}\n\nevent: ping\n",
        );
        let events = decode(&text, 13).unwrap();
        assert_eq!(events.len(), 5);
    }

    fn request_parts() -> (SystemPrompt, Vec<Message>, Vec<ToolDef>) {
        let system = SystemPrompt {
            rules: "rules".into(),
            today: "Today is Monday.".into(),
        };
        let messages = vec![
            Message::user_text("plan my day"),
            Message {
                role: Role::Assistant,
                content: vec![
                    Block::Text(String::new()),
                    Block::ToolUse {
                        id: "toolu_1".into(),
                        name: "get_todays_tasks".into(),
                        input: json!({}),
                    },
                ],
            },
            Message {
                role: Role::User,
                content: vec![Block::ToolResult {
                    id: "toolu_1".into(),
                    content: "no such tool".into(),
                    is_error: true,
                }],
            },
        ];
        let tools = vec![ToolDef {
            name: "get_todays_tasks".into(),
            description: "d".into(),
            input_schema: json!({"type": "object"}),
        }];
        (system, messages, tools)
    }

    #[test]
    fn the_request_caches_rules_and_history_and_carries_tools() {
        let (system, messages, tools) = request_parts();
        let body = request_body(&Request {
            model: "claude-x",
            system: &system,
            messages: &messages,
            tools: &tools,
            tool_choice: ToolChoice::Auto,
            max_tokens: 1000,
        });
        assert_eq!(body["stream"], true);
        assert_eq!(body["system"][0]["cache_control"]["type"], "ephemeral");
        assert!(body["system"][1].get("cache_control").is_none());
        assert_eq!(body["tools"][0]["input_schema"]["type"], "object");
        assert_eq!(body["tool_choice"]["type"], "auto");
        // The empty text block is left out; the tool_use keeps its id.
        assert_eq!(body["messages"][1]["content"].as_array().unwrap().len(), 1);
        assert_eq!(body["messages"][1]["content"][0]["id"], "toolu_1");
        let result = &body["messages"][2]["content"][0];
        assert_eq!(result["type"], "tool_result");
        assert_eq!(result["is_error"], true);
        assert_eq!(result["cache_control"]["type"], "ephemeral");
        let none = request_body(&Request {
            tool_choice: ToolChoice::None,
            ..Request {
                model: "m",
                system: &system,
                messages: &messages,
                tools: &tools,
                tool_choice: ToolChoice::Auto,
                max_tokens: 1,
            }
        });
        assert_eq!(none["tool_choice"]["type"], "none");
    }
}
