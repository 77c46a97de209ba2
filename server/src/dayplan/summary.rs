//! The plan in a few lines of text, for the chat (with or without an LLM) and for
//! the agent to quote (pure).

use std::fmt::Write as _;

use pmt_wire::dayplan::{BlockKind, DayPlan};

use super::local_clock;
use crate::sources::Today;

/// At most this many not-today items are named; the rest are counted.
const MAX_NOT_TODAY_LINES: usize = 10;

/// One line per block from now on (earlier blocks are summed up in one line), then
/// what does not fit today and why.
pub fn summary(plan: &DayPlan, today: &Today) -> String {
    let clock = |at: i64| local_clock(at, today);
    let mut text = format!(
        "Plan for {} (working hours {}\u{2013}{}):\n",
        plan.date,
        clock(plan.work_start),
        clock(plan.work_end)
    );
    let past = plan.blocks.iter().filter(|b| b.end <= today.now).count();
    if past > 0 {
        let noun = if past == 1 { "block" } else { "blocks" };
        let _ = writeln!(text, "({past} earlier {noun} already over)");
    }
    let upcoming: Vec<_> = plan.blocks.iter().filter(|b| b.end > today.now).collect();
    if upcoming.is_empty() {
        text.push_str("Nothing left on the schedule today.\n");
    }
    for b in upcoming {
        let kind = match b.kind {
            BlockKind::Meeting => "Meeting",
            BlockKind::Prep => "Prep",
            BlockKind::Focus => "Focus",
            BlockKind::Break => "Break",
        };
        let _ = write!(
            text,
            "{}\u{2013}{}  {kind:<7} {}",
            clock(b.start),
            clock(b.end),
            b.title
        );
        if !b.note.is_empty() {
            let _ = write!(text, " ({})", b.note);
        }
        text.push('\n');
    }
    if !plan.not_today.is_empty() {
        let _ = writeln!(text, "Not today ({}):", plan.not_today.len());
        for n in plan.not_today.iter().take(MAX_NOT_TODAY_LINES) {
            let _ = writeln!(text, "- {}: {}", n.title, n.reason);
        }
        let more = plan.not_today.len().saturating_sub(MAX_NOT_TODAY_LINES);
        if more > 0 {
            let _ = writeln!(text, "- and {more} more");
        }
    }
    text.trim_end().to_owned()
}
