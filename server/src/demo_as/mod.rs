//! The demo-mode authorization server (to be filled in).

use axum::Router;

use crate::config::Config;

/// Why the demo authorization server could not start.
#[derive(Debug, thiserror::Error)]
pub enum DemoAsError {
    /// The signing key could not be read or written.
    #[error("signing key: {0}")]
    Key(String),
}

/// Settings derived from the backend's configuration.
#[derive(Debug, Clone)]
pub struct DemoAsSettings {
    /// Issuer URL.
    pub issuer: String,
}

impl DemoAsSettings {
    /// Derives the settings from the backend's demo configuration.
    pub fn for_config(config: &Config) -> Self {
        Self {
            issuer: config.auth.issuer.clone(),
        }
    }
}

/// The running demo authorization server.
#[derive(Debug, Clone)]
pub struct DemoAs {
    settings: DemoAsSettings,
}

impl DemoAs {
    /// Loads (or creates) the signing key and builds the server.
    pub fn load(settings: DemoAsSettings) -> Result<Self, DemoAsError> {
        Ok(Self { settings })
    }

    /// The routes, mounted at the backend's root.
    pub fn router(&self) -> Router {
        Router::new()
    }
}
