//! Shared by the `agent_*` tests: scripted LLM servers and a chat client.
//!
//! A [`ScriptedLlm`] is a real HTTP server on loopback that speaks either the
//! Anthropic Messages streaming format or the OpenAI-compatible chat completions
//! streaming format. A script decides each answer from the request number and the
//! request body (so it can play a model that obeys whatever the user or a tool result
//! says), and every request is recorded (headers and body) for assertions about what
//! the backend sent. [`chat`] drives `POST /api/chat` on a real demo server, answering
//! confirmations as a test asks. Use with
//! `mod demo_as_support; mod refresh_support; mod llm_support;`.
#![allow(dead_code, unreachable_pub)]

pub mod chat;
pub mod script;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use pmt_server::agent::settings::{ApiKey, LlmSettings, Provider};
use serde_json::Value;

pub use script::Reply;

/// The API key the scripted servers expect (never a real key).
pub const TEST_KEY: &str = "sk-scripted-test-key-0123456789";

/// Which wire format a scripted server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// `POST /v1/messages`, Anthropic's event stream.
    Anthropic,
    /// `POST /v1/chat/completions`, OpenAI's chunk stream.
    OpenAi,
}

/// One request the server received.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Header names (lowercase) and values.
    pub headers: Vec<(String, String)>,
    /// The body as sent.
    pub raw: String,
    /// The body as JSON (`Null` when it was not JSON).
    pub body: Value,
}

impl Recorded {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

type Script = dyn Fn(usize, &Value) -> Reply + Send + Sync;

#[derive(Clone)]
struct ServerState {
    flavor: Flavor,
    script: Arc<Script>,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

/// A scripted LLM server.
pub struct ScriptedLlm {
    /// What it speaks.
    pub flavor: Flavor,
    /// The base URL to configure (`http://127.0.0.1:port`, plus `/v1` for OpenAI).
    pub base_url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ScriptedLlm {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ScriptedLlm {
    /// Starts a server whose answers `script(request_number, body)` decides.
    pub async fn start(
        flavor: Flavor,
        script: impl Fn(usize, &Value) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let state = ServerState {
            flavor,
            script: Arc::new(script),
            requests: requests.clone(),
        };
        let path = match flavor {
            Flavor::Anthropic => "/v1/messages",
            Flavor::OpenAi => "/v1/chat/completions",
        };
        let router = Router::new().route(path, post(answer)).with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind scripted LLM");
        let addr = listener.local_addr().expect("addr");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        let base_url = match flavor {
            Flavor::Anthropic => format!("http://{addr}"),
            Flavor::OpenAi => format!("http://{addr}/v1"),
        };
        Self {
            flavor,
            base_url,
            requests,
            task,
        }
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().expect("requests").clone()
    }

    /// Settings pointing at this server, with the test key and short timeouts.
    pub fn settings(&self) -> LlmSettings {
        let provider = match self.flavor {
            Flavor::Anthropic => Provider::Anthropic,
            Flavor::OpenAi => Provider::OpenAi,
        };
        let mut s = LlmSettings::new(
            provider,
            "scripted-model",
            url::Url::parse(&self.base_url).expect("url"),
            Some(ApiKey::new(TEST_KEY)),
        );
        s.request_timeout = Duration::from_secs(5);
        s.confirm_timeout = Duration::from_secs(10);
        s
    }
}

async fn answer(State(state): State<ServerState>, headers: HeaderMap, raw: String) -> Response {
    let body: Value = serde_json::from_str(&raw).unwrap_or(Value::Null);
    let n = {
        let mut requests = state.requests.lock().expect("requests");
        requests.push(Recorded {
            headers: headers
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
                .collect(),
            raw: raw.clone(),
            body: body.clone(),
        });
        requests.len() - 1
    };
    let reply = (state.script)(n, &body);
    match reply {
        Reply::Status {
            status,
            retry_after,
            body,
        } => {
            let mut response = (
                StatusCode::from_u16(status).expect("status"),
                [("content-type", "application/json")],
                body,
            )
                .into_response();
            if let Some(r) = retry_after {
                response
                    .headers_mut()
                    .insert("retry-after", r.parse().expect("header"));
            }
            response
        }
        Reply::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        Reply::NotStream(text) => {
            (StatusCode::OK, [("content-type", "application/json")], text).into_response()
        }
        Reply::Raw(text) => event_stream(Body::from(text)),
        Reply::StallAfter(reply) => {
            let text = script::encode(state.flavor, n, &reply);
            let cut = text.find("\n\n").map_or(text.len(), |i| i + 2);
            let first = text[..cut].to_owned();
            let stream = futures::stream::once(async move { Ok::<_, std::io::Error>(first) })
                .chain_pending();
            event_stream(Body::from_stream(stream))
        }
        reply => event_stream(Body::from_stream(script::chunks(script::encode(
            state.flavor,
            n,
            &reply,
        )))),
    }
}

fn event_stream(body: Body) -> Response {
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "text/event-stream")
        .header("cache-control", "no-cache")
        .body(body)
        .expect("response")
}

/// A stream that yields its items, then stays open without another byte.
trait ChainPending: futures::Stream + Sized {
    fn chain_pending(self) -> futures::stream::Chain<Self, futures::stream::Pending<Self::Item>> {
        futures::StreamExt::chain(self, futures::stream::pending())
    }
}

impl<S: futures::Stream> ChainPending for S {}

/// A signed-in demo server whose `[llm]` points at `llm` (after `adjust`), with one
/// refresh done so today's tasks are stored.
pub async fn session_with(
    llm: &ScriptedLlm,
    adjust: impl FnOnce(&mut LlmSettings),
) -> crate::refresh_support::Session {
    let mut settings = llm.settings();
    adjust(&mut settings);
    let session =
        crate::refresh_support::Session::start_adjusted(move |c| c.llm = Some(settings)).await;
    session.refresh().await;
    session
}

/// A task the user may dismiss (a mention, a meeting-note item, a doc comment …).
pub fn dismissible(snapshot: &pmt_wire::Snapshot) -> pmt_wire::Task {
    snapshot
        .tasks
        .iter()
        .find(|t| t.dismissible && !t.dismissed)
        .cloned()
        .expect("a dismissible task in the demo day")
}

/// A task of a kind only its source can close (an issue, a review, an email).
pub fn source_tracked(snapshot: &pmt_wire::Snapshot) -> pmt_wire::Task {
    snapshot
        .tasks
        .iter()
        .find(|t| !t.dismissible)
        .cloned()
        .expect("a source-tracked task in the demo day")
}

/// A session token for another user ("Mallory"), signed by the demo authorization
/// server's own key (read from its data directory): valid in every way, for someone
/// else.
pub fn other_user_token(session: &crate::refresh_support::Session) -> String {
    let pem = std::fs::read(
        session
            .demo
            .data_dir
            .path()
            .join(pmt_server::demo_as::KEY_FILE_NAME),
    )
    .expect("the demo signing key");
    let (header, mut claims) = crate::demo_as_support::decode_unverified(&session.token);
    claims["sub"] = serde_json::json!("mallory");
    claims["email"] = serde_json::json!("mallory@example.com");
    claims["name"] = serde_json::json!("Mallory");
    claims["jti"] = serde_json::json!("mallory-1");
    let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    h.typ = header["typ"].as_str().map(str::to_owned);
    h.kid = header["kid"].as_str().map(str::to_owned);
    let key = jsonwebtoken::EncodingKey::from_ec_pem(&pem).expect("ec key");
    jsonwebtoken::encode(&h, &claims, &key).expect("sign")
}
