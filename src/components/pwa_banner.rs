//! The installable app's notices: a new version waiting ("Reload to update"), the
//! browser's install offer ("Install app"), and the offline banner over a kept plan.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::dashboard_data::DashboardData;
use crate::offline;
use crate::pwa::{Launch, LaunchAction, Pwa};

/// "A new version is ready" with its button, and the install button; nothing when
/// there is neither (or no [`Pwa`] in context). One plain view re-rendered on change
/// (these change a few times per page life), which keeps the bundle small.
#[component]
pub fn PwaBar() -> impl IntoView {
    let pwa = use_context::<Pwa>();
    // "Not now" hides the install offer for this page's life (nothing is stored).
    let not_now = RwSignal::new(false);
    move || {
        let pwa = pwa?;
        let update = pwa.update_ready();
        let offer = pwa.can_install() && !not_now.get();
        (update || offer).then(|| {
            view! {
                <section id="pwa-bar" class="pwa-bar" aria-label="App updates and installation">
                    {update
                        .then(|| {
                            view! {
                                <p id="pwa-update-notice" class="pwa-note" role="status">
                                    "A new version of Plan My Today is ready."
                                </p>
                                <button
                                    id="pwa-update"
                                    type="button"
                                    class="primary"
                                    disabled=move || pwa.applying()
                                    on:click=move |_| pwa.apply_update()
                                >
                                    "Reload to update"
                                </button>
                            }
                        })}
                    {offer
                        .then(|| {
                            view! {
                                <button
                                    id="pwa-install"
                                    type="button"
                                    title="Install Plan My Today as an app on this device"
                                    on:click=move |_| pwa.prompt_install()
                                >
                                    "Install app"
                                </button>
                                <button
                                    id="pwa-install-later"
                                    type="button"
                                    class="link"
                                    on:click=move |_| not_now.set(true)
                                >
                                    "Not now"
                                </button>
                            }
                        })}
                </section>
            }
        })
    }
}

/// Over a plan kept on the device: "Offline — as of 09:12" (and "from yesterday" when it
/// is older than today), what that means, and a retry when the browser has a network
/// but the server does not answer. Nothing while `as_of` is `None` (live data).
#[component]
pub fn OfflineBanner(
    /// `generated_at` of the kept plan on screen; `None` when the plan is live.
    #[prop(into)]
    as_of: Signal<Option<i64>>,
    /// The clock, Unix seconds.
    #[prop(into)]
    now: Signal<i64>,
    /// Tries the server again.
    on_retry: Callback<()>,
) -> impl IntoView {
    let pwa = use_context::<Pwa>();
    move || {
        let at = as_of.get()?;
        let network = pwa.is_none_or(|p| p.online());
        let why = if network {
            "The server cannot be reached. This is the last plan you saw, read-only; \
             changes and refresh come back with the server."
        } else {
            "You are offline. This is the last plan you saw, read-only; it updates by itself \
             when the connection is back."
        };
        Some(view! {
            <div id="offline-banner" class="notice warn offline-banner" role="status">
                <strong id="offline-as-of">{offline::label(at, now.get())}</strong>
                " "
                <span>{why}</span>
                {network
                    .then(|| {
                        view! {
                            " "
                            <button
                                id="offline-retry"
                                type="button"
                                class="link"
                                on:click=move |_| on_retry.run(())
                            >
                                "Try again"
                            </button>
                        }
                    })}
            </div>
        })
    }
}

/// Carries out the manifest shortcut the app was opened with (`/?action=…`), once:
/// "Refresh" after the first load (not over the kept plan offline), "Add task" by
/// focusing the quick-add title. Call where the signed-in dashboard is set up.
pub fn run_launch_action(data: DashboardData) {
    let Some(action) = use_context::<Launch>().and_then(|l| l.take()) else {
        return;
    };
    match action {
        LaunchAction::Refresh => {
            Effect::new(move |done: Option<bool>| {
                if done == Some(true) {
                    return true;
                }
                if !data.loaded.get() {
                    return false;
                }
                if !data.is_offline() {
                    data.refresh();
                }
                true
            });
        }
        LaunchAction::AddTask => request_animation_frame(|| {
            if let Some(input) = document()
                .get_element_by_id("adhoc-title")
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = input.focus();
            }
        }),
    }
}
