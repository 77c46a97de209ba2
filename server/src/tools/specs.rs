//! Every tool's wire name, title, description and input schema (pure).
//!
//! The descriptions are written for a model: what the tool returns, when to use it
//! and when not, and for writes that they change only the local plan and run only
//! after the user confirms. The schemas are what [`super::args`] enforces.

use pmt_wire::{Priority, Source};
use serde_json::{json, Value};

use super::{ToolName, ToolSpec};

/// Longest task id accepted (ids are `<source>:<provider id>`; some are long).
pub const MAX_TASK_ID_CHARS: usize = 1000;
/// Longest search text accepted by `get_todays_tasks`.
pub const MAX_SEARCH_CHARS: usize = 100;
/// Most tasks one `get_todays_tasks` call returns.
pub const MAX_LIMIT: u32 = 100;
/// Tasks `get_todays_tasks` returns when the call names no limit.
pub const DEFAULT_LIMIT: u32 = 30;

/// Every tool, in the order they are listed.
pub fn all() -> Vec<ToolName> {
    let mut tools = vec![ToolName::GetTodaysTasks, ToolName::PlanMyDay];
    tools.push(ToolName::RefreshAllSources);
    tools.extend(Source::PROVIDERS.map(ToolName::ReadSource));
    tools.extend([
        ToolName::DismissTask,
        ToolName::RestoreTask,
        ToolName::SetTaskPriority,
    ]);
    tools
}

impl ToolName {
    /// The wire name (`get_todays_tasks`, `read_linear`, …).
    pub fn name(self) -> String {
        match self {
            ToolName::GetTodaysTasks => "get_todays_tasks".to_owned(),
            ToolName::RefreshAllSources => "refresh_all_sources".to_owned(),
            ToolName::ReadSource(source) => format!("read_{}", source.as_str()),
            ToolName::DismissTask => "dismiss_task".to_owned(),
            ToolName::RestoreTask => "restore_task".to_owned(),
            ToolName::SetTaskPriority => "set_task_priority".to_owned(),
            ToolName::PlanMyDay => "plan_my_day".to_owned(),
        }
    }

    /// Parses a wire name; `read_ad_hoc` is not a tool (ad-hoc tasks are local).
    pub fn parse(name: &str) -> Option<ToolName> {
        all().into_iter().find(|t| t.name() == name)
    }

    /// Whether it writes (local decisions only).
    pub fn is_write(self) -> bool {
        matches!(
            self,
            ToolName::DismissTask | ToolName::RestoreTask | ToolName::SetTaskPriority
        )
    }
}

/// The spec of one tool.
pub fn spec(tool: ToolName) -> ToolSpec {
    let (title, description, input_schema) = match tool {
        ToolName::GetTodaysTasks => (
            "Today's tasks".to_owned(),
            GET_TODAYS_TASKS.to_owned(),
            get_todays_tasks_schema(),
        ),
        ToolName::RefreshAllSources => (
            "Refresh all sources".to_owned(),
            REFRESH_ALL_SOURCES.to_owned(),
            no_arguments(),
        ),
        ToolName::ReadSource(source) => (
            format!("Read {} now", source.label()),
            read_source_description(source),
            no_arguments(),
        ),
        ToolName::DismissTask => (
            "Dismiss a task".to_owned(),
            DISMISS_TASK.to_owned(),
            task_schema(json!({})),
        ),
        ToolName::RestoreTask => (
            "Restore a dismissed task".to_owned(),
            RESTORE_TASK.to_owned(),
            task_schema(json!({})),
        ),
        ToolName::SetTaskPriority => (
            "Set a task's priority".to_owned(),
            SET_TASK_PRIORITY.to_owned(),
            task_schema(json!({
                "priority": {
                    "type": ["string", "null"],
                    "enum": ["critical", "high", "medium", "low", null],
                    "description": "The level to show instead of the computed one, or null \
                        to clear the override (the computed level applies again).",
                }
            })),
        ),
        ToolName::PlanMyDay => (
            "Plan my day".to_owned(),
            PLAN_MY_DAY.to_owned(),
            no_arguments(),
        ),
    };
    ToolSpec {
        tool,
        name: tool.name(),
        title,
        description,
        input_schema,
        write: tool.is_write(),
    }
}

fn no_arguments() -> Value {
    json!({
        "type": "object",
        "properties": {},
        "required": [],
        "additionalProperties": false,
    })
}

/// `{task_id}` plus `extra` properties, all required.
fn task_schema(extra: Value) -> Value {
    let mut properties = json!({
        "task_id": {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_TASK_ID_CHARS,
            "description": "The task's id exactly as get_todays_tasks returns it, e.g. \
                \"slack:C0RANDOM-1700000000.000100\" or \"ad_hoc:7f3c…\".",
        }
    });
    let mut required = vec![Value::from("task_id")];
    if let (Some(props), Value::Object(more)) = (properties.as_object_mut(), extra) {
        for (key, schema) in more {
            required.push(Value::from(key.clone()));
            props.insert(key, schema);
        }
    }
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

fn names<T: serde::Serialize>(values: impl IntoIterator<Item = T>) -> Vec<Value> {
    values
        .into_iter()
        .filter_map(|v| serde_json::to_value(v).ok())
        .collect()
}

fn get_todays_tasks_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "source": {
                "type": "string",
                "enum": names(Source::PROVIDERS.into_iter().chain([Source::AdHoc])),
                "description": "Only tasks from this source (ad_hoc = the user's own tasks).",
            },
            "min_priority": {
                "type": "string",
                "enum": names(Priority::ALL),
                "description": "Only tasks at this level or more urgent (high = critical and high).",
            },
            "search": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_SEARCH_CHARS,
                "description": "Only tasks whose title, snippet, id or people contain this text \
                    (case-insensitive).",
            },
            "include_dismissed": {
                "type": "boolean",
                "description": "Also list tasks the user dismissed (default false).",
            },
            "limit": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_LIMIT,
                "description": format!("Most tasks to return, most urgent first (default {DEFAULT_LIMIT})."),
            },
        },
        "required": [],
        "additionalProperties": false,
    })
}

const GET_TODAYS_TASKS: &str = "Today's task list as the user's dashboard shows it: the tasks \
    of every source from the last refresh plus the user's own tasks, scored and sorted most \
    urgent first, with the user's local decisions applied (priority overrides shown, dismissed \
    tasks left out unless include_dismissed). Each task has its id (the one dismiss_task, \
    restore_task and set_task_priority take), source, kind, title, priority and why, due \
    time or meeting times, people, and the ids of related tasks. Also returns each source's \
    status and how old the snapshot is. It reads the stored snapshot only and contacts no \
    source, so use it first and reuse its answer within the conversation; call \
    refresh_all_sources only when the user asks for fresh data or the snapshot is hours old.";

const REFRESH_ALL_SOURCES: &str = "Fetches every enabled source now (one token exchange per \
    source, all at once, each within its own time budget), stores the result as the snapshot \
    the dashboard shows, and returns each source's status (ok with a count, or failed with the \
    reason) and the most urgent tasks. It takes seconds and contacts every provider: use it \
    only when the user asks to refresh or the snapshot is stale, then read the list with \
    get_todays_tasks. Read-only toward the sources: it changes nothing there.";

const DISMISS_TASK: &str = "Hides a task from the user's list in this app only: a local \
    decision that survives refreshes and is undone with restore_task. Only kinds the source \
    cannot mark done may be dismissed: meeting-note action items, doc comments, mentions, \
    marked messages and the user's own tasks. Emails, issues, pull requests, review requests, \
    meetings and invitations are handled in their own app; dismissing them is refused. Nothing \
    changes at the source. This is a write: it runs only after the user confirms it in the \
    app, so propose it with the exact task id and say what it will do. Returns the task as the \
    list now shows it.";

const RESTORE_TASK: &str = "Shows a dismissed task in the user's list again (undoes \
    dismiss_task). Local only: nothing changes at the source. This is a write: it runs only \
    after the user confirms it in the app. Returns the task as the list now shows it.";

const SET_TASK_PRIORITY: &str = "Sets the priority shown for a task in this app (critical, \
    high, medium or low) instead of the computed one, or with null clears the override so \
    the computed priority applies again; for the user's own tasks it sets the task's own \
    priority. Local only: the priority at the source (Linear, GitHub, …) does not change. \
    This is a write: it runs only after the user confirms it in the app. Returns the task as \
    the list now shows it.";

const PLAN_MY_DAY: &str = "Builds today's time-blocked plan from the stored snapshot (no \
    fetch, no LLM needed): meetings as fixed blocks (declined ones are not on the list), prep \
    blocks right before the meetings they prepare, the configured breaks kept, then focus \
    blocks for the most urgent work first (critical, high, due soon), never before now, never \
    past a due time, within working hours. Returns `agenda`, the plan as readable lines (quote \
    or summarize it), and `plan`, the same as data: blocks with Unix times and `not_today`, \
    what does not fit and why. It needs no other call first.";

/// What `read_<source>` fetches, per source.
fn fetches(source: Source) -> &'static str {
    match source {
        Source::GoogleCalendar => "today's meetings, and invitations still waiting for an answer",
        Source::Gmail => "unread important or starred mail that needs action",
        Source::GoogleDrive => "document comments assigned to or mentioning the user",
        Source::Linear => "the open issues assigned to the user",
        Source::Github => "review requests, assigned issues and pull requests, and mentions",
        Source::Slack => "mentions of the user and messages they marked",
        Source::Granola => "action items from today's and recent meeting notes",
        Source::AdHoc => "the user's own tasks",
    }
}

fn read_source_description(source: Source) -> String {
    let label = source.label();
    format!(
        "Fetches {label} now ({}), with one token exchange for {label} alone, and returns \
         its current tasks, scored, with the user's local decisions applied. It does not \
         update the stored snapshot or the dashboard (refresh_all_sources does). Use it when \
         the user asks about {label} specifically and wants it fresh; for a quick look, \
         get_todays_tasks already has every source. Refused when {label} is not configured \
         or the user turned it off. Read-only: it cannot change anything in {label}.",
        fetches(source)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_snake_case_and_parse_back() {
        let tools = all();
        assert_eq!(tools.len(), 13);
        let mut names: Vec<String> = tools.iter().map(|t| t.name()).collect();
        for (tool, name) in tools.iter().zip(&names) {
            assert_eq!(ToolName::parse(name), Some(*tool));
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{name}"
            );
        }
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 13);
        assert_eq!(ToolName::parse("read_ad_hoc"), None);
        assert_eq!(ToolName::parse("Dismiss_Task"), None);
    }

    #[test]
    fn every_schema_is_a_closed_object_and_writes_say_they_need_confirmation() {
        for tool in all() {
            let s = spec(tool);
            assert_eq!(s.input_schema["type"], "object", "{}", s.name);
            assert_eq!(s.input_schema["additionalProperties"], false, "{}", s.name);
            assert!(s.input_schema["properties"].is_object(), "{}", s.name);
            assert!(s.input_schema["required"].is_array(), "{}", s.name);
            assert_eq!(s.write, tool.is_write());
            if s.write {
                assert!(
                    s.description.contains("only after the user confirms"),
                    "{}",
                    s.name
                );
                assert!(s.description.contains("source"), "{}", s.name);
            }
            assert!(s.description.len() > 100, "{}", s.name);
        }
        let p = spec(ToolName::SetTaskPriority).input_schema;
        assert_eq!(p["required"], json!(["task_id", "priority"]));
    }
}
