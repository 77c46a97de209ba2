//! A window with no session that cannot reach the server — typically the installed app
//! opened from the dock on a train (each window starts without a session: it lives in
//! `sessionStorage`). Signing in cannot work there, so instead of the sign-in screen the
//! app shows the plan kept on this device, read-only under the offline banner, with a
//! way to sign in; once the server answers again it goes back to the sign-in screen.
//!
//! The kept plan is shown by the same signed-in view as a live one (so the dashboard is
//! built once in the bundle): [`KeptPlanWindow`] tells `Home` to show it and puts the
//! plan on the board; [`KeptPlanNote`] stands in the header for the identity.
//!
//! Sign-out deletes the kept plan (see [`crate::offline::purge`]), so a signed-out
//! device shows nothing; a plan is only there when the last user closed the app
//! without signing out.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::dashboard_data::DashboardData;
use crate::offline::{self, StoredPlan};
use crate::session::Session;

/// Whether this window, without a session, shows the kept plan; provided as context.
#[derive(Clone, Copy, Debug)]
pub struct KeptPlanWindow {
    shown: RwSignal<bool>,
    plan: StoredValue<Option<StoredPlan>>,
}

impl KeptPlanWindow {
    /// Looks for a kept plan when nobody is signed in, and shows it if the server cannot
    /// be reached (the browser is offline, or `/api/auth/config` gets no answer).
    pub fn install(session: Session) -> KeptPlanWindow {
        let signed_in = untrack(|| session.signed_in());
        let window = KeptPlanWindow {
            shown: RwSignal::new(false),
            plan: StoredValue::new(if signed_in {
                None
            } else {
                offline::recall(None)
            }),
        };
        if window.plan.with_value(Option::is_none) {
            return window;
        }
        if !crate::pwa::browser_online() {
            window.shown.set(true);
        } else {
            spawn_local(async move {
                if let Err(e) = api::get::<pmt_wire::AuthConfig>("/api/auth/config", None).await {
                    if offline::is_unreachable(&e) {
                        window.shown.set(true);
                    }
                }
            });
        }
        let handle = window_event_listener(leptos::ev::offline, move |_| {
            if !untrack(|| session.signed_in()) {
                window.shown.set(true);
            }
        });
        on_cleanup(move || handle.remove());
        window
    }

    /// Whether the kept plan is shown instead of the sign-in screen, tracked.
    pub fn shown(&self) -> bool {
        self.shown.get()
    }

    /// Back to the sign-in screen.
    pub fn hide(&self) {
        self.shown.set(false);
    }

    /// Puts the kept plan on the board when this window shows it (`false` otherwise: load
    /// the live one). The board goes back to the sign-in screen when the server answers.
    pub fn start(&self, data: DashboardData) -> bool {
        if !self.shown.get_untracked() {
            return false;
        }
        let Some(plan) = self.plan.get_value() else {
            return false;
        };
        data.offline.set(Some(plan.snapshot.generated_at));
        data.set_snapshot(plan.snapshot);
        let this = *self;
        // `DashboardData::load` without a session only checks that the server answers.
        Effect::new(move || {
            if data.offline.get().is_none() {
                this.hide();
            }
        });
        true
    }
}

/// In the header of a window without a session: what the plan is, and "Sign in".
#[component]
pub fn KeptPlanNote() -> impl IntoView {
    let window = use_context::<KeptPlanWindow>();
    view! {
        <p id="offline-signed-out" class="identity">
            "Not signed in · the last plan kept on this device"
        </p>
        <button
            id="offline-sign-in"
            type="button"
            on:click=move |_| {
                if let Some(w) = window {
                    w.hide();
                }
            }
        >
            "Sign in"
        </button>
    }
}
