//! The two views of the list: by priority and by source. Both are groups of cards;
//! the source view adds each source's status (ok, count, age; or why it failed, with
//! a retry).

use std::time::Duration;

use leptos::prelude::*;
use pmt_wire::{Source, SourceState};

use crate::clock;
use crate::components::dashboard::{DashboardView, ALL_REVEALED};
use crate::components::near_screen;
use crate::components::source_switch::SourceSwitch;
use crate::components::task_card::TaskCard;
use crate::dashboard_data::{DashboardData, SourceProgress};
use crate::model::paging::{self, PAGE};
use crate::model::{duration, GroupKey, Groups};

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
                    {b
                        .kept_from(source)
                        .map(|at| {
                            view! {
                                " "
                                <span class="kept">
                                    {format!("Showing what it had at {}.", clock::hhmm(at))}
                                </span>
                            }
                        })}
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

thread_local! {
    /// The height of a card (with its gap) as last measured on this page, in CSS px.
    static CARD_PX: std::cell::Cell<Option<f64>> = const { std::cell::Cell::new(None) };
}

/// Whether the group `key` is to be drawn when it first appears: the groups above it
/// (their guessed heights) leave it within a screen of the list's top.
fn starts_near(groups: &Groups, key: GroupKey) -> bool {
    let screen = window()
        .inner_height()
        .ok()
        .and_then(|h| h.as_f64())
        .unwrap_or(800.0);
    let whole = paging::whole(groups.shown);
    let above = groups
        .groups
        .iter()
        .take_while(|g| g.key != key)
        .map(|g| paging::cards_drawn(g.tasks.len(), whole, 0));
    paging::starts_near(above, CARD_PX.with(|c| c.get()), screen)
}

/// Whether focus is inside `el`.
fn holds_focus(el: &web_sys::Element) -> bool {
    document()
        .active_element()
        .is_some_and(|a| el.contains(Some(&a)))
}

/// One group of `groups` (its view's): a heading with its count, then its cards. In
/// a long list (see [`paging`]), only a group near the screen draws its cards; the
/// others hold their place, so a keystroke redraws only what the user can see.
#[component]
fn TaskGroup(key: GroupKey, groups: Memo<Groups>) -> impl IntoView {
    let data = expect_context::<DashboardData>();
    let extra = RwSignal::new(0usize);
    let whole = Memo::new(move |_| groups.with(|g| paging::whole(g.shown)));
    let limit = move || paging::limit(whole.get(), extra.get());
    let indices = Memo::new(move |_| {
        groups.with(|g| g.group(key).map(|g| g.tasks.clone()).unwrap_or_default())
    });
    let count = move || indices.with(Vec::len);
    let drawn_count = move || paging::cards_drawn(count(), whole.get(), extra.get());
    // What the browser last said; at first, a guess from the groups above.
    let near = RwSignal::new(groups.with_untracked(|g| starts_near(g, key)));
    let per_card = RwSignal::new(None::<f64>);
    let section = NodeRef::<leptos::html::Section>::new();
    let list = NodeRef::<leptos::html::Ul>::new();
    let watcher = near_screen::watch(section, move |is_near| {
        if near.is_disposed() {
            return;
        }
        // Focus stays where it is: a keyboard user's card is never taken away.
        if !is_near && section.get_untracked().is_some_and(|s| holds_focus(&s)) {
            return;
        }
        // The browser calls after layout, so measuring here costs nothing: an undrawn
        // group holds exactly the place its cards took, and the next group to appear
        // guesses its place from real cards.
        let cards = untrack(drawn_count);
        if let (Some(ul), true) = (list.get_untracked(), cards > 0) {
            let px = f64::from(ul.offset_height()) / cards as f64;
            if px > 0.0 {
                per_card.set(Some(px));
                CARD_PX.with(|c| c.set(Some(px)));
            }
        }
        near.set(is_near);
    });
    // When a short list becomes long (a search cleared), where this group is now is
    // not what the browser said of the short list: guess from the groups above, and
    // ask the browser again.
    let was_whole = StoredValue::new(false);
    let drawn = Memo::new(move |_| {
        let is_whole = whole.get();
        let said = near.get();
        if is_whole {
            was_whole.set_value(true);
            return true;
        }
        if std::mem::replace(&mut *was_whole.write_value(), false) {
            watcher.recheck();
            return groups.with_untracked(|g| starts_near(g, key));
        }
        said
    });
    // Whole pixels: formatting an f64 would add float printing to the bundle.
    let held = move || {
        let px = paging::held_height(drawn_count(), per_card.get()).round() as u64;
        format!("{px}px")
    };
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
        GroupKey::Priority(p) => format!("Nothing {} right now.", p.label().to_ascii_lowercase()),
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
        <section
            class="group"
            data-group=id
            data-count=count
            aria-labelledby=labelled_by
            node_ref=section
        >
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
            {move || {
                if drawn.get() {
                    view! {
                        <ul class="cards" node_ref=list>
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
                                {move || {
                                    format!(
                                        "Show more ({} not shown)",
                                        count().saturating_sub(limit()),
                                    )
                                }}
                            </button>
                        </Show>
                    }
                    .into_any()
                } else {
                    view! { <div class="cards-held" style:height=held></div> }.into_any()
                }
            }}
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
    // A view follows only the groups of its own kind: once the view is switched, this
    // one (about to be removed) keeps what it shows instead of redrawing it first.
    let groups = Memo::new(move |before: Option<&Groups>| {
        groups.with(|now| match before {
            Some(b) if !b.same_view(now) => b.clone(),
            _ => now.clone(),
        })
    });
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
    view! { <For each key=|k| *k children=move |key| view! { <TaskGroup key groups /> } /> }
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
