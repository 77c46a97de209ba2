//! The activity trail: what was accessed on the user's behalf, by whom, through which
//! app. A [`Trail`] is handed to everything that exchanges a token or calls a tool; it
//! records into the store and never fails the work it records (a store error is
//! logged and the work goes on). Nothing here can hold a token: events are
//! [`ActivityEvent`]s, which have no field for one.

use pmt_wire::activity::{ActivityEntry, ActivityEvent, Actor, GroupKind, Outcome};

use crate::auth::AuthUser;
use crate::store::{NewActivity, Store};
use crate::AppState;

/// Who is acting and which group the entries belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Who asked.
    pub actor: Actor,
    /// The OAuth client acting (the PWA's or the MCP client's id).
    pub client: String,
    /// The group's kind.
    pub group_kind: GroupKind,
    /// The group's id.
    pub group_id: String,
}

impl Origin {
    /// A new group for `actor` with a fresh id.
    pub fn new(actor: Actor, client: impl Into<String>, group_kind: GroupKind) -> Self {
        Self {
            actor,
            client: client.into(),
            group_kind,
            group_id: uuid::Uuid::new_v4().to_string(),
        }
    }
}

/// Records entries for one user and one origin.
#[derive(Debug, Clone)]
pub struct Trail {
    store: Store,
    sub: String,
    user_label: String,
    origin: Origin,
}

impl Trail {
    /// A trail for `user` (labelled by email when the token carries one).
    pub fn new(store: Store, user: &AuthUser, origin: Origin) -> Self {
        let user_label = user
            .claims
            .email
            .clone()
            .unwrap_or_else(|| user.claims.sub.clone());
        Self {
            store,
            sub: user.claims.sub.clone(),
            user_label,
            origin,
        }
    }

    /// A trail for a session-token caller (the dashboard, or the agent acting in it):
    /// the app is the token's `client_id`, else the configured PWA client.
    pub fn for_session(
        state: &AppState,
        user: &AuthUser,
        actor: Actor,
        group_kind: GroupKind,
        group_id: impl Into<String>,
    ) -> Self {
        let client = user
            .claims
            .client_id
            .clone()
            .unwrap_or_else(|| state.config.auth.client_id.clone());
        let origin = Origin {
            actor,
            client,
            group_kind,
            group_id: group_id.into(),
        };
        Self::new(state.store.clone(), user, origin)
    }

    /// The same user and actor in another group (a refresh started by a chat turn
    /// keeps the turn's group; a new refresh from the UI gets its own).
    #[must_use]
    pub fn regroup(&self, group_kind: GroupKind, group_id: impl Into<String>) -> Self {
        let mut next = self.clone();
        next.origin.group_kind = group_kind;
        next.origin.group_id = group_id.into();
        next
    }

    /// Who is acting.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// Appends an entry. Never fails: the work it describes already happened.
    pub async fn record(&self, outcome: Outcome, event: ActivityEvent) {
        let entry = ActivityEntry {
            id: 0,
            at_ms: now_ms(),
            client: self.origin.client.clone(),
            user: self.user_label.clone(),
            actor: self.origin.actor,
            group_kind: self.origin.group_kind,
            group_id: self.origin.group_id.clone(),
            outcome,
            event,
        };
        let row = NewActivity {
            sub: self.sub.clone(),
            entry,
        };
        if let Err(e) = self.store.append_activity(row).await {
            tracing::error!(error = %e, "could not record activity");
        }
    }
}

/// Now, Unix milliseconds.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
