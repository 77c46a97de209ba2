//! The scheduler's rules, one by one, on hand-made days.

use pmt_wire::dayplan::{BlockKind, DayPlan, PlanBlock};
use pmt_wire::{Priority, Task, TaskKind};

use super::settings::{Break, ClockTime, PlanningSettings};
use super::{build, local_clock, local_time, summary};
use crate::sources::Today;
use crate::test_fixtures::task;

/// 2026-11-23 09:30 in Paris (UTC+1): the demo day's "now".
const NOW: i64 = 1_795_422_600;
const MIN: i64 = 60;

fn today_at(now: i64) -> Today {
    Today::at(now, "Europe/Paris").unwrap()
}

fn today() -> Today {
    today_at(NOW)
}

/// `HH:MM` today in Paris.
fn at(h: u16, m: u16) -> i64 {
    local_time(&today(), ClockTime::new(h, m).unwrap())
}

fn meeting(id: &str, start: i64, end: i64, refs: &[&str]) -> Task {
    let mut m = task(id, TaskKind::Meeting, Priority::Medium);
    m.signals.starts_at = Some(start);
    m.signals.ends_at = Some(end);
    m.refs = refs.iter().map(|r| (*r).to_owned()).collect();
    m
}

fn due(mut t: Task, at: i64) -> Task {
    t.signals.due = Some(at);
    t
}

fn block<'p>(plan: &'p DayPlan, title: &str) -> &'p PlanBlock {
    plan.blocks
        .iter()
        .find(|b| b.title == title)
        .unwrap_or_else(|| panic!("no block {title:?} in {:#?}", plan.blocks))
}

fn reason<'p>(plan: &'p DayPlan, title: &str) -> &'p str {
    &plan
        .not_today
        .iter()
        .find(|n| n.title == title)
        .unwrap_or_else(|| panic!("{title:?} is not listed as not today: {plan:#?}"))
        .reason
}

fn assert_no_overlaps(plan: &DayPlan) {
    for pair in plan.blocks.windows(2) {
        assert!(
            pair[0].end <= pair[1].start,
            "{:?} overlaps {:?}",
            pair[0],
            pair[1]
        );
    }
}

fn no_breaks() -> PlanningSettings {
    PlanningSettings {
        breaks: Vec::new(),
        ..PlanningSettings::default()
    }
}

#[test]
fn meetings_are_fixed_and_focus_work_goes_around_them() {
    let tasks = vec![
        meeting("Standup", at(9, 30), at(10, 0), &[]),
        meeting("Design review", at(10, 30), at(11, 30), &[]),
        task("ENG-1", TaskKind::Issue, Priority::High),
        task("Review", TaskKind::Review, Priority::High),
    ];
    let plan = build(&tasks, &today(), &no_breaks());
    assert_no_overlaps(&plan);
    let standup = block(&plan, "Standup");
    assert_eq!(
        (standup.kind, standup.start, standup.end),
        (BlockKind::Meeting, at(9, 30), at(10, 0))
    );
    // The 60-minute issue does not fit 10:00–10:30; the 30-minute review does.
    let review = block(&plan, "Review");
    assert_eq!(
        (review.kind, review.start, review.end),
        (BlockKind::Focus, at(10, 0), at(10, 30))
    );
    let issue = block(&plan, "ENG-1");
    assert_eq!((issue.start, issue.end), (at(11, 30), at(12, 30)));
    assert!(plan.not_today.is_empty());
    assert_eq!((plan.work_start, plan.work_end), (at(9, 0), at(17, 30)));
    assert_eq!(plan.date, "2026-11-23");
}

#[test]
fn prep_comes_right_before_the_meeting_it_prepares() {
    let doc = "gdoc:1BudgetQ3DocAcme00000000000";
    let mut comment = task("Q3 budget draft", TaskKind::DocComment, Priority::Critical);
    comment.refs = vec![doc.to_owned()];
    let mut mail = task("Budget numbers", TaskKind::Email, Priority::Medium);
    mail.refs = vec![doc.to_owned()];
    let tasks = vec![
        meeting(
            "Budget review",
            at(11, 0),
            at(11, 30),
            &[doc, "meeting:budget review"],
        ),
        comment,
        mail,
        task("ENG-1", TaskKind::Issue, Priority::Critical),
    ];
    let plan = build(&tasks, &today(), &no_breaks());
    assert_no_overlaps(&plan);
    let meeting_id = tasks[0].id.clone();
    let prep = block(&plan, "Q3 budget draft");
    assert_eq!(prep.kind, BlockKind::Prep);
    assert_eq!(
        (prep.start, prep.end),
        (at(10, 45), at(11, 0)),
        "ends as the meeting starts"
    );
    assert_eq!(prep.prepares.as_ref(), Some(&meeting_id));
    assert_eq!(prep.note, "prep for Budget review at 11:00");
    let second = block(&plan, "Budget numbers");
    assert_eq!(
        (second.kind, second.start, second.end),
        (BlockKind::Prep, at(10, 30), at(10, 45))
    );
    // Focus work takes the time before the prep, not the prep's place.
    let issue = block(&plan, "ENG-1");
    assert_eq!((issue.start, issue.end), (at(9, 30), at(10, 30)));
}

#[test]
fn prep_without_time_before_its_meeting_is_not_today() {
    let mut comment = task("Slides", TaskKind::DocComment, Priority::High);
    comment.refs = vec!["gdoc:Slides".to_owned()];
    let tasks = vec![
        meeting("Pitch", at(9, 40), at(10, 0), &["gdoc:Slides"]),
        comment,
    ];
    let plan = build(&tasks, &today(), &no_breaks());
    assert!(plan.blocks.iter().all(|b| b.kind != BlockKind::Prep));
    assert_eq!(
        reason(&plan, "Slides"),
        "no free 15 minutes before \u{201c}Pitch\u{201d} at 09:40 to prepare"
    );
}

#[test]
fn prep_for_a_meeting_under_way_is_ordinary_work() {
    let mut comment = task("Slides", TaskKind::DocComment, Priority::High);
    comment.refs = vec!["gdoc:Slides".to_owned()];
    let tasks = vec![
        meeting("Pitch", at(9, 0), at(10, 0), &["gdoc:Slides"]),
        comment,
    ];
    let plan = build(&tasks, &today(), &no_breaks());
    let slides = block(&plan, "Slides");
    assert_eq!((slides.kind, slides.start), (BlockKind::Focus, at(10, 0)));
}

#[test]
fn due_times_are_respected_or_the_task_is_not_today() {
    let tasks = vec![
        meeting("Workshop", at(9, 30), at(10, 30), &[]),
        due(task("ENG-9", TaskKind::Issue, Priority::High), at(11, 0)),
        due(
            task("Review 7", TaskKind::Review, Priority::High),
            at(11, 0),
        ),
        due(task("Later", TaskKind::Issue, Priority::High), at(16, 0)),
    ];
    let plan = build(&tasks, &today(), &no_breaks());
    assert_no_overlaps(&plan);
    assert_eq!(
        reason(&plan, "ENG-9"),
        "no free 60-minute slot before it is due at 11:00"
    );
    let review = block(&plan, "Review 7");
    assert_eq!((review.start, review.end), (at(10, 30), at(11, 0)));
    assert_eq!(review.note, "due 11:00");
    let later = block(&plan, "Later");
    assert!(later.end <= at(16, 0));
}

#[test]
fn overdue_work_is_planned_first_and_says_so() {
    let tasks = vec![
        task("Backlog", TaskKind::Issue, Priority::Low),
        due(
            task("ENG-130", TaskKind::Issue, Priority::Critical),
            NOW - 86_400,
        ),
    ];
    let plan = build(&tasks, &today(), &no_breaks());
    let overdue = block(&plan, "ENG-130");
    assert_eq!(
        (overdue.start, overdue.note.as_str()),
        (at(9, 30), "overdue")
    );
    assert_eq!(block(&plan, "Backlog").start, at(10, 30));
}

#[test]
fn critical_and_due_soon_work_comes_first() {
    let mut low = task("Low", TaskKind::Mention, Priority::Low);
    low.score = 90;
    let tasks = vec![
        low,
        task("High", TaskKind::Mention, Priority::High),
        due(
            task("High due", TaskKind::Mention, Priority::High),
            at(15, 0),
        ),
        task("Critical", TaskKind::Mention, Priority::Critical),
    ];
    let plan = build(&tasks, &today(), &no_breaks());
    let order: Vec<&str> = plan.blocks.iter().map(|b| b.title.as_str()).collect();
    assert_eq!(order, ["Critical", "High due", "High", "Low"]);
}

#[test]
fn what_does_not_fit_is_listed_with_the_reason_most_urgent_first() {
    let settings = PlanningSettings {
        work_start: ClockTime::new(9, 0).unwrap(),
        work_end: ClockTime::new(12, 0).unwrap(),
        ..no_breaks()
    };
    let tasks: Vec<Task> = [
        ("A", Priority::Low),
        ("B", Priority::Critical),
        ("C", Priority::Medium),
        ("D", Priority::High),
        ("E", Priority::High),
    ]
    .iter()
    .map(|(id, p)| task(id, TaskKind::Issue, *p))
    .collect();
    let plan = build(&tasks, &today(), &settings);
    // 09:30–12:00 holds two 60-minute issues.
    let planned: Vec<&str> = plan.blocks.iter().map(|b| b.title.as_str()).collect();
    assert_eq!(planned, ["B", "D"]);
    let listed: Vec<&str> = plan.not_today.iter().map(|n| n.title.as_str()).collect();
    assert_eq!(listed, ["E", "C", "A"]);
    assert!(plan
        .not_today
        .iter()
        .all(|n| n.reason == "no free 60-minute slot left before 12:00"));
}

#[test]
fn after_working_hours_everything_is_not_today() {
    let evening = today_at(NOW + 9 * 3_600); // 18:30
    let tasks = vec![task("ENG-1", TaskKind::Issue, Priority::Critical)];
    let plan = build(&tasks, &evening, &PlanningSettings::default());
    assert!(plan.blocks.iter().all(|b| b.kind == BlockKind::Break));
    assert_eq!(reason(&plan, "ENG-1"), "the working day is over (17:30)");
}

#[test]
fn nothing_is_planned_before_now_rounded_up_to_five_minutes() {
    let later = today_at(NOW + 2 * MIN + 7); // 09:32:07
    let tasks = vec![task("Ping", TaskKind::Mention, Priority::High)];
    let plan = build(&tasks, &later, &no_breaks());
    let ping = block(&plan, "Ping");
    assert_eq!((ping.start, ping.end), (at(9, 35), at(9, 45)));
}

#[test]
fn before_working_hours_work_starts_at_work_start() {
    let early = today_at(NOW - 3 * 3_600); // 06:30
    let tasks = vec![task("Ping", TaskKind::Mention, Priority::High)];
    let plan = build(&tasks, &early, &no_breaks());
    assert_eq!(block(&plan, "Ping").start, at(9, 0));
}

#[test]
fn breaks_are_kept_and_a_meeting_in_one_only_shortens_it() {
    let tasks = vec![
        meeting("Lunch & learn", at(12, 0), at(12, 45), &[]),
        task("ENG-1", TaskKind::Issue, Priority::High),
        task("ENG-2", TaskKind::Issue, Priority::High),
        task("ENG-3", TaskKind::Issue, Priority::High),
    ];
    let plan = build(&tasks, &today(), &PlanningSettings::default());
    assert_no_overlaps(&plan);
    let lunch = block(&plan, "Lunch");
    assert_eq!(
        (lunch.kind, lunch.start, lunch.end),
        (BlockKind::Break, at(12, 45), at(13, 15))
    );
    // 09:30–10:30, 10:30–11:30, then 11:30–12:00 is too short: after lunch.
    assert_eq!(block(&plan, "ENG-3").start, at(13, 15));
}

#[test]
fn a_break_before_now_stays_on_the_plan() {
    let afternoon = today_at(NOW + 5 * 3_600); // 14:30
    let plan = build(&[], &afternoon, &PlanningSettings::default());
    assert_eq!(block(&plan, "Lunch").start, at(12, 30));
}

#[test]
fn dismissed_tasks_are_left_out() {
    let mut gone = task("Old ping", TaskKind::Mention, Priority::Critical);
    gone.dismissed = true;
    let plan = build(&[gone], &today(), &no_breaks());
    assert!(plan.blocks.is_empty());
    assert!(plan.not_today.is_empty());
}

#[test]
fn all_day_entries_are_not_blocks_and_clashing_meetings_are_reported() {
    let mut rsvp = meeting("Vendor call", at(14, 15), at(14, 45), &[]);
    rsvp.kind = TaskKind::Rsvp;
    let tasks = vec![
        meeting("Q4 planning week", today().start, today().end, &[]),
        meeting("1:1", at(14, 0), at(14, 30), &[]),
        rsvp,
        meeting("Planning", at(16, 0), at(17, 0), &[]),
    ];
    let mut unanswered = tasks[3].clone();
    unanswered.kind = TaskKind::Rsvp;
    let plan = build(&tasks, &today(), &no_breaks());
    assert_no_overlaps(&plan);
    assert!(plan.blocks.iter().all(|b| b.title != "Q4 planning week"));
    assert_eq!(block(&plan, "1:1").kind, BlockKind::Meeting);
    assert_eq!(
        reason(&plan, "Vendor call"),
        "overlaps \u{201c}1:1\u{201d} (14:00\u{2013}14:30) in your calendar"
    );
    let plan = build(&[unanswered], &today(), &no_breaks());
    assert_eq!(block(&plan, "Planning").note, "not answered yet");
}

#[test]
fn declined_meetings_never_reach_the_plan() {
    use crate::sources::google_calendar::{normalize, Attendee, Event, EventTime, ResponseStatus};
    use crate::sources::Me;

    let me = Me {
        email: Some("dana@example.com".to_owned()),
        name: None,
    };
    let event = |id: &str, start: &str, end: &str, answer: ResponseStatus| Event {
        id: Some(id.to_owned()),
        summary: Some(id.to_owned()),
        start: Some(EventTime {
            date_time: Some(start.to_owned()),
            ..EventTime::default()
        }),
        end: Some(EventTime {
            date_time: Some(end.to_owned()),
            ..EventTime::default()
        }),
        attendees: vec![Attendee {
            email: Some("dana@example.com".to_owned()),
            response_status: Some(answer),
            ..Attendee::default()
        }],
        ..Event::default()
    };
    let fetched = normalize(
        vec![
            event(
                "Lunch and learn",
                "2026-11-23T12:00:00+01:00",
                "2026-11-23T13:00:00+01:00",
                ResponseStatus::Declined,
            ),
            event(
                "Design review",
                "2026-11-23T11:00:00+01:00",
                "2026-11-23T12:00:00+01:00",
                ResponseStatus::Accepted,
            ),
        ],
        &today(),
        &me,
    );
    let mut tasks = fetched.tasks;
    tasks.push(task("ENG-1", TaskKind::Issue, Priority::High));
    tasks.push(task("ENG-2", TaskKind::Issue, Priority::High));
    let plan = build(&tasks, &today(), &no_breaks());
    assert_eq!(block(&plan, "Design review").kind, BlockKind::Meeting);
    assert!(plan.blocks.iter().all(|b| b.title != "Lunch and learn"));
    assert!(plan.not_today.iter().all(|n| n.title != "Lunch and learn"));
    // 09:30–10:30, then the declined hour is free for work.
    assert_eq!(block(&plan, "ENG-2").start, at(12, 0));
}

#[test]
fn working_hours_follow_the_zone_on_a_daylight_saving_day() {
    // 2026-03-29: Paris moves from UTC+1 to UTC+2 at 02:00.
    let noon_utc = 1_774_785_600; // 2026-03-29T12:00:00Z
    let day = today_at(noon_utc);
    assert_eq!(day.date, "2026-03-29");
    let nine = local_time(&day, ClockTime::new(9, 0).unwrap());
    assert_eq!(nine, 1_774_767_600, "09:00 CEST is 07:00 UTC");
    assert_eq!(local_clock(nine, &day), "09:00");
    assert_eq!(local_time(&day, ClockTime::new(24, 0).unwrap()), day.end);
}

#[test]
fn the_summary_lists_the_rest_of_the_day_and_what_is_left_out() {
    let settings = PlanningSettings {
        work_end: ClockTime::new(11, 0).unwrap(),
        breaks: vec![Break {
            start: ClockTime::new(10, 30).unwrap(),
            end: ClockTime::new(10, 45).unwrap(),
            label: "Coffee".to_owned(),
        }],
        ..PlanningSettings::default()
    };
    let tasks = vec![
        meeting("Standup", at(9, 0), at(9, 15), &[]),
        due(
            task("ENG-7", TaskKind::Issue, Priority::Critical),
            at(15, 0),
        ),
        task("Onboarding copy", TaskKind::Issue, Priority::Low),
    ];
    let plan = build(&tasks, &today(), &settings);
    let text = summary(&plan, &today());
    assert_eq!(
        text,
        "Plan for 2026-11-23 (working hours 09:00\u{2013}11:00):\n\
         (1 earlier block already over)\n\
         09:30\u{2013}10:30  Focus   ENG-7 (due 15:00)\n\
         10:30\u{2013}10:45  Break   Coffee\n\
         Not today (1):\n\
         - Onboarding copy: no free 60-minute slot left before 11:00"
    );
}
