//! Above the list: how old the snapshot is, what a running refresh is doing, the
//! live region that announces results, and what happened when things are not normal
//! (first load, empty day, failed sources, nothing matching).

use leptos::prelude::*;
use pmt_wire::SourceState;

use crate::clock;
use crate::components::dashboard::DashboardView;
use crate::components::pwa_banner::OfflineBanner;
use crate::dashboard_data::{DashboardData, SourceProgress};
use crate::model::notices::{notices, Facts, FailedSource, Fix, Tone};
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
                                    SourceState::Disabled | SourceState::Off => {
                                        ("done", "off".to_owned())
                                    }
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

/// What to tell the user when the list is not the usual one (see
/// [`crate::model::notices`]), each with buttons for what to do.
#[component]
fn StateNotice() -> impl IntoView {
    let data = expect_context::<DashboardData>();
    let view_ctx = expect_context::<DashboardView>();
    let state = view_ctx.state;
    let groups = view_ctx.groups;
    let health = Memo::new(move |_| {
        data.board.with(|b| {
            let failed: Vec<FailedSource> = b
                .failed_sources()
                .into_iter()
                .map(|s| FailedSource {
                    name: s.source.label().to_owned(),
                    reason: match &s.state {
                        SourceState::Failed { reason } => reason.clone(),
                        _ => String::new(),
                    },
                    kept_from: b.kept_from(s.source).map(clock::hhmm),
                })
                .collect();
            (
                b.snapshot().generated_at,
                b.open_count(),
                b.all_sources_failed(),
                failed,
            )
        })
    });
    let list = Memo::new(move |_| {
        let (generated_at, open, all_failed, failed) = health.get();
        let (matching, hidden_dismissed) = groups.with(|g| (g.shown, g.hidden_dismissed));
        notices(&Facts {
            loaded: data.loaded.get(),
            load_error: data.load_error.get(),
            refreshing: data.refreshing(),
            generated_at,
            open,
            all_failed,
            failed,
            matching,
            narrowed: state.with(ViewState::narrows),
            hidden_dismissed,
        })
    });
    let apply = move |fix: Fix| match fix {
        Fix::Reload => data.load(),
        Fix::Refresh => data.refresh(),
        Fix::SourceView => state.update(|s| s.view = View::Source),
        Fix::ClearFilters => state.update(ViewState::clear_filters),
        Fix::ShowDismissed => state.update(|s| s.show_dismissed = true),
    };
    move || {
        // The first-load notice is marked so the stylesheet can float it (see main.css).
        let loading = !data.loaded.get() && data.load_error.with(Option::is_none);
        list.get()
            .into_iter()
            .map(|n| {
                let class = if loading {
                    format!("{} loading", n.tone.class())
                } else {
                    n.tone.class().to_owned()
                };
                view! {
                    <div class=class role=(n.tone == Tone::Alert).then_some("alert")>
                        {n.text}
                        {n
                            .fixes
                            .into_iter()
                            .map(|fix| {
                                view! {
                                    " "
                                    <button
                                        type="button"
                                        class="link fix"
                                        data-fix=fix.key()
                                        disabled=if fix == Fix::Refresh {
                                            data.read_only()
                                        } else {
                                            Signal::stored(false)
                                        }
                                        on:click=move |_| apply(fix)
                                    >
                                        {fix.label()}
                                    </button>
                                }
                            })
                            .collect_view()}
                    </div>
                }
            })
            .collect_view()
    }
}

/// Age, progress, live region, failures and state notices.
#[component]
pub fn StatusBar() -> impl IntoView {
    let data = expect_context::<DashboardData>();
    view! {
        <div class="status-bar">
            <OfflineBanner
                as_of=data.offline
                now=data.now
                on_retry=Callback::new(move |()| data.load())
            />
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
