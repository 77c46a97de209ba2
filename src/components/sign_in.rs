//! The sign-in screen: one button, and what went wrong last time if anything did.

use leptos::prelude::*;
use leptos::task::spawn_local;
use pmt_wire::AuthConfig;

use crate::api;
use crate::session::{current_place, Session};
use crate::signin::{safe_return_path, PendingSignIn};
use crate::storage::{self, PKCE_KEY, RETURN_TO_KEY};

/// Starts a sign-in in this tab: fetch the authorization server's details, keep the
/// verifier and state in `sessionStorage`, and navigate to the authorize endpoint.
async fn start_sign_in() -> Result<(), String> {
    let config: AuthConfig = api::get("/api/auth/config", None)
        .await
        .map_err(|e| e.to_string())?;
    let window = web_sys::window().ok_or("no browser window")?;
    let origin = window.location().origin().map_err(|_| "no page origin")?;
    let (pending, url) =
        PendingSignIn::start(&config, &format!("{origin}/callback")).map_err(|e| e.to_string())?;
    storage::save(PKCE_KEY, &pending).map_err(|e| e.to_string())?;
    if storage::load::<String>(RETURN_TO_KEY).is_none() {
        storage::save(RETURN_TO_KEY, &safe_return_path(&current_place()))
            .map_err(|e| e.to_string())?;
    }
    window
        .location()
        .assign(&url)
        .map_err(|_| "the browser refused to open the sign-in page".to_owned())
}

/// The sign-in screen. `error` is shown as an alert above the button.
#[component]
pub fn SignInScreen(
    /// A failure to show (from the callback or a refused start).
    #[prop(into, optional)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let start_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let shown_error = move || start_error.get().or_else(|| error.get());
    let on_click = move |_| {
        busy.set(true);
        start_error.set(None);
        spawn_local(async move {
            if let Err(e) = start_sign_in().await {
                start_error.set(Some(e));
                busy.set(false);
            }
        });
    };
    view! {
        <main id="signin" class="signin">
            <h1>"Plan My Today"</h1>
            <p class="tagline">"One prioritized list for today, from all your work tools."</p>
            {move || {
                shown_error()
                    .map(|e| {
                        view! {
                            <p id="auth-error" class="alert" role="alert">
                                {e}
                            </p>
                        }
                    })
            }}
            {move || {
                (shown_error().is_none())
                    .then(|| session.notice())
                    .flatten()
                    .map(|n| view! { <p class="notice" role="status">{n}</p> })
            }}
            <button id="sign-in" class="primary" on:click=on_click disabled=move || busy.get()>
                {move || if shown_error().is_some() { "Sign in again" } else { "Sign in" }}
            </button>
        </main>
    }
}
