//! The user's grants to each resource, and the page where the user revokes them.
//!
//! Consent at sign-in covers every known resource; revoking one afterwards makes token
//! exchange for that resource fail (`invalid_target`, "the user revoked access to …")
//! while the others keep working, which is how demo mode and the tests show a source
//! whose access was withdrawn. Tokens already issued stay valid until they expire
//! (at most [`super::EXCHANGED_TOKEN_LIFETIME_SECS`]): they are stateless JWTs.

use std::collections::BTreeSet;
use std::sync::{Arc, PoisonError, RwLock};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::fetch_metadata::is_cross_site;
use super::pages::{self, html_response};
use super::params::Params;
use super::AsState;

/// Which resources the user has revoked; clones share one set.
#[derive(Debug, Clone, Default)]
pub struct GrantRegistry {
    revoked: Arc<RwLock<BTreeSet<String>>>,
}

impl GrantRegistry {
    /// Marks the grant to `resource` revoked.
    pub fn revoke(&self, resource: &str) {
        self.revoked
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(resource.to_owned());
    }

    /// Restores the grant to `resource`.
    pub fn restore(&self, resource: &str) {
        self.revoked
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(resource);
    }

    /// Whether the grant to `resource` is revoked.
    pub fn is_revoked(&self, resource: &str) -> bool {
        self.revoked
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(resource)
    }
}

/// `GET {issuer}/grants`: the user's connected sources with Revoke/Restore buttons.
pub(super) async fn get_grants_page(State(state): State<Arc<AsState>>) -> Response {
    let rows: Vec<pages::GrantRow<'_>> = state
        .settings
        .resources
        .iter()
        .map(|r| pages::GrantRow {
            policy: r,
            revoked: state.grants.is_revoked(&r.resource),
        })
        .collect();
    html_response(
        StatusCode::OK,
        pages::grants_page(&state.settings, &rows, &state.paths),
    )
}

/// `POST {issuer}/grants` with `resource` and `action=revoke|restore`; 303 back to the page.
pub(super) async fn post_grants(
    State(state): State<Arc<AsState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if is_cross_site(&headers) {
        return pages::forbidden_cross_site();
    }
    let params = Params::parse(&body);
    let resource = params.single("resource").ok().flatten().unwrap_or("");
    let action = params.single("action").ok().flatten();
    if !state.settings.knows_resource(resource) {
        return bad_grant_request("That is not one of the sources this server knows.");
    }
    match action {
        Some("revoke") => state.grants.revoke(resource),
        Some("restore") => state.grants.restore(resource),
        _ => return bad_grant_request("The action must be revoke or restore."),
    }
    tracing::info!(
        resource,
        action = action.unwrap_or(""),
        "demo grant changed"
    );
    Redirect::to(&state.paths.grants).into_response()
}

fn bad_grant_request(message: &str) -> Response {
    html_response(
        StatusCode::BAD_REQUEST,
        pages::error_page("Cannot change this grant", message),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_revocations() {
        let a = GrantRegistry::default();
        let b = a.clone();
        a.revoke("urn:pmt:gmail");
        assert!(b.is_revoked("urn:pmt:gmail"));
        assert!(!b.is_revoked("urn:pmt:slack"));
        b.restore("urn:pmt:gmail");
        assert!(!a.is_revoked("urn:pmt:gmail"));
    }
}
