//! The dashboard: toolbar, status, the list in the chosen view, today's timeline (with
//! the day plan) and the quick-add form — or the Activity view — and Todaygent's chat
//! drawer. The view state lives in the address bar.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use leptos::html;
use leptos::prelude::*;

use crate::chat::Chat;
use crate::components::activity::ActivityView;
use crate::components::adhoc_form::AdHocPanel;
use crate::components::chat::ChatPanel;
use crate::components::day_plan::PlanState;
use crate::components::shortcuts::{self, ShortcutsDialog};
use crate::components::status_bar::StatusBar;
use crate::components::task_groups::{PriorityView, SourceView};
use crate::components::timeline::Timeline;
use crate::components::toolbar::Toolbar;
use crate::dashboard_data::DashboardData;
use crate::model::{Groups, View, ViewState};
use crate::session::{now_secs, Session};
use crate::theme::ThemeState;

/// What the user chose to see and what that shows, provided as context.
#[derive(Clone, Copy, Debug)]
pub struct DashboardView {
    /// View, search, filters, sort.
    pub state: RwSignal<ViewState>,
    /// The groups they produce over the current snapshot.
    pub groups: Memo<Groups>,
    /// How many groups are on screen while the first plan is being drawn: one more
    /// per task, so no single task blocks input for long on a slow phone; then
    /// `usize::MAX` for good (view switches and searches draw at once).
    pub revealed: RwSignal<usize>,
}

/// All groups are drawn.
pub const ALL_REVEALED: usize = usize::MAX;

/// Browsers ignore `history.replaceState` past about 200 calls in 10 s; the address
/// takes at most this many per window and catches up at the window's end.
const ADDRESS_WRITES_PER_WINDOW: u32 = 100;
const ADDRESS_WINDOW: Duration = Duration::from_secs(10);

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

/// Keeps the address bar's query equal to the view state: at once on every change
/// (bookmarks and reloads see exactly what is shown), except past the browser's
/// rate limit, where the last state is written when the window ends.
fn follow_in_address(state: RwSignal<ViewState>) {
    let budget = Rc::new(Cell::new((0.0_f64, 0_u32)));
    let catching_up = Rc::new(Cell::new(false));
    let write = move || {
        if let Some(q) = state.try_with_untracked(ViewState::to_query) {
            write_address(&q);
        }
    };
    Effect::new(move || {
        state.track();
        let now = js_sys::Date::now();
        let (window_start, used) = budget.get();
        let (window_start, used) = if now - window_start > ADDRESS_WINDOW.as_millis() as f64 {
            (now, 0)
        } else {
            (window_start, used)
        };
        if used < ADDRESS_WRITES_PER_WINDOW {
            budget.set((window_start, used + 1));
            write();
        } else if !catching_up.replace(true) {
            let catching_up = catching_up.clone();
            let budget = budget.clone();
            let wait = ADDRESS_WINDOW.as_millis() as f64 - (now - window_start);
            set_timeout(
                move || {
                    catching_up.set(false);
                    budget.set((js_sys::Date::now(), 1));
                    write();
                },
                Duration::from_millis(wait.max(0.0) as u64),
            );
        }
    });
}

/// The task list in the chosen view, beside today's timeline and the quick-add form.
#[component]
fn TaskColumns(current: Memo<View>) -> impl IntoView {
    let data = expect_context::<DashboardData>();
    // No empty groups before the first answer (the status bar says "Loading your
    // plan…"): groups that filled up would push the ones below them down (CLS).
    let waiting = move || !data.loaded.get() && data.load_error.with(Option::is_none);
    // Groups only start revealing once the plan is there, so this covers the wait too.
    let revealed = expect_context::<DashboardView>().revealed;
    let drawing = move || revealed.get() != ALL_REVEALED;
    view! {
        <div class="columns">
            // Until the first plan is drawn, the column holds a screen's height: on a
            // phone the side panels below it then start off screen, and the list's
            // arrival does not move anything the user can see (CLS).
            <div class="task-column" class:waiting=drawing>
                {move || match current.get() {
                    _ if waiting() => ().into_any(),
                    View::Source => view! { <SourceView /> }.into_any(),
                    _ => view! { <PriorityView /> }.into_any(),
                }}
            </div>
            <aside class="side" aria-label="Today's schedule and quick add">
                <AdHocPanel />
                <Timeline />
            </aside>
        </div>
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
    follow_in_address(state);
    let groups = Memo::new(move |_| data.board.with(|b| state.with(|s| b.visible(s))));
    // A plan already there when the dashboard mounts is drawn at once.
    let revealed = RwSignal::new(if data.loaded.get_untracked() {
        ALL_REVEALED
    } else {
        1
    });
    provide_context(DashboardView {
        state,
        groups,
        revealed,
    });
    let session = expect_context::<Session>();
    let chat = Chat::new(session, data);
    provide_context(chat);
    provide_context(PlanState::follow(data, session));

    if let Ok(tick) =
        set_interval_with_handle(move || data.now.set(now_secs()), Duration::from_secs(30))
    {
        on_cleanup(move || tick.clear());
    }
    let help = NodeRef::<html::Dialog>::new();
    shortcuts::install(data, state, help, chat);
    let on_help = Callback::new(move |()| {
        if let Some(d) = help.get_untracked() {
            let _ = d.show_modal();
        }
    });
    let current = Memo::new(move |_| state.with(|s| s.view));
    let activity = Memo::new(move |_| current.get() == View::Activity);
    view! {
        <nav class="toolbar" aria-label="Search, views and filters">
            <Toolbar on_help />
        </nav>
        <main id="main" class="main" tabindex="-1">
            <StatusBar />
            {move || {
                if activity.get() {
                    view! { <ActivityView /> }.into_any()
                } else {
                    view! { <TaskColumns current /> }.into_any()
                }
            }}
        </main>
        <ChatPanel />
        <ShortcutsDialog node_ref=help />
    }
}
