//! The Linear connector against the Linear simulator, and its normalizer on recorded
//! GraphQL bodies.

use crate::sim_support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use pmt_server::secret::ExchangedToken;
use pmt_server::sources::{linear, FetchContext, Fetched, Me, SourceClient, SourceError, Today};
use pmt_wire::{Source, Task, TaskKind};
use serde_json::{json, Value};
use sim_support::SimHarness;

async fn fetch(h: &SimHarness) -> Result<Fetched, SourceError> {
    linear::fetch(&h.context(Source::Linear)).await
}

fn task<'a>(fetched: &'a Fetched, identifier: &str) -> &'a Task {
    let id = format!("linear:{identifier}");
    fetched
        .tasks
        .iter()
        .find(|t| t.id.as_str() == id)
        .unwrap_or_else(|| panic!("{id} missing"))
}

fn ids(fetched: &Fetched) -> Vec<&str> {
    fetched.tasks.iter().map(|t| t.id.as_str()).collect()
}

#[tokio::test]
async fn my_open_issues_arrive_with_priority_due_dates_and_refs() {
    let h = SimHarness::start_default().await;
    let fetched = fetch(&h).await.unwrap();
    let today = &h.today;

    let eng142 = task(&fetched, "ENG-142");
    assert_eq!(eng142.kind, TaskKind::Issue);
    assert_eq!(eng142.source, Source::Linear);
    assert_eq!(eng142.title, "Fix token refresh race in sync worker");
    assert_eq!(eng142.signals.source_priority, Some(2));
    assert_eq!(eng142.signals.due, Some(today.end - 1), "due today");
    assert!(eng142.refs.contains(&"linear:ENG-142".to_owned()));
    assert_eq!(
        eng142.url.as_deref(),
        Some("https://linear.app/acme/issue/ENG-142/fix-token-refresh-race-in-sync-worker")
    );
    assert_eq!(eng142.people[0].name, "Grace Hopper");
    assert!(eng142.snippet.as_deref().unwrap().contains("In Progress"));
    assert!(!eng142.dismissible, "Linear issues are closed in Linear");
    assert!(eng142.signals.updated_at.unwrap() < today.now);

    let eng130 = task(&fetched, "ENG-130");
    assert_eq!(eng130.signals.source_priority, Some(1));
    assert_eq!(
        eng130.signals.due,
        Some(today.start - 1),
        "due yesterday: overdue"
    );

    let eng151 = task(&fetched, "ENG-151");
    assert_eq!(eng151.signals.source_priority, Some(3));
    assert_eq!(eng151.signals.due, Some(today.end + 3 * 86_400 - 1));
    assert!(eng151.people.is_empty(), "I filed it myself");

    let eng160 = task(&fetched, "ENG-160");
    assert_eq!(eng160.signals.source_priority, Some(4));
    assert_eq!(eng160.signals.due, None);

    let eng99 = task(&fetched, "ENG-99");
    assert_eq!(eng99.signals.source_priority, None, "no priority");

    // A key in the title links to that issue too.
    let eng147 = task(&fetched, "ENG-147");
    assert_eq!(eng147.refs, ["linear:ENG-147", "linear:ENG-130"]);
    assert_eq!(fetched.skipped, 0);
}

#[tokio::test]
async fn completed_canceled_and_duplicate_issues_are_filtered_at_linear() {
    let h = SimHarness::start_default().await;
    let fetched = fetch(&h).await.unwrap();
    for closed in ["linear:ENG-120", "linear:ENG-118", "linear:ENG-125"] {
        assert!(!ids(&fetched).contains(&closed), "{closed} came back");
    }
    // Nothing had to be dropped locally: the connector's query carried the filter.
    assert_eq!(fetched.skipped, 0);

    // The closed issues are in the simulator's data: a query without the filter sees them.
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let body: Value = reqwest::Client::new()
            .post(format!("{}/graphql", h.base(Source::Linear)))
            .bearer_auth(h.token(Source::Linear))
            .json(&json!({
                "query": "query($after: String) { viewer { assignedIssues(first: 50, after: $after) { nodes { identifier } pageInfo { hasNextPage endCursor } } } }",
                "variables": {"after": after}
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let connection = &body["data"]["viewer"]["assignedIssues"];
        for node in connection["nodes"].as_array().unwrap() {
            seen.push(node["identifier"].as_str().unwrap().to_owned());
        }
        if connection["pageInfo"]["hasNextPage"] != json!(true) {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
    for closed in ["ENG-120", "ENG-118", "ENG-125"] {
        assert!(
            seen.contains(&closed.to_owned()),
            "{closed} not in the data"
        );
    }
}

#[tokio::test]
async fn every_page_of_issues_arrives_once() {
    let h = SimHarness::start_default().await;
    let fetched = fetch(&h).await.unwrap();
    let mut all = ids(&fetched);
    assert_eq!(all.len(), 8);
    assert!(all.len() > pmt_server::simulators::linear::PAGE_CAP);
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 8, "no duplicates");
}

#[tokio::test]
async fn the_simulator_honours_first_and_refuses_an_unknown_cursor() {
    let h = SimHarness::start_default().await;
    let post = |variables: Value| {
        reqwest::Client::new()
            .post(format!("{}/graphql", h.base(Source::Linear)))
            .bearer_auth(h.token(Source::Linear))
            .json(&json!({"query": linear::QUERY, "variables": variables}))
            .send()
    };
    let body: Value = post(json!({"first": 2}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["data"]["viewer"]["assignedIssues"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let response = post(json!({"first": 2, "after": "not-a-cursor"}))
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: linear::Response = response.json().await.unwrap();
    assert_eq!(
        linear::page(body, None).unwrap_err(),
        SourceError::Provider("Argument Validation Error: the cursor is not valid.".into())
    );
}

#[tokio::test]
async fn an_empty_day_is_no_tasks_and_no_error() {
    let h = SimHarness::start_default().await;
    let mut ctx = h.context(Source::Linear);
    ctx.client = ctx.client.with_header("x-pmt-sim-day", "empty");
    assert_eq!(linear::fetch(&ctx).await.unwrap(), Fetched::default());
}

/// A one-route server that answers every `POST /graphql` with `status` and `body`.
async fn graphql_stub(status: StatusCode, body: Value) -> FetchContext {
    let router = axum::Router::new().route(
        "/graphql",
        axum::routing::post(move || {
            let body = body.clone();
            async move { (status, axum::Json(body)).into_response() }
        }),
    );
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
async fn graphql_errors_in_a_400_body_are_read_not_reduced_to_the_status() {
    let ctx = graphql_stub(
        StatusCode::BAD_REQUEST,
        serde_json::from_str(include_str!("fixtures/linear/error_ratelimited.json")).unwrap(),
    )
    .await;
    assert_eq!(
        linear::fetch(&ctx).await.unwrap_err(),
        SourceError::RateLimited {
            retry_after_secs: 60
        }
    );
    let ctx = graphql_stub(
        StatusCode::OK,
        serde_json::from_str(include_str!("fixtures/linear/error_invalid_input.json")).unwrap(),
    )
    .await;
    assert_eq!(
        linear::fetch(&ctx).await.unwrap_err(),
        SourceError::Provider("The cursor is not valid.".into())
    );
    // A 400 that is not GraphQL stays a status error.
    let ctx = graphql_stub(StatusCode::BAD_REQUEST, json!("nope")).await;
    assert_eq!(
        linear::fetch(&ctx).await.unwrap_err(),
        SourceError::Status(400)
    );
}

fn paris_monday() -> Today {
    Today::at(1_795_422_600, "Europe/Paris").expect("test setup")
}

fn dana() -> Me {
    Me {
        email: Some("dana@example.com".into()),
        name: Some("Dana Demo".into()),
    }
}

fn recorded_nodes() -> Vec<Value> {
    let body: linear::Response =
        serde_json::from_str(include_str!("fixtures/linear/assigned_issues.json"))
            .expect("test setup");
    linear::page(body, None).expect("test setup").nodes
}

#[test]
fn normalizer_skips_unusable_and_closed_nodes_and_tolerates_unknown_values() {
    let fetched = linear::normalize(&recorded_nodes(), &paris_monday(), &dana());
    assert_eq!(
        ids(&fetched),
        [
            "linear:ENG-412",
            "linear:ENG-413",
            "linear:ENG-414",
            "linear:ENG-415"
        ]
    );
    assert_eq!(fetched.skipped, 2, "no identifier; completed");

    let eng412 = &fetched.tasks[0];
    assert_eq!(eng412.refs, ["linear:ENG-412", "linear:OPS-7"]);
    assert_eq!(eng412.signals.source_priority, Some(2));
    assert_eq!(
        eng412.signals.updated_at,
        Some(jiff_ts("2026-11-23T16:20:11Z"))
    );
    assert_eq!(
        eng412.snippet.as_deref(),
        Some("ENG-412 · In Progress · Sync v2 · Bug")
    );

    let eng413 = &fetched.tasks[1];
    assert_eq!(
        eng413.signals.source_priority, None,
        "7.5 is no known priority"
    );
    assert!(
        eng413.people.is_empty(),
        "my own issue (email case differs)"
    );

    let eng414 = &fetched.tasks[2];
    assert_eq!(eng414.signals.source_priority, None, "a string priority");

    let eng415 = &fetched.tasks[3];
    assert_eq!(eng415.signals.due, None);
    assert_eq!(eng415.signals.updated_at, None);
    assert_eq!(eng415.signals.source_priority, None);
}

fn jiff_ts(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>()
        .expect("test setup")
        .as_second()
}

#[test]
fn a_due_date_ends_at_midnight_in_the_users_zone() {
    let nodes = recorded_nodes();
    // Paris: 2026-11-24 ends at 23:00 UTC.
    let paris = linear::normalize(&nodes, &paris_monday(), &dana());
    assert_eq!(
        paris.tasks[0].signals.due,
        Some(jiff_ts("2026-11-24T22:59:59Z"))
    );
    // Tokyo: the same date ends nine hours earlier in UTC terms.
    let tokyo = Today::at(1_795_422_600, "Asia/Tokyo").unwrap();
    let tokyo = linear::normalize(&nodes, &tokyo, &dana());
    assert_eq!(
        tokyo.tasks[0].signals.due,
        Some(jiff_ts("2026-11-24T14:59:59Z"))
    );
}

#[test]
fn graphql_errors_say_what_linear_said() {
    let parse = |s: &str| serde_json::from_str::<linear::Response>(s).unwrap();
    assert_eq!(
        linear::page(
            parse(include_str!("fixtures/linear/error_ratelimited.json")),
            Some(12)
        )
        .unwrap_err(),
        SourceError::RateLimited {
            retry_after_secs: 12
        }
    );
    assert_eq!(
        linear::page(
            parse(include_str!(
                "fixtures/linear/error_without_presentable_message.json"
            )),
            None
        )
        .unwrap_err(),
        SourceError::Provider("Cannot query field \"assignedIssuez\" on type \"User\".".into())
    );
    assert!(matches!(
        linear::page(parse(r#"{"data": {"viewer": {}}}"#), None).unwrap_err(),
        SourceError::Malformed(_)
    ));
}

sim_support::standard_fault_tests!(Source::Linear);
