//! RFC 9728 protected resource metadata: how an MCP client learns which
//! authorization server issues tokens for `/mcp` and which scopes it asks for.
//!
//! The document is served at the path-inserted well-known URL of the MCP resource
//! (`/.well-known/oauth-protected-resource/mcp` for `…/mcp`, RFC 9728 §3.1) — the URL
//! every 401 from `/mcp` points at — and, for clients that only try the root, at
//! `/.well-known/oauth-protected-resource` too. Its `resource` is the configured MCP
//! resource, character for character (§3.3).

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use super::scope;
use crate::config::Config;
use crate::AppState;

/// The well-known path prefix of RFC 9728.
pub const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// The metadata document (the members this server has something to say for).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProtectedResourceMetadata {
    /// The MCP resource identifier, identical to the one the well-known URL was built from.
    pub resource: String,
    /// The issuers whose tokens are accepted (exactly one: the configured issuer).
    pub authorization_servers: Vec<String>,
    /// The scopes `/mcp` understands.
    pub scopes_supported: Vec<String>,
    /// Bearer tokens only in the `Authorization` header, never in a query or body.
    pub bearer_methods_supported: Vec<String>,
    /// A name for people.
    pub resource_name: String,
}

/// The document for a configuration (pure).
pub fn document(config: &Config) -> ProtectedResourceMetadata {
    ProtectedResourceMetadata {
        resource: config.auth.mcp_resource.clone(),
        authorization_servers: vec![config.auth.issuer.clone()],
        scopes_supported: scope::ALL.iter().map(|s| (*s).to_owned()).collect(),
        bearer_methods_supported: vec!["header".to_owned()],
        resource_name: "Plan My Today".to_owned(),
    }
}

/// The metadata URL for a resource identifier (RFC 9728 §3.1): the well-known prefix
/// inserted between the origin and the path, a trailing slash dropped; `None` when the
/// resource is not an http(s) URL.
pub fn metadata_url(resource: &str) -> Option<String> {
    let url = url::Url::parse(resource).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    let origin = url.origin().ascii_serialization();
    Some(format!("{origin}{}", well_known_path(url.path())))
}

/// The well-known path for a resource path: `/mcp` → `/.well-known/oauth-protected-resource/mcp`,
/// `/` → the bare prefix.
fn well_known_path(resource_path: &str) -> String {
    let path = resource_path.trim_end_matches('/');
    format!("{WELL_KNOWN}{path}")
}

/// The paths this server serves the document at: the path-inserted one for the
/// configured resource (when its path is one a route can hold) and the bare prefix.
pub fn served_paths(config: &Config) -> Vec<String> {
    let mut paths = vec![WELL_KNOWN.to_owned()];
    if let Ok(url) = url::Url::parse(&config.auth.mcp_resource) {
        let routable = url
            .path()
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~/".contains(&b));
        let path = well_known_path(url.path());
        if routable && !paths.contains(&path) {
            paths.push(path);
        }
    }
    paths
}

/// The metadata routes (full paths, merged at the root).
pub fn routes(config: &Config) -> Router<AppState> {
    served_paths(config)
        .into_iter()
        .fold(Router::new(), |router, path| {
            router.route(&path, get(get_metadata))
        })
}

/// `GET /.well-known/oauth-protected-resource[/mcp]`: public, cacheable, readable from
/// any origin (it names only public identifiers).
async fn get_metadata(State(state): State<AppState>) -> Response {
    let mut response = Json(document(&state.config)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_metadata_url_inserts_the_well_known_prefix_before_the_path() {
        assert_eq!(
            metadata_url("http://127.0.0.1:8080/mcp").as_deref(),
            Some("http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp")
        );
        assert_eq!(
            metadata_url("https://plan.example.com/tools/mcp/").as_deref(),
            Some("https://plan.example.com/.well-known/oauth-protected-resource/tools/mcp")
        );
        assert_eq!(
            metadata_url("https://plan.example.com").as_deref(),
            Some("https://plan.example.com/.well-known/oauth-protected-resource")
        );
        assert_eq!(metadata_url("urn:pmt:mcp"), None);
    }

    #[test]
    fn the_readme_mcp_configuration_parses() {
        let readme = include_str!("../../../README.md");
        let example = readme
            .split("## Connect an MCP client")
            .nth(1)
            .and_then(|s| s.split("### With your own authorization server").nth(1))
            .and_then(|s| s.split("```toml").nth(1))
            .and_then(|s| s.split("```").next())
            .expect("the README's MCP configuration example");
        let config = Config::parse(
            example,
            std::path::Path::new("README.md"),
            crate::secret::ClientSecret::new("s"),
            &crate::config::Overrides::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.auth.mcp_resource, "https://today.example.com/mcp");
        assert_eq!(
            metadata_url(&config.auth.mcp_resource).as_deref(),
            Some("https://today.example.com/.well-known/oauth-protected-resource/mcp")
        );
    }

    #[test]
    fn the_document_names_the_resource_issuer_and_scopes() {
        let config = Config::demo(&crate::config::Overrides::default()).expect("demo config");
        let doc = serde_json::to_value(document(&config)).expect("json");
        assert_eq!(doc["resource"], config.auth.mcp_resource);
        assert_eq!(doc["authorization_servers"][0], config.auth.issuer);
        assert_eq!(
            doc["scopes_supported"],
            serde_json::json!(["plan.read", "plan.write"])
        );
        assert_eq!(
            doc["bearer_methods_supported"],
            serde_json::json!(["header"])
        );
        assert_eq!(
            served_paths(&config),
            [WELL_KNOWN, "/.well-known/oauth-protected-resource/mcp"]
        );
    }
}
