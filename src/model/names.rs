//! Stable short names for priorities and task kinds, as used in URLs and element ids.
//!
//! The wire crate names them through serde; these are the same strings, spelled out
//! with exhaustive matches so a new variant fails to compile here instead of
//! silently vanishing from a bookmark.

use pmt_wire::{Priority, TaskKind};

/// Every kind, in the order the filter chips show them.
pub const ALL_KINDS: [TaskKind; 11] = TaskKind::ALL;

/// `critical`, `high`, `medium`, `low` (the wire spelling).
pub fn priority_key(p: Priority) -> &'static str {
    match p {
        Priority::Critical => "critical",
        Priority::High => "high",
        Priority::Medium => "medium",
        Priority::Low => "low",
    }
}

/// Parses [`priority_key`].
pub fn parse_priority(s: &str) -> Option<Priority> {
    Priority::ALL.into_iter().find(|p| priority_key(*p) == s)
}

/// The kind's wire spelling (`doc_comment`, `meeting_note_item`, …).
pub fn kind_key(k: TaskKind) -> &'static str {
    match k {
        TaskKind::Meeting => "meeting",
        TaskKind::Rsvp => "rsvp",
        TaskKind::Email => "email",
        TaskKind::DocComment => "doc_comment",
        TaskKind::Issue => "issue",
        TaskKind::Review => "review",
        TaskKind::PullRequest => "pull_request",
        TaskKind::Mention => "mention",
        TaskKind::MarkedMessage => "marked_message",
        TaskKind::MeetingNoteItem => "meeting_note_item",
        TaskKind::AdHoc => "ad_hoc",
    }
}

/// Parses [`kind_key`].
pub fn parse_kind(s: &str) -> Option<TaskKind> {
    ALL_KINDS.into_iter().find(|k| kind_key(*k) == s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_the_wire_spelling() {
        for k in ALL_KINDS {
            let wire = serde_json::to_string(&k).unwrap();
            assert_eq!(wire, format!("\"{}\"", kind_key(k)));
            assert_eq!(parse_kind(kind_key(k)), Some(k));
        }
        for p in Priority::ALL {
            let wire = serde_json::to_string(&p).unwrap();
            assert_eq!(wire, format!("\"{}\"", priority_key(p)));
            assert_eq!(parse_priority(priority_key(p)), Some(p));
        }
        assert_eq!(parse_kind("nope"), None);
        assert_eq!(parse_priority("urgent"), None);
    }
}
