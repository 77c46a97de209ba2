//! "Fetch Gmail": the per-source switch in the source view's group header. Turning a
//! source off (`PUT /api/sources/{source}`) stops its token exchange and removes its
//! tasks; everything else keeps working. The backend answers with the snapshot as it
//! is now, which replaces the board.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use pmt_wire::agent::SourceSwitch as SwitchRequest;
use pmt_wire::{Snapshot, Source, SourceState};

use crate::api::CallError;
use crate::dashboard_data::DashboardData;
use crate::session::Session;

/// The switch of one source.
#[component]
pub fn SourceSwitch(source: Source) -> impl IntoView {
    let data = expect_context::<DashboardData>();
    let session = expect_context::<Session>();
    let on = Memo::new(move |_| {
        data.board.with(|b| {
            b.status(source)
                .is_none_or(|st| st.state != SourceState::Off)
        })
    });
    let busy = RwSignal::new(false);
    let input = NodeRef::<html::Input>::new();
    let id = format!("switch-{}", source.as_str());
    let set = move |enabled: bool| {
        busy.set(true);
        spawn_local(async move {
            let path = format!("/api/sources/{}", source.as_str());
            let answer = session
                .put_json::<_, Snapshot>(&path, &SwitchRequest { enabled })
                .await;
            busy.set(false);
            match answer {
                Ok(snapshot) => {
                    data.set_snapshot(snapshot);
                    data.error.set(None);
                    data.announce(if enabled {
                        format!("{} is on again: press Refresh to fetch it.", source.label())
                    } else {
                        format!(
                            "{} is off: it is not fetched, and its tasks are hidden, until you turn it back on.",
                            source.label()
                        )
                    });
                }
                Err(e) => {
                    // The switch shows what the server has, not what was pressed.
                    if let Some(el) = input.get_untracked() {
                        el.set_checked(on.get_untracked());
                    }
                    if !matches!(e, CallError::Unauthorized(_)) {
                        let message = format!("{} could not be switched: {e}", source.label());
                        data.error.set(Some(message.clone()));
                        data.announce(message);
                    }
                }
            }
        });
    };
    view! {
        <span class="switch">
            <input
                type="checkbox"
                role="switch"
                id=id.clone()
                node_ref=input
                prop:checked=move || on.get()
                disabled=move || busy.get() || data.is_offline()
                on:change=move |ev| set(event_target_checked(&ev))
            />
            <label for=id>{format!("Fetch {}", source.label())}</label>
        </span>
    }
}
