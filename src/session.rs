//! The signed-in session as reactive state, and the only way components call the API.
//!
//! [`Session::get`] adds the bearer token; when the backend answers 401 it ends the
//! session, remembers where the user was, and the app falls back to the sign-in
//! screen with the reason.

use leptos::prelude::*;
use pmt_wire::SessionResponse;
use serde::de::DeserializeOwned;

use crate::api::{self, CallError};
use crate::signin::safe_return_path;
use crate::storage::{self, StorageUnavailable, RETURN_TO_KEY, SESSION_KEY};

/// Seconds since the Unix epoch, from the browser's clock.
pub fn now_secs() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

/// The current path, query and fragment: "the user's place".
pub fn current_place() -> String {
    web_sys::window()
        .map(|w| w.location())
        .map(|l| {
            format!(
                "{}{}{}",
                l.pathname().unwrap_or_default(),
                l.search().unwrap_or_default(),
                l.hash().unwrap_or_default()
            )
        })
        .unwrap_or_else(|| "/".to_owned())
}

/// Reactive session state, provided as context by the app.
#[derive(Clone, Copy, Debug)]
pub struct Session {
    current: RwSignal<Option<SessionResponse>>,
    notice: RwSignal<Option<String>>,
}

impl Session {
    /// Restores this tab's session; an expired one is dropped.
    pub fn restore() -> Self {
        let stored: Option<SessionResponse> = storage::load(SESSION_KEY);
        let current = stored.filter(|s| s.expires_at > now_secs());
        if current.is_none() {
            storage::remove(SESSION_KEY);
        }
        Self {
            current: RwSignal::new(current),
            notice: RwSignal::new(None),
        }
    }

    /// The session, tracked.
    pub fn get(&self) -> Option<SessionResponse> {
        self.current.get()
    }

    /// Whether someone is signed in, tracked.
    pub fn signed_in(&self) -> bool {
        self.current.with(Option::is_some)
    }

    /// Why the user was last sent back to sign-in, tracked.
    pub fn notice(&self) -> Option<String> {
        self.notice.get()
    }

    /// Starts a session after a successful code redemption.
    ///
    /// # Errors
    /// When the tab's storage refuses the session.
    pub fn begin(&self, session: SessionResponse) -> Result<(), StorageUnavailable> {
        storage::save(SESSION_KEY, &session)?;
        self.notice.set(None);
        self.current.set(Some(session));
        Ok(())
    }

    /// Ends the session: removes everything the app stored for this user.
    pub fn sign_out(&self) {
        storage::clear_user_data();
        self.current.set(None);
        self.notice.set(Some("You are signed out.".to_owned()));
    }

    /// Ends the session because the backend refused it, keeping the user's place.
    fn expire(&self, reason: String) {
        let place = current_place();
        storage::clear_user_data();
        let _ = storage::save(RETURN_TO_KEY, &safe_return_path(&place));
        self.current.set(None);
        self.notice.set(Some(reason));
    }

    /// `GET` an API path with the session's bearer token.
    ///
    /// # Errors
    /// See [`CallError`]; on [`CallError::Unauthorized`] the session has already ended.
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, CallError> {
        let token = self
            .current
            .with_untracked(|s| s.as_ref().map(|s| s.token.clone()));
        let Some(token) = token else {
            return Err(CallError::Unauthorized("you are not signed in".to_owned()));
        };
        let result = api::get(path, Some(&token)).await;
        if let Err(e @ CallError::Unauthorized(_)) = &result {
            self.expire(e.to_string());
        }
        result
    }
}
