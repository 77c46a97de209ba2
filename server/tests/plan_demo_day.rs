//! The default scoring weights on the real demo day (real server, real sign-in, the
//! seven simulators): what must come out critical, high and low.

use crate::refresh_support;

use pmt_server::sources::Today;
use pmt_wire::{Priority, Snapshot, Source, Task};
use refresh_support::Session;

fn find<'a>(snapshot: &'a Snapshot, source: Source, title: &str) -> &'a Task {
    snapshot
        .tasks
        .iter()
        .find(|t| t.source == source && t.title.contains(title))
        .unwrap_or_else(|| panic!("no {source:?} task titled {title:?}"))
}

fn level(snapshot: &Snapshot, source: Source, title: &str) -> Priority {
    find(snapshot, source, title).priority
}

#[tokio::test]
async fn the_demo_day_is_prioritized_the_way_dana_would() {
    let session = Session::start().await;
    let s = session.refresh().await;
    let today = Today::at(s.generated_at, &session.demo.server.config.time_zone)
        .unwrap_or_else(|_| Today::utc(s.generated_at));

    // Overdue and urgent: do it now.
    let eng130 = find(&s, Source::Linear, "Migrate billing webhooks to v2");
    assert_eq!(eng130.priority, Priority::Critical, "{:?}", eng130.why);
    assert_eq!(eng130.why[0], "overdue by 1 day");

    // Due today with a high source priority, and the review waiting on it: today, soon.
    let eng142 = find(&s, Source::Linear, "Fix token refresh race");
    assert_eq!(eng142.priority, Priority::High, "{:?}", eng142.why);
    let review = find(&s, Source::Github, "ENG-142: fix token refresh race");
    assert_eq!(review.priority, Priority::High, "{:?}", review.why);
    assert!(review.why.contains(&"review requested".to_owned()));
    assert!(
        review.links.contains(&eng142.id),
        "the PR and the issue are linked"
    );

    // Noise.
    assert_eq!(
        level(&s, Source::Linear, "Investigate flaky CI on main"),
        Priority::Low
    );
    assert_eq!(
        level(&s, Source::Linear, "Update onboarding copy"),
        Priority::Low
    );
    assert_eq!(level(&s, Source::Slack, "Lunch?"), Priority::Low);

    // The meeting 40 minutes from now and its prep (unless that crosses midnight, when
    // the meeting is tomorrow's).
    if today.now + 3_600 < today.end {
        let meeting = find(&s, Source::GoogleCalendar, "Budget review");
        assert_eq!(meeting.priority, Priority::Critical, "{:?}", meeting.why);
        assert!(
            meeting.why[0].starts_with("meeting in "),
            "{:?}",
            meeting.why
        );
        let comment = find(&s, Source::GoogleDrive, "Q3 budget draft");
        assert_eq!(comment.priority, Priority::Critical, "{:?}", comment.why);
        assert!(
            comment.why[0].starts_with("prep for Budget review at "),
            "{:?}",
            comment.why
        );
    }

    // Every level is used: the list is not all one colour.
    for p in Priority::ALL {
        assert!(s.tasks.iter().any(|t| t.priority == p), "no {p:?} task");
    }
}
