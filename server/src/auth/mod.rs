//! Sign-in and bearer-token validation: the backend as OAuth client and resource server.
//!
//! - [`validate`]: pure JWT access-token validation (keys and clock passed in).
//! - [`jwks`]: the issuer's keys, cached, refreshed at a bounded rate.
//! - [`discovery`]: authorization server metadata (RFC 8414, then OpenID discovery).
//! - [`session`]: code + PKCE verifier → validated session token.
//! - [`exchange`]: RFC 8693 token exchange for one downstream resource.
//! - [`extract`]: [`AuthUser`], the extractor every protected handler takes.
//!
//! [`Authenticator`] ties them to the configuration and the shared HTTP client;
//! [`routes`] serves `/api/auth/config`, `/api/session` and `/api/me`.

pub mod discovery;
pub mod exchange;
pub mod extract;
mod handlers;
pub mod jwks;
pub mod session;
mod token_endpoint;
mod upstream;
pub mod validate;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;

use crate::config::Config;
use crate::error::AppError;
use crate::AppState;

pub use discovery::{DiscoveryError, Metadata};
pub use exchange::{ExchangeError, ExchangedGrant};
pub use extract::AuthUser;
pub use jwks::{JwksFetchError, RefreshPolicy};
pub use session::{Session, SessionError};
pub use validate::{Claims, Expectations, KeySet, TokenError};

/// Discovery, the JWKS cache and token validation for the configured issuer.
#[derive(Debug)]
pub struct Authenticator {
    config: Arc<Config>,
    http: reqwest::Client,
    metadata: discovery::MetadataCache,
    jwks: jwks::JwksCache,
}

/// Why a bearer token could not be accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The token itself is not acceptable (401).
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The authorization server's metadata could not be had (502).
    #[error(transparent)]
    Discovery(#[from] DiscoveryError),
    /// The issuer's keys could not be had (502).
    #[error(transparent)]
    Keys(#[from] JwksFetchError),
}

impl AuthError {
    /// True when the authorization server did not answer (as opposed to answering badly).
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            Self::Discovery(DiscoveryError::Unreachable | DiscoveryError::NotFound(_))
                | Self::Keys(
                    JwksFetchError::Unreachable
                        | JwksFetchError::Status(_)
                        | JwksFetchError::NotLoaded
                )
        )
    }
}

impl From<AuthError> for AppError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Token(t) => AppError::invalid_token(t.to_string()),
            other if other.is_unreachable() => AppError::BadGateway(
                "The sign-in service could not be reached. Please try again in a moment."
                    .to_owned(),
            ),
            other => {
                tracing::warn!(error = %other, "authorization server unusable");
                AppError::BadGateway(
                    "The sign-in service is not set up correctly. Please tell the administrator."
                        .to_owned(),
                )
            }
        }
    }
}

impl Authenticator {
    /// Creates the authenticator; nothing is fetched until first use.
    pub fn new(config: Arc<Config>, http: reqwest::Client) -> Self {
        Self::with_jwks_policy(config, http, RefreshPolicy::default())
    }

    /// Like [`Authenticator::new`] with a chosen JWKS refresh policy.
    pub fn with_jwks_policy(
        config: Arc<Config>,
        http: reqwest::Client,
        policy: RefreshPolicy,
    ) -> Self {
        Self {
            config,
            jwks: jwks::JwksCache::with_policy(http.clone(), policy),
            http,
            metadata: discovery::MetadataCache::new(),
        }
    }

    /// The configuration this authenticator serves.
    pub fn config(&self) -> &Config {
        &self.config
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The authorization server's metadata, discovered on first use and then kept.
    ///
    /// # Errors
    /// When discovery fails; the next call tries again.
    pub async fn metadata(&self) -> Result<&Metadata, DiscoveryError> {
        self.metadata
            .get(&self.http, &self.config.auth.issuer)
            .await
    }

    /// What a session token for this backend must satisfy: the configured issuer, the
    /// backend's resource as audience, `typ` `at+jwt`, default leeway.
    pub fn expectations(&self) -> Expectations {
        Expectations::new(&self.config.auth.issuer, &self.config.auth.resource)
    }

    /// Validates a bearer token for this backend.
    ///
    /// # Errors
    /// [`AuthError::Token`] for a token that is not acceptable; the other variants when
    /// the authorization server's metadata or keys could not be had.
    pub async fn validate_bearer(&self, token: &str) -> Result<Claims, AuthError> {
        self.validate_bearer_for(token, &self.expectations()).await
    }

    /// Validates a bearer token against other expectations (another audience, such as
    /// the MCP endpoint's), with this issuer's keys.
    ///
    /// Header checks come first, so a token that is refused on its face never causes a
    /// request to the authorization server.
    ///
    /// # Errors
    /// As [`Authenticator::validate_bearer`].
    pub async fn validate_bearer_for(
        &self,
        token: &str,
        expect: &Expectations,
    ) -> Result<Claims, AuthError> {
        let kid = validate::check_header_only(token, expect)?;
        let meta = self.metadata().await?;
        let keys = self.jwks.keys_for(&meta.jwks_uri, &kid).await?;
        Ok(validate::validate(token, &keys, expect, unix_now())?)
    }

    pub(crate) fn client_credentials<'a>(
        &'a self,
        meta: &Metadata,
    ) -> token_endpoint::ClientCredentials<'a> {
        token_endpoint::ClientCredentials {
            client_id: &self.config.auth.client_id,
            secret: &self.config.auth.client_secret,
            method: meta.client_auth_method(),
        }
    }
}

/// Seconds since the Unix epoch, from the system clock.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
        .unwrap_or(0)
}

/// `/auth/config`, `/session`, `/me` (mounted under `/api`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/config", get(handlers::auth_config))
        .route("/session", post(handlers::create_session))
        .route("/me", get(handlers::me))
}
