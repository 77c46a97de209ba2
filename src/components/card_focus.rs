//! Keyboard focus on task cards: moving between them, jumping to a linked one, and
//! keeping focus in place when an action re-renders or removes a card.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;
use pmt_wire::TaskId;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

/// The attribute every card carries, holding its task id.
pub const TASK_ATTR: &str = "data-task-id";

/// The DOM id of a task's card: `task-` and the id with every character outside
/// `[A-Za-z0-9-]` written as `_xx` (hex), so distinct ids never collide.
pub fn dom_id(id: &TaskId) -> String {
    let mut out = String::from("task-");
    for b in id.as_str().bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("_{b:02x}"));
        }
    }
    out
}

/// Every card on the page, in document order.
pub fn cards() -> Vec<HtmlElement> {
    document()
        .document_element()
        .map(|page| cards_in(&page))
        .unwrap_or_default()
}

/// The card holding keyboard focus (the card itself or a control inside it).
pub fn focused_card() -> Option<HtmlElement> {
    document()
        .active_element()?
        .closest(&format!("[{TASK_ATTR}]"))
        .ok()
        .flatten()?
        .dyn_into()
        .ok()
}

/// The task id of a card.
pub fn task_of(card: &HtmlElement) -> Option<TaskId> {
    card.get_attribute(TASK_ATTR).map(TaskId)
}

/// Moves focus `delta` cards on (positive) or back; from nowhere, `j` starts at the
/// list's first card and `k` at its last one shown (see [`focus_edge`]).
pub fn move_focus(delta: i32) {
    let all = cards();
    let current = focused_card().and_then(|c| all.iter().position(|x| *x == c));
    let Some(i) = current else {
        focus_edge(delta < 0);
        return;
    };
    let next = if delta > 0 {
        (i + 1).min(all.len() - 1)
    } else {
        i.saturating_sub(1)
    };
    if let Some(card) = all.get(next) {
        let _ = card.focus();
    }
}

/// The first (or last) group of the list with tasks in it.
fn edge_group(last: bool) -> Option<web_sys::Element> {
    let list = document()
        .query_selector_all("section[data-group]:not([data-count=\"0\"])")
        .ok()?;
    let at = if last {
        list.length().checked_sub(1)?
    } else {
        0
    };
    list.item(at)?.dyn_into().ok()
}

/// The cards drawn in `group`, in document order.
fn cards_in(group: &web_sys::Element) -> Vec<HtmlElement> {
    let Ok(list) = group.query_selector_all(&format!("[{TASK_ATTR}]")) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<HtmlElement>().ok())
        .collect()
}

/// How many frames a group brought on screen gets to draw its cards.
const DRAW_FRAMES: u32 = 30;

/// Resolves at the browser's next frame.
async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().request_animation_frame(&resolve);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Focuses the list's first card (or the last one shown), wherever the page is
/// scrolled: in a long list the group it is in may hold its place undrawn, so it is
/// brought on screen first and focused once it has drawn its cards.
pub fn focus_edge(last: bool) {
    let Some(group) = edge_group(last) else {
        return;
    };
    let focus = move |drawn: Vec<HtmlElement>| {
        let card = if last { drawn.last() } else { drawn.first() };
        card.is_some_and(|c| c.focus().is_ok())
    };
    if focus(cards_in(&group)) {
        return;
    }
    group.scroll_into_view_with_bool(!last);
    leptos::task::spawn_local(async move {
        for _ in 0..DRAW_FRAMES {
            next_frame().await;
            if focus(cards_in(&group)) {
                return;
            }
        }
    });
}

/// Focuses the card of `id`; `false` when it is not shown.
pub fn focus_task(id: &TaskId) -> bool {
    document()
        .get_element_by_id(&dom_id(id))
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
        .map(|e| e.focus().is_ok())
        .unwrap_or(false)
}

/// Waits until pending DOM updates are done (a zero timeout runs after every
/// microtask the renderer queued).
pub async fn settled() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Runs an action on a card and puts focus back where the user expects it: on the
/// same control of the re-rendered card, else on the card, else (it left the list)
/// on its neighbour.
pub async fn keep_focus(id: TaskId, action: Pin<Box<dyn Future<Output = bool>>>) {
    let all = cards();
    let here = all.iter().position(|c| task_of(c).as_ref() == Some(&id));
    let neighbours: Vec<TaskId> = here
        .map(|i| {
            [all.get(i + 1), i.checked_sub(1).and_then(|j| all.get(j))]
                .into_iter()
                .flatten()
                .filter_map(task_of)
                .collect()
        })
        .unwrap_or_default();
    let control = document()
        .active_element()
        .filter(|_| focused_card().is_some_and(|c| task_of(&c).as_ref() == Some(&id)))
        .map(|e| e.class_name())
        .and_then(|c| {
            c.split_whitespace()
                .find(|k| k.starts_with("task-"))
                .map(str::to_owned)
        });
    if !action.await {
        return;
    }
    settled().await;
    let body: Option<web_sys::Element> = document().body().map(Into::into);
    let lost = match document().active_element() {
        None => true,
        Some(e) => !e.is_connected() || Some(&e) == body.as_ref(),
    };
    if !lost {
        return;
    }
    let again = control.and_then(|class| {
        document()
            .get_element_by_id(&dom_id(&id))?
            .query_selector(&format!(".{class}:not([disabled])"))
            .ok()
            .flatten()?
            .dyn_into::<HtmlElement>()
            .ok()
    });
    if let Some(el) = again {
        let _ = el.focus();
    } else if !focus_task(&id) {
        neighbours.iter().any(focus_task);
    }
}
