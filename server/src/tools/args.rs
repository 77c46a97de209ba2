//! Arguments: checked against each tool's schema by typed structs (unknown keys,
//! missing keys, wrong types and values out of range are refused with a message the
//! model can act on), and summarized in one line for the activity trail (pure).

use pmt_wire::{Priority, Source, TaskId};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::record::{redact, shorten};
use super::specs::{DEFAULT_LIMIT, MAX_LIMIT, MAX_SEARCH_CHARS, MAX_TASK_ID_CHARS};
use super::{ToolError, ToolName};

/// Longest argument summary in the activity trail.
pub const MAX_SUMMARY_CHARS: usize = 160;

/// A call's arguments, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Args {
    /// `get_todays_tasks`.
    GetTodaysTasks(TaskFilter),
    /// Tools without arguments.
    None,
    /// `dismiss_task`, `restore_task`.
    Task(TaskId),
    /// `set_task_priority`.
    Priority(TaskId, Option<Priority>),
}

/// The filters of `get_todays_tasks`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskFilter {
    /// Only this source.
    #[serde(default)]
    pub source: Option<Source>,
    /// Only this level or more urgent.
    #[serde(default)]
    pub min_priority: Option<Priority>,
    /// Only tasks containing this text.
    #[serde(default)]
    pub search: Option<String>,
    /// Also dismissed tasks.
    #[serde(default)]
    pub include_dismissed: bool,
    /// At most this many (default [`DEFAULT_LIMIT`]).
    #[serde(default)]
    pub limit: Option<u32>,
}

impl TaskFilter {
    /// The limit to apply.
    pub fn limit(&self) -> usize {
        usize::try_from(self.limit.unwrap_or(DEFAULT_LIMIT)).unwrap_or(usize::MAX)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoArgs {}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskArgs {
    task_id: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PriorityArgs {
    task_id: String,
    /// Required, but may be null (clear the override).
    #[serde(deserialize_with = "nullable")]
    priority: Option<Priority>,
}

/// A required field whose value may be `null` (serde makes an `Option` field optional
/// unless it has its own deserializer).
fn nullable<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Priority>, D::Error> {
    Option::<Priority>::deserialize(d)
}

/// Checks `arguments` for `tool`. `null` counts as no arguments (`{}`).
///
/// # Errors
/// [`ToolError::InvalidArguments`] saying what is wrong.
pub fn parse(tool: ToolName, arguments: &Value) -> Result<Args, ToolError> {
    let invalid = |message: String| ToolError::InvalidArguments {
        tool: tool.name(),
        message,
    };
    let empty = Value::Object(serde_json::Map::new());
    let arguments = match arguments {
        Value::Null => &empty,
        Value::Object(_) => arguments,
        other => {
            return Err(invalid(format!(
                "the arguments must be a JSON object, not {}",
                json_type(other)
            )))
        }
    };
    match tool {
        ToolName::GetTodaysTasks => {
            let filter: TaskFilter = typed(arguments).map_err(invalid)?;
            if filter.limit.is_some_and(|l| l == 0 || l > MAX_LIMIT) {
                return Err(invalid(format!("limit must be between 1 and {MAX_LIMIT}")));
            }
            if let Some(search) = &filter.search {
                let chars = search.trim().chars().count();
                if chars == 0 || chars > MAX_SEARCH_CHARS {
                    return Err(invalid(format!(
                        "search must be 1-{MAX_SEARCH_CHARS} characters"
                    )));
                }
            }
            Ok(Args::GetTodaysTasks(filter))
        }
        ToolName::RefreshAllSources | ToolName::ReadSource(_) | ToolName::PlanMyDay => {
            typed::<NoArgs>(arguments).map_err(invalid)?;
            Ok(Args::None)
        }
        ToolName::DismissTask | ToolName::RestoreTask => {
            let args: TaskArgs = typed(arguments).map_err(invalid)?;
            Ok(Args::Task(task_id(args.task_id).map_err(invalid)?))
        }
        ToolName::SetTaskPriority => {
            let args: PriorityArgs = typed(arguments).map_err(invalid)?;
            Ok(Args::Priority(
                task_id(args.task_id).map_err(invalid)?,
                args.priority,
            ))
        }
    }
}

/// Deserializes with serde's own message (it names the field and what was expected:
/// "unknown field `x`, expected `task_id`", "missing field `priority`", …).
fn typed<T: DeserializeOwned>(arguments: &Value) -> Result<T, String> {
    T::deserialize(arguments).map_err(|e| e.to_string())
}

fn task_id(id: String) -> Result<TaskId, String> {
    let chars = id.chars().count();
    if id.trim().is_empty() {
        return Err("task_id must not be empty: use an id from get_todays_tasks".to_owned());
    }
    if chars > MAX_TASK_ID_CHARS {
        return Err(format!(
            "task_id must be at most {MAX_TASK_ID_CHARS} characters"
        ));
    }
    if id.chars().any(char::is_control) {
        return Err("task_id must not contain control characters".to_owned());
    }
    Ok(TaskId(id))
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The checked arguments in one line (`task_id=…, priority=high`), for the trail.
pub fn summary(args: &Args) -> String {
    let text = match args {
        Args::None => String::new(),
        Args::Task(id) => format!("task_id={}", id.0),
        Args::Priority(id, p) => format!(
            "task_id={}, priority={}",
            id.0,
            p.map_or("null (clear)", |p| level_name(p))
        ),
        Args::GetTodaysTasks(f) => {
            let mut parts = Vec::new();
            if let Some(s) = f.source {
                parts.push(format!("source={}", s.as_str()));
            }
            if let Some(p) = f.min_priority {
                parts.push(format!("min_priority={}", level_name(p)));
            }
            if let Some(s) = &f.search {
                parts.push(format!("search={s}"));
            }
            if f.include_dismissed {
                parts.push("include_dismissed=true".to_owned());
            }
            if let Some(l) = f.limit {
                parts.push(format!("limit={l}"));
            }
            parts.join(", ")
        }
    };
    one_line(&text)
}

/// Arguments that failed the schema, in one line: `key=value` pairs as sent (redacted
/// and cut), or the kind of value when it is not an object.
pub fn raw_summary(arguments: &Value) -> String {
    let text = match arguments {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => format!("{k}={s}"),
                other => format!("{k}={other}"),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Value::Null => String::new(),
        other => format!("({})", json_type(other)),
    };
    one_line(&text)
}

fn one_line(text: &str) -> String {
    shorten(
        &redact(&text.replace(['\n', '\r', '\t'], " ")),
        MAX_SUMMARY_CHARS,
    )
}

/// The snake_case name of a level.
pub fn level_name(p: Priority) -> &'static str {
    match p {
        Priority::Critical => "critical",
        Priority::High => "high",
        Priority::Medium => "medium",
        Priority::Low => "low",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn message(tool: ToolName, args: Value) -> String {
        match parse(tool, &args) {
            Err(ToolError::InvalidArguments { tool: t, message }) => {
                assert_eq!(t, tool.name());
                message
            }
            other => panic!("{args}: {other:?}"),
        }
    }

    #[test]
    fn good_arguments_parse_into_their_types() {
        assert_eq!(
            parse(ToolName::DismissTask, &json!({"task_id": "slack:C1-1"})),
            Ok(Args::Task(TaskId("slack:C1-1".into())))
        );
        assert_eq!(
            parse(
                ToolName::SetTaskPriority,
                &json!({"task_id": "linear:ENG-1", "priority": null})
            ),
            Ok(Args::Priority(TaskId("linear:ENG-1".into()), None))
        );
        assert_eq!(
            parse(
                ToolName::SetTaskPriority,
                &json!({"task_id": "linear:ENG-1", "priority": "high"})
            ),
            Ok(Args::Priority(
                TaskId("linear:ENG-1".into()),
                Some(Priority::High)
            ))
        );
        assert_eq!(parse(ToolName::PlanMyDay, &json!({})), Ok(Args::None));
        assert_eq!(parse(ToolName::PlanMyDay, &Value::Null), Ok(Args::None));
        let Ok(Args::GetTodaysTasks(f)) = parse(
            ToolName::GetTodaysTasks,
            &json!({"source": "ad_hoc", "min_priority": "high", "limit": 5, "include_dismissed": true}),
        ) else {
            panic!("filter")
        };
        assert_eq!(f.source, Some(Source::AdHoc));
        assert_eq!(f.min_priority, Some(Priority::High));
        assert_eq!(f.limit(), 5);
        assert!(f.include_dismissed);
        assert_eq!(TaskFilter::default().limit(), 30);
    }

    #[test]
    fn bad_arguments_say_what_is_wrong() {
        let m = message(ToolName::DismissTask, json!({}));
        assert!(m.contains("missing field `task_id`"), "{m}");
        let m = message(
            ToolName::DismissTask,
            json!({"task_id": "x", "force": true}),
        );
        assert!(m.contains("unknown field `force`"), "{m}");
        let m = message(ToolName::DismissTask, json!({"task_id": 42}));
        assert!(
            m.contains("invalid type: integer `42`, expected a string"),
            "{m}"
        );
        let m = message(ToolName::DismissTask, json!({"task_id": "  "}));
        assert!(m.contains("must not be empty"), "{m}");
        let m = message(ToolName::DismissTask, json!({"task_id": "x".repeat(1001)}));
        assert!(m.contains("at most 1000"), "{m}");
        let m = message(ToolName::SetTaskPriority, json!({"task_id": "x"}));
        assert!(m.contains("missing field `priority`"), "{m}");
        let m = message(
            ToolName::SetTaskPriority,
            json!({"task_id": "x", "priority": "urgent"}),
        );
        assert!(m.contains("unknown variant `urgent`"), "{m}");
        let m = message(ToolName::ReadSource(Source::Linear), json!({"team": "ENG"}));
        assert!(m.contains("unknown field `team`"), "{m}");
        let m = message(ToolName::GetTodaysTasks, json!({"limit": 0}));
        assert!(m.contains("limit must be between 1 and 100"), "{m}");
        let m = message(ToolName::GetTodaysTasks, json!({"source": "jira"}));
        assert!(m.contains("unknown variant `jira`"), "{m}");
        let m = message(ToolName::PlanMyDay, json!("today"));
        assert_eq!(m, "the arguments must be a JSON object, not a string");
    }

    #[test]
    fn summaries_are_one_short_line_without_tokens() {
        let s = summary(&Args::Priority(TaskId("github:acme/api#1347".into()), None));
        assert_eq!(s, "task_id=github:acme/api#1347, priority=null (clear)");
        assert_eq!(summary(&Args::None), "");
        let jwt = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJkYW5hIn0.c2lnbmF0dXJl";
        let s = raw_summary(&json!({"task_id": jwt, "note": "line\nbreak"}));
        assert!(!s.contains("eyJ"), "{s}");
        assert!(!s.contains('\n'), "{s}");
        let s = raw_summary(&json!({"task_id": "x".repeat(500)}));
        assert!(s.chars().count() <= MAX_SUMMARY_CHARS, "{s}");
    }
}
