//! The registry in MCP's terms (pure): tools with their annotations, and call
//! outcomes as tool results.
//!
//! Annotations are hints for the client's user interface (whether to ask before a
//! call), never the permission model — that lives in [`crate::tools`]:
//! - reads: `readOnlyHint: true`;
//! - writes (local decisions only): `readOnlyHint: false`, `destructiveHint: true`
//!   (a dismissal hides a task), `idempotentHint: true` (dismissing twice is one
//!   dismissal);
//! - `openWorldHint: true` for tools that fetch from the sources (`read_<source>`,
//!   `refresh_all_sources`), false for those that stay within the local plan.

use std::sync::Arc;

use rmcp::model::{CallToolResult, ContentBlock, ErrorData, Tool, ToolAnnotations};

use crate::tools::{ToolError, ToolName, ToolOutput, ToolSpec};

/// The annotations of a tool.
pub fn annotations(spec: &ToolSpec) -> ToolAnnotations {
    let open_world = matches!(
        spec.tool,
        ToolName::ReadSource(_) | ToolName::RefreshAllSources
    );
    let annotations = ToolAnnotations::with_title(spec.title.clone())
        .read_only(!spec.write)
        .open_world(open_world);
    if spec.write {
        annotations.destructive(true).idempotent(true)
    } else {
        annotations
    }
}

/// A registry tool as an MCP tool: name, title, description, input schema, annotations.
pub fn tool(spec: &ToolSpec) -> Tool {
    let schema = match &spec.input_schema {
        serde_json::Value::Object(map) => map.clone(),
        // The registry's schemas are objects; anything else is described as "no arguments".
        _ => serde_json::Map::from_iter([("type".to_owned(), "object".into())]),
    };
    Tool::new(
        spec.name.clone(),
        spec.description.clone(),
        Arc::new(schema),
    )
    .with_title(spec.title.clone())
    .with_annotations(annotations(spec))
}

/// A call's outcome as MCP sees it: a result, an error result the model can read
/// (`isError: true`), or — for a tool that does not exist — a protocol error
/// (`invalid params`, as the MCP spec asks for unknown tools).
///
/// # Errors
/// [`ErrorData::invalid_params`] for [`ToolError::UnknownTool`].
pub fn call_result(outcome: Result<ToolOutput, ToolError>) -> Result<CallToolResult, ErrorData> {
    match outcome {
        Ok(output) => {
            let text = serde_json::to_string(&output.content).unwrap_or_default();
            let mut result = CallToolResult::success(vec![ContentBlock::text(text)]);
            if output.content.is_object() {
                result.structured_content = Some(output.content);
            }
            Ok(result)
        }
        Err(e @ ToolError::UnknownTool(_)) => Err(ErrorData::invalid_params(e.to_string(), None)),
        Err(e) => Ok(CallToolResult::error(vec![ContentBlock::text(
            e.to_string(),
        )])),
    }
}

#[cfg(test)]
mod tests {
    use pmt_wire::Source;

    use super::*;

    fn spec(tool: ToolName, name: &str, write: bool) -> ToolSpec {
        ToolSpec {
            tool,
            name: name.to_owned(),
            title: format!("Title of {name}"),
            description: "d".to_owned(),
            input_schema: serde_json::json!({"type": "object", "properties": {}}),
            write,
        }
    }

    fn hints(spec: &ToolSpec) -> serde_json::Value {
        serde_json::to_value(tool(spec)).expect("json")["annotations"].clone()
    }

    #[test]
    fn reads_are_read_only_and_only_source_reads_reach_the_open_world() {
        let read = hints(&spec(
            ToolName::ReadSource(Source::Linear),
            "read_linear",
            false,
        ));
        assert_eq!(read["readOnlyHint"], true);
        assert_eq!(read["openWorldHint"], true);
        assert!(read.get("destructiveHint").is_none());
        let snapshot = hints(&spec(ToolName::GetTodaysTasks, "get_todays_tasks", false));
        assert_eq!(snapshot["readOnlyHint"], true);
        assert_eq!(snapshot["openWorldHint"], false);
    }

    #[test]
    fn writes_are_destructive_idempotent_and_closed_world() {
        let write = hints(&spec(ToolName::DismissTask, "dismiss_task", true));
        assert_eq!(write["readOnlyHint"], false);
        assert_eq!(write["destructiveHint"], true);
        assert_eq!(write["idempotentHint"], true);
        assert_eq!(write["openWorldHint"], false);
        assert_eq!(write["title"], "Title of dismiss_task");
    }

    #[test]
    fn the_tool_carries_name_title_description_and_schema() {
        let json = serde_json::to_value(tool(&spec(ToolName::PlanMyDay, "plan_my_day", false)))
            .expect("json");
        assert_eq!(json["name"], "plan_my_day");
        assert_eq!(json["title"], "Title of plan_my_day");
        assert_eq!(json["inputSchema"]["type"], "object");
    }

    #[test]
    fn tool_errors_are_results_the_model_reads_except_an_unknown_tool() {
        let refused = call_result(Err(ToolError::NotFound("t1".into()))).expect("a result");
        assert_eq!(refused.is_error, Some(true));
        let unknown =
            call_result(Err(ToolError::UnknownTool("nope".into()))).expect_err("a protocol error");
        assert_eq!(unknown.code, rmcp::model::ErrorCode::INVALID_PARAMS);
        let ok = call_result(Ok(ToolOutput {
            content: serde_json::json!({"tasks": []}),
            summary: "0 tasks".into(),
        }))
        .expect("a result");
        assert_eq!(ok.is_error, Some(false));
        assert_eq!(
            ok.structured_content,
            Some(serde_json::json!({"tasks": []}))
        );
    }
}
