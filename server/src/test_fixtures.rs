//! Test fixtures shared by the crate's unit tests.

use pmt_wire::{Priority, Source, Task, TaskKind};

/// A task of `kind` from the source that produces that kind, scored 50 at `priority`.
pub(crate) fn task(id: &str, kind: TaskKind, priority: Priority) -> Task {
    let source = match kind {
        TaskKind::Meeting | TaskKind::Rsvp => Source::GoogleCalendar,
        TaskKind::Issue => Source::Linear,
        TaskKind::Review | TaskKind::PullRequest => Source::Github,
        TaskKind::Email => Source::Gmail,
        TaskKind::DocComment => Source::GoogleDrive,
        TaskKind::Mention | TaskKind::MarkedMessage => Source::Slack,
        TaskKind::MeetingNoteItem => Source::Granola,
        TaskKind::AdHoc => Source::AdHoc,
    };
    Task {
        score: 50,
        computed_priority: priority,
        priority,
        ..Task::new(source, id, kind, id)
    }
}
