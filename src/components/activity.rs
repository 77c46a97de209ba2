//! The Activity view: every token exchange and tool call made on the user's behalf,
//! grouped by refresh, chat turn, MCP request and dashboard action, newest first; each
//! entry as the chain app → user → resource, with scopes, outcome and duration.
//! Loaded when the view opens; "Load more" pages back (`before=<oldest id>`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use pmt_wire::activity::{ActivityEntry, ActivityEvent, GroupKind};

use crate::clock;
use crate::components::mcp_connect::McpConnect;
use crate::dashboard_data::DashboardData;
use crate::model::activity::{self as trail, ActivityGroup, PAGE};
use crate::session::Session;

fn group_key(kind: GroupKind) -> &'static str {
    match kind {
        GroupKind::Refresh => "refresh",
        GroupKind::ChatTurn => "chat_turn",
        GroupKind::Mcp => "mcp",
        GroupKind::Action => "action",
    }
}

/// `HH:MM:SS` (with the date when not today) of a Unix-milliseconds time.
fn when(at_ms: i64, now: i64) -> String {
    let secs = at_ms.div_euclid(1000);
    let seconds = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at_ms as f64)).get_seconds();
    format!("{}:{seconds:02}", clock::hhmm_or_date(secs, now))
}

/// One entry: the chain, then what happened.
fn entry_view(e: &ActivityEntry) -> impl IntoView {
    let outcome = trail::outcome_label(e.outcome);
    let source = trail::source_label(e).map(|s| view! { <span class="badge">{s}</span> " " });
    let mut meta: Vec<String> = Vec::new();
    match &e.event {
        ActivityEvent::Exchange { duration_ms, .. } => {
            meta.extend(trail::scopes(e));
            meta.push(trail::millis(*duration_ms));
        }
        ActivityEvent::ToolCall {
            arguments,
            confirmation,
            write,
            ..
        } => {
            if !arguments.is_empty() {
                meta.push(format!("arguments: {arguments}"));
            }
            meta.push(
                if *write {
                    "writes (here only)"
                } else {
                    "reads"
                }
                .to_owned(),
            );
            meta.extend(trail::confirmation_label(*confirmation).map(str::to_owned));
        }
    }
    let detail = match &e.event {
        ActivityEvent::ToolCall { detail, .. } if e.outcome == pmt_wire::activity::Outcome::Ok => {
            Some(detail.clone()).filter(|d| !d.is_empty())
        }
        _ => None,
    };
    let reason = trail::reason(e).map(str::to_owned);
    let kind = match e.event {
        ActivityEvent::Exchange { .. } => "exchange",
        ActivityEvent::ToolCall { .. } => "tool_call",
    };
    let source_key = match &e.event {
        ActivityEvent::Exchange { source, .. } => source.clone(),
        ActivityEvent::ToolCall { .. } => None,
    };
    view! {
        <li class="activity-entry" data-kind=kind data-outcome=outcome data-source=source_key>
            <p class="chain">{source} <span class="chain-text">{trail::chain(e)}</span></p>
            <p class="entry-meta">
                <span class=format!("outcome {outcome}")>{outcome}</span>
                {meta.into_iter().map(|m| view! { " · " <span>{m}</span> }).collect_view()}
            </p>
            {detail.map(|d| view! { <p class="entry-detail">{d}</p> })}
            {reason.map(|r| view! { <p class="entry-reason">"Reason: " {r}</p> })}
        </li>
    }
}

/// One group: what caused it, when, who; then its entries.
fn group_view(g: &ActivityGroup, entries: &[ActivityEntry], now: i64) -> impl IntoView {
    let heading = format!(
        "{} · {} · {}",
        trail::kind_label(g.kind),
        when(g.first_ms, now),
        trail::actor_label(g.actor, &g.client)
    );
    view! {
        <li class="activity-group" data-group-kind=group_key(g.kind) data-group-id=g.id.clone()>
            <h3 class="activity-group-title">{heading}</h3>
            <p class="group-summary">{trail::group_summary(g)}</p>
            <ul class="activity-entries">
                {g.entries
                    .iter()
                    .filter_map(|&i| entries.get(i))
                    .map(entry_view)
                    .collect_view()}
            </ul>
        </li>
    }
}

/// The Activity view.
#[component]
pub fn ActivityView() -> impl IntoView {
    let session = expect_context::<Session>();
    let data = expect_context::<DashboardData>();
    let entries = RwSignal::new(Vec::<ActivityEntry>::new());
    let loading = RwSignal::new(true);
    let more = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let load = move |before: Option<i64>| {
        loading.set(true);
        spawn_local(async move {
            let path = match before {
                Some(b) => format!("/api/activity?limit={PAGE}&before={b}"),
                None => format!("/api/activity?limit={PAGE}"),
            };
            match session.get_json::<trail::Page>(&path).await {
                Ok(page) => {
                    more.set(page.len() >= PAGE);
                    entries.update(|e| {
                        if before.is_none() {
                            e.clear();
                        }
                        trail::merge(e, page.into_entries());
                    });
                    error.set(None);
                    if before.is_none() {
                        data.announce("Activity loaded.");
                    }
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            loading.set(false);
        });
    };
    load(None);
    let groups = Memo::new(move |_| entries.with(|e| trail::group(e)));
    let list = move || {
        let now = data.now.get();
        groups
            .with(|gs| entries.with(|es| gs.iter().map(|g| group_view(g, es, now)).collect_view()))
    };
    view! {
        <section id="activity" class="activity" aria-labelledby="activity-title">
            <div class="activity-head">
                <h2 id="activity-title">"Activity"</h2>
                <div class="activity-actions">
                    <button
                        type="button"
                        id="activity-reload"
                        disabled=move || loading.get()
                        on:click=move |_| load(None)
                    >
                        "Reload"
                    </button>
                    <McpConnect />
                </div>
            </div>
            <p class="activity-intro">
                "Everything accessed on your behalf, newest first: each token exchange as app → you → resource, "
                "with the scopes asked for and granted, and each tool call Todaygent or an MCP client made. "
                "No token is ever kept here."
            </p>
            {move || error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
            <p
                class="empty"
                hidden=move || loading.get() || error.with(Option::is_some) || entries.with(|e| !e.is_empty())
            >
                "Nothing yet: a refresh, a chat or an MCP request will show up here."
            </p>
            <ol class="activity-groups" aria-busy=move || loading.get().to_string()>
                {list}
            </ol>
            <button
                type="button"
                id="activity-more"
                hidden=move || !more.get()
                disabled=move || loading.get()
                on:click=move |_| load(entries.with(|e| trail::next_before(e)))
            >
                "Load more"
            </button>
        </section>
    }
}
