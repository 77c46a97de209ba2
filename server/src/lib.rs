//! Plan My Today's token-mediating backend.
//!
//! The browser signs in with authorization code + PKCE; this backend is the
//! confidential client that redeems the code, validates every bearer token against the
//! authorization server's JWKS, and (for the sources) exchanges the session token for a
//! short-lived, single-resource token per call (RFC 8693). No provider token ever
//! leaves this process.
//!
//! Modules:
//! - [`config`]: the TOML file, secrets from the environment, demo-mode defaults.
//! - [`secret`]: redacted newtypes for the client secret and tokens.
//! - [`error`]: the HTTP layer's error type and its JSON/`WWW-Authenticate` mapping.
//! - [`auth`]: discovery, JWKS, JWT validation, code redemption, the authenticated-user
//!   extractor, token exchange.
//! - [`demo_as`]: the built-in authorization server of demo mode (loopback only).
//! - [`web`]: security headers and serving the built PWA.

pub mod auth;
pub mod config;
pub mod demo_as;
pub mod error;
pub mod plan;
pub mod secret;
pub mod simulators;
pub mod sources;
pub mod web;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;

use crate::config::Config;

/// Shared state of every handler.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The running configuration.
    pub config: Arc<Config>,
    /// Outbound HTTP client (authorization server, later the sources).
    pub http: reqwest::Client,
    /// Discovery, JWKS and token validation.
    pub auth: Arc<auth::Authenticator>,
}

impl AppState {
    /// Builds the state for a configuration.
    pub fn new(config: Config) -> Self {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("plan-my-today/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        let config = Arc::new(config);
        let auth = Arc::new(auth::Authenticator::new(config.clone(), http.clone()));
        Self { config, http, auth }
    }
}

/// The whole HTTP application: API, demo authorization server (when given), the PWA,
/// and the security headers over all of it.
pub fn app(state: AppState, demo: Option<demo_as::DemoAs>) -> Router {
    let static_dir = state.config.static_dir.clone();
    let api = auth::routes()
        .fallback(web::api_not_found)
        .with_state(state);
    let mut router = Router::new().nest("/api", api);
    if let Some(demo) = demo {
        router = router.merge(demo.router());
    }
    router
        .merge(web::pwa(&static_dir))
        .layer(axum::middleware::from_fn(web::security_headers))
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The listener could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// The data directory could not be created.
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: std::path::PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The demo authorization server could not load or create its key.
    #[error("demo authorization server: {0}")]
    DemoAs(#[from] demo_as::DemoAsError),
}

/// A server listening in the background.
#[derive(Debug)]
pub struct RunningServer {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The configuration it runs with (ports resolved).
    pub config: Arc<Config>,
    /// The serving task.
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Binds, builds the application and serves it in the background.
///
/// A port of 0 picks a free port; in demo mode the public URL and issuer then follow
/// the real port, which is what tests use to run many servers side by side.
///
/// # Errors
/// When the socket cannot be bound, the data directory cannot be created, or the demo
/// authorization server cannot load its signing key.
pub async fn spawn(mut config: Config) -> Result<RunningServer, StartError> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| StartError::Bind {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: config.listen,
        source,
    })?;
    if config.listen.port() == 0 {
        config.listen = addr;
        if config.demo {
            config.public_url = format!("http://{addr}");
            config.auth.issuer = format!("{}{}", config.public_url, config::DEMO_ISSUER_PATH);
        }
    }
    std::fs::create_dir_all(&config.data_dir).map_err(|source| StartError::DataDir {
        path: config.data_dir.clone(),
        source,
    })?;
    let demo = if config.demo {
        Some(demo_as::DemoAs::load(demo_as::DemoAsSettings::for_config(
            &config,
        ))?)
    } else {
        None
    };
    let state = AppState::new(config);
    let config = state.config.clone();
    let router = app(state, demo);
    let task = tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(RunningServer { addr, config, task })
}
