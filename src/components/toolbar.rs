//! The toolbar: search, view switch (priority, source, activity), sort, "show
//! dismissed", refresh, Todaygent's chat, theme, the shortcut list, and the filter chips.

use leptos::prelude::*;
use pmt_wire::{Priority, Source, TaskKind};

use crate::components::chat::ChatToggle;
use crate::components::dashboard::DashboardView;
use crate::dashboard_data::DashboardData;
use crate::model::names::{kind_key, priority_key};
use crate::model::theme::Theme;
use crate::model::{SortBy, View, ViewState};
use crate::theme::ThemeState;

/// The theme menu (`#theme`): system, light, dark.
#[component]
pub fn ThemeSwitch() -> impl IntoView {
    let theme = expect_context::<ThemeState>();
    view! {
        <div class="field inline">
            <label for="theme">"Theme"</label>
            <select id="theme" on:change=move |ev| theme.choose(Theme::parse(&event_target_value(&ev)))>
                {Theme::ALL
                    .into_iter()
                    .map(|t| {
                        view! {
                            <option value=t.key() prop:selected=move || theme.choice() == t>
                                {t.label()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// One toggle chip (`aria-pressed`). The toggle is a type-erased callback so every
/// chip shares one compiled view.
#[component]
fn Chip(id: String, label: &'static str, on: Signal<bool>, toggle: Callback<()>) -> impl IntoView {
    view! {
        <button
            type="button"
            class="chip"
            id=id
            aria-pressed=move || on.get().to_string()
            on:click=move |_| toggle.run(())
        >
            {label}
        </button>
    }
}

/// The filter chips, grouped by facet, in a disclosure so a phone keeps its list.
#[component]
fn Filters() -> impl IntoView {
    let data = expect_context::<DashboardData>();
    let state = expect_context::<DashboardView>().state;
    let sources = Memo::new(move |_| data.board.with(|b| b.sources_present().to_vec()));
    let kinds = Memo::new(move |_| data.board.with(|b| b.kinds_present().to_vec()));
    let active = Memo::new(move |_| state.with(ViewState::active_filters));
    let source_chip = move |s: Source| {
        view! {
            <Chip
                id=format!("filter-source-{}", s.as_str())
                label=s.label()
                on=Signal::derive(move || state.with(|v| v.sources.contains(&s)))
                toggle=Callback::new(move |()| state.update(|v| v.toggle_source(s)))
            />
        }
    };
    let priority_chip = move |p: Priority| {
        view! {
            <Chip
                id=format!("filter-priority-{}", priority_key(p))
                label=p.label()
                on=Signal::derive(move || state.with(|v| v.priorities.contains(&p)))
                toggle=Callback::new(move |()| state.update(|v| v.toggle_priority(p)))
            />
        }
    };
    let kind_chip = move |k: TaskKind| {
        view! {
            <Chip
                id=format!("filter-kind-{}", kind_key(k))
                label=k.label()
                on=Signal::derive(move || state.with(|v| v.kinds.contains(&k)))
                toggle=Callback::new(move |()| state.update(|v| v.toggle_kind(k)))
            />
        }
    };
    view! {
        <details id="filters" class="filters">
            <summary>
                "Filters"
                {move || (active.get() > 0).then(|| format!(" ({})", active.get()))}
            </summary>
            <div class="facets">
                <fieldset>
                    <legend>"Source"</legend>
                    {move || sources.get().into_iter().map(source_chip).collect_view()}
                </fieldset>
                <fieldset>
                    <legend>"Priority"</legend>
                    {Priority::ALL.into_iter().map(priority_chip).collect_view()}
                </fieldset>
                <fieldset>
                    <legend>"Kind"</legend>
                    {move || kinds.get().into_iter().map(kind_chip).collect_view()}
                </fieldset>
                <fieldset>
                    <legend>"Decisions"</legend>
                    <Chip
                        id="filter-overridden".to_owned()
                        label="Boosted or demoted"
                        on=Signal::derive(move || state.with(|v| v.overridden_only))
                        toggle=Callback::new(move |()| {
                            state.update(|v| v.overridden_only = !v.overridden_only)
                        })
                    />
                </fieldset>
            </div>
            <button
                type="button"
                id="clear-filters"
                disabled=move || active.get() == 0
                on:click=move |_| state.update(ViewState::clear_filters)
            >
                "Clear filters"
            </button>
        </details>
    }
}

/// A view button, pressed while its view is shown.
#[component]
fn ViewButton(
    shows: View,
    id: &'static str,
    keys: &'static str,
    label: &'static str,
) -> impl IntoView {
    let state = expect_context::<DashboardView>().state;
    let pressed = Memo::new(move |_| state.with(|s| s.view == shows));
    view! {
        <button
            type="button"
            id=id
            aria-pressed=move || pressed.get().to_string()
            aria-keyshortcuts=keys
            on:click=move |_| state.update(|s| s.view = shows)
        >
            {label}
        </button>
    }
}

/// The toolbar. `on_help` opens the shortcut list.
#[component]
pub fn Toolbar(on_help: Callback<()>) -> impl IntoView {
    let data = expect_context::<DashboardData>();
    let state = expect_context::<DashboardView>().state;
    let query = Memo::new(move |_| state.with(|s| s.query.clone()));
    let sort = Memo::new(move |_| state.with(|s| s.sort));
    let dismissed = Memo::new(move |_| state.with(|s| s.show_dismissed));
    view! {
        <div class="toolbar-row">
            <div class="field search">
                <label for="search" class="visually-hidden">"Search tasks"</label>
                <input
                    id="search"
                    type="search"
                    placeholder="Search tasks  ( / )"
                    autocomplete="off"
                    aria-keyshortcuts="/"
                    prop:value=move || query.get()
                    on:input=move |ev| state.update(|s| s.query = event_target_value(&ev))
                />
            </div>
            <div class="segmented" role="group" aria-label="View">
                <ViewButton shows=View::Priority id="view-priority" keys="g p" label="By priority" />
                <ViewButton shows=View::Source id="view-source" keys="g s" label="By source" />
                <ViewButton shows=View::Activity id="view-activity" keys="g a" label="Activity" />
            </div>
            <div class="field inline">
                <label for="sort">"Sort"</label>
                <select
                    id="sort"
                    on:change=move |ev| {
                        let key = event_target_value(&ev);
                        state.update(|s| s.sort = SortBy::parse(&key).unwrap_or_default());
                    }
                >
                    {SortBy::ALL
                        .into_iter()
                        .map(|o| {
                            view! {
                                <option value=o.key() prop:selected=move || sort.get() == o>
                                    {o.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field inline check">
                <input
                    id="show-dismissed"
                    type="checkbox"
                    prop:checked=move || dismissed.get()
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        state.update(|s| s.show_dismissed = on);
                    }
                />
                <label for="show-dismissed">"Show dismissed"</label>
            </div>
            <button
                type="button"
                id="refresh"
                class="primary"
                aria-keyshortcuts="r"
                aria-busy=move || data.refreshing().to_string()
                disabled=data.read_only()
                on:click=move |_| data.refresh()
            >
                {move || if data.refreshing() { "Refreshing…" } else { "Refresh" }}
            </button>
            <ChatToggle />
            <ThemeSwitch />
            <button
                type="button"
                id="shortcuts"
                aria-haspopup="dialog"
                aria-keyshortcuts="?"
                on:click=move |_| on_help.run(())
            >
                "Shortcuts"
            </button>
        </div>
        <Filters />
    }
}
