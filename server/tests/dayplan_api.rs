//! `GET /api/plan` on the real demo server: the day plan from the stored snapshot,
//! for the signed-in user, with their decisions applied, without calling a source.

use crate::refresh_support;

use pmt_server::dayplan::settings::ClockTime;
use pmt_server::sources::Today;
use pmt_wire::activity::ActivityEvent;
use pmt_wire::dayplan::{BlockKind, DayPlan};
use pmt_wire::{Source, TaskKind};
use refresh_support::Session;
use reqwest::Method;

async fn plan(session: &Session) -> DayPlan {
    let response = session
        .request(Method::GET, "/api/plan")
        .send()
        .await
        .expect("GET /api/plan");
    let status = response.status();
    let body = response.text().await.expect("body");
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("a day plan")
}

fn now() -> i64 {
    pmt_server::auth::unix_now()
}

fn assert_sound(plan: &DayPlan, asked_at: i64) {
    for pair in plan.blocks.windows(2) {
        assert!(pair[0].end <= pair[1].start, "overlap {pair:?}");
    }
    // The server's "now" is at or after `asked_at`; blocks start on the 5-minute grid.
    let not_before = (asked_at + 299).div_euclid(300) * 300;
    for b in &plan.blocks {
        assert!(b.end > b.start, "{b:?}");
        if matches!(b.kind, BlockKind::Focus | BlockKind::Prep) {
            assert!(b.start >= not_before, "before now: {b:?}");
            assert!(
                b.start >= plan.work_start && b.end <= plan.work_end,
                "{b:?}"
            );
        }
    }
}

#[tokio::test]
async fn before_any_refresh_the_plan_is_empty_but_for_the_breaks() {
    let session = Session::start().await;
    let p = plan(&session).await;
    let today = Today::at(now(), &session.demo.server.config.time_zone).unwrap();
    assert_eq!(p.date, today.date);
    assert!(p.work_start < p.work_end);
    assert!(p.blocks.iter().all(|b| b.kind == BlockKind::Break), "{p:?}");
    assert!(p.not_today.is_empty());
}

#[tokio::test]
async fn the_demo_day_is_planned_around_its_meetings_without_fetching() {
    let session = Session::start().await;
    let snapshot = session.refresh().await;
    let exchanges_before = exchange_count(&session).await;
    let asked_at = now();
    let p = plan(&session).await;
    assert_sound(&p, asked_at);
    assert_eq!(
        exchange_count(&session).await,
        exchanges_before,
        "the plan reads the store only"
    );

    // Every timed meeting of today is a block (or a reported clash); the declined one
    // never is.
    for meeting in snapshot
        .tasks
        .iter()
        .filter(|t| t.kind == TaskKind::Meeting)
    {
        let (Some(start), Some(end)) = (meeting.signals.starts_at, meeting.signals.ends_at) else {
            continue;
        };
        if end - start >= 23 * 3_600 {
            continue;
        }
        let placed = p
            .blocks
            .iter()
            .any(|b| b.kind == BlockKind::Meeting && b.task.as_ref() == Some(&meeting.id));
        let clash = p.not_today.iter().any(|n| n.task == meeting.id);
        assert!(
            placed ^ clash,
            "{} is on the plan once: {p:#?}",
            meeting.title
        );
    }
    assert!(p.blocks.iter().all(|b| !b.title.contains("Lunch & learn")));
    assert!(p
        .not_today
        .iter()
        .all(|n| !n.title.contains("Lunch & learn")));
    // Every open task is planned or listed, once.
    for task in snapshot
        .tasks
        .iter()
        .filter(|t| !matches!(t.kind, TaskKind::Meeting | TaskKind::Rsvp) && !t.dismissed)
    {
        let blocks = p
            .blocks
            .iter()
            .filter(|b| b.task.as_ref() == Some(&task.id))
            .count();
        let listed = p.not_today.iter().filter(|n| n.task == task.id).count();
        assert_eq!(blocks + listed, 1, "{}: {p:#?}", task.title);
    }
}

async fn exchange_count(session: &Session) -> usize {
    let state = &session.demo.server.state;
    let claims = state
        .auth
        .validate_bearer(&session.token)
        .await
        .expect("a valid session");
    state
        .store
        .list_activity(&claims.sub, 10_000, None)
        .await
        .expect("activity")
        .iter()
        .filter(|e| matches!(e.event, ActivityEvent::Exchange { .. }))
        .count()
}

#[tokio::test]
async fn a_dismissed_task_leaves_the_plan_and_working_hours_come_from_the_config() {
    // Working hours around the clock, so focus blocks exist whenever this runs.
    let session = Session::start_adjusted(|c| {
        c.planning.work_start = ClockTime::new(0, 0).unwrap();
        c.planning.work_end = ClockTime::new(24, 0).unwrap();
        c.planning.breaks.clear();
    })
    .await;
    let snapshot = session.refresh().await;
    let today = Today::at(now(), &session.demo.server.config.time_zone).unwrap();
    let p = plan(&session).await;
    assert_eq!((p.work_start, p.work_end), (today.start, today.end));
    assert!(p.blocks.iter().all(|b| b.kind != BlockKind::Break));
    let mention = snapshot
        .tasks
        .iter()
        .find(|t| t.kind == TaskKind::Mention && t.source == Source::Slack)
        .expect("a Slack mention");
    let on_plan = |p: &DayPlan| {
        p.blocks
            .iter()
            .any(|b| b.task.as_ref() == Some(&mention.id))
            || p.not_today.iter().any(|n| n.task == mention.id)
    };
    assert!(on_plan(&p));
    if today.end - now() > 3 * 3_600 {
        assert!(
            p.blocks.iter().any(|b| b.kind == BlockKind::Focus),
            "{p:#?}"
        );
    }
    let segment: String = url::form_urlencoded::byte_serialize(mention.id.0.as_bytes()).collect();
    let response = session
        .request(Method::POST, &format!("/api/tasks/{segment}/dismiss"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let asked_at = now();
    let p = plan(&session).await;
    assert_sound(&p, asked_at);
    assert!(!on_plan(&p), "the dismissed mention is gone");
}

#[tokio::test]
async fn the_plan_needs_a_session() {
    let session = Session::start().await;
    let response = session
        .demo
        .http
        .get(session.demo.url("/api/plan"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}
