//! The JSON API under `/api`, one module per resource.
//!
//! - [`decisions`]: dismiss, restore and priority overrides of tasks.
//! - [`adhoc`]: the user's own ad-hoc tasks.
//! - [`tasks`]: `GET /api/tasks`, the stored plan with decisions applied.
//! - [`refresh`]: `POST /api/refresh` and its SSE variant.
//! - [`openapi`]: `GET /api/openapi.json`, the description of all of it.
//!
//! (`/api/auth/config`, `/api/session` and `/api/me` live in [`crate::auth`].)

pub mod adhoc;
pub mod decisions;
pub mod openapi;
pub mod refresh;
pub mod tasks;

use axum::Router;

use crate::AppState;

/// Every route of this module (mounted under `/api`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(tasks::routes())
        .merge(refresh::routes())
        .merge(decisions::routes())
        .merge(adhoc::routes())
        .merge(openapi::routes())
}
