//! The refresh end to end in demo mode: a real server, a real sign-in, the real
//! authorization server exchanging tokens, the seven simulators, SQLite on disk.

use crate::demo_as_support;
use crate::refresh_support;

use std::collections::BTreeSet;

use pmt_wire::{RefreshEvent, Snapshot, Source, SourceState, TaskKind};
use refresh_support::{ids_by_source, status, Session};

/// Every provider's status is `ok` and every provider contributed tasks.
fn assert_all_sources_ok(snapshot: &Snapshot) {
    assert_eq!(snapshot.sources.len(), 7, "{:?}", snapshot.sources);
    for source in Source::PROVIDERS {
        match &status(snapshot, source).state {
            SourceState::Ok { count, .. } => assert!(*count > 0, "{source:?} returned no task"),
            other => panic!("{source:?}: {other:?}"),
        }
    }
    let by_source = ids_by_source(snapshot);
    for source in Source::PROVIDERS {
        assert!(by_source.contains_key(&source), "no task from {source:?}");
    }
}

#[tokio::test]
async fn demo_refresh_returns_tasks_from_all_seven_sources() {
    let session = Session::start().await;
    let snapshot = session.refresh().await;
    assert_all_sources_ok(&snapshot);
    assert!(snapshot.generated_at > 0);
    assert!(
        snapshot.tasks.len() >= 40,
        "the demo day has at least 40 tasks, got {}",
        snapshot.tasks.len()
    );
    // Scored and sorted: the first task is at least as urgent as the last.
    let first = snapshot.tasks.first().expect("tasks");
    let last = snapshot.tasks.last().expect("tasks");
    assert!(first.priority <= last.priority);
    assert!(snapshot.tasks.iter().any(|t| !t.why.is_empty()));
    // The same list comes back from the store without calling anyone.
    let stored = session.tasks().await;
    assert_eq!(
        stored.tasks.iter().map(|t| &t.id).collect::<BTreeSet<_>>(),
        snapshot
            .tasks
            .iter()
            .map(|t| &t.id)
            .collect::<BTreeSet<_>>()
    );
    assert_eq!(stored.sources, snapshot.sources);
}

#[tokio::test]
async fn task_ids_are_stable_across_refreshes() {
    // Decisions are keyed by task id: an id that changes between refreshes loses the
    // user's dismissal or override of that task.
    let session = Session::start().await;
    let first = ids_by_source(&session.refresh().await);
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let second = ids_by_source(&session.refresh().await);
    for source in Source::PROVIDERS {
        assert_eq!(
            first.get(&source),
            second.get(&source),
            "{source:?}'s task ids changed between two refreshes a second apart"
        );
    }
}

#[tokio::test]
async fn before_the_first_refresh_tasks_are_empty_and_sources_pending() {
    let session = Session::start_adjusted(|config| {
        if let Some(slack) = config.sources.iter_mut().find(|s| s.kind == Source::Slack) {
            slack.enabled = false;
        }
    })
    .await;
    let snapshot = session.tasks().await;
    assert_eq!(snapshot.generated_at, 0);
    assert!(snapshot.tasks.is_empty());
    assert_eq!(snapshot.sources.len(), 7);
    for s in &snapshot.sources {
        let expected = if s.source == Source::Slack {
            SourceState::Disabled
        } else {
            SourceState::Pending
        };
        assert_eq!(s.state, expected, "{:?}", s.source);
    }
    // A disabled source is not called and stays disabled after a refresh.
    let refreshed = session.refresh().await;
    assert_eq!(
        status(&refreshed, Source::Slack).state,
        SourceState::Disabled
    );
    assert!(refreshed.tasks.iter().all(|t| t.source != Source::Slack));
}

#[tokio::test]
async fn reading_tasks_never_calls_a_provider() {
    let session = Session::start().await;
    session.refresh().await;
    let calls = session.sims().seen_tokens().len();
    assert!(calls >= 7, "the refresh called every provider");
    for _ in 0..3 {
        session.tasks().await;
    }
    assert_eq!(session.sims().seen_tokens().len(), calls);
}

#[tokio::test]
async fn a_second_refresh_while_one_runs_joins_it() {
    let session = Session::start().await;
    session.refresh().await;
    let one = session.sims().seen_tokens().len();
    // Slow every provider down so the two requests overlap.
    for source in Source::PROVIDERS {
        session.sims().set_fault(
            source,
            pmt_server::simulators::Fault {
                latency_ms: 300,
                ..Default::default()
            },
        );
    }
    let (a, b) = tokio::join!(session.refresh(), session.refresh());
    let two = session.sims().seen_tokens().len() - one;
    assert_eq!(two, one, "the joined refresh called the providers again");
    assert_eq!(a.generated_at, b.generated_at);
    assert_eq!(a.tasks, b.tasks);
}

#[tokio::test]
async fn a_refresh_asked_for_after_one_finished_fetches_again() {
    let session = Session::start().await;
    let mut previous = 0;
    for round in 0..4 {
        let snapshot = session.refresh().await;
        let seen = session.sims().seen_tokens().len();
        assert!(seen > previous, "refresh {round} replayed an earlier one");
        assert!(snapshot.generated_at > 0);
        previous = seen;
    }
}

#[tokio::test]
async fn the_stream_reports_each_source_then_done() {
    let session = Session::start().await;
    let (events, _) = session.refresh_stream().await;
    let parsed: Vec<RefreshEvent> = events
        .iter()
        .map(|(name, data)| {
            RefreshEvent::from_parts(name, data).unwrap_or_else(|| panic!("{name}: {data}"))
        })
        .collect();
    let started: BTreeSet<Source> = parsed
        .iter()
        .filter_map(|e| match e {
            RefreshEvent::SourceStarted(s) => Some(s.source),
            _ => None,
        })
        .collect();
    let finished: Vec<Source> = parsed
        .iter()
        .filter_map(|e| match e {
            RefreshEvent::SourceFinished(s) => Some(s.source),
            _ => None,
        })
        .collect();
    assert_eq!(started, Source::PROVIDERS.into_iter().collect());
    assert_eq!(finished.len(), 7, "one source_finished per source");
    assert_eq!(
        finished.iter().collect::<BTreeSet<_>>().len(),
        7,
        "{finished:?}"
    );
    let Some(RefreshEvent::Done(snapshot)) = parsed.last() else {
        panic!("the stream must end with done: {events:?}");
    };
    assert_eq!(parsed.iter().filter(|e| e.name() == "done").count(), 1);
    assert_all_sources_ok(snapshot);
    assert_eq!(session.tasks().await.generated_at, snapshot.generated_at);
}

#[tokio::test]
async fn refresh_requires_a_session() {
    let session = Session::start().await;
    for path in ["/api/refresh", "/api/refresh/stream"] {
        let response = session
            .demo
            .http
            .post(session.demo.url(path))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 401, "{path}");
    }
    let response = session
        .demo
        .http
        .get(session.demo.url("/api/tasks"))
        .bearer_auth("not-a-jwt")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 401);
    assert!(session.sims().seen_tokens().is_empty());
}

/// `POST /api/tasks/{id}/dismiss` with the id as one percent-encoded segment.
async fn dismiss(session: &Session, id: &str) {
    let encoded: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    let response = session
        .request(
            reqwest::Method::POST,
            &format!("/api/tasks/{encoded}/dismiss"),
        )
        .send()
        .await
        .expect("dismiss");
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
}

#[tokio::test]
async fn a_dismissal_survives_refresh_and_restart() {
    let session = Session::start().await;
    let snapshot = session.refresh().await;
    let target = snapshot
        .tasks
        .iter()
        .find(|t| t.dismissible && t.kind != TaskKind::AdHoc)
        .expect("a dismissible task")
        .id
        .clone();
    dismiss(&session, target.as_str()).await;
    let dismissed = |s: &Snapshot| s.tasks.iter().find(|t| t.id == target).map(|t| t.dismissed);
    assert_eq!(dismissed(&session.refresh().await), Some(true));
    assert_eq!(dismissed(&session.tasks().await), Some(true));

    // Restart on the same data directory (new port, new issuer: sign in again).
    let Session { demo, .. } = session;
    demo.server.task.abort();
    let data_dir = demo.data_dir;
    let restarted = Session::signed_in(demo_as_support::start_with(data_dir).await).await;
    assert_eq!(dismissed(&restarted.tasks().await), Some(true));
    assert_eq!(dismissed(&restarted.refresh().await), Some(true));
}
