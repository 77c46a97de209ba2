//! Talking to a model: one conversation format, two wire formats.
//!
//! The loop speaks in [`Message`]s of [`Block`]s and receives a stream of [`Event`]s
//! (text deltas, finished tool calls, the stop reason, token usage), whatever the
//! provider. Each provider module turns a [`Request`] into its JSON body and decodes
//! its stream into those events; both are pure and tested on recorded bytes. This
//! module holds the I/O: the HTTP request, the status check, reading the stream with
//! a silence timeout.
//!
//! - [`sse`]: the event-stream decoder both providers use.
//! - [`anthropic`]: the Messages API (`/v1/messages`, tool use, prompt caching).
//! - [`openai`]: OpenAI-compatible chat completions (`/chat/completions`).
//! - [`error`]: [`LlmError`] and the mapping of HTTP statuses.

pub mod anthropic;
pub mod error;
pub mod openai;
pub mod sse;

use std::collections::VecDeque;
use std::time::Duration;

use serde_json::Value;

pub use error::LlmError;

use super::settings::{LlmSettings, Provider};
use sse::{Frame, SseDecoder};

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The user (and the tool results the loop sends back).
    User,
    /// The model.
    Assistant,
}

/// A piece of a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Plain text.
    Text(String),
    /// A tool call the model made.
    ToolUse {
        /// The call's id (echoed in the result).
        id: String,
        /// The tool's name.
        name: String,
        /// The arguments (an object).
        input: Value,
    },
    /// The result of a tool call.
    ToolResult {
        /// The call it answers.
        id: String,
        /// What the model reads.
        content: String,
        /// Whether the call failed or did not run.
        is_error: bool,
    },
}

impl Block {
    /// How much text the block carries (for the conversation's budget).
    pub fn len(&self) -> usize {
        match self {
            Block::Text(t) => t.len(),
            Block::ToolUse { name, input, .. } => name.len() + input.to_string().len(),
            Block::ToolResult { content, .. } => content.len(),
        }
    }

    /// Whether the block is empty text.
    pub fn is_empty(&self) -> bool {
        matches!(self, Block::Text(t) if t.is_empty())
    }
}

/// One message of the conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Who wrote it.
    pub role: Role,
    /// What it says.
    pub content: Vec<Block>,
}

impl Message {
    /// A user's text message.
    pub fn user_text(text: impl Into<String>) -> Self {
        Self {
            role: Role::User,
            content: vec![Block::Text(text.into())],
        }
    }

    /// Whether this is a message the user typed (not tool results).
    pub fn is_user_text(&self) -> bool {
        self.role == Role::User && matches!(self.content.first(), Some(Block::Text(_)))
    }
}

/// A tool as the model sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolDef {
    /// Its name.
    pub name: String,
    /// What it does.
    pub description: String,
    /// JSON Schema of its arguments.
    pub input_schema: Value,
}

/// Whether the model may call tools in this request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolChoice {
    /// As it sees fit.
    Auto,
    /// Not at all (the final answer after the round cap).
    None,
}

/// The system prompt in two parts: the stable rules (cached by providers that
/// cache) and today's context (date, time zone), which changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemPrompt {
    /// The rules, identical for every request.
    pub rules: String,
    /// Today's date, time and zone.
    pub today: String,
}

/// One request to the model.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The model name.
    pub model: &'a str,
    /// The system prompt.
    pub system: &'a SystemPrompt,
    /// The conversation so far.
    pub messages: &'a [Message],
    /// The tools.
    pub tools: &'a [ToolDef],
    /// Whether tools may be called.
    pub tool_choice: ToolChoice,
    /// Cap on the answer's tokens.
    pub max_tokens: u32,
}

/// Why the model stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopReason {
    /// It finished its answer.
    EndTurn,
    /// It wants the tool calls it made run.
    ToolUse,
    /// It hit `max_tokens`.
    MaxTokens,
    /// It refused (safety).
    Refusal,
    /// Anything else the provider says.
    Other(String),
}

/// A tool call as the model made it.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelCall {
    /// The call's id.
    pub id: String,
    /// The tool's name (may be unknown).
    pub name: String,
    /// The arguments, or why their JSON could not be read.
    pub arguments: Result<Value, String>,
}

/// Token counts of one answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Input tokens not read from the cache.
    pub input_tokens: u64,
    /// Output tokens.
    pub output_tokens: u64,
    /// Input tokens read from the prompt cache.
    pub cache_read_tokens: u64,
    /// Input tokens written to the prompt cache.
    pub cache_write_tokens: u64,
}

/// What the stream says, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// More of the answer's text.
    Text(String),
    /// A finished tool call.
    ToolCall(ModelCall),
    /// Why it stopped (the last event of a good stream, before any usage).
    Stop(StopReason),
    /// Token counts.
    Usage(Usage),
}

/// A provider's stream decoder: SSE frames in, events out.
#[derive(Debug)]
enum Decoder {
    Anthropic(anthropic::StreamDecoder),
    OpenAi(openai::StreamDecoder),
}

impl Decoder {
    fn frame(&mut self, frame: &Frame) -> Result<Vec<Event>, LlmError> {
        match self {
            Decoder::Anthropic(d) => d.frame(frame),
            Decoder::OpenAi(d) => d.frame(frame),
        }
    }

    fn finish(&mut self) -> Result<Vec<Event>, LlmError> {
        match self {
            Decoder::Anthropic(d) => d.finish(),
            Decoder::OpenAi(d) => d.finish(),
        }
    }

    fn is_finished(&self) -> bool {
        match self {
            Decoder::Anthropic(d) => d.is_finished(),
            Decoder::OpenAi(d) => d.is_finished(),
        }
    }
}

/// Feeds a recorded stream to `decoder` in pieces of `chunk` bytes, as the network
/// would, and returns every event (the providers' decoder tests).
#[cfg(test)]
fn decode_in_chunks(
    mut decoder: Decoder,
    text: &str,
    chunk: usize,
) -> Result<Vec<Event>, LlmError> {
    let mut sse = SseDecoder::new();
    let mut events = Vec::new();
    for piece in text.as_bytes().chunks(chunk) {
        for frame in sse.feed(piece).expect("SSE framing") {
            events.extend(decoder.frame(&frame)?);
        }
    }
    for frame in sse.finish().expect("SSE framing") {
        events.extend(decoder.frame(&frame)?);
    }
    events.extend(decoder.finish()?);
    Ok(events)
}

/// A tool call's accumulated argument text as JSON: empty means no arguments.
pub(crate) fn parse_arguments(json: &str) -> Result<Value, String> {
    if json.trim().is_empty() {
        return Ok(Value::Object(serde_json::Map::new()));
    }
    serde_json::from_str(json).map_err(|e| {
        let why = e.to_string();
        why.split(" at line ").next().unwrap_or_default().to_owned()
    })
}

/// The configured model's client.
#[derive(Debug, Clone)]
pub struct LlmClient {
    settings: LlmSettings,
    http: reqwest::Client,
}

impl LlmClient {
    /// A client for `settings` (its own HTTP client: no overall timeout, which would
    /// cut a long streamed answer; the silence timeout applies instead).
    pub fn new(settings: LlmSettings) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(settings.request_timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("plan-my-today/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Self { settings, http }
    }

    /// The settings.
    pub fn settings(&self) -> &LlmSettings {
        &self.settings
    }

    /// Sends `request` and returns its stream once the provider answered 200.
    ///
    /// # Errors
    /// Unreachable, timeout, or a non-success status ([`error::for_status`]).
    pub async fn start(&self, request: &Request<'_>) -> Result<LlmStream, LlmError> {
        let s = &self.settings;
        let base = s.base_url.as_str().trim_end_matches('/');
        let (url, body, decoder) = match s.provider {
            Provider::Anthropic => (
                format!("{base}/v1/messages"),
                anthropic::request_body(request),
                Decoder::Anthropic(anthropic::StreamDecoder::default()),
            ),
            Provider::OpenAi => {
                let mut body = openai::request_body(request);
                if s.base_url.host_str() == Some("api.openai.com") {
                    openai::use_max_completion_tokens(&mut body);
                }
                (
                    format!("{base}/chat/completions"),
                    body,
                    Decoder::OpenAi(openai::StreamDecoder::default()),
                )
            }
        };
        let mut builder = self
            .http
            .post(&url)
            .header(reqwest::header::ACCEPT, "text/event-stream")
            .json(&body);
        match (s.provider, &s.api_key) {
            (Provider::Anthropic, key) => {
                builder = builder.header("anthropic-version", anthropic::API_VERSION);
                if let Some(key) = key {
                    builder = builder.header("x-api-key", key.expose());
                }
            }
            (Provider::OpenAi, Some(key)) => builder = builder.bearer_auth(key.expose()),
            (Provider::OpenAi, None) => {}
        }
        let host = crate::config::host_port(&s.base_url);
        let response = match tokio::time::timeout(s.request_timeout, builder.send()).await {
            Err(_) => return Err(LlmError::Timeout(s.request_timeout)),
            Ok(Err(e)) if e.is_timeout() => return Err(LlmError::Timeout(s.request_timeout)),
            Ok(Err(_)) => return Err(LlmError::Unreachable { host }),
            Ok(Ok(r)) => r,
        };
        let status = response.status();
        if !status.is_success() {
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = tokio::time::timeout(s.request_timeout, response.text())
                .await
                .ok()
                .and_then(Result::ok)
                .unwrap_or_default();
            return Err(error::for_status(
                status.as_u16(),
                retry_after.as_deref(),
                &body,
                &s.api_key_env,
                s.api_key.as_ref().map(|k| k.expose()),
            ));
        }
        let is_stream = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        if !is_stream {
            return Err(LlmError::Malformed("not an event stream".to_owned()));
        }
        Ok(LlmStream {
            response,
            sse: SseDecoder::new(),
            decoder,
            queue: VecDeque::new(),
            done: false,
            silence: s.request_timeout,
        })
    }
}

/// An answer being streamed.
#[derive(Debug)]
pub struct LlmStream {
    response: reqwest::Response,
    sse: SseDecoder,
    decoder: Decoder,
    queue: VecDeque<Event>,
    done: bool,
    silence: Duration,
}

impl LlmStream {
    /// The next event; `None` after the last one.
    ///
    /// # Errors
    /// A pause longer than the timeout, a broken connection, or a stream that is not
    /// the provider's format (including one that ends before its stop).
    pub async fn next(&mut self) -> Option<Result<Event, LlmError>> {
        loop {
            if let Some(event) = self.queue.pop_front() {
                return Some(Ok(event));
            }
            if self.done {
                return None;
            }
            match self.pull().await {
                Ok(events) => self.queue.extend(events),
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
    }

    /// Reads one chunk and decodes what it completes.
    async fn pull(&mut self) -> Result<Vec<Event>, LlmError> {
        let chunk = match tokio::time::timeout(self.silence, self.response.chunk()).await {
            Err(_) => return Err(LlmError::Timeout(self.silence)),
            Ok(Err(_)) => {
                return Err(LlmError::Malformed(
                    "the connection broke mid-answer".to_owned(),
                ))
            }
            Ok(Ok(chunk)) => chunk,
        };
        let malformed = |e: sse::SseError| LlmError::Malformed(e.to_string());
        let mut events = Vec::new();
        match chunk {
            Some(bytes) => {
                for frame in self.sse.feed(&bytes).map_err(malformed)? {
                    events.extend(self.decoder.frame(&frame)?);
                    if self.decoder.is_finished() {
                        // The provider said it is done: stop reading, whatever follows.
                        self.done = true;
                        events.extend(self.decoder.finish()?);
                        break;
                    }
                }
            }
            None => {
                self.done = true;
                for frame in self.sse.finish().map_err(malformed)? {
                    events.extend(self.decoder.frame(&frame)?);
                }
                events.extend(self.decoder.finish()?);
            }
        }
        Ok(events)
    }
}
