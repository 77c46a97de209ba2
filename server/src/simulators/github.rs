//! GitHub simulator: `GET /search/issues` and `GET /notifications` in GitHub's REST
//! wire format, with `Link` pagination and `x-ratelimit-*` headers.
//!
//! The search understands the qualifiers the connector uses (`is:open|closed`,
//! `is:pr|issue`, `review-requested:`, `user-review-requested:`, `assignee:`,
//! `author:`, `archived:`), treats other words as title terms, and answers `422`
//! like GitHub when `q` has neither `is:issue` nor `is:pr`. Pages hold at most
//! [`PAGE_CAP`] items whatever `per_page` asks for, so pagination is exercised; `Link`
//! targets are absolute URLs on the simulator's own origin. The request header
//! `x-pmt-sim-day: empty` asks for a day without items.

use axum::extract::{OriginalUri, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::HashMap;

use super::day::GITHUB_LOGIN;
use super::SimState;
use crate::sources::Today;

/// Most items per page, whatever `per_page` asks for.
pub const PAGE_CAP: usize = 3;

/// The provider's routes, relative to `/sim/github`.
pub fn router() -> Router<SimState> {
    Router::new()
        .route("/search/issues", get(search))
        .route("/notifications", get(notifications))
}

/// Who was asked to review.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Review {
    None,
    /// Dana directly.
    Me,
    /// A team Dana is on.
    MyTeam,
}

struct SimItem {
    repo: &'static str,
    number: u64,
    title: &'static str,
    author: &'static str,
    pull: bool,
    draft: bool,
    open: bool,
    assigned_to_me: bool,
    review: Review,
    labels: &'static [&'static str],
    /// Minutes before now.
    updated_minutes_ago: i64,
    /// Days before now.
    created_days_ago: i64,
}

fn items() -> Vec<SimItem> {
    let base = SimItem {
        repo: "acme/api",
        number: 0,
        title: "",
        author: "grace",
        pull: false,
        draft: false,
        open: true,
        assigned_to_me: false,
        review: Review::None,
        labels: &[],
        updated_minutes_ago: 60,
        created_days_ago: 1,
    };
    vec![
        SimItem {
            number: 1347,
            title: "ENG-142: fix token refresh race",
            pull: true,
            review: Review::Me,
            labels: &["needs-review"],
            updated_minutes_ago: 40,
            ..base
        },
        SimItem {
            repo: "acme/web",
            number: 88,
            title: "Add dark mode toggle",
            author: "aturing",
            pull: true,
            review: Review::MyTeam,
            updated_minutes_ago: 180,
            created_days_ago: 2,
            ..base
        },
        SimItem {
            number: 1349,
            title: "Bump tokio from 1.40.0 to 1.41.1",
            author: "dependabot[bot]",
            pull: true,
            review: Review::Me,
            labels: &["dependencies"],
            updated_minutes_ago: 60 * 22,
            ..base
        },
        SimItem {
            repo: "acme/infra",
            number: 212,
            title: "Terraform: add staging bucket for sync v2",
            author: "aturing",
            pull: true,
            review: Review::Me,
            updated_minutes_ago: 60 * 5,
            ..base
        },
        SimItem {
            number: 1290,
            title: "Webhook retries ignore Retry-After (ENG-130)",
            author: "aturing",
            assigned_to_me: true,
            labels: &["bug", "billing"],
            updated_minutes_ago: 120,
            created_days_ago: 6,
            ..base
        },
        SimItem {
            repo: "acme/web",
            number: 77,
            title: "Dark mode colors are off in Safari",
            assigned_to_me: true,
            updated_minutes_ago: 60 * 48,
            created_days_ago: 9,
            ..base
        },
        SimItem {
            repo: "acme/infra",
            number: 205,
            title: "Rotate staging certificates",
            author: "aturing",
            assigned_to_me: true,
            updated_minutes_ago: 60 * 72,
            created_days_ago: 14,
            ..base
        },
        SimItem {
            number: 1301,
            title: "Document rate limit headers",
            assigned_to_me: true,
            labels: &["docs"],
            updated_minutes_ago: 60 * 24 * 8,
            created_days_ago: 20,
            ..base
        },
        SimItem {
            number: 1352,
            title: "ENG-151: draft sync v2 rollout runbook",
            author: GITHUB_LOGIN,
            pull: true,
            draft: true,
            assigned_to_me: true,
            updated_minutes_ago: 55,
            ..base
        },
        SimItem {
            number: 1280,
            title: "Webhook signature check rejects valid payloads",
            assigned_to_me: true,
            open: false,
            updated_minutes_ago: 60 * 30,
            created_days_ago: 10,
            ..base
        },
        SimItem {
            number: 1351,
            title: "Sync v2 rollout plan",
            updated_minutes_ago: 15,
            created_days_ago: 3,
            ..base
        },
        SimItem {
            repo: "acme/web",
            number: 90,
            title: "Design tokens for dark mode",
            author: "aturing",
            updated_minutes_ago: 60 * 4,
            ..base
        },
        SimItem {
            repo: "acme/web",
            number: 80,
            title: "Upgrade to Node 22",
            updated_minutes_ago: 60 * 6,
            created_days_ago: 30,
            ..base
        },
    ]
}

/// `(thread id, reason, repo, number, subject type, minutes ago)`; `number` 0 = a
/// subject without an issue URL (a check suite).
type SimThread = (
    &'static str,
    &'static str,
    &'static str,
    u64,
    &'static str,
    i64,
);

fn threads() -> Vec<SimThread> {
    vec![
        ("9100000001", "mention", "acme/api", 1351, "Issue", 15),
        (
            "9100000002",
            "review_requested",
            "acme/api",
            1347,
            "PullRequest",
            40,
        ),
        ("9100000003", "subscribed", "acme/web", 80, "Issue", 60 * 6),
        ("9100000004", "ci_activity", "acme/api", 0, "CheckSuite", 30),
        (
            "9100000005",
            "team_mention",
            "acme/web",
            90,
            "Issue",
            60 * 4,
        ),
        ("9100000006", "comment", "acme/api", 1352, "PullRequest", 50),
        ("9100000007", "assign", "acme/api", 1290, "Issue", 120),
    ]
}

fn rfc3339(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

fn user(login: &str) -> Value {
    let kind = if login.ends_with("[bot]") {
        "Bot"
    } else {
        "User"
    };
    json!({"login": login, "id": login.len() * 1000 + 7, "type": kind})
}

fn search_item(item: &SimItem, today: &Today) -> Value {
    let (owner_repo, n) = (item.repo, item.number);
    let web = if item.pull { "pull" } else { "issues" };
    let mut value = json!({
        "url": format!("https://api.github.com/repos/{owner_repo}/issues/{n}"),
        "repository_url": format!("https://api.github.com/repos/{owner_repo}"),
        "html_url": format!("https://github.com/{owner_repo}/{web}/{n}"),
        "id": 2_890_000_000u64 + n,
        "number": n,
        "title": item.title,
        "user": user(item.author),
        "labels": item.labels.iter().enumerate()
            .map(|(i, l)| json!({"id": 7000 + i, "name": l, "color": "fbca04"}))
            .collect::<Vec<_>>(),
        "state": if item.open { "open" } else { "closed" },
        "assignees": if item.assigned_to_me { vec![user(GITHUB_LOGIN)] } else { Vec::new() },
        "comments": n % 7,
        "created_at": rfc3339(today.now - item.created_days_ago * 86_400),
        "updated_at": rfc3339(today.now - item.updated_minutes_ago * 60),
        "score": 1.0,
    });
    if item.pull {
        value["draft"] = json!(item.draft);
        value["pull_request"] = json!({
            "url": format!("https://api.github.com/repos/{owner_repo}/pulls/{n}"),
            "html_url": format!("https://github.com/{owner_repo}/pull/{n}"),
            "merged_at": null
        });
    }
    value
}

fn validation_failed(message: &str) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({
            "message": "Validation Failed",
            "errors": [{"message": message, "resource": "Search", "field": "q", "code": "invalid"}],
            "documentation_url": "https://docs.github.com/v3/search/",
            "status": "422"
        })),
    )
        .into_response()
}

/// Whether `value` of a user qualifier names Dana.
fn is_me(value: &str) -> bool {
    value == "@me" || value.eq_ignore_ascii_case(GITHUB_LOGIN)
}

/// Whether the query says what it searches (`is:issue`/`is:pr`), which GitHub requires
/// of app and fine-grained tokens.
fn typed(q: &str) -> bool {
    q.split_whitespace().any(|t| {
        matches!(
            t.split_once(':'),
            Some(("is" | "type", "pr" | "pull-request" | "issue"))
        )
    })
}

/// Whether `item` matches every term of `q`.
fn matches_query(item: &SimItem, q: &str) -> bool {
    q.split_whitespace().all(|term| match term.split_once(':') {
        Some(("is" | "type", "pr" | "pull-request")) => item.pull,
        Some(("is" | "type", "issue")) => !item.pull,
        Some(("is" | "state", "open")) => item.open,
        Some(("is" | "state", "closed")) => !item.open,
        Some(("review-requested", who)) => {
            is_me(who) && matches!(item.review, Review::Me | Review::MyTeam)
        }
        Some(("user-review-requested", who)) => is_me(who) && item.review == Review::Me,
        Some(("assignee", who)) => is_me(who) && item.assigned_to_me,
        Some(("author", who)) => {
            item.author.eq_ignore_ascii_case(who) || (who == "@me" && item.author == GITHUB_LOGIN)
        }
        Some(_) => true,
        None => item.title.to_lowercase().contains(&term.to_lowercase()),
    })
}

/// `per_page` and `page` as GitHub reads them (bad values fall back to defaults).
fn paging(params: &HashMap<String, String>, default_per_page: usize) -> (usize, usize) {
    let per_page = params
        .get("per_page")
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default_per_page)
        .min(100)
        .min(PAGE_CAP);
    let page = params
        .get("page")
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(1);
    (per_page, page)
}

/// Rate-limit headers and, when more pages follow, a `Link` header with absolute URLs
/// on this simulator's origin.
fn page_headers(
    headers: &HeaderMap,
    uri: &OriginalUri,
    params: &HashMap<String, String>,
    page: usize,
    pages: usize,
    resource: &str,
    now: i64,
) -> HeaderMap {
    let mut out = HeaderMap::new();
    for (name, value) in [
        ("x-ratelimit-limit", "5000".to_owned()),
        ("x-ratelimit-remaining", "4987".to_owned()),
        ("x-ratelimit-used", "13".to_owned()),
        ("x-ratelimit-reset", (now + 3600).to_string()),
        ("x-ratelimit-resource", resource.to_owned()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            out.insert(name, v);
        }
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let link_to = |target: usize| {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        let mut keys: Vec<&String> = params.keys().filter(|k| *k != "page").collect();
        keys.sort();
        for k in keys {
            query.append_pair(k, &params[k]);
        }
        query.append_pair("page", &target.to_string());
        format!("<http://{host}{}?{}>", uri.0.path(), query.finish())
    };
    let mut links = Vec::new();
    if page < pages {
        links.push(format!("{}; rel=\"next\"", link_to(page + 1)));
        links.push(format!("{}; rel=\"last\"", link_to(pages)));
    }
    if page > 1 {
        links.push(format!("{}; rel=\"prev\"", link_to(page - 1)));
        links.push(format!("{}; rel=\"first\"", link_to(1)));
    }
    if let Ok(v) = HeaderValue::from_str(&links.join(", ")) {
        if !links.is_empty() {
            out.insert(header::LINK, v);
        }
    }
    out
}

fn empty_day(headers: &HeaderMap) -> bool {
    headers
        .get("x-pmt-sim-day")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"empty"))
}

async fn search(
    State(state): State<SimState>,
    headers: HeaderMap,
    uri: OriginalUri,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let Some(q) = params.get("q").filter(|q| !q.trim().is_empty()) else {
        return validation_failed("q is missing");
    };
    if !typed(q) {
        return validation_failed("Query must include 'is:issue' or 'is:pull-request'");
    }
    let today = state.day().today();
    let all = if empty_day(&headers) {
        Vec::new()
    } else {
        items()
    };
    let mut found: Vec<&SimItem> = all.iter().filter(|i| matches_query(i, q)).collect();
    found.sort_by_key(|i| i.updated_minutes_ago);
    let (per_page, page) = paging(&params, 30);
    let pages = found.len().div_ceil(per_page).max(1);
    let slice: Vec<Value> = found
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|i| search_item(i, &today))
        .collect();
    let headers = page_headers(&headers, &uri, &params, page, pages, "search", today.now);
    (
        headers,
        Json(json!({
            "total_count": found.len(),
            "incomplete_results": false,
            "items": slice
        })),
    )
        .into_response()
}

async fn notifications(
    State(state): State<SimState>,
    headers: HeaderMap,
    uri: OriginalUri,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let today = state.day().today();
    let participating = params.get("participating").is_some_and(|v| v == "true");
    let titles: HashMap<(&str, u64), &str> = items()
        .iter()
        .map(|i| ((i.repo, i.number), i.title))
        .collect();
    let mut all: Vec<SimThread> = if empty_day(&headers) {
        Vec::new()
    } else {
        threads()
    };
    if participating {
        all.retain(|t| !matches!(t.1, "subscribed" | "ci_activity"));
    }
    all.sort_by_key(|t| t.5);
    let (per_page, page) = paging(&params, 50);
    let pages = all.len().div_ceil(per_page).max(1);
    let body: Vec<Value> = all
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|&(id, reason, repo, number, kind, minutes)| {
            let (title, url) = if number == 0 {
                ("CI workflow run failed for main branch", Value::Null)
            } else {
                let path = if kind == "PullRequest" { "pulls" } else { "issues" };
                (
                    titles.get(&(repo, number)).copied().unwrap_or("Untitled"),
                    json!(format!("https://api.github.com/repos/{repo}/{path}/{number}")),
                )
            };
            let name = repo.rsplit('/').next().unwrap_or(repo);
            json!({
                "id": id,
                "unread": true,
                "reason": reason,
                "updated_at": rfc3339(today.now - minutes * 60),
                "last_read_at": null,
                "subject": {"title": title, "url": url, "latest_comment_url": url, "type": kind},
                "repository": {
                    "id": 4400 + name.len(),
                    "name": name,
                    "full_name": repo,
                    "private": true,
                    "html_url": format!("https://github.com/{repo}"),
                    "owner": {"login": "acme"}
                },
                "url": format!("https://api.github.com/notifications/threads/{id}"),
                "subscription_url": format!("https://api.github.com/notifications/threads/{id}/subscription")
            })
        })
        .collect();
    let mut out = page_headers(&headers, &uri, &params, page, pages, "core", today.now);
    out.insert("x-poll-interval", HeaderValue::from_static("60"));
    (out, Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_must_say_issue_or_pr() {
        assert!(!typed("is:open review-requested:@me"));
        assert!(typed("is:open is:pr review-requested:@me"));
        let pr = items().swap_remove(0);
        assert!(matches_query(&pr, "is:open is:pr review-requested:@me"));
        assert!(!matches_query(&pr, "is:open is:issue assignee:@me"));
    }

    #[test]
    fn team_review_requests_count_only_for_review_requested() {
        let team = items().swap_remove(1);
        assert!(matches_query(&team, "is:pr review-requested:@me"));
        assert!(!matches_query(&team, "is:pr user-review-requested:@me"));
    }
}
