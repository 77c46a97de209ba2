//! The day plan on the timeline: the backend's blocks (focus, prep, breaks) placed
//! between today's meetings, and the free time that is left.
//!
//! The meetings come from the timeline (they carry the prep items and RSVP badges the
//! dashboard already shows); the plan's own meeting blocks are not drawn twice.

use pmt_wire::dayplan::{BlockKind, DayPlan};

use super::timeline::{Slot, Timeline};

/// Gaps shorter than this are not shown as free time.
const MIN_FREE_SECS: i64 = 15 * 60;

/// What a row of the axis shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    /// A meeting: its index in [`Timeline::slots`].
    Meeting(usize),
    /// A block of the plan: its index in [`DayPlan::blocks`].
    Block(usize),
    /// Time with nothing planned.
    Free,
}

/// One row of the axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row {
    /// Start, Unix seconds.
    pub start: i64,
    /// End, Unix seconds.
    pub end: i64,
    /// What it is.
    pub kind: RowKind,
}

/// The rows of the axis: with a plan, meetings and the plan's blocks in time order
/// with the free time between them; without one, the timeline's meetings and free
/// blocks as they are.
pub fn rows(timeline: &Timeline, plan: Option<&DayPlan>) -> Vec<Row> {
    let Some(plan) = plan else {
        return timeline
            .slots
            .iter()
            .enumerate()
            .map(|(i, s)| Row {
                start: s.start(),
                end: s.end(),
                kind: match s {
                    Slot::Meeting { .. } => RowKind::Meeting(i),
                    Slot::Free { .. } => RowKind::Free,
                },
            })
            .collect();
    };
    let mut placed: Vec<Row> = timeline
        .slots
        .iter()
        .enumerate()
        .filter(|(_, s)| matches!(s, Slot::Meeting { .. }))
        .map(|(i, s)| Row {
            start: s.start(),
            end: s.end(),
            kind: RowKind::Meeting(i),
        })
        .chain(
            plan.blocks
                .iter()
                .enumerate()
                .filter(|(_, b)| b.kind != BlockKind::Meeting && b.end > b.start)
                .map(|(j, b)| Row {
                    start: b.start,
                    end: b.end,
                    kind: RowKind::Block(j),
                }),
        )
        .collect();
    // Meetings first at equal starts: a block never hides the meeting it sits beside.
    placed.sort_by_key(|r| (r.start, !matches!(r.kind, RowKind::Meeting(_)), r.end));
    let (axis_start, axis_end) = if timeline.slots.is_empty() {
        (plan.work_start, plan.work_end)
    } else {
        (timeline.start, timeline.end)
    };
    let mut out = Vec::with_capacity(placed.len() * 2 + 1);
    let mut cursor = axis_start;
    for row in placed {
        if row.start - cursor >= MIN_FREE_SECS {
            out.push(Row {
                start: cursor,
                end: row.start,
                kind: RowKind::Free,
            });
        }
        cursor = cursor.max(row.end);
        out.push(row);
    }
    if axis_end - cursor >= MIN_FREE_SECS {
        out.push(Row {
            start: cursor,
            end: axis_end,
            kind: RowKind::Free,
        });
    }
    out
}

/// Where the "now" marker goes: before the first row that ends after `now`.
pub fn now_index(rows: &[Row], now: i64) -> usize {
    rows.iter().position(|r| r.end > now).unwrap_or(rows.len())
}

/// A block kind in words.
pub fn kind_label(kind: BlockKind) -> &'static str {
    match kind {
        BlockKind::Meeting => "Meeting",
        BlockKind::Prep => "Prep",
        BlockKind::Focus => "Focus",
        BlockKind::Break => "Break",
    }
}

/// The CSS class of a block kind.
pub fn kind_class(kind: BlockKind) -> &'static str {
    match kind {
        BlockKind::Meeting => "meeting",
        BlockKind::Prep => "prep-block",
        BlockKind::Focus => "focus",
        BlockKind::Break => "break",
    }
}

/// A short fingerprint of what the plan depends on: the snapshot's time, and every
/// task's id, priority and dismissal. When it changes, the plan is fetched again.
pub fn inputs_key(snapshot: &pmt_wire::Snapshot) -> u64 {
    // FNV-1a: small, no dependency, stable.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    eat(&snapshot.generated_at.to_le_bytes());
    for t in &snapshot.tasks {
        eat(t.id.as_str().as_bytes());
        eat(&[t.priority as u8, u8::from(t.dismissed)]);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use pmt_wire::dayplan::PlanBlock;
    use pmt_wire::TaskId;

    const H: i64 = 3600;

    fn meeting(task: usize, start: i64, end: i64) -> Slot {
        Slot::Meeting {
            task,
            start,
            end,
            prep: Vec::new(),
        }
    }

    fn block(kind: BlockKind, start: i64, end: i64, title: &str) -> PlanBlock {
        PlanBlock {
            start,
            end,
            kind,
            title: title.into(),
            task: (kind != BlockKind::Break).then(|| TaskId(format!("linear:{title}"))),
            prepares: None,
            note: String::new(),
        }
    }

    /// 09:00–18:00 with meetings 10:00–11:00 and 14:00–14:30.
    fn timeline() -> Timeline {
        Timeline {
            all_day: Vec::new(),
            start: 9 * H,
            end: 18 * H,
            slots: vec![
                Slot::Free {
                    start: 9 * H,
                    end: 10 * H,
                },
                meeting(0, 10 * H, 11 * H),
                Slot::Free {
                    start: 11 * H,
                    end: 14 * H,
                },
                meeting(1, 14 * H, 14 * H + 1800),
                Slot::Free {
                    start: 14 * H + 1800,
                    end: 18 * H,
                },
            ],
        }
    }

    fn plan() -> DayPlan {
        DayPlan {
            date: "2025-11-21".into(),
            work_start: 9 * H,
            work_end: 18 * H,
            blocks: vec![
                block(BlockKind::Focus, 9 * H, 9 * H + 3000, "deploy"),
                block(BlockKind::Meeting, 10 * H, 11 * H, "standup"),
                block(BlockKind::Break, 12 * H, 13 * H, "Lunch"),
                block(BlockKind::Prep, 13 * H + 1800, 14 * H, "slides"),
                block(BlockKind::Meeting, 14 * H, 14 * H + 1800, "review"),
            ],
            not_today: Vec::new(),
        }
    }

    #[test]
    fn plan_blocks_sit_between_the_meetings_with_free_time_around_them() {
        let got = rows(&timeline(), Some(&plan()));
        let kinds: Vec<RowKind> = got.iter().map(|r| r.kind).collect();
        assert_eq!(
            kinds,
            vec![
                RowKind::Block(0),
                RowKind::Meeting(1),
                RowKind::Free,
                RowKind::Block(2),
                RowKind::Free,
                RowKind::Block(3),
                RowKind::Meeting(3),
                RowKind::Free,
            ],
            "the 10-minute gap 09:50–10:00 is too short to show; the plan's meetings are the timeline's"
        );
        assert_eq!((got[2].start, got[2].end), (11 * H, 12 * H));
        assert_eq!((got[7].start, got[7].end), (14 * H + 1800, 18 * H));
        for pair in got.windows(2) {
            assert!(pair[0].end <= pair[1].start, "no overlap: {pair:?}");
        }
    }

    #[test]
    fn without_a_plan_the_timeline_is_shown_as_it_is() {
        let got = rows(&timeline(), None);
        assert_eq!(got.len(), 5);
        assert_eq!(got[1].kind, RowKind::Meeting(1));
        assert_eq!(got[0].kind, RowKind::Free);
    }

    #[test]
    fn a_day_without_meetings_uses_the_working_hours() {
        let empty = Timeline::default();
        let mut p = plan();
        p.blocks.retain(|b| b.kind != BlockKind::Meeting);
        let got = rows(&empty, Some(&p));
        assert_eq!(got.first().map(|r| r.kind), Some(RowKind::Block(0)));
        assert_eq!(
            got.last().map(|r| (r.kind, r.end)),
            Some((RowKind::Free, 18 * H))
        );
    }

    #[test]
    fn the_now_marker_goes_before_the_first_row_not_over() {
        let got = rows(&timeline(), Some(&plan()));
        assert_eq!(now_index(&got, 8 * H), 0);
        assert_eq!(now_index(&got, 10 * H + 60), 1);
        assert_eq!(now_index(&got, 19 * H), got.len());
    }

    #[test]
    fn the_key_changes_with_a_decision_and_not_otherwise() {
        let mut s = pmt_wire::Snapshot {
            generated_at: 1,
            ..Default::default()
        };
        s.tasks.push(pmt_wire::Task {
            score: 1,
            dismissible: false,
            ..pmt_wire::Task::new(
                pmt_wire::Source::Linear,
                "ENG-1",
                pmt_wire::TaskKind::Issue,
                "x",
            )
        });
        let a = inputs_key(&s);
        assert_eq!(a, inputs_key(&s.clone()));
        s.tasks[0].dismissed = true;
        assert_ne!(a, inputs_key(&s));
    }
}
