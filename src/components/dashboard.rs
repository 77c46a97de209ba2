//! The dashboard: toolbar, status, the list in the chosen view, today's timeline and
//! the quick-add form. The view state lives in the address bar.

use std::time::Duration;

use leptos::html;
use leptos::prelude::*;

use crate::components::adhoc_form::AdHocPanel;
use crate::components::shortcuts::{self, ShortcutsDialog};
use crate::components::status_bar::StatusBar;
use crate::components::task_groups::{PriorityView, SourceView};
use crate::components::timeline::Timeline;
use crate::components::toolbar::Toolbar;
use crate::dashboard_data::DashboardData;
use crate::model::{Groups, View, ViewState};
use crate::session::now_secs;
use crate::theme::ThemeState;

/// What the user chose to see and what that shows, provided as context.
#[derive(Clone, Copy, Debug)]
pub struct DashboardView {
    /// View, search, filters, sort.
    pub state: RwSignal<ViewState>,
    /// The groups they produce over the current snapshot.
    pub groups: Memo<Groups>,
}

fn address_query() -> String {
    window().location().search().unwrap_or_default()
}

/// Puts the view state in the address bar (replacing, not adding, a history entry:
/// typing a search should not fill the back button).
fn write_address(query: &str) {
    let Ok(path) = window().location().pathname() else {
        return;
    };
    let current = format!("{path}{}", address_query());
    let url = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    if url != current {
        if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    }
}

/// The dashboard. Needs [`DashboardData`] in context (the app provides it and loads
/// it; tests provide one with a snapshot set).
#[component]
pub fn Dashboard() -> impl IntoView {
    let data = expect_context::<DashboardData>();
    if use_context::<ThemeState>().is_none() {
        provide_context(ThemeState::install());
    }
    let state = RwSignal::new(ViewState::from_query(&address_query()));
    Effect::new(move || write_address(&state.with(ViewState::to_query)));
    let groups = Memo::new(move |_| data.board.with(|b| state.with(|s| b.visible(s))));
    provide_context(DashboardView { state, groups });

    if let Ok(tick) =
        set_interval_with_handle(move || data.now.set(now_secs()), Duration::from_secs(30))
    {
        on_cleanup(move || tick.clear());
    }
    let help = NodeRef::<html::Dialog>::new();
    shortcuts::install(data, state, help);
    let on_help = Callback::new(move |()| {
        if let Some(d) = help.get_untracked() {
            let _ = d.show_modal();
        }
    });
    let current = Memo::new(move |_| state.with(|s| s.view));
    view! {
        <nav class="toolbar" aria-label="Search, views and filters">
            <Toolbar on_help />
        </nav>
        <main id="main" class="main" tabindex="-1">
            <StatusBar />
            <div class="columns">
                <div class="task-column">
                    {move || match current.get() {
                        View::Priority => view! { <PriorityView /> }.into_any(),
                        View::Source => view! { <SourceView /> }.into_any(),
                    }}
                </div>
                <aside class="side" aria-label="Today's schedule and quick add">
                    <Timeline />
                    <AdHocPanel />
                </aside>
            </div>
        </main>
        <ShortcutsDialog node_ref=help />
    }
}
