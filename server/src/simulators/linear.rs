//! Simulator stub, replaced by the real one.

use axum::Router;

use super::SimState;

/// The provider's routes, relative to `/sim/<source>`.
pub fn router() -> Router<SimState> {
    Router::new()
}
