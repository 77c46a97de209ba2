//! The JSON API under `/api`, one module per resource.
//!
//! - [`decisions`]: dismiss, restore and priority overrides of tasks.
//! - [`adhoc`]: the user's own ad-hoc tasks.
//! - [`tasks`]: `GET /api/tasks`, the stored plan with decisions applied.
//! - [`plan`]: `GET /api/plan`, today's time-blocked day plan.
//! - [`refresh`]: `POST /api/refresh` and its SSE variant.
//! - [`chat`]: `POST /api/chat` (Todaygent, streamed), confirmations, status.
//! - [`activity`]: `GET /api/activity`, the trail of exchanges and tool calls.
//! - [`sources`]: `PUT /api/sources/{source}`, the per-source switch.
//! - [`mcp_token`]: `POST /api/mcp/token`, an MCP token for a local client (demo mode).
//! - [`openapi`]: `GET /api/openapi.json`, the description of all of it.
//!
//! (`/api/auth/config`, `/api/session` and `/api/me` live in [`crate::auth`].)

pub mod activity;
pub mod adhoc;
pub mod chat;
pub mod decisions;
pub mod mcp_token;
pub mod openapi;
pub mod plan;
pub mod refresh;
pub mod sources;
pub mod tasks;

use axum::Router;

use crate::AppState;

/// Every route of this module (mounted under `/api`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(tasks::routes())
        .merge(plan::routes())
        .merge(refresh::routes())
        .merge(decisions::routes())
        .merge(adhoc::routes())
        .merge(chat::routes())
        .merge(activity::routes())
        .merge(sources::routes())
        .merge(mcp_token::routes())
        .merge(openapi::routes())
}
