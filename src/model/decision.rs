//! What boosting and demoting a task ask the backend for.
//!
//! A boost raises the shown level by one; a demote lowers it. When the new level is
//! the one the scoring computed anyway, the override is cleared instead of stored, so
//! a boost followed by a demote leaves no trace.

use pmt_wire::{Priority, SetPriorityRequest, Task};

fn moved_to(task: &Task, level: Priority) -> Option<SetPriorityRequest> {
    if level == task.priority {
        return None;
    }
    let priority = (level != task.computed_priority).then_some(level);
    Some(SetPriorityRequest { priority })
}

/// The request that raises `task` one level; `None` when it is already critical.
pub fn boost(task: &Task) -> Option<SetPriorityRequest> {
    moved_to(task, task.priority.raised())
}

/// The request that lowers `task` one level; `None` when it is already low.
pub fn demote(task: &Task) -> Option<SetPriorityRequest> {
    moved_to(task, task.priority.lowered())
}

/// The task as it looks after the backend accepted `request` (used when the answer
/// does not carry the task).
pub fn applied(task: &Task, request: &SetPriorityRequest) -> Task {
    let mut t = task.clone();
    t.priority_override = request.priority;
    t.priority = request.priority.unwrap_or(t.computed_priority);
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::board::fixtures::task;
    use pmt_wire::Source;

    #[test]
    fn boost_raises_one_level_and_stores_an_override() {
        let t = task(Source::Linear, "1", "x", Priority::Medium, 50);
        assert_eq!(
            boost(&t),
            Some(SetPriorityRequest {
                priority: Some(Priority::High)
            })
        );
        assert_eq!(
            demote(&t),
            Some(SetPriorityRequest {
                priority: Some(Priority::Low)
            })
        );
    }

    #[test]
    fn returning_to_the_computed_level_clears_the_override() {
        let t = task(Source::Linear, "1", "x", Priority::Medium, 50);
        let up = applied(&t, &boost(&t).unwrap());
        assert_eq!(up.priority, Priority::High);
        assert_eq!(up.priority_override, Some(Priority::High));
        let back = demote(&up).unwrap();
        assert_eq!(back, SetPriorityRequest { priority: None });
        let cleared = applied(&up, &back);
        assert_eq!(cleared.priority, Priority::Medium);
        assert_eq!(cleared.priority_override, None);
    }

    #[test]
    fn nothing_to_do_at_the_ends() {
        let top = task(Source::Linear, "1", "x", Priority::Critical, 99);
        assert_eq!(boost(&top), None);
        let bottom = task(Source::Linear, "2", "y", Priority::Low, 1);
        assert_eq!(demote(&bottom), None);
    }
}
