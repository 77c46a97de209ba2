//! The day plan: a time-blocked schedule for today (pure: no I/O, time comes in as
//! [`Today`]).
//!
//! Meetings are fixed, prep comes right before the meeting it prepares, breaks are
//! kept, and the rest of the working day is filled with focus blocks, most urgent
//! work first, never before now, never past a due time; what does not fit is listed
//! as "not today" with the reason. It needs no LLM: `GET /api/plan` and the
//! `plan_my_day` tool both serve it.
//!
//! - [`settings`]: the `[planning]` table (working hours, breaks, durations).
//! - [`schedule`]: the scheduler.
//! - [`timeline`]: busy time and free-slot search.
//! - [`summary`]: the plan as a few lines of text (for the chat and the agent).

pub mod schedule;
pub mod settings;
pub mod summary;
pub mod timeline;

#[cfg(test)]
mod properties;

pub use schedule::build;
pub use settings::{PlanningError, PlanningFile, PlanningSettings};
pub use summary::summary;

use crate::sources::Today;
use settings::ClockTime;

/// A local time of day today as Unix seconds, in the user's zone (correct on
/// daylight-saving days; a time skipped by the change counts as the one after it).
pub fn local_time(today: &Today, time: ClockTime) -> i64 {
    if time.minutes() >= 24 * 60 {
        return today.end;
    }
    let fallback = today.start + i64::from(time.minutes()) * 60;
    let Ok(date) = today.date.parse::<jiff::civil::Date>() else {
        return fallback;
    };
    let (Ok(hour), Ok(minute)) = (i8::try_from(time.hour()), i8::try_from(time.minute())) else {
        return fallback;
    };
    date.at(hour, minute, 0, 0)
        .to_zoned(today.zone())
        .map(|z| z.timestamp().as_second())
        .unwrap_or(fallback)
}

/// `HH:MM` of a Unix time in the user's zone.
pub fn local_clock(at: i64, today: &Today) -> String {
    jiff::Timestamp::from_second(at)
        .map(|ts| ts.to_zoned(today.zone()).strftime("%H:%M").to_string())
        .unwrap_or_else(|_| "--:--".to_owned())
}

#[cfg(test)]
mod tests;
