//! The GitHub connector against the GitHub simulator, and its normalizer on recorded
//! search and notification bodies.

use crate::sim_support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use pmt_server::secret::ExchangedToken;
use pmt_server::sources::github::{self, Bodies, SearchKind};
use pmt_server::sources::{FetchContext, Fetched, Me, SourceClient, SourceError, Today};
use pmt_wire::{Source, Task, TaskKind};
use serde_json::{json, Value};
use sim_support::SimHarness;

async fn fetch(h: &SimHarness) -> Result<Fetched, SourceError> {
    github::fetch(&h.context(Source::Github)).await
}

fn task<'a>(fetched: &'a Fetched, key: &str) -> &'a Task {
    let id = format!("github:{key}");
    fetched
        .tasks
        .iter()
        .find(|t| t.id.as_str() == id)
        .unwrap_or_else(|| panic!("{id} missing"))
}

fn ids(fetched: &Fetched) -> Vec<&str> {
    fetched.tasks.iter().map(|t| t.id.as_str()).collect()
}

fn has(task: &Task, key: &str) -> bool {
    task.refs.iter().any(|r| r == key)
}

#[tokio::test]
async fn reviews_assignments_and_mentions_arrive_as_one_task_each() {
    let h = SimHarness::start_default().await;
    let fetched = fetch(&h).await.unwrap();

    let pr = task(&fetched, "acme/api#1347");
    assert_eq!(
        pr.kind,
        TaskKind::Review,
        "review request wins over the notification"
    );
    assert_eq!(pr.title, "ENG-142: fix token refresh race");
    assert_eq!(
        pr.url.as_deref(),
        Some("https://github.com/acme/api/pull/1347")
    );
    assert!(pr.signals.waiting_on_me);
    assert!(has(pr, "github:acme/api#1347") && has(pr, "linear:ENG-142"));
    assert_eq!(pr.people[0].name, "grace");
    assert!(!pr.dismissible);
    let copies = ids(&fetched)
        .iter()
        .filter(|id| **id == "github:acme/api#1347")
        .count();
    assert_eq!(copies, 1, "search + notification = one task");

    let team = task(&fetched, "acme/web#88");
    assert_eq!(team.kind, TaskKind::Review, "team review requests count");

    let issue = task(&fetched, "acme/api#1290");
    assert_eq!(issue.kind, TaskKind::Issue);
    assert_eq!(
        issue.url.as_deref(),
        Some("https://github.com/acme/api/issues/1290")
    );
    assert!(has(issue, "linear:ENG-130"));

    let mine = task(&fetched, "acme/api#1352");
    assert_eq!(mine.kind, TaskKind::PullRequest, "a PR assigned to me");
    assert!(
        mine.people.is_empty(),
        "I am not among the people of my own PR"
    );
    assert!(has(mine, "linear:ENG-151"));

    let mention = task(&fetched, "acme/api#1351");
    assert_eq!(mention.kind, TaskKind::Mention);
    assert!(mention.signals.direct_mention);
    assert!(mention.dismissible);
    assert_eq!(
        mention.url.as_deref(),
        Some("https://github.com/acme/api/issues/1351"),
        "the API URL of the notification becomes the web link"
    );

    let team_mention = task(&fetched, "acme/web#90");
    assert_eq!(team_mention.kind, TaskKind::Mention);
    assert!(!team_mention.signals.direct_mention);

    // Not to-dos: subscribed thread, CI run, a comment on my PR, a closed issue.
    for noise in ["github:acme/web#80", "github:acme/api#1280"] {
        assert!(!ids(&fetched).contains(&noise), "{noise}");
    }
    assert_eq!(fetched.tasks.len(), 11);
    assert_eq!(fetched.skipped, 0);
}

#[tokio::test]
async fn link_pages_are_followed_to_the_end_without_duplicates() {
    let h = SimHarness::start_default().await;
    let fetched = fetch(&h).await.unwrap();
    let reviews = fetched
        .tasks
        .iter()
        .filter(|t| t.kind == TaskKind::Review)
        .count();
    assert_eq!(reviews, 4);
    assert!(reviews > pmt_server::simulators::github::PAGE_CAP);
    let mut all = ids(&fetched);
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), fetched.tasks.len());
}

#[tokio::test]
async fn the_simulator_refuses_a_search_without_a_type_and_links_absolutely() {
    let h = SimHarness::start_default().await;
    let client = reqwest::Client::new();
    let untyped = client
        .get(format!("{}/search/issues", h.base(Source::Github)))
        .query(&[("q", "is:open review-requested:@me")])
        .bearer_auth(h.token(Source::Github))
        .send()
        .await
        .unwrap();
    assert_eq!(untyped.status(), 422);

    let typed = client
        .get(format!("{}/search/issues", h.base(Source::Github)))
        .query(&[
            ("q", "is:open is:pr review-requested:@me"),
            ("per_page", "2"),
        ])
        .bearer_auth(h.token(Source::Github))
        .send()
        .await
        .unwrap();
    let link = typed.headers()["link"].to_str().unwrap().to_owned();
    let next = github::next_link(&link).unwrap();
    assert!(next.starts_with(&h.base(Source::Github)), "{next}");
    assert!(next.contains("page=2"));
    let body: Value = typed.json().await.unwrap();
    assert_eq!(body["items"].as_array().unwrap().len(), 2);
    assert_eq!(body["total_count"], 4);
}

#[tokio::test]
async fn an_empty_day_is_no_tasks_and_no_error() {
    let h = SimHarness::start_default().await;
    let mut ctx = h.context(Source::Github);
    ctx.client = ctx.client.with_header("x-pmt-sim-day", "empty");
    assert_eq!(github::fetch(&ctx).await.unwrap(), Fetched::default());
}

/// What a stub GitHub answers and what it saw.
#[derive(Clone, Default)]
struct Stub {
    status: Option<StatusCode>,
    headers: Vec<(&'static str, String)>,
    seen: Arc<Mutex<Vec<HeaderMap>>>,
}

/// A GitHub stand-in on 127.0.0.1: every path answers `stub.status` (default 200)
/// with `stub.headers` and an empty listing.
async fn github_stub(stub: Stub) -> FetchContext {
    let router = axum::Router::new().fallback(move |uri: axum::http::Uri, headers: HeaderMap| {
        let stub = stub.clone();
        async move {
            stub.seen.lock().expect("test setup").push(headers);
            let body = if uri.path() == "/notifications" {
                json!([])
            } else {
                json!({"total_count": 0, "items": []})
            };
            let mut response =
                (stub.status.unwrap_or(StatusCode::OK), axum::Json(body)).into_response();
            for (name, value) in &stub.headers {
                response
                    .headers_mut()
                    .insert(*name, value.parse().expect("test setup"));
            }
            response
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("test setup");
    let addr = listener.local_addr().expect("test setup");
    tokio::spawn(async move { axum::serve(listener, router).await });
    FetchContext {
        client: SourceClient::new(
            reqwest::Client::new(),
            url::Url::parse(&format!("http://{addr}")).expect("test setup"),
            Arc::from(vec![addr.to_string()]),
            ExchangedToken::new("stub-token"),
            tokio::time::Instant::now() + Duration::from_secs(5),
        ),
        today: Today::at(1_795_422_600, "Europe/Paris").expect("test setup"),
        me: Me::default(),
        options: BTreeMap::new(),
    }
}

#[tokio::test]
async fn sends_githubs_media_type_and_api_version() {
    let stub = Stub::default();
    let ctx = github_stub(stub.clone()).await;
    assert_eq!(github::fetch(&ctx).await.unwrap(), Fetched::default());
    let seen = stub.seen.lock().unwrap();
    assert_eq!(seen.len(), 4, "three searches and the notifications");
    for request in seen.iter() {
        assert_eq!(
            request.get_all("accept").iter().collect::<Vec<_>>(),
            ["application/vnd.github+json"]
        );
        assert_eq!(request["x-github-api-version"], "2022-11-28");
    }
}

#[tokio::test]
async fn a_403_with_no_rate_limit_left_is_a_rate_limit_not_a_refusal() {
    let ctx = github_stub(Stub {
        status: Some(StatusCode::FORBIDDEN),
        headers: vec![
            ("x-ratelimit-remaining", "0".into()),
            (
                "x-ratelimit-reset",
                (pmt_server::auth::unix_now() + 120).to_string(),
            ),
        ],
        ..Stub::default()
    })
    .await;
    match github::fetch(&ctx).await.unwrap_err() {
        SourceError::RateLimited { retry_after_secs } => {
            assert!(
                (100..=120).contains(&retry_after_secs),
                "{retry_after_secs}"
            )
        }
        other => panic!("{other:?}"),
    }
    // A 429 saying the same waits for the reset, which is past the budget: no retries.
    let stub = Stub {
        status: Some(StatusCode::TOO_MANY_REQUESTS),
        headers: vec![
            ("x-ratelimit-remaining", "0".into()),
            (
                "x-ratelimit-reset",
                (pmt_server::auth::unix_now() + 120).to_string(),
            ),
        ],
        ..Stub::default()
    };
    let ctx = github_stub(stub.clone()).await;
    assert!(matches!(
        github::fetch(&ctx).await.unwrap_err(),
        SourceError::RateLimited { retry_after_secs } if retry_after_secs >= 100
    ));
    assert_eq!(stub.seen.lock().unwrap().len(), 1);

    let ctx = github_stub(Stub {
        status: Some(StatusCode::FORBIDDEN),
        ..Stub::default()
    })
    .await;
    assert_eq!(
        github::fetch(&ctx).await.unwrap_err(),
        SourceError::Unauthorized(403)
    );
}

#[tokio::test]
async fn a_next_link_to_another_host_is_not_followed() {
    let ctx = github_stub(Stub {
        headers: vec![(
            "link",
            "<https://evil.example/search/issues?page=2>; rel=\"next\"".into(),
        )],
        ..Stub::default()
    })
    .await;
    assert_eq!(
        github::fetch(&ctx).await.unwrap_err(),
        SourceError::HostNotAllowed("evil.example:443".into())
    );
}

fn recorded() -> Bodies {
    let items = |s: &str| -> Vec<Value> {
        serde_json::from_str::<github::SearchPage>(s)
            .expect("test setup")
            .items
    };
    let mut search: Vec<(SearchKind, Value)> =
        items(include_str!("fixtures/github/search_review_requested.json"))
            .into_iter()
            .map(|i| (SearchKind::ReviewRequested, i))
            .collect();
    search.extend(
        items(include_str!("fixtures/github/search_assigned.json"))
            .into_iter()
            .map(|i| (SearchKind::Assigned, i)),
    );
    Bodies {
        search,
        notifications: serde_json::from_str(include_str!("fixtures/github/notifications.json"))
            .expect("test setup"),
        truncated: 0,
    }
}

fn ts(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>()
        .expect("test setup")
        .as_second()
}

#[test]
fn normalizer_dedupes_by_repo_and_number_and_keeps_the_richer_item() {
    let fetched = github::normalize(&recorded(), Some("dana-demo"));
    assert_eq!(
        ids(&fetched),
        [
            "github:acme/api#1347",
            "github:acme/web#12",
            "github:acme/api#1290",
            "github:acme/api#1352",
            "github:acme/api#1351",
            "github:acme/web#90",
            "github:acme/web#91",
        ]
    );
    assert_eq!(
        fetched.skipped, 2,
        "an item without a number; a discussion without a URL"
    );

    let pr = &fetched.tasks[0];
    assert_eq!(pr.kind, TaskKind::Review);
    assert_eq!(pr.people[0].name, "grace", "from the search item");
    assert_eq!(
        pr.signals.updated_at,
        Some(ts("2026-11-23T08:45:10Z")),
        "the latest of both sightings"
    );
    assert!(has(pr, "linear:ENG-130"));

    let issue = &fetched.tasks[2];
    assert_eq!(issue.kind, TaskKind::Issue);
    assert!(issue.signals.updated_at >= Some(ts("2026-11-23T07:30:00Z")));

    assert_eq!(fetched.tasks[3].kind, TaskKind::PullRequest, "assigned PR");
    let assigned_pr = &fetched.tasks[6];
    assert_eq!(
        assigned_pr.kind,
        TaskKind::PullRequest,
        "assign on a PR thread"
    );
    assert_eq!(
        assigned_pr.url.as_deref(),
        Some("https://github.com/acme/web/pull/91")
    );
    assert_eq!(
        fetched.tasks[5].url.as_deref(),
        Some("https://github.com/acme/web/issues/90"),
        "no repository link: github.com is assumed"
    );
}

#[test]
fn titles_are_kept_as_written_and_odd_fields_cost_only_themselves() {
    let fetched = github::normalize(&recorded(), Some("dana-demo"));
    let draft = &fetched.tasks[1];
    assert_eq!(draft.title, "Polish <b>dark</b> mode &amp; contrast");
    assert_eq!(draft.snippet.as_deref(), Some("acme/web#12 · draft · ui"));
    assert!(draft.people.is_empty(), "my own PR");
    assert_eq!(draft.signals.updated_at, None, "an unparseable time");
}

#[test]
fn without_a_login_the_author_is_always_listed() {
    let fetched = github::normalize(&recorded(), None);
    assert_eq!(fetched.tasks[1].people[0].name, "dana-demo");
}

sim_support::standard_fault_tests!(Source::Github);
