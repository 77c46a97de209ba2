//! The issuer's signing keys, fetched from the discovered `jwks_uri` and cached.
//!
//! A token naming an unknown `kid` may mean the issuer rotated its keys, so the cache
//! refreshes, but at most once per [`RefreshPolicy::min_interval`]: a flood of tokens
//! with made-up `kid`s costs one fetch per window, not one per token (RFC 8725 §3.10).
//! Keys older than [`RefreshPolicy::max_age`] are refreshed on next use, so a key the
//! issuer withdrew stops verifying within that time.
//!
//! Concurrency: readers take a `tokio` read lock for a map lookup; refreshes are
//! serialized by a `tokio` mutex held across the fetch, so concurrent misses wait for
//! one fetch instead of starting their own. No `std` lock is held across an `.await`.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, RwLock};
use tokio::time::Instant;

use super::upstream::{self, UpstreamError};
use super::validate::{JwksError, KeySet};

/// How often the cache may go back to the issuer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefreshPolicy {
    /// Minimum time between two fetches, whatever triggers them.
    pub min_interval: Duration,
    /// Keys older than this are refreshed on next use.
    pub max_age: Duration,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        Self {
            min_interval: Duration::from_secs(30),
            max_age: Duration::from_secs(15 * 60),
        }
    }
}

/// Why the keys could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwksFetchError {
    /// The `jwks_uri` did not answer.
    #[error("the sign-in service's keys could not be fetched")]
    Unreachable,
    /// The `jwks_uri` answered with another status than 200.
    #[error("the sign-in service's keys could not be fetched (HTTP {0})")]
    Status(u16),
    /// The key set was too large.
    #[error("the sign-in service's key set is too large")]
    TooLarge,
    /// The key set is not usable.
    #[error("the sign-in service's key set is not usable: {0}")]
    Invalid(JwksError),
    /// No key set has been loaded and the last attempt was too recent to try again.
    #[error("the sign-in service's keys are not available yet; try again shortly")]
    NotLoaded,
}

impl From<UpstreamError> for JwksFetchError {
    fn from(e: UpstreamError) -> Self {
        match e {
            UpstreamError::Unreachable => Self::Unreachable,
            UpstreamError::TooLarge => Self::TooLarge,
        }
    }
}

#[derive(Debug)]
struct Loaded {
    uri: String,
    keys: Arc<KeySet>,
    fetched_at: Instant,
}

impl Loaded {
    fn serves(&self, uri: &str, kid: &str, max_age: Duration) -> bool {
        self.uri == uri && self.keys.contains(kid) && self.fetched_at.elapsed() < max_age
    }
}

/// A JWKS cache with a bounded refresh rate.
#[derive(Debug)]
pub struct JwksCache {
    http: reqwest::Client,
    policy: RefreshPolicy,
    current: RwLock<Option<Loaded>>,
    /// When the last fetch started; the mutex also serializes fetches.
    last_attempt: Mutex<Option<Instant>>,
}

impl JwksCache {
    /// An empty cache with the default policy (30 s between fetches, 15 min max age).
    pub fn new(http: reqwest::Client) -> Self {
        Self::with_policy(http, RefreshPolicy::default())
    }

    /// An empty cache with a chosen policy.
    pub fn with_policy(http: reqwest::Client, policy: RefreshPolicy) -> Self {
        Self {
            http,
            policy,
            current: RwLock::new(None),
            last_attempt: Mutex::new(None),
        }
    }

    /// The key set to validate a token naming `kid` with.
    ///
    /// Returns the cached set when it has `kid` and is fresh. Otherwise fetches a new
    /// set, unless a fetch started less than `min_interval` ago: then the cached set is
    /// returned as it is, and a token whose `kid` is not in it fails validation without
    /// any request to the issuer. A failed refresh keeps serving a cached set that has
    /// `kid` (an issuer outage does not sign everyone out).
    ///
    /// # Errors
    /// When keys are needed, the fetch fails, and no cached set has `kid`; or when no
    /// set was ever loaded and the window forbids another attempt.
    pub async fn keys_for(&self, jwks_uri: &str, kid: &str) -> Result<Arc<KeySet>, JwksFetchError> {
        if let Some(keys) = self.cached_serving(jwks_uri, kid).await {
            return Ok(keys);
        }
        let mut last_attempt = self.last_attempt.lock().await;
        // Someone else may have refreshed while this task waited for the lock.
        if let Some(keys) = self.cached_serving(jwks_uri, kid).await {
            return Ok(keys);
        }
        let fallback = self.cached_for_uri(jwks_uri).await;
        if last_attempt.is_some_and(|t| t.elapsed() < self.policy.min_interval) {
            return fallback.ok_or(JwksFetchError::NotLoaded);
        }
        *last_attempt = Some(Instant::now());
        match self.fetch(jwks_uri).await {
            Ok(keys) => {
                let keys = Arc::new(keys);
                *self.current.write().await = Some(Loaded {
                    uri: jwks_uri.to_owned(),
                    keys: keys.clone(),
                    fetched_at: Instant::now(),
                });
                Ok(keys)
            }
            Err(e) => {
                tracing::warn!(error = %e, "JWKS refresh failed");
                match fallback {
                    Some(keys) if keys.contains(kid) => Ok(keys),
                    _ => Err(e),
                }
            }
        }
    }

    async fn cached_serving(&self, uri: &str, kid: &str) -> Option<Arc<KeySet>> {
        let current = self.current.read().await;
        current
            .as_ref()
            .filter(|l| l.serves(uri, kid, self.policy.max_age))
            .map(|l| l.keys.clone())
    }

    async fn cached_for_uri(&self, uri: &str) -> Option<Arc<KeySet>> {
        let current = self.current.read().await;
        current
            .as_ref()
            .filter(|l| l.uri == uri)
            .map(|l| l.keys.clone())
    }

    async fn fetch(&self, uri: &str) -> Result<KeySet, JwksFetchError> {
        let request = self.http.get(uri).header(
            reqwest::header::ACCEPT,
            "application/jwk-set+json, application/json",
        );
        let (status, body) = upstream::send(request).await?;
        if status != reqwest::StatusCode::OK {
            return Err(JwksFetchError::Status(status.as_u16()));
        }
        let text =
            std::str::from_utf8(&body).map_err(|_| JwksFetchError::Invalid(JwksError::NotJson))?;
        KeySet::from_jwks_json(text).map_err(JwksFetchError::Invalid)
    }
}
