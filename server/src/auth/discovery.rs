//! Authorization server metadata: RFC 8414, falling back to OpenID Connect Discovery.
//!
//! The metadata is what makes every later step trustworthy: the `jwks_uri` whose keys
//! sign session tokens, the token endpoint that receives the client secret. So the
//! document's `issuer` must equal the configured issuer exactly (RFC 8414 §3.3), PKCE
//! `S256` must be supported, and every endpoint must be HTTPS (plain HTTP only on
//! loopback or on the issuer's own host, for demo mode and test rigs).
//!
//! URL building and document checks are pure; [`discover`] does the two fetches and
//! [`MetadataCache`] keeps the first success (a failure is retried next time).

use serde::Deserialize;

use super::upstream::{self, UpstreamError};

/// RFC 8414 well-known suffix.
const OAUTH_WELL_KNOWN: &str = "/.well-known/oauth-authorization-server";
/// OpenID Connect Discovery 1.0 well-known suffix.
const OIDC_WELL_KNOWN: &str = "/.well-known/openid-configuration";

/// How the backend authenticates to the token endpoint (RFC 6749 §2.3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuthMethod {
    /// `client_secret_basic`: HTTP Basic with the form-urlencoded id and secret.
    Basic,
    /// `client_secret_post`: id and secret in the form body, for servers without Basic.
    Post,
}

/// The parts of the authorization server's metadata this backend uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Metadata {
    /// The issuer identifier (equal to the configured one).
    pub issuer: String,
    /// Where the browser is sent to authorize.
    pub authorization_endpoint: String,
    /// Where codes are redeemed and tokens exchanged.
    pub token_endpoint: String,
    /// The issuer's signing keys.
    pub jwks_uri: String,
    /// PKCE methods; always contains `S256`.
    pub code_challenge_methods_supported: Vec<String>,
    /// Whether authorization responses always carry `iss` (RFC 9207).
    pub authorization_response_iss_parameter_supported: bool,
    /// Client authentication methods at the token endpoint (RFC 8414 default:
    /// `client_secret_basic`).
    pub token_endpoint_auth_methods_supported: Vec<String>,
}

impl Metadata {
    /// The client authentication to use: Basic unless the server only offers the
    /// form-body method.
    pub fn client_auth_method(&self) -> ClientAuthMethod {
        let offers = |m: &str| {
            self.token_endpoint_auth_methods_supported
                .iter()
                .any(|s| s == m)
        };
        if !offers("client_secret_basic") && offers("client_secret_post") {
            ClientAuthMethod::Post
        } else {
            ClientAuthMethod::Basic
        }
    }
}

/// Why the authorization server's metadata could not be obtained.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiscoveryError {
    /// The configured issuer is not an `http(s)` URL without query or fragment.
    #[error("the configured issuer is not a valid issuer URL")]
    InvalidIssuer,
    /// The authorization server did not answer.
    #[error("the sign-in service could not be reached")]
    Unreachable,
    /// Neither well-known location served the metadata.
    #[error("the sign-in service publishes no metadata (HTTP {0})")]
    NotFound(u16),
    /// The metadata document was too large.
    #[error("the sign-in service's metadata is too large")]
    TooLarge,
    /// The document is not a JSON object of the expected types.
    #[error("the sign-in service's metadata is not valid")]
    NotJson,
    /// The document's `issuer` is not the configured issuer.
    #[error(
        "the sign-in service's metadata names issuer {found:?}, not the configured {expected:?}"
    )]
    IssuerMismatch {
        /// The configured issuer.
        expected: String,
        /// The issuer the document names.
        found: String,
    },
    /// A required member is absent.
    #[error("the sign-in service's metadata lacks {0:?}")]
    MissingField(&'static str),
    /// An endpoint is not an acceptable URL (not HTTPS, or has a fragment).
    #[error("the sign-in service's {0} is not an acceptable URL")]
    InvalidEndpoint(&'static str),
    /// PKCE `S256` is not supported.
    #[error("the sign-in service does not support PKCE with S256")]
    NoS256,
}

impl From<UpstreamError> for DiscoveryError {
    fn from(e: UpstreamError) -> Self {
        match e {
            UpstreamError::Unreachable => Self::Unreachable,
            UpstreamError::TooLarge => Self::TooLarge,
        }
    }
}

/// The two metadata URLs for an issuer, in the order they are tried: RFC 8414 §3.1
/// (the well-known segment inserted between host and path) and OpenID Connect
/// Discovery (appended to the issuer).
///
/// # Errors
/// [`DiscoveryError::InvalidIssuer`] when the issuer is not an `http(s)` URL without
/// query and fragment (RFC 8414 §2).
pub fn metadata_urls(issuer: &str) -> Result<[String; 2], DiscoveryError> {
    let url = url::Url::parse(issuer).map_err(|_| DiscoveryError::InvalidIssuer)?;
    if !matches!(url.scheme(), "http" | "https")
        || url.query().is_some()
        || url.fragment().is_some()
        || url.host_str().is_none()
    {
        return Err(DiscoveryError::InvalidIssuer);
    }
    let origin = url.origin().ascii_serialization();
    let path = url.path().trim_end_matches('/');
    Ok([
        format!("{origin}{OAUTH_WELL_KNOWN}{path}"),
        format!("{origin}{path}{OIDC_WELL_KNOWN}"),
    ])
}

#[derive(Deserialize)]
struct RawMetadata {
    issuer: Option<String>,
    authorization_endpoint: Option<String>,
    token_endpoint: Option<String>,
    jwks_uri: Option<String>,
    code_challenge_methods_supported: Option<Vec<String>>,
    authorization_response_iss_parameter_supported: Option<bool>,
    token_endpoint_auth_methods_supported: Option<Vec<String>>,
}

/// Checks a metadata document against the configured issuer.
///
/// # Errors
/// When the document is not JSON of the expected types, names another issuer, lacks a
/// required member, has an unacceptable endpoint URL or does not support `S256`.
pub fn parse_metadata(body: &[u8], expected_issuer: &str) -> Result<Metadata, DiscoveryError> {
    let raw: RawMetadata = serde_json::from_slice(body).map_err(|_| DiscoveryError::NotJson)?;
    let issuer = raw.issuer.ok_or(DiscoveryError::MissingField("issuer"))?;
    if issuer != expected_issuer {
        return Err(DiscoveryError::IssuerMismatch {
            expected: expected_issuer.to_owned(),
            found: issuer,
        });
    }
    let issuer_host = url::Url::parse(&issuer)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned));
    let endpoint = |value: Option<String>, name: &'static str| -> Result<String, DiscoveryError> {
        let value = value.ok_or(DiscoveryError::MissingField(name))?;
        if acceptable_endpoint(&value, issuer_host.as_deref()) {
            Ok(value)
        } else {
            Err(DiscoveryError::InvalidEndpoint(name))
        }
    };
    let authorization_endpoint = endpoint(raw.authorization_endpoint, "authorization_endpoint")?;
    let token_endpoint = endpoint(raw.token_endpoint, "token_endpoint")?;
    let jwks_uri = endpoint(raw.jwks_uri, "jwks_uri")?;
    let methods = raw
        .code_challenge_methods_supported
        .ok_or(DiscoveryError::NoS256)?;
    if !methods.iter().any(|m| m == "S256") {
        return Err(DiscoveryError::NoS256);
    }
    Ok(Metadata {
        issuer,
        authorization_endpoint,
        token_endpoint,
        jwks_uri,
        code_challenge_methods_supported: methods,
        authorization_response_iss_parameter_supported: raw
            .authorization_response_iss_parameter_supported
            .unwrap_or(false),
        token_endpoint_auth_methods_supported: raw
            .token_endpoint_auth_methods_supported
            .unwrap_or_else(|| vec!["client_secret_basic".to_owned()]),
    })
}

/// HTTPS, or plain HTTP on loopback or the issuer's own host; never a fragment.
fn acceptable_endpoint(value: &str, issuer_host: Option<&str>) -> bool {
    let Ok(url) = url::Url::parse(value) else {
        return false;
    };
    if url.fragment().is_some() {
        return false;
    }
    match url.scheme() {
        "https" => url.host().is_some(),
        "http" => match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback() || issuer_host == url.host_str(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback() || issuer_host == url.host_str(),
            Some(url::Host::Domain(d)) => d == "localhost" || issuer_host == Some(d),
            None => false,
        },
        _ => false,
    }
}

/// Fetches and checks the metadata: RFC 8414 first, then OpenID Connect Discovery when
/// the first location does not serve a document (any non-200 status).
///
/// # Errors
/// See [`DiscoveryError`]. An unreachable server is reported at once (both locations
/// are on the same origin); a document that fails the checks is never "fixed" by
/// trying the other location.
pub async fn discover(http: &reqwest::Client, issuer: &str) -> Result<Metadata, DiscoveryError> {
    let [oauth, oidc] = metadata_urls(issuer)?;
    let mut last_status = 0;
    for url in [oauth, oidc] {
        let request = http
            .get(&url)
            .header(reqwest::header::ACCEPT, "application/json");
        let (status, body) = upstream::send(request).await?;
        if status == reqwest::StatusCode::OK {
            return parse_metadata(&body, issuer);
        }
        tracing::debug!(%url, %status, "no authorization server metadata here");
        last_status = status.as_u16();
    }
    Err(DiscoveryError::NotFound(last_status))
}

/// The metadata, fetched on first use and kept for the life of the process.
///
/// A failed discovery is not remembered: the next caller tries again.
#[derive(Debug, Default)]
pub struct MetadataCache {
    cell: tokio::sync::OnceCell<Metadata>,
}

impl MetadataCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The cached metadata, discovering it first if needed.
    ///
    /// # Errors
    /// The [`DiscoveryError`] of this attempt.
    pub async fn get(
        &self,
        http: &reqwest::Client,
        issuer: &str,
    ) -> Result<&Metadata, DiscoveryError> {
        self.cell.get_or_try_init(|| discover(http, issuer)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc8414_url_inserts_the_well_known_segment_before_the_issuer_path() {
        let [oauth, oidc] = metadata_urls("https://as.example.com/tenant/one").expect("urls");
        assert_eq!(
            oauth,
            "https://as.example.com/.well-known/oauth-authorization-server/tenant/one"
        );
        assert_eq!(
            oidc,
            "https://as.example.com/tenant/one/.well-known/openid-configuration"
        );
    }

    #[test]
    fn an_issuer_without_a_path_uses_the_bare_well_known_urls() {
        for issuer in ["https://as.example.com", "https://as.example.com/"] {
            let [oauth, oidc] = metadata_urls(issuer).expect("urls");
            assert_eq!(
                oauth,
                "https://as.example.com/.well-known/oauth-authorization-server"
            );
            assert_eq!(
                oidc,
                "https://as.example.com/.well-known/openid-configuration"
            );
        }
    }

    #[test]
    fn an_issuer_with_a_query_or_fragment_is_refused() {
        assert_eq!(
            metadata_urls("https://as.example.com/?x=1").err(),
            Some(DiscoveryError::InvalidIssuer)
        );
        assert_eq!(
            metadata_urls("https://as.example.com/#f").err(),
            Some(DiscoveryError::InvalidIssuer)
        );
        assert_eq!(
            metadata_urls("ftp://as.example.com").err(),
            Some(DiscoveryError::InvalidIssuer)
        );
    }

    fn doc(issuer: &str) -> serde_json::Value {
        serde_json::json!({
            "issuer": issuer,
            "authorization_endpoint": "https://as.example.com/authorize",
            "token_endpoint": "https://as.example.com/token",
            "jwks_uri": "https://as.example.com/jwks",
            "code_challenge_methods_supported": ["S256"],
        })
    }

    #[test]
    fn a_document_for_another_issuer_is_refused() {
        let body = doc("https://as.example.com/").to_string();
        let err = parse_metadata(body.as_bytes(), "https://as.example.com").expect_err("mismatch");
        assert!(
            matches!(err, DiscoveryError::IssuerMismatch { .. }),
            "{err}"
        );
    }

    #[test]
    fn missing_s256_is_refused() {
        let mut d = doc("https://as.example.com");
        d["code_challenge_methods_supported"] = serde_json::json!(["plain"]);
        let err = parse_metadata(d.to_string().as_bytes(), "https://as.example.com");
        assert_eq!(err.err(), Some(DiscoveryError::NoS256));
        let mut d = doc("https://as.example.com");
        d.as_object_mut()
            .map(|o| o.remove("code_challenge_methods_supported"));
        let err = parse_metadata(d.to_string().as_bytes(), "https://as.example.com");
        assert_eq!(err.err(), Some(DiscoveryError::NoS256));
    }

    #[test]
    fn defaults_follow_rfc8414() {
        let m = parse_metadata(
            doc("https://as.example.com").to_string().as_bytes(),
            "https://as.example.com",
        )
        .expect("metadata");
        assert!(!m.authorization_response_iss_parameter_supported);
        assert_eq!(
            m.token_endpoint_auth_methods_supported,
            ["client_secret_basic"]
        );
        assert_eq!(m.client_auth_method(), ClientAuthMethod::Basic);
    }

    #[test]
    fn a_token_endpoint_downgraded_to_plain_http_elsewhere_is_refused() {
        let mut d = doc("https://as.example.com");
        d["token_endpoint"] = serde_json::json!("http://evil.example.net/token");
        let err = parse_metadata(d.to_string().as_bytes(), "https://as.example.com");
        assert_eq!(
            err.err(),
            Some(DiscoveryError::InvalidEndpoint("token_endpoint"))
        );
    }

    #[test]
    fn plain_http_on_loopback_is_accepted_for_demo_mode() {
        let issuer = "http://127.0.0.1:8080/as";
        let d = serde_json::json!({
            "issuer": issuer,
            "authorization_endpoint": "http://127.0.0.1:8080/as/authorize",
            "token_endpoint": "http://127.0.0.1:8080/as/token",
            "jwks_uri": "http://127.0.0.1:8080/as/jwks",
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": true,
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
        });
        let m = parse_metadata(d.to_string().as_bytes(), issuer).expect("metadata");
        assert!(m.authorization_response_iss_parameter_supported);
        assert_eq!(m.client_auth_method(), ClientAuthMethod::Post);
    }
}
