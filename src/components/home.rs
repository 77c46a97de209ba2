//! `/`: the signed-in app (or the sign-in screen when nobody is).

use leptos::prelude::*;
use leptos::task::spawn_local;
use pmt_wire::Me;

use crate::components::dashboard::Dashboard;
use crate::components::offline_plan::{KeptPlanNote, KeptPlanWindow};
use crate::components::sign_in::SignInScreen;
use crate::dashboard_data::DashboardData;
use crate::session::Session;

/// Formats a Unix time as the browser's local `HH:MM`.
fn local_time(secs: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(secs as f64 * 1000.0));
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}

/// The signed-in identity, as the backend validated it.
#[component]
fn Identity() -> impl IntoView {
    let session = expect_context::<Session>();
    let me = RwSignal::new(None::<Me>);
    let error = RwSignal::new(None::<String>);
    spawn_local(async move {
        match session.get_json::<Me>("/api/me").await {
            Ok(m) => me.set(Some(m)),
            // Offline, the banner over the kept plan says so; no second alert here.
            Err(e) if crate::offline::is_unreachable(&e) => {}
            Err(e) => error.set(Some(e.to_string())),
        }
    });
    let user = move || {
        me.get()
            .map(|m| (m.user, m.expires_at))
            .or_else(|| session.get().map(|s| (s.user, s.expires_at)))
    };
    view! {
        <div id="identity" class="identity">
            {move || {
                user()
                    .map(|(u, exp)| {
                        let name = u.name.clone().unwrap_or_else(|| u.sub.clone());
                        view! {
                            <span class="user-name">{name}</span>
                            {u.email.map(|e| view! { <span class="user-email">{e}</span> })}
                            <span class="user-sub" title="Your identifier at the authorization server">
                                {u.sub}
                            </span>
                            <span class="session-expiry">
                                {format!("session until {}", local_time(exp))}
                            </span>
                        }
                    })
            }}
            {move || error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
        </div>
    }
}

/// The app shell for a signed-in user: the header and the dashboard, loaded (or, in a
/// window without a session that cannot reach the server, the plan kept on this device).
#[component]
fn SignedIn() -> impl IntoView {
    let session = expect_context::<Session>();
    let data = DashboardData::new(session);
    provide_context(data);
    // A window without a session that cannot reach the server shows the kept plan.
    if !use_context::<KeptPlanWindow>().is_some_and(|k| k.start(data)) {
        data.load();
    }
    crate::offline::keep_last_plan(data, session);
    crate::components::pwa_banner::run_launch_action(data);
    view! {
        <a class="skip-link" href="#main">"Skip to tasks"</a>
        <header class="topbar">
            <h1 class="brand">"Plan My Today"</h1>
            <Show when=move || session.signed_in() fallback=|| view! { <KeptPlanNote /> }>
                <Identity />
                <button id="sign-out" type="button" on:click=move |_| session.sign_out()>
                    "Sign out"
                </button>
            </Show>
        </header>
        <Dashboard />
    }
}

/// `/` and every path the router does not know: the app or the sign-in screen (or the
/// kept plan, see [`KeptPlanWindow`]).
#[component]
pub fn Home() -> impl IntoView {
    let session = expect_context::<Session>();
    let kept = KeptPlanWindow::install(session);
    provide_context(kept);
    view! {
        <Show
            when=move || session.signed_in() || kept.shown()
            fallback=|| view! { <SignInScreen /> }
        >
            <SignedIn />
        </Show>
    }
}
