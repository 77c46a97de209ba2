//! Today's meetings on a time axis: the meetings, the free time between them, and the
//! prep items that belong before each.
//!
//! A task is prep for a meeting when one of its "why" phrases says "prep for …"
//! naming that meeting, when it links to the meeting's task, or when both name the
//! same `meeting:` reference.

use pmt_wire::{Task, TaskKind};

/// A meeting without an end is assumed to take this long.
const DEFAULT_MEETING_SECS: i64 = 30 * 60;
/// An event this long or longer is an all-day event, not a meeting on the axis.
const ALL_DAY_SECS: i64 = 20 * 3600;
/// Gaps shorter than this are not worth showing as free time.
const MIN_FREE_SECS: i64 = 15 * 60;

/// One entry on the axis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Slot {
    /// A meeting: its task index, its time, and the tasks to do before it.
    Meeting {
        /// Index into the snapshot's tasks.
        task: usize,
        /// Start, Unix seconds.
        start: i64,
        /// End, Unix seconds.
        end: i64,
        /// Indices of prep tasks, most important first.
        prep: Vec<usize>,
    },
    /// Time with no meeting.
    Free {
        /// Start, Unix seconds.
        start: i64,
        /// End, Unix seconds.
        end: i64,
    },
}

impl Slot {
    /// When the slot starts.
    pub fn start(&self) -> i64 {
        match self {
            Slot::Meeting { start, .. } | Slot::Free { start, .. } => *start,
        }
    }

    /// When the slot ends.
    pub fn end(&self) -> i64 {
        match self {
            Slot::Meeting { end, .. } | Slot::Free { end, .. } => *end,
        }
    }
}

/// The day's axis and what is on it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Timeline {
    /// All-day (or longer) events: listed above the axis, not on it.
    pub all_day: Vec<usize>,
    /// Where the axis starts (the working day, widened to the first meeting).
    pub start: i64,
    /// Where it ends (widened to the last meeting).
    pub end: i64,
    /// Meetings and free blocks in time order.
    pub slots: Vec<Slot>,
}

impl Timeline {
    /// Whether there are no meetings today (all-day events aside).
    pub fn no_meetings(&self) -> bool {
        !self.slots.iter().any(|s| matches!(s, Slot::Meeting { .. }))
    }

    /// Where the "now" marker goes among the slots: before the first slot that ends
    /// after `now` (0 before the axis starts), or after the last when the day is done.
    pub fn now_index(&self, now: i64) -> usize {
        self.slots
            .iter()
            .position(|s| s.end() > now)
            .unwrap_or(self.slots.len())
    }
}

/// Lower-case words of `text` joined by single spaces.
fn normalized(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(super::lower)
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a "prep for …" phrase names, normalized.
fn prep_target(why: &str) -> Option<String> {
    let lower = super::lower(why);
    let at = lower.find("prep for")?;
    let target = normalized(&lower[at + "prep for".len()..]);
    Some(target)
}

/// Whether `task` is prep for `meeting`.
fn is_prep_for(task: &Task, meeting: &Task, meeting_title: &str) -> bool {
    if task.links.contains(&meeting.id) {
        return true;
    }
    if task
        .refs
        .iter()
        .any(|r| r.starts_with("meeting:") && meeting.refs.contains(r))
    {
        return true;
    }
    task.why
        .iter()
        .filter_map(|w| prep_target(w))
        .any(|target| {
            !target.is_empty()
                && (meeting_title.contains(&target) || target.contains(meeting_title))
        })
}

/// Lays out today's meetings between `day_start` and `day_end` (the local day),
/// on an axis spanning at least `work_start`–`work_end`.
pub fn lay_out(
    tasks: &[Task],
    day_start: i64,
    day_end: i64,
    work_start: i64,
    work_end: i64,
) -> Timeline {
    let mut all_day = Vec::new();
    let mut meetings: Vec<(usize, i64, i64)> = Vec::new();
    for (i, t) in tasks.iter().enumerate() {
        if t.dismissed || !matches!(t.kind, TaskKind::Meeting | TaskKind::Rsvp) {
            continue;
        }
        let Some(start) = t.signals.starts_at else {
            continue;
        };
        let end = t
            .signals
            .ends_at
            .filter(|e| *e > start)
            .unwrap_or(start + DEFAULT_MEETING_SECS);
        if start >= day_end || end <= day_start {
            continue;
        }
        if end - start >= ALL_DAY_SECS {
            all_day.push(i);
        } else {
            meetings.push((i, start.max(day_start), end.min(day_end)));
        }
    }
    // Few meetings a day: an insertion sort keeps the bundle free of another sort.
    for i in 1..meetings.len() {
        let mut j = i;
        while j > 0 && (meetings[j].1, meetings[j].2) < (meetings[j - 1].1, meetings[j - 1].2) {
            meetings.swap(j, j - 1);
            j -= 1;
        }
    }
    let titles: Vec<String> = meetings
        .iter()
        .map(|&(i, ..)| normalized(&tasks[i].title))
        .collect();
    let mut preps: Vec<Vec<usize>> = vec![Vec::new(); meetings.len()];
    for (i, t) in tasks.iter().enumerate() {
        if t.dismissed || matches!(t.kind, TaskKind::Meeting | TaskKind::Rsvp) {
            continue;
        }
        if let Some(m) = meetings
            .iter()
            .zip(&titles)
            .position(|(&(mi, ..), title)| is_prep_for(t, &tasks[mi], title))
        {
            preps[m].push(i);
        }
    }
    for p in &mut preps {
        let rank = |i: usize| (tasks[i].priority, u8::MAX - tasks[i].score);
        for i in 1..p.len() {
            let mut j = i;
            while j > 0 && rank(p[j]) < rank(p[j - 1]) {
                p.swap(j, j - 1);
                j -= 1;
            }
        }
    }

    let start = meetings.first().map_or(work_start, |m| m.1.min(work_start));
    let end = meetings
        .iter()
        .map(|m| m.2)
        .max()
        .map_or(work_end, |e| e.max(work_end));
    let mut slots = Vec::new();
    let mut busy_until = start;
    for ((i, m_start, m_end), prep) in meetings.into_iter().zip(preps) {
        if m_start - busy_until >= MIN_FREE_SECS {
            slots.push(Slot::Free {
                start: busy_until,
                end: m_start,
            });
        }
        busy_until = busy_until.max(m_end);
        slots.push(Slot::Meeting {
            task: i,
            start: m_start,
            end: m_end,
            prep,
        });
    }
    if end - busy_until >= MIN_FREE_SECS {
        slots.push(Slot::Free {
            start: busy_until,
            end,
        });
    }
    Timeline {
        all_day,
        start,
        end,
        slots,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::board::fixtures::task;
    use pmt_wire::{Priority, Source};

    const H: i64 = 3600;
    const DAY: i64 = 100 * 24 * H;

    fn meeting(id: &str, title: &str, start_h: f64, end_h: Option<f64>) -> Task {
        let mut t = task(Source::GoogleCalendar, id, title, Priority::High, 60);
        t.signals.starts_at = Some(DAY + (start_h * H as f64) as i64);
        t.signals.ends_at = end_h.map(|e| DAY + (e * H as f64) as i64);
        t.refs = vec![format!("meeting:{}", normalized(title))];
        t
    }

    fn layout(tasks: &[Task]) -> Timeline {
        lay_out(tasks, DAY, DAY + 24 * H, DAY + 9 * H, DAY + 17 * H)
    }

    #[test]
    fn meetings_and_free_blocks_fill_the_working_day() {
        let tasks = vec![
            meeting("b", "Budget review Q3", 13.0, Some(14.0)),
            meeting("a", "Standup", 9.5, None),
        ];
        let t = layout(&tasks);
        assert_eq!((t.start, t.end), (DAY + 9 * H, DAY + 17 * H));
        let shape: Vec<String> = t
            .slots
            .iter()
            .map(|s| match s {
                Slot::Meeting { task, .. } => tasks[*task].title.clone(),
                Slot::Free { start, end } => format!("free {}", (end - start) / 60),
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                "free 30",
                "Standup",
                "free 180",
                "Budget review Q3",
                "free 180"
            ],
            "a meeting without an end takes 30 minutes"
        );
    }

    #[test]
    fn the_axis_widens_to_early_and_late_meetings_and_skips_other_days() {
        let tasks = vec![
            meeting("a", "Early sync", 7.0, Some(7.5)),
            meeting("b", "Late call", 18.0, Some(19.0)),
            meeting("c", "Tomorrow", 30.0, Some(31.0)),
        ];
        let t = layout(&tasks);
        assert_eq!((t.start, t.end), (DAY + 7 * H, DAY + 19 * H));
        assert_eq!(
            t.slots
                .iter()
                .filter(|s| matches!(s, Slot::Meeting { .. }))
                .count(),
            2
        );
    }

    #[test]
    fn overlapping_meetings_leave_no_negative_free_time() {
        let tasks = vec![
            meeting("a", "One", 10.0, Some(12.0)),
            meeting("b", "Two", 11.0, Some(11.5)),
            meeting("c", "Three", 12.0, Some(13.0)),
        ];
        let t = layout(&tasks);
        for s in &t.slots {
            assert!(s.end() > s.start());
        }
        assert!(!t
            .slots
            .iter()
            .any(|s| matches!(s, Slot::Free { start, .. } if *start >= DAY + 10 * H && *start < DAY + 13 * H)));
    }

    #[test]
    fn prep_items_attach_by_why_link_or_shared_reference() {
        let mut tasks = vec![
            meeting("a", "Standup", 9.5, None),
            meeting("b", "Budget review Q3", 13.0, Some(14.0)),
        ];
        let mut by_why = task(
            Source::GoogleDrive,
            "d",
            "Comment on the budget doc",
            Priority::High,
            70,
        );
        by_why.why = vec!["Prep for Budget Review (Q3)".into()];
        let mut by_link = task(
            Source::Linear,
            "l",
            "Update standup notes",
            Priority::Medium,
            40,
        );
        by_link.links = vec![tasks[0].id.clone()];
        let mut by_ref = task(
            Source::Gmail,
            "g",
            "Numbers for the review",
            Priority::Low,
            20,
        );
        by_ref.refs = vec!["meeting:budget review q3".into()];
        let unrelated = task(Source::Slack, "s", "Lunch?", Priority::Low, 10);
        tasks.extend([by_why, by_link, by_ref, unrelated]);
        let t = layout(&tasks);
        let prep_of = |title: &str| -> Vec<String> {
            t.slots
                .iter()
                .find_map(|s| match s {
                    Slot::Meeting { task, prep, .. } if tasks[*task].title == title => {
                        Some(prep.iter().map(|i| tasks[*i].title.clone()).collect())
                    }
                    _ => None,
                })
                .unwrap_or_default()
        };
        assert_eq!(prep_of("Standup"), vec!["Update standup notes"]);
        assert_eq!(
            prep_of("Budget review Q3"),
            vec!["Comment on the budget doc", "Numbers for the review"]
        );
    }

    #[test]
    fn now_marks_the_slot_it_falls_in() {
        let tasks = vec![meeting("a", "Standup", 10.0, Some(11.0))];
        let t = layout(&tasks);
        assert_eq!(t.now_index(DAY + 8 * H), 0, "before the axis: at the top");
        assert_eq!(t.now_index(DAY + 9 * H), 0, "in the first free block");
        assert_eq!(t.now_index(DAY + 10 * H + 60), 1, "in the meeting");
        assert_eq!(
            t.now_index(DAY + 20 * H),
            3,
            "the day is done: at the bottom"
        );
    }

    #[test]
    fn all_day_events_are_listed_apart_from_the_axis() {
        let tasks = vec![
            meeting("w", "Q4 planning week", 0.0, Some(24.0 * 5.0)),
            meeting("a", "Standup", 10.0, Some(10.5)),
        ];
        let t = layout(&tasks);
        assert_eq!(t.all_day, vec![0]);
        assert_eq!(
            t.start,
            DAY + 9 * H,
            "the all-day event does not stretch the axis"
        );
        assert_eq!(
            t.slots
                .iter()
                .filter(|s| matches!(s, Slot::Meeting { .. }))
                .count(),
            1
        );
    }

    #[test]
    fn a_day_without_meetings_is_one_free_block() {
        let t = layout(&[task(Source::Linear, "x", "Issue", Priority::High, 70)]);
        assert!(t.no_meetings());
        assert_eq!(
            t.slots,
            vec![Slot::Free {
                start: DAY + 9 * H,
                end: DAY + 17 * H
            }]
        );
    }
}
