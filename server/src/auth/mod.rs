//! Sign-in and token validation (to be filled in).

use std::sync::Arc;

use axum::Router;

use crate::config::Config;
use crate::AppState;

/// Discovery, JWKS cache and token validation.
#[derive(Debug)]
pub struct Authenticator {
    config: Arc<Config>,
    http: reqwest::Client,
}

impl Authenticator {
    /// Creates the authenticator; nothing is fetched until first use.
    pub fn new(config: Arc<Config>, http: reqwest::Client) -> Self {
        Self { config, http }
    }
}

/// `/api/auth/config`, `/api/session`, `/api/me`.
pub fn routes() -> Router<AppState> {
    Router::new()
}
