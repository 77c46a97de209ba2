//! `GET /api/openapi.json`: an OpenAPI 3.1 description of every `/api` endpoint.
//!
//! Written out here rather than derived, so the wire crate (compiled into the PWA)
//! carries no schema machinery. It cannot drift silently: the tests check that every
//! route the router serves is described (and nothing else), and that real values of
//! every wire type conform to their schemas, field by field.

use std::sync::OnceLock;

use axum::routing::get;
use axum::{Json, Router};
use pmt_wire::{Priority, Source, TaskKind};
use serde_json::{json, Map, Value};

use crate::AppState;

/// `/openapi.json` (mounted under `/api`).
pub fn routes() -> Router<AppState> {
    Router::new().route("/openapi.json", get(get_openapi))
}

async fn get_openapi() -> Json<Value> {
    Json(document().clone())
}

/// The document (built once).
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(build)
}

fn build() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Plan My Today API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The token-mediating backend of Plan My Today. Every endpoint \
                except sign-in discovery, code redemption and this document needs the \
                session token (`Authorization: Bearer`). No response ever carries a \
                provider token.",
        },
        "paths": paths(),
        "components": {
            "securitySchemes": {
                "session": { "type": "http", "scheme": "bearer", "bearerFormat": "JWT" }
            },
            "schemas": schemas(),
        },
    })
}

/// A `$ref` to a component schema.
fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// A JSON body of a component schema.
fn json_body(name: &str) -> Value {
    json!({ "content": { "application/json": { "schema": schema_ref(name) } } })
}

/// An error response.
fn error(description: &str) -> Value {
    let mut r = json_body("ApiError");
    r["description"] = json!(description);
    r
}

/// The responses every authenticated operation may give besides its own.
fn with_auth_errors(mut responses: Value) -> Value {
    responses["401"] = error("No session token, or one that is not valid for this backend.");
    responses["500"] = error("A failure on our side.");
    responses
}

/// An operation: summary, whether it needs the session, request body, responses.
fn operation(summary: &str, authenticated: bool, request: Option<&str>, responses: Value) -> Value {
    let mut op = json!({ "summary": summary, "responses": responses });
    if authenticated {
        op["security"] = json!([{ "session": [] }]);
        op["responses"] = with_auth_errors(op["responses"].take());
    }
    if let Some(schema) = request {
        let mut body = json_body(schema);
        body["required"] = json!(true);
        op["requestBody"] = body;
    }
    op
}

fn ok(description: &str, schema: &str) -> Value {
    let mut r = json_body(schema);
    r["description"] = json!(description);
    json!({ "200": r })
}

/// The responses of a decision: the task as the list now shows it.
fn task_changed() -> Value {
    let mut r = ok("The task as the list now shows it.", "Task");
    r["404"] = error("The list has no such task.");
    r["409"] = error("This kind of task is changed only at its source.");
    r
}

/// Adds the `{id}` path parameter (a task id, percent-encoded as one segment).
fn with_id(mut op: Value) -> Value {
    op["parameters"] = json!([{
        "name": "id", "in": "path", "required": true,
        "description": "A task id (`<source>:<provider id>`, percent-encoded as one path \
            segment) or, for ad-hoc tasks, their store id.",
        "schema": { "type": "string" },
    }]);
    op
}

fn paths() -> Value {
    json!({
        "/api/auth/config": {
            "get": operation(
                "What the PWA needs to start sign-in (issuer, endpoint, client id, scope, resource).",
                false, None, ok("Sign-in settings.", "AuthConfig")),
        },
        "/api/session": {
            "post": operation(
                "Redeem an authorization code (with its PKCE verifier) for a session token.",
                false, Some("SessionRequest"), {
                    let mut r = ok("The session.", "SessionResponse");
                    r["400"] = error("The code, verifier or redirect URI was refused.");
                    r["502"] = error("The authorization server could not be reached.");
                    r
                }),
        },
        "/api/me": {
            "get": operation("Who the session token belongs to.", true, None,
                ok("The signed-in user.", "Me")),
        },
        "/api/tasks": {
            "get": operation(
                "The latest plan with local decisions and ad-hoc tasks applied. Reads the \
                 store only (no provider is called). Before the first refresh: no tasks, \
                 generated_at 0, every enabled source pending.",
                true, None, ok("The plan.", "Snapshot")),
        },
        "/api/refresh": {
            "post": operation(
                "Fetch every enabled source now (concurrently, each within its own time \
                 budget) and answer with the new plan; every source's status says whether \
                 it was fetched and, if not, why. Joins a refresh already running for \
                 the user.",
                true, None, ok("The new plan.", "Snapshot")),
        },
        "/api/refresh/stream": {
            "post": operation(
                "Like POST /api/refresh, streamed as Server-Sent Events: `source_started` \
                 (SourceStarted), `source_finished` (SourceStatus) once per enabled \
                 source, then `done` (Snapshot); `error` (ApiError) if no plan could be \
                 made.",
                true, None, json!({ "200": {
                    "description": "An event stream.",
                    "content": { "text/event-stream": { "schema": { "type": "string" },
                        "x-events": {
                            "source_started": schema_ref("SourceStarted"),
                            "source_finished": schema_ref("SourceStatus"),
                            "done": schema_ref("Snapshot"),
                            "error": schema_ref("ApiError"),
                        } } },
                } })),
        },
        "/api/tasks/{id}/dismiss": {
            "post": with_id(operation(
                "Hide a task (only kinds the source cannot mark done: meeting-note items, \
                 doc comments, mentions, marked messages, ad-hoc tasks). Survives refreshes.",
                true, None, task_changed())),
        },
        "/api/tasks/{id}/restore": {
            "post": with_id(operation("Show a dismissed task again.", true, None,
                task_changed())),
        },
        "/api/tasks/{id}/priority": {
            "put": with_id(operation(
                "Set (or with null, clear) the level shown for a task instead of the \
                 computed one.",
                true, Some("SetPriorityRequest"), {
                    let mut r = task_changed();
                    r["400"] = error("The body is not a level or null.");
                    r
                })),
        },
        "/api/adhoc": {
            "post": operation("Add a task of one's own.", true, Some("NewAdHocTask"), {
                let mut created = json_body("Task");
                created["description"] = json!("The task as the list shows it.");
                json!({
                    "201": created,
                    "400": error("A title of 1-200 characters is required; notes at most 2000."),
                })
            }),
        },
        "/api/adhoc/{id}": {
            "patch": with_id(operation(
                "Change the fields the body names; null clears due, priority or notes.",
                true, Some("AdHocPatch"), {
                    let mut r = ok("The task as the list shows it.", "Task");
                    r["400"] = error("A field was refused; nothing changed.");
                    r["404"] = error("No such ad-hoc task.");
                    r
                })),
            "delete": with_id(operation("Delete a task of one's own and its decisions.",
                true, None, json!({
                    "204": { "description": "Deleted." },
                    "404": error("No such ad-hoc task."),
                }))),
        },
        "/api/openapi.json": {
            "get": operation("This document.", false, None, json!({ "200": {
                "description": "OpenAPI 3.1.",
                "content": { "application/json": { "schema": { "type": "object" } } },
            } })),
        },
    })
}

/// The serialized names of enum values (from the types themselves).
fn names<T: serde::Serialize>(values: impl IntoIterator<Item = T>) -> Value {
    Value::Array(
        values
            .into_iter()
            .filter_map(|v| serde_json::to_value(v).ok())
            .collect(),
    )
}

/// Every task kind (listed here once; the tests serialize each).
pub const TASK_KINDS: [TaskKind; 11] = [
    TaskKind::Meeting,
    TaskKind::Rsvp,
    TaskKind::Email,
    TaskKind::DocComment,
    TaskKind::Issue,
    TaskKind::Review,
    TaskKind::PullRequest,
    TaskKind::Mention,
    TaskKind::MarkedMessage,
    TaskKind::MeetingNoteItem,
    TaskKind::AdHoc,
];

/// An object schema: properties, the required ones, nothing else allowed.
fn object(required: &[&str], properties: Value) -> Value {
    json!({
        "type": "object",
        "required": required,
        "properties": properties,
        "additionalProperties": false,
    })
}

fn schemas() -> Value {
    let mut s = Map::new();
    let string = json!({ "type": "string" });
    let opt_string = json!({ "type": ["string", "null"] });
    let int = json!({ "type": "integer" });
    let boolean = json!({ "type": "boolean" });
    s.insert(
        "Source".into(),
        json!({ "type": "string",
            "enum": names(Source::PROVIDERS.into_iter().chain([Source::AdHoc])) }),
    );
    s.insert(
        "Priority".into(),
        json!({ "type": "string", "enum": names(Priority::ALL) }),
    );
    s.insert(
        "TaskKind".into(),
        json!({ "type": "string", "enum": names(TASK_KINDS) }),
    );
    s.insert(
        "TaskId".into(),
        json!({ "type": "string", "description": "`<source>:<provider id>`, stable across refreshes." }),
    );
    s.insert(
        "Person".into(),
        object(&["name"], json!({ "name": string, "handle": opt_string })),
    );
    s.insert(
        "Signals".into(),
        object(
            &[],
            json!({
                "due": int, "starts_at": int, "ends_at": int, "updated_at": int,
                "waiting_on_me": boolean, "direct_mention": boolean, "rsvp_needed": boolean,
                "starred": boolean,
                "source_priority": { "type": "integer", "minimum": 1, "maximum": 4 },
            }),
        ),
    );
    s.insert(
        "Task".into(),
        object(
            &[
                "id",
                "source",
                "kind",
                "title",
                "computed_priority",
                "priority",
            ],
            json!({
                "id": schema_ref("TaskId"),
                "source": schema_ref("Source"),
                "kind": schema_ref("TaskKind"),
                "title": string,
                "snippet": string,
                "url": string,
                "people": { "type": "array", "items": schema_ref("Person") },
                "signals": schema_ref("Signals"),
                "refs": { "type": "array", "items": string },
                "links": { "type": "array", "items": schema_ref("TaskId") },
                "score": { "type": "integer", "minimum": 0, "maximum": 100 },
                "computed_priority": schema_ref("Priority"),
                "priority": schema_ref("Priority"),
                "why": { "type": "array", "items": string },
                "priority_override": schema_ref("Priority"),
                "dismissed": boolean,
                "dismissible": boolean,
            }),
        ),
    );
    s.insert(
        "SourceStatus".into(),
        json!({
            "description": "One source's outcome. `state` is `ok` (with `count`, \
                `skipped`), `failed` (with `reason`, for people), `disabled` or \
                `pending` (enabled, not fetched yet).",
            "oneOf": [
                status_variant("ok", &["count"], json!({ "count": int, "skipped": int })),
                status_variant("failed", &["reason"], json!({ "reason": string })),
                status_variant("disabled", &[], json!({})),
                status_variant("pending", &[], json!({})),
            ],
        }),
    );
    s.insert(
        "Snapshot".into(),
        object(
            &["generated_at", "tasks", "sources"],
            json!({
                "generated_at": { "type": "integer", "description": "Unix seconds; 0 = never refreshed." },
                "tasks": { "type": "array", "items": schema_ref("Task") },
                "sources": { "type": "array", "items": schema_ref("SourceStatus") },
            }),
        ),
    );
    s.insert(
        "SourceStarted".into(),
        object(&["source"], json!({ "source": schema_ref("Source") })),
    );
    s.insert(
        "ApiError".into(),
        object(
            &["error"],
            json!({ "error": string, "error_description": string }),
        ),
    );
    s.insert(
        "AuthConfig".into(),
        object(
            &[
                "issuer",
                "authorization_endpoint",
                "client_id",
                "scope",
                "resource",
                "iss_parameter_supported",
            ],
            json!({
                "issuer": string, "authorization_endpoint": string, "client_id": string,
                "scope": string, "resource": string, "iss_parameter_supported": boolean,
            }),
        ),
    );
    s.insert(
        "SessionRequest".into(),
        object(
            &["code", "code_verifier", "redirect_uri"],
            json!({ "code": string, "code_verifier": string, "redirect_uri": string }),
        ),
    );
    s.insert(
        "User".into(),
        object(
            &["sub"],
            json!({ "sub": string, "name": string, "email": string }),
        ),
    );
    s.insert(
        "SessionResponse".into(),
        object(
            &["token", "expires_at", "user"],
            json!({ "token": string, "expires_at": int, "user": schema_ref("User") }),
        ),
    );
    s.insert(
        "Me".into(),
        object(
            &["user", "expires_at", "issuer"],
            json!({ "user": schema_ref("User"), "expires_at": int, "issuer": string }),
        ),
    );
    let nullable = |name: &str| json!({ "oneOf": [schema_ref(name), { "type": "null" }] });
    s.insert(
        "SetPriorityRequest".into(),
        object(&["priority"], json!({ "priority": nullable("Priority") })),
    );
    s.insert(
        "NewAdHocTask".into(),
        object(
            &["title"],
            json!({
                "title": { "type": "string", "minLength": 1, "maxLength": 200 },
                "due": int,
                "priority": schema_ref("Priority"),
                "notes": { "type": "string", "maxLength": 2000 },
            }),
        ),
    );
    s.insert(
        "AdHocPatch".into(),
        object(
            &[],
            json!({
                "title": { "type": "string", "minLength": 1, "maxLength": 200 },
                "due": { "type": ["integer", "null"] },
                "priority": nullable("Priority"),
                "notes": { "type": ["string", "null"], "maxLength": 2000 },
            }),
        ),
    );
    Value::Object(s)
}

/// One shape of [`pmt_wire::SourceStatus`] (its state is flattened into it).
fn status_variant(state: &str, required: &[&str], extra: Value) -> Value {
    let mut properties = json!({
        "source": schema_ref("Source"),
        "state": { "const": state },
        "duration_ms": { "type": "integer", "minimum": 0 },
        "fetched_at": { "type": "integer" },
    });
    if let (Some(p), Value::Object(extra)) = (properties.as_object_mut(), extra) {
        p.extend(extra);
    }
    let mut all = vec!["source", "state", "duration_ms", "fetched_at"];
    all.extend_from_slice(required);
    object(&all, properties)
}

#[cfg(test)]
pub(crate) mod conformance {
    //! A small JSON Schema checker: enough of the vocabulary used above to prove that
    //! real values match the document.

    use serde_json::Value;

    /// Checks `value` against `schema`, resolving `$ref` in `doc`.
    pub(crate) fn check(
        value: &Value,
        schema: &Value,
        doc: &Value,
        at: &str,
    ) -> Result<(), String> {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let target = r
                .strip_prefix("#/")
                .map(|p| p.split('/').fold(doc, |v, k| &v[k]))
                .filter(|v| !v.is_null())
                .ok_or_else(|| format!("{at}: dangling $ref {r}"))?;
            return check(value, target, doc, at);
        }
        if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
            let matching = options
                .iter()
                .filter(|o| check(value, o, doc, at).is_ok())
                .count();
            return if matching == 1 {
                Ok(())
            } else {
                Err(format!("{at}: {matching} of oneOf match {value}"))
            };
        }
        if let Some(c) = schema.get("const") {
            if c != value {
                return Err(format!("{at}: {value} is not {c}"));
            }
        }
        if let Some(e) = schema.get("enum").and_then(Value::as_array) {
            if !e.contains(value) {
                return Err(format!("{at}: {value} is not one of {e:?}"));
            }
        }
        if let Some(t) = schema.get("type") {
            let types: Vec<&str> = match t {
                Value::String(s) => vec![s.as_str()],
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            let actual = match value {
                Value::Null => "null",
                Value::Bool(_) => "boolean",
                Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
                Value::Number(_) => "number",
                Value::String(_) => "string",
                Value::Array(_) => "array",
                Value::Object(_) => "object",
            };
            if !types.contains(&actual) {
                return Err(format!("{at}: {actual} where {types:?} was expected"));
            }
        }
        if let (Some(items), Value::Array(values)) = (schema.get("items"), value) {
            for (i, v) in values.iter().enumerate() {
                check(v, items, doc, &format!("{at}[{i}]"))?;
            }
        }
        if let Value::Object(fields) = value {
            let properties = schema.get("properties").and_then(Value::as_object);
            for required in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if !fields.contains_key(required) {
                    return Err(format!("{at}: missing required {required}"));
                }
            }
            for (key, v) in fields {
                match properties.and_then(|p| p.get(key)) {
                    Some(s) => check(v, s, doc, &format!("{at}.{key}"))?,
                    None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                        return Err(format!("{at}: undocumented field {key}"))
                    }
                    None => {}
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::conformance::check;
    use super::*;
    use pmt_wire::refresh::SourceStarted;
    use pmt_wire::{
        ApiError, AuthConfig, Me, Person, SessionRequest, SessionResponse, Signals, Snapshot,
        SourceState, SourceStatus, Task, TaskId, User,
    };

    fn conforms<T: serde::Serialize>(value: &T, schema: &str) {
        let doc = document();
        let value = serde_json::to_value(value).unwrap();
        let schema = &doc["components"]["schemas"][schema];
        assert!(!schema.is_null(), "no schema");
        if let Err(e) = check(&value, schema, doc, "$") {
            panic!("{e}");
        }
    }

    fn full_task(kind: TaskKind) -> Task {
        Task {
            id: TaskId::new(Source::Linear, "ENG-142"),
            source: Source::Linear,
            kind,
            title: "Fix token refresh race".into(),
            snippet: Some("x".into()),
            url: Some("https://linear.app/acme/issue/ENG-142".into()),
            people: vec![Person {
                name: "Grace".into(),
                handle: Some("grace".into()),
            }],
            signals: Signals {
                due: Some(1),
                starts_at: Some(2),
                ends_at: Some(3),
                updated_at: Some(4),
                waiting_on_me: true,
                direct_mention: true,
                rsvp_needed: true,
                starred: true,
                source_priority: Some(2),
            },
            refs: vec!["linear:ENG-142".into()],
            links: vec![TaskId::new(Source::Github, "acme/api#1347")],
            score: 70,
            computed_priority: Priority::High,
            priority: Priority::Critical,
            why: vec!["due today".into()],
            priority_override: Some(Priority::Critical),
            dismissed: true,
            dismissible: true,
        }
    }

    #[test]
    fn snapshots_with_every_task_kind_and_source_state_conform() {
        let status = |state| SourceStatus {
            source: Source::Slack,
            state,
            duration_ms: 5,
            fetched_at: 6,
        };
        let snapshot = Snapshot {
            generated_at: 7,
            tasks: TASK_KINDS.into_iter().map(full_task).collect(),
            sources: vec![
                status(SourceState::Ok {
                    count: 1,
                    skipped: 2,
                }),
                status(SourceState::Failed {
                    reason: "timed out after 5 s".into(),
                }),
                status(SourceState::Disabled),
                status(SourceState::Pending),
            ],
        };
        conforms(&snapshot, "Snapshot");
        conforms(&Snapshot::default(), "Snapshot");
        conforms(&snapshot.sources[1], "SourceStatus");
    }

    #[test]
    fn a_minimal_task_conforms() {
        let mut task = full_task(TaskKind::Issue);
        task.snippet = None;
        task.url = None;
        task.priority_override = None;
        task.signals = Signals::default();
        conforms(&task, "Task");
    }

    #[test]
    fn sign_in_and_event_types_conform() {
        let user = User {
            sub: "demo-user".into(),
            name: Some("Dana".into()),
            email: None,
        };
        conforms(
            &AuthConfig {
                issuer: "i".into(),
                authorization_endpoint: "a".into(),
                client_id: "c".into(),
                scope: "s".into(),
                resource: "r".into(),
                iss_parameter_supported: true,
            },
            "AuthConfig",
        );
        conforms(
            &SessionRequest {
                code: "c".into(),
                code_verifier: "v".into(),
                redirect_uri: "r".into(),
            },
            "SessionRequest",
        );
        conforms(
            &SessionResponse {
                token: "t".into(),
                expires_at: 1,
                user: user.clone(),
            },
            "SessionResponse",
        );
        conforms(
            &Me {
                user,
                expires_at: 1,
                issuer: "i".into(),
            },
            "Me",
        );
        conforms(
            &ApiError {
                error: "e".into(),
                error_description: "d".into(),
            },
            "ApiError",
        );
        conforms(
            &SourceStarted {
                source: Source::Granola,
            },
            "SourceStarted",
        );
    }

    #[test]
    fn decision_and_adhoc_requests_conform() {
        use pmt_wire::{AdHocPatch, NewAdHocTask, SetPriorityRequest};
        conforms(
            &SetPriorityRequest {
                priority: Some(Priority::High),
            },
            "SetPriorityRequest",
        );
        conforms(&SetPriorityRequest { priority: None }, "SetPriorityRequest");
        conforms(
            &NewAdHocTask {
                title: "Call the bank".into(),
                due: Some(1),
                priority: Some(Priority::Low),
                notes: Some("n".into()),
            },
            "NewAdHocTask",
        );
        conforms(
            &AdHocPatch {
                title: Some("t".into()),
                due: Some(None),
                priority: Some(Some(Priority::Critical)),
                notes: Some(None),
            },
            "AdHocPatch",
        );
        let mut adhoc = full_task(TaskKind::AdHoc);
        adhoc.source = Source::AdHoc;
        conforms(&adhoc, "Task");
    }

    /// Fails to compile when a task kind is added without listing it in [`TASK_KINDS`].
    #[test]
    fn task_kinds_are_all_listed() {
        fn listed(kind: TaskKind) -> bool {
            match kind {
                TaskKind::Meeting
                | TaskKind::Rsvp
                | TaskKind::Email
                | TaskKind::DocComment
                | TaskKind::Issue
                | TaskKind::Review
                | TaskKind::PullRequest
                | TaskKind::Mention
                | TaskKind::MarkedMessage
                | TaskKind::MeetingNoteItem
                | TaskKind::AdHoc => TASK_KINDS.contains(&kind),
            }
        }
        assert!(TASK_KINDS.into_iter().all(listed));
        let distinct: std::collections::HashSet<_> = TASK_KINDS.into_iter().collect();
        assert_eq!(distinct.len(), TASK_KINDS.len());
    }

    #[test]
    fn the_checker_catches_drift() {
        let doc = document();
        let task = &doc["components"]["schemas"]["Task"];
        let mut value = serde_json::to_value(full_task(TaskKind::Issue)).unwrap();
        value["renamed_field"] = json!(1);
        assert!(check(&value, task, doc, "$").is_err());
        let mut value = serde_json::to_value(full_task(TaskKind::Issue)).unwrap();
        value["kind"] = json!("todo");
        assert!(check(&value, task, doc, "$").is_err());
        let mut value = serde_json::to_value(full_task(TaskKind::Issue)).unwrap();
        value.as_object_mut().unwrap().remove("title");
        assert!(check(&value, task, doc, "$").is_err());
    }

    #[test]
    fn every_ref_resolves() {
        fn walk(v: &Value, doc: &Value) {
            match v {
                Value::Object(m) => {
                    if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                        let target = r
                            .trim_start_matches("#/")
                            .split('/')
                            .fold(doc, |v, k| &v[k]);
                        assert!(!target.is_null(), "dangling {r}");
                    }
                    m.values().for_each(|v| walk(v, doc));
                }
                Value::Array(a) => a.iter().for_each(|v| walk(v, doc)),
                _ => {}
            }
        }
        walk(document(), document());
    }
}
