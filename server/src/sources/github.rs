//! GitHub: reviews requested of me, issues and pull requests assigned to me, and
//! notifications that ask something of me.
//!
//! [`fetch`] runs three issue searches (`is:pr review-requested:@me`,
//! `is:issue assignee:@me`, `is:pr assignee:@me`) and reads participating
//! notifications, following `Link: rel="next"` to the end of each; [`normalize`] turns
//! the items into tasks keyed `owner/repo#number`, so a pull request seen by a search
//! and a notification is one task (the search item, richer, wins; signals combine).
//! Notifications whose reason asks nothing of me (`subscribed`, `comment`,
//! `ci_activity`, …) are not to-dos and are dropped without being counted.

use std::collections::HashMap;

use pmt_wire::{Person, Signals, Source, Task, TaskId, TaskKind};
use reqwest::header::{HeaderMap, LINK};
use serde::Deserialize;
use serde_json::Value;

use super::parse_timestamp;
use super::{FetchContext, Fetched, SourceError};
use crate::plan::refs;

/// The searches, in the order their results are preferred when they overlap.
pub const SEARCHES: [(&str, SearchKind); 3] = [
    (
        "is:open is:pr review-requested:@me archived:false",
        SearchKind::ReviewRequested,
    ),
    (
        "is:open is:issue assignee:@me archived:false",
        SearchKind::Assigned,
    ),
    (
        "is:open is:pr assignee:@me archived:false",
        SearchKind::Assigned,
    ),
];
/// Items per page (GitHub's maximum for search is 100, for notifications 50).
const PER_PAGE: u32 = 50;
/// Pages followed per listing before giving up on the rest (counted as one skipped).
const MAX_PAGES: usize = 10;
/// Longest snippet, characters.
const SNIPPET_CHARS: usize = 280;

/// What a search result means for me.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchKind {
    /// My review was requested (directly or through a team).
    ReviewRequested,
    /// It is assigned to me (an issue, or a pull request when it has `pull_request`).
    Assigned,
}

/// What one fetch read, before normalization.
#[derive(Debug, Clone, Default)]
pub struct Bodies {
    /// Search items with what their search means.
    pub search: Vec<(SearchKind, Value)>,
    /// Notification threads.
    pub notifications: Vec<Value>,
    /// Listings cut short by the page cap.
    pub truncated: usize,
}

/// Fetches and normalizes.
///
/// # Errors
/// The client's errors (a `403`/`429` with no rate limit left is
/// [`SourceError::RateLimited`]); [`SourceError::Malformed`] for an unexpected body.
pub async fn fetch(ctx: &FetchContext) -> Result<Fetched, SourceError> {
    let client = ctx
        .client
        .clone()
        .with_header("accept", "application/vnd.github+json")
        .with_header("x-github-api-version", "2022-11-28");
    let mut bodies = Bodies::default();
    for (query, kind) in SEARCHES {
        let first = format!(
            "/search/issues?{}",
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("q", query)
                .append_pair("sort", "updated")
                .append_pair("order", "desc")
                .append_pair("per_page", &PER_PAGE.to_string())
                .append_pair("page", "1")
                .finish()
        );
        let (pages, truncated) = all_pages::<SearchPage>(&client, first).await?;
        bodies.truncated += usize::from(truncated);
        bodies
            .search
            .extend(pages.into_iter().flat_map(|p| p.items).map(|i| (kind, i)));
    }
    let first = format!("/notifications?participating=true&per_page={PER_PAGE}");
    let (pages, truncated) = all_pages::<Vec<Value>>(&client, first).await?;
    bodies.truncated += usize::from(truncated);
    bodies.notifications = pages.into_iter().flatten().collect();
    Ok(normalize(&bodies, ctx.option("login")))
}

/// Every page of a listing, following `Link: rel="next"`; `true` when the cap cut it.
async fn all_pages<T: serde::de::DeserializeOwned>(
    client: &super::SourceClient,
    first: String,
) -> Result<(Vec<T>, bool), SourceError> {
    let mut pages = Vec::new();
    let mut next = Some(first);
    while let Some(url) = next.take() {
        if pages.len() == MAX_PAGES {
            return Ok((pages, true));
        }
        let (page, headers): (T, HeaderMap) = client.get_json_with_headers(&url).await?;
        pages.push(page);
        next = headers
            .get_all(LINK)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(next_link);
    }
    Ok((pages, false))
}

/// The `rel="next"` target of a `Link` header value.
pub fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        params
            .split(';')
            .filter_map(|p| p.trim().split_once('='))
            .any(|(k, v)| k.trim() == "rel" && v.trim().trim_matches('"') == "next")
            .then(|| target.to_owned())
    })
}

/// One page of `/search/issues`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SearchPage {
    /// Matches (raw, so one odd item is skipped rather than failing the page).
    pub items: Vec<Value>,
}

/// A search result item.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SearchItem {
    /// Number in its repository.
    pub number: Option<u64>,
    /// Title.
    pub title: Option<String>,
    /// Web link.
    pub html_url: Option<String>,
    /// `https://api.github.com/repos/{owner}/{repo}`.
    pub repository_url: Option<String>,
    /// Author.
    pub user: Option<Login>,
    /// Labels.
    pub labels: Vec<Label>,
    /// Present only on pull requests.
    pub pull_request: Option<Value>,
    /// Draft pull request.
    pub draft: Option<bool>,
    /// RFC 3339.
    pub updated_at: Option<String>,
}

/// A user.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Login {
    /// Login.
    pub login: Option<String>,
}

/// A label.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Label {
    /// Name.
    pub name: Option<String>,
}

/// A notification thread.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Notification {
    /// Thread id.
    pub id: Option<String>,
    /// Why I got it (`mention`, `review_requested`, `assign`, `subscribed`, …).
    pub reason: Option<String>,
    /// RFC 3339.
    pub updated_at: Option<String>,
    /// What it is about.
    pub subject: Option<Subject>,
    /// Where.
    pub repository: Option<Repository>,
}

/// A notification's subject.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Subject {
    /// Title.
    pub title: Option<String>,
    /// API URL of the issue or pull request.
    pub url: Option<String>,
    /// `Issue`, `PullRequest`, `Discussion`, `CheckSuite`, `Release`, …
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// A notification's repository.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Repository {
    /// `owner/repo`.
    pub full_name: Option<String>,
    /// `https://github.com/owner/repo`.
    pub html_url: Option<String>,
}

/// What a notification reason asks of me, if anything.
fn notification_kind(reason: &str, subject_kind: &str) -> Option<TaskKind> {
    match reason {
        "mention" | "team_mention" => Some(TaskKind::Mention),
        "review_requested" | "approval_requested" => Some(TaskKind::Review),
        "assign" if subject_kind == "PullRequest" => Some(TaskKind::PullRequest),
        "assign" => Some(TaskKind::Issue),
        _ => None,
    }
}

/// Which kind wins when one item arrives as several (a review request is the
/// strongest claim on my time, a mention the weakest).
fn rank(kind: TaskKind) -> u8 {
    match kind {
        TaskKind::Review => 0,
        TaskKind::PullRequest => 1,
        TaskKind::Issue => 2,
        _ => 3,
    }
}

/// Turns search items and notifications into deduplicated tasks. `login` is mine
/// (so I am not listed among the people of my own pull requests).
pub fn normalize(bodies: &Bodies, login: Option<&str>) -> Fetched {
    let mut fetched = Fetched {
        skipped: bodies.truncated,
        ..Fetched::default()
    };
    let mut index: HashMap<TaskId, usize> = HashMap::new();
    let mut add = |fetched: &mut Fetched, task: Task| match index.get(&task.id) {
        Some(&at) => merge(&mut fetched.tasks[at], task),
        None => {
            index.insert(task.id.clone(), fetched.tasks.len());
            fetched.tasks.push(task);
        }
    };
    for (kind, item) in &bodies.search {
        match serde_json::from_value::<SearchItem>(item.clone())
            .ok()
            .and_then(|i| search_task(&i, *kind, login))
        {
            Some(task) => add(&mut fetched, task),
            None => fetched.skipped += 1,
        }
    }
    for thread in &bodies.notifications {
        let Ok(n) = serde_json::from_value::<Notification>(thread.clone()) else {
            fetched.skipped += 1;
            continue;
        };
        let subject = n.subject.clone().unwrap_or_default();
        let Some(kind) = notification_kind(
            n.reason.as_deref().unwrap_or_default(),
            subject.kind.as_deref().unwrap_or_default(),
        ) else {
            continue;
        };
        match notification_task(&n, kind) {
            Some(task) => add(&mut fetched, task),
            None => fetched.skipped += 1,
        }
    }
    fetched
}

/// Folds a second sighting of the same item into the first.
fn merge(into: &mut Task, other: Task) {
    if rank(other.kind) < rank(into.kind) {
        into.kind = other.kind;
        into.dismissible = other.kind.dismissible();
    }
    let (a, b) = (&mut into.signals, other.signals);
    a.waiting_on_me |= b.waiting_on_me;
    a.direct_mention |= b.direct_mention;
    a.updated_at = a.updated_at.max(b.updated_at);
    for r in other.refs {
        if !into.refs.contains(&r) {
            into.refs.push(r);
        }
    }
    if into.people.is_empty() {
        into.people = other.people;
    }
}

fn search_task(item: &SearchItem, kind: SearchKind, login: Option<&str>) -> Option<Task> {
    let number = item.number?;
    let title = non_empty(item.title.as_deref())?;
    let repo = item
        .repository_url
        .as_deref()
        .and_then(repo_from_api_url)
        .or_else(|| item.html_url.as_deref().and_then(repo_from_html_url))?;
    let is_pr = item.pull_request.is_some();
    let kind = match (kind, is_pr) {
        (SearchKind::ReviewRequested, _) => TaskKind::Review,
        (SearchKind::Assigned, true) => TaskKind::PullRequest,
        (SearchKind::Assigned, false) => TaskKind::Issue,
    };
    let author = item
        .user
        .as_ref()
        .and_then(|u| non_empty(u.login.as_deref()))
        .filter(|a| login.is_none_or(|me| !a.eq_ignore_ascii_case(me)));
    let mut parts = vec![format!("{repo}#{number}")];
    if item.draft == Some(true) {
        parts.push("draft".to_owned());
    }
    if let Some(a) = author {
        parts.push(format!("by {a}"));
    }
    parts.extend(item.labels.iter().filter_map(|l| l.name.clone()));
    let url = item
        .html_url
        .clone()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| html_url(&format!("https://github.com/{repo}"), is_pr, number));
    let people = author
        .map(|a| Person {
            name: a.to_owned(),
            handle: Some(a.to_owned()),
        })
        .into_iter()
        .collect();
    let signals = Signals {
        updated_at: item.updated_at.as_deref().and_then(parse_timestamp),
        waiting_on_me: kind == TaskKind::Review,
        ..Signals::default()
    };
    Some(task(
        &repo,
        number,
        kind,
        title,
        &parts.join(" · "),
        url,
        people,
        signals,
    ))
}

fn notification_task(n: &Notification, kind: TaskKind) -> Option<Task> {
    let subject = n.subject.as_ref()?;
    let title = non_empty(subject.title.as_deref())?;
    let repository = n.repository.as_ref()?;
    let api_url = subject.url.as_deref()?;
    let (repo, number) = repo_and_number_from_api_url(api_url)
        .or_else(|| Some((repository.full_name.clone()?, number_from_api_url(api_url)?)))?;
    let is_pr = subject.kind.as_deref() == Some("PullRequest") || api_url.contains("/pulls/");
    let repo_html = repository
        .html_url
        .clone()
        .filter(|u| u.starts_with("https://"))
        .unwrap_or_else(|| format!("https://github.com/{repo}"));
    let reason = n.reason.as_deref().unwrap_or_default();
    let why = match reason {
        "mention" => "you were mentioned",
        "team_mention" => "your team was mentioned",
        "review_requested" => "your review was requested",
        "approval_requested" => "your approval was requested",
        _ => "assigned to you",
    };
    let signals = Signals {
        updated_at: n.updated_at.as_deref().and_then(parse_timestamp),
        waiting_on_me: matches!(
            reason,
            "review_requested" | "approval_requested" | "mention"
        ),
        direct_mention: reason == "mention",
        ..Signals::default()
    };
    Some(task(
        &repo,
        number,
        kind,
        title,
        &format!("{repo}#{number} · {why}"),
        html_url(&repo_html, is_pr, number),
        Vec::new(),
        signals,
    ))
}

#[allow(clippy::too_many_arguments)]
fn task(
    repo: &str,
    number: u64,
    kind: TaskKind,
    title: &str,
    snippet: &str,
    url: String,
    people: Vec<Person>,
    signals: Signals,
) -> Task {
    let key = format!("{repo}#{number}");
    let mut task_refs = vec![format!("github:{key}")];
    for r in refs::extract(&format!("{title} {snippet} {url}")) {
        if !task_refs.contains(&r) {
            task_refs.push(r);
        }
    }
    Task {
        snippet: Some(truncate(snippet, SNIPPET_CHARS)),
        url: Some(url),
        people,
        signals,
        refs: task_refs,
        ..Task::new(Source::Github, &key, kind, title.to_owned())
    }
}

/// The web link of an issue or pull request, from its repository's web link.
fn html_url(repo_html: &str, is_pr: bool, number: u64) -> String {
    let path = if is_pr { "pull" } else { "issues" };
    format!("{}/{path}/{number}", repo_html.trim_end_matches('/'))
}

/// `owner/repo` from `…/repos/{owner}/{repo}` (any API origin).
fn repo_from_api_url(url: &str) -> Option<String> {
    let rest = url.split_once("/repos/")?.1;
    let mut parts = rest.split('/');
    let owner = parts.next().filter(|s| !s.is_empty())?;
    let repo = parts.next().filter(|s| !s.is_empty())?;
    Some(format!("{owner}/{repo}"))
}

/// `owner/repo` and the number from `…/repos/{owner}/{repo}/{pulls|issues}/{n}`.
///
/// The API origin does not matter, so it works against GitHub Enterprise and the
/// simulator alike.
pub fn repo_and_number_from_api_url(url: &str) -> Option<(String, u64)> {
    let rest = url.split_once("/repos/")?.1;
    let parts: Vec<&str> = rest.split(['/', '?', '#']).collect();
    match parts.as_slice() {
        [owner, repo, "pulls" | "issues", number, ..] if !owner.is_empty() && !repo.is_empty() => {
            Some((format!("{owner}/{repo}"), number.parse().ok()?))
        }
        _ => None,
    }
}

fn number_from_api_url(url: &str) -> Option<u64> {
    url.rsplit('/').next()?.parse().ok()
}

/// `owner/repo` from `https://github.com/{owner}/{repo}/…`.
fn repo_from_html_url(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1.split_once('/')?.1;
    let mut parts = rest.split('/');
    let owner = parts.next().filter(|s| !s.is_empty())?;
    let repo = parts.next().filter(|s| !s.is_empty())?;
    Some(format!("{owner}/{repo}"))
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
    fn finds_the_next_page_among_several_links() {
        let h = r#"<https://api.github.com/search/issues?q=x&page=2>; rel="next", <https://api.github.com/search/issues?q=x&page=5>; rel="last""#;
        assert_eq!(
            next_link(h).as_deref(),
            Some("https://api.github.com/search/issues?q=x&page=2")
        );
        let last_page = r#"<https://api.github.com/search/issues?q=x&page=1>; rel="prev", <https://api.github.com/search/issues?q=x&page=1>; rel="first""#;
        assert_eq!(next_link(last_page), None);
        assert_eq!(next_link("garbage"), None);
    }

    #[test]
    fn api_urls_become_keys_whatever_the_api_origin() {
        assert_eq!(
            repo_and_number_from_api_url("https://api.github.com/repos/acme/api/pulls/1347"),
            Some(("acme/api".into(), 1347))
        );
        assert_eq!(
            repo_and_number_from_api_url(
                "http://127.0.0.1:8080/sim/github/repos/acme/web/issues/88"
            ),
            Some(("acme/web".into(), 88))
        );
        assert_eq!(
            repo_and_number_from_api_url("https://api.github.com/repos/acme/api/commits/abc"),
            None
        );
    }

    #[test]
    fn pull_request_api_urls_rewrite_to_web_links() {
        assert_eq!(
            html_url("https://github.com/acme/api", true, 1347),
            "https://github.com/acme/api/pull/1347"
        );
        assert_eq!(
            html_url("https://github.com/acme/api/", false, 1290),
            "https://github.com/acme/api/issues/1290"
        );
    }
}
