//! The signed-in session as reactive state, and the only way components call the API.
//!
//! [`Session::get_json`] and its siblings add the bearer token; when the backend answers 401 it ends the
//! session, remembers where the user was, and the app falls back to the sign-in
//! screen with the reason.

use gloo_net::http::Method;
use leptos::prelude::*;
use pmt_wire::SessionResponse;
use serde::de::DeserializeOwned;
use serde::Serialize;

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

    /// Ends the session: removes everything the app stored for this user (the kept
    /// offline plan, IndexedDB and Cache Storage but the app shell, too).
    pub fn sign_out(&self) {
        storage::clear_user_data();
        leptos::task::spawn_local(crate::offline::purge());
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

    /// The bearer token, or the "not signed in" error.
    fn token(&self) -> Result<String, CallError> {
        self.current
            .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
            .ok_or_else(|| CallError::Unauthorized("you are not signed in".to_owned()))
    }

    /// Ends the session when the backend refused its token; passes the result on.
    fn watch<T>(&self, result: Result<T, CallError>) -> Result<T, CallError> {
        if let Err(e @ CallError::Unauthorized(_)) = &result {
            self.expire(e.to_string());
        }
        result
    }

    /// `GET` an API path with the session's bearer token.
    ///
    /// # Errors
    /// See [`CallError`]; on [`CallError::Unauthorized`] the session has already ended.
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, CallError> {
        let token = self.token()?;
        self.watch(api::get(path, Some(&token)).await)
    }

    /// Sends `method path` with a JSON body (or none) and the bearer token.
    async fn send_json<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, CallError> {
        let token = self.token()?;
        self.watch(api::call(method, path, body, Some(&token)).await)
    }

    /// `POST` a JSON body, read a JSON answer.
    ///
    /// # Errors
    /// See [`Session::get_json`].
    pub async fn post_json<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, CallError> {
        self.send_json(Method::POST, path, Some(body)).await
    }

    /// `PUT` a JSON body, read a JSON answer.
    ///
    /// # Errors
    /// See [`Session::get_json`].
    pub async fn put_json<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, CallError> {
        self.send_json(Method::PUT, path, Some(body)).await
    }

    /// `PATCH` a JSON body, read a JSON answer.
    ///
    /// # Errors
    /// See [`Session::get_json`].
    pub async fn patch_json<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, CallError> {
        self.send_json(Method::PATCH, path, Some(body)).await
    }

    /// Any method, an optional JSON body; the answer is `Some(T)` when it reads as
    /// one, `None` when it is empty or something else (only the status decides
    /// success). For calls whose answer is a convenience, not the point.
    ///
    /// # Errors
    /// See [`Session::get_json`].
    pub async fn call_for<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<Option<T>, CallError> {
        let token = self.token()?;
        self.watch(api::call_maybe(method, path, body, Some(&token)).await)
    }

    /// `DELETE` an API path; the answer's body is ignored.
    ///
    /// # Errors
    /// See [`Session::get_json`].
    pub async fn delete(&self, path: &str) -> Result<(), CallError> {
        let token = self.token()?;
        self.watch(
            api::call_maybe::<(), serde_json::Value>(Method::DELETE, path, None, Some(&token))
                .await
                .map(|_| ()),
        )
    }

    /// `POST` without a body and return the open answer for reading as a stream.
    ///
    /// # Errors
    /// See [`Session::get_json`].
    pub async fn post_stream(&self, path: &str) -> Result<gloo_net::http::Response, CallError> {
        let token = self.token()?;
        self.watch(api::open_stream(path, Some(&token)).await)
    }

    /// `POST` a JSON body and return the open answer for reading as a stream;
    /// `abort` cancels it.
    ///
    /// # Errors
    /// See [`Session::get_json`].
    pub async fn post_stream_json<B: Serialize>(
        &self,
        path: &str,
        body: &B,
        abort: Option<&web_sys::AbortSignal>,
    ) -> Result<gloo_net::http::Response, CallError> {
        let token = self.token()?;
        self.watch(api::open_stream_json(path, body, Some(&token), abort).await)
    }
}
