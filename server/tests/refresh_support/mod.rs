//! Shared by the `refresh_*` tests: a real demo server (authorization server,
//! simulators, store in a temp dir), a session token got through the real sign-in, and
//! the API calls the PWA makes. Use with `mod demo_as_support; mod refresh_support;`.
#![allow(dead_code, unreachable_pub)]

use std::collections::{BTreeMap, BTreeSet};

use pmt_server::config::Config;
use pmt_server::demo::DemoHandles;
use pmt_server::simulators::Simulators;
use pmt_wire::{Snapshot, Source, SourceState, SourceStatus, TaskId};

use crate::demo_as_support::{self, Demo};

/// A demo server and a signed-in session on it.
pub struct Session {
    /// The server and its directories.
    pub demo: Demo,
    /// Dana's session token (audience = the backend).
    pub token: String,
}

impl Session {
    /// A demo server with its default configuration, signed in.
    pub async fn start() -> Self {
        Self::signed_in(demo_as_support::start().await).await
    }

    /// A demo server whose configuration `adjust` changed first, signed in.
    pub async fn start_adjusted(adjust: impl FnOnce(&mut Config)) -> Self {
        Self::signed_in(demo_as_support::start_adjusted(adjust).await).await
    }

    /// Signs in on a running demo server.
    pub async fn signed_in(demo: Demo) -> Self {
        let token = demo.session_token().await;
        Self { demo, token }
    }

    /// The demo server's authorization server and simulators.
    pub fn handles(&self) -> &DemoHandles {
        self.demo.server.demo.as_ref().expect("demo mode")
    }

    /// The simulators.
    pub fn sims(&self) -> &Simulators {
        &self.handles().simulators
    }

    /// An authenticated request.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.demo
            .http
            .request(method, self.demo.url(path))
            .bearer_auth(&self.token)
    }

    /// `GET /api/tasks`, checked and decoded; also returns the raw body.
    pub async fn tasks_raw(&self) -> (Snapshot, String) {
        let response = self
            .request(reqwest::Method::GET, "/api/tasks")
            .send()
            .await
            .expect("GET /api/tasks");
        decode(response).await
    }

    /// `GET /api/tasks`.
    pub async fn tasks(&self) -> Snapshot {
        self.tasks_raw().await.0
    }

    /// `POST /api/refresh`, checked and decoded; also returns the raw body.
    pub async fn refresh_raw(&self) -> (Snapshot, String) {
        let response = self
            .request(reqwest::Method::POST, "/api/refresh")
            .send()
            .await
            .expect("POST /api/refresh");
        decode(response).await
    }

    /// `POST /api/refresh`.
    pub async fn refresh(&self) -> Snapshot {
        self.refresh_raw().await.0
    }

    /// `POST /api/refresh/stream`: the events (name, data) and the raw body.
    pub async fn refresh_stream(&self) -> (Vec<(String, String)>, String) {
        let response = self
            .request(reqwest::Method::POST, "/api/refresh/stream")
            .send()
            .await
            .expect("POST /api/refresh/stream");
        assert_eq!(response.status(), 200);
        assert_eq!(
            response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
            Some("text/event-stream")
        );
        let body = response.text().await.expect("stream body");
        (parse_sse(&body), body)
    }
}

async fn decode(response: reqwest::Response) -> (Snapshot, String) {
    let status = response.status();
    let body = response.text().await.expect("body");
    assert_eq!(status, 200, "{body}");
    (serde_json::from_str(&body).expect("a snapshot"), body)
}

/// Server-Sent Events → (event name, data) pairs; comments and keep-alives skipped.
pub fn parse_sse(text: &str) -> Vec<(String, String)> {
    let mut events = Vec::new();
    for block in text.split("\n\n") {
        let mut name = String::from("message");
        let mut data: Vec<&str> = Vec::new();
        for line in block.lines() {
            if let Some(v) = line.strip_prefix("event:") {
                name = v.trim_start().to_owned();
            } else if let Some(v) = line.strip_prefix("data:") {
                data.push(v.strip_prefix(' ').unwrap_or(v));
            }
        }
        if !data.is_empty() {
            events.push((name, data.join("\n")));
        }
    }
    events
}

/// One source's status in a snapshot.
pub fn status(snapshot: &Snapshot, source: Source) -> &SourceStatus {
    snapshot
        .sources
        .iter()
        .find(|s| s.source == source)
        .unwrap_or_else(|| panic!("no status for {source:?}"))
}

/// A failed source's reason (panics with the state otherwise).
pub fn failure_reason(snapshot: &Snapshot, source: Source) -> String {
    match &status(snapshot, source).state {
        SourceState::Failed { reason } => reason.clone(),
        other => panic!("{source:?} should have failed, is {other:?}"),
    }
}

/// The task ids of each source.
pub fn ids_by_source(snapshot: &Snapshot) -> BTreeMap<Source, BTreeSet<TaskId>> {
    let mut by_source: BTreeMap<Source, BTreeSet<TaskId>> = BTreeMap::new();
    for task in &snapshot.tasks {
        by_source
            .entry(task.source)
            .or_default()
            .insert(task.id.clone());
    }
    by_source
}
