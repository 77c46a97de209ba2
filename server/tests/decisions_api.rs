//! Local decisions and ad-hoc tasks over HTTP, on the real demo server with a real
//! session token: dismiss/restore, priority overrides, ad-hoc CRUD, the refusals a user
//! sees, and durability across a restart.

use crate::demo_as_support;

use demo_as_support::{decode_unverified, spawn_in, Demo};
use pmt_server::store::{Store, FILE_NAME};
use pmt_wire::{Priority, Snapshot, Source, SourceState, SourceStatus, Task, TaskId, TaskKind};
use reqwest::Method;
use serde_json::{json, Value};

/// A signed-in demo user with a seeded snapshot.
struct Api {
    demo: Demo,
    token: String,
    sub: String,
}

fn task(source: Source, provider_id: &str, kind: TaskKind, refs: &[&str]) -> Task {
    Task {
        refs: refs.iter().map(|r| (*r).to_owned()).collect(),
        ..Task::new(
            source,
            provider_id,
            kind,
            format!("{} {provider_id}", source.label()),
        )
    }
}

/// A fetched snapshot as a refresh would have stored it.
fn seeded() -> Snapshot {
    Snapshot {
        generated_at: 1_795_422_600,
        tasks: vec![
            task(Source::Slack, "C0RANDOM-1", TaskKind::Mention, &[]),
            task(
                Source::Linear,
                "ENG-142",
                TaskKind::Issue,
                &["linear:ENG-142"],
            ),
            task(
                Source::Github,
                "acme/api#1347",
                TaskKind::Review,
                &["github:acme/api#1347", "linear:ENG-142"],
            ),
        ],
        sources: vec![SourceStatus {
            source: Source::Slack,
            state: SourceState::Ok {
                count: 1,
                skipped: 0,
            },
            duration_ms: 3,
            fetched_at: 1_795_422_600,
        }],
    }
}

const SLACK: &str = "slack:C0RANDOM-1";
const LINEAR: &str = "linear:ENG-142";
const GITHUB: &str = "github:acme/api#1347";

impl Api {
    async fn start() -> Api {
        Api::signed_in(demo_as_support::start().await).await
    }

    async fn signed_in(demo: Demo) -> Api {
        let token = demo.session_token().await;
        let sub = decode_unverified(&token).1["sub"]
            .as_str()
            .expect("sub")
            .to_owned();
        let api = Api { demo, token, sub };
        api.store()
            .save_snapshot(&api.sub, &seeded())
            .await
            .expect("seed");
        api
    }

    /// A second connection on the server's database file.
    fn store(&self) -> Store {
        Store::open(&self.demo.data_dir.path().join(FILE_NAME)).expect("store")
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.demo
            .http
            .request(method, self.demo.url(&format!("/api{path}")))
            .bearer_auth(&self.token)
    }

    /// `METHOD /api/tasks/{id}/{action}` with the id as one encoded path segment.
    async fn task_action(
        &self,
        method: Method,
        id: &str,
        action: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let segment: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
        let mut request = self.request(method, &format!("/tasks/{segment}/{action}"));
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request")
    }

    async fn dismiss(&self, id: &str) -> reqwest::Response {
        self.task_action(Method::POST, id, "dismiss", None).await
    }

    async fn set_priority(&self, id: &str, body: Value) -> reqwest::Response {
        self.task_action(Method::PUT, id, "priority", Some(body))
            .await
    }
}

async fn ok_task(response: reqwest::Response, status: u16) -> Task {
    let code = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(code, status, "{text}");
    serde_json::from_str(&text).expect("a task")
}

async fn error(response: reqwest::Response, status: u16, code: &str) -> String {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.expect("error json");
    assert_eq!(body["error"], code, "{body}");
    body["error_description"]
        .as_str()
        .expect("description")
        .to_owned()
}

#[tokio::test]
async fn dismiss_hides_a_mention_and_restore_brings_it_back() {
    let api = Api::start().await;
    let t = ok_task(api.dismiss(SLACK).await, 200).await;
    assert_eq!(t.id.0, SLACK);
    assert!(t.dismissed);
    assert!(api
        .store()
        .decisions(&api.sub)
        .await
        .unwrap()
        .dismissed
        .contains(&t.id));

    let t = ok_task(
        api.task_action(Method::POST, SLACK, "restore", None).await,
        200,
    )
    .await;
    assert!(!t.dismissed);
    assert!(api
        .store()
        .decisions(&api.sub)
        .await
        .unwrap()
        .dismissed
        .is_empty());
}

#[tokio::test]
async fn dismissing_a_linear_issue_is_refused_naming_linear() {
    let api = Api::start().await;
    let why = error(api.dismiss(LINEAR).await, 409, "conflict").await;
    assert_eq!(
        why,
        "Linear issues can't be dismissed here: change their status in Linear."
    );
    let why = error(api.dismiss(GITHUB).await, 409, "conflict").await;
    assert!(
        why.starts_with("GitHub review requests can't be dismissed"),
        "{why}"
    );
    assert!(api
        .store()
        .decisions(&api.sub)
        .await
        .unwrap()
        .dismissed
        .is_empty());
}

#[tokio::test]
async fn priority_is_one_of_four_levels_or_null() {
    let api = Api::start().await;
    for bad in [
        json!({"priority": "urgent"}),
        json!({"priority": 1}),
        json!({}),
    ] {
        let why = error(api.set_priority(LINEAR, bad).await, 400, "invalid_request").await;
        assert!(
            why.contains("\"critical\", \"high\", \"medium\", \"low\", or null"),
            "{why}"
        );
    }
    assert!(api
        .store()
        .decisions(&api.sub)
        .await
        .unwrap()
        .overrides
        .is_empty());

    // The GitHub id has '/' and '#': one percent-encoded path segment.
    let t = ok_task(
        api.set_priority(GITHUB, json!({"priority": "critical"}))
            .await,
        200,
    )
    .await;
    assert_eq!(
        (t.priority, t.priority_override),
        (Priority::Critical, Some(Priority::Critical))
    );
    assert_ne!(t.computed_priority, Priority::Critical);
    assert_eq!(
        t.links,
        vec![TaskId(LINEAR.to_owned())],
        "the task comes back as the list shows it, linked"
    );

    let t = ok_task(
        api.set_priority(GITHUB, json!({"priority": null})).await,
        200,
    )
    .await;
    assert_eq!(t.priority_override, None);
    assert_eq!(t.priority, t.computed_priority);
}

#[tokio::test]
async fn an_unknown_task_is_not_found() {
    let api = Api::start().await;
    let why = error(api.dismiss("linear:ENG-404").await, 404, "not_found").await;
    assert!(why.contains("linear:ENG-404"), "{why}");
    error(
        api.set_priority("slack:nope", json!({"priority": "low"}))
            .await,
        404,
        "not_found",
    )
    .await;
    error(
        api.task_action(Method::POST, "ad_hoc:nope", "restore", None)
            .await,
        404,
        "not_found",
    )
    .await;
    let d = api.store().decisions(&api.sub).await.unwrap();
    assert!(
        d.dismissed.is_empty() && d.overrides.is_empty(),
        "nothing written"
    );
}

#[tokio::test]
async fn decisions_need_a_session_token() {
    let api = Api::start().await;
    let response = api
        .demo
        .http
        .post(api.demo.url("/api/tasks/slack%3AC0RANDOM-1/dismiss"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let response = api
        .demo
        .http
        .post(api.demo.url("/api/adhoc"))
        .json(&json!({"title": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert!(api.store().list_adhoc(&api.sub).await.unwrap().is_empty());
}

#[tokio::test]
async fn adhoc_tasks_are_created_edited_dismissed_and_deleted() {
    let api = Api::start().await;
    let created = ok_task(
        api.request(Method::POST, "/adhoc")
            .json(&json!({"title": "Review ENG-142 rollout notes", "priority": "high", "notes": "before standup"}))
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
    assert_eq!(
        (created.source, created.kind),
        (Source::AdHoc, TaskKind::AdHoc)
    );
    assert_eq!(created.title, "Review ENG-142 rollout notes");
    assert_eq!(created.snippet.as_deref(), Some("before standup"));
    assert_eq!(
        created.priority,
        Priority::High,
        "its own priority acts as an override"
    );
    assert!(created.dismissible);
    assert!(created.links.contains(&TaskId(LINEAR.to_owned())));
    let store_id = created
        .id
        .0
        .strip_prefix("ad_hoc:")
        .expect("ad_hoc id")
        .to_owned();

    let edited = ok_task(
        api.request(Method::PATCH, &format!("/adhoc/{store_id}"))
            .json(&json!({"title": "Review rollout notes", "priority": null, "due": 2_000_000_000}))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(edited.id, created.id);
    assert_eq!(edited.title, "Review rollout notes");
    assert_eq!(edited.priority_override, None);
    assert_eq!(edited.signals.due, Some(2_000_000_000));
    assert_eq!(
        edited.snippet.as_deref(),
        Some("before standup"),
        "absent field unchanged"
    );

    // Setting its priority through the task route changes the task itself.
    let t = ok_task(
        api.set_priority(&created.id.0, json!({"priority": "critical"}))
            .await,
        200,
    )
    .await;
    assert_eq!(t.priority, Priority::Critical);
    let stored = api.store().list_adhoc(&api.sub).await.unwrap();
    assert_eq!(stored[0].priority, Some(Priority::Critical));

    let t = ok_task(api.dismiss(&created.id.0).await, 200).await;
    assert!(t.dismissed);

    let response = api
        .request(Method::DELETE, &format!("/adhoc/{}", created.id.0))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert!(api.store().list_adhoc(&api.sub).await.unwrap().is_empty());
    assert!(api
        .store()
        .decisions(&api.sub)
        .await
        .unwrap()
        .dismissed
        .is_empty());
    let response = api
        .request(Method::PATCH, &format!("/adhoc/{store_id}"))
        .json(&json!({"title": "again"}))
        .send()
        .await
        .unwrap();
    error(response, 404, "not_found").await;
    let response = api
        .request(Method::DELETE, &format!("/adhoc/{store_id}"))
        .send()
        .await
        .unwrap();
    error(response, 404, "not_found").await;
}

#[tokio::test]
async fn bad_adhoc_fields_are_refused_and_nothing_is_written() {
    let api = Api::start().await;
    let cases = [
        (json!({"title": ""}), "The title cannot be empty."),
        (json!({"title": "   "}), "The title cannot be empty."),
        (json!({"title": "x".repeat(201)}), "at most 200 characters"),
        (
            json!({"title": "ok", "notes": "n".repeat(2001)}),
            "at most 2000 characters",
        ),
        (
            json!({"title": "ok", "priority": "urgent"}),
            "The body must be",
        ),
        (
            json!({"title": "ok", "colour": "red"}),
            "unknown field `colour`",
        ),
        (json!({"notes": "no title"}), "missing field `title`"),
    ];
    for (body, expected) in cases {
        let response = api
            .request(Method::POST, "/adhoc")
            .json(&body)
            .send()
            .await
            .unwrap();
        let why = error(response, 400, "invalid_request").await;
        assert!(why.contains(expected), "{body}: {why}");
    }
    assert!(api.store().list_adhoc(&api.sub).await.unwrap().is_empty());

    let created = ok_task(
        api.request(Method::POST, "/adhoc")
            .json(&json!({"title": "Keep me"}))
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
    let response = api
        .request(Method::PATCH, &format!("/adhoc/{}", created.id.0))
        .json(&json!({"title": "x".repeat(201), "due": 5}))
        .send()
        .await
        .unwrap();
    error(response, 400, "invalid_request").await;
    let stored = api.store().list_adhoc(&api.sub).await.unwrap();
    assert_eq!((stored[0].title.as_str(), stored[0].due), ("Keep me", None));
}

#[tokio::test]
async fn a_decision_survives_a_server_restart() {
    let api = Api::start().await;
    ok_task(api.dismiss(SLACK).await, 200).await;
    ok_task(
        api.set_priority(LINEAR, json!({"priority": "critical"}))
            .await,
        200,
    )
    .await;

    let Api { demo, .. } = api;
    let Demo {
        server, data_dir, ..
    } = demo;
    server.task.abort();
    let _ = server.task.await;
    drop(server.state);

    let static_dir = tempfile::tempdir().unwrap();
    let server = spawn_in(data_dir.path(), static_dir.path()).await;
    let demo = Demo::around(server, data_dir, static_dir);
    let token = demo.session_token().await;
    let api = Api {
        sub: decode_unverified(&token).1["sub"]
            .as_str()
            .unwrap()
            .to_owned(),
        demo,
        token,
    };
    // Any action answers with the task as the list shows it, decisions applied.
    let slack = ok_task(
        api.set_priority(SLACK, json!({"priority": "low"})).await,
        200,
    )
    .await;
    assert!(slack.dismissed, "the dismissal survived the restart");
    let linear = ok_task(
        api.set_priority(LINEAR, json!({"priority": "critical"}))
            .await,
        200,
    )
    .await;
    assert_eq!(linear.priority_override, Some(Priority::Critical));
    let restored = ok_task(
        api.task_action(Method::POST, SLACK, "restore", None).await,
        200,
    )
    .await;
    assert!(!restored.dismissed);
}

#[tokio::test]
async fn no_token_is_ever_written_to_the_store() {
    let api = Api::start().await;
    ok_task(api.dismiss(SLACK).await, 200).await;
    ok_task(
        api.set_priority(LINEAR, json!({"priority": "high"})).await,
        200,
    )
    .await;
    ok_task(
        api.request(Method::POST, "/adhoc")
            .json(&json!({"title": "Mine"}))
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
    let signature = api.token.rsplit('.').next().unwrap();
    let mut checked = 0;
    for entry in std::fs::read_dir(api.demo.data_dir.path()).unwrap() {
        let entry = entry.unwrap();
        if !entry.file_name().to_string_lossy().starts_with(FILE_NAME) {
            continue;
        }
        let bytes = std::fs::read(entry.path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(signature),
            "{:?} holds the session token",
            entry.file_name()
        );
        assert!(
            !text.contains("eyJ"),
            "{:?} holds something JWT-like",
            entry.file_name()
        );
        checked += 1;
    }
    assert!(checked >= 1, "the database file exists");
}
