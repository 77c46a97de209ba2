//! Gmail connector: against the real simulator (search, concurrent reads, a message
//! gone between list and get, pagination, faults) and its normalizer on recorded
//! `messages.get` bodies.

use crate::sim_support;

use std::time::{Duration, Instant};

use pmt_server::simulators::{Fault, FaultMode};
use pmt_server::sources::gmail::{self, Message};
use pmt_server::sources::{Fetched, Me};
use pmt_wire::{Source, Task, TaskKind};
use serde_json::Value;
use sim_support::SimHarness;

const SOURCE: Source = Source::Gmail;

fn titled<'a>(fetched: &'a Fetched, title: &str) -> &'a Task {
    fetched
        .tasks
        .iter()
        .find(|t| t.title == title)
        .unwrap_or_else(|| panic!("no task titled {title:?} in {:#?}", titles(fetched)))
}

fn titles(fetched: &Fetched) -> Vec<&str> {
    fetched.tasks.iter().map(|t| t.title.as_str()).collect()
}

// ---- against the simulator ----

#[tokio::test]
async fn unread_important_or_starred_mail_becomes_tasks_newest_first() {
    let h = SimHarness::start_default().await;
    let fetched = gmail::fetch(&h.context(SOURCE)).await.unwrap();
    assert_eq!(
        titles(&fetched),
        [
            "[Alert] ENG-130 webhook failures in production",
            "Q3 budget draft: review needed",
            "Contract renewal: signature needed today",
            "Budget review prep",
            "Re: Sync v2 rollout plan",
            "Expense report #4471 approved",
        ],
        "newsletters, digests and read mail are not tasks"
    );
    assert_eq!(fetched.skipped, 0);
    assert!(fetched
        .tasks
        .iter()
        .all(|t| t.kind == TaskKind::Email && !t.dismissible));

    let budget = titled(&fetched, "Q3 budget draft: review needed");
    assert_eq!(budget.id.as_str(), "gmail:197a1c2f3e4d5b6a");
    assert!(budget.signals.waiting_on_me);
    assert!(!budget.signals.starred);
    assert_eq!(budget.refs, ["gdoc:1BudgetQ3DocAcme00000000000"]);
    assert_eq!(budget.people[0].name, "Grace Hopper");
    assert_eq!(
        budget.people[0].handle.as_deref(),
        Some("grace@example.com")
    );
    assert_eq!(
        budget.url.as_deref(),
        Some("https://mail.google.com/mail/u/0/#all/197a1c2f3e4d5b6a")
    );
    assert_eq!(budget.signals.updated_at, Some(h.today.now - 50 * 60));
    assert!(budget
        .snippet
        .as_deref()
        .unwrap()
        .contains("before today's Budget review?"));

    let contract = titled(&fetched, "Contract renewal: signature needed today");
    assert!(contract.signals.starred);
    assert!(!contract.signals.waiting_on_me, "starred but not important");
    assert_eq!(
        contract.url.as_deref(),
        Some("https://mail.google.com/mail/u/0/#all/197a0e9d8c7b6a00")
    );

    let alert = titled(&fetched, "[Alert] ENG-130 webhook failures in production");
    assert_eq!(alert.refs, ["linear:ENG-130"]);
    assert!(!alert.signals.waiting_on_me, "an alert asks nothing");

    let prep = titled(&fetched, "Budget review prep");
    assert!(prep.signals.waiting_on_me);
    assert!(prep
        .snippet
        .as_deref()
        .unwrap()
        .ends_with("questions & any <corrections>."));

    let rollout = titled(&fetched, "Re: Sync v2 rollout plan");
    assert_eq!(rollout.people[0].name, "Turing, Alan");
    assert!(rollout.refs.contains(&"linear:ENG-151".to_owned()));
}

#[tokio::test]
async fn every_page_is_listed_and_each_message_read_once() {
    let h = SimHarness::start_default().await;
    let fetched = gmail::fetch(&h.context(SOURCE)).await.unwrap();
    let mut ids: Vec<&str> = fetched.tasks.iter().map(|t| t.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 6, "six matches over two list pages");
    // Two list pages, then one get per message.
    assert_eq!(h.sims.seen_tokens().len(), 2 + 6);
}

#[tokio::test]
async fn message_reads_run_concurrently() {
    let h = SimHarness::start_default().await;
    h.fault(
        SOURCE,
        Fault {
            latency_ms: 300,
            mode: FaultMode::None,
        },
    );
    let started = Instant::now();
    let fetched = gmail::fetch(&h.context(SOURCE)).await.unwrap();
    assert_eq!(fetched.tasks.len(), 6);
    // One after the other: 2 lists + 6 gets = 2.4 s. Concurrently: about 0.9 s.
    assert!(
        started.elapsed() < Duration::from_millis(1800),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_query_option_replaces_the_search_and_a_message_gone_since_listing_is_skipped() {
    let h = SimHarness::start_default().await;
    let mut ctx = h.context(SOURCE);
    ctx.options.insert("query".into(), "is:unread".into());
    let fetched = gmail::fetch(&ctx).await.unwrap();
    let all = titles(&fetched);
    assert!(all.contains(&"Weekly digest"));
    assert!(all.contains(&"This Week in Rust 620"));
    assert!(!all.contains(&"Re: Sync v2 design"), "read mail");
    assert!(!all.contains(&"Updated invitation: Weekly planning"));
    assert_eq!(fetched.tasks.len(), 9);
    assert_eq!(
        fetched.skipped, 1,
        "the calendar notice deleted after listing (404)"
    );
}

#[tokio::test]
async fn a_search_without_matches_is_an_empty_list_not_an_error() {
    let h = SimHarness::start_default().await;
    let mut ctx = h.context(SOURCE);
    ctx.options
        .insert("query".into(), "label:no-such-label".into());
    let fetched = gmail::fetch(&ctx).await.unwrap();
    assert!(fetched.tasks.is_empty());
    assert_eq!(fetched.skipped, 0);

    // Gmail's empty shape: no `messages` key at all.
    let (status, body) = sim_get(&h, "/gmail/v1/users/me/messages?q=label%3Ano-such-label").await;
    assert_eq!(status, 200);
    assert_eq!(body, serde_json::json!({"resultSizeEstimate": 0}));
}

async fn sim_get(h: &SimHarness, path_and_query: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(format!("{}{path_and_query}", h.base(SOURCE)))
        .bearer_auth(h.token(SOURCE))
        .send()
        .await
        .expect("the simulator answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

#[tokio::test]
async fn the_simulator_answers_like_gmail_for_unknown_ids_tokens_and_header_lists() {
    let h = SimHarness::start_default().await;
    let (status, body) = sim_get(&h, "/gmail/v1/users/me/messages/ffffffffffffffff").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["errors"][0]["reason"], "notFound");

    let (status, _) = sim_get(&h, "/gmail/v1/users/me/messages?pageToken=garbage").await;
    assert_eq!(status, 400);

    let (status, body) = sim_get(
        &h,
        "/gmail/v1/users/me/messages/197a1c2f3e4d5b6a?format=metadata&metadataHeaders=Subject",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        body["payload"]["headers"],
        serde_json::json!([{"name": "Subject", "value": "Q3 budget draft: review needed"}]),
        "only the headers asked for"
    );
    assert!(body["snippet"].as_str().unwrap().contains("today&#39;s"));
}

// ---- the normalizer on recorded messages ----

fn dana() -> Me {
    Me {
        email: Some("dana@example.com".into()),
        name: Some("Dana Demo".into()),
    }
}

fn recorded() -> Fetched {
    let messages: Vec<Message> =
        serde_json::from_str(include_str!("fixtures/google/gmail_messages.json"))
            .expect("the fixture parses");
    gmail::normalize(messages, &dana())
}

#[test]
fn messages_without_an_id_or_a_subject_are_skipped_and_counted() {
    let fetched = recorded();
    assert_eq!(fetched.skipped, 3);
    assert_eq!(
        titles(&fetched),
        [
            "Q3 budget draft: review needed",
            "Contract renewal: signature needed today",
            "[Alert] ENG-130 webhook failures in production",
            "Budget review prep",
            "Note to self",
            "Last chance: 50% off",
        ]
    );
}

#[test]
fn waiting_on_me_needs_important_unread_and_a_request() {
    let fetched = recorded();
    let waiting: Vec<&str> = fetched
        .tasks
        .iter()
        .filter(|t| t.signals.waiting_on_me)
        .map(|t| t.title.as_str())
        .collect();
    // "Can you believe these prices?" is unread but not important.
    assert_eq!(
        waiting,
        ["Q3 budget draft: review needed", "Budget review prep"]
    );
}

#[test]
fn snippets_are_entity_decoded_text() {
    let fetched = recorded();
    assert_eq!(
        titled(&fetched, "Budget review prep").snippet.as_deref(),
        Some("<b>Attached</b> are the Q3 numbers. Please bring questions & corrections.")
    );
    assert!(titled(&fetched, "Q3 budget draft: review needed")
        .snippet
        .as_deref()
        .unwrap()
        .contains("Thursday's sync?"));
}

#[test]
fn received_time_comes_from_internal_date_else_the_date_header() {
    let fetched = recorded();
    assert_eq!(
        titled(&fetched, "Q3 budget draft: review needed")
            .signals
            .updated_at,
        Some(1_795_419_600)
    );
    assert_eq!(
        titled(&fetched, "Budget review prep").signals.updated_at,
        Some(1_795_411_800)
    );
    assert_eq!(titled(&fetched, "Note to self").signals.updated_at, None);
}

#[test]
fn header_names_match_in_any_case_and_the_sender_is_a_person_unless_it_is_me() {
    let fetched = recorded();
    let contract = titled(&fetched, "Contract renewal: signature needed today");
    assert_eq!(contract.people[0].name, "Acme Legal");
    assert!(contract.signals.starred);
    let alert = titled(&fetched, "[Alert] ENG-130 webhook failures in production");
    assert_eq!(alert.people[0].name, "alerts@acme.example");
    assert!(titled(&fetched, "Note to self").people.is_empty());
}

#[test]
fn the_link_opens_the_thread() {
    let fetched = recorded();
    assert_eq!(
        titled(&fetched, "Contract renewal: signature needed today")
            .url
            .as_deref(),
        Some("https://mail.google.com/mail/u/0/#all/197a0e9d8c7b6a00")
    );
}

sim_support::standard_fault_tests!(Source::Gmail);
