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
        "/api/plan": {
            "get": operation(
                "Today's time-blocked plan from the stored snapshot (no provider is \
                 called, no LLM needed): meetings as fixed blocks, prep right before the \
                 meetings it prepares, the configured breaks, focus blocks for the most \
                 urgent work within working hours from now on, and what does not fit \
                 with the reason.",
                true, None, ok("The day plan.", "DayPlan")),
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
        "/api/activity": {
            "get": ({
                let mut op = operation(
                    "The user's activity trail, newest first: every token exchange (resource, \
                     scopes asked and granted, outcome, duration, the authorization server's \
                     reason on refusal) and every tool call (who asked, arguments summary, \
                     outcome, confirmation). Never a token value.",
                    true, None, {
                        let mut r = ok("A page of entries.", "ActivityPage");
                        r["400"] = error("limit is not 1-500 or before is not a number.");
                        r
                    });
                op["parameters"] = json!([
                    { "name": "limit", "in": "query", "required": false,
                      "schema": { "type": "integer", "minimum": 1, "maximum": 500 } },
                    { "name": "before", "in": "query", "required": false,
                      "description": "Only entries with a smaller id (the next page).",
                      "schema": { "type": "integer" } },
                ]);
                op
            }),
        },
        "/api/sources/{source}": {
            "put": ({
                let mut op = operation(
                    "Turn a source on or off for this user. An off source is not exchanged \
                     for or fetched and its tasks are hidden; the answer is the plan as the \
                     dashboard now shows it.",
                    true, Some("SourceSwitch"), {
                        let mut r = ok("The plan.", "Snapshot");
                        r["400"] = error("The body is not {\"enabled\": true|false}.");
                        r["404"] = error("No such source.");
                        r["409"] = error("The source is not configured on this server.");
                        r
                    });
                op["parameters"] = json!([{
                    "name": "source", "in": "path", "required": true,
                    "schema": schema_ref("Source"),
                }]);
                op
            }),
        },
        "/api/mcp/token": {
            "post": operation(
                "Demo mode only: an access token for a local MCP client, for the signed-in \
                 user. Its audience is the MCP server at mcp_url (which accepts nothing \
                 else), never this API; it expires after expires_in seconds (an hour).",
                true, None, {
                    let mut r = ok("The token and where to use it.", "McpToken");
                    r["404"] = error("Not in demo mode: MCP clients get their tokens from \
                        the authorization server.");
                    r
                }),
        },
        "/api/chat": {
            "post": operation(
                "Send Todaygent a message and stream its turn as Server-Sent Events (read \
                 with fetch: the stream needs the Authorization header). `started` first \
                 (the conversation to send back to continue, the turn = the activity \
                 group), then `text` pieces of the answer, `tool_call` / `tool_result` for \
                 each tool it uses, `confirm_request` when it wants to change the plan (the \
                 turn waits for POST /api/chat/confirm/{id}; no answer in time counts as \
                 Deny), `confirm_resolved`, `notice` (no LLM configured, round limit), \
                 `error` (the model failed), and `done` last. Closing the stream cancels \
                 the turn; a write still waiting is then not run.",
                true, Some("ChatRequest"), {
                    let mut r = json!({ "200": {
                        "description": "An event stream.",
                        "content": { "text/event-stream": { "schema": { "type": "string" },
                            "x-events": {
                                "started": schema_ref("ChatStarted"),
                                "text": schema_ref("ChatText"),
                                "tool_call": schema_ref("ChatToolCall"),
                                "tool_result": schema_ref("ChatToolResult"),
                                "confirm_request": schema_ref("ChatConfirmRequest"),
                                "confirm_resolved": schema_ref("ChatConfirmResolved"),
                                "notice": schema_ref("ChatNotice"),
                                "error": schema_ref("ChatError"),
                                "done": schema_ref("ChatDone"),
                            } } },
                    } });
                    r["400"] = error("The message is empty or longer than 4000 characters, \
                        or the body is not a ChatRequest.");
                    r["404"] = error("No such conversation for this user (it may have expired).");
                    r["409"] = error("A turn is still running in this conversation.");
                    r
                }),
        },
        "/api/chat/confirm/{id}": {
            "post": ({
                let mut op = operation(
                    "Allow or Deny the write a running turn proposed (its confirm_request). \
                     Only the user the turn runs for can answer, once.",
                    true, Some("ConfirmRequest"), json!({
                        "204": { "description": "Delivered; the turn goes on." },
                        "400": error("The body is not {\"allow\": true|false}."),
                        "404": error("No such confirmation is waiting for this user (wrong \
                            id, already answered, expired, or the chat was closed)."),
                    }));
                op["parameters"] = json!([{
                    "name": "id", "in": "path", "required": true,
                    "description": "The confirmation id from the confirm_request event.",
                    "schema": { "type": "string" },
                }]);
                op
            }),
        },
        "/api/chat/status": {
            "get": operation(
                "Whether an LLM is configured for Todaygent, and which (both null: the chat \
                 still answers \"plan my day\" with the day plan).",
                true, None, ok("The chat's model.", "ChatStatus")),
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
pub const TASK_KINDS: [TaskKind; 11] = TaskKind::ALL;

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
                "kept_from": {
                    "type": "integer",
                    "description": "Unix time of the earlier fetch this task comes from: \
                        set when the latest refresh could not fetch its source (an outage, \
                        not a refusal) and it gave this task earlier the same day."
                },
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
                status_variant("off", &[], json!({})),
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
    s.insert(
        "SourceSwitch".into(),
        object(&["enabled"], json!({ "enabled": { "type": "boolean" } })),
    );
    activity_schemas(&mut s);
    chat_schemas(&mut s);
    dayplan_schemas(&mut s);
    s.insert(
        "McpToken".into(),
        object(
            &["access_token", "expires_in", "mcp_url"],
            json!({
                "access_token": { "type": "string" },
                "expires_in": { "type": "integer", "minimum": 0 },
                "mcp_url": { "type": "string", "format": "uri" },
            }),
        ),
    );
    Value::Object(s)
}

/// The activity trail's types.
/// The day plan's schemas (`GET /api/plan`).
fn dayplan_schemas(s: &mut Map<String, Value>) {
    let int = json!({ "type": "integer" });
    let string = json!({ "type": "string" });
    s.insert(
        "BlockKind".into(),
        json!({ "type": "string", "enum": ["meeting", "prep", "focus", "break"] }),
    );
    s.insert(
        "PlanBlock".into(),
        object(
            &["start", "end", "kind", "title"],
            json!({
                "start": int, "end": int, "kind": schema_ref("BlockKind"), "title": string,
                "task": schema_ref("TaskId"), "prepares": schema_ref("TaskId"), "note": string,
            }),
        ),
    );
    s.insert(
        "NotToday".into(),
        object(
            &["task", "title", "reason"],
            json!({ "task": schema_ref("TaskId"), "title": string, "reason": string }),
        ),
    );
    s.insert(
        "DayPlan".into(),
        object(
            &["date", "work_start", "work_end", "blocks", "not_today"],
            json!({
                "date": { "type": "string", "format": "date" },
                "work_start": int, "work_end": int,
                "blocks": { "type": "array", "items": schema_ref("PlanBlock") },
                "not_today": { "type": "array", "items": schema_ref("NotToday") },
            }),
        ),
    );
}

fn activity_schemas(s: &mut Map<String, Value>) {
    let string = json!({ "type": "string" });
    let int = json!({ "type": "integer" });
    let common = |event: &str, required: &[&str], extra: Value| {
        let mut properties = json!({
            "id": int, "at_ms": int, "client": string, "user": string,
            "actor": { "enum": ["ui", "agent", "mcp"] },
            "group_kind": { "enum": ["refresh", "chat_turn", "mcp", "action"] },
            "group_id": string,
            "outcome": { "enum": ["ok", "refused", "failed"] },
            "type": { "const": event },
        });
        if let (Some(p), Value::Object(extra)) = (properties.as_object_mut(), extra) {
            p.extend(extra);
        }
        let mut all = vec![
            "id",
            "at_ms",
            "client",
            "user",
            "actor",
            "group_kind",
            "group_id",
            "outcome",
            "type",
        ];
        all.extend_from_slice(required);
        object(&all, properties)
    };
    s.insert(
        "ActivityEntry".into(),
        json!({ "oneOf": [
            common(
                "exchange",
                &["resource", "requested_scope", "granted_scope", "duration_ms"],
                json!({
                    "resource": string, "source": string, "requested_scope": string,
                    "granted_scope": string,
                    "duration_ms": { "type": "integer", "minimum": 0 },
                    "reason": string,
                }),
            ),
            common(
                "tool_call",
                &["tool", "write", "arguments", "confirmation"],
                json!({
                    "tool": string, "write": { "type": "boolean" }, "arguments": string,
                    "confirmation": { "enum": ["not_needed", "allowed", "denied"] },
                    "detail": string,
                }),
            ),
        ] }),
    );
    s.insert(
        "ActivityPage".into(),
        object(
            &["entries"],
            json!({ "entries": { "type": "array", "items": schema_ref("ActivityEntry") } }),
        ),
    );
}

/// The chat's request bodies, status and stream events (`/api/chat`).
fn chat_schemas(s: &mut Map<String, Value>) {
    let string = json!({ "type": "string" });
    let boolean = json!({ "type": "boolean" });
    s.insert(
        "ChatRequest".into(),
        object(
            &["message"],
            json!({
                "conversation": { "type": ["string", "null"],
                    "description": "The conversation to continue (from `started`); absent \
                        or null starts a new one." },
                "message": { "type": "string", "minLength": 1,
                    "maxLength": pmt_wire::agent::MAX_MESSAGE_CHARS },
            }),
        ),
    );
    s.insert(
        "ConfirmRequest".into(),
        object(&["allow"], json!({ "allow": boolean })),
    );
    s.insert(
        "ChatStatus".into(),
        object(
            &["provider", "model"],
            json!({
                "provider": { "type": ["string", "null"], "enum": ["anthropic", "openai", null] },
                "model": { "type": ["string", "null"] },
            }),
        ),
    );
    let event = |name: &str, fields: &[(&str, &Value)]| {
        let mut properties = Map::new();
        properties.insert("type".into(), json!({ "const": name }));
        let mut required = vec!["type"];
        for (field, schema) in fields {
            properties.insert((*field).into(), (*schema).clone());
            required.push(*field);
        }
        object(&required, Value::Object(properties))
    };
    for (schema, name, fields) in [
        (
            "ChatStarted",
            "started",
            vec![("conversation", &string), ("turn", &string)],
        ),
        ("ChatText", "text", vec![("delta", &string)]),
        (
            "ChatToolCall",
            "tool_call",
            vec![
                ("call_id", &string),
                ("tool", &string),
                ("summary", &string),
                ("write", &boolean),
            ],
        ),
        (
            "ChatToolResult",
            "tool_result",
            vec![("call_id", &string), ("ok", &boolean), ("summary", &string)],
        ),
        (
            "ChatConfirmRequest",
            "confirm_request",
            vec![
                ("confirmation", &string),
                ("tool", &string),
                ("description", &string),
            ],
        ),
        (
            "ChatConfirmResolved",
            "confirm_resolved",
            vec![("confirmation", &string), ("allowed", &boolean)],
        ),
        ("ChatNotice", "notice", vec![("message", &string)]),
        ("ChatError", "error", vec![("message", &string)]),
        ("ChatDone", "done", vec![]),
    ] {
        s.insert(schema.into(), event(name, &fields));
    }
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
            kept_from: Some(5),
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
    fn a_day_plan_with_every_block_kind_conforms() {
        use pmt_wire::dayplan::{BlockKind, DayPlan, NotToday, PlanBlock};
        let id = |s: &str| pmt_wire::TaskId(s.to_owned());
        let block = |kind, task: Option<&str>, prepares: Option<&str>, note: &str| PlanBlock {
            start: 1_795_422_600,
            end: 1_795_424_400,
            kind,
            title: "t".into(),
            task: task.map(id),
            prepares: prepares.map(id),
            note: note.into(),
        };
        let plan = DayPlan {
            date: "2026-11-23".into(),
            work_start: 1_795_420_800,
            work_end: 1_795_451_400,
            blocks: vec![
                block(BlockKind::Meeting, Some("google_calendar:e1"), None, ""),
                block(
                    BlockKind::Prep,
                    Some("google_drive:c1"),
                    Some("google_calendar:e1"),
                    "prep",
                ),
                block(BlockKind::Focus, Some("linear:ENG-1"), None, "due 14:00"),
                block(BlockKind::Break, None, None, ""),
            ],
            not_today: vec![NotToday {
                task: id("linear:ENG-2"),
                title: "t".into(),
                reason: "no free 60-minute slot left before 17:30".into(),
            }],
        };
        conforms(&plan, "DayPlan");
        conforms(&DayPlan::default(), "DayPlan");
    }

    #[test]
    fn chat_requests_status_and_every_event_conform() {
        use pmt_wire::agent::{ChatEvent, ChatRequest, ChatStatus, ConfirmRequest};
        conforms(
            &ChatRequest {
                conversation: Some("c".into()),
                message: "plan my day".into(),
            },
            "ChatRequest",
        );
        conforms(
            &ChatRequest {
                conversation: None,
                message: "hi".into(),
            },
            "ChatRequest",
        );
        conforms(&ConfirmRequest { allow: true }, "ConfirmRequest");
        conforms(
            &ChatStatus {
                provider: Some("anthropic".into()),
                model: Some("claude".into()),
            },
            "ChatStatus",
        );
        conforms(
            &ChatStatus {
                provider: None,
                model: None,
            },
            "ChatStatus",
        );
        let s = || "x".to_owned();
        let events = [
            (
                ChatEvent::Started {
                    conversation: s(),
                    turn: s(),
                },
                "ChatStarted",
            ),
            (ChatEvent::Text { delta: s() }, "ChatText"),
            (
                ChatEvent::ToolCall {
                    call_id: s(),
                    tool: s(),
                    summary: s(),
                    write: true,
                },
                "ChatToolCall",
            ),
            (
                ChatEvent::ToolResult {
                    call_id: s(),
                    ok: false,
                    summary: s(),
                },
                "ChatToolResult",
            ),
            (
                ChatEvent::ConfirmRequest {
                    confirmation: s(),
                    tool: s(),
                    description: s(),
                },
                "ChatConfirmRequest",
            ),
            (
                ChatEvent::ConfirmResolved {
                    confirmation: s(),
                    allowed: false,
                },
                "ChatConfirmResolved",
            ),
            (ChatEvent::Notice { message: s() }, "ChatNotice"),
            (ChatEvent::Error { message: s() }, "ChatError"),
            (ChatEvent::Done, "ChatDone"),
        ];
        let documented = &document()["paths"]["/api/chat"]["post"]["responses"]["200"]["content"]
            ["text/event-stream"]["x-events"];
        for (event, schema) in events {
            conforms(&event, schema);
            assert_eq!(
                documented[event.name()]["$ref"],
                format!("#/components/schemas/{schema}"),
                "{}",
                event.name()
            );
        }
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

    #[test]
    fn the_mcp_token_conforms() {
        conforms(
            &pmt_wire::agent::McpToken {
                access_token: "t".into(),
                expires_in: 3600,
                mcp_url: "http://127.0.0.1:8080/mcp".into(),
            },
            "McpToken",
        );
    }
}
