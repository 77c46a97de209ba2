//! The Granola connector against the Granola simulator, and its normalizer on recorded
//! note bodies.

use crate::sim_support;

use pmt_server::sources::granola;
use pmt_server::sources::{Fetched, Me, SourceError, Today};
use pmt_wire::{Source, Task, TaskKind};
use serde_json::Value;
use sim_support::SimHarness;

async fn fetch(h: &SimHarness) -> Result<Fetched, SourceError> {
    granola::fetch(&h.context(Source::Granola)).await
}

fn titled<'a>(fetched: &'a Fetched, title: &str) -> &'a Task {
    fetched
        .tasks
        .iter()
        .find(|t| t.title == title)
        .unwrap_or_else(|| panic!("no task titled {title:?}"))
}

fn titles(fetched: &Fetched) -> Vec<&str> {
    fetched.tasks.iter().map(|t| t.title.as_str()).collect()
}

#[tokio::test]
async fn my_action_items_arrive_from_recent_notes() {
    let h = SimHarness::start_default().await;
    let fetched = fetch(&h).await.unwrap();
    let today = &h.today;

    assert_eq!(
        titles(&fetched),
        [
            "Finish ENG-142 fix and ask Grace for review",
            "I'll send the budget numbers to Finance by EOD",
            "Book a room for the Q4 retro",
            "I need to review the ENG-151 runbook outline by Thu",
            "Review the new onboarding mocks by Fri",
            "Can you draft the Q3 OKRs?",
        ]
    );
    assert_eq!(fetched.skipped, 1, "the note still being processed");

    let eng142 = titled(&fetched, "Finish ENG-142 fix and ask Grace for review");
    assert_eq!(eng142.kind, TaskKind::MeetingNoteItem);
    assert!(eng142
        .id
        .as_str()
        .starts_with("granola:not_SyncV2Stndup01#"));
    assert_eq!(eng142.refs, ["meeting:sync v2 standup", "linear:ENG-142"]);
    assert_eq!(
        eng142.url.as_deref(),
        Some("https://notes.granola.ai/d/SyncV2Stndup01")
    );
    let people: Vec<&str> = eng142.people.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        people,
        ["Grace Hopper", "Alan Turing"],
        "the others in the meeting"
    );
    assert!(eng142.signals.waiting_on_me);
    assert!(eng142.dismissible);

    let budget = titled(&fetched, "I'll send the budget numbers to Finance by EOD");
    assert_eq!(
        budget.signals.due,
        Some(today.end - 1),
        "by EOD = end of today"
    );
    assert!(!budget.signals.waiting_on_me, "I said it myself");

    let runbook = titled(
        &fetched,
        "I need to review the ENG-151 runbook outline by Thu",
    );
    assert!(runbook.signals.due.unwrap() > today.end, "Thursday, ahead");

    let mocks = titled(&fetched, "Review the new onboarding mocks by Fri");
    assert!(
        mocks.signals.due.unwrap() < today.start,
        "last Friday: overdue"
    );

    let okrs = titled(&fetched, "Can you draft the Q3 OKRs?");
    assert!(okrs.signals.direct_mention && okrs.signals.waiting_on_me);
    assert_eq!(okrs.refs, ["meeting:weekly planning"]);

    for not_mine in [
        "Update the rollout doc",
        "Close ENG-120",
        "Check the vendor contract?",
        "Share the Q2 retro notes",
    ] {
        assert!(
            !titles(&fetched).iter().any(|t| t.contains(&not_mine[1..])),
            "{not_mine}: someone else's, done, or too old"
        );
    }
}

#[tokio::test]
async fn ids_stay_the_same_from_one_refresh_to_the_next() {
    let h = SimHarness::start_default().await;
    let first = fetch(&h).await.unwrap();
    let second = fetch(&h).await.unwrap();
    let ids = |f: &Fetched| f.tasks.iter().map(|t| t.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&first), ids(&second));
}

#[tokio::test]
async fn every_page_of_notes_is_read_once() {
    let h = SimHarness::start_default().await;
    let fetched = fetch(&h).await.unwrap();
    let mut notes: Vec<&str> = fetched
        .tasks
        .iter()
        .filter_map(|t| t.id.as_str().split('#').next())
        .collect();
    notes.dedup();
    assert_eq!(notes.len(), 4, "four processed notes over three pages");
    assert!(notes.len() > pmt_server::simulators::granola::PAGE_CAP);
    let mut ids: Vec<&str> = fetched.tasks.iter().map(|t| t.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), fetched.tasks.len());
}

#[tokio::test]
async fn the_simulator_pages_with_a_cursor_and_refuses_a_bad_one() {
    let h = SimHarness::start_default().await;
    let client = reqwest::Client::new();
    let get = |query: Vec<(&'static str, String)>| {
        client
            .get(format!("{}/v1/notes", h.base(Source::Granola)))
            .query(&query)
            .bearer_auth(h.token(Source::Granola))
            .send()
    };
    let first: Value = get(vec![("page_size", "2".into())])
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(first["notes"].as_array().unwrap().len(), 2);
    assert_eq!(first["hasMore"], true);
    let cursor = first["cursor"].as_str().unwrap().to_owned();
    let second: Value = get(vec![("cursor", cursor)])
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_ne!(second["notes"][0]["id"], first["notes"][0]["id"]);
    let bad = get(vec![("cursor", "cur_nope".into())]).await.unwrap();
    assert_eq!(bad.status(), 400);
    let unprocessed = client
        .get(format!(
            "{}/v1/notes/not_VendorSync0001",
            h.base(Source::Granola)
        ))
        .bearer_auth(h.token(Source::Granola))
        .send()
        .await
        .unwrap();
    assert_eq!(unprocessed.status(), 404);
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
    let a = ids(granola::fetch(&morning.context(Source::Granola))
        .await
        .unwrap());
    let b = ids(granola::fetch(&later.context(Source::Granola))
        .await
        .unwrap());
    assert!(!a.is_empty());
    assert_eq!(a, b);
}

#[tokio::test]
async fn an_empty_day_is_no_tasks_and_no_error() {
    let h = SimHarness::start_default().await;
    let mut ctx = h.context(Source::Granola);
    ctx.client = ctx.client.with_header("x-pmt-sim-day", "empty");
    assert_eq!(granola::fetch(&ctx).await.unwrap(), Fetched::default());
}

fn ada() -> Me {
    Me {
        email: Some("ada@example.com".into()),
        name: Some("Ada Lovelace".into()),
    }
}

fn paris_monday() -> Today {
    Today::at(1_795_422_600, "Europe/Paris").expect("test setup")
}

fn recorded() -> Vec<Value> {
    serde_json::from_str(include_str!("fixtures/granola/notes.json")).expect("test setup")
}

#[test]
fn normalizer_finds_my_items_in_recorded_notes() {
    let today = paris_monday();
    let fetched = granola::normalize(&recorded(), &today, &ada());
    assert_eq!(
        titles(&fetched),
        [
            "Review budget draft by Thu",
            "Update the ENG-412 ticket & https://github.com/acme/api/pull/1347",
            "Send the summary by EOD",
        ]
    );
    assert_eq!(fetched.skipped, 1, "the note without an id");

    let budget = &fetched.tasks[0];
    assert_eq!(
        budget.signals.due,
        Some(today.end + 3 * 86_400 - 1),
        "Thursday of the meeting's week"
    );
    let people: Vec<&str> = budget.people.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(people, ["Grace Hopper", "guest@partner.example"]);
    assert_eq!(
        budget.signals.updated_at,
        Some(
            "2026-11-23T09:40:47Z"
                .parse::<jiff::Timestamp>()
                .unwrap()
                .as_second()
        )
    );

    let ticket = &fetched.tasks[1];
    assert_eq!(
        ticket.refs,
        [
            "meeting:weekly planning",
            "github:acme/api#1347",
            "linear:ENG-412"
        ]
    );
}

#[test]
fn a_meeting_just_after_midnight_is_due_on_its_local_day() {
    // 23:30 UTC on Sunday is 00:30 on Monday in Paris.
    let today = paris_monday();
    let fetched = granola::normalize(&recorded(), &today, &ada());
    let late = &fetched.tasks[2];
    assert_eq!(late.signals.due, Some(today.end - 1));
    assert_eq!(late.refs, ["meeting:late call tokyo office"]);
    assert!(late.people.is_empty(), "I was alone");
    // In UTC the same meeting was on Sunday.
    let utc = Today::at(1_795_422_600, "UTC").unwrap();
    let fetched = granola::normalize(&recorded(), &utc, &ada());
    assert_eq!(fetched.tasks[2].signals.due, Some(utc.start - 1));
}

#[test]
fn an_items_id_survives_reordering_but_not_rewording() {
    let today = paris_monday();
    let notes = recorded();
    let original = granola::normalize(&notes[..1], &today, &ada());

    let mut reordered = notes[0].clone();
    let markdown = reordered["summary_markdown"].as_str().unwrap().to_owned();
    let (before, items) = markdown.split_once("## Action items\n").unwrap();
    let mut lines: Vec<&str> = items.lines().collect();
    lines.reverse();
    reordered["summary_markdown"] =
        Value::from(format!("{before}## Action items\n{}", lines.join("\n")));
    let shuffled = granola::normalize(&[reordered], &today, &ada());
    assert_ne!(
        shuffled.tasks[0].id, original.tasks[0].id,
        "the order did change"
    );
    let mut a: Vec<_> = original.tasks.iter().map(|t| t.id.clone()).collect();
    let mut b: Vec<_> = shuffled.tasks.iter().map(|t| t.id.clone()).collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);

    let mut reworded = notes[0].clone();
    reworded["summary_markdown"] =
        Value::from(markdown.replace("review budget draft", "review the budget draft"));
    let changed = granola::normalize(&[reworded], &today, &ada());
    assert_ne!(changed.tasks[0].id, original.tasks[0].id);
    assert_eq!(changed.tasks[1].id, original.tasks[1].id);
}

sim_support::standard_fault_tests!(Source::Granola);
