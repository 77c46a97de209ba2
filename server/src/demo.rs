//! Demo mode's in-process parts, held together: the authorization server and the
//! provider simulators, plus the control route that revokes a source's grant.
//!
//! Tests keep a [`DemoHandles`] (from [`crate::RunningServer::demo`]) to inject faults
//! and revoke grants without HTTP; the browser suite uses the control routes:
//! `PUT /sim/control/{source}` (a [`Fault`](crate::simulators::Fault)) and
//! `PUT /sim/control/{source}/grant` (`{"revoked": true|false}`). Both exist only in
//! demo mode, which listens on loopback only.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::put;
use axum::{Json, Router};
use pmt_wire::Source;
use serde::Deserialize;

use crate::config::Config;
use crate::demo_as::DemoAs;
use crate::simulators::Simulators;

/// The demo authorization server and simulators of a running demo server.
#[derive(Debug, Clone)]
pub struct DemoHandles {
    /// The authorization server (grant registry, exchange latency).
    pub auth_server: DemoAs,
    /// The provider simulators (faults, the tokens they were sent).
    pub simulators: Simulators,
    config: Arc<Config>,
}

/// `PUT /sim/control/{source}/grant`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantControl {
    /// True revokes the user's grant to the source's resource; false restores it.
    pub revoked: bool,
}

impl DemoHandles {
    /// Bundles the parts; `config` says which resource each source exchanges for.
    pub fn new(auth_server: DemoAs, simulators: Simulators, config: Arc<Config>) -> Self {
        Self {
            auth_server,
            simulators,
            config,
        }
    }

    /// Revokes (or restores) the user's grant to a source's resource: its token
    /// exchange is refused until restored. False when the source is not configured.
    pub fn set_grant_revoked(&self, source: Source, revoked: bool) -> bool {
        let Some(resource) = self.config.source(source).map(|s| s.resource.as_str()) else {
            return false;
        };
        if revoked {
            self.auth_server.revoke_grant(resource)
        } else {
            self.auth_server.restore_grant(resource)
        }
    }

    /// The authorization server's and simulators' routes, and the grant control route.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/sim/control/{source}/grant", put(put_grant))
            .with_state(self.clone())
            .merge(self.simulators.router())
            .merge(self.auth_server.router())
    }
}

async fn put_grant(
    State(demo): State<DemoHandles>,
    Path(source): Path<String>,
    Json(control): Json<GrantControl>,
) -> Response {
    let known = Source::parse(&source)
        .filter(|s| *s != Source::AdHoc)
        .is_some_and(|s| demo.set_grant_revoked(s, control.revoked));
    if known {
        tracing::info!(source, revoked = control.revoked, "demo grant changed");
        StatusCode::NO_CONTENT.into_response()
    } else {
        (StatusCode::NOT_FOUND, "no such source").into_response()
    }
}
