//! A snapshot indexed for instant search, and the groups a [`ViewState`] shows.
//!
//! Lower-cased search text and the four sort orders are built once per snapshot (or
//! when a task changes), never per keystroke: [`Board::visible`] over 10,000 tasks is
//! then one pass of substring scans in a ready order.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use pmt_wire::{Priority, Snapshot, Source, SourceState, SourceStatus, Task, TaskId, TaskKind};

use super::names::{priority_key, ALL_KINDS};
use super::view_state::{all_sources, SortBy, View, ViewState};

/// What a group collects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GroupKey {
    /// One priority level (priority view).
    Priority(Priority),
    /// One source (source view).
    Source(Source),
}

impl GroupKey {
    /// The stable id used in `data-group`: `critical`, `source:linear`.
    pub fn id(self) -> String {
        match self {
            GroupKey::Priority(p) => priority_key(p).to_owned(),
            GroupKey::Source(s) => format!("source:{}", s.as_str()),
        }
    }

    /// The heading.
    pub fn label(self) -> &'static str {
        match self {
            GroupKey::Priority(p) => p.label(),
            GroupKey::Source(s) => s.label(),
        }
    }
}

/// One group: its key and the indices (into [`Board::task`]) of its tasks, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// What it collects.
    pub key: GroupKey,
    /// Tasks in display order.
    pub tasks: Vec<usize>,
}

/// What the dashboard shows for one [`ViewState`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Groups {
    /// Groups in display order (empty groups included: their heading says 0).
    pub groups: Vec<Group>,
    /// Tasks shown in all groups.
    pub shown: usize,
    /// Dismissed tasks that would match but are hidden ("show dismissed" is off).
    pub hidden_dismissed: usize,
}

impl Groups {
    /// The group with this key, if shown.
    pub fn group(&self, key: GroupKey) -> Option<&Group> {
        self.groups.iter().find(|g| g.key == key)
    }

    /// Whether both are groups of the same view (priority or source); groups with no
    /// group at all belong to any view.
    pub fn same_view(&self, other: &Groups) -> bool {
        match (self.groups.first(), other.groups.first()) {
            (Some(a), Some(b)) => std::mem::discriminant(&a.key) == std::mem::discriminant(&b.key),
            _ => true,
        }
    }
}

/// A snapshot plus what makes it fast to search, and a revision per task so views
/// can tell which cards changed.
#[derive(Clone, Debug, Default)]
pub struct Board {
    snapshot: Snapshot,
    /// Every task's lower-cased search text, one after another, each ended by a NUL
    /// (which no search word contains, so no match spans two tasks).
    corpus: String,
    /// Where each task's text starts in `corpus`.
    starts: Vec<usize>,
    revisions: Vec<u64>,
    next_revision: u64,
    by_id: BTreeMap<TaskId, usize>,
    sources_present: Vec<Source>,
    kinds_present: Vec<TaskKind>,
    /// Task indices in each [`SortBy::ALL`] order, sorted once per snapshot (and
    /// when a task's sort keys change), never per keystroke.
    orders: Vec<Vec<usize>>,
}

/// Task id → position. Built by inserting (not `collect`, which would sort first and
/// add a second sort routine to the bundle).
fn index_ids(tasks: &[Task]) -> BTreeMap<TaskId, usize> {
    let mut map = BTreeMap::new();
    for (i, t) in tasks.iter().enumerate() {
        map.insert(t.id.clone(), i);
    }
    map
}

/// Lower-cased title, snippet, source name and people: what search looks at.
fn haystack(t: &Task) -> String {
    let mut h = String::with_capacity(t.title.len() + 64);
    h.push_str(&t.title);
    h.push('\n');
    if let Some(s) = &t.snippet {
        h.push_str(s);
        h.push('\n');
    }
    h.push_str(t.source.label());
    for p in &t.people {
        h.push('\n');
        h.push_str(&p.name);
        if let Some(handle) = &p.handle {
            h.push(' ');
            h.push_str(handle);
        }
    }
    super::lower(&h)
}

impl Board {
    /// Indexes a snapshot.
    pub fn new(snapshot: Snapshot) -> Board {
        Board::default().successor(snapshot)
    }

    /// Indexes a newer snapshot; tasks that did not change keep their revision, so
    /// their cards (and the keyboard focus on them) stay put.
    pub fn successor(&self, snapshot: Snapshot) -> Board {
        let mut next_revision = self.next_revision;
        let revisions = snapshot
            .tasks
            .iter()
            .map(|t| match self.index_of(&t.id) {
                Some(i) if self.snapshot.tasks[i] == *t => self.revisions[i],
                _ => {
                    next_revision += 1;
                    next_revision
                }
            })
            .collect();
        let mut board = Board {
            corpus: String::new(),
            starts: Vec::new(),
            by_id: index_ids(&snapshot.tasks),
            snapshot,
            revisions,
            next_revision,
            sources_present: Vec::new(),
            kinds_present: Vec::new(),
            orders: Vec::new(),
        };
        board.reindex();
        board.recount();
        board.reorder();
        board
    }

    fn recount(&mut self) {
        let tasks = &self.snapshot.tasks;
        let statuses = &self.snapshot.sources;
        self.sources_present = all_sources()
            .into_iter()
            .filter(|s| {
                statuses
                    .iter()
                    .any(|st| st.source == *s && st.state != SourceState::Disabled)
                    || tasks.iter().any(|t| t.source == *s)
            })
            .collect();
        self.kinds_present = ALL_KINDS
            .into_iter()
            .filter(|k| tasks.iter().any(|t| t.kind == *k))
            .collect();
    }

    /// Rebuilds the search text of every task.
    fn reindex(&mut self) {
        self.corpus.clear();
        self.starts.clear();
        for t in &self.snapshot.tasks {
            self.starts.push(self.corpus.len());
            self.corpus.push_str(&haystack(t));
            self.corpus.push('\0');
        }
    }

    /// Where task `i`'s text ends in `corpus` (just after its NUL).
    fn end_of(&self, i: usize) -> usize {
        self.starts.get(i + 1).copied().unwrap_or(self.corpus.len())
    }

    /// The search text of task `i` (without its NUL).
    fn text_of(&self, i: usize) -> &str {
        &self.corpus[self.starts[i]..self.end_of(i) - 1]
    }

    /// Which tasks contain every word: one scan of the corpus for the first word,
    /// then a check of just those tasks for the others. `None` when there are no
    /// words (everything matches).
    fn search(&self, words: &[&str]) -> Option<Vec<bool>> {
        let (first, rest) = words.split_first()?;
        let mut hits = vec![false; self.starts.len()];
        let mut from = 0;
        while let Some(p) = self.corpus.get(from..).and_then(|c| c.find(first)) {
            let at = from + p;
            let i = self.starts.partition_point(|&s| s <= at) - 1;
            hits[i] = rest.iter().all(|w| self.text_of(i).contains(w));
            from = self.end_of(i);
        }
        Some(hits)
    }

    fn reorder(&mut self) {
        let tasks = &self.snapshot.tasks;
        self.orders = SortBy::ALL
            .into_iter()
            .map(|sort| {
                let mut order: Vec<usize> = (0..tasks.len()).collect();
                order.sort_unstable_by(|&a, &b| compare(&tasks[a], &tasks[b], sort));
                order
            })
            .collect();
    }

    /// Replaces one task (after a decision); returns whether it was on the board.
    pub fn replace_task(&mut self, task: Task) -> bool {
        let Some(i) = self.index_of(&task.id) else {
            return false;
        };
        let end = self.end_of(i);
        let text = haystack(&task);
        let delta = text.len() as isize - (end - 1 - self.starts[i]) as isize;
        self.corpus.replace_range(self.starts[i]..end - 1, &text);
        for s in &mut self.starts[i + 1..] {
            *s = s.saturating_add_signed(delta);
        }
        self.next_revision += 1;
        self.revisions[i] = self.next_revision;
        let old = &self.snapshot.tasks[i];
        let kind_changed = old.kind != task.kind;
        let keys_changed = (old.score, &old.title, &old.signals, old.source)
            != (task.score, &task.title, &task.signals, task.source);
        self.snapshot.tasks[i] = task;
        if kind_changed {
            self.recount();
        }
        if keys_changed {
            self.reorder();
        }
        true
    }

    /// Puts a task on the board: replaces the one with its id, or adds it.
    pub fn upsert_task(&mut self, task: Task) {
        if self.index_of(&task.id).is_some() {
            self.replace_task(task);
            return;
        }
        self.next_revision += 1;
        self.starts.push(self.corpus.len());
        self.corpus.push_str(&haystack(&task));
        self.corpus.push('\0');
        self.revisions.push(self.next_revision);
        self.by_id
            .insert(task.id.clone(), self.snapshot.tasks.len());
        self.snapshot.tasks.push(task);
        self.recount();
        self.reorder();
    }

    /// Takes a task off the board; returns whether it was there.
    pub fn remove_task(&mut self, id: &TaskId) -> bool {
        let Some(i) = self.index_of(id) else {
            return false;
        };
        self.snapshot.tasks.remove(i);
        self.reindex();
        self.revisions.remove(i);
        self.by_id = index_ids(&self.snapshot.tasks);
        self.recount();
        self.reorder();
        true
    }

    /// The snapshot as indexed.
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// A task by index.
    pub fn task(&self, i: usize) -> Option<&Task> {
        self.snapshot.tasks.get(i)
    }

    /// A task by id.
    pub fn find(&self, id: &TaskId) -> Option<&Task> {
        self.index_of(id).and_then(|i| self.task(i))
    }

    /// The index of a task id.
    pub fn index_of(&self, id: &TaskId) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// Changes whenever the task at `i` changes.
    pub fn revision(&self, i: usize) -> u64 {
        self.revisions.get(i).copied().unwrap_or(0)
    }

    /// Sources that are connected or have tasks, in display order.
    pub fn sources_present(&self) -> &[Source] {
        &self.sources_present
    }

    /// Kinds that occur, in chip order.
    pub fn kinds_present(&self) -> &[TaskKind] {
        &self.kinds_present
    }

    /// The last fetch status of a source.
    pub fn status(&self, source: Source) -> Option<&SourceStatus> {
        self.snapshot.sources.iter().find(|s| s.source == source)
    }

    /// Connected sources whose last fetch failed.
    pub fn failed_sources(&self) -> Vec<&SourceStatus> {
        self.snapshot
            .sources
            .iter()
            .filter(|s| matches!(s.state, SourceState::Failed { .. }))
            .collect()
    }

    /// When the tasks `source` still shows were fetched, if the last refresh could
    /// not fetch it and it kept the ones it gave earlier (the oldest fetch of them).
    pub fn kept_from(&self, source: Source) -> Option<i64> {
        self.snapshot
            .tasks
            .iter()
            .filter(|t| t.source == source)
            .filter_map(|t| t.kept_from)
            .min()
    }

    /// Whether every connected source failed (and there is at least one).
    pub fn all_sources_failed(&self) -> bool {
        let mut enabled = self
            .snapshot
            .sources
            .iter()
            .filter(|s| s.state != SourceState::Disabled)
            .peekable();
        enabled.peek().is_some() && enabled.all(|s| matches!(s.state, SourceState::Failed { .. }))
    }

    /// Tasks not dismissed.
    pub fn open_count(&self) -> usize {
        self.snapshot.tasks.iter().filter(|t| !t.dismissed).count()
    }

    /// One sentence on the latest refresh, for the live region.
    pub fn summary(&self) -> String {
        let open = self.open_count();
        let tasks = match open {
            0 => "no open tasks".to_owned(),
            1 => "1 open task".to_owned(),
            n => format!("{n} open tasks"),
        };
        let failed: Vec<&str> = self
            .failed_sources()
            .iter()
            .map(|s| s.source.label())
            .collect();
        let failures = match failed.as_slice() {
            [] => String::new(),
            _ if self.all_sources_failed() => " None of your sources could be fetched.".to_owned(),
            [one] => format!(" {one} could not be fetched."),
            [init @ .., last] => format!(" {} and {last} could not be fetched.", init.join(", ")),
        };
        format!("Refreshed: {tasks}.{failures}")
    }

    fn passes_filters(&self, t: &Task, state: &ViewState) -> bool {
        (state.sources.is_empty() || state.sources.contains(&t.source))
            && (state.priorities.is_empty() || state.priorities.contains(&t.priority))
            && (state.kinds.is_empty() || state.kinds.contains(&t.kind))
            && (!state.overridden_only || t.priority_override.is_some())
    }

    /// The groups to show: search, then filters (AND across facets, OR within one),
    /// then order, then grouping.
    pub fn visible(&self, state: &ViewState) -> Groups {
        let query = super::lower(&state.query);
        let words: Vec<&str> = query.split_whitespace().collect();
        let found = self.search(&words);
        let mut hidden_dismissed = 0;
        let sort = SortBy::ALL
            .iter()
            .position(|s| *s == state.sort)
            .unwrap_or(0);
        let tasks = &self.snapshot.tasks;
        let matched: Vec<usize> = self
            .orders
            .get(sort)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .copied()
            .filter(|&i| {
                let t = &tasks[i];
                let hit = found.as_ref().is_none_or(|f| f[i]) && self.passes_filters(t, state);
                if hit && t.dismissed && !state.show_dismissed {
                    hidden_dismissed += 1;
                    return false;
                }
                hit
            })
            .collect();
        let keys: Vec<GroupKey> = match state.view {
            View::Priority | View::Activity => Priority::ALL
                .into_iter()
                .filter(|p| state.priorities.is_empty() || state.priorities.contains(p))
                .map(GroupKey::Priority)
                .collect(),
            View::Source => self
                .sources_present
                .iter()
                .filter(|s| state.sources.is_empty() || state.sources.contains(s))
                .map(|s| GroupKey::Source(*s))
                .collect(),
        };
        let mut groups: Vec<Group> = keys
            .into_iter()
            .map(|key| Group {
                key,
                tasks: Vec::new(),
            })
            .collect();
        for &i in &matched {
            let t = &tasks[i];
            let key = match state.view {
                View::Priority | View::Activity => GroupKey::Priority(t.priority),
                View::Source => GroupKey::Source(t.source),
            };
            if let Some(g) = groups.iter_mut().find(|g| g.key == key) {
                g.tasks.push(i);
            }
        }
        Groups {
            shown: matched.len(),
            groups,
            hidden_dismissed,
        }
    }
}

/// When a task is "at": the sooner of its due time and its start.
pub fn time_of(t: &Task) -> Option<i64> {
    match (t.signals.due, t.signals.starts_at) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// `Some` before `None`, then ascending.
fn some_first(a: Option<i64>, b: Option<i64>) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

fn by_score(a: &Task, b: &Task) -> Ordering {
    b.score
        .cmp(&a.score)
        .then_with(|| a.title.cmp(&b.title))
        .then_with(|| a.id.cmp(&b.id))
}

fn compare(a: &Task, b: &Task, sort: SortBy) -> Ordering {
    let first = match sort {
        SortBy::Score => Ordering::Equal,
        SortBy::Time => some_first(time_of(a), time_of(b)),
        SortBy::Source => a.source.cmp(&b.source),
        SortBy::Age => some_first(a.signals.updated_at, b.signals.updated_at),
    };
    first.then_with(|| by_score(a, b))
}

#[cfg(test)]
pub(crate) mod fixtures {
    use pmt_wire::{Person, Priority, Source, Task, TaskKind};

    /// A task with the fields tests care about; the rest plain.
    pub(crate) fn task(
        source: Source,
        id: &str,
        title: &str,
        priority: Priority,
        score: u8,
    ) -> Task {
        let kind = match source {
            Source::GoogleCalendar => TaskKind::Meeting,
            Source::Gmail => TaskKind::Email,
            Source::GoogleDrive => TaskKind::DocComment,
            Source::Linear => TaskKind::Issue,
            Source::Github => TaskKind::Review,
            Source::Slack => TaskKind::Mention,
            Source::Granola => TaskKind::MeetingNoteItem,
            Source::AdHoc => TaskKind::AdHoc,
        };
        Task {
            url: Some(format!("https://example.com/{id}")),
            people: vec![Person {
                name: "Sam Reviewer".into(),
                handle: Some("sam".into()),
            }],
            score,
            computed_priority: priority,
            priority,
            why: vec!["assigned to you".into()],
            ..Task::new(source, id, kind, title.to_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::task;
    use super::*;
    use pmt_wire::{Person, SourceState, SourceStatus};

    fn status(source: Source, state: SourceState) -> SourceStatus {
        SourceStatus {
            source,
            state,
            duration_ms: 120,
            fetched_at: 1_700_000_000,
        }
    }

    fn snapshot() -> Snapshot {
        let mut deploy = task(
            Source::Linear,
            "ENG-1",
            "Fix deploy pipeline",
            Priority::Critical,
            95,
        );
        deploy.snippet = Some("The Canary stage fails".into());
        let mut review = task(
            Source::Github,
            "acme/api#7",
            "Review auth PR",
            Priority::High,
            80,
        );
        review.people = vec![Person {
            name: "Renée Zoë".into(),
            handle: None,
        }];
        review.signals.due = Some(2_000);
        let mut mention = task(
            Source::Slack,
            "C1/1",
            "Question about budget",
            Priority::Medium,
            50,
        );
        mention.signals.updated_at = Some(100);
        let mut note = task(
            Source::Granola,
            "n1",
            "Send notes to Priya",
            Priority::Low,
            20,
        );
        note.dismissed = true;
        let mut boosted = task(Source::Gmail, "m1", "Invoice overdue", Priority::High, 40);
        boosted.computed_priority = Priority::Medium;
        boosted.priority_override = Some(Priority::High);
        boosted.signals.updated_at = Some(50);
        let mut meeting = task(Source::GoogleCalendar, "e1", "Standup", Priority::High, 70);
        meeting.signals.starts_at = Some(1_000);
        Snapshot {
            generated_at: 1_700_000_000,
            tasks: vec![deploy, review, mention, note, boosted, meeting],
            sources: vec![
                status(
                    Source::GoogleCalendar,
                    SourceState::Ok {
                        count: 1,
                        skipped: 0,
                    },
                ),
                status(
                    Source::Gmail,
                    SourceState::Ok {
                        count: 1,
                        skipped: 0,
                    },
                ),
                status(Source::GoogleDrive, SourceState::Disabled),
                status(
                    Source::Linear,
                    SourceState::Ok {
                        count: 1,
                        skipped: 0,
                    },
                ),
                status(
                    Source::Github,
                    SourceState::Ok {
                        count: 1,
                        skipped: 0,
                    },
                ),
                status(
                    Source::Slack,
                    SourceState::Failed {
                        reason: "rate limited".into(),
                    },
                ),
                status(
                    Source::Granola,
                    SourceState::Ok {
                        count: 1,
                        skipped: 0,
                    },
                ),
            ],
        }
    }

    fn titles(board: &Board, groups: &Groups, key: GroupKey) -> Vec<String> {
        groups
            .group(key)
            .map(|g| {
                g.tasks
                    .iter()
                    .filter_map(|&i| board.task(i))
                    .map(|t| t.title.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn counts(groups: &Groups) -> Vec<(String, usize)> {
        groups
            .groups
            .iter()
            .map(|g| (g.key.id(), g.tasks.len()))
            .collect()
    }

    #[test]
    fn groups_know_which_view_they_belong_to() {
        let of = |keys: &[GroupKey]| Groups {
            groups: keys
                .iter()
                .map(|&key| Group {
                    key,
                    tasks: Vec::new(),
                })
                .collect(),
            ..Groups::default()
        };
        let priority = of(&[GroupKey::Priority(Priority::High)]);
        let other_level = of(&[GroupKey::Priority(Priority::Low)]);
        let source = of(&[GroupKey::Source(Source::Gmail)]);
        assert!(priority.same_view(&other_level));
        assert!(!priority.same_view(&source));
        assert!(!source.same_view(&priority));
        assert!(
            priority.same_view(&Groups::default()),
            "nothing shown fits any view"
        );
        assert!(Groups::default().same_view(&source));
    }

    #[test]
    fn priority_view_groups_by_shown_priority_with_counts() {
        let board = Board::new(snapshot());
        let groups = board.visible(&ViewState::default());
        assert_eq!(
            counts(&groups),
            vec![
                ("critical".into(), 1),
                ("high".into(), 3),
                ("medium".into(), 1),
                ("low".into(), 0),
            ]
        );
        assert_eq!(
            titles(&board, &groups, GroupKey::Priority(Priority::High)),
            vec!["Review auth PR", "Standup", "Invoice overdue"],
            "an override decides the group; score orders inside it"
        );
        assert_eq!(groups.shown, 5);
        assert_eq!(groups.hidden_dismissed, 1);
    }

    #[test]
    fn source_view_has_one_group_per_connected_source() {
        let board = Board::new(snapshot());
        let state = ViewState {
            view: View::Source,
            ..ViewState::default()
        };
        let groups = board.visible(&state);
        let ids: Vec<String> = groups.groups.iter().map(|g| g.key.id()).collect();
        assert_eq!(
            ids,
            vec![
                "source:google_calendar",
                "source:gmail",
                "source:linear",
                "source:github",
                "source:slack",
                "source:granola"
            ],
            "the disabled source is left out; the failed one stays"
        );
        assert_eq!(
            titles(&board, &groups, GroupKey::Source(Source::Granola)),
            Vec::<String>::new(),
            "dismissed tasks are hidden by default"
        );
        assert_eq!(board.failed_sources().len(), 1);
        assert!(!board.all_sources_failed());
    }

    #[test]
    fn search_is_case_insensitive_over_title_snippet_source_and_people() {
        let board = Board::new(snapshot());
        let find = |q: &str| {
            let groups = board.visible(&ViewState {
                query: q.into(),
                view: View::Source,
                ..ViewState::default()
            });
            let mut all: Vec<String> = groups
                .groups
                .iter()
                .flat_map(|g| {
                    g.tasks
                        .iter()
                        .map(|&i| board.snapshot().tasks[i].title.clone())
                })
                .collect();
            all.sort();
            all
        };
        assert_eq!(find("DEPLOY"), vec!["Fix deploy pipeline"]);
        assert_eq!(find("canary"), vec!["Fix deploy pipeline"], "snippet");
        assert_eq!(find("github"), vec!["Review auth PR"], "source label");
        assert_eq!(find("renée"), vec!["Review auth PR"], "people, non-ASCII");
        assert_eq!(
            find("RENÉE"),
            vec!["Review auth PR"],
            "non-ASCII case folding"
        );
        assert_eq!(
            find("fix pipeline"),
            vec!["Fix deploy pipeline"],
            "every word must match"
        );
        assert!(find("nothing-like-this").is_empty());
        assert_eq!(find("   ").len(), 5, "blank search shows everything");
    }

    #[test]
    fn filters_combine_with_and_across_facets_and_or_within() {
        let board = Board::new(snapshot());
        let mut state = ViewState::default();
        state.toggle_source(Source::Linear);
        state.toggle_source(Source::Github);
        assert_eq!(board.visible(&state).shown, 2, "Linear OR GitHub");
        state.toggle_priority(Priority::High);
        let groups = board.visible(&state);
        assert_eq!(groups.shown, 1, "(Linear OR GitHub) AND high");
        assert_eq!(
            titles(&board, &groups, GroupKey::Priority(Priority::High)),
            vec!["Review auth PR"]
        );
        assert_eq!(
            groups.groups.len(),
            1,
            "only the chosen priority groups show"
        );

        let overridden = ViewState {
            overridden_only: true,
            ..ViewState::default()
        };
        assert_eq!(board.visible(&overridden).shown, 1);

        let mut kinds = ViewState::default();
        kinds.toggle_kind(TaskKind::Mention);
        kinds.toggle_kind(TaskKind::Meeting);
        assert_eq!(board.visible(&kinds).shown, 2);
    }

    #[test]
    fn show_dismissed_includes_dismissed_tasks() {
        let board = Board::new(snapshot());
        let state = ViewState {
            show_dismissed: true,
            ..ViewState::default()
        };
        let groups = board.visible(&state);
        assert_eq!(groups.shown, 6);
        assert_eq!(groups.hidden_dismissed, 0);
        assert_eq!(
            titles(&board, &groups, GroupKey::Priority(Priority::Low)),
            vec!["Send notes to Priya"]
        );
    }

    #[test]
    fn sort_orders_by_time_source_and_age() {
        let board = Board::new(snapshot());
        let in_order = |sort: SortBy| {
            let state = ViewState {
                sort,
                priorities: vec![Priority::High],
                ..ViewState::default()
            };
            titles(
                &board,
                &board.visible(&state),
                GroupKey::Priority(Priority::High),
            )
        };
        assert_eq!(
            in_order(SortBy::Time),
            vec!["Standup", "Review auth PR", "Invoice overdue"],
            "start 1000, due 2000, then undated"
        );
        assert_eq!(
            in_order(SortBy::Source),
            vec!["Standup", "Invoice overdue", "Review auth PR"],
            "calendar, gmail, github"
        );
        assert_eq!(
            in_order(SortBy::Age),
            vec!["Invoice overdue", "Review auth PR", "Standup"],
            "oldest update first, unknown age last (by score)"
        );
    }

    #[test]
    fn replacing_a_task_reindexes_it_and_bumps_its_revision() {
        let mut board = Board::new(snapshot());
        let i = board
            .index_of(&TaskId::new(Source::Linear, "ENG-1"))
            .unwrap();
        let before = board.revision(i);
        let other = board.revision(i + 1);
        let mut changed = board.task(i).unwrap().clone();
        changed.title = "Ship the zebra".into();
        changed.priority = Priority::Low;
        assert!(board.replace_task(changed));
        assert_ne!(board.revision(i), before);
        assert_eq!(board.revision(i + 1), other);
        let found = board.visible(&ViewState {
            query: "zebra".into(),
            ..ViewState::default()
        });
        assert_eq!(
            titles(&board, &found, GroupKey::Priority(Priority::Low)),
            vec!["Ship the zebra"]
        );
        let mut stranger = board.task(0).unwrap().clone();
        stranger.id = TaskId("linear:nope".into());
        assert!(!board.replace_task(stranger));
    }

    /// Every task is found by its own full title.
    fn each_title_finds_its_task(board: &Board) {
        for t in &board.snapshot().tasks {
            let state = ViewState {
                query: t.title.clone(),
                show_dismissed: true,
                ..ViewState::default()
            };
            let groups = board.visible(&state);
            let ids: Vec<&TaskId> = groups
                .groups
                .iter()
                .flat_map(|g| g.tasks.iter().filter_map(|&i| board.task(i)))
                .map(|t| &t.id)
                .collect();
            assert!(ids.contains(&&t.id), "{:?} not found by its title", t.title);
        }
    }

    #[test]
    fn search_text_stays_aligned_through_edits_adds_and_removals() {
        let mut board = Board::new(snapshot());
        each_title_finds_its_task(&board);
        let mut longer = board.task(1).unwrap().clone();
        longer.title = "Review auth PR, now with a much longer title than before".into();
        board.replace_task(longer);
        each_title_finds_its_task(&board);
        let mut shorter = board.task(0).unwrap().clone();
        shorter.title = "Fix".into();
        board.replace_task(shorter);
        each_title_finds_its_task(&board);
        board.upsert_task(task(Source::AdHoc, "z", "Zither lesson", Priority::Low, 5));
        each_title_finds_its_task(&board);
        let gone = board.task(2).unwrap().id.clone();
        board.remove_task(&gone);
        each_title_finds_its_task(&board);
        let none = board.visible(&ViewState {
            query: "lesson fix".into(),
            ..ViewState::default()
        });
        assert_eq!(
            none.shown, 0,
            "words from two tasks never match across them"
        );
    }

    #[test]
    fn changing_a_tasks_sort_keys_moves_it() {
        let mut board = Board::new(snapshot());
        let high = GroupKey::Priority(Priority::High);
        let state = ViewState::default();
        assert_eq!(
            titles(&board, &board.visible(&state), high)[0],
            "Review auth PR"
        );
        let mut invoice = board
            .find(&TaskId::new(Source::Gmail, "m1"))
            .unwrap()
            .clone();
        invoice.score = 99;
        board.replace_task(invoice);
        assert_eq!(
            titles(&board, &board.visible(&state), high)[0],
            "Invoice overdue"
        );
    }

    #[test]
    fn upsert_adds_or_replaces_and_remove_takes_off() {
        let mut board = Board::new(snapshot());
        let mut mine = task(Source::AdHoc, "a1", "Call the plumber", Priority::High, 60);
        board.upsert_task(mine.clone());
        assert_eq!(board.visible(&ViewState::default()).shown, 6);
        assert!(board.sources_present().contains(&Source::AdHoc));
        mine.title = "Call the plumber again".into();
        board.upsert_task(mine.clone());
        assert_eq!(board.snapshot().tasks.len(), 7);
        let q = ViewState {
            query: "again".into(),
            ..ViewState::default()
        };
        assert_eq!(board.visible(&q).shown, 1);
        assert!(board.remove_task(&mine.id));
        assert!(!board.remove_task(&mine.id));
        assert_eq!(board.visible(&q).shown, 0);
        let last = board.snapshot().tasks.last().unwrap().id.clone();
        assert_eq!(
            board.index_of(&last),
            Some(board.snapshot().tasks.len() - 1)
        );
        assert!(!board.sources_present().contains(&Source::AdHoc));
    }

    #[test]
    fn a_new_snapshot_keeps_revisions_of_unchanged_tasks() {
        let board = Board::new(snapshot());
        let mut next = snapshot();
        next.tasks[1].title = "Review auth PR (updated)".into();
        let after = board.successor(next);
        assert_eq!(after.revision(0), board.revision(0));
        assert_ne!(after.revision(1), board.revision(1));
    }

    #[test]
    fn all_sources_failed_is_told_apart_from_some() {
        let mut s = snapshot();
        for st in &mut s.sources {
            if st.state != SourceState::Disabled {
                st.state = SourceState::Failed {
                    reason: "down".into(),
                };
            }
        }
        assert!(Board::new(s).all_sources_failed());
        assert!(!Board::new(Snapshot::default()).all_sources_failed());
    }

    #[test]
    fn a_source_that_kept_earlier_tasks_says_from_when() {
        let mut s = snapshot();
        assert_eq!(Board::new(s.clone()).kept_from(Source::Slack), None);
        let mut older = task(Source::Slack, "C1/2", "Older thread", Priority::Low, 10);
        older.kept_from = Some(800);
        s.tasks.push(older);
        for t in s.tasks.iter_mut().filter(|t| t.id.as_str() == "slack:C1/1") {
            t.kept_from = Some(900);
        }
        let board = Board::new(s);
        assert_eq!(
            board.kept_from(Source::Slack),
            Some(800),
            "the oldest fetch"
        );
        assert_eq!(board.kept_from(Source::Linear), None);
    }

    #[test]
    fn summary_names_failed_sources() {
        let board = Board::new(snapshot());
        assert_eq!(
            board.summary(),
            "Refreshed: 5 open tasks. Slack could not be fetched."
        );
        let mut two = snapshot();
        two.sources[0].state = SourceState::Failed { reason: "x".into() };
        assert_eq!(
            Board::new(two).summary(),
            "Refreshed: 5 open tasks. Calendar and Slack could not be fetched."
        );
        assert_eq!(
            Board::new(Snapshot::default()).summary(),
            "Refreshed: no open tasks."
        );
    }

    #[test]
    fn ten_thousand_tasks_search_quickly() {
        let base = snapshot();
        let mut big = base.clone();
        big.tasks = (0..10_000)
            .map(|n| {
                let mut t = base.tasks[n % base.tasks.len()].clone();
                t.id = TaskId(format!("{}-{n}", t.id.as_str()));
                t.title = format!("{} number {n}", t.title);
                t.score = (n % 100) as u8;
                t
            })
            .collect();
        let board = Board::new(big);
        let start = std::time::Instant::now();
        let mut shown = 0;
        for q in ["d", "de", "dep", "depl", "deplo", "deploy", "deploy 99"] {
            shown = board
                .visible(&ViewState {
                    query: q.into(),
                    ..ViewState::default()
                })
                .shown;
        }
        let per_keystroke = start.elapsed() / 7;
        assert!(shown > 0);
        assert!(
            per_keystroke.as_millis() < 50,
            "a keystroke over 10,000 tasks took {per_keystroke:?}"
        );
    }
}
