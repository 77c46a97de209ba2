//! The write tools: local decisions about tasks (dismiss, restore, priority). They
//! change the user's store only, never anything at a source, and answer with the task
//! as the list now shows it. The dashboard's buttons run through here too.

use pmt_wire::{AdHocPatch, Priority, Snapshot, Source, Task, TaskId, TaskKind};
use serde_json::json;

use super::reads::store_failed;
use super::{today, ToolError, ToolOutput};
use crate::store::StoreError;
use crate::AppState;

/// A local decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Hide a dismissible task.
    Dismiss,
    /// Show it again.
    Restore,
    /// Set (or with `None`, clear) the level shown.
    Priority(Option<Priority>),
}

/// The task `id` in the user's list, checked for `decision`.
///
/// # Errors
/// [`ToolError::NotFound`] for a task the list does not have,
/// [`ToolError::Conflict`] for dismissing a kind only its source can close.
pub async fn check(
    state: &AppState,
    sub: &str,
    id: &TaskId,
    decision: Decision,
) -> Result<Task, ToolError> {
    let list = today::snapshot(state, sub)
        .await
        .map_err(|e| store_failed(&e))?;
    let task = find(&list, id)?;
    if decision == Decision::Dismiss && !task.dismissible {
        return Err(ToolError::Conflict(not_dismissible(&task)));
    }
    Ok(task)
}

/// Applies `decision` to task `id` for `sub` and returns the task as the list now
/// shows it.
///
/// # Errors
/// As [`check`]; [`ToolError::Failed`] when the store fails.
pub async fn apply(
    state: &AppState,
    sub: &str,
    id: &TaskId,
    decision: Decision,
) -> Result<ToolOutput, ToolError> {
    let before = check(state, sub, id, decision).await?;
    let written = match decision {
        Decision::Dismiss => state.store.set_dismissed(sub, id, true).await,
        Decision::Restore => state.store.set_dismissed(sub, id, false).await,
        Decision::Priority(priority) if before.source == Source::AdHoc => {
            let patch = AdHocPatch {
                priority: Some(priority),
                ..AdHocPatch::default()
            };
            state
                .store
                .update_adhoc(sub, adhoc_store_id(&id.0), patch)
                .await
                .map(|_| ())
        }
        Decision::Priority(priority) => state.store.set_override(sub, id, priority).await,
    };
    written.map_err(|e| match e {
        // The ad-hoc task was deleted meanwhile.
        StoreError::NotFound(_) => ToolError::NotFound(id.0.clone()),
        other => store_failed(&other),
    })?;
    let list = today::snapshot(state, sub)
        .await
        .map_err(|e| store_failed(&e))?;
    let task = find(&list, id)?;
    let done = match decision {
        Decision::Dismiss => format!("Dismissed {}", name(&task)),
        Decision::Restore => format!("Restored {}", name(&task)),
        Decision::Priority(Some(p)) => {
            format!("Set the priority of {} to {}", name(&task), p.label())
        }
        Decision::Priority(None) => format!(
            "Cleared the priority override of {} (now {})",
            name(&task),
            task.priority.label()
        ),
    };
    Ok(ToolOutput {
        content: json!({ "done": done, "task": task }),
        summary: done,
    })
}

/// What a decision would do, in words, for the confirmation prompt.
pub fn describe(task: &Task, decision: Decision) -> String {
    match decision {
        Decision::Dismiss => format!(
            "Dismiss {} from your list (only here; nothing changes in {})",
            name(task),
            task.source.label()
        ),
        Decision::Restore => format!("Restore {} to your list", name(task)),
        Decision::Priority(Some(p)) => format!(
            "Set the priority of {} to {} (was {}; only here)",
            name(task),
            p.label(),
            task.priority.label()
        ),
        Decision::Priority(None) => format!(
            "Clear the priority override of {} (back to the computed {})",
            name(task),
            task.computed_priority.label()
        ),
    }
}

/// `“Weekly digest” (Gmail)`.
fn name(task: &Task) -> String {
    format!("\u{201c}{}\u{201d} ({})", task.title, task.source.label())
}

/// The task `id` in `list`.
fn find(list: &Snapshot, id: &TaskId) -> Result<Task, ToolError> {
    list.tasks
        .iter()
        .find(|t| &t.id == id)
        .cloned()
        .ok_or_else(|| ToolError::NotFound(id.0.clone()))
}

/// The store id of an ad-hoc task from its task id (`ad_hoc:<id>`) or the bare id.
pub fn adhoc_store_id(id: &str) -> &str {
    id.strip_prefix(Source::AdHoc.as_str())
        .and_then(|rest| rest.strip_prefix(':'))
        .unwrap_or(id)
}

/// Why a task cannot be dismissed here, naming its source.
pub fn not_dismissible(task: &Task) -> String {
    let what = match task.kind {
        TaskKind::Meeting => "meetings",
        TaskKind::Rsvp => "invitations",
        TaskKind::Email => "emails",
        TaskKind::Issue => "issues",
        TaskKind::Review => "review requests",
        TaskKind::PullRequest => "pull requests",
        _ => "items",
    };
    let source = task.source.label();
    format!("{source} {what} can't be dismissed here: change their status in {source}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adhoc_ids_are_accepted_with_or_without_their_prefix() {
        assert_eq!(adhoc_store_id("ad_hoc:abc"), "abc");
        assert_eq!(adhoc_store_id("abc"), "abc");
        assert_eq!(adhoc_store_id("ad_hocabc"), "ad_hocabc");
    }
}
