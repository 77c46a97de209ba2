//! The snapshot: every source's tasks and the user's ad-hoc tasks, scored,
//! cross-referenced, with the user's decisions applied, in the order the list shows.
//!
//! Decisions apply on read: the store keeps the fetched snapshot without them
//! ([`without_decisions`]), and every read runs [`assemble`] on it with the current
//! decisions and ad-hoc tasks, so a dismiss made after a refresh shows at once and
//! survives the next refresh. Scores are recomputed on read too, because "meeting in
//! 35 min" is only true for a few minutes. Pure.

use std::collections::{HashMap, HashSet};

use pmt_wire::{
    AdHocTask, Priority, Signals, Snapshot, Source, SourceStatus, Task, TaskId, TaskKind,
};

use super::scoring::{score_with, ScoringWeights};
use super::{crossref, refs};
use crate::sources::Today;

/// The longest ad-hoc notes excerpt shown as a snippet, in characters.
const SNIPPET_CHARS: usize = 280;

/// The user's local decisions about tasks, keyed by task id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decisions {
    /// Tasks hidden by the user (only dismissible kinds are honoured).
    pub dismissed: HashSet<TaskId>,
    /// Levels the user chose instead of the computed ones.
    pub overrides: HashMap<TaskId, Priority>,
}

/// Builds the snapshot of a refresh: `fetched` holds each source's status and tasks.
///
/// Tasks with an id already seen are dropped (the first one wins), then the result
/// goes through [`assemble`].
pub fn build(
    fetched: Vec<(SourceStatus, Vec<Task>)>,
    adhoc: &[AdHocTask],
    decisions: &Decisions,
    today: &Today,
    w: &ScoringWeights,
    generated_at: i64,
) -> Snapshot {
    let mut sources = Vec::with_capacity(fetched.len());
    let mut tasks = Vec::new();
    let mut seen = HashSet::new();
    for (status, source_tasks) in fetched {
        sources.push(status);
        tasks.extend(
            source_tasks
                .into_iter()
                .filter(|t| seen.insert(t.id.clone())),
        );
    }
    assemble(
        Snapshot {
            generated_at,
            tasks,
            sources,
        },
        adhoc,
        decisions,
        today,
        w,
    )
}

/// What the user sees: a fetched (stored) snapshot plus the current ad-hoc tasks, each
/// task scored for `today`, linked, with `decisions` applied and sorted.
///
/// Any ad-hoc task already in `snapshot` is replaced by `adhoc`, the current list. An
/// ad-hoc task's own priority acts as an override unless `decisions` holds one.
pub fn assemble(
    mut snapshot: Snapshot,
    adhoc: &[AdHocTask],
    decisions: &Decisions,
    today: &Today,
    w: &ScoringWeights,
) -> Snapshot {
    snapshot.tasks.retain(|t| t.source != Source::AdHoc);
    snapshot.tasks.extend(adhoc.iter().map(adhoc_task));
    crossref::link(&mut snapshot.tasks);
    let extras = crossref::contributions(&snapshot.tasks, today, w);
    for (task, extra) in snapshot.tasks.iter_mut().zip(extras) {
        let scored = score_with(task, today, w, extra);
        task.score = scored.score;
        task.computed_priority = scored.priority;
        task.why = scored.why;
    }
    let mut decisions = decisions.clone();
    for a in adhoc {
        if let Some(p) = a.priority {
            decisions
                .overrides
                .entry(TaskId::new(Source::AdHoc, &a.id))
                .or_insert(p);
        }
    }
    apply_decisions(&mut snapshot, &decisions);
    snapshot
}

/// Applies decisions to a snapshot and re-sorts it; idempotent.
///
/// Every task's shown level becomes its override, if any, else its computed level; a
/// dismissal counts only for dismissible kinds. Order: shown level (critical first),
/// then score (highest first), then time (the earliest meeting start or due date
/// first, undated last), then id.
pub fn apply_decisions(snapshot: &mut Snapshot, decisions: &Decisions) {
    for task in &mut snapshot.tasks {
        let chosen = decisions.overrides.get(&task.id).copied();
        task.priority_override = chosen;
        task.priority = chosen.unwrap_or(task.computed_priority);
        task.dismissed = task.dismissible && decisions.dismissed.contains(&task.id);
    }
    snapshot.tasks.sort_by(|a, b| {
        a.priority
            .cmp(&b.priority)
            .then(b.score.cmp(&a.score))
            .then(time_key(a).cmp(&time_key(b)))
            .then(a.id.cmp(&b.id))
    });
}

/// The snapshot as the store keeps it: decisions cleared, each task at its computed
/// level.
pub fn without_decisions(mut snapshot: Snapshot) -> Snapshot {
    for task in &mut snapshot.tasks {
        task.priority = task.computed_priority;
        task.priority_override = None;
        task.dismissed = false;
    }
    snapshot
}

/// Sorts dated tasks first, earliest first.
fn time_key(task: &Task) -> (bool, i64) {
    match task.signals.starts_at.or(task.signals.due) {
        Some(at) => (false, at),
        None => (true, 0),
    }
}

/// An ad-hoc task as a list task (not yet scored).
pub fn adhoc_task(a: &AdHocTask) -> Task {
    let mut text = a.title.clone();
    if let Some(notes) = &a.notes {
        text.push('\n');
        text.push_str(notes);
    }
    Task {
        snippet: a
            .notes
            .as_ref()
            .map(|n| n.chars().take(SNIPPET_CHARS).collect()),
        signals: Signals {
            due: a.due,
            updated_at: Some(a.updated_at),
            ..Signals::default()
        },
        refs: refs::extract(&text),
        ..Task::new(Source::AdHoc, &a.id, TaskKind::AdHoc, a.title.clone())
    }
}

#[cfg(test)]
mod tests {
    use pmt_wire::SourceState;

    use super::*;

    const NOW: i64 = 1_795_422_600;

    fn today() -> Today {
        Today::at(NOW, "Europe/Paris").unwrap()
    }

    fn status(source: Source, count: usize) -> SourceStatus {
        SourceStatus {
            source,
            state: SourceState::Ok { count, skipped: 0 },
            duration_ms: 5,
            fetched_at: NOW,
        }
    }

    fn task(source: Source, id: &str, kind: TaskKind, signals: Signals, refs: &[&str]) -> Task {
        Task {
            signals,
            refs: refs.iter().map(|r| (*r).to_owned()).collect(),
            ..Task::new(source, id, kind, id)
        }
    }

    /// A slice of the demo day: ENG-130 overdue, ENG-142 due today and its PR, the
    /// budget review in 40 minutes and its doc comment, the lunch ping, ENG-99.
    fn demo_fetch(t: &Today) -> Vec<(SourceStatus, Vec<Task>)> {
        let doc = "gdoc:1BudgetQ3DocAcme00000000000";
        let linear = vec![
            task(
                Source::Linear,
                "ENG-130",
                TaskKind::Issue,
                Signals {
                    due: Some(t.start),
                    source_priority: Some(1),
                    waiting_on_me: true,
                    ..Signals::default()
                },
                &["linear:ENG-130"],
            ),
            task(
                Source::Linear,
                "ENG-142",
                TaskKind::Issue,
                Signals {
                    due: Some(t.end),
                    source_priority: Some(2),
                    waiting_on_me: true,
                    ..Signals::default()
                },
                &["linear:ENG-142"],
            ),
            task(
                Source::Linear,
                "ENG-99",
                TaskKind::Issue,
                Signals::default(),
                &["linear:ENG-99"],
            ),
        ];
        let github = vec![task(
            Source::Github,
            "acme/api#1347",
            TaskKind::Review,
            Signals {
                waiting_on_me: true,
                ..Signals::default()
            },
            &["github:acme/api#1347", "linear:ENG-142"],
        )];
        let mut budget = task(
            Source::GoogleCalendar,
            "budget",
            TaskKind::Meeting,
            Signals {
                starts_at: Some(t.now + 40 * 60),
                ends_at: Some(t.now + 70 * 60),
                ..Signals::default()
            },
            &[doc, "meeting:budget review"],
        );
        budget.title = "Budget review".to_owned();
        let calendar = vec![budget];
        let drive = vec![task(
            Source::GoogleDrive,
            "comment-1",
            TaskKind::DocComment,
            Signals {
                waiting_on_me: true,
                ..Signals::default()
            },
            &[doc],
        )];
        let slack = vec![task(
            Source::Slack,
            "lunch",
            TaskKind::Mention,
            Signals {
                direct_mention: true,
                ..Signals::default()
            },
            &[],
        )];
        vec![
            (status(Source::Linear, 3), linear),
            (status(Source::Github, 1), github),
            (status(Source::GoogleCalendar, 1), calendar),
            (status(Source::GoogleDrive, 1), drive),
            (status(Source::Slack, 1), slack),
        ]
    }

    fn get<'a>(s: &'a Snapshot, id: &str) -> &'a Task {
        s.tasks.iter().find(|t| t.id.0 == id).unwrap()
    }

    #[test]
    fn the_demo_day_lands_where_it_should() {
        let t = today();
        let s = build(
            demo_fetch(&t),
            &[],
            &Decisions::default(),
            &t,
            &ScoringWeights::default(),
            NOW,
        );
        let level = |id| get(&s, id).priority;
        assert_eq!(level("linear:ENG-130"), Priority::Critical);
        assert_eq!(level("google_calendar:budget"), Priority::Critical);
        assert_eq!(level("google_drive:comment-1"), Priority::Critical);
        assert_eq!(level("linear:ENG-142"), Priority::High);
        assert_eq!(level("github:acme/api#1347"), Priority::High);
        assert_eq!(level("slack:lunch"), Priority::Low);
        assert_eq!(level("linear:ENG-99"), Priority::Low);
        assert_eq!(
            get(&s, "google_drive:comment-1").why[0],
            "prep for Budget review at 10:10"
        );
        assert_eq!(s.sources.len(), 5);
        assert_eq!(s.generated_at, NOW);
    }

    #[test]
    fn sorted_by_level_then_score_then_time() {
        let t = today();
        let s = build(
            demo_fetch(&t),
            &[],
            &Decisions::default(),
            &t,
            &ScoringWeights::default(),
            NOW,
        );
        for pair in s.tasks.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            assert!(
                a.priority < b.priority || a.priority == b.priority && a.score >= b.score,
                "{} before {}",
                a.id.0,
                b.id.0
            );
        }
    }

    #[test]
    fn override_and_dismissal_apply_and_can_be_undone() {
        let t = today();
        let w = ScoringWeights::default();
        let mut decisions = Decisions::default();
        decisions
            .overrides
            .insert(TaskId("linear:ENG-99".to_owned()), Priority::Critical);
        decisions.dismissed.insert(TaskId("slack:lunch".to_owned()));
        // A Linear issue cannot be dismissed here, whatever the store says.
        decisions
            .dismissed
            .insert(TaskId("linear:ENG-142".to_owned()));
        let mut s = build(demo_fetch(&t), &[], &decisions, &t, &w, NOW);
        let eng99 = get(&s, "linear:ENG-99");
        assert_eq!(eng99.priority, Priority::Critical);
        assert_eq!(eng99.computed_priority, Priority::Low);
        assert_eq!(eng99.priority_override, Some(Priority::Critical));
        assert!(get(&s, "slack:lunch").dismissed);
        assert!(!get(&s, "linear:ENG-142").dismissed);

        apply_decisions(&mut s, &Decisions::default());
        let eng99 = get(&s, "linear:ENG-99");
        assert_eq!(
            (eng99.priority, eng99.priority_override),
            (Priority::Low, None)
        );
        assert!(!get(&s, "slack:lunch").dismissed);
        assert_eq!(s.tasks.last().unwrap().priority, Priority::Low);
    }

    #[test]
    fn stored_snapshot_plus_decisions_on_read_equals_the_built_one() {
        let t = today();
        let w = ScoringWeights::default();
        let mut decisions = Decisions::default();
        decisions
            .overrides
            .insert(TaskId("linear:ENG-130".to_owned()), Priority::Low);
        let built = build(demo_fetch(&t), &[], &decisions, &t, &w, NOW);
        let stored = without_decisions(built.clone());
        assert!(stored.tasks.iter().all(|t| t.priority_override.is_none()));
        assert_eq!(assemble(stored, &[], &decisions, &t, &w), built);
    }

    #[test]
    fn adhoc_tasks_are_scored_and_their_priority_acts_as_an_override() {
        let t = today();
        let w = ScoringWeights::default();
        let mine = [
            AdHocTask {
                id: "a1".to_owned(),
                title: "Book train for ENG-142 offsite".to_owned(),
                due: Some(t.end),
                priority: None,
                notes: Some("n".to_owned()),
                created_at: NOW,
                updated_at: NOW,
            },
            AdHocTask {
                id: "a2".to_owned(),
                title: "Water plants".to_owned(),
                due: None,
                priority: Some(Priority::Critical),
                notes: None,
                created_at: NOW,
                updated_at: NOW,
            },
        ];
        let s = build(demo_fetch(&t), &mine, &Decisions::default(), &t, &w, NOW);
        let a1 = get(&s, "ad_hoc:a1");
        assert_eq!((a1.source, a1.kind), (Source::AdHoc, TaskKind::AdHoc));
        assert!(a1.dismissible);
        assert_eq!(a1.why[0], "due today");
        assert!(
            a1.links.contains(&TaskId("linear:ENG-142".to_owned())),
            "ad-hoc tasks link too"
        );
        let a2 = get(&s, "ad_hoc:a2");
        assert_eq!(a2.computed_priority, Priority::Medium);
        assert_eq!(a2.priority, Priority::Critical);

        // The next read with the ad-hoc list emptied drops them.
        let again = assemble(s, &[], &Decisions::default(), &t, &w);
        assert!(again.tasks.iter().all(|t| t.source != Source::AdHoc));
    }

    #[test]
    fn a_duplicate_id_across_fetches_is_kept_once() {
        let t = today();
        let mut fetched = demo_fetch(&t);
        let dup = fetched[0].1[0].clone();
        fetched[1].1.push(dup);
        let s = build(
            fetched,
            &[],
            &Decisions::default(),
            &t,
            &ScoringWeights::default(),
            NOW,
        );
        assert_eq!(
            s.tasks
                .iter()
                .filter(|x| x.id.0 == "linear:ENG-130")
                .count(),
            1
        );
    }
}
