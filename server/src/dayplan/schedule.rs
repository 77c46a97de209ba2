//! The scheduler: from today's tasks to time blocks (pure).
//!
//! In this order, each step only using time the earlier ones left free:
//! 1. **Meetings** are fixed blocks at their calendar times (all-day entries are
//!    bands, not blocks; declined meetings never reach the list: the calendar
//!    connector drops them). Two meetings that overlap cannot both be kept: the one
//!    that starts first (an accepted one before an unanswered one) stays, the other
//!    is listed as not today with the clash.
//! 2. **Breaks** from the configuration are kept free (minus any meeting in them).
//! 3. **Prep**: every task that prepares a meeting still to come (shares its doc, or
//!    its title from an earlier occurrence: `plan::crossref`) gets a prep block ending
//!    as close to the meeting as possible, inside working hours and after now.
//! 4. **Focus**: the other tasks, most urgent first (level, then due today, then the
//!    earliest due time, then score), each in the earliest free slot of its kind's
//!    duration that starts on the 5-minute grid after now, inside working hours,
//!    and, when it is due today, ends by its due time.
//!
//! Whatever finds no slot is listed as not today with the reason. Dismissed tasks are
//! left out entirely.

use std::cmp::Reverse;

use pmt_wire::dayplan::{BlockKind, DayPlan, NotToday, PlanBlock};
use pmt_wire::{Priority, Task, TaskId, TaskKind};

use super::settings::PlanningSettings;
use super::timeline::{ceil_grid, Busy, Span};
use super::{local_clock, local_time};
use crate::plan::crossref;
use crate::sources::Today;

/// A calendar entry this long or longer is an all-day band, not a meeting block.
const ALL_DAY: i64 = 23 * 3_600;

/// Builds today's plan from the list as the user sees it (scored, decisions applied).
pub fn build(tasks: &[Task], today: &Today, settings: &PlanningSettings) -> DayPlan {
    let work = Span::new(
        local_time(today, settings.work_start),
        local_time(today, settings.work_end),
    );
    let mut plan = Planner {
        today,
        settings,
        work,
        open: Span::new(work.start.max(ceil_grid(today.now)), work.end),
        busy: Busy::default(),
        blocks: Vec::new(),
        not_today: Vec::new(),
    };
    let meetings = plan.meetings(tasks);
    plan.breaks();
    let handled = plan.prep(tasks, &meetings);
    plan.focus(tasks, &handled);
    plan.finish()
}

/// The plan being built.
struct Planner<'a> {
    today: &'a Today,
    settings: &'a PlanningSettings,
    /// Working hours today.
    work: Span,
    /// What is left of them from now (rounded up to the grid); empty when over.
    open: Span,
    busy: Busy,
    blocks: Vec<PlanBlock>,
    /// With the level and list position they are sorted by.
    not_today: Vec<(Priority, usize, NotToday)>,
}

/// A meeting kept as a block.
struct Meeting<'a> {
    task: &'a Task,
    span: Span,
}

impl<'a> Planner<'a> {
    fn clock(&self, at: i64) -> String {
        local_clock(at, self.today)
    }

    fn skip(&mut self, index: usize, task: &Task, reason: String) {
        self.not_today.push((
            task.priority,
            index,
            NotToday {
                task: task.id.clone(),
                title: task.title.clone(),
                reason,
            },
        ));
    }

    fn block(&mut self, span: Span, kind: BlockKind, title: &str, task: Option<&TaskId>) -> usize {
        self.busy.take(span);
        self.blocks.push(PlanBlock {
            start: span.start,
            end: span.end,
            kind,
            title: title.to_owned(),
            task: task.cloned(),
            prepares: None,
            note: String::new(),
        });
        self.blocks.len() - 1
    }

    /// Step 1: the meetings that can be kept, soonest first.
    fn meetings(&mut self, tasks: &'a [Task]) -> Vec<Meeting<'a>> {
        let mut found: Vec<(usize, Meeting<'a>)> = tasks
            .iter()
            .enumerate()
            .filter(|(_, t)| is_meeting(t.kind) && !t.dismissed)
            .filter_map(|(i, t)| {
                let (start, end) = (t.signals.starts_at?, t.signals.ends_at?);
                let span = Span::new(start.max(self.today.start), end.min(self.today.end));
                (end - start < ALL_DAY && !span.is_empty())
                    .then_some((i, Meeting { task: t, span }))
            })
            .collect();
        found.sort_by_key(|(i, m)| {
            (
                m.span.start,
                m.task.kind == TaskKind::Rsvp,
                Reverse(m.span.len()),
                *i,
            )
        });
        let mut kept: Vec<Meeting<'a>> = Vec::new();
        for (i, m) in found {
            if let Some(other) = kept.iter().find(|k| k.span.overlaps(m.span)) {
                let reason = format!(
                    "overlaps \u{201c}{}\u{201d} ({}\u{2013}{}) in your calendar",
                    other.task.title,
                    self.clock(other.span.start),
                    self.clock(other.span.end)
                );
                self.skip(i, m.task, reason);
                continue;
            }
            let at = self.block(m.span, BlockKind::Meeting, &m.task.title, Some(&m.task.id));
            if m.task.kind == TaskKind::Rsvp {
                "not answered yet".clone_into(&mut self.blocks[at].note);
            }
            kept.push(m);
        }
        kept
    }

    /// Step 2: the configured breaks, minus any meeting in them.
    fn breaks(&mut self) {
        for b in &self.settings.breaks {
            let span = Span::new(
                local_time(self.today, b.start),
                local_time(self.today, b.end),
            );
            for piece in self.busy.free_within(span) {
                self.block(piece, BlockKind::Break, &b.label, None);
            }
        }
    }

    /// Step 3: prep blocks right before the meetings they prepare. Returns the tasks
    /// dealt with here (placed or listed as not today), by list position.
    fn prep(&mut self, tasks: &[Task], meetings: &[Meeting<'_>]) -> Vec<bool> {
        let targets = crossref::prep_targets(tasks, self.today);
        let mut handled = vec![false; tasks.len()];
        let len = i64::from(self.settings.prep_minutes) * 60;
        for meeting in meetings {
            // A meeting under way or about to start has no time left for prep: its
            // items are planned like any other task.
            if meeting.span.start <= self.open.start {
                continue;
            }
            let mut items: Vec<(usize, &Task)> = tasks
                .iter()
                .enumerate()
                .filter(|(i, t)| {
                    targets[*i].as_ref() == Some(&meeting.task.id)
                        && !t.dismissed
                        && self.settings.minutes.of(t.kind).is_some()
                })
                .collect();
            items.sort_by_key(|(i, t)| (t.priority, Reverse(t.score), *i));
            let at = self.clock(meeting.span.start);
            for (i, task) in items {
                handled[i] = true;
                let mut end = meeting.span.start.min(self.open.end);
                if let Some(due) = task.signals.due.filter(|d| *d > self.today.now) {
                    end = end.min(due);
                }
                let window = Span::new(self.open.start, end);
                let fit = (!window.is_empty())
                    .then(|| self.busy.latest_fit(window, len))
                    .flatten();
                match fit {
                    Some(span) => {
                        let b = self.block(span, BlockKind::Prep, &task.title, Some(&task.id));
                        self.blocks[b].prepares = Some(meeting.task.id.clone());
                        self.blocks[b].note = format!("prep for {} at {at}", meeting.task.title);
                    }
                    None => {
                        let reason = format!(
                            "no free {} minutes before \u{201c}{}\u{201d} at {at} to prepare",
                            self.settings.prep_minutes, meeting.task.title
                        );
                        self.skip(i, task, reason);
                    }
                }
            }
        }
        handled
    }

    /// Step 4: focus blocks for everything else, most urgent first.
    fn focus(&mut self, tasks: &[Task], handled: &[bool]) {
        let now = self.today.now;
        let mut todo: Vec<(usize, &Task, u32)> = tasks
            .iter()
            .enumerate()
            .filter(|(i, t)| !handled[*i] && !t.dismissed)
            .filter_map(|(i, t)| Some((i, t, self.settings.minutes.of(t.kind)?)))
            .collect();
        let work_end = self.work.end;
        todo.sort_by_key(|(i, t, _)| {
            let due = t.signals.due;
            (
                t.priority,
                due.is_none_or(|d| d > work_end),
                due.unwrap_or(i64::MAX),
                Reverse(t.score),
                *i,
            )
        });
        for (i, task, minutes) in todo {
            let len = i64::from(minutes) * 60;
            let due_today = task.signals.due.filter(|d| *d > now && *d < self.open.end);
            let end = due_today.unwrap_or(self.open.end);
            let window = Span::new(self.open.start, end);
            let fit = (!window.is_empty())
                .then(|| self.busy.earliest_fit(window, len))
                .flatten();
            match fit {
                Some(span) => {
                    let b = self.block(span, BlockKind::Focus, &task.title, Some(&task.id));
                    self.blocks[b].note = self.focus_note(task);
                }
                None => {
                    let reason = if self.open.is_empty() {
                        format!("the working day is over ({})", self.clock(self.work.end))
                    } else if let Some(due) = due_today {
                        format!(
                            "no free {minutes}-minute slot before it is due at {}",
                            self.clock(due)
                        )
                    } else {
                        format!(
                            "no free {minutes}-minute slot left before {}",
                            self.clock(self.work.end)
                        )
                    };
                    self.skip(i, task, reason);
                }
            }
        }
    }

    /// "overdue", "due 14:00", or the level and the first reason for it.
    fn focus_note(&self, task: &Task) -> String {
        match task.signals.due {
            Some(due) if due <= self.today.now => "overdue".to_owned(),
            Some(due) if due < self.today.end => format!("due {}", self.clock(due)),
            _ => match task.why.first() {
                Some(why) => format!("{} \u{b7} {why}", task.priority.label()),
                None => task.priority.label().to_owned(),
            },
        }
    }

    fn finish(mut self) -> DayPlan {
        self.blocks.sort_by_key(|b| (b.start, b.end));
        self.not_today.sort_by_key(|(p, i, _)| (*p, *i));
        DayPlan {
            date: self.today.date.clone(),
            work_start: self.work.start,
            work_end: self.work.end,
            blocks: self.blocks,
            not_today: self.not_today.into_iter().map(|(_, _, n)| n).collect(),
        }
    }
}

fn is_meeting(kind: TaskKind) -> bool {
    matches!(kind, TaskKind::Meeting | TaskKind::Rsvp)
}
