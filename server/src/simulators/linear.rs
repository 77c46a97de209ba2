//! Linear simulator: `POST /graphql` answering the `viewer.assignedIssues` query in
//! Linear's wire format.
//!
//! It is not a GraphQL engine: it reads `first`/`after` from the variables (or literal
//! arguments) and the state-type `nin` filter from the query text or
//! `variables.filter`, and always returns every issue field the connector selects.
//! Pages hold at most [`PAGE_CAP`] issues so pagination is exercised. Closed issues
//! (completed, canceled, duplicate) are in the data: only the filter keeps them out.
//! The request header `x-pmt-sim-day: empty` asks for a day without issues.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::SimState;
use crate::sources::Today;

/// Most issues per page, whatever `first` asks for.
pub const PAGE_CAP: usize = 4;

/// The provider's routes, relative to `/sim/linear`.
pub fn router() -> Router<SimState> {
    Router::new().route("/graphql", post(graphql))
}

/// One simulated issue.
struct SimIssue {
    identifier: &'static str,
    title: &'static str,
    priority: f64,
    /// Days from today; `None` = no due date.
    due_in_days: Option<i64>,
    /// Minutes before now.
    updated_minutes_ago: i64,
    state: (&'static str, &'static str),
    project: Option<&'static str>,
    labels: &'static [&'static str],
    creator: (&'static str, &'static str),
}

const GRACE: (&str, &str) = ("Grace Hopper", "grace@example.com");
const ALAN: (&str, &str) = ("Alan Turing", "alan@example.com");
const DANA: (&str, &str) = (super::day::NAME, super::day::EMAIL);

/// Dana's issues today, open and closed.
fn issues() -> Vec<SimIssue> {
    vec![
        SimIssue {
            identifier: "ENG-142",
            title: "Fix token refresh race in sync worker",
            priority: 2.0,
            due_in_days: Some(0),
            updated_minutes_ago: 25,
            state: ("In Progress", "started"),
            project: Some("Sync v2"),
            labels: &["Bug"],
            creator: GRACE,
        },
        SimIssue {
            identifier: "ENG-130",
            title: "Migrate billing webhooks to v2",
            priority: 1.0,
            due_in_days: Some(-1),
            updated_minutes_ago: 60 * 20,
            state: ("Todo", "unstarted"),
            project: Some("Billing"),
            labels: &["Incident"],
            creator: ALAN,
        },
        SimIssue {
            identifier: "ENG-151",
            title: "Write runbook for sync v2 rollout",
            priority: 3.0,
            due_in_days: Some(3),
            updated_minutes_ago: 60 * 5,
            state: ("Todo", "unstarted"),
            project: Some("Sync v2"),
            labels: &["Docs"],
            creator: DANA,
        },
        SimIssue {
            identifier: "ENG-160",
            title: "Update onboarding copy",
            priority: 4.0,
            due_in_days: None,
            updated_minutes_ago: 60 * 24 * 6,
            state: ("Backlog", "backlog"),
            project: None,
            labels: &[],
            creator: GRACE,
        },
        SimIssue {
            identifier: "ENG-99",
            title: "Investigate flaky CI on main",
            priority: 0.0,
            due_in_days: None,
            updated_minutes_ago: 60 * 24 * 20,
            state: ("Backlog", "backlog"),
            project: None,
            labels: &["CI"],
            creator: ALAN,
        },
        SimIssue {
            identifier: "ENG-155",
            title: "Add metrics for sync retries",
            priority: 3.0,
            due_in_days: Some(7),
            updated_minutes_ago: 60 * 26,
            state: ("In Review", "started"),
            project: Some("Sync v2"),
            labels: &["Observability"],
            creator: DANA,
        },
        SimIssue {
            identifier: "ENG-147",
            title: "Document the webhook v2 payload (see ENG-130)",
            priority: 3.0,
            due_in_days: Some(5),
            updated_minutes_ago: 60 * 30,
            state: ("Todo", "unstarted"),
            project: Some("Billing"),
            labels: &["Docs"],
            creator: ALAN,
        },
        SimIssue {
            identifier: "ENG-163",
            title: "Triage: sync worker logs are too noisy",
            priority: 0.0,
            due_in_days: None,
            updated_minutes_ago: 60 * 50,
            state: ("Triage", "triage"),
            project: None,
            labels: &[],
            creator: GRACE,
        },
        SimIssue {
            identifier: "ENG-120",
            title: "Close out sync v1 incident",
            priority: 2.0,
            due_in_days: Some(-2),
            updated_minutes_ago: 60 * 3,
            state: ("Done", "completed"),
            project: Some("Sync v2"),
            labels: &[],
            creator: DANA,
        },
        SimIssue {
            identifier: "ENG-118",
            title: "Prototype sync over websockets",
            priority: 3.0,
            due_in_days: None,
            updated_minutes_ago: 60 * 4,
            state: ("Canceled", "canceled"),
            project: Some("Sync v2"),
            labels: &[],
            creator: DANA,
        },
        SimIssue {
            identifier: "ENG-125",
            title: "Token refresh fails under load",
            priority: 1.0,
            due_in_days: Some(0),
            updated_minutes_ago: 60 * 2,
            state: ("Duplicate", "duplicate"),
            project: None,
            labels: &["Bug"],
            creator: ALAN,
        },
    ]
}

fn issue_id(identifier: &str) -> String {
    let number: u64 = identifier
        .rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_default();
    format!("5f1c7d3e-7a44-4d1e-9b0e-{number:012}")
}

fn node(issue: &SimIssue, today: &Today) -> Value {
    let date = today.date.parse::<jiff::civil::Date>().ok();
    let due = issue.due_in_days.and_then(|days| {
        date.and_then(|d| d.checked_add(jiff::Span::new().days(days)).ok())
            .map(|d| d.to_string())
    });
    let updated = jiff::Timestamp::from_second(today.now - issue.updated_minutes_ago * 60)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S.000Z").to_string())
        .unwrap_or_default();
    let slug: String = issue
        .title
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let label = match issue.priority as u8 {
        1 => "Urgent",
        2 => "High",
        3 => "Medium",
        4 => "Low",
        _ => "No priority",
    };
    json!({
        "id": issue_id(issue.identifier),
        "identifier": issue.identifier,
        "title": issue.title,
        "url": format!("https://linear.app/acme/issue/{}/{slug}", issue.identifier),
        "priority": issue.priority,
        "priorityLabel": label,
        "dueDate": due,
        "updatedAt": updated,
        "state": {"name": issue.state.0, "type": issue.state.1},
        "project": issue.project.map(|p| json!({"name": p})),
        "labels": {"nodes": issue.labels.iter().map(|l| json!({"name": l})).collect::<Vec<_>>()},
        "creator": {"name": issue.creator.0, "email": issue.creator.1},
    })
}

/// A GraphQL error answer, the way Linear sends it.
fn graphql_error(status: StatusCode, kind: &str, message: &str) -> Response {
    (
        status,
        Json(json!({
            "errors": [{
                "message": message,
                "extensions": {"type": kind, "userPresentableMessage": message}
            }]
        })),
    )
        .into_response()
}

async fn graphql(State(state): State<SimState>, headers: HeaderMap, body: Bytes) -> Response {
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return graphql_error(
            StatusCode::BAD_REQUEST,
            "graphql error",
            "The request body is not JSON.",
        );
    };
    let query = request["query"].as_str().unwrap_or_default();
    let variables = &request["variables"];
    if !query.contains("assignedIssues") {
        return graphql_error(
            StatusCode::BAD_REQUEST,
            "graphql error",
            "This simulator answers only viewer.assignedIssues.",
        );
    }
    let today = state.day().today();
    let excluded = excluded_state_types(query, variables);
    let mut open: Vec<SimIssue> = if empty_day(&headers) {
        Vec::new()
    } else {
        issues()
    };
    open.retain(|i| !excluded.iter().any(|t| t == i.state.1));
    open.sort_by_key(|i| i.updated_minutes_ago);
    let first = variables["first"]
        .as_u64()
        .or_else(|| literal_argument(query, "first").and_then(|v| v.parse().ok()))
        .unwrap_or(50);
    if first == 0 || first > 250 {
        return graphql_error(
            StatusCode::BAD_REQUEST,
            "invalid input",
            "first must be between 1 and 250.",
        );
    }
    let start = match variables["after"].as_str() {
        None => 0,
        Some(cursor) => match open.iter().position(|i| issue_id(i.identifier) == cursor) {
            Some(index) => index + 1,
            None => {
                return graphql_error(
                    StatusCode::BAD_REQUEST,
                    "invalid input",
                    "Argument Validation Error: the cursor is not valid.",
                )
            }
        },
    };
    let size = usize::try_from(first).unwrap_or(PAGE_CAP).min(PAGE_CAP);
    let end = (start + size).min(open.len());
    let page = &open[start.min(end)..end];
    let nodes: Vec<Value> = page.iter().map(|i| node(i, &today)).collect();
    let end_cursor = page.last().map(|i| issue_id(i.identifier));
    Json(json!({
        "data": {
            "viewer": {
                "id": "2f1c7d3e-7a44-4d1e-9b0e-00000000da0a",
                "name": super::day::NAME,
                "assignedIssues": {
                    "nodes": nodes,
                    "pageInfo": {"hasNextPage": end < open.len(), "endCursor": end_cursor}
                }
            }
        }
    }))
    .into_response()
}

/// Whether the caller asked for a day without data (`x-pmt-sim-day: empty`).
fn empty_day(headers: &HeaderMap) -> bool {
    headers
        .get("x-pmt-sim-day")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"empty"))
}

/// The state types in a `type: { nin: [...] }` filter, from `variables.filter` or the
/// query text.
fn excluded_state_types(query: &str, variables: &Value) -> Vec<String> {
    if let Some(list) = variables["filter"]["state"]["type"]["nin"].as_array() {
        return list
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
    }
    let Some(at) = query.find("nin:") else {
        return Vec::new();
    };
    let rest = &query[at + 4..];
    let Some(open) = rest.find('[') else {
        return Vec::new();
    };
    let Some(close) = rest[open..].find(']') else {
        return Vec::new();
    };
    rest[open + 1..open + close]
        .split(',')
        .map(|s| s.trim().trim_matches('"').to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The literal value of `name: <value>` in the query text (e.g. `first: 10`).
fn literal_argument<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    let at = query.find(&format!("{name}:"))?;
    let rest = query[at + name.len() + 1..].trim_start();
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '$'))
        .unwrap_or(rest.len());
    let value = &rest[..end];
    (!value.starts_with('$') && !value.is_empty()).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_state_filter_from_the_query_text_or_the_variables() {
        let q =
            r#"assignedIssues(filter: { state: { type: { nin: ["completed", "canceled"] } } })"#;
        assert_eq!(
            excluded_state_types(q, &Value::Null),
            ["completed", "canceled"]
        );
        let v = json!({"filter": {"state": {"type": {"nin": ["duplicate"]}}}});
        assert_eq!(excluded_state_types("assignedIssues", &v), ["duplicate"]);
        assert!(excluded_state_types("assignedIssues", &Value::Null).is_empty());
    }

    #[test]
    fn reads_literal_arguments_but_not_variables() {
        assert_eq!(
            literal_argument("assignedIssues(first: 3)", "first"),
            Some("3")
        );
        assert_eq!(
            literal_argument("assignedIssues(first: $first)", "first"),
            None
        );
    }
}
