//! `/callback`: the authorization server sends the browser back here.
//!
//! The pending sign-in is taken (single use), the address bar is cleaned at once, the
//! response is checked (`state`, `iss`, errors), and only then is the code sent to
//! the backend with the verifier.

use leptos::prelude::*;
use leptos::task::spawn_local;
use pmt_wire::SessionResponse;

use crate::api;
use crate::components::sign_in::SignInScreen;
use crate::session::Session;
use crate::signin::{safe_return_path, CallbackError, CallbackParams, PendingSignIn};
use crate::storage::{self, PKCE_KEY, RETURN_TO_KEY};
use crate::Page;

/// Reads the callback query, then removes `code`, `state` and `iss` from the address
/// bar (and from history) before anything else happens.
fn read_and_clean_callback_url() -> CallbackParams {
    let Some(window) = web_sys::window() else {
        return CallbackParams::default();
    };
    let query = window.location().search().unwrap_or_default();
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/callback"));
    }
    CallbackParams::parse(&query)
}

/// Checks the callback and redeems the code; returns the session or a message.
pub async fn complete_sign_in(params: CallbackParams) -> Result<SessionResponse, String> {
    let pending: Option<PendingSignIn> = storage::take(PKCE_KEY);
    let request = pending
        .ok_or(CallbackError::NoPendingSignIn)
        .and_then(|p| p.accept(&params))
        .map_err(|e| e.to_string())?;
    api::post("/api/session", &request, None)
        .await
        .map_err(|e| e.to_string())
}

/// The callback page: "Signing you in…", then the app, or what went wrong.
#[component]
pub fn CallbackPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let page = expect_context::<Page>();
    let failure = RwSignal::new(None::<String>);
    let params = read_and_clean_callback_url();
    spawn_local(async move {
        match complete_sign_in(params).await {
            Ok(s) => match session.begin(s) {
                Ok(()) => {
                    let to: String = storage::take(RETURN_TO_KEY).unwrap_or_else(|| "/".into());
                    page.replace(&safe_return_path(&to));
                }
                Err(e) => failure.set(Some(e.to_string())),
            },
            Err(message) => failure.set(Some(message)),
        }
    });
    view! {
        <Show
            when=move || failure.with(Option::is_some)
            fallback=|| {
                view! {
                    <main class="signin" aria-busy="true">
                        <p role="status">"Signing you in…"</p>
                    </main>
                }
            }
        >
            <SignInScreen error=Signal::derive(move || failure.get()) />
        </Show>
    }
}
