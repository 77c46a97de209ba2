//! The `[planning]` table: working hours, breaks, how long each kind of task takes,
//! and how long a meeting's prep is.
//!
//! The file holds times as `"HH:MM"` strings; [`PlanningSettings::from_file`] turns
//! them into [`ClockTime`]s and refuses anything unusable with the key's name
//! (`planning.breaks[0].end …`), the way the rest of the configuration does. Every
//! key is optional: what the file leaves out keeps its default.

use pmt_wire::TaskKind;
use serde::Deserialize;

/// Shortest duration a kind, a prep or a break may be given, minutes.
pub const MIN_MINUTES: u32 = 5;
/// Longest duration a kind or a prep may be given, minutes (a whole working day).
pub const MAX_MINUTES: u32 = 480;
/// Longest break label, characters.
const MAX_LABEL_CHARS: usize = 40;

/// Why a `[planning]` table cannot be used. The text names the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("planning.{key} {why}")]
pub struct PlanningError {
    /// The key, relative to `[planning]` (`work_start`, `breaks[1].label`, …).
    pub key: String,
    /// What is wrong with it.
    pub why: String,
}

impl PlanningError {
    fn new(key: impl Into<String>, why: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            why: why.into(),
        }
    }
}

/// A local time of day, minutes after midnight (0–1440; 1440 is the next midnight).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ClockTime(u16);

impl ClockTime {
    /// `hours:minutes` (`24:00` is the end of the day).
    ///
    /// # Errors
    /// When it is not a time of day.
    pub fn new(hours: u16, minutes: u16) -> Result<Self, String> {
        if minutes > 59 || hours > 24 || (hours == 24 && minutes > 0) {
            return Err(format!("{hours:02}:{minutes:02} is not a time of day"));
        }
        Ok(Self(hours * 60 + minutes))
    }

    /// Parses `"HH:MM"` (one- or two-digit hours, two-digit minutes; `24:00` allowed).
    ///
    /// # Errors
    /// A message for the user when it is anything else.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("must be a time like \"09:00\" (HH:MM, 00:00-24:00), not {text:?}");
        let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
        let digits = |s: &str, max_len: usize| {
            (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u16>().ok())
                .flatten()
        };
        let hours = digits(h, 2).ok_or_else(bad)?;
        let minutes = digits(m, 2).filter(|_| m.len() == 2).ok_or_else(bad)?;
        Self::new(hours, minutes).map_err(|_| bad())
    }

    /// Minutes after midnight.
    pub fn minutes(self) -> u16 {
        self.0
    }

    /// Hours part (0–24).
    pub fn hour(self) -> u16 {
        self.0 / 60
    }

    /// Minutes part (0–59).
    pub fn minute(self) -> u16 {
        self.0 % 60
    }
}

impl std::fmt::Display for ClockTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}", self.hour(), self.minute())
    }
}

/// A break kept free every day (lunch, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// When it starts.
    pub start: ClockTime,
    /// When it ends (after `start`).
    pub end: ClockTime,
    /// What the plan shows.
    pub label: String,
}

/// Minutes a task of each kind takes, for focus blocks. Meetings and invitations are
/// not here: their time is on the calendar.
#[derive(Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct KindMinutes {
    /// Default 15: read and answer one mail.
    pub email: u32,
    /// Default 20: answer or resolve a doc comment.
    pub doc_comment: u32,
    /// Default 60: work on an assigned issue.
    pub issue: u32,
    /// Default 30: review a pull request.
    pub review: u32,
    /// Default 45: move my own pull request along.
    pub pull_request: u32,
    /// Default 10: answer a mention.
    pub mention: u32,
    /// Default 15: follow up a message I marked.
    pub marked_message: u32,
    /// Default 30: an action item from meeting notes.
    pub meeting_note_item: u32,
    /// Default 30: a task of my own.
    pub ad_hoc: u32,
}

impl Default for KindMinutes {
    fn default() -> Self {
        Self {
            email: 15,
            doc_comment: 20,
            issue: 60,
            review: 30,
            pull_request: 45,
            mention: 10,
            marked_message: 15,
            meeting_note_item: 30,
            ad_hoc: 30,
        }
    }
}

impl KindMinutes {
    /// Minutes for a task of `kind`; `None` for meetings and invitations (fixed on the
    /// calendar).
    pub fn of(&self, kind: TaskKind) -> Option<u32> {
        match kind {
            TaskKind::Meeting | TaskKind::Rsvp => None,
            TaskKind::Email => Some(self.email),
            TaskKind::DocComment => Some(self.doc_comment),
            TaskKind::Issue => Some(self.issue),
            TaskKind::Review => Some(self.review),
            TaskKind::PullRequest => Some(self.pull_request),
            TaskKind::Mention => Some(self.mention),
            TaskKind::MarkedMessage => Some(self.marked_message),
            TaskKind::MeetingNoteItem => Some(self.meeting_note_item),
            TaskKind::AdHoc => Some(self.ad_hoc),
        }
    }

    fn entries(&self) -> [(&'static str, u32); 9] {
        [
            ("email", self.email),
            ("doc_comment", self.doc_comment),
            ("issue", self.issue),
            ("review", self.review),
            ("pull_request", self.pull_request),
            ("mention", self.mention),
            ("marked_message", self.marked_message),
            ("meeting_note_item", self.meeting_note_item),
            ("ad_hoc", self.ad_hoc),
        ]
    }
}

/// The `[planning]` table as written in the file (times still text).
#[derive(Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct PlanningFile {
    /// `"09:00"` by default.
    pub work_start: Option<String>,
    /// `"17:30"` by default.
    pub work_end: Option<String>,
    /// Lunch 12:30–13:15 by default; `breaks = []` means none.
    pub breaks: Option<Vec<BreakFile>>,
    /// Per-kind minutes (`[planning.minutes]`).
    pub minutes: KindMinutes,
    /// 15 by default.
    pub prep_minutes: Option<u32>,
}

/// One `breaks` entry as written in the file.
#[derive(Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct BreakFile {
    /// `"HH:MM"`.
    pub start: String,
    /// `"HH:MM"`.
    pub end: String,
    /// What the plan shows; `"Break"` when left out.
    #[serde(default)]
    pub label: Option<String>,
}

/// How the day plan is built: working hours, breaks, durations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanningSettings {
    /// When focus work may start.
    pub work_start: ClockTime,
    /// When it must end.
    pub work_end: ClockTime,
    /// Kept free, in time order.
    pub breaks: Vec<Break>,
    /// How long each kind of task takes.
    pub minutes: KindMinutes,
    /// How long the prep of one item before its meeting is.
    pub prep_minutes: u32,
}

impl Default for PlanningSettings {
    fn default() -> Self {
        Self {
            work_start: ClockTime(9 * 60),
            work_end: ClockTime(17 * 60 + 30),
            breaks: vec![Break {
                start: ClockTime(12 * 60 + 30),
                end: ClockTime(13 * 60 + 15),
                label: "Lunch".to_owned(),
            }],
            minutes: KindMinutes::default(),
            prep_minutes: 15,
        }
    }
}

impl PlanningSettings {
    /// The settings from the file's table, defaults for what it leaves out.
    ///
    /// # Errors
    /// A time that is not `HH:MM`, working hours that end before they start, a break
    /// that ends before it starts or overlaps another, an empty or long label, a
    /// duration outside 5–480 minutes.
    pub fn from_file(file: PlanningFile) -> Result<Self, PlanningError> {
        let defaults = Self::default();
        let time = |key: &str, value: Option<&str>, default: ClockTime| match value {
            Some(text) => ClockTime::parse(text).map_err(|why| PlanningError::new(key, why)),
            None => Ok(default),
        };
        let work_start = time(
            "work_start",
            file.work_start.as_deref(),
            defaults.work_start,
        )?;
        let work_end = time("work_end", file.work_end.as_deref(), defaults.work_end)?;
        let breaks = match file.breaks {
            None => defaults.breaks,
            Some(entries) => entries
                .into_iter()
                .enumerate()
                .map(|(i, b)| {
                    Ok(Break {
                        start: time(&format!("breaks[{i}].start"), Some(&b.start), work_start)?,
                        end: time(&format!("breaks[{i}].end"), Some(&b.end), work_end)?,
                        label: b
                            .label
                            .map(|l| l.trim().to_owned())
                            .unwrap_or_else(|| "Break".to_owned()),
                    })
                })
                .collect::<Result<Vec<_>, PlanningError>>()?,
        };
        let settings = Self {
            work_start,
            work_end,
            breaks,
            minutes: file.minutes,
            prep_minutes: file.prep_minutes.unwrap_or(defaults.prep_minutes),
        };
        settings.check()?;
        Ok(settings)
    }

    /// The rules any settings must meet (also for settings built in code). Sorts
    /// nothing: breaks must already be valid in any order.
    ///
    /// # Errors
    /// See [`Self::from_file`].
    pub fn check(&self) -> Result<(), PlanningError> {
        if self.work_end <= self.work_start {
            return Err(PlanningError::new(
                "work_end",
                format!(
                    "({}) must be after work_start ({})",
                    self.work_end, self.work_start
                ),
            ));
        }
        for (i, b) in self.breaks.iter().enumerate() {
            if b.end.minutes() < b.start.minutes() + MIN_MINUTES as u16 {
                return Err(PlanningError::new(
                    format!("breaks[{i}].end"),
                    format!(
                        "({}) must be at least {MIN_MINUTES} minutes after its start ({})",
                        b.end, b.start
                    ),
                ));
            }
            let chars = b.label.chars().count();
            if chars == 0 || chars > MAX_LABEL_CHARS {
                return Err(PlanningError::new(
                    format!("breaks[{i}].label"),
                    format!("must be 1-{MAX_LABEL_CHARS} characters"),
                ));
            }
            if let Some((j, other)) = self
                .breaks
                .iter()
                .enumerate()
                .take(i)
                .find(|(_, o)| o.start < b.end && b.start < o.end)
            {
                return Err(PlanningError::new(
                    format!("breaks[{i}]"),
                    format!(
                        "({}-{}) overlaps breaks[{j}] ({}-{})",
                        b.start, b.end, other.start, other.end
                    ),
                ));
            }
        }
        let range = MIN_MINUTES..=MAX_MINUTES;
        for (kind, minutes) in self.minutes.entries() {
            if !range.contains(&minutes) {
                return Err(PlanningError::new(
                    format!("minutes.{kind}"),
                    format!("must be between {MIN_MINUTES} and {MAX_MINUTES} (is {minutes})"),
                ));
            }
        }
        if !range.contains(&self.prep_minutes) {
            return Err(PlanningError::new(
                "prep_minutes",
                format!(
                    "must be between {MIN_MINUTES} and {MAX_MINUTES} (is {})",
                    self.prep_minutes
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_toml(text: &str) -> Result<PlanningSettings, PlanningError> {
        let file: PlanningFile = toml::from_str(text).expect("toml");
        PlanningSettings::from_file(file)
    }

    fn refused(text: &str) -> String {
        match from_toml(text) {
            Ok(s) => panic!("accepted {text}: {s:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn an_empty_table_gives_the_defaults() {
        let s = from_toml("").unwrap();
        assert_eq!(s, PlanningSettings::default());
        assert_eq!(s.work_start.to_string(), "09:00");
        assert_eq!(s.work_end.to_string(), "17:30");
        assert_eq!(s.breaks[0].label, "Lunch");
        assert_eq!(s.minutes.of(TaskKind::Issue), Some(60));
        assert_eq!(s.minutes.of(TaskKind::Meeting), None);
        assert!(s.check().is_ok());
    }

    #[test]
    fn reads_hours_breaks_and_minutes() {
        let s = from_toml(
            r#"
            work_start = "8:30"
            work_end = "16:00"
            breaks = [{ start = "10:00", end = "10:15" }, { start = "12:00", end = "12:45", label = "Lunch" }]
            prep_minutes = 10
            [minutes]
            issue = 90
            "#,
        )
        .unwrap();
        assert_eq!(s.work_start, ClockTime::new(8, 30).unwrap());
        assert_eq!(s.work_end.to_string(), "16:00");
        assert_eq!(s.breaks.len(), 2);
        assert_eq!(s.breaks[0].label, "Break");
        assert_eq!(s.minutes.issue, 90);
        assert_eq!(s.minutes.email, 15, "others keep their default");
        assert_eq!(s.prep_minutes, 10);
        assert!(from_toml("breaks = []").unwrap().breaks.is_empty());
    }

    #[test]
    fn bad_times_are_refused_naming_the_key() {
        for (text, key) in [
            ("work_start = \"9am\"", "planning.work_start"),
            ("work_start = \"25:00\"", "planning.work_start"),
            ("work_end = \"17:60\"", "planning.work_end"),
            ("work_end = \"24:01\"", "planning.work_end"),
            ("work_end = \"17:5\"", "planning.work_end"),
            ("work_end = \"\"", "planning.work_end"),
            (
                "breaks = [{ start = \"12\", end = \"13:00\" }]",
                "planning.breaks[0].start",
            ),
        ] {
            let e = refused(text);
            assert!(e.starts_with(key) && e.contains("HH:MM"), "{text}: {e}");
        }
        assert!(from_toml("work_end = \"24:00\"").is_ok());
    }

    #[test]
    fn impossible_hours_and_breaks_are_refused() {
        let e = refused("work_start = \"18:00\"");
        assert!(
            e.contains("planning.work_end (17:30) must be after work_start (18:00)"),
            "{e}"
        );
        let e = refused("breaks = [{ start = \"13:00\", end = \"12:00\" }]");
        assert!(e.starts_with("planning.breaks[0].end"), "{e}");
        let e = refused(
            "breaks = [{ start = \"12:00\", end = \"13:00\" }, { start = \"12:30\", end = \"14:00\" }]",
        );
        assert!(
            e.contains("planning.breaks[1]") && e.contains("overlaps breaks[0]"),
            "{e}"
        );
        let e = refused("breaks = [{ start = \"12:00\", end = \"13:00\", label = \" \" }]");
        assert!(e.contains("breaks[0].label"), "{e}");
    }

    #[test]
    fn durations_are_bounded() {
        let e = refused("[minutes]\nissue = 0");
        assert!(
            e.contains("planning.minutes.issue must be between 5 and 480"),
            "{e}"
        );
        let e = refused("prep_minutes = 1000");
        assert!(e.contains("planning.prep_minutes"), "{e}");
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(toml::from_str::<PlanningFile>("work_begin = \"09:00\"").is_err());
        assert!(toml::from_str::<PlanningFile>("[minutes]\nmeeting = 30").is_err());
    }
}
