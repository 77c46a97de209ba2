//! The MCP handler: `tools/list` from the registry, `tools/call` through it.
//!
//! Written by hand over `rmcp`'s [`ServerHandler`] (no macros): the tools are the
//! registry's, so there is one list for Todaygent and MCP clients. A call runs as the
//! [`McpCaller`] the guard admitted, with [`Consent::McpClient`] (MCP clients ask their
//! user before a destructive tool), recorded in the request's activity group.

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, ErrorData, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, ServerHandler};

use super::auth::McpCaller;
use super::listing;
use crate::activity::Trail;
use crate::tools::{self, Consent, ToolCall};
use crate::AppState;

/// What the server tells a client about itself at `initialize`.
pub const INSTRUCTIONS: &str = "Plan My Today: the user's tasks for today, gathered from \
their calendar, mail, documents, issue tracker, code reviews, chat and meeting notes, \
scored and cross-referenced. Start with get_todays_tasks (the cached plan, no fetch) or \
plan_my_day (a time-blocked schedule). Fetch fresh data with refresh_all_sources or one \
read_<source> tool only when the user asks for it or the snapshot is stale. The write \
tools (dismiss_task, restore_task, set_task_priority) change only this app's local \
decisions — nothing at any source can be changed from here — and should be confirmed \
with the user first.";

/// The handler for one request (stateless: built per request, holds only the state).
#[derive(Debug, Clone)]
pub struct McpServer {
    state: AppState,
}

impl McpServer {
    /// A handler over the application state.
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// The caller the guard put into the HTTP request, which `rmcp` hands on.
fn caller(context: &RequestContext<RoleServer>) -> Result<McpCaller, ErrorData> {
    context
        .extensions
        .get::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<McpCaller>())
        .cloned()
        .ok_or_else(|| {
            tracing::error!("an MCP request reached the handler without a caller");
            ErrorData::internal_error("the request was not authenticated", None)
        })
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        let mut implementation = Implementation::new("plan-my-today", env!("CARGO_PKG_VERSION"));
        implementation.title = Some("Plan My Today".to_owned());
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(implementation)
            .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let tools = tools::specs().iter().map(listing::tool).collect();
        Ok(ListToolsResult::with_all_items(tools))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        tools::specs()
            .iter()
            .find(|s| s.name == name)
            .map(listing::tool)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let caller = caller(&context)?;
        let trail = Trail::new(self.state.store.clone(), &caller.user, caller.origin);
        let call = ToolCall {
            name: request.name.into_owned(),
            arguments: serde_json::Value::Object(request.arguments.unwrap_or_default()),
        };
        let outcome =
            tools::call(&self.state, &caller.user, &trail, &call, Consent::McpClient).await;
        listing::call_result(outcome).map(Into::into)
    }
}
