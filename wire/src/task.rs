//! Tasks, sources, priorities and the snapshot: what the dashboard shows.

use serde::{Deserialize, Serialize};

/// Where a task comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Google Calendar.
    GoogleCalendar,
    /// Gmail.
    Gmail,
    /// Google Drive comments.
    GoogleDrive,
    /// Linear issues.
    Linear,
    /// GitHub reviews, assignments, mentions.
    Github,
    /// Slack mentions and marked messages.
    Slack,
    /// Granola meeting-note action items.
    Granola,
    /// The user's own ad-hoc tasks (stored locally).
    AdHoc,
}

impl Source {
    /// Every source that is fetched from a provider (not ad-hoc), in display order.
    pub const PROVIDERS: [Source; 7] = [
        Source::GoogleCalendar,
        Source::Gmail,
        Source::GoogleDrive,
        Source::Linear,
        Source::Github,
        Source::Slack,
        Source::Granola,
    ];

    /// The stable identifier used in config, URLs and task ids.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::GoogleCalendar => "google_calendar",
            Source::Gmail => "gmail",
            Source::GoogleDrive => "google_drive",
            Source::Linear => "linear",
            Source::Github => "github",
            Source::Slack => "slack",
            Source::Granola => "granola",
            Source::AdHoc => "ad_hoc",
        }
    }

    /// Parses [`Source::as_str`].
    pub fn parse(value: &str) -> Option<Source> {
        Self::PROVIDERS
            .into_iter()
            .chain([Source::AdHoc])
            .find(|s| s.as_str() == value)
    }

    /// A name for people.
    pub fn label(self) -> &'static str {
        match self {
            Source::GoogleCalendar => "Calendar",
            Source::Gmail => "Gmail",
            Source::GoogleDrive => "Drive",
            Source::Linear => "Linear",
            Source::Github => "GitHub",
            Source::Slack => "Slack",
            Source::Granola => "Granola",
            Source::AdHoc => "My tasks",
        }
    }
}

/// The four priority levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Do it now.
    Critical,
    /// Today, soon.
    High,
    /// Today if possible.
    Medium,
    /// When there is time.
    Low,
}

impl Priority {
    /// All levels, most urgent first.
    pub const ALL: [Priority; 4] = [
        Priority::Critical,
        Priority::High,
        Priority::Medium,
        Priority::Low,
    ];

    /// One level more urgent (saturating).
    pub fn raised(self) -> Priority {
        match self {
            Priority::Critical | Priority::High => Priority::Critical,
            Priority::Medium => Priority::High,
            Priority::Low => Priority::Medium,
        }
    }

    /// One level less urgent (saturating).
    pub fn lowered(self) -> Priority {
        match self {
            Priority::Critical => Priority::High,
            Priority::High => Priority::Medium,
            Priority::Medium | Priority::Low => Priority::Low,
        }
    }

    /// A name for people.
    pub fn label(self) -> &'static str {
        match self {
            Priority::Critical => "Critical",
            Priority::High => "High",
            Priority::Medium => "Medium",
            Priority::Low => "Low",
        }
    }
}

/// What kind of to-do a task is; decides what the user may do with it locally.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// A meeting today.
    Meeting,
    /// A meeting invitation still waiting for my answer.
    Rsvp,
    /// Mail that needs action.
    Email,
    /// A document comment assigned to me or mentioning me.
    DocComment,
    /// An issue assigned to me (Linear or GitHub).
    Issue,
    /// A pull request whose review was requested of me.
    Review,
    /// A pull request assigned to me.
    PullRequest,
    /// A mention of me (Slack, GitHub notifications).
    Mention,
    /// A message I marked with the configured emoji.
    MarkedMessage,
    /// An action item from meeting notes.
    MeetingNoteItem,
    /// A task of my own.
    AdHoc,
}

impl TaskKind {
    /// Every kind, in display order (the filter chips, the API description).
    pub const ALL: [TaskKind; 11] = [
        TaskKind::Meeting,
        TaskKind::Rsvp,
        TaskKind::Email,
        TaskKind::DocComment,
        TaskKind::Issue,
        TaskKind::Review,
        TaskKind::PullRequest,
        TaskKind::Mention,
        TaskKind::MarkedMessage,
        TaskKind::MeetingNoteItem,
        TaskKind::AdHoc,
    ];

    /// Whether the user can dismiss it here: only kinds that the source itself cannot
    /// mark done (for the others, act in the source app).
    pub fn dismissible(self) -> bool {
        matches!(
            self,
            TaskKind::MeetingNoteItem
                | TaskKind::DocComment
                | TaskKind::Mention
                | TaskKind::MarkedMessage
                | TaskKind::AdHoc
        )
    }

    /// A name for people.
    pub fn label(self) -> &'static str {
        match self {
            TaskKind::Meeting => "Meeting",
            TaskKind::Rsvp => "RSVP needed",
            TaskKind::Email => "Email",
            TaskKind::DocComment => "Doc comment",
            TaskKind::Issue => "Issue",
            TaskKind::Review => "Review requested",
            TaskKind::PullRequest => "Pull request",
            TaskKind::Mention => "Mention",
            TaskKind::MarkedMessage => "Marked message",
            TaskKind::MeetingNoteItem => "Meeting action item",
            TaskKind::AdHoc => "My task",
        }
    }
}

/// A stable task identity: `<source>:<provider id>`. Local decisions are keyed by it,
/// so they survive every refresh.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TaskId(pub String);

impl TaskId {
    /// The id of a provider item.
    pub fn new(source: Source, provider_id: &str) -> Self {
        Self(format!("{}:{provider_id}", source.as_str()))
    }

    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Somebody involved in a task (who is waiting, who asked).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// Display name.
    pub name: String,
    /// Email, handle or login, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
}

/// Facts a connector saw that scoring weighs. All optional: a connector sets what its
/// provider tells.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signals {
    /// Due date/time, Unix seconds (for a date-only due, the end of that local day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<i64>,
    /// Meeting start, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<i64>,
    /// Meeting end, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<i64>,
    /// When the item was created or last changed at the source, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<i64>,
    /// Someone is explicitly waiting on me (review requested, direct question, assignment).
    #[serde(default)]
    pub waiting_on_me: bool,
    /// I was mentioned directly.
    #[serde(default)]
    pub direct_mention: bool,
    /// My RSVP is still needed.
    #[serde(default)]
    pub rsvp_needed: bool,
    /// Starred or marked important at the source.
    #[serde(default)]
    pub starred: bool,
    /// The source's own priority, normalized: 1 urgent, 2 high, 3 medium, 4 low.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_priority: Option<u8>,
}

/// One to-do on today's list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// Stable identity.
    pub id: TaskId,
    /// Where it comes from.
    pub source: Source,
    /// What kind of to-do it is.
    pub kind: TaskKind,
    /// One line.
    pub title: String,
    /// A short plain-text excerpt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
    /// Opens the item at its source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// People involved (who is waiting, who asked).
    #[serde(default)]
    pub people: Vec<Person>,
    /// What scoring weighs.
    #[serde(default)]
    pub signals: Signals,
    /// Keys this task names (e.g. `linear:ENG-142`, `github:acme/api#1347`, `gdoc:<id>`,
    /// `meeting:<title>`), used for cross-references.
    #[serde(default)]
    pub refs: Vec<String>,
    /// Tasks that name the same thing (both ways).
    #[serde(default)]
    pub links: Vec<TaskId>,
    /// 0–100.
    #[serde(default)]
    pub score: u8,
    /// The level from the score (before any override).
    pub computed_priority: Priority,
    /// The level shown: the override when there is one.
    pub priority: Priority,
    /// Why this priority, in short phrases.
    #[serde(default)]
    pub why: Vec<String>,
    /// The user's override, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority_override: Option<Priority>,
    /// Dismissed locally (hidden unless "show dismissed").
    #[serde(default)]
    pub dismissed: bool,
    /// Whether it may be dismissed here.
    #[serde(default)]
    pub dismissible: bool,
    /// Set when the latest refresh could not fetch this task's source: the task is the
    /// one that source gave earlier today, at this Unix time, kept so a provider's
    /// hiccup does not take it off the list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept_from: Option<i64>,
}

impl Task {
    /// A task as a connector first makes it: what it is and where it comes from, with
    /// nothing else known yet (no text, link, people, signals or refs), unscored (low),
    /// undecided, dismissible as its kind is. The rest is filled in with struct update
    /// syntax: `Task { url, signals, ..Task::new(source, id, kind, title) }`.
    pub fn new(
        source: Source,
        provider_id: &str,
        kind: TaskKind,
        title: impl Into<String>,
    ) -> Task {
        Task {
            id: TaskId::new(source, provider_id),
            source,
            kind,
            title: title.into(),
            snippet: None,
            url: None,
            people: Vec::new(),
            signals: Signals::default(),
            refs: Vec::new(),
            links: Vec::new(),
            score: 0,
            computed_priority: Priority::Low,
            priority: Priority::Low,
            why: Vec::new(),
            priority_override: None,
            dismissed: false,
            dismissible: kind.dismissible(),
            kept_from: None,
        }
    }
}

/// How one source's last fetch went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SourceState {
    /// Fetched.
    Ok {
        /// Tasks produced.
        count: usize,
        /// Items skipped as unusable, with a counted reason.
        #[serde(default)]
        skipped: usize,
    },
    /// Failed; the reason is for people.
    Failed {
        /// What went wrong.
        reason: String,
    },
    /// Not configured or disabled in the configuration.
    Disabled,
    /// Turned off by the user (`PUT /api/sources/{source}`): not exchanged for, not
    /// fetched, its tasks hidden, until turned back on.
    Off,
    /// Enabled but not fetched yet (no refresh has run since it was configured).
    Pending,
}

/// One source's status in a snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceStatus {
    /// Which source.
    pub source: Source,
    /// Outcome.
    #[serde(flatten)]
    pub state: SourceState,
    /// How long the fetch took, milliseconds.
    pub duration_ms: u64,
    /// When it finished, Unix seconds.
    pub fetched_at: i64,
}

/// The latest fetch of every source, with the user's decisions applied.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// When the refresh finished, Unix seconds (0 = never refreshed).
    pub generated_at: i64,
    /// Tasks, highest score first.
    pub tasks: Vec<Task>,
    /// Every source's status.
    pub sources: Vec<SourceStatus>,
}
