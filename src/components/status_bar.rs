//! Above the list: how old the snapshot is, what a running refresh is doing, the
//! live region that announces results, and what happened when things are not normal
//! (first load, empty day, failed sources, nothing matching).

use leptos::prelude::*;
use pmt_wire::SourceState;

use crate::clock;
use crate::components::dashboard::DashboardView;
use crate::dashboard_data::{DashboardData, SourceProgress};
use crate::model::{View, ViewState};

/// "as of 09:12", always visible.
#[component]
fn SnapshotAge() -> impl IntoView {
    let data = expect_context::<DashboardData>();
    let text = move || {
        let at = data.board.with(|b| b.snapshot().generated_at);
        if !data.loaded.get() {
            "loading…".to_owned()
        } else if at == 0 {
            "not fetched yet".to_owned()
        } else {
            format!("as of {}", clock::hhmm_or_date(at, data.now.get()))
        }
    };
    view! { <span id="snapshot-age" class="as-of">{text}</span> }
}

/// Per-source progress while a refresh runs.
#[component]
fn RefreshProgress() -> impl IntoView {
    let data = expect_context::<DashboardData>();
    move || {
        data.progress.get().map(|list| {
            view! {
                <ul id="refresh-progress" class="progress" aria-label="Refresh progress">
                    {list
                        .into_iter()
                        .map(|(source, state)| {
                            let (class, text) = match state {
                                SourceProgress::Waiting => ("waiting", "waiting".to_owned()),
                                SourceProgress::Running => ("running", "fetching…".to_owned()),
                                SourceProgress::Finished(st) => match st.state {
                                    SourceState::Ok { count, .. } => ("done", format!("{count} ✓")),
                                    SourceState::Failed { .. } => ("failed", "failed".to_owned()),
                                    SourceState::Disabled => ("done", "off".to_owned()),
                                    SourceState::Pending => ("waiting", "waiting".to_owned()),
                                },
                            };
                            view! {
                                <li class=class data-progress=source.as_str()>
                                    {source.label()} ": " {text}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
        })
    }
}

/// What to tell the user when the list is not the usual one.
#[component]
fn StateNotice() -> impl IntoView {
    let data = expect_context::<DashboardData>();
    let view_ctx = expect_context::<DashboardView>();
    let state = view_ctx.state;
    let groups = view_ctx.groups;
    let shown = Memo::new(move |_| groups.with(|g| (g.shown, g.hidden_dismissed)));
    let narrows = Memo::new(move |_| state.with(ViewState::narrows));
    let health = Memo::new(move |_| {
        data.board.with(|b| {
            let failed: Vec<(String, String)> = b
                .failed_sources()
                .into_iter()
                .map(|s| {
                    let reason = match &s.state {
                        SourceState::Failed { reason } => reason.clone(),
                        _ => String::new(),
                    };
                    (s.source.label().to_owned(), reason)
                })
                .collect();
            (b.snapshot().generated_at, b.open_count(), b.all_sources_failed(), failed)
        })
    });
    let to_sources = move |_| state.update(|s| s.view = View::Source);
    move || {
        if let Some(e) = data.load_error.get() {
            return view! {
                <div class="notice alert" role="alert">
                    <p>{format!("Your plan could not be loaded. {e}")}</p>
                    <button type="button" on:click=move |_| data.load()>"Try again"</button>
                </div>
            }
            .into_any();
        }
        if !data.loaded.get() {
            return view! { <p class="notice" aria-busy="true">"Loading your plan…"</p> }.into_any();
        }
        let (generated, open, all_failed, failed) = health.get();
        let (matching, hidden) = shown.get();
        if generated == 0 {
            return view! {
                <p class="notice">
                    {if data.refreshing() {
                        "Fetching your tasks from your sources for the first time…"
                    } else {
                        "Your sources have not been fetched yet. Press Refresh to build today's plan."
                    }}
                </p>
            }
            .into_any();
        }
        let mut parts = Vec::new();
        if all_failed {
            parts.push(view! {
                <div class="notice alert">
                    <p>
                        "None of your sources could be fetched, so this list may be incomplete. Check your connection, then press Refresh. "
                        <button type="button" class="link" on:click=to_sources>
                            "See each source's error"
                        </button>
                    </p>
                </div>
            }.into_any());
        } else if !failed.is_empty() {
            let names: Vec<String> = failed
                .iter()
                .map(|(n, r)| if r.is_empty() { n.clone() } else { format!("{n} ({r})") })
                .collect();
            parts.push(view! {
                <div class="notice warn">
                    <p>
                        {format!(
                            "Could not fetch {}: tasks from there may be missing. ",
                            names.join(", ")
                        )}
                        <button type="button" class="link" on:click=move |_| data.refresh()>
                            "Retry"
                        </button>
                        " · "
                        <button type="button" class="link" on:click=to_sources>
                            "Source view"
                        </button>
                    </p>
                </div>
            }.into_any());
        }
        if open == 0 && failed.is_empty() {
            parts.push(view! {
                <p class="notice calm">
                    "Nothing on your list today. Add a task of your own, or refresh later."
                </p>
            }.into_any());
        } else if matching == 0 && narrows.get() {
            parts.push(view! {
                <p class="notice">
                    "No tasks match your search and filters. "
                    <button
                        type="button"
                        class="link"
                        id="clear-search"
                        on:click=move |_| state.update(ViewState::clear_filters)
                    >
                        "Clear search and filters"
                    </button>
                </p>
            }.into_any());
        }
        if hidden > 0 {
            parts.push(view! {
                <p class="notice quiet">
                    {format!(
                        "{hidden} dismissed task{} hidden. ",
                        if hidden == 1 { "" } else { "s" }
                    )}
                    <button
                        type="button"
                        class="link"
                        on:click=move |_| state.update(|s| s.show_dismissed = true)
                    >
                        "Show dismissed"
                    </button>
                </p>
            }.into_any());
        }
        parts.collect_view().into_any()
    }
}

/// Age, progress, live region, failures and state notices.
#[component]
pub fn StatusBar() -> impl IntoView {
    let data = expect_context::<DashboardData>();
    view! {
        <div class="status-bar">
            <div class="status-line">
                <SnapshotAge />
                <RefreshProgress />
            </div>
            <p id="announcer" class="announcer" role="status" aria-live="polite" aria-atomic="true">
                {move || data.announcement.get()}
            </p>
            {move || {
                data.error
                    .get()
                    .map(|e| {
                        view! {
                            <div class="alert action-error" role="alert">
                                <span>{e}</span>
                                <button type="button" class="link" on:click=move |_| data.error.set(None)>
                                    "Close"
                                </button>
                            </div>
                        }
                    })
            }}
            <StateNotice />
        </div>
    }
}
