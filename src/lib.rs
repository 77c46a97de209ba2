//! Plan My Today, the PWA: Leptos, client-side rendered, compiled to wasm by Trunk.
//!
//! - [`pkce`]: verifier, challenge and state as types (RFC 7636).
//! - [`signin`]: the sign-in flow's pure steps (authorization URL, callback checks).
//! - [`storage`]: this tab's `sessionStorage`.
//! - [`api`]: JSON calls to the backend.
//! - [`session`]: the session as reactive state; authenticated calls; 401 handling.
//! - [`model`]: the dashboard's pure logic (view state, search, grouping, timeline).
//! - [`dashboard_data`]: the snapshot as reactive state and every call that changes it.
//! - [`refresh`]: the streamed refresh (server-sent events over `fetch`, read by [`stream`]).
//! - [`chat`]: Todaygent's chat: the conversation as reactive state and its stream.
//! - [`theme`]: light / dark / system, remembered per device.
//! - [`pwa`]: the service worker, updates, installation; [`offline`]: the last plan kept for offline viewing.
//! - [`clock`]: local time through the browser's `Date`.
//! - [`components`]: the screens.

pub mod api;
pub mod chat;
pub mod clock;
pub mod components;
pub mod dashboard_data;
pub mod model;
pub mod offline;
pub mod pkce;
pub mod pwa;
pub mod refresh;
pub mod session;
pub mod signin;
pub mod storage;
pub mod stream;
pub mod theme;

use leptos::prelude::*;

use crate::components::callback::CallbackPage;
use crate::components::home::Home;
use crate::components::pwa_banner::PwaBar;
use crate::session::Session;

/// Which page the address shows. Two pages do not need a router crate (and its
/// weight in the bundle): `/callback`, and the app for every other path.
#[derive(Clone, Copy, Debug)]
pub struct Page(RwSignal<String>);

impl Page {
    fn pathname() -> String {
        window()
            .location()
            .pathname()
            .unwrap_or_else(|_| "/".to_owned())
    }

    /// The page of the current address; follows the back and forward buttons.
    pub fn install() -> Page {
        let page = Page(RwSignal::new(Self::pathname()));
        let handle = window_event_listener(leptos::ev::popstate, move |_| {
            page.0.set(Self::pathname());
        });
        on_cleanup(move || handle.remove());
        page
    }

    /// Whether the address is the sign-in callback, tracked.
    pub fn is_callback(&self) -> bool {
        self.0.with(|p| p == "/callback")
    }

    /// Goes to an address on this origin, replacing the current history entry.
    pub fn replace(&self, url: &str) {
        if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(url));
        }
        self.0.set(Self::pathname());
    }
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    provide_context(Session::restore());
    provide_context(theme::ThemeState::install());
    let page = Page::install();
    provide_context(page);
    provide_context(pwa::Pwa::install());
    provide_context(pwa::Launch::install());
    let callback = Memo::new(move |_| page.is_callback());
    view! {
        <PwaBar />
        {move || {
            if callback.get() {
                view! { <CallbackPage /> }.into_any()
            } else {
                view! { <Home /> }.into_any()
            }
        }}
    }
}
