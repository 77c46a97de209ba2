//! The day plan: a time-blocked schedule for today, built by the backend from the
//! meetings, the working hours and the scored tasks (`GET /api/plan`, and the
//! `plan_my_day` tool).

use serde::{Deserialize, Serialize};

use crate::task::TaskId;

/// What a block of the plan is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    /// A meeting from the calendar (fixed).
    Meeting,
    /// Preparation right before the meeting it belongs to.
    Prep,
    /// Focused work on one task.
    Focus,
    /// A break kept free (lunch, the configured breaks).
    Break,
}

/// One block of the schedule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanBlock {
    /// Start, Unix seconds.
    pub start: i64,
    /// End, Unix seconds (after `start`).
    pub end: i64,
    /// What the block is for.
    pub kind: BlockKind,
    /// What to show: the meeting or task title, or the break's label.
    pub title: String,
    /// The task the block works on (meetings, prep and focus blocks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskId>,
    /// For a prep block, the meeting task it prepares.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prepares: Option<TaskId>,
    /// One short line: why it is here ("due 14:00", "prep for Design review").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// A task that did not fit today, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotToday {
    /// The task.
    pub task: TaskId,
    /// Its title.
    pub title: String,
    /// Why it was left out ("no free 45-minute block before 17:30").
    pub reason: String,
}

/// Today's schedule.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayPlan {
    /// The local date, `YYYY-MM-DD`.
    pub date: String,
    /// Start of the working day, Unix seconds.
    pub work_start: i64,
    /// End of the working day, Unix seconds.
    pub work_end: i64,
    /// The blocks in time order; no two overlap.
    pub blocks: Vec<PlanBlock>,
    /// What does not fit, highest priority first.
    pub not_today: Vec<NotToday>,
}
