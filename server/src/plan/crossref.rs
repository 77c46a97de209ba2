//! Cross-references: tasks that name the same issue, PR, doc or meeting are linked, and
//! items sharing a doc or title with a meeting today are that meeting's prep.
//!
//! Links are direct, not transitive: two tasks are linked when they share at least one
//! reference key (`plan::refs`). Following chains (A shares a key with B, B with C)
//! would join unrelated work through one popular doc or meeting.

use std::collections::BTreeMap;

use pmt_wire::{Task, TaskId, TaskKind};

use super::scoring::{clock, Contribution, ScoringWeights};
use crate::sources::Today;

/// A document key: sharing the meeting's doc makes a task its prep.
const DOC_PREFIX: &str = "gdoc:";
/// A meeting key: sharing the meeting's title makes an earlier task its prep.
const MEETING_PREFIX: &str = "meeting:";

/// Sets every task's `links` to the ids of the other tasks that share a reference key
/// with it: symmetric, without self-links, sorted by id. Earlier links are replaced.
pub fn link(tasks: &mut [Task]) {
    let mut by_key: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, task) in tasks.iter().enumerate() {
        for key in &task.refs {
            let holders = by_key.entry(key.as_str()).or_default();
            if holders.last() != Some(&index) {
                holders.push(index);
            }
        }
    }
    let mut links: Vec<Vec<TaskId>> = vec![Vec::new(); tasks.len()];
    for holders in by_key.values() {
        for &a in holders {
            for &b in holders {
                if tasks[a].id != tasks[b].id {
                    links[a].push(tasks[b].id.clone());
                }
            }
        }
    }
    for (task, mut ids) in tasks.iter_mut().zip(links) {
        ids.sort();
        ids.dedup();
        task.links = ids;
    }
}

/// A meeting today that has not ended: what prep can be for.
#[derive(Debug)]
struct UpcomingMeeting<'a> {
    id: &'a TaskId,
    title: &'a str,
    starts_at: i64,
    refs: &'a [String],
}

/// The contributions to each task's score that depend on other tasks (call after
/// [`link`]): being linked (not counted for meetings) and being prep for a meeting
/// today. One entry per task, in the same order.
pub fn contributions(tasks: &[Task], today: &Today, w: &ScoringWeights) -> Vec<Vec<Contribution>> {
    let meetings = upcoming_meetings(tasks, today);
    tasks
        .iter()
        .map(|task| {
            let mut parts = Vec::new();
            if !is_meeting(task.kind) {
                if let Some(m) = prep_for(task, &meetings) {
                    let points = if m.starts_at - today.now <= 3_600 {
                        w.prep_for_meeting_within_hour
                    } else {
                        w.prep_for_meeting
                    };
                    parts.push(Contribution::new(
                        points,
                        format!("prep for {} at {}", m.title, clock(m.starts_at, today)),
                    ));
                }
            }
            let n = task.links.len();
            if n > 0 && !is_meeting(task.kind) {
                let noun = if n == 1 { "task" } else { "tasks" };
                parts.push(Contribution::new(w.linked, format!("linked to {n} {noun}")));
            }
            parts
        })
        .collect()
}

/// For each task, the meeting today (not ended) it is prep for, by the same rule that
/// scores prep: the soonest such meeting, or `None`. Meetings are prep for nothing.
/// One entry per task, in the same order (the day plan puts prep blocks before these
/// meetings).
pub fn prep_targets(tasks: &[Task], today: &Today) -> Vec<Option<TaskId>> {
    let meetings = upcoming_meetings(tasks, today);
    tasks
        .iter()
        .map(|task| {
            if is_meeting(task.kind) {
                return None;
            }
            prep_for(task, &meetings).map(|m| m.id.clone())
        })
        .collect()
}

fn is_meeting(kind: TaskKind) -> bool {
    matches!(kind, TaskKind::Meeting | TaskKind::Rsvp)
}

/// Today's timed meetings that have not ended, soonest first.
fn upcoming_meetings<'a>(tasks: &'a [Task], today: &Today) -> Vec<UpcomingMeeting<'a>> {
    let mut meetings: Vec<UpcomingMeeting<'a>> = tasks
        .iter()
        .filter(|t| is_meeting(t.kind))
        .filter_map(|t| {
            let start = t.signals.starts_at?;
            let end = t.signals.ends_at.unwrap_or(start);
            let all_day = end - start >= 23 * 3_600;
            let today_and_not_over =
                start >= today.start && start < today.end && end.max(start) > today.now;
            (today_and_not_over && !all_day).then_some(UpcomingMeeting {
                id: &t.id,
                title: &t.title,
                starts_at: start,
                refs: &t.refs,
            })
        })
        .collect();
    meetings.sort_by_key(|m| m.starts_at);
    meetings
}

/// The soonest meeting `task` prepares: it shares the meeting's doc, or the meeting's
/// title while dating from before the meeting (an action item from an earlier
/// meeting of the series, not one from this meeting's own notes).
fn prep_for<'m, 'a>(
    task: &Task,
    meetings: &'m [UpcomingMeeting<'a>],
) -> Option<&'m UpcomingMeeting<'a>> {
    let before =
        |m: &UpcomingMeeting<'_>| task.signals.updated_at.is_none_or(|at| at < m.starts_at);
    meetings.iter().find(|m| {
        task.refs.iter().any(|key| {
            m.refs.contains(key)
                && (key.starts_with(DOC_PREFIX) || key.starts_with(MEETING_PREFIX) && before(m))
        })
    })
}

#[cfg(test)]
mod tests {
    use pmt_wire::Source;

    use super::*;

    fn task(source: Source, id: &str, kind: TaskKind, refs: &[&str]) -> Task {
        Task {
            refs: refs.iter().map(|r| (*r).to_owned()).collect(),
            ..Task::new(source, id, kind, id)
        }
    }

    fn ids(task: &Task) -> Vec<&str> {
        task.links.iter().map(TaskId::as_str).collect()
    }

    fn eng_142_family() -> Vec<Task> {
        vec![
            task(
                Source::Slack,
                "C1-1700000000.000100",
                TaskKind::Mention,
                &["github:acme/api#1347", "linear:ENG-142"],
            ),
            task(
                Source::Linear,
                "ENG-142",
                TaskKind::Issue,
                &["linear:ENG-142"],
            ),
            task(
                Source::Github,
                "acme/api#1347",
                TaskKind::Review,
                &["github:acme/api#1347", "linear:ENG-142"],
            ),
            task(Source::Slack, "lunch", TaskKind::Mention, &[]),
        ]
    }

    #[test]
    fn slack_linear_and_github_name_the_same_issue() {
        let mut tasks = eng_142_family();
        link(&mut tasks);
        assert_eq!(
            ids(&tasks[0]),
            ["github:acme/api#1347", "linear:ENG-142"],
            "Slack links the PR and the issue"
        );
        assert_eq!(
            ids(&tasks[1]),
            ["github:acme/api#1347", "slack:C1-1700000000.000100"]
        );
        assert_eq!(
            ids(&tasks[2]),
            ["linear:ENG-142", "slack:C1-1700000000.000100"]
        );
    }

    #[test]
    fn links_follow_shared_keys_only_not_chains() {
        let mut tasks = vec![
            task(
                Source::Gmail,
                "a",
                TaskKind::Email,
                &["gdoc:1BudgetQ3DocAcme00000000000"],
            ),
            task(
                Source::Slack,
                "b",
                TaskKind::Mention,
                &["gdoc:1BudgetQ3DocAcme00000000000", "linear:ENG-130"],
            ),
            task(Source::Linear, "c", TaskKind::Issue, &["linear:ENG-130"]),
        ];
        link(&mut tasks);
        assert_eq!(ids(&tasks[0]), ["slack:b"]);
        assert_eq!(ids(&tasks[1]), ["gmail:a", "linear:c"]);
        assert_eq!(ids(&tasks[2]), ["slack:b"]);
    }

    #[test]
    fn no_self_links_even_with_repeated_keys() {
        let mut tasks = vec![task(
            Source::Linear,
            "ENG-142",
            TaskKind::Issue,
            &["linear:ENG-142", "linear:ENG-142"],
        )];
        link(&mut tasks);
        assert!(tasks[0].links.is_empty());
    }

    #[test]
    fn a_task_without_refs_has_no_links() {
        let mut tasks = eng_142_family();
        link(&mut tasks);
        assert!(tasks[3].links.is_empty());
        assert!(tasks.iter().all(|t| !t.links.contains(&tasks[3].id)));
    }

    #[test]
    fn linking_is_symmetric_and_replaces_old_links() {
        let mut tasks = eng_142_family();
        tasks[3].links = vec![TaskId("stale:link".to_owned())];
        link(&mut tasks);
        for a in &tasks {
            for b in &a.links {
                let other = tasks.iter().find(|t| &t.id == b).unwrap();
                assert!(other.links.contains(&a.id), "{} -> {} one-way", a.id.0, b.0);
            }
        }
        assert!(tasks[3].links.is_empty());
    }

    fn today() -> Today {
        Today::at(1_795_422_600, "Europe/Paris").unwrap()
    }

    fn meeting(title: &str, start: i64, refs: &[&str]) -> Task {
        let mut m = task(Source::GoogleCalendar, title, TaskKind::Meeting, refs);
        m.signals.starts_at = Some(start);
        m.signals.ends_at = Some(start + 1_800);
        m
    }

    #[test]
    fn a_doc_shared_with_a_meeting_soon_is_its_prep() {
        let t = today();
        let w = ScoringWeights::default();
        let doc = "gdoc:1BudgetQ3DocAcme00000000000";
        let mut tasks = vec![
            meeting(
                "Budget review",
                t.now + 40 * 60,
                &[doc, "meeting:budget review"],
            ),
            task(Source::GoogleDrive, "comment", TaskKind::DocComment, &[doc]),
            task(Source::Slack, "lunch", TaskKind::Mention, &[]),
        ];
        link(&mut tasks);
        let parts = contributions(&tasks, &t, &w);
        assert_eq!(
            parts[1],
            vec![
                Contribution::new(
                    w.prep_for_meeting_within_hour,
                    "prep for Budget review at 10:10"
                ),
                Contribution::new(w.linked, "linked to 1 task"),
            ]
        );
        assert!(
            parts[0].is_empty(),
            "a meeting's urgency is its time, not its links"
        );
        assert!(parts[2].is_empty());
    }

    #[test]
    fn prep_targets_name_the_meeting_each_task_prepares() {
        let t = today();
        let doc = "gdoc:1BudgetQ3DocAcme00000000000";
        let tasks = vec![
            meeting("Budget review", t.now + 40 * 60, &[doc]),
            task(Source::GoogleDrive, "comment", TaskKind::DocComment, &[doc]),
            task(Source::Slack, "lunch", TaskKind::Mention, &[]),
        ];
        let targets = prep_targets(&tasks, &t);
        assert_eq!(targets, vec![None, Some(tasks[0].id.clone()), None]);
    }

    #[test]
    fn an_action_item_from_the_meetings_own_notes_is_not_its_prep() {
        let t = today();
        let w = ScoringWeights::default();
        let start = t.now + 3 * 3_600;
        let mut from_last_week = task(
            Source::Granola,
            "old",
            TaskKind::MeetingNoteItem,
            &["meeting:weekly planning"],
        );
        from_last_week.signals.updated_at = Some(t.now - 7 * 86_400);
        let mut from_today = task(
            Source::Granola,
            "new",
            TaskKind::MeetingNoteItem,
            &["meeting:weekly planning"],
        );
        from_today.signals.updated_at = Some(start + 600);
        let mut tasks = vec![
            meeting("Weekly planning", start, &["meeting:weekly planning"]),
            from_last_week,
            from_today,
        ];
        link(&mut tasks);
        let parts = contributions(&tasks, &t, &w);
        assert!(
            parts[1][0].why.starts_with("prep for Weekly planning"),
            "{:?}",
            parts[1]
        );
        assert!(
            parts[2].iter().all(|p| !p.why.starts_with("prep")),
            "{:?}",
            parts[2]
        );
    }

    #[test]
    fn prep_for_a_later_meeting_weighs_less_and_an_ended_one_not_at_all() {
        let t = today();
        let w = ScoringWeights::default();
        let mut tasks = vec![
            meeting(
                "Weekly planning",
                t.start + 16 * 3_600,
                &["meeting:weekly planning"],
            ),
            meeting(
                "Sync v2 standup",
                t.start + 9 * 3_600,
                &["meeting:sync v2 standup"],
            ),
            task(
                Source::Granola,
                "okrs",
                TaskKind::MeetingNoteItem,
                &["meeting:weekly planning"],
            ),
            task(
                Source::Granola,
                "eng",
                TaskKind::MeetingNoteItem,
                &["meeting:sync v2 standup"],
            ),
        ];
        link(&mut tasks);
        let parts = contributions(&tasks, &t, &w);
        assert_eq!(
            parts[2][0],
            Contribution::new(w.prep_for_meeting, "prep for Weekly planning at 16:00")
        );
        assert_eq!(
            parts[3],
            vec![Contribution::new(w.linked, "linked to 1 task")]
        );
    }
}
