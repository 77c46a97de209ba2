//! The two views of the list: by priority and by source. Both are groups of cards;
//! the source view adds each source's status (ok, count, age; or why it failed, with
//! a retry).

use std::time::Duration;

use leptos::prelude::*;
use pmt_wire::{Source, SourceState};

use crate::components::dashboard::{DashboardView, ALL_REVEALED};
use crate::components::source_switch::SourceSwitch;
use crate::components::task_card::TaskCard;
use crate::dashboard_data::{DashboardData, SourceProgress};
use crate::model::duration;
use crate::model::GroupKey;

/// Up to this many matching tasks, every card is shown (a normal day).
const WHOLE_LIST: usize = 150;
/// Past that, how many cards a group shows before "Show more": keeps a 10,000-task
/// day as quick to search and switch as a 100-task one.
const PAGE: usize = 10;

/// A source's last fetch, in words, with a retry when it failed.
#[component]
fn SourceStatusLine(source: Source) -> impl IntoView {
    let data = expect_context::<DashboardData>();
    let running = move || {
        data.progress.with(|p| {
            p.as_ref().and_then(|list| {
                list.iter()
                    .find(|(s, _)| *s == source)
                    .map(|(_, st)| !matches!(st, SourceProgress::Finished(_)))
            })
        })
    };
    let line = move || {
        let now = data.now.get();
        data.board.with(|b| {
            let status = b.status(source)?.clone();
            let age = format!("{} ago", duration::short(now - status.fetched_at));
            Some(match status.state {
                SourceState::Ok { count, skipped } => {
                    let skipped = if skipped > 0 {
                        format!(", {skipped} skipped")
                    } else {
                        String::new()
                    };
                    view! {
                        <span class="ok">
                            {format!("OK · {count} fetched{skipped} · {age}")}
                        </span>
                    }
                    .into_any()
                }
                SourceState::Failed { reason } => view! {
                    <span class="failed">{format!("Failed {age}: {reason}")}</span>
                    " "
                    <button
                        type="button"
                        class="source-retry"
                        disabled=data.read_only()
                        on:click=move |_| data.refresh()
                    >
                        "Retry"
                    </button>
                }
                .into_any(),
                SourceState::Disabled => view! { <span>"Not connected"</span> }.into_any(),
                SourceState::Off => view! { <span>"Turned off by you"</span> }.into_any(),
                SourceState::Pending => {
                    view! { <span>"Not fetched yet: press Refresh"</span> }.into_any()
                }
            })
        })
    };
    (source != Source::AdHoc).then(|| {
        view! {
            <p class="source-status" data-source-status=source.as_str()>
                {move || {
                    if running() == Some(true) {
                        view! { <span class="running">"Fetching…"</span> }.into_any()
                    } else {
                        line().into_any()
                    }
                }}
            </p>
        }
    })
}

/// One group: a heading with its count, then its cards.
#[component]
fn TaskGroup(key: GroupKey) -> impl IntoView {
    let data = expect_context::<DashboardData>();
    let groups = expect_context::<DashboardView>().groups;
    let extra = RwSignal::new(0usize);
    let whole = Memo::new(move |_| groups.with(|g| g.shown <= WHOLE_LIST));
    let limit = move || {
        if whole.get() {
            usize::MAX
        } else {
            PAGE + extra.get()
        }
    };
    let indices = Memo::new(move |_| {
        groups.with(|g| g.group(key).map(|g| g.tasks.clone()).unwrap_or_default())
    });
    let count = move || indices.with(Vec::len);
    let cards = move || {
        let shown = limit();
        indices.with(|ids| {
            data.board.with(|b| {
                ids.iter()
                    .take(shown)
                    .filter_map(|&i| b.task(i).map(|t| (b.revision(i), t.clone())))
                    .collect::<Vec<_>>()
            })
        })
    };
    let id = key.id();
    let heading_id = format!("group-{}", id.replace(':', "-"));
    let empty = move || match key {
        GroupKey::Priority(p) => format!("Nothing {} right now.", p.label().to_lowercase()),
        // A failed source has not said it has nothing: say its tasks are missing.
        GroupKey::Source(s) => {
            let failed = data.board.with(|b| {
                b.status(s)
                    .is_some_and(|st| matches!(st.state, SourceState::Failed { .. }))
            });
            let off = data
                .board
                .with(|b| b.status(s).is_some_and(|st| st.state == SourceState::Off));
            if failed {
                "Its tasks could not be fetched this time; retry when the problem is fixed."
                    .to_owned()
            } else if off {
                "You turned this source off: nothing is fetched from it. Turn it on to see its tasks."
                    .to_owned()
            } else {
                "Nothing from this source right now.".to_owned()
            }
        }
    };
    let labelled_by = heading_id.clone();
    view! {
        <section class="group" data-group=id aria-labelledby=labelled_by>
            <div class="group-head">
                <h2 id=heading_id class="group-heading">
                    {key.label()}
                    <span class="count">{count}</span>
                </h2>
                {match key {
                    GroupKey::Source(s) if s != Source::AdHoc => {
                        Some(view! { <SourceSwitch source=s /> })
                    }
                    _ => None,
                }}
            </div>
            {match key {
                GroupKey::Source(s) => Some(view! { <SourceStatusLine source=s /> }),
                GroupKey::Priority(_) => None,
            }}
            <Show when=move || count() == 0>
                <p class="empty">{empty}</p>
            </Show>
            <ul class="cards">
                <For
                    each=cards
                    key=|(rev, t)| (t.id.clone(), *rev)
                    children=|(_, task)| view! { <li><TaskCard task /></li> }
                />
            </ul>
            <Show when=move || { count() > limit() }>
                <button
                    type="button"
                    class="show-more"
                    on:click=move |_| extra.update(|l| *l += PAGE * 4)
                >
                    {move || format!("Show more ({} not shown)", count().saturating_sub(limit()))}
                </button>
            </Show>
        </section>
    }
}

/// All groups of the current view. The first plan is drawn a group per task (top
/// group first, so nothing drawn moves), see [`DashboardView::revealed`].
#[component]
fn Groups() -> impl IntoView {
    let DashboardView {
        groups, revealed, ..
    } = expect_context::<DashboardView>();
    let keys =
        Memo::new(move |_| groups.with(|g| g.groups.iter().map(|g| g.key).collect::<Vec<_>>()));
    Effect::new(move || {
        let shown = revealed.get();
        if shown == ALL_REVEALED {
            return;
        }
        if shown >= keys.with(Vec::len) {
            revealed.set(ALL_REVEALED);
        } else {
            set_timeout(
                move || revealed.update(|n| *n = n.saturating_add(1)),
                Duration::ZERO,
            );
        }
    });
    let each = move || {
        let mut shown = keys.get();
        shown.truncate(revealed.get());
        shown
    };
    view! { <For each key=|k| *k children=|key| view! { <TaskGroup key /> } /> }
}

/// Critical / high / medium / low.
#[component]
pub fn PriorityView() -> impl IntoView {
    view! {
        <div class="groups priority-view">
            <Groups />
        </div>
    }
}

/// One group per source, each with its status.
#[component]
pub fn SourceView() -> impl IntoView {
    view! {
        <div class="groups source-view">
            <Groups />
        </div>
    }
}
