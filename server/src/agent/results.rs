//! What the model and the chat see of a tool call: arguments in one line, results
//! cut to the configured size with a marker that says so.

use serde_json::Value;

/// Longest tool name echoed back (a model may invent anything).
pub const MAX_NAME_CHARS: usize = 64;

/// Cuts `text` to `max` characters, saying how much was left out.
pub fn truncate(text: &str, max: usize) -> String {
    let total = text.chars().count();
    if total <= max {
        return text.to_owned();
    }
    let kept: String = text.chars().take(max).collect();
    format!(
        "{kept}\n[truncated: {max} of {total} characters shown; use a narrower tool or ask about one source for the rest]"
    )
}

/// Cuts a short text to `max` characters with an ellipsis.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// One line for the arguments: `{}` → "no arguments", otherwise `key=value, …`
/// (redacted and cut by the registry's summary).
pub fn summarize_arguments(arguments: &Value) -> String {
    match arguments {
        Value::Object(map) if map.is_empty() => "no arguments".to_owned(),
        other => crate::tools::args::raw_summary(other),
    }
}

/// A tool's name as shown back (cut, control characters removed).
pub fn display_name(name: &str) -> String {
    let clean: String = name.chars().filter(|c| !c.is_control()).collect();
    shorten(&clean, MAX_NAME_CHARS)
}

/// A tool's successful result as the model reads it: the JSON, compact, cut.
pub fn for_model(content: &Value, max_chars: usize) -> String {
    let text = match content {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    truncate(&text, max_chars)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn truncation_keeps_the_start_and_says_so() {
        assert_eq!(truncate("short", 10), "short");
        let long = "é".repeat(50);
        let t = truncate(&long, 10);
        assert!(t.starts_with(&"é".repeat(10)));
        assert!(t.contains("[truncated: 10 of 50 characters shown"), "{t}");
    }

    #[test]
    fn arguments_read_as_one_short_line() {
        assert_eq!(summarize_arguments(&json!({})), "no arguments");
        assert_eq!(
            summarize_arguments(&json!({"task_id": "slack:C1", "priority": "high"})),
            "priority=high, task_id=slack:C1"
        );
        let long = summarize_arguments(&json!({"x": "a\n".repeat(500)}));
        assert!(
            long.chars().count() <= crate::tools::args::MAX_SUMMARY_CHARS && !long.contains('\n')
        );
    }

    #[test]
    fn results_for_the_model_are_compact_json_or_text() {
        assert_eq!(for_model(&json!({"a": [1, 2]}), 100), "{\"a\":[1,2]}");
        assert_eq!(for_model(&json!("plain"), 100), "plain");
        assert!(for_model(&json!("x".repeat(200)), 50).contains("[truncated"));
    }
}
