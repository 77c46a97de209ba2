//! What tests/chat.rs and tests/activity.rs share: a small snapshot, the dashboard
//! mounted with it, DOM helpers, and a fake network. `window.fetch` is replaced by a
//! recording fake that answers from a table the test fills in; a path marked as
//! streamed answers with an open `text/event-stream` the test writes events into (and
//! that errors when the request is aborted, as a real one does).
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use leptos::prelude::*;
use plan_my_today::components::dashboard::Dashboard;
use plan_my_today::dashboard_data::DashboardData;
use plan_my_today::session::{now_secs, Session};
use plan_my_today::storage::{self, SESSION_KEY};
use plan_my_today::theme::ThemeState;
use pmt_wire::{
    Priority, SessionResponse, Snapshot, Source, SourceState, SourceStatus, Task, TaskKind, User,
};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlElement, HtmlInputElement};

pub const DEPLOY: &str = "linear:ENG-1";
pub const DIGEST: &str = "gmail:m1";
pub const STANDUP: &str = "google_calendar:e1";

pub fn task(source: Source, kind: TaskKind, id: &str, title: &str, priority: Priority) -> Task {
    Task {
        url: Some(format!("https://example.com/{id}")),
        score: 50,
        computed_priority: priority,
        priority,
        why: vec!["assigned to you".into()],
        ..Task::new(source, id, kind, title.to_owned())
    }
}

pub fn status(source: Source, state: SourceState) -> SourceStatus {
    SourceStatus {
        source,
        state,
        duration_ms: 120,
        fetched_at: now_secs() - 60,
    }
}

pub fn ok(count: usize) -> SourceState {
    SourceState::Ok { count, skipped: 0 }
}

/// A Linear issue, a Gmail message and a meeting in an hour.
pub fn snapshot() -> Snapshot {
    let mut standup = task(
        Source::GoogleCalendar,
        TaskKind::Meeting,
        "e1",
        "Standup",
        Priority::High,
    );
    standup.signals.starts_at = Some(now_secs() + 3600);
    standup.signals.ends_at = Some(now_secs() + 5400);
    Snapshot {
        generated_at: now_secs() - 60,
        tasks: vec![
            task(
                Source::Linear,
                TaskKind::Issue,
                "ENG-1",
                "Fix deploy pipeline",
                Priority::Critical,
            ),
            task(
                Source::Gmail,
                TaskKind::Email,
                "m1",
                "Weekly digest",
                Priority::Low,
            ),
            standup,
        ],
        sources: vec![
            status(Source::GoogleCalendar, ok(1)),
            status(Source::Gmail, ok(1)),
            status(Source::Linear, ok(1)),
        ],
    }
}

pub fn window() -> web_sys::Window {
    web_sys::window().unwrap()
}

pub fn document() -> web_sys::Document {
    window().document().unwrap()
}

pub async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Polls (up to ~3 s) until `check` holds.
pub async fn wait_until(what: &str, check: impl Fn() -> bool) {
    for _ in 0..150 {
        leptos::task::tick().await;
        if check() {
            return;
        }
        sleep_ms(20).await;
    }
    panic!("timed out waiting for {what}");
}

pub fn set_url(url: &str) {
    window()
        .history()
        .unwrap()
        .replace_state_with_url(&JsValue::NULL, "", Some(url))
        .unwrap();
}

fn sign_in_this_tab() {
    storage::save(
        SESSION_KEY,
        &SessionResponse {
            token: "test-token".into(),
            expires_at: now_secs() + 3600,
            user: User {
                sub: "dana".into(),
                name: Some("Dana Demo".into()),
                email: None,
            },
        },
    )
    .unwrap();
}

/// A mounted dashboard; dropping it unmounts and removes it.
pub struct Mounted {
    pub root: HtmlElement,
    pub data: DashboardData,
    _handle: Box<dyn std::any::Any>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.root.remove();
    }
}

impl Mounted {
    pub fn all(&self, selector: &str) -> Vec<Element> {
        let list = document().query_selector_all(selector).unwrap();
        (0..list.length())
            .filter_map(|i| list.item(i))
            .filter_map(|n| n.dyn_into::<Element>().ok())
            .filter(|e| self.root.contains(Some(e)))
            .collect()
    }

    /// Task ids of the cards in a group, in order.
    pub fn ids_in(&self, group: &str) -> Vec<String> {
        self.all(&format!("[data-group=\"{group}\"] [data-task-id]"))
            .iter()
            .filter_map(|e| e.get_attribute("data-task-id"))
            .collect()
    }

    pub fn card_count(&self) -> usize {
        self.all("[data-task-id]").len()
    }

    pub fn card(&self, id: &str) -> Element {
        self.one(&format!("[data-task-id=\"{id}\"]"))
    }

    pub fn one(&self, selector: &str) -> Element {
        self.all(selector)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no element matches {selector}"))
    }

    pub fn has(&self, selector: &str) -> bool {
        !self.all(selector).is_empty()
    }

    /// Whether an element matches and is not `hidden`.
    pub fn shown(&self, selector: &str) -> bool {
        self.all(selector)
            .iter()
            .any(|e| e.closest("[hidden]").ok().flatten().is_none())
    }

    pub fn text(&self, selector: &str) -> String {
        self.one(selector).text_content().unwrap_or_default()
    }

    pub fn texts(&self, selector: &str) -> Vec<String> {
        self.all(selector)
            .iter()
            .map(|e| e.text_content().unwrap_or_default())
            .collect()
    }

    pub fn click(&self, selector: &str) {
        self.one(selector).unchecked_into::<HtmlElement>().click();
    }

    /// Disabled as the user meets it: its own attribute or a disabled fieldset around it.
    pub fn disabled(&self, selector: &str) -> bool {
        self.one(selector).matches(":disabled").unwrap_or(false)
    }

    pub fn value(&self, selector: &str) -> String {
        let el = self.one(selector);
        match el.dyn_ref::<HtmlInputElement>() {
            Some(i) => i.value(),
            None => el.unchecked_into::<web_sys::HtmlTextAreaElement>().value(),
        }
    }

    pub fn checked(&self, selector: &str) -> bool {
        self.one(selector)
            .unchecked_into::<HtmlInputElement>()
            .checked()
    }
}

/// Mounts the dashboard at `url` with `snapshot` already loaded.
pub fn mount(url: &str, snapshot: Snapshot) -> Mounted {
    set_url(url);
    sign_in_this_tab();
    let root: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&root).unwrap();
    let slot = StoredValue::new(None::<DashboardData>);
    let handle = leptos::mount::mount_to(root.clone(), move || {
        let session = Session::restore();
        provide_context(session);
        provide_context(ThemeState::install());
        let data = DashboardData::new(session);
        data.set_snapshot(snapshot);
        provide_context(data);
        slot.set_value(Some(data));
        view! { <Dashboard /> }
    });
    let data = slot.get_value().expect("the dashboard's data");
    Mounted {
        root,
        data,
        _handle: Box::new(handle),
    }
}

fn dispatch_key(target: &web_sys::EventTarget, keyname: &str, shift: bool) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(keyname);
    init.set_shift_key(shift);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&event).unwrap();
}

/// A key pressed where the focus is.
pub fn key(keyname: &str) {
    let target: web_sys::EventTarget = document()
        .active_element()
        .map(Into::into)
        .unwrap_or_else(|| document().body().unwrap().into());
    dispatch_key(&target, keyname, false);
}

pub fn active_id() -> String {
    document()
        .active_element()
        .map(|e| e.id())
        .unwrap_or_default()
}

/// Fires a bubbling `name` event at `el`.
pub fn fire(el: &Element, name: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict(name, &init).unwrap();
    el.dispatch_event(&event).unwrap();
}

/// Types into a text field or text area (sets the value, fires `input`).
pub fn type_into(el: &Element, value: &str) {
    match el.dyn_ref::<HtmlInputElement>() {
        Some(i) => i.set_value(value),
        None => el
            .unchecked_ref::<web_sys::HtmlTextAreaElement>()
            .set_value(value),
    }
    fire(el, "input");
}

// ---------------------------------------------------------------------------------
// The fake network

const FAKE_FETCH: &str = r#"
    if (!window.__realFetch) window.__realFetch = window.fetch;
    window.__calls = [];
    window.__responses = {};
    window.__streamed = {};
    window.__streams = {};
    window.__aborted = 0;
    window.fetch = async function (input, init) {
        const r = (input instanceof Request) ? input : new Request(input, init);
        const body = await r.clone().text();
        const u = new URL(r.url);
        // gloo-net leaves a trailing '&' on a query it rebuilt (harmless to servers).
        const search = u.search.replace(/&$/, '');
        window.__calls.push(r.method + ' ' + u.pathname + search + (body ? ' ' + body : ''));
        const key = r.method + ' ' + u.pathname;
        if (window.__streamed[key]) {
            let controller;
            const stream = new ReadableStream({ start(c) { controller = c; } });
            window.__streams[key] = controller;
            r.signal.addEventListener('abort', () => {
                window.__aborted += 1;
                try { controller.error(new DOMException('The user aborted a request.', 'AbortError')); } catch (e) {}
            });
            return new Response(stream, { status: 200, headers: { 'content-type': 'text/event-stream' } });
        }
        const a = window.__responses[key];
        if (a === undefined) {
            return new Response(JSON.stringify({ error: 'not_found', error_description: 'No fake for ' + key }),
                { status: 404, headers: { 'content-type': 'application/json' } });
        }
        return new Response((a.status === 204) ? null : a.body, { status: a.status || 200, headers: { 'content-type': a.type || 'application/json' } });
    };
    window.__push = (key, text) => window.__streams[key].enqueue(new TextEncoder().encode(text));
    window.__end = (key) => window.__streams[key].close();
"#;

/// Replaces `window.fetch` with the recording fake (and forgets earlier answers).
pub fn fake_network() {
    js_sys::Function::new_no_args(FAKE_FETCH)
        .call0(&JsValue::NULL)
        .unwrap();
}

pub fn answer(method_and_path: &str, status: u16, content_type: &str, body: &str) {
    let responses = js_sys::Reflect::get(&window(), &"__responses".into()).unwrap();
    let a = js_sys::Object::new();
    js_sys::Reflect::set(&a, &"status".into(), &JsValue::from(status)).unwrap();
    js_sys::Reflect::set(&a, &"type".into(), &content_type.into()).unwrap();
    js_sys::Reflect::set(&a, &"body".into(), &body.into()).unwrap();
    js_sys::Reflect::set(&responses, &method_and_path.into(), &a).unwrap();
}

pub fn answer_json<T: serde::Serialize>(method_and_path: &str, value: &T) {
    answer(
        method_and_path,
        200,
        "application/json",
        &serde_json::to_string(value).unwrap(),
    );
}

/// Answers `method_and_path` with an open event stream the test writes into.
pub fn stream(method_and_path: &str) {
    let streamed = js_sys::Reflect::get(&window(), &"__streamed".into()).unwrap();
    js_sys::Reflect::set(&streamed, &method_and_path.into(), &JsValue::TRUE).unwrap();
}

/// Whether the stream of `method_and_path` was opened.
pub fn stream_open(method_and_path: &str) -> bool {
    let streams = js_sys::Reflect::get(&window(), &"__streams".into()).unwrap();
    js_sys::Reflect::has(&streams, &method_and_path.into()).unwrap()
}

fn call_global(name: &str, args: &[&str]) {
    let f: js_sys::Function = js_sys::Reflect::get(&window(), &name.into())
        .unwrap()
        .unchecked_into();
    let args: js_sys::Array = args.iter().map(|a| JsValue::from_str(a)).collect();
    f.apply(&JsValue::NULL, &args).unwrap();
}

/// Writes one server-sent event into the open stream.
pub fn push_event(method_and_path: &str, name: &str, data: &str) {
    call_global(
        "__push",
        &[method_and_path, &format!("event: {name}\ndata: {data}\n\n")],
    );
}

/// Writes raw text into the open stream (a slow answer's body, arriving).
pub fn push_text(method_and_path: &str, text: &str) {
    call_global("__push", &[method_and_path, text]);
}

/// Closes the open stream (the server ended the answer).
pub fn end_stream(method_and_path: &str) {
    call_global("__end", &[method_and_path]);
}

/// How many requests were aborted.
pub fn aborted() -> u32 {
    js_sys::Reflect::get(&window(), &"__aborted".into())
        .unwrap()
        .as_f64()
        .unwrap_or(0.0) as u32
}

/// Every request made: `METHOD /path?query body`.
pub fn calls() -> Vec<String> {
    let calls = js_sys::Reflect::get(&window(), &"__calls".into()).unwrap();
    js_sys::Array::from(&calls)
        .iter()
        .filter_map(|v| v.as_string())
        .collect()
}

/// The requests whose `METHOD /path` starts with `prefix`.
pub fn calls_to(prefix: &str) -> Vec<String> {
    calls()
        .into_iter()
        .filter(|c| c.starts_with(prefix))
        .collect()
}
