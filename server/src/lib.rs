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
//! - [`simulators`]: the provider simulators of demo mode.
//! - [`demo`]: demo mode's handles (authorization server + simulators) and controls.
//! - [`sources`]: one connector per provider (exchange → fetch → normalize).
//! - [`plan`]: reference keys, scoring, cross-references, the snapshot.
//! - [`store`]: SQLite: snapshots, local decisions, ad-hoc tasks.
//! - [`refresh`]: every source concurrently, each within its budget, into a snapshot.
//! - [`api`]: the `/api` handlers (tasks, refresh, decisions, OpenAPI).
//! - [`tools`]: the tool registry shared by Todaygent and the MCP server.
//! - [`dayplan`]: the time-blocked schedule for today (pure).
//! - [`agent`]: Todaygent: LLM providers, the agent loop, the chat API.
//! - [`mcp`]: the MCP server at `/mcp` (an OAuth protected resource).
//! - [`activity`]: the trail of token exchanges and tool calls.
//! - [`web`]: security headers and serving the built PWA.

pub mod activity;
pub mod agent;
pub mod api;
pub mod auth;
pub mod config;
pub mod dayplan;
pub mod demo;
pub mod demo_as;
pub mod error;
pub mod mcp;
pub mod plan;
pub mod refresh;
pub mod secret;
pub mod simulators;
pub mod sources;
pub mod store;
#[cfg(test)]
mod test_fixtures;
pub mod tools;
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
    /// The SQLite store: snapshots, local decisions, ad-hoc tasks.
    pub store: store::Store,
    /// The refreshes running now (one per user; a second request joins).
    pub flights: Arc<refresh::Flights>,
    /// Todaygent: the model client, conversations, waiting confirmations.
    pub agent: Arc<agent::Agent>,
}

impl AppState {
    /// Builds the state for a configuration and an opened store.
    pub fn new(config: Config, store: store::Store) -> Self {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("plan-my-today/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        let config = Arc::new(config);
        let auth = Arc::new(auth::Authenticator::new(config.clone(), http.clone()));
        let agent = Arc::new(agent::Agent::new(&config));
        Self {
            config,
            http,
            auth,
            store,
            flights: Arc::default(),
            agent,
        }
    }
}

/// The whole HTTP application: API, demo mode's authorization server, simulators and
/// controls (when given), the PWA, and the security headers over all of it.
pub fn app(state: AppState, demo: Option<demo::DemoHandles>) -> Router {
    let static_dir = state.config.static_dir.clone();
    let mut api = auth::routes()
        .merge(api::routes())
        .fallback(web::api_not_found);
    if let Some(demo) = &demo {
        api = api.layer(api::mcp_token::McpTokenIssuer::layer(&demo.auth_server));
    }
    // JSON answers compressed when the client accepts it; tower-http's default
    // predicate leaves event streams alone, so refresh progress and chat stay live.
    let api = api.layer(tower_http::compression::CompressionLayer::new());
    let mut router = Router::new()
        .nest("/api", api.with_state(state.clone()))
        .merge(mcp::router(state));
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
    /// The SQLite store could not be opened or migrated.
    #[error("store: {0}")]
    Store(#[from] store::StoreError),
    /// The demo authorization server could not load or create its key.
    #[error("demo authorization server: {0}")]
    DemoAs(#[from] demo_as::DemoAsError),
    /// The configuration could not follow the listener's real port.
    #[error(transparent)]
    Config(#[from] config::ConfigError),
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
    /// Demo mode's authorization server and simulators (faults, grants, seen tokens).
    pub demo: Option<demo::DemoHandles>,
    /// The application state (tests and the benchmark call the refresh directly).
    pub state: AppState,
}

/// Binds, builds the application and serves it in the background.
///
/// A port of 0 picks a free port; in demo mode the public URL, the issuer and the
/// simulator URLs then follow the real port, which is what tests use to run many
/// servers side by side. Demo mode also serves the simulators (`/sim/...`) for the
/// configured time zone.
///
/// # Errors
/// When the socket cannot be bound, the data directory or the store cannot be
/// created, or the demo authorization server cannot load its signing key.
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
            config.set_demo_origin(&format!("http://{addr}"))?;
        }
    }
    std::fs::create_dir_all(&config.data_dir).map_err(|source| StartError::DataDir {
        path: config.data_dir.clone(),
        source,
    })?;
    let auth_server = if config.demo {
        Some(demo_as::DemoAs::load(demo_as::DemoAsSettings::for_config(
            &config,
        ))?)
    } else {
        None
    };
    let store = store::Store::open(&config.data_dir.join(store::FILE_NAME))?;
    let state = AppState::new(config, store);
    let config = state.config.clone();
    let demo = auth_server.map(|auth_server| {
        let simulators = simulators::Simulators::new(
            config.auth.issuer.clone(),
            auth_server.public_keys(),
            simulators::day::DemoDay::new(config.time_zone.clone()),
        );
        demo::DemoHandles::new(auth_server, simulators, config.clone())
    });
    let router = app(state.clone(), demo.clone());
    let task = tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(RunningServer {
        addr,
        config,
        task,
        demo,
        state,
    })
}
