//! Linear: my open issues, from the GraphQL `viewer.assignedIssues` connection.
//!
//! [`fetch`] posts [`QUERY`] page by page (Relay `first`/`after`, `pageInfo`) until
//! `hasNextPage` is false; [`page`] turns one GraphQL answer into its connection or a
//! [`SourceError`] (GraphQL `errors[]` come with HTTP 200 or 400); [`normalize`] turns
//! issue nodes into [`Task`]s. The query filters out completed, canceled and duplicate
//! issues at Linear; the normalizer drops any that still arrive and counts them.

use jiff::civil::Date;
use pmt_wire::{Person, Signals, Source, Task, TaskKind};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde::{Deserialize, Serialize};

use super::parse_timestamp;
use super::{FetchContext, Fetched, Me, SourceError, Today};
use crate::plan::refs;

/// The GraphQL document the connector sends.
pub const QUERY: &str = include_str!("my_open_issues.graphql");
/// Issues asked for per page (Linear's default and a cheap query complexity).
const PAGE_SIZE: u32 = 50;
/// Pages followed before giving up on the rest (counted as one skipped item).
const MAX_PAGES: usize = 20;
/// Workflow state types that are not open work.
const CLOSED_STATE_TYPES: [&str; 3] = ["completed", "canceled", "duplicate"];
/// Longest snippet, characters.
const SNIPPET_CHARS: usize = 280;

#[derive(Serialize)]
struct Request<'a> {
    query: &'static str,
    variables: Variables<'a>,
}

#[derive(Serialize)]
struct Variables<'a> {
    first: u32,
    after: Option<&'a str>,
}

/// Fetches my open issues and normalizes them.
///
/// # Errors
/// Transport and status errors from the client; [`SourceError::Provider`] or
/// [`SourceError::RateLimited`] for GraphQL `errors`; [`SourceError::Malformed`] when
/// the answer has no `viewer.assignedIssues`.
pub async fn fetch(ctx: &FetchContext) -> Result<Fetched, SourceError> {
    let mut nodes = Vec::new();
    let mut after: Option<String> = None;
    let mut truncated = false;
    for page_number in 0.. {
        if page_number == MAX_PAGES {
            truncated = true;
            break;
        }
        let request = Request {
            query: QUERY,
            variables: Variables {
                first: PAGE_SIZE,
                after: after.as_deref(),
            },
        };
        let (response, headers): (Response, HeaderMap) = ctx
            .client
            .post_json_accepting("/graphql", &request, &[400])
            .await?;
        let connection = page(response, retry_after_secs(&headers))?;
        nodes.extend(connection.nodes);
        match connection.page_info.end_cursor {
            Some(cursor) if connection.page_info.has_next_page && !cursor.is_empty() => {
                after = Some(cursor);
            }
            _ => break,
        }
    }
    let mut fetched = normalize(&nodes, &ctx.today, &ctx.me);
    fetched.skipped += usize::from(truncated);
    Ok(fetched)
}

/// The `Retry-After` seconds of a rate-limited answer, when Linear sent one.
fn retry_after_secs(headers: &HeaderMap) -> Option<u64> {
    headers.get(RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()
}

/// One GraphQL answer.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Response {
    /// The data, absent when the query failed as a whole.
    pub data: Option<Data>,
    /// GraphQL errors.
    pub errors: Vec<GraphqlError>,
}

/// `data`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Data {
    /// `viewer`.
    pub viewer: Option<Viewer>,
}

/// `data.viewer`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Viewer {
    /// The issues assigned to the viewer.
    pub assigned_issues: Option<IssueConnection>,
}

/// A Relay connection of issues. Nodes stay raw JSON so one odd node is skipped and
/// counted instead of failing the page.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct IssueConnection {
    /// Issue nodes.
    pub nodes: Vec<serde_json::Value>,
    /// Where the next page starts.
    pub page_info: PageInfo,
}

/// Relay `pageInfo`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PageInfo {
    /// More pages follow.
    pub has_next_page: bool,
    /// The cursor to pass as `after`.
    pub end_cursor: Option<String>,
}

/// One GraphQL error.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct GraphqlError {
    /// The developer message.
    pub message: String,
    /// Linear's classification.
    pub extensions: ErrorExtensions,
}

/// Linear's error `extensions`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ErrorExtensions {
    /// E.g. `ratelimited`, `authentication error`, `forbidden`, `invalid input`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// A message meant for people.
    pub user_presentable_message: Option<String>,
}

/// An issue node (every field optional: the normalizer decides what is required).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Issue {
    /// Linear's UUID.
    pub id: Option<String>,
    /// The key people use, e.g. `ENG-142`.
    pub identifier: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Link to the issue.
    pub url: Option<String>,
    /// 0 none, 1 urgent, 2 high, 3 medium, 4 low (a GraphQL `Float`; kept raw so a
    /// value of another type costs the priority, not the issue).
    pub priority: Option<serde_json::Value>,
    /// `YYYY-MM-DD`.
    pub due_date: Option<String>,
    /// RFC 3339.
    pub updated_at: Option<String>,
    /// Workflow state.
    pub state: Option<State>,
    /// Project.
    pub project: Option<Named>,
    /// Labels.
    pub labels: Option<Labels>,
    /// Who filed it.
    pub creator: Option<User>,
}

/// A workflow state.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct State {
    /// E.g. "In Progress".
    pub name: Option<String>,
    /// `triage`, `backlog`, `unstarted`, `started`, `completed`, `canceled`, `duplicate`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// Anything with a name.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Named {
    /// The name.
    pub name: Option<String>,
}

/// `labels { nodes { name } }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Labels {
    /// Label nodes.
    pub nodes: Vec<Named>,
}

/// A Linear user.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct User {
    /// Full name.
    pub name: Option<String>,
    /// Email.
    pub email: Option<String>,
}

/// The connection of one answer, or why there is none.
///
/// `retry_after_secs` is the answer's `Retry-After`, used when the error says the
/// caller is rate limited.
///
/// # Errors
/// [`SourceError::RateLimited`] for a `ratelimited` error, [`SourceError::Unauthorized`]
/// for `authentication error`/`forbidden`, [`SourceError::Provider`] with the
/// user-presentable message for any other error, [`SourceError::Malformed`] when
/// `viewer.assignedIssues` is missing.
pub fn page(
    response: Response,
    retry_after_secs: Option<u64>,
) -> Result<IssueConnection, SourceError> {
    if let Some(error) = response.errors.first() {
        let kind = error
            .extensions
            .kind
            .as_deref()
            .unwrap_or_default()
            .to_ascii_lowercase();
        return Err(match kind.as_str() {
            "ratelimited" => SourceError::RateLimited {
                retry_after_secs: retry_after_secs.unwrap_or(60),
            },
            "authentication error" => SourceError::Unauthorized(401),
            "forbidden" => SourceError::Unauthorized(403),
            _ => SourceError::Provider(
                error
                    .extensions
                    .user_presentable_message
                    .clone()
                    .filter(|m| !m.trim().is_empty())
                    .unwrap_or_else(|| error.message.clone()),
            ),
        });
    }
    response
        .data
        .and_then(|d| d.viewer)
        .and_then(|v| v.assigned_issues)
        .ok_or_else(|| SourceError::Malformed("the answer had no viewer.assignedIssues".to_owned()))
}

/// Turns issue nodes into tasks. Nodes without id, identifier or title, and closed
/// ones, are skipped and counted.
pub fn normalize(nodes: &[serde_json::Value], today: &Today, me: &Me) -> Fetched {
    let mut fetched = Fetched::default();
    for node in nodes {
        match serde_json::from_value::<Issue>(node.clone())
            .ok()
            .and_then(|issue| task(&issue, today, me))
        {
            Some(task) => fetched.tasks.push(task),
            None => fetched.skipped += 1,
        }
    }
    fetched
}

fn task(issue: &Issue, today: &Today, me: &Me) -> Option<Task> {
    let identifier = non_empty(issue.identifier.as_deref())?;
    let title = non_empty(issue.title.as_deref())?;
    non_empty(issue.id.as_deref())?;
    let state = issue.state.clone().unwrap_or_default();
    if state
        .kind
        .as_deref()
        .is_some_and(|k| CLOSED_STATE_TYPES.contains(&k))
    {
        return None;
    }
    let mut parts = vec![identifier.to_owned()];
    parts.extend(state.name.filter(|s| !s.is_empty()));
    parts.extend(issue.project.as_ref().and_then(|p| p.name.clone()));
    if let Some(labels) = &issue.labels {
        parts.extend(labels.nodes.iter().filter_map(|l| l.name.clone()));
    }
    let snippet = truncate(&parts.join(" · "), SNIPPET_CHARS);
    let url = issue.url.clone().filter(|u| !u.is_empty());
    let mut task_refs = vec![format!("linear:{identifier}")];
    let text = format!("{title} {snippet} {}", url.as_deref().unwrap_or_default());
    for key in refs::extract(&text) {
        if !task_refs.contains(&key) {
            task_refs.push(key);
        }
    }
    let people = issue
        .creator
        .iter()
        .filter(|c| !is_me(c, me))
        .filter_map(|c| {
            Some(Person {
                name: non_empty(c.name.as_deref())?.to_owned(),
                handle: c.email.clone(),
            })
        })
        .collect();
    let kind = TaskKind::Issue;
    Some(Task {
        snippet: Some(snippet),
        url,
        people,
        signals: Signals {
            due: issue
                .due_date
                .as_deref()
                .and_then(|d| end_of_local_day(d, today)),
            updated_at: issue.updated_at.as_deref().and_then(parse_timestamp),
            source_priority: issue
                .priority
                .as_ref()
                .and_then(serde_json::Value::as_f64)
                .and_then(source_priority),
            ..Signals::default()
        },
        refs: task_refs,
        ..Task::new(Source::Linear, identifier, kind, title.to_owned())
    })
}

/// Linear's priority number as 1 urgent … 4 low; 0 (no priority) and anything unknown
/// are `None`.
pub fn source_priority(priority: f64) -> Option<u8> {
    [1u8, 2, 3, 4]
        .into_iter()
        .find(|p| (f64::from(*p) - priority).abs() < f64::EPSILON)
}

/// A `YYYY-MM-DD` due date as the last second of that day in the user's zone.
fn end_of_local_day(date: &str, today: &Today) -> Option<i64> {
    today.end_of_local_day(date.trim().parse::<Date>().ok()?)
}

fn is_me(user: &User, me: &Me) -> bool {
    match (&user.email, &me.email) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => user.name.is_some() && user.name == me.name,
    }
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max_chars - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_numbers_map_to_levels_and_unknown_values_are_none() {
        assert_eq!(source_priority(1.0), Some(1));
        assert_eq!(source_priority(4.0), Some(4));
        assert_eq!(source_priority(0.0), None);
        assert_eq!(source_priority(2.5), None);
        assert_eq!(source_priority(7.0), None);
    }

    #[test]
    fn a_due_date_ends_at_local_midnight_even_across_dst() {
        // 2026-11-23 09:30 in Paris (UTC+1).
        let today = Today::at(1_795_422_600, "Europe/Paris").unwrap();
        assert_eq!(end_of_local_day("2026-11-23", &today), Some(today.end - 1));
        // 2026-10-25 is 25 hours long in Paris: its end is 23:00 UTC (UTC+1 again).
        let end = end_of_local_day("2026-10-25", &today).unwrap();
        assert_eq!(
            jiff::Timestamp::from_second(end).unwrap().to_string(),
            "2026-10-25T22:59:59Z"
        );
        assert_eq!(end_of_local_day("soon", &today), None);
    }

    #[test]
    fn the_query_excludes_closed_states_and_orders_by_update() {
        for t in CLOSED_STATE_TYPES {
            assert!(QUERY.contains(&format!("\"{t}\"")), "{t}");
        }
        assert!(QUERY.contains("nin:"));
        assert!(QUERY.contains("orderBy: updatedAt"));
        assert!(QUERY.contains("pageInfo { hasNextPage endCursor }"));
    }
}
