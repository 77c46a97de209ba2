//! Provider simulators (demo mode): real HTTP servers that answer each provider's API
//! paths in its wire format with a realistic working day for the demo user.
//!
//! They are resource servers like the real providers: every request must carry an
//! exchanged token whose `aud` is that provider's resource, signed by the demo
//! authorization server. The connectors reach them by configuration (base URL), so
//! demo mode runs exactly the production code path.
//!
//! Faults are injected per source through [`Simulators::set_fault`] (tests) or
//! `PUT /sim/control/{source}` (the end-to-end suite): latency, a status code, `429`
//! with `Retry-After`, garbage, an HTML error page, an empty body, a hang. A refused
//! token exchange is injected at the authorization server (its grant registry).
//!
//! Modules: [`day`] (the demo day's shared storyline and clock) and one module per
//! provider (`google_calendar`, `gmail`, `google_drive`, `linear`, `github`, `slack`,
//! `granola`), each exposing `fn router() -> Router<SimState>` with paths relative to
//! `/sim/<source>`.

pub mod day;
pub mod github;
pub mod gmail;
pub mod google_calendar;
pub mod google_drive;
pub mod granola;
pub mod linear;
pub mod slack;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::put;
use axum::{Json, Router};
use pmt_wire::Source;
use serde::{Deserialize, Serialize};

use crate::auth::validate::{validate, Expectations, KeySet};

/// The resource identifier (token audience) of each provider in demo mode.
pub fn demo_resource(source: Source) -> &'static str {
    match source {
        Source::GoogleCalendar => "urn:pmt:google-calendar",
        Source::Gmail => "urn:pmt:gmail",
        Source::GoogleDrive => "urn:pmt:google-drive",
        Source::Linear => "urn:pmt:linear",
        Source::Github => "urn:pmt:github",
        Source::Slack => "urn:pmt:slack",
        Source::Granola => "urn:pmt:granola",
        Source::AdHoc => "urn:pmt:api",
    }
}

/// The one read scope of each provider in demo mode.
pub fn demo_scope(source: Source) -> &'static str {
    match source {
        Source::GoogleCalendar => "calendar.read",
        Source::Gmail => "gmail.read",
        Source::GoogleDrive => "drive.read",
        Source::Linear => "linear.read",
        Source::Github => "github.read",
        Source::Slack => "slack.read",
        Source::Granola => "granola.read",
        Source::AdHoc => "",
    }
}

/// What a simulator does wrong, on purpose.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// Added to every answer, milliseconds.
    #[serde(default)]
    pub latency_ms: u64,
    /// How to answer.
    #[serde(default)]
    pub mode: FaultMode,
}

/// How a faulty simulator answers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultMode {
    /// Correctly.
    #[default]
    None,
    /// With this status and a JSON error body.
    Status {
        /// HTTP status.
        status: u16,
    },
    /// `429` with `Retry-After` for the next `times` requests, then correctly.
    RateLimited {
        /// `Retry-After`, seconds.
        retry_after_secs: u64,
        /// How many requests get the 429 (0 = all).
        times: u32,
    },
    /// `200` with a body that is not JSON.
    Garbage,
    /// `502` with an HTML error page.
    Html,
    /// `200` with an empty body.
    Empty,
    /// Never answers (until the client gives up).
    Hang,
}

/// State shared by every simulator handler.
#[derive(Clone, Debug)]
pub struct SimState {
    inner: Arc<SimInner>,
}

#[derive(Debug)]
struct SimInner {
    issuer: String,
    keys: KeySet,
    faults: Mutex<HashMap<Source, (Fault, u32)>>,
    seen_tokens: Mutex<Vec<String>>,
    day: day::DemoDay,
}

impl SimState {
    /// The demo day (storyline and clock) the simulators serve.
    pub fn day(&self) -> &day::DemoDay {
        &self.inner.day
    }
}

/// The simulators of all seven providers.
#[derive(Clone, Debug)]
pub struct Simulators {
    state: SimState,
}

impl Simulators {
    /// Simulators that accept tokens from `issuer` signed by `keys`.
    pub fn new(issuer: impl Into<String>, keys: KeySet, day: day::DemoDay) -> Self {
        Self {
            state: SimState {
                inner: Arc::new(SimInner {
                    issuer: issuer.into(),
                    keys,
                    faults: Mutex::new(HashMap::new()),
                    seen_tokens: Mutex::new(Vec::new()),
                    day,
                }),
            },
        }
    }

    /// Sets (or with `Fault::default()`, clears) the fault of one source.
    pub fn set_fault(&self, source: Source, fault: Fault) {
        let mut faults = self
            .state
            .inner
            .faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if fault == Fault::default() {
            faults.remove(&source);
        } else {
            faults.insert(source, (fault, 0));
        }
    }

    /// Every token value the simulators were sent (for token-hygiene tests: none of
    /// them may show up in an API response, the database or the logs).
    pub fn seen_tokens(&self) -> Vec<String> {
        self.state
            .inner
            .seen_tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// All simulator routes under `/sim/<source>/…`, plus `/sim/control/{source}`.
    pub fn router(&self) -> Router {
        let mut router: Router<SimState> = Router::new();
        for source in Source::PROVIDERS {
            let provider = match source {
                Source::GoogleCalendar => google_calendar::router(),
                Source::Gmail => gmail::router(),
                Source::GoogleDrive => google_drive::router(),
                Source::Linear => linear::router(),
                Source::Github => github::router(),
                Source::Slack => slack::router(),
                Source::Granola => granola::router(),
                Source::AdHoc => continue,
            };
            let guarded = provider.layer(axum::middleware::from_fn_with_state(
                (self.state.clone(), source),
                guard,
            ));
            router = router.nest(&format!("/sim/{}", source.as_str()), guarded);
        }
        router
            .route("/sim/control/{source}", put(put_fault).delete(delete_fault))
            .with_state(self.state.clone())
    }
}

fn parse_source(name: &str) -> Option<Source> {
    Source::parse(name).filter(|s| *s != Source::AdHoc)
}

async fn put_fault(
    State(state): State<SimState>,
    Path(source): Path<String>,
    Json(fault): Json<Fault>,
) -> Response {
    match parse_source(&source) {
        Some(source) => {
            Simulators { state }.set_fault(source, fault);
            StatusCode::NO_CONTENT.into_response()
        }
        None => (StatusCode::NOT_FOUND, "no such source").into_response(),
    }
}

async fn delete_fault(State(state): State<SimState>, Path(source): Path<String>) -> Response {
    match parse_source(&source) {
        Some(source) => {
            Simulators { state }.set_fault(source, Fault::default());
            StatusCode::NO_CONTENT.into_response()
        }
        None => (StatusCode::NOT_FOUND, "no such source").into_response(),
    }
}

/// A provider-style JSON error.
fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        Json(serde_json::json!({ "error": { "code": status.as_u16(), "message": message } })),
    )
        .into_response()
}

/// Checks the bearer token like the provider would, then applies the source's fault.
async fn guard(
    State((state, source)): State<(SimState, Source)>,
    request: Request,
    next: Next,
) -> Response {
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let Some(token) = token else {
        return error(
            StatusCode::UNAUTHORIZED,
            "Request is missing a bearer token.",
        );
    };
    state
        .inner
        .seen_tokens
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(token.clone());
    let expect = Expectations::new(state.inner.issuer.clone(), demo_resource(source));
    if validate(&token, &state.inner.keys, &expect, crate::auth::unix_now()).is_err() {
        return error(StatusCode::UNAUTHORIZED, "Invalid Credentials");
    }
    let fault = {
        let mut faults = state
            .inner
            .faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        faults.get_mut(&source).map(|(fault, count)| {
            *count += 1;
            (fault.clone(), *count)
        })
    };
    let Some((fault, count)) = fault else {
        return next.run(request).await;
    };
    if fault.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(fault.latency_ms)).await;
    }
    match fault.mode {
        FaultMode::None => next.run(request).await,
        FaultMode::Status { status } => error(
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            "Simulated failure.",
        ),
        FaultMode::RateLimited {
            retry_after_secs,
            times,
        } if times == 0 || count <= times => {
            let mut r = error(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded.");
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        FaultMode::RateLimited { .. } => next.run(request).await,
        FaultMode::Garbage => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            "{\"items\": [ {\"id\": 1, \"summary\": tru",
        )
            .into_response(),
        FaultMode::Html => (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
        )
            .into_response(),
        FaultMode::Empty => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            "",
        )
            .into_response(),
        FaultMode::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            error(StatusCode::GATEWAY_TIMEOUT, "Simulated hang ended.")
        }
    }
}
