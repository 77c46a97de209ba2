//! The Slack connector against the Slack simulator, and its normalizer on recorded
//! `search.messages` and `reactions.list` bodies.

use crate::sim_support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::response::IntoResponse;
use pmt_server::secret::ExchangedToken;
use pmt_server::simulators::{Fault, FaultMode};
use pmt_server::sources::slack::{self, Mine};
use pmt_server::sources::{FetchContext, Fetched, Me, SourceClient, SourceError, Today};
use pmt_wire::{Source, Task, TaskKind};
use serde_json::{json, Value};
use sim_support::SimHarness;

async fn fetch(h: &SimHarness) -> Result<Fetched, SourceError> {
    slack::fetch(&h.context(Source::Slack)).await
}

fn titled<'a>(fetched: &'a Fetched, start: &str) -> &'a Task {
    fetched
        .tasks
        .iter()
        .find(|t| t.title.starts_with(start))
        .unwrap_or_else(|| panic!("no task titled {start:?}"))
}

fn titles(fetched: &Fetched) -> Vec<&str> {
    fetched.tasks.iter().map(|t| t.title.as_str()).collect()
}

fn has(task: &Task, key: &str) -> bool {
    task.refs.iter().any(|r| r == key)
}

#[tokio::test]
async fn mentions_and_marked_messages_arrive_readable_and_linked() {
    let h = SimHarness::start_default().await;
    let fetched = fetch(&h).await.unwrap();

    let grace = titled(&fetched, "Can you look at ENG-142");
    assert_eq!(
        grace.title,
        "Can you look at ENG-142 before standup? PR is https://github.com/acme/api/pull/1347"
    );
    assert_eq!(grace.kind, TaskKind::Mention);
    assert!(grace.id.as_str().starts_with("slack:C0ENGSYNC1/"));
    assert!(grace.signals.direct_mention && grace.signals.waiting_on_me);
    assert!(has(grace, "linear:ENG-142") && has(grace, "github:acme/api#1347"));
    assert_eq!(grace.people[0].name, "grace");
    assert!(grace
        .url
        .as_deref()
        .unwrap()
        .starts_with("https://acme.slack.com/archives/C0ENGSYNC1/p"));
    assert!(grace.dismissible);
    assert_eq!(
        grace.signals.updated_at,
        Some(h.today.start + 8 * 3600 + 50 * 60)
    );

    let alan = titled(&fetched, "Thoughts on");
    assert_eq!(
        alan.title, "Thoughts on the Q3 budget doc?",
        "the link's label"
    );
    assert_eq!(
        alan.snippet.as_deref(),
        Some("#finance · @Dana Demo thoughts on the Q3 budget doc?")
    );
    assert!(
        has(alan, "gdoc:1BudgetQ3DocAcme00000000000"),
        "from the URL behind the label"
    );

    let fyi = titled(&fetched, "FYI");
    assert!(!fyi.signals.waiting_on_me, "no question asked");
    assert!(fyi.title.contains("@Dana Demo"));

    let both = titled(&fetched, "Please add your availability");
    assert_eq!(
        both.title,
        "Please add your availability to the Q4 planning sheet & ping @alan"
    );
    assert_eq!(both.kind, TaskKind::Mention, "a marked mention is one task");
    assert!(both.signals.starred);

    let marked = titled(&fetched, "Can someone update the on-call runbook?");
    assert_eq!(marked.kind, TaskKind::MarkedMessage);
    assert!(marked.signals.starred && !marked.signals.direct_mention);
    assert_eq!(marked.people[0].name, "alan");
    assert!(marked.dismissible);

    assert!(
        titles(&fetched).contains(&"Lunch?"),
        "noise is kept for scoring to rank low"
    );
    for gone in [
        "Can you share the Q2 retro notes?",
        "Note to self",
        "Sync v2 canary",
    ] {
        assert!(
            !titles(&fetched).iter().any(|t| t.starts_with(gone)),
            "{gone}: too old, my own, or not marked"
        );
    }
    assert!(
        !titles(&fetched).iter().any(|t| t.contains("Dark mode PR")),
        "+1 is not the marker"
    );
    assert_eq!(fetched.tasks.len(), 6);
    assert_eq!(fetched.skipped, 0);
}

#[tokio::test]
async fn every_page_of_both_listings_arrives_once() {
    let h = SimHarness::start_default().await;
    let fetched = fetch(&h).await.unwrap();
    let mentions = fetched
        .tasks
        .iter()
        .filter(|t| t.kind == TaskKind::Mention)
        .count();
    assert_eq!(mentions, 5);
    assert!(mentions > pmt_server::simulators::slack::PAGE_CAP);
    let mut ids: Vec<&str> = fetched.tasks.iter().map(|t| t.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), fetched.tasks.len());
}

#[tokio::test]
async fn the_marker_emoji_is_an_option() {
    let h = SimHarness::start_default().await;
    let mut ctx = h.context(Source::Slack);
    ctx.options.insert("marker_emoji".into(), "+1".into());
    let fetched = slack::fetch(&ctx).await.unwrap();
    let marked: Vec<&str> = fetched
        .tasks
        .iter()
        .filter(|t| t.kind == TaskKind::MarkedMessage)
        .map(|t| t.title.as_str())
        .collect();
    assert_eq!(marked, ["Dark mode PR is ready for eyes"]);
}

#[tokio::test]
async fn without_my_user_id_the_source_says_so_before_calling_slack() {
    let h = SimHarness::start_default().await;
    let mut ctx = h.context(Source::Slack);
    ctx.options.remove("user_id");
    h.fault(
        Source::Slack,
        Fault {
            latency_ms: 0,
            mode: FaultMode::Status { status: 500 },
        },
    );
    assert_eq!(
        slack::fetch(&ctx).await.unwrap_err(),
        SourceError::Provider("the Slack user_id option is not set".into())
    );
}

#[tokio::test]
async fn the_simulator_answers_a_missing_query_the_slack_way() {
    let h = SimHarness::start_default().await;
    let response = reqwest::Client::new()
        .get(format!("{}/api/search.messages", h.base(Source::Slack)))
        .bearer_auth(h.token(Source::Slack))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({"ok": false, "error": "invalid_arguments"}));
}

#[tokio::test]
async fn task_ids_do_not_move_with_the_clock() {
    // The same day, 9:30 and 11:45: every task keeps its id.
    let morning = SimHarness::start(1_795_422_600, "Europe/Paris").await;
    let later = SimHarness::start(1_795_422_600 + 8_100, "Europe/Paris").await;
    let ids = |f: Fetched| {
        let mut ids: Vec<String> = f.tasks.into_iter().map(|t| t.id.0).collect();
        ids.sort();
        ids
    };
    let a = ids(slack::fetch(&morning.context(Source::Slack)).await.unwrap());
    let b = ids(slack::fetch(&later.context(Source::Slack)).await.unwrap());
    assert!(!a.is_empty());
    assert_eq!(a, b);
}

#[tokio::test]
async fn an_empty_day_is_no_tasks_and_no_error() {
    let h = SimHarness::start_default().await;
    let mut ctx = h.context(Source::Slack);
    ctx.client = ctx.client.with_header("x-pmt-sim-day", "empty");
    assert_eq!(slack::fetch(&ctx).await.unwrap(), Fetched::default());
}

/// A Slack stand-in whose every method answers HTTP 200 with `body`.
async fn slack_stub(body: Value) -> FetchContext {
    let router = axum::Router::new().fallback(move || {
        let body = body.clone();
        async move { axum::Json(body).into_response() }
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
        today: paris_monday(),
        me: Me::default(),
        options: BTreeMap::from([("user_id".to_owned(), "U024BE7LH".to_owned())]),
    }
}

#[tokio::test]
async fn ok_false_is_a_provider_error_and_a_revoked_token_is_unauthorized() {
    let ctx =
        slack_stub(json!({"ok": false, "error": "missing_scope", "needed": "search:read"})).await;
    assert_eq!(
        slack::fetch(&ctx).await.unwrap_err(),
        SourceError::Provider("missing_scope".into())
    );
    for revoked in ["token_revoked", "invalid_auth"] {
        let ctx = slack_stub(json!({"ok": false, "error": revoked})).await;
        assert_eq!(
            slack::fetch(&ctx).await.unwrap_err(),
            SourceError::Unauthorized(401),
            "{revoked}"
        );
    }
}

fn paris_monday() -> Today {
    Today::at(1_795_422_600, "Europe/Paris").expect("test setup")
}

fn recorded() -> Fetched {
    let search: slack::SearchResponse =
        serde_json::from_str(include_str!("fixtures/slack/search_messages.json"))
            .expect("test setup");
    let reactions: slack::ReactionsResponse =
        serde_json::from_str(include_str!("fixtures/slack/reactions_list.json"))
            .expect("test setup");
    let me = Me {
        email: Some("ada@example.com".into()),
        name: Some("Ada Lovelace".into()),
    };
    slack::normalize(
        &search.messages.expect("test setup").matches,
        &reactions.items,
        &Mine {
            user_id: "U024BE7LH",
            marker: "eyes",
            me: &me,
        },
        &paris_monday(),
    )
}

#[test]
fn normalizer_renders_slack_markup_and_keeps_the_links_behind_labels() {
    let fetched = recorded();
    let first = &fetched.tasks[0];
    assert_eq!(
        first.title,
        "Can you sign off on the release PR & the notes for OPS-7?"
    );
    assert_eq!(first.refs, ["github:acme/api#1347", "linear:OPS-7"]);
    assert!(first.signals.starred, "also marked with the marker emoji");
    assert_eq!(first.id.as_str(), "slack:C0123ABCD/1795420800.004200");

    let bot = &fetched.tasks[1];
    assert_eq!(bot.title, "Heads-up @ada: deploy <v2> went out");
    assert_eq!(bot.people[0].name, "deploybot");
    assert_eq!(bot.people[0].handle, None, "bots have no user id");
    assert!(!bot.signals.waiting_on_me);
}

#[test]
fn normalizer_keeps_mentions_inside_the_window_and_marked_messages_of_any_age() {
    let fetched = recorded();
    assert_eq!(
        titles(&fetched),
        [
            "Can you sign off on the release PR & the notes for OPS-7?",
            "Heads-up @ada: deploy <v2> went out",
            "Exactly at the window's start",
            "Can someone update the on-call runbook?",
        ]
    );
    assert_eq!(
        fetched.skipped, 2,
        "a match and a marked message without ts"
    );
    let old_mark = &fetched.tasks[3];
    assert_eq!(old_mark.kind, TaskKind::MarkedMessage);
    assert_eq!(
        old_mark.people[0].name, "grace",
        "name learnt from the search results"
    );
    assert_eq!(
        old_mark.snippet.as_deref(),
        Some("Can someone update the on-call runbook?")
    );
}

sim_support::standard_fault_tests!(Source::Slack);
