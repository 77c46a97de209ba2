//! Keyboard shortcuts: the global key handler and the `?` dialog that lists them.

use std::cell::Cell;

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent};

use crate::chat::Chat;
use crate::components::card_focus::{focused_card, keep_focus, move_focus, task_of};
use crate::dashboard_data::{DashboardData, TaskAction};
use crate::model::shortcuts::{Command, Keymap, HELP};
use crate::model::{View, ViewState};

/// Whether the key went to a text field (where letters are typing, not commands).
fn typing(ev: &KeyboardEvent) -> bool {
    let Some(el) = ev.target().and_then(|t| t.dyn_into::<HtmlElement>().ok()) else {
        return false;
    };
    matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || el.is_content_editable()
}

fn focus_search() {
    if let Some(el) = document()
        .get_element_by_id("search")
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
    {
        let _ = el.focus();
        el.select();
    }
}

/// Listens for shortcuts while the dashboard is shown; removed on unmount.
pub fn install(
    data: DashboardData,
    state: RwSignal<ViewState>,
    help: NodeRef<html::Dialog>,
    chat: Chat,
) {
    let keymap = Cell::new(Keymap::default());
    let handle = window_event_listener(ev::keydown, move |ev: KeyboardEvent| {
        if ev.default_prevented() || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        if typing(&ev) {
            if ev.key() == "Escape" {
                if let Some(el) = ev.target().and_then(|t| t.dyn_into::<HtmlElement>().ok()) {
                    let _ = el.blur();
                }
            }
            return;
        }
        if help.get_untracked().is_some_and(|d| d.open()) {
            return;
        }
        let mut map = keymap.get();
        let command = map.press(&ev.key());
        keymap.set(map);
        let Some(command) = command else { return };
        let card = focused_card();
        let card_id = card.as_ref().and_then(task_of);
        let act = |action: TaskAction| {
            if let Some(id) = card_id.clone() {
                spawn_local(keep_focus(id.clone(), Box::pin(data.act(id, action))));
            } else {
                data.announce("Move to a task first: press j or k.");
            }
        };
        match command {
            Command::Open => {
                // Only on the card itself: Enter on a button or link inside keeps its meaning.
                let on_card =
                    document()
                        .active_element()
                        .zip(card.clone())
                        .is_some_and(|(a, c)| {
                            let c: &web_sys::Element = c.as_ref();
                            a == *c
                        });
                if !on_card {
                    return;
                }
                if let Some(link) = card
                    .and_then(|c| c.query_selector("a.task-open").ok().flatten())
                    .and_then(|l| l.dyn_into::<HtmlElement>().ok())
                {
                    link.click();
                } else {
                    data.announce("This task has no link to its source.");
                }
            }
            Command::Search => focus_search(),
            Command::Next => move_focus(1),
            Command::Previous => move_focus(-1),
            Command::Dismiss => act(TaskAction::Dismiss),
            Command::Boost => act(TaskAction::Boost),
            Command::Demote => act(TaskAction::Demote),
            Command::Refresh => data.refresh(),
            Command::PriorityView => state.update(|s| s.view = View::Priority),
            Command::SourceView => state.update(|s| s.view = View::Source),
            Command::ActivityView => state.update(|s| s.view = View::Activity),
            Command::Chat => {
                let was_open = chat.open.get_untracked();
                chat.toggle();
                if was_open {
                    if let Some(b) = document()
                        .get_element_by_id("chat-toggle")
                        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
                    {
                        let _ = b.focus();
                    }
                }
            }
            Command::Help => {
                if let Some(d) = help.get_untracked() {
                    let _ = d.show_modal();
                }
            }
        }
        ev.prevent_default();
    });
    on_cleanup(move || handle.remove());
}

/// The list of shortcuts, as a modal dialog (Escape or the button closes it).
#[component]
pub fn ShortcutsDialog(node_ref: NodeRef<html::Dialog>) -> impl IntoView {
    view! {
        <dialog id="shortcuts-dialog" class="dialog" node_ref=node_ref aria-labelledby="shortcuts-title">
            <h2 id="shortcuts-title">"Keyboard shortcuts"</h2>
            <table class="keys">
                <thead>
                    <tr>
                        <th scope="col">"Key"</th>
                        <th scope="col">"Action"</th>
                    </tr>
                </thead>
                <tbody>
                    {HELP
                        .into_iter()
                        .map(|(key, what)| {
                            view! {
                                <tr>
                                    <td>
                                        <kbd>{key}</kbd>
                                    </td>
                                    <td>{what}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <form method="dialog">
                <button id="shortcuts-close" class="primary">"Close"</button>
            </form>
        </dialog>
    }
}
