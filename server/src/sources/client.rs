//! The one HTTP client every connector uses: allow-listed hosts, the exchanged token
//! for this one call, a time budget, and provider errors mapped to [`SourceError`].
//!
//! It honours `429`/`503` with `Retry-After` while the source's time budget allows,
//! caps response bodies, and never puts the token or a response body in an error.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, ACCEPT, AUTHORIZATION, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::time::Instant;
use url::Url;

use super::SourceError;
use crate::secret::ExchangedToken;

/// Largest response body a connector accepts (a giant page is refused, not buffered).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// How many times one request is retried after `429`/`503`.
const MAX_RETRIES: u32 = 3;
/// Back-off when a `429` carries no `Retry-After`.
const DEFAULT_BACKOFF: Duration = Duration::from_millis(500);

/// How the token goes on the wire (Linear personal keys take no `Bearer` prefix; an
/// exchanged OAuth token always does).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthStyle {
    /// `Authorization: Bearer <token>`.
    Bearer,
}

/// A client bound to one source call: base URL, allow-list, token, deadline.
#[derive(Clone)]
pub struct SourceClient {
    http: reqwest::Client,
    base: Url,
    allowed_hosts: Arc<[String]>,
    token: ExchangedToken,
    deadline: Instant,
    extra_headers: HeaderMap,
}

impl std::fmt::Debug for SourceClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceClient")
            .field("base", &self.base.as_str())
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

impl SourceClient {
    /// A client for one call. `allowed_hosts` are `host:port` strings (port included
    /// even when default) of every configured source.
    pub fn new(
        http: reqwest::Client,
        base: Url,
        allowed_hosts: Arc<[String]>,
        token: ExchangedToken,
        deadline: Instant,
    ) -> Self {
        Self {
            http,
            base,
            allowed_hosts,
            token,
            deadline,
            extra_headers: HeaderMap::new(),
        }
    }

    /// Adds a header sent with every request (e.g. GitHub's API version).
    pub fn with_header(mut self, name: &'static str, value: &'static str) -> Self {
        self.extra_headers.insert(
            reqwest::header::HeaderName::from_static(name),
            reqwest::header::HeaderValue::from_static(value),
        );
        self
    }

    /// The base URL (for building links in tests and normalizers).
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// Resolves a path (with query) against the base URL and checks the allow-list.
    ///
    /// # Errors
    /// [`SourceError::HostNotAllowed`] when the result leaves the allowed hosts (a
    /// provider-supplied absolute URL, e.g. a `Link` header, is checked the same way).
    pub fn url(&self, path_and_query: &str) -> Result<Url, SourceError> {
        // Anything with a scheme is an absolute URL and must pass the allow-list itself.
        let url = if path_and_query.contains("://") || path_and_query.starts_with("//") {
            Url::parse(path_and_query)
                .map_err(|_| SourceError::HostNotAllowed("an invalid URL".into()))?
        } else {
            let base = self.base.as_str().trim_end_matches('/');
            Url::parse(&format!(
                "{base}/{}",
                path_and_query.trim_start_matches('/')
            ))
            .map_err(|_| SourceError::HostNotAllowed("an invalid URL".into()))?
        };
        let host = format!(
            "{}:{}",
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or_default()
        );
        if !matches!(url.scheme(), "http" | "https") || !self.allowed_hosts.contains(&host) {
            return Err(SourceError::HostNotAllowed(host));
        }
        Ok(url)
    }

    /// `GET` JSON.
    ///
    /// # Errors
    /// See [`SourceError`].
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        path_and_query: &str,
    ) -> Result<T, SourceError> {
        let (body, _, _) = self
            .send(Method::GET, path_and_query, None::<&()>, &[])
            .await?;
        decode(&body)
    }

    /// `GET` JSON and the response headers (for `Link` pagination).
    ///
    /// # Errors
    /// See [`SourceError`].
    pub async fn get_json_with_headers<T: DeserializeOwned>(
        &self,
        path_and_query: &str,
    ) -> Result<(T, HeaderMap), SourceError> {
        let (body, headers, _) = self
            .send(Method::GET, path_and_query, None::<&()>, &[])
            .await?;
        Ok((decode(&body)?, headers))
    }

    /// `POST` a JSON body, read JSON.
    ///
    /// # Errors
    /// See [`SourceError`].
    pub async fn post_json<B: Serialize, T: DeserializeOwned>(
        &self,
        path_and_query: &str,
        body: &B,
    ) -> Result<T, SourceError> {
        let (body, _, _) = self
            .send(Method::POST, path_and_query, Some(body), &[])
            .await?;
        decode(&body)
    }

    /// `POST` a JSON body and read JSON also when the status is one of `also_ok`
    /// (GraphQL servers put their `errors[]` in a 400 body). Returns the headers too.
    ///
    /// # Errors
    /// See [`SourceError`]; an `also_ok` status whose body is not the expected JSON is
    /// [`SourceError::Status`].
    pub async fn post_json_accepting<B: Serialize, T: DeserializeOwned>(
        &self,
        path_and_query: &str,
        body: &B,
        also_ok: &[u16],
    ) -> Result<(T, HeaderMap), SourceError> {
        let (body, headers, status) = self
            .send(Method::POST, path_and_query, Some(body), also_ok)
            .await?;
        match decode(&body) {
            Ok(value) => Ok((value, headers)),
            Err(_) if !status.is_success() => Err(SourceError::Status(status.as_u16())),
            Err(e) => Err(e),
        }
    }

    async fn send<B: Serialize>(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<&B>,
        also_ok: &[u16],
    ) -> Result<(Vec<u8>, HeaderMap, StatusCode), SourceError> {
        let url = self.url(path_and_query)?;
        let mut attempt = 0;
        loop {
            let mut request = self.http.request(method.clone(), url.clone());
            if !self.extra_headers.contains_key(ACCEPT) {
                request = request.header(ACCEPT, "application/json");
            }
            request = request
                .headers(self.extra_headers.clone())
                .header(AUTHORIZATION, format!("Bearer {}", self.token.expose()));
            if let Some(b) = body {
                request = request.json(b);
            }
            let remaining = self.deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(SourceError::Timeout);
            }
            let response =
                match tokio::time::timeout(remaining, request.timeout(remaining).send()).await {
                    Err(_) => return Err(SourceError::Timeout),
                    Ok(Err(e)) if e.is_timeout() => return Err(SourceError::Timeout),
                    Ok(Err(_)) => return Err(SourceError::Unreachable),
                    Ok(Ok(r)) => r,
                };
            let status = response.status();
            if status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE
            {
                // `rate_limit_exhausted` prefers `Retry-After`, then GitHub's reset time.
                let wait = rate_limit_exhausted(response.headers())
                    .or_else(|| retry_after(response.headers()))
                    .unwrap_or(DEFAULT_BACKOFF);
                attempt += 1;
                if attempt > MAX_RETRIES || Instant::now() + wait >= self.deadline {
                    return Err(SourceError::RateLimited {
                        retry_after_secs: wait.as_secs(),
                    });
                }
                tokio::time::sleep(wait).await;
                continue;
            }
            if status == StatusCode::FORBIDDEN {
                // GitHub signals an exhausted primary rate limit with 403 (not 429).
                if let Some(wait) = rate_limit_exhausted(response.headers()) {
                    return Err(SourceError::RateLimited {
                        retry_after_secs: wait.as_secs(),
                    });
                }
            }
            if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
                return Err(SourceError::Unauthorized(status.as_u16()));
            }
            if !status.is_success() && !also_ok.contains(&status.as_u16()) {
                return Err(SourceError::Status(status.as_u16()));
            }
            let headers = response.headers().clone();
            let body = read_capped(response, self.deadline).await?;
            return Ok((body, headers, status));
        }
    }
}

/// Reads a body up to [`MAX_BODY_BYTES`], within the deadline.
async fn read_capped(
    mut response: reqwest::Response,
    deadline: Instant,
) -> Result<Vec<u8>, SourceError> {
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY_BYTES as u64)
    {
        return Err(SourceError::Malformed("the response is too large".into()));
    }
    let mut body = Vec::new();
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let chunk = match tokio::time::timeout(remaining, response.chunk()).await {
            Err(_) => return Err(SourceError::Timeout),
            Ok(Err(_)) => return Err(SourceError::Unreachable),
            Ok(Ok(c)) => c,
        };
        let Some(chunk) = chunk else { break };
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(SourceError::Malformed("the response is too large".into()));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Decodes JSON; the error names what was wrong, never quotes the body.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, SourceError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(SourceError::Malformed("the response was empty".into()));
    }
    if body.first() == Some(&b'<') {
        return Err(SourceError::Malformed(
            "the response was an HTML page, not JSON".into(),
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        SourceError::Malformed(format!(
            "the response was not the expected JSON ({} at line {} column {})",
            match e.classify() {
                serde_json::error::Category::Data => "unexpected shape",
                serde_json::error::Category::Syntax => "syntax error",
                serde_json::error::Category::Eof => "truncated",
                serde_json::error::Category::Io => "read error",
            },
            e.line(),
            e.column()
        ))
    })
}

/// `Retry-After` in seconds (HTTP-date form is treated as absent).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(|s| Duration::from_secs(s.min(3600)))
}

/// The wait for a `403` that says the rate limit is used up (`x-ratelimit-remaining: 0`):
/// `Retry-After`, else the time until `x-ratelimit-reset` (epoch seconds), else 60 s.
fn rate_limit_exhausted(headers: &HeaderMap) -> Option<Duration> {
    let remaining = headers.get("x-ratelimit-remaining")?.to_str().ok()?.trim();
    if remaining != "0" {
        return None;
    }
    let until_reset = headers
        .get("x-ratelimit-reset")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .map(|reset| {
            Duration::from_secs(reset.saturating_sub(crate::auth::unix_now()).clamp(0, 3600) as u64)
        });
    Some(
        retry_after(headers)
            .or(until_reset)
            .unwrap_or(Duration::from_secs(60)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(base: &str, allowed: &[&str]) -> SourceClient {
        SourceClient::new(
            reqwest::Client::new(),
            Url::parse(base).unwrap(),
            allowed
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .into(),
            ExchangedToken::new("t"),
            Instant::now() + Duration::from_secs(1),
        )
    }

    #[test]
    fn resolves_paths_against_the_base() {
        let c = client("http://127.0.0.1:8080/sim/linear", &["127.0.0.1:8080"]);
        assert_eq!(
            c.url("/graphql").unwrap().as_str(),
            "http://127.0.0.1:8080/sim/linear/graphql"
        );
    }

    #[test]
    fn outbound_calls_only_reach_allow_listed_hosts() {
        let c = client("https://api.github.com", &["api.github.com:443"]);
        assert!(c.url("/search/issues?q=x").is_ok());
        for bad in [
            "https://evil.example/steal",
            "http://169.254.169.254/latest/meta-data",
            "https://api.github.com.evil.example/",
            "file:///etc/passwd",
        ] {
            assert!(
                matches!(c.url(bad), Err(SourceError::HostNotAllowed(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn decode_names_the_problem_without_quoting_the_body() {
        let e = decode::<serde_json::Value>(b"<html>502 Bad Gateway secret</html>").unwrap_err();
        assert_eq!(e.to_string(), "the response was an HTML page, not JSON");
        let e = decode::<serde_json::Value>(b"   ").unwrap_err();
        assert!(e.to_string().contains("empty"));
        let e = decode::<Vec<u8>>(b"{\"a\":\"secret-value\"}").unwrap_err();
        assert!(!e.to_string().contains("secret-value"));
    }

    #[test]
    fn debug_of_a_client_hides_the_token() {
        let c = client("http://127.0.0.1:1", &[]);
        assert!(!format!("{c:?}").contains("\"t\""));
    }

    #[test]
    fn retry_after_reads_seconds() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, "2".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn a_403_with_no_rate_limit_left_is_a_rate_limit() {
        let mut h = HeaderMap::new();
        assert_eq!(rate_limit_exhausted(&h), None);
        h.insert("x-ratelimit-remaining", "12".parse().unwrap());
        assert_eq!(rate_limit_exhausted(&h), None);
        h.insert("x-ratelimit-remaining", "0".parse().unwrap());
        assert_eq!(rate_limit_exhausted(&h), Some(Duration::from_secs(60)));
        h.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(rate_limit_exhausted(&h), Some(Duration::from_secs(7)));
    }
}
