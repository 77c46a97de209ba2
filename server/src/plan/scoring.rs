//! Scoring: from a task's signals to a 0–100 score, a level and a short "why".
//!
//! A score is the source's base score plus the weight of every signal that holds
//! (due, meeting time, someone waiting, mention, RSVP, star, the source's own
//! priority) minus a capped penalty for staleness, clamped to 0–100; the level comes
//! from [`Thresholds`]. Everything is tunable in the config file's `[scoring]` table;
//! a missing key keeps its default, an unknown key is an error (a typo must not be
//! silently ignored).
//!
//! The defaults are calibrated on the demo day so that an overdue urgent issue, a
//! meeting within the hour and that meeting's prep come out critical; a review
//! request or a high-priority issue due today high; and backlog issues without
//! priority, lunch pings and newsletters low. Pure: time comes in as [`Today`].

use pmt_wire::{Priority, Source, Task, TaskKind};
use serde::Deserialize;

use crate::sources::Today;

/// Seconds in an hour.
const HOUR: i64 = 3_600;
/// Seconds in a day.
const DAY: i64 = 86_400;
/// At most this many phrases explain a score.
pub const MAX_WHY: usize = 4;

/// The base score of each source: what an item from there is worth before any signal.
#[derive(Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct BaseScores {
    /// Default 30: a meeting matters, but only its time makes it urgent (a meeting
    /// later today lands medium, one within the hour critical, one that is over low).
    pub google_calendar: i32,
    /// Default 30: mail reaching the list already passed the "unread important or
    /// starred" filter (an important alert lands medium once linked to its issue);
    /// mail with no other signal stays low.
    pub gmail: i32,
    /// Default 30: a doc comment assigned to or mentioning me is usually an ask.
    pub google_drive: i32,
    /// Default 25: assigned issues are my work, but their own priority and due date
    /// say how urgent; without either they belong to the backlog (low).
    pub linear: i32,
    /// Default 30: review requests, assignments and mentions are asks of me.
    pub github: i32,
    /// Default 20: chat is noisy; a mention alone stays low unless it names other
    /// work (a link) or something waits on it.
    pub slack: i32,
    /// Default 30: action items I agreed to in a meeting.
    pub granola: i32,
    /// Default 45: I wrote it down myself, so it starts at medium.
    pub ad_hoc: i32,
}

impl Default for BaseScores {
    fn default() -> Self {
        Self {
            google_calendar: 30,
            gmail: 30,
            google_drive: 30,
            linear: 25,
            github: 30,
            slack: 20,
            granola: 30,
            ad_hoc: 45,
        }
    }
}

impl BaseScores {
    /// The base score of `source`.
    pub fn of(&self, source: Source) -> i32 {
        match source {
            Source::GoogleCalendar => self.google_calendar,
            Source::Gmail => self.gmail,
            Source::GoogleDrive => self.google_drive,
            Source::Linear => self.linear,
            Source::Github => self.github,
            Source::Slack => self.slack,
            Source::Granola => self.granola,
            Source::AdHoc => self.ad_hoc,
        }
    }
}

/// The lowest score of each level; below `medium` is low.
#[derive(Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// Default 80: reached only by combinations that mean "now" (overdue and urgent,
    /// a meeting within the hour, its prep).
    pub critical: u8,
    /// Default 60: a strong signal on a solid base (due today with a high source
    /// priority, a review request, an RSVP).
    pub high: u8,
    /// Default 40: one real signal on a base, or a cross-reference.
    pub medium: u8,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            critical: 80,
            high: 60,
            medium: 40,
        }
    }
}

/// Every weight scoring uses; the config file's `[scoring]` table.
#[derive(Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct ScoringWeights {
    /// Per-source base scores (`[scoring.base]`).
    pub base: BaseScores,
    /// Default 40: past its due date. With an urgent source priority this alone makes
    /// an item critical.
    pub overdue: i32,
    /// Default 25: due before the end of today (a date-only due is the end of the day).
    pub due_today: i32,
    /// Default 12: due within the next 24 hours, after today.
    pub due_soon: i32,
    /// Default 60: a meeting starting within the hour or under way: with the calendar
    /// base it is critical.
    pub meeting_within_hour: i32,
    /// Default 15: a meeting later today (medium with the calendar base).
    pub meeting_today: i32,
    /// Default 25: someone explicitly waits on me (review requested, comment assigned,
    /// a question in a mail). Counted only where it adds to what the kind already says:
    /// not for issues and meeting-note action items (assignment is their normal state;
    /// priority and due date say the urgency), not for mentions (`direct_mention`
    /// weighs the ask; a question mark in chat is no stronger signal: "lunch?"), not
    /// for RSVPs (`rsvp_needed` weighs it).
    pub waiting_on_me: i32,
    /// Default 12: I was mentioned directly.
    pub direct_mention: i32,
    /// Default 25: a meeting today still waits for my answer.
    pub rsvp_needed: i32,
    /// Default 15: starred, marked important, or marked by me at the source.
    pub starred: i32,
    /// Default 30: the source says urgent (Linear "Urgent").
    pub source_priority_urgent: i32,
    /// Default 15: the source says high.
    pub source_priority_high: i32,
    /// Default 5: the source says medium.
    pub source_priority_medium: i32,
    /// Default -5: the source says low; slightly below an item with no priority.
    pub source_priority_low: i32,
    /// Default 7: days without activity before an item counts as stale.
    pub stale_after_days: u32,
    /// Default 2: points lost per stale day beyond `stale_after_days`.
    pub age_penalty_per_day: i32,
    /// Default 20: at most this many points lost to staleness (an old but overdue
    /// urgent issue stays critical).
    pub max_age_penalty: i32,
    /// Default 15: prep for a meeting later today (shares a doc or the meeting's
    /// title with it).
    pub prep_for_meeting: i32,
    /// Default 50: prep for a meeting within the hour: as urgent as the meeting.
    pub prep_for_meeting_within_hour: i32,
    /// Default 10: linked to other tasks (the same issue, PR, doc or meeting shows up
    /// elsewhere: it is live work, not noise). Not for meetings, whose urgency is
    /// their time.
    pub linked: i32,
    /// Levels (`[scoring.thresholds]`).
    pub thresholds: Thresholds,
}

impl Default for ScoringWeights {
    fn default() -> Self {
        Self {
            base: BaseScores::default(),
            overdue: 40,
            due_today: 25,
            due_soon: 12,
            meeting_within_hour: 60,
            meeting_today: 15,
            waiting_on_me: 25,
            direct_mention: 12,
            rsvp_needed: 25,
            starred: 15,
            source_priority_urgent: 30,
            source_priority_high: 15,
            source_priority_medium: 5,
            source_priority_low: -5,
            stale_after_days: 7,
            age_penalty_per_day: 2,
            max_age_penalty: 20,
            prep_for_meeting: 15,
            prep_for_meeting_within_hour: 50,
            linked: 10,
            thresholds: Thresholds::default(),
        }
    }
}

/// Why weights from a config file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid [scoring] weights: {0}")]
pub struct InvalidWeights(pub String);

impl ScoringWeights {
    /// Checks what serde cannot: thresholds strictly decreasing and within 1–100,
    /// penalties not negative.
    ///
    /// # Errors
    /// With what is wrong, for the config loader to report.
    pub fn check(&self) -> Result<(), InvalidWeights> {
        let t = &self.thresholds;
        if !(t.critical <= 100 && t.critical > t.high && t.high > t.medium && t.medium > 0) {
            return Err(InvalidWeights(format!(
                "thresholds must satisfy 100 >= critical > high > medium > 0 (got {}, {}, {})",
                t.critical, t.high, t.medium
            )));
        }
        if self.age_penalty_per_day < 0 || self.max_age_penalty < 0 {
            return Err(InvalidWeights(
                "age_penalty_per_day and max_age_penalty must not be negative".to_owned(),
            ));
        }
        Ok(())
    }

    /// The level of a score.
    pub fn level(&self, score: u8) -> Priority {
        let t = &self.thresholds;
        if score >= t.critical {
            Priority::Critical
        } else if score >= t.high {
            Priority::High
        } else if score >= t.medium {
            Priority::Medium
        } else {
            Priority::Low
        }
    }
}

/// One signal that counted: its points and how to say it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contribution {
    /// Points added (negative: removed).
    pub points: i32,
    /// A short phrase for people ("due today").
    pub why: String,
}

impl Contribution {
    /// A contribution.
    pub fn new(points: i32, why: impl Into<String>) -> Self {
        Self {
            points,
            why: why.into(),
        }
    }
}

/// A task's score, level and explanation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scored {
    /// 0–100.
    pub score: u8,
    /// The level of `score`.
    pub priority: Priority,
    /// The signals that counted, most important first, at most [`MAX_WHY`].
    pub why: Vec<String>,
}

/// Scores one task on its own signals.
pub fn score(task: &Task, today: &Today, w: &ScoringWeights) -> Scored {
    score_with(task, today, w, Vec::new())
}

/// Scores one task on its own signals plus `extra` contributions that depend on
/// other tasks (prep for a meeting, cross-references: see `plan::crossref`).
pub fn score_with(
    task: &Task,
    today: &Today,
    w: &ScoringWeights,
    extra: Vec<Contribution>,
) -> Scored {
    let mut parts = signals(task, today, w);
    parts.extend(extra);
    // A weight set to 0 in the config means the signal does not count: not a reason.
    parts.retain(|p| p.points != 0);
    let total = parts.iter().fold(w.base.of(task.source), |sum, p| {
        sum.saturating_add(p.points)
    });
    let score = u8::try_from(total.clamp(0, 100)).unwrap_or(0);
    // Most important first: the biggest gains, then the biggest losses. The sort is
    // stable, so equal weights keep the order signals were checked in.
    parts.sort_by_key(|p| (p.points < 0, std::cmp::Reverse(p.points.abs())));
    Scored {
        score,
        priority: w.level(score),
        why: parts.into_iter().take(MAX_WHY).map(|p| p.why).collect(),
    }
}

/// The contributions of the task's own signals.
fn signals(task: &Task, today: &Today, w: &ScoringWeights) -> Vec<Contribution> {
    let s = &task.signals;
    let mut parts = Vec::new();
    if let Some(due) = s.due {
        parts.extend(due_signal(due, today, w));
    }
    if let Some(start) = s.starts_at {
        parts.extend(meeting_signal(start, s.ends_at, today, w));
    }
    if let Some(phrase) = waiting_phrase(task.kind).filter(|_| s.waiting_on_me) {
        parts.push(Contribution::new(w.waiting_on_me, phrase));
    }
    if s.direct_mention {
        parts.push(Contribution::new(w.direct_mention, "mentioned you"));
    }
    if s.rsvp_needed {
        parts.push(Contribution::new(w.rsvp_needed, "RSVP needed"));
    }
    if s.starred {
        let phrase = match task.kind {
            TaskKind::MarkedMessage => "marked by you",
            _ => "starred",
        };
        parts.push(Contribution::new(w.starred, phrase));
    }
    if let Some(p) = s.source_priority {
        let (points, name) = match p {
            1 => (w.source_priority_urgent, "Urgent"),
            2 => (w.source_priority_high, "High"),
            3 => (w.source_priority_medium, "Medium"),
            4 => (w.source_priority_low, "Low"),
            _ => (0, ""),
        };
        parts.push(Contribution::new(
            points,
            format!("{}: {name}", task.source.label()),
        ));
    }
    if let Some(updated) = s.updated_at {
        if !matches!(task.kind, TaskKind::Meeting | TaskKind::Rsvp) {
            parts.extend(age_signal(updated, today, w));
        }
    }
    parts
}

/// Overdue, due today or due soon.
fn due_signal(due: i64, today: &Today, w: &ScoringWeights) -> Option<Contribution> {
    if due <= today.start {
        // A date-only due is the end of its day, i.e. the next midnight: due exactly at
        // today's start means "yesterday", one day late.
        let days = (today.start - due) / DAY + 1;
        let unit = if days == 1 { "day" } else { "days" };
        Some(Contribution::new(
            w.overdue,
            format!("overdue by {days} {unit}"),
        ))
    } else if due < today.now {
        Some(Contribution::new(
            w.overdue,
            format!("overdue since {}", clock(due, today)),
        ))
    } else if due <= today.end {
        Some(Contribution::new(w.due_today, "due today"))
    } else if due <= today.now + DAY {
        let hours = (due - today.now + HOUR - 1) / HOUR;
        Some(Contribution::new(w.due_soon, format!("due in {hours} h")))
    } else {
        None
    }
}

/// A meeting within the hour (or under way) or later today. All-day events and
/// meetings that are over do not count.
fn meeting_signal(
    start: i64,
    end: Option<i64>,
    today: &Today,
    w: &ScoringWeights,
) -> Option<Contribution> {
    let end = end.unwrap_or(start);
    let all_day = end - start >= 23 * HOUR;
    if all_day || end <= today.now && start < today.now || start >= today.end {
        return None;
    }
    if start <= today.now {
        Some(Contribution::new(
            w.meeting_within_hour,
            "meeting under way",
        ))
    } else if start - today.now <= HOUR {
        let minutes = (start - today.now + 59) / 60;
        Some(Contribution::new(
            w.meeting_within_hour,
            format!("meeting in {minutes} min"),
        ))
    } else {
        Some(Contribution::new(
            w.meeting_today,
            format!("meeting at {}", clock(start, today)),
        ))
    }
}

/// The staleness penalty, once past `stale_after_days`.
fn age_signal(updated: i64, today: &Today, w: &ScoringWeights) -> Option<Contribution> {
    let days = (today.now - updated) / DAY;
    let stale_days = days - i64::from(w.stale_after_days);
    if stale_days <= 0 {
        return None;
    }
    let penalty = i64::from(w.age_penalty_per_day)
        .saturating_mul(stale_days)
        .min(i64::from(w.max_age_penalty));
    let penalty = i32::try_from(penalty).unwrap_or(i32::MAX);
    Some(Contribution::new(
        -penalty,
        format!("no activity for {days} days"),
    ))
}

/// How "someone waits on me" reads for a kind, or `None` where the kind already
/// weighs it (see [`ScoringWeights::waiting_on_me`]).
fn waiting_phrase(kind: TaskKind) -> Option<&'static str> {
    match kind {
        TaskKind::Issue | TaskKind::MeetingNoteItem | TaskKind::Mention | TaskKind::Rsvp => None,
        TaskKind::Review => Some("review requested"),
        TaskKind::DocComment | TaskKind::PullRequest => Some("assigned to you"),
        TaskKind::Email => Some("asks you something"),
        TaskKind::Meeting | TaskKind::MarkedMessage | TaskKind::AdHoc => Some("waiting on you"),
    }
}

/// Local `HH:MM` of a Unix time, in today's offset.
pub fn clock(at: i64, today: &Today) -> String {
    let local = (at + i64::from(today.utc_offset_secs)).rem_euclid(DAY);
    format!("{:02}:{:02}", local / HOUR, local % HOUR / 60)
}

#[cfg(test)]
mod tests {
    use pmt_wire::Signals;

    use super::*;

    /// 2026-11-23 09:30 in Paris (UTC+1): the demo day's "now".
    const NOW: i64 = 1_795_422_600;

    fn today() -> Today {
        Today::at(NOW, "Europe/Paris").unwrap()
    }

    fn task(source: Source, kind: TaskKind, signals: Signals) -> Task {
        Task {
            signals,
            ..Task::new(source, "x", kind, "x")
        }
    }

    fn linear(priority: Option<u8>, due: Option<i64>) -> Task {
        task(
            Source::Linear,
            TaskKind::Issue,
            Signals {
                due,
                source_priority: priority,
                waiting_on_me: true,
                updated_at: Some(NOW - 2 * DAY),
                ..Signals::default()
            },
        )
    }

    fn meeting(start: i64, minutes: i64) -> Task {
        task(
            Source::GoogleCalendar,
            TaskKind::Meeting,
            Signals {
                starts_at: Some(start),
                ends_at: Some(start + minutes * 60),
                updated_at: Some(NOW - 30 * DAY),
                ..Signals::default()
            },
        )
    }

    #[test]
    fn demo_now_is_half_past_nine_in_paris() {
        let t = today();
        assert_eq!(clock(t.now, &t), "09:30");
        assert_eq!(t.end - t.start, DAY);
    }

    #[test]
    fn overdue_urgent_issue_is_critical() {
        let t = today();
        // ENG-130: urgent, due yesterday (date-only: the end of yesterday).
        let s = score(
            &linear(Some(1), Some(t.start)),
            &t,
            &ScoringWeights::default(),
        );
        assert_eq!(s.priority, Priority::Critical, "{s:?}");
        assert_eq!(s.why[0], "overdue by 1 day");
        assert!(s.why.contains(&"Linear: Urgent".to_owned()));
    }

    #[test]
    fn high_issue_due_today_is_high() {
        let t = today();
        // ENG-142: high, due today (the end of today), linked elsewhere.
        let s = score_with(
            &linear(Some(2), Some(t.end)),
            &t,
            &ScoringWeights::default(),
            vec![Contribution::new(10, "linked to 3 tasks")],
        );
        assert_eq!(s.priority, Priority::High, "{s:?}");
        assert_eq!(s.why[0], "due today");
    }

    #[test]
    fn review_requested_is_high() {
        let t = today();
        let review = task(
            Source::Github,
            TaskKind::Review,
            Signals {
                waiting_on_me: true,
                updated_at: Some(NOW - 3600),
                ..Signals::default()
            },
        );
        let s = score_with(
            &review,
            &t,
            &ScoringWeights::default(),
            vec![Contribution::new(10, "linked to 2 tasks")],
        );
        assert_eq!(s.priority, Priority::High, "{s:?}");
        assert_eq!(s.why[0], "review requested");
    }

    #[test]
    fn meeting_in_40_minutes_is_critical() {
        let t = today();
        let s = score(&meeting(NOW + 40 * 60, 30), &t, &ScoringWeights::default());
        assert_eq!(s.priority, Priority::Critical, "{s:?}");
        assert_eq!(s.why, vec!["meeting in 40 min"]);
    }

    #[test]
    fn meeting_later_today_is_medium_and_over_is_low() {
        let t = today();
        let w = ScoringWeights::default();
        let later = score(&meeting(t.start + 14 * 3600, 30), &t, &w);
        assert_eq!(later.priority, Priority::Medium);
        assert_eq!(later.why, vec!["meeting at 14:00"]);
        let over = score(&meeting(t.start + 9 * 3600, 15), &t, &w);
        assert_eq!(over.priority, Priority::Low);
        assert!(over.why.is_empty());
    }

    #[test]
    fn all_day_event_is_not_a_meeting_soon() {
        let t = today();
        let s = score(&meeting(t.start, 24 * 60), &t, &ScoringWeights::default());
        assert_eq!(s.priority, Priority::Low);
    }

    #[test]
    fn rsvp_for_a_meeting_today_is_high() {
        let t = today();
        let mut rsvp = meeting(t.start + 16 * 3600, 60);
        rsvp.kind = TaskKind::Rsvp;
        rsvp.signals.rsvp_needed = true;
        let s = score(&rsvp, &t, &ScoringWeights::default());
        assert_eq!(s.priority, Priority::High, "{s:?}");
        assert_eq!(s.why, vec!["RSVP needed", "meeting at 16:00"]);
    }

    #[test]
    fn noise_scores_low() {
        let t = today();
        let w = ScoringWeights::default();
        // ENG-99: no priority, backlog, untouched for weeks.
        let mut backlog = linear(None, None);
        backlog.signals.updated_at = Some(NOW - 40 * DAY);
        assert_eq!(score(&backlog, &t, &w).priority, Priority::Low);
        // ENG-160: low priority, no due date.
        assert_eq!(
            score(&linear(Some(4), None), &t, &w).priority,
            Priority::Low
        );
        // "#random: @dana lunch?": a mention with a question mark.
        let lunch = task(
            Source::Slack,
            TaskKind::Mention,
            Signals {
                direct_mention: true,
                waiting_on_me: true,
                ..Signals::default()
            },
        );
        assert_eq!(score(&lunch, &t, &w).priority, Priority::Low);
        // A newsletter: mail with no signal at all.
        let newsletter = task(Source::Gmail, TaskKind::Email, Signals::default());
        assert_eq!(score(&newsletter, &t, &w).priority, Priority::Low);
    }

    #[test]
    fn why_lists_the_signals_that_counted() {
        let t = today();
        let mut gh = task(
            Source::Github,
            TaskKind::Review,
            Signals {
                waiting_on_me: true,
                direct_mention: true,
                starred: true,
                due: Some(NOW + 2 * 3600),
                updated_at: Some(NOW - 12 * DAY),
                ..Signals::default()
            },
        );
        let s = score(&gh, &t, &ScoringWeights::default());
        assert_eq!(
            s.why,
            vec!["due today", "review requested", "starred", "mentioned you"],
            "biggest first (ties in checking order), at most four"
        );
        gh.signals = Signals {
            updated_at: Some(NOW - 12 * DAY),
            ..Signals::default()
        };
        let s = score(&gh, &t, &ScoringWeights::default());
        assert_eq!(s.why, vec!["no activity for 12 days"]);
        assert_eq!(s.score, 30 - 10);
    }

    #[test]
    fn overlapping_signals_count_once() {
        let t = today();
        let w = ScoringWeights::default();
        // The calendar says "needs an answer" both as RSVP and as waiting.
        let mut rsvp = meeting(t.start + 16 * 3600, 60);
        rsvp.kind = TaskKind::Rsvp;
        rsvp.signals.rsvp_needed = true;
        rsvp.signals.waiting_on_me = true;
        assert_eq!(
            score(&rsvp, &t, &w).why,
            vec!["RSVP needed", "meeting at 16:00"]
        );
        // An action item assigned to me is waiting by nature.
        let item = task(
            Source::Granola,
            TaskKind::MeetingNoteItem,
            Signals {
                waiting_on_me: true,
                ..Signals::default()
            },
        );
        assert_eq!(score(&item, &t, &w).score, 30);
        // A mail that asks something does count it.
        let mail = task(
            Source::Gmail,
            TaskKind::Email,
            Signals {
                waiting_on_me: true,
                ..Signals::default()
            },
        );
        assert_eq!(score(&mail, &t, &w).why, vec!["asks you something"]);
    }

    #[test]
    fn a_zero_weight_is_not_a_reason() {
        let t = today();
        let w = ScoringWeights {
            starred: 0,
            ..ScoringWeights::default()
        };
        let mail = task(
            Source::Gmail,
            TaskKind::Email,
            Signals {
                starred: true,
                ..Signals::default()
            },
        );
        assert!(score(&mail, &t, &w).why.is_empty());
    }

    #[test]
    fn score_is_clamped_to_100() {
        let t = today();
        let mut everything = linear(Some(1), Some(t.start - 5 * DAY));
        everything.kind = TaskKind::Review;
        everything.signals.direct_mention = true;
        everything.signals.starred = true;
        let s = score(&everything, &t, &ScoringWeights::default());
        assert_eq!(s.score, 100);
        assert_eq!(s.why[0], "overdue by 6 days");
        let w = ScoringWeights {
            base: BaseScores {
                gmail: -50,
                ..BaseScores::default()
            },
            ..ScoringWeights::default()
        };
        let mail = task(Source::Gmail, TaskKind::Email, Signals::default());
        assert_eq!(score(&mail, &t, &w).score, 0);
    }

    #[test]
    fn due_at_the_local_day_boundary() {
        let t = today();
        let w = ScoringWeights::default();
        let due = |at| score(&linear(None, Some(at)), &t, &w).why;
        // The end of today (next local midnight) is still today…
        assert_eq!(due(t.end), vec!["due today"]);
        // …one second later is tomorrow.
        assert_eq!(due(t.end + 1), vec!["due in 15 h"]);
        // Today's local midnight is the end of yesterday: one day late.
        assert_eq!(due(t.start), vec!["overdue by 1 day"]);
        assert_eq!(due(t.start - DAY), vec!["overdue by 2 days"]);
        // Earlier today: late since then.
        assert_eq!(due(t.start + 8 * 3600), vec!["overdue since 08:00"]);
        // The day is Paris's, not UTC's: 23:30 UTC yesterday is 00:30 today there.
        assert_eq!(due(t.start + 30 * 60), vec!["overdue since 00:30"]);
        assert_eq!(t.start % DAY, DAY - 3600, "local midnight is 23:00 UTC");
    }

    #[test]
    fn weights_from_config_change_the_level() {
        let t = today();
        let w: ScoringWeights = toml::from_str(
            "overdue = 5\n[base]\nlinear = 10\n[thresholds]\ncritical = 90\nhigh = 70\nmedium = 50\n",
        )
        .unwrap();
        assert_eq!(w.base.gmail, 30, "missing keys keep their defaults");
        let s = score(&linear(Some(1), Some(t.start)), &t, &w);
        assert_eq!(s.score, 10 + 5 + 30);
        assert_eq!(s.priority, Priority::Low);
        assert!(toml::from_str::<ScoringWeights>("overdeu = 5").is_err());
    }

    #[test]
    fn thresholds_out_of_order_are_refused() {
        let mut w = ScoringWeights::default();
        assert_eq!(w.check(), Ok(()));
        w.thresholds.high = 90;
        assert!(w.check().is_err());
    }
}
