//! The demo-mode authorization server, served by the backend on its own loopback origin.
//!
//! Demo mode has to run the same sign-in and token-exchange code as production, so this
//! is a small but real OAuth 2.0 authorization server for one user (Dana Demo), one
//! confidential client (the backend) and one public client (desktop MCP clients, which
//! get tokens for the MCP server only):
//!
//! - discovery metadata (RFC 8414, and the same document at the OpenID path),
//! - `GET {issuer}/authorize`: authorization code with PKCE S256 only, exact redirect URI,
//!   RFC 8707 `resource`, a one-click consent page, `iss` in every response (RFC 9207),
//! - `POST {issuer}/token`: client authentication (`client_secret_basic` or
//!   `client_secret_post`), the authorization code grant and RFC 8693 token exchange,
//!   one resource per request,
//! - `GET {issuer}/jwks.json`: the public half of an ES256 key persisted in the data dir,
//! - `{issuer}/grants`: Dana's "connected sources" page, where a grant to one source can
//!   be revoked and restored at run time (tests and simulators use it too).
//!
//! Access tokens are stateless JWTs (RFC 9068 `at+jwt`); nothing issued can be revoked
//! later, which is why they are short-lived (15 min for sessions, 5 min per resource,
//! an hour for MCP clients, whose users paste or store them).
//!
//! Modules, pure rules first:
//! - `settings`: who the user, the client and the resources are.
//! - `params`: form and query parameters with RFC 6749's "no repeats" rule.
//! - `pkce`: RFC 7636 challenge and verifier syntax and the S256 check.
//! - `store`: single-use, expiring handles (pending consents, codes).
//! - `grants`: which resources the user has revoked.
//! - `oauth_error`: OAuth error codes and their JSON response.
//! - `keys`: the persisted signing key, its JWK and `kid`.
//! - `access_token`: the claims of the tokens this server signs.
//! - `metadata`: endpoint paths and the discovery document.
//! - `pages`: the consent, error and grants pages (HTML, no inline script or style).
//! - `fetch_metadata`: refusing cross-site form posts.
//! - `client_auth`: who is calling the token endpoint.
//! - `authorize`, `token`, `exchange`: the endpoints.
//! - `mcp_token`: MCP-audience tokens for local MCP clients (`POST /api/mcp/token`).
//! - `mcp_client`: the public client desktop MCP clients use for the full OAuth flow
//!   (loopback redirect, PKCE, `resource` = the MCP server).

mod access_token;
mod authorize;
mod client_auth;
mod exchange;
mod fetch_metadata;
mod grants;
mod keys;
mod mcp_client;
mod mcp_token;
mod metadata;
mod oauth_error;
mod pages;
mod params;
mod pkce;
mod settings;
mod store;
mod token;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::routing::get;
use axum::Router;

pub use grants::GrantRegistry;
pub use keys::KEY_FILE_NAME;
pub use mcp_client::DESKTOP_MCP_CLIENT_ID;
pub use mcp_token::IssuedMcpToken;
pub use settings::{
    DemoAsSettings, DemoUser, ResourcePolicy, CODE_LIFETIME_SECS, CONSENT_LIFETIME_SECS,
    EXCHANGED_TOKEN_LIFETIME_SECS, LOCAL_MCP_CLIENT_ID, MCP_SCOPES, MCP_TOKEN_LIFETIME_SECS,
    SESSION_TOKEN_LIFETIME_SECS,
};

use crate::auth::validate::KeySet;

/// Why the demo authorization server could not start.
#[derive(Debug, thiserror::Error)]
pub enum DemoAsError {
    /// The signing key file exists but could not be read.
    #[error("cannot read the signing key {path}: {source}")]
    KeyRead {
        /// The key file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A new signing key could not be written (or its permissions set).
    #[error("cannot write the signing key {path}: {source}")]
    KeyWrite {
        /// The key file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The key file is not a PKCS#8 P-256 private key; delete it to get a new one.
    #[error("{path} is not a PKCS#8 P-256 private key (delete it to generate a new one)")]
    KeyParse {
        /// The key file.
        path: PathBuf,
    },
    /// The key could not be turned into a signer or a JWK (should not happen).
    #[error("cannot use the signing key: {0}")]
    KeyUse(String),
    /// The settings cannot describe a working server (e.g. the issuer is not a URL).
    #[error("invalid demo authorization server settings: {0}")]
    Settings(String),
}

/// The running demo authorization server: cheap to clone, all clones share state.
#[derive(Debug, Clone)]
pub struct DemoAs {
    state: Arc<AsState>,
}

/// Everything the handlers share.
#[derive(Debug)]
struct AsState {
    settings: DemoAsSettings,
    paths: metadata::Paths,
    key: keys::SigningKey,
    /// Our own JWKS, parsed once, to validate subject tokens of token exchange.
    own_keys: KeySet,
    /// Authorization requests waiting for the user's decision.
    pending: store::OneTimeStore<authorize::AuthorizationRequest>,
    /// Issued, not yet redeemed authorization codes.
    codes: store::OneTimeStore<authorize::CodeGrant>,
    grants: GrantRegistry,
    /// Added before answering a token exchange, milliseconds (benchmarks, tests).
    exchange_latency_ms: AtomicU64,
}

impl DemoAs {
    /// Loads the signing key from `settings.key_path` (creating it on first run) and
    /// builds the server.
    ///
    /// # Errors
    /// When the key file cannot be read, parsed or created, or the issuer is not an
    /// absolute http(s) URL.
    pub fn load(settings: DemoAsSettings) -> Result<Self, DemoAsError> {
        let paths = metadata::Paths::for_issuer(&settings.issuer)?;
        let key = keys::SigningKey::load_or_create(&settings.key_path)?;
        let jwks =
            serde_json::to_string(&key.jwks()).map_err(|e| DemoAsError::KeyUse(e.to_string()))?;
        let own_keys =
            KeySet::from_jwks_json(&jwks).map_err(|e| DemoAsError::KeyUse(e.to_string()))?;
        Ok(Self {
            state: Arc::new(AsState {
                paths,
                key,
                own_keys,
                pending: store::OneTimeStore::new(store::DEFAULT_CAPACITY),
                codes: store::OneTimeStore::new(store::DEFAULT_CAPACITY),
                grants: settings.grants.clone(),
                exchange_latency_ms: AtomicU64::new(0),
                settings,
            }),
        })
    }

    /// The routes, with full paths (they are merged at the backend's root).
    pub fn router(&self) -> Router {
        let p = &self.state.paths;
        Router::new()
            .route(&p.oauth_metadata, get(metadata::get_metadata))
            .route(&p.openid_metadata, get(metadata::get_metadata))
            .route(&p.jwks, get(metadata::get_jwks))
            .route(&p.authorize, get(authorize::get_authorize))
            .route(&p.consent, axum::routing::post(authorize::post_consent))
            .route(&p.stylesheet, get(pages::get_stylesheet))
            .route(&p.token, axum::routing::post(token::post_token))
            .route(
                &p.grants,
                get(grants::get_grants_page).post(grants::post_grants),
            )
            .with_state(self.state.clone())
    }

    /// The `kid` of the signing key (its RFC 7638 JWK thumbprint).
    pub fn key_id(&self) -> &str {
        self.state.key.kid()
    }

    /// The shared registry of revoked grants (the provider simulators may hold a clone).
    pub fn grants(&self) -> &GrantRegistry {
        &self.state.grants
    }

    /// The public keys tokens from this server are signed with (what a resource server,
    /// such as a provider simulator, validates against).
    pub fn public_keys(&self) -> KeySet {
        self.state.own_keys.clone()
    }

    /// Makes every token exchange answer after `latency` (zero: at once), to measure
    /// how the refresh behaves when the authorization server is slow.
    pub fn set_exchange_latency(&self, latency: Duration) {
        let ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        self.state.exchange_latency_ms.store(ms, Ordering::Relaxed);
    }

    /// Revokes the user's grant to `resource`: token exchange for it is refused until
    /// [`DemoAs::restore_grant`]. Returns false for a resource the server does not know.
    pub fn revoke_grant(&self, resource: &str) -> bool {
        let known = self.state.settings.knows_resource(resource);
        if known {
            self.state.grants.revoke(resource);
        }
        known
    }

    /// Issues an MCP-audience access token for `subject` (the signed-in user) to the
    /// local MCP client, for `POST /api/mcp/token`.
    ///
    /// # Errors
    /// When signing fails (should not happen with a loaded key).
    pub fn issue_mcp_token(&self, subject: &str) -> Result<IssuedMcpToken, DemoAsError> {
        mcp_token::issue(&self.state, subject, now())
    }

    /// The MCP server's resource identifier this server issues MCP tokens for.
    pub fn mcp_resource(&self) -> &str {
        &self.state.settings.mcp_resource
    }

    /// Restores a revoked grant. Returns false for a resource the server does not know.
    pub fn restore_grant(&self, resource: &str) -> bool {
        let known = self.state.settings.knows_resource(resource);
        if known {
            self.state.grants.restore(resource);
        }
        known
    }
}

impl AsState {
    /// The configured token-exchange latency.
    fn exchange_latency(&self) -> Duration {
        Duration::from_millis(self.exchange_latency_ms.load(Ordering::Relaxed))
    }
}

/// Seconds since the Unix epoch (the clock of every expiry here).
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
