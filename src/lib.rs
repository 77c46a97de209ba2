//! Plan My Today, the PWA: Leptos, client-side rendered, compiled to wasm by Trunk.
//!
//! - [`pkce`]: verifier, challenge and state as types (RFC 7636).
//! - [`signin`]: the sign-in flow's pure steps (authorization URL, callback checks).
//! - [`storage`]: this tab's `sessionStorage`.
//! - [`api`]: JSON calls to the backend.
//! - [`session`]: the session as reactive state; authenticated calls; 401 handling.
//! - [`components`]: the screens.

pub mod api;
pub mod components;
pub mod pkce;
pub mod session;
pub mod signin;
pub mod storage;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::callback::CallbackPage;
use crate::components::home::Home;
use crate::session::Session;

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    provide_context(Session::restore());
    view! {
        <Router>
            <Routes fallback=|| view! { <Home /> }>
                <Route path=path!("/") view=Home />
                <Route path=path!("/callback") view=CallbackPage />
            </Routes>
        </Router>
    }
}
