//! The scheduler's promises over many generated days (a small deterministic PRNG,
//! so a failure names its seed and replays): no overlaps, nothing before now or
//! outside working hours, due times kept, prep before its meeting, breaks kept,
//! every task accounted for exactly once, dismissed ones nowhere.

use std::collections::HashMap;

use pmt_wire::dayplan::{BlockKind, DayPlan};
use pmt_wire::{Priority, Signals, Source, Task, TaskId, TaskKind};

use super::settings::{Break, ClockTime, KindMinutes, PlanningSettings};
use super::timeline::{ceil_grid, GRID};
use super::{build, local_time};
use crate::sources::Today;

/// SplitMix64: tiny, fast, good enough to vary test inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..hi` (`hi > lo`).
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % u64::try_from(hi - lo).unwrap()) as i64
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[usize::try_from(self.next() % items.len() as u64).unwrap()]
    }
}

const KINDS: [TaskKind; 11] = TaskKind::ALL;
const REFS: [&str; 5] = [
    "gdoc:DocA",
    "gdoc:DocB",
    "meeting:weekly",
    "linear:ENG-1",
    "meeting:sync",
];
/// A Monday and a daylight-saving Sunday, both in Paris.
const DAYS: [i64; 2] = [1_795_388_400, 1_774_738_800];

fn settings(rng: &mut Rng) -> PlanningSettings {
    let clock = |m: i64| ClockTime::new((m / 60) as u16, (m % 60) as u16).unwrap();
    let start = rng.range(6 * 12, 11 * 12) * 5;
    let end = (start + rng.range(2 * 12, 11 * 12) * 5).min(24 * 60);
    let mut breaks = Vec::new();
    let mut cursor = start;
    for _ in 0..rng.range(0, 3) {
        let b_start = cursor + rng.range(6, 40) * 5;
        let b_end = b_start + rng.range(1, 13) * 5;
        if b_end > 24 * 60 {
            break;
        }
        breaks.push(Break {
            start: clock(b_start),
            end: clock(b_end),
            label: "Break".to_owned(),
        });
        cursor = b_end;
    }
    let minutes = KindMinutes {
        issue: u32::try_from(rng.range(1, 25) * 5).unwrap(),
        email: u32::try_from(rng.range(1, 8) * 5).unwrap(),
        ..KindMinutes::default()
    };
    let s = PlanningSettings {
        work_start: clock(start),
        work_end: clock(end),
        breaks,
        minutes,
        prep_minutes: u32::try_from(rng.range(1, 7) * 5).unwrap(),
    };
    s.check().unwrap();
    s
}

fn tasks(rng: &mut Rng, today: &Today) -> Vec<Task> {
    let n = rng.range(0, 40);
    (0..n)
        .map(|i| {
            let kind = rng.pick(&KINDS);
            let source = match kind {
                TaskKind::Meeting | TaskKind::Rsvp => Source::GoogleCalendar,
                TaskKind::AdHoc => Source::AdHoc,
                _ => rng.pick(&[Source::Linear, Source::Slack, Source::Gmail]),
            };
            let priority = rng.pick(&Priority::ALL);
            let mut signals = Signals::default();
            if matches!(kind, TaskKind::Meeting | TaskKind::Rsvp) {
                let start = today.start + rng.range(0, 24 * 12) * 300 + rng.range(0, 2) * 60;
                let len = if rng.chance(5) {
                    86_400
                } else {
                    rng.range(1, 19) * 300
                };
                signals.starts_at = Some(start);
                signals.ends_at = Some(start + len);
            } else if rng.chance(40) {
                signals.due = Some(today.start + rng.range(-86_400, 2 * 86_400));
            }
            if rng.chance(30) {
                signals.updated_at = Some(today.start + rng.range(-86_400, 86_400));
            }
            let refs = (0..rng.range(0, 3))
                .map(|_| rng.pick(&REFS).to_owned())
                .collect();
            let dismissible = kind.dismissible();
            Task {
                signals,
                refs,
                score: u8::try_from(rng.range(0, 101)).unwrap(),
                computed_priority: priority,
                priority,
                dismissed: dismissible && rng.chance(15),
                dismissible,
                ..Task::new(source, &format!("t{i}"), kind, format!("task {i}"))
            }
        })
        .collect()
}

fn is_meeting(kind: TaskKind) -> bool {
    matches!(kind, TaskKind::Meeting | TaskKind::Rsvp)
}

/// Every promise of the scheduler, for one generated day.
fn check(seed: u64, plan: &DayPlan, tasks: &[Task], today: &Today, s: &PlanningSettings) {
    let ctx = || format!("seed {seed}: {plan:#?}");
    let work_start = local_time(today, s.work_start);
    let work_end = local_time(today, s.work_end);
    let now = ceil_grid(today.now);
    let by_id: HashMap<&TaskId, &Task> = tasks.iter().map(|t| (&t.id, t)).collect();

    for b in &plan.blocks {
        assert!(b.end > b.start, "empty block {b:?}; {}", ctx());
    }
    for pair in plan.blocks.windows(2) {
        assert!(pair[0].end <= pair[1].start, "overlap {pair:?}; {}", ctx());
    }
    for b in plan
        .blocks
        .iter()
        .filter(|b| matches!(b.kind, BlockKind::Focus | BlockKind::Prep))
    {
        assert!(b.start >= now, "before now: {b:?}; {}", ctx());
        assert!(
            b.start >= work_start && b.end <= work_end,
            "outside hours: {b:?}; {}",
            ctx()
        );
        let task = by_id[b.task.as_ref().unwrap()];
        assert!(
            !task.dismissed && !is_meeting(task.kind),
            "{b:?}; {}",
            ctx()
        );
        if let Some(due) = task.signals.due.filter(|d| *d > today.now) {
            assert!(
                b.end <= due || due >= work_end,
                "past its due time: {b:?}; {}",
                ctx()
            );
        }
        if b.kind == BlockKind::Focus {
            assert_eq!(b.start % GRID, 0, "off the grid: {b:?}; {}", ctx());
            let minutes = s.minutes.of(task.kind).unwrap();
            assert_eq!(b.end - b.start, i64::from(minutes) * 60, "{b:?}; {}", ctx());
        } else {
            let meeting = plan
                .blocks
                .iter()
                .find(|m| m.kind == BlockKind::Meeting && m.task == b.prepares)
                .unwrap_or_else(|| panic!("prep for no meeting block {b:?}; {}", ctx()));
            assert!(
                b.end <= meeting.start,
                "prep after its meeting: {b:?}; {}",
                ctx()
            );
            let len = b.end - b.start;
            let want = i64::from(s.prep_minutes) * 60;
            assert!(len >= want && len < want + GRID, "{b:?}; {}", ctx());
        }
    }

    // Every task exactly once (non-dismissed work, timed meetings), dismissed never.
    let mut seen: HashMap<&TaskId, usize> = HashMap::new();
    for id in plan
        .blocks
        .iter()
        .filter_map(|b| b.task.as_ref())
        .chain(plan.not_today.iter().map(|n| &n.task))
    {
        *seen.entry(id).or_default() += 1;
    }
    for t in tasks {
        let count = seen.get(&t.id).copied().unwrap_or(0);
        let expected = if t.dismissed {
            0
        } else if is_meeting(t.kind) {
            let (start, end) = (t.signals.starts_at.unwrap(), t.signals.ends_at.unwrap());
            let clipped = end.min(today.end) - start.max(today.start);
            usize::from(end - start < 23 * 3_600 && clipped > 0)
        } else {
            1
        };
        assert_eq!(count, expected, "{:?} seen {count} times; {}", t.id, ctx());
    }

    // Breaks are kept wherever no meeting is.
    for br in &s.breaks {
        let (start, end) = (local_time(today, br.start), local_time(today, br.end));
        for minute in (start..end).step_by(60) {
            let covering = plan
                .blocks
                .iter()
                .find(|b| b.start <= minute && minute < b.end);
            let kind = covering.map(|b| b.kind);
            assert!(
                matches!(kind, Some(BlockKind::Break | BlockKind::Meeting)),
                "break minute {minute} holds {kind:?}; {}",
                ctx()
            );
        }
    }

    // Not today: most urgent first, each with a reason.
    let levels: Vec<Priority> = plan
        .not_today
        .iter()
        .map(|n| by_id[&n.task].priority)
        .collect();
    assert!(levels.windows(2).all(|w| w[0] <= w[1]), "{}", ctx());
    assert!(plan.not_today.iter().all(|n| !n.reason.is_empty()));
}

#[test]
fn generated_days_keep_every_promise() {
    let mut kinds: HashMap<String, usize> = HashMap::new();
    let (mut left_out, mut due_reasons) = (0, 0);
    for seed in 0..600_u64 {
        let mut rng = Rng(seed);
        let day = DAYS[usize::try_from(seed % 2).unwrap()];
        let today = Today::at(day + rng.range(0, 86_400), "Europe/Paris").unwrap();
        let s = settings(&mut rng);
        let tasks = tasks(&mut rng, &today);
        let plan = build(&tasks, &today, &s);
        check(seed, &plan, &tasks, &today, &s);
        for b in &plan.blocks {
            *kinds.entry(format!("{:?}", b.kind)).or_default() += 1;
        }
        left_out += plan.not_today.len();
        due_reasons += plan
            .not_today
            .iter()
            .filter(|n| n.reason.contains("before it is due"))
            .count();
    }
    // The generated days really exercise every rule.
    for kind in [
        BlockKind::Meeting,
        BlockKind::Prep,
        BlockKind::Focus,
        BlockKind::Break,
    ] {
        let count = kinds.get(&format!("{kind:?}")).copied().unwrap_or(0);
        assert!(count > 100, "{kinds:?}");
    }
    assert!(
        left_out > 100 && due_reasons > 10,
        "{left_out} {due_reasons}"
    );
}

#[test]
fn generated_days_in_other_zones_keep_every_promise() {
    for (seed, zone) in (1_000..1_200_u64).zip(
        ["UTC", "Asia/Kolkata", "America/New_York", "Asia/Kathmandu"]
            .iter()
            .cycle(),
    ) {
        let mut rng = Rng(seed);
        let today = Today::at(DAYS[0] + rng.range(0, 86_400), zone).unwrap();
        let s = settings(&mut rng);
        let tasks = tasks(&mut rng, &today);
        let plan = build(&tasks, &today, &s);
        check(seed, &plan, &tasks, &today, &s);
    }
}
