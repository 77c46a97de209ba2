//! Google Calendar connector: against the real simulator (the demo day, pagination,
//! faults) and its normalizer on a recorded events page.

use crate::sim_support;

use pmt_server::sources::google_calendar::{self, EventsPage};
use pmt_server::sources::{Fetched, Me, Today};
use pmt_wire::{Source, Task, TaskKind};
use serde_json::Value;
use sim_support::SimHarness;

const SOURCE: Source = Source::GoogleCalendar;

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
async fn the_demo_day_yields_todays_meetings_and_the_pending_rsvp() {
    let h = SimHarness::start_default().await;
    let fetched = google_calendar::fetch(&h.context(SOURCE)).await.unwrap();

    assert_eq!(
        titles(&fetched),
        [
            "Q4 planning week",
            "Sync v2 standup",
            "Budget review",
            "1:1 Grace / Dana",
            "Weekly planning",
        ],
        "declined, cancelled, focus-time, working-location and other days' events are not tasks"
    );
    assert_eq!(fetched.skipped, 0);

    let budget = titled(&fetched, "Budget review");
    assert_eq!(budget.kind, TaskKind::Meeting);
    assert_eq!(budget.signals.starts_at, Some(h.today.now + 40 * 60));
    assert_eq!(budget.signals.ends_at, Some(h.today.now + 70 * 60));
    assert!(budget
        .refs
        .contains(&"gdoc:1BudgetQ3DocAcme00000000000".to_owned()));
    assert!(budget.refs.contains(&"meeting:budget review".to_owned()));
    assert_eq!(budget.people[0].name, "Finance");
    assert!(budget
        .snippet
        .as_deref()
        .unwrap()
        .starts_with("Prep: please read the Q3 budget draft"));
    assert!(budget
        .url
        .as_deref()
        .unwrap()
        .starts_with("https://www.google.com/calendar/event?eid="));
    assert!(!budget.dismissible);

    let planning = titled(&fetched, "Weekly planning");
    assert_eq!(planning.kind, TaskKind::Rsvp);
    assert!(planning.signals.rsvp_needed && planning.signals.waiting_on_me);
    assert_eq!(planning.signals.starts_at, Some(h.today.start + 16 * 3600));
    assert_eq!(
        planning.id.as_str(),
        "google_calendar:weeklyplanning_20261123T150000Z"
    );
    assert_eq!(planning.people[0].name, "Alan Turing");

    let standup = titled(&fetched, "Sync v2 standup");
    assert_eq!(standup.kind, TaskKind::Meeting);
    assert!(!standup.signals.rsvp_needed && !standup.signals.waiting_on_me);
    assert_eq!(standup.signals.starts_at, Some(h.today.start + 9 * 3600));
    assert_eq!(
        standup.signals.ends_at,
        Some(h.today.start + 9 * 3600 + 900)
    );

    let q4 = titled(&fetched, "Q4 planning week");
    assert_eq!(q4.kind, TaskKind::Meeting);
    assert_eq!(
        (q4.signals.starts_at, q4.signals.ends_at),
        (Some(h.today.start), Some(h.today.end)),
        "an all-day event spanning several days covers today only"
    );
}

#[tokio::test]
async fn every_page_arrives_and_no_event_twice() {
    let h = SimHarness::start_default().await;
    let fetched = google_calendar::fetch(&h.context(SOURCE)).await.unwrap();
    let requests = h.sims.seen_tokens().len();
    assert!(
        requests >= 2,
        "the day spans more than one page ({requests} requests)"
    );
    let mut ids: Vec<&str> = fetched.tasks.iter().map(|t| t.id.as_str()).collect();
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count);
    assert_eq!(count, 5);
}

#[tokio::test]
async fn a_day_without_events_is_an_empty_list_not_an_error() {
    let h = SimHarness::start_default().await;
    let mut ctx = h.context(SOURCE);
    ctx.today = Today::at(h.today.now + 30 * 86_400, "Europe/Paris").unwrap();
    let fetched = google_calendar::fetch(&ctx).await.unwrap();
    assert!(fetched.tasks.is_empty());
    assert_eq!(fetched.skipped, 0);
}

async fn sim_get(h: &SimHarness, query: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(format!(
            "{}/calendar/v3/calendars/primary/events?{query}",
            h.base(SOURCE)
        ))
        .bearer_auth(h.token(SOURCE))
        .send()
        .await
        .expect("the simulator answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

#[tokio::test]
async fn the_simulator_refuses_an_empty_time_range_like_google() {
    let h = SimHarness::start_default().await;
    let (status, body) = sim_get(
        &h,
        "timeMin=2026-11-23T10:00:00%2B01:00&timeMax=2026-11-23T10:00:00%2B01:00",
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["errors"][0]["reason"], "timeRangeEmpty");
}

#[tokio::test]
async fn the_simulator_refuses_unknown_page_tokens_and_orderings() {
    let h = SimHarness::start_default().await;
    let (status, body) = sim_get(&h, "pageToken=not-a-token").await;
    assert_eq!((status, body["error"]["code"].as_u64()), (400, Some(400)));
    let (status, _) = sim_get(&h, "orderBy=startTime").await;
    assert_eq!(status, 400, "orderBy=startTime needs singleEvents=true");
}

#[tokio::test]
async fn cancelled_events_the_api_returns_with_show_deleted_are_dropped() {
    let h = SimHarness::start_default().await;
    let query = format!(
        "timeMin={}&timeMax={}&singleEvents=true&showDeleted=true&maxResults=100",
        h.today.start_rfc3339.replace('+', "%2B"),
        h.today.end_rfc3339.replace('+', "%2B")
    );
    let mut events = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page_query = match &token {
            Some(t) => format!("{query}&pageToken={t}"),
            None => query.clone(),
        };
        let (status, body) = sim_get(&h, &page_query).await;
        assert_eq!(status, 200);
        let page: EventsPage = serde_json::from_value(body).unwrap();
        events.extend(page.items);
        match page.next_page_token {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    assert!(events
        .iter()
        .any(|e| e.summary.as_deref() == Some("Vendor demo: Observability Inc.")));
    let fetched = google_calendar::normalize(events, &h.today, &dana());
    assert!(!titles(&fetched)
        .iter()
        .any(|t| t.starts_with("Vendor demo")));
    assert_eq!(fetched.tasks.len(), 5);
}

// ---- the normalizer on a recorded page (Monday 2026-11-23, Europe/Paris) ----

fn dana() -> Me {
    Me {
        email: Some("dana@example.com".into()),
        name: Some("Dana Demo".into()),
    }
}

fn paris_monday() -> Today {
    Today::at(1_795_422_600, "Europe/Paris").expect("a known zone")
}

fn recorded() -> Fetched {
    let page: EventsPage =
        serde_json::from_str(include_str!("fixtures/google/calendar_events.json"))
            .expect("the fixture parses");
    google_calendar::normalize(page.items, &paris_monday(), &dana())
}

#[test]
fn only_events_i_attend_today_become_tasks() {
    let fetched = recorded();
    assert_eq!(
        titles(&fetched),
        [
            "Q4 planning week",
            "Deploy window",
            "Budget review",
            "Hologram sync",
            "Design review",
            "Weekly planning",
            "(No title)",
            "Tokyo sync",
        ]
    );
}

#[test]
fn events_without_an_id_or_usable_times_are_skipped_and_counted() {
    assert_eq!(recorded().skipped, 3);
}

#[test]
fn an_unanswered_invitation_is_one_rsvp_task_carrying_the_meeting_times() {
    let fetched = recorded();
    let planning: Vec<&Task> = fetched
        .tasks
        .iter()
        .filter(|t| t.title == "Weekly planning")
        .collect();
    assert_eq!(planning.len(), 1, "not a meeting and an RSVP");
    let rsvp = planning[0];
    assert_eq!(rsvp.kind, TaskKind::Rsvp);
    assert!(rsvp.signals.rsvp_needed && rsvp.signals.waiting_on_me);
    assert_eq!(
        (rsvp.signals.starts_at, rsvp.signals.ends_at),
        (Some(1_795_446_000), Some(1_795_449_600))
    );
    assert_eq!(
        rsvp.id.as_str(),
        "google_calendar:weeklyplanning_20261123T150000Z"
    );
    assert!(rsvp.refs.contains(&"meeting:weekly planning".to_owned()));
}

#[test]
fn an_all_day_event_covers_local_midnight_to_midnight_of_today_only() {
    let fetched = recorded();
    let q4 = titled(&fetched, "Q4 planning week");
    assert_eq!(
        (q4.signals.starts_at, q4.signals.ends_at),
        (Some(1_795_388_400), Some(1_795_474_800))
    );
    assert_eq!(q4.kind, TaskKind::Meeting);
}

#[test]
fn the_day_boundary_is_local_midnight_whatever_offset_an_event_is_written_in() {
    let fetched = recorded();
    // 22:30–23:30 UTC yesterday is 23:30–00:30 in Paris: it runs into today.
    let deploy = titled(&fetched, "Deploy window");
    assert_eq!(
        (deploy.signals.starts_at, deploy.signals.ends_at),
        (Some(1_795_386_600), Some(1_795_390_200))
    );
    // 07:30 in Tokyo tomorrow is 23:30 in Paris today.
    assert_eq!(
        titled(&fetched, "Tokyo sync").signals.starts_at,
        Some(1_795_473_000)
    );
    // Ending exactly at midnight, or starting exactly at the next one, is not today.
    let all = titles(&fetched);
    assert!(!all.contains(&"Late call that ended at midnight"));
    assert!(!all.contains(&"Starts at the next midnight"));
}

#[test]
fn unknown_statuses_types_and_answers_are_still_meetings() {
    let fetched = recorded();
    let holo = titled(&fetched, "Hologram sync");
    assert_eq!(holo.kind, TaskKind::Meeting);
    assert!(!holo.signals.rsvp_needed);
}

#[test]
fn a_link_that_is_not_https_is_dropped_rather_than_rendered() {
    let fetched = recorded();
    assert_eq!(titled(&fetched, "Hologram sync").url, None);
    assert!(titled(&fetched, "Budget review")
        .url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://www.google.com/calendar/")));
}

#[test]
fn a_declined_invitation_is_dropped_even_when_matched_by_email_only() {
    assert!(!titles(&recorded()).contains(&"Lunch & learn: Rust async"));
}

#[test]
fn an_html_description_becomes_a_plain_snippet_and_its_doc_link_a_ref() {
    let fetched = recorded();
    let budget = titled(&fetched, "Budget review");
    assert_eq!(
        budget.snippet.as_deref(),
        Some("Prep: read the Q3 budget draft & bring questions Agenda: ENG-130 fallout")
    );
    assert_eq!(
        budget.refs,
        [
            "gdoc:1BudgetQ3DocAcme00000000000",
            "linear:ENG-130",
            "meeting:budget review"
        ]
    );
    assert_eq!(budget.signals.updated_at, Some(1_795_168_800));
    assert_eq!(budget.people.len(), 1);
    assert_eq!(
        budget.people[0].handle.as_deref(),
        Some("finance@example.com")
    );
}

#[test]
fn attached_docs_are_refs_and_my_own_events_name_nobody() {
    let fetched = recorded();
    let design = titled(&fetched, "Design review");
    assert!(design
        .refs
        .contains(&"gdoc:1SyncV2DesignDoc0000000000000".to_owned()));
    assert!(design.people.is_empty());
}

#[test]
fn an_untitled_event_gets_googles_placeholder_and_no_meeting_key() {
    let fetched = recorded();
    let untitled = titled(&fetched, "(No title)");
    assert!(untitled.refs.iter().all(|r| !r.starts_with("meeting:")));
}

#[test]
fn an_event_listed_twice_is_one_task() {
    let page: EventsPage =
        serde_json::from_str(include_str!("fixtures/google/calendar_events.json")).unwrap();
    let twice: Vec<_> = page
        .items
        .iter()
        .chain(page.items.iter())
        .cloned()
        .collect();
    let fetched = google_calendar::normalize(twice, &paris_monday(), &dana());
    assert_eq!(fetched.tasks.len(), recorded().tasks.len());
}

sim_support::standard_fault_tests!(Source::GoogleCalendar);
