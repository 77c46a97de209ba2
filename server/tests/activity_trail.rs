//! The activity trail and the per-source switch, end to end in demo mode: a real
//! sign-in, the real authorization server's exchanges, the simulators, SQLite on disk.

use crate::refresh_support;

use pmt_wire::activity::{ActivityEntry, ActivityEvent, ActivityPage, Actor, GroupKind, Outcome};
use pmt_wire::{Snapshot, Source, SourceState};
use refresh_support::{ids_by_source, status, Session};
use reqwest::Method;

async fn activity(session: &Session) -> Vec<ActivityEntry> {
    let response = session
        .request(Method::GET, "/api/activity")
        .send()
        .await
        .expect("activity");
    assert_eq!(response.status(), 200);
    response
        .json::<ActivityPage>()
        .await
        .expect("activity page")
        .entries
}

fn exchanges(entries: &[ActivityEntry]) -> Vec<(&ActivityEntry, String, Option<String>)> {
    entries
        .iter()
        .filter_map(|e| match &e.event {
            ActivityEvent::Exchange { source, reason, .. } => {
                Some((e, source.clone().unwrap_or_default(), reason.clone()))
            }
            ActivityEvent::ToolCall { .. } => None,
        })
        .collect()
}

async fn switch(session: &Session, source: &str, enabled: bool) -> reqwest::Response {
    session
        .request(Method::PUT, &format!("/api/sources/{source}"))
        .json(&serde_json::json!({ "enabled": enabled }))
        .send()
        .await
        .expect("switch")
}

#[tokio::test]
async fn a_refresh_records_one_exchange_per_enabled_source() {
    let session = Session::start().await;
    session.refresh().await;
    let entries = activity(&session).await;
    let exchanges = exchanges(&entries);
    assert_eq!(exchanges.len(), 7, "{entries:#?}");
    let mut sources: Vec<&str> = exchanges.iter().map(|(_, s, _)| s.as_str()).collect();
    sources.sort_unstable();
    let mut expected: Vec<&str> = Source::PROVIDERS.iter().map(|s| s.as_str()).collect();
    expected.sort_unstable();
    assert_eq!(sources, expected);
    let group = &exchanges[0].0.group_id;
    for (entry, _, reason) in &exchanges {
        // One refresh, one group; the chain app → user → resource is complete.
        assert_eq!(&entry.group_id, group);
        assert_eq!(entry.group_kind, GroupKind::Refresh);
        assert_eq!(entry.actor, Actor::Ui);
        assert_eq!(entry.outcome, Outcome::Ok);
        assert!(!entry.client.is_empty());
        assert!(entry.user.contains('@'), "user label: {}", entry.user);
        assert_eq!(reason, &None);
        let ActivityEvent::Exchange {
            resource,
            requested_scope,
            granted_scope,
            ..
        } = &entry.event
        else {
            unreachable!()
        };
        assert!(resource.starts_with("urn:pmt:"), "{resource}");
        assert!(
            !granted_scope.is_empty(),
            "{requested_scope} → {granted_scope}"
        );
    }
    // A second refresh is a second group.
    session.refresh().await;
    let entries = activity(&session).await;
    let groups: std::collections::BTreeSet<&str> = exchanges_groups(&entries);
    assert_eq!(groups.len(), 2);
}

fn exchanges_groups(entries: &[ActivityEntry]) -> std::collections::BTreeSet<&str> {
    entries
        .iter()
        .filter(|e| matches!(e.event, ActivityEvent::Exchange { .. }))
        .map(|e| e.group_id.as_str())
        .collect()
}

#[tokio::test]
async fn no_token_value_appears_in_the_activity_table() {
    let session = Session::start().await;
    session.refresh().await;
    // What the API shows…
    let body = session
        .request(Method::GET, "/api/activity")
        .send()
        .await
        .expect("activity")
        .text()
        .await
        .expect("body");
    // …and every byte of the database file and its WAL.
    let mut raw = Vec::new();
    for entry in std::fs::read_dir(session.demo.data_dir.path()).expect("data dir") {
        let path = entry.expect("entry").path();
        if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("plan-my-today.sqlite"))
        {
            raw.extend(std::fs::read(&path).expect("read"));
        }
    }
    let raw = String::from_utf8_lossy(&raw);
    let signature = session.token.rsplit('.').next().expect("signature");
    for haystack in [&body as &str, &raw] {
        assert!(!haystack.contains(&session.token));
        assert!(!haystack.contains(signature));
        // No JWT of any kind (session or exchanged): their header always starts so.
        assert!(!haystack.contains("eyJhbGciOi"), "a JWT was stored");
    }
    assert!(
        raw.contains("urn:pmt:"),
        "the trail was written to this file"
    );
}

#[tokio::test]
async fn a_refused_exchange_is_recorded_with_the_servers_reason() {
    let session = Session::start().await;
    assert!(session.handles().set_grant_revoked(Source::Slack, true));
    session.refresh().await;
    let entries = activity(&session).await;
    let slack: Vec<_> = exchanges(&entries)
        .into_iter()
        .filter(|(_, s, _)| s == "slack")
        .collect();
    assert_eq!(slack.len(), 1);
    let (entry, _, reason) = &slack[0];
    assert_eq!(entry.outcome, Outcome::Refused);
    let reason = reason.as_deref().expect("a reason");
    assert!(reason.contains("invalid_target"), "{reason}");
    assert!(reason.contains("revoked"), "{reason}");
    let ActivityEvent::Exchange { granted_scope, .. } = &entry.event else {
        unreachable!()
    };
    assert!(granted_scope.is_empty());
}

#[tokio::test]
async fn a_source_turned_off_is_not_exchanged_for_and_the_rest_keeps_working() {
    let session = Session::start().await;
    let before = session.refresh().await;
    assert!(ids_by_source(&before).contains_key(&Source::Gmail));

    let response = switch(&session, "gmail", false).await;
    assert_eq!(response.status(), 200);
    let now: Snapshot = response.json().await.expect("snapshot");
    // At once: Gmail says it is off and its tasks are gone; the others stay.
    assert_eq!(status(&now, Source::Gmail).state, SourceState::Off);
    assert!(!ids_by_source(&now).contains_key(&Source::Gmail));
    assert!(ids_by_source(&now).contains_key(&Source::Linear));
    assert!(now
        .tasks
        .iter()
        .all(|t| t.links.iter().all(|l| !l.as_str().starts_with("gmail:"))));

    let first_id = activity(&session).await.first().map_or(0, |e| e.id);
    let after = session.refresh().await;
    assert_eq!(status(&after, Source::Gmail).state, SourceState::Off);
    for source in Source::PROVIDERS
        .into_iter()
        .filter(|s| *s != Source::Gmail)
    {
        assert!(
            matches!(status(&after, source).state, SourceState::Ok { .. }),
            "{source:?}"
        );
    }
    let newer: Vec<ActivityEntry> = activity(&session)
        .await
        .into_iter()
        .filter(|e| e.id > first_id)
        .collect();
    let sources: Vec<String> = exchanges(&newer).into_iter().map(|(_, s, _)| s).collect();
    assert_eq!(sources.len(), 6, "{sources:?}");
    assert!(!sources.iter().any(|s| s == "gmail"), "{sources:?}");
    // The stored plan says the same after a reload.
    assert_eq!(
        status(&session.tasks().await, Source::Gmail).state,
        SourceState::Off
    );

    // Back on: fetched again by the next refresh.
    assert_eq!(switch(&session, "gmail", true).await.status(), 200);
    let again = session.refresh().await;
    assert!(matches!(
        status(&again, Source::Gmail).state,
        SourceState::Ok { .. }
    ));
    assert!(ids_by_source(&again).contains_key(&Source::Gmail));
}

#[tokio::test]
async fn switching_an_unknown_or_unconfigured_source_or_with_a_bad_body_is_refused() {
    let session = Session::start_adjusted(|config| {
        config.sources.retain(|s| s.kind != Source::Granola);
    })
    .await;
    assert_eq!(switch(&session, "jira", false).await.status(), 404);
    assert_eq!(switch(&session, "ad_hoc", false).await.status(), 404);
    assert_eq!(switch(&session, "granola", false).await.status(), 409);
    let bad = session
        .request(Method::PUT, "/api/sources/gmail")
        .body("{\"enabled\": \"no\"}")
        .send()
        .await
        .expect("bad");
    assert_eq!(bad.status(), 400);
    // Nothing was switched off by the refused requests.
    let snapshot = session.refresh().await;
    assert!(matches!(
        status(&snapshot, Source::Gmail).state,
        SourceState::Ok { .. }
    ));
    // Without a session: 401.
    let anonymous = session
        .demo
        .http
        .put(session.demo.url("/api/sources/gmail"))
        .json(&serde_json::json!({ "enabled": false }))
        .send()
        .await
        .expect("anonymous");
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn activity_pages_and_refuses_bad_queries() {
    let session = Session::start().await;
    session.refresh().await;
    let page = |q: &'static str| {
        let r = session.request(Method::GET, &format!("/api/activity{q}"));
        async move { r.send().await.expect("page") }
    };
    let first: ActivityPage = page("?limit=3").await.json().await.expect("json");
    assert_eq!(first.entries.len(), 3);
    assert!(first.entries[0].id > first.entries[2].id, "newest first");
    let before = first.entries[2].id;
    let next = session
        .request(
            Method::GET,
            &format!("/api/activity?limit=500&before={before}"),
        )
        .send()
        .await
        .expect("next")
        .json::<ActivityPage>()
        .await
        .expect("json");
    assert_eq!(next.entries.len(), 4);
    assert!(next.entries.iter().all(|e| e.id < before));
    for bad in [
        "?limit=0",
        "?limit=501",
        "?before=x",
        "?limit=abc",
        "?evil=1",
    ] {
        assert_eq!(page(bad).await.status(), 400, "{bad}");
    }
}
