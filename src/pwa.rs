//! The installable app: the service worker (`/sw.js`, scope `/`), a new version waiting
//! to be applied, the browser's install offer, and whether the network is there.
//!
//! - **Updates never surprise.** A new build's worker installs in the background and
//!   waits; [`Pwa::update_ready`] turns on, the app says so, and only the user's click
//!   ([`Pwa::apply_update`]) tells the waiting worker to take over (`SKIP_WAITING`); the
//!   page reloads once the new worker controls it (`controllerchange`). The first
//!   install takes control without a reload (nothing to replace).
//! - **Install.** Chromium's `beforeinstallprompt` is kept (`preventDefault`) so an
//!   "Install app" button can show the prompt later. It can fire before the wasm has
//!   started, so `public/install-prompt.js` (a tiny classic script) keeps an early one in
//!   `window.__pmtInstallPrompt` for [`Pwa::install`] to pick up. Running installed
//!   (`display-mode: standalone`) or after `appinstalled`, the button is hidden.
//! - **Shortcuts.** The manifest's shortcuts open `/?action=refresh` and
//!   `/?action=add`; [`take_launch_action`] reads and removes that parameter.
//!
//! The few browser APIs used here are reached through `js_sys::Reflect` so the crate
//! needs no extra `web-sys` features.

use std::time::Duration;

use js_sys::{Array, Function, Object, Reflect};
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// Where the worker is served (never hashed, sent `no-store`).
pub const WORKER_URL: &str = "/sw.js";
/// What it controls: the whole origin.
pub const WORKER_SCOPE: &str = "/";
/// How often an open app asks the server for a new worker.
const UPDATE_CHECK_EVERY: Duration = Duration::from_secs(30 * 60);

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f: Function = get(target, method).dyn_into()?;
    let list: Array = args.iter().collect();
    Reflect::apply(&f, target, &list)
}

/// Adds an event listener for the life of the page (the app's own, never removed).
fn listen(target: &JsValue, event: &str, handler: impl FnMut(JsValue) + 'static) {
    let closure = Closure::<dyn FnMut(JsValue)>::new(handler);
    let _ = call(
        target,
        "addEventListener",
        &[JsValue::from_str(event), closure.as_ref().clone()],
    );
    closure.forget();
}

/// A plain `{type: ...}` message for the worker.
fn message(kind: &str) -> JsValue {
    let m = Object::new();
    let _ = Reflect::set(&m, &"type".into(), &JsValue::from_str(kind));
    m.into()
}

fn navigator() -> JsValue {
    web_sys::window().map_or(JsValue::UNDEFINED, |w| get(&w.into(), "navigator"))
}

/// `navigator.serviceWorker`, when the browser has one (and the page may use it).
fn sw_container() -> Option<JsValue> {
    let c = get(&navigator(), "serviceWorker");
    (!c.is_undefined() && !c.is_null()).then_some(c)
}

fn has_controller() -> bool {
    sw_container().is_some_and(|c| get(&c, "controller").is_object())
}

/// Whether the browser says it is online (`navigator.onLine`).
pub fn browser_online() -> bool {
    get(&navigator(), "onLine").as_bool().unwrap_or(true)
}

fn media_matches(query: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.match_media(query).ok().flatten())
        .is_some_and(|m| m.matches())
}

/// Whether the page runs as an installed app window.
fn running_installed() -> bool {
    [
        "standalone",
        "window-controls-overlay",
        "minimal-ui",
        "fullscreen",
    ]
    .iter()
    .any(|mode| media_matches(&format!("(display-mode: {mode})")))
}

/// The service worker, the update waiting, the install offer and the network, as
/// reactive state; provided as context by the app.
#[derive(Clone, Copy, Debug)]
pub struct Pwa {
    update_ready: RwSignal<bool>,
    applying: RwSignal<bool>,
    can_install: RwSignal<bool>,
    installed: RwSignal<bool>,
    online: RwSignal<bool>,
    registration: StoredValue<Option<JsValue>, LocalStorage>,
    waiting: StoredValue<Option<JsValue>, LocalStorage>,
    prompt: StoredValue<Option<JsValue>, LocalStorage>,
}

impl Pwa {
    /// Registers the worker and starts watching updates, the install offer and the
    /// network. Call once, at start.
    pub fn install() -> Pwa {
        let pwa = Pwa {
            update_ready: RwSignal::new(false),
            applying: RwSignal::new(false),
            can_install: RwSignal::new(false),
            installed: RwSignal::new(running_installed()),
            online: RwSignal::new(browser_online()),
            registration: StoredValue::new_local(None),
            waiting: StoredValue::new_local(None),
            prompt: StoredValue::new_local(None),
        };
        let Some(window) = web_sys::window() else {
            return pwa;
        };
        let win: JsValue = window.clone().into();

        // The install offer, early (kept by install-prompt.js) or from now on.
        let early = get(&win, "__pmtInstallPrompt");
        if early.is_object() {
            pwa.offer(early);
        }
        listen(&win, "beforeinstallprompt", move |event| {
            let _ = call(&event, "preventDefault", &[]);
            pwa.offer(event);
        });
        listen(&win, "appinstalled", move |_| pwa.mark_installed());
        if let Ok(Some(list)) = window.match_media("(display-mode: standalone)") {
            listen(&list.into(), "change", move |event| {
                if get(&event, "matches").as_bool() == Some(true) {
                    pwa.mark_installed();
                }
            });
        }

        listen(&win, "online", move |_| {
            pwa.online.set(true);
            pwa.check_for_update();
        });
        listen(&win, "offline", move |_| pwa.online.set(false));

        pwa.register();
        let _ = set_interval_with_handle(move || pwa.check_for_update(), UPDATE_CHECK_EVERY);
        pwa
    }

    fn offer(&self, event: JsValue) {
        if self.installed.get_untracked() {
            return;
        }
        self.prompt.set_value(Some(event));
        self.can_install.set(true);
    }

    fn mark_installed(&self) {
        self.prompt.set_value(None);
        self.can_install.set(false);
        self.installed.set(true);
    }

    fn register(self) {
        let Some(container) = sw_container() else {
            return;
        };
        // A new page in control after the user asked for the update: load the new build.
        listen(&container, "controllerchange", move |_| {
            if self.applying.get_untracked() {
                if let Some(w) = web_sys::window() {
                    let _ = w.location().reload();
                }
            }
        });
        let options = Object::new();
        let _ = Reflect::set(&options, &"scope".into(), &WORKER_SCOPE.into());
        // The worker script is always fetched from the network when checking for updates.
        let _ = Reflect::set(&options, &"updateViaCache".into(), &"none".into());
        let Ok(promise) = call(
            &container,
            "register",
            &[JsValue::from_str(WORKER_URL), options.into()],
        ) else {
            return;
        };
        let Ok(promise) = promise.dyn_into::<js_sys::Promise>() else {
            return;
        };
        leptos::task::spawn_local(async move {
            let Ok(registration) = wasm_bindgen_futures::JsFuture::from(promise).await else {
                // No worker (e.g. a private window that refuses it): the app still runs online.
                return;
            };
            self.registration.set_value(Some(registration.clone()));
            for state in ["waiting", "installing"] {
                let worker = get(&registration, state);
                if worker.is_object() {
                    self.track(worker);
                }
            }
            let reg = registration.clone();
            listen(&registration, "updatefound", move |_| {
                let worker = get(&reg, "installing");
                if worker.is_object() {
                    self.track(worker);
                }
            });
        });
    }

    /// Follows a new worker until it is installed; then, if an older one controls the
    /// page, it is an update waiting for the user.
    fn track(self, worker: JsValue) {
        let settle = move |w: &JsValue| {
            if get(w, "state").as_string().as_deref() == Some("installed") && has_controller() {
                self.waiting.set_value(Some(w.clone()));
                self.update_ready.set(true);
            }
        };
        settle(&worker);
        let w = worker.clone();
        listen(&worker, "statechange", move |_| settle(&w));
    }

    /// Asks the server whether there is a new worker (on `online`, and every half hour).
    pub fn check_for_update(&self) {
        if let Some(reg) = self.registration.get_value() {
            if let Ok(Ok(p)) = call(&reg, "update", &[]).map(JsCast::dyn_into::<js_sys::Promise>) {
                // A failed check (offline, server down) is retried at the next trigger.
                leptos::task::spawn_local(async move {
                    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
                });
            }
        }
    }

    /// A new version is installed and waiting, tracked.
    pub fn update_ready(&self) -> bool {
        self.update_ready.get()
    }

    /// The user asked for the update and the page is about to reload, tracked.
    pub fn applying(&self) -> bool {
        self.applying.get()
    }

    /// Applies the waiting version: the worker takes over, then the page reloads.
    pub fn apply_update(&self) {
        let Some(worker) = self.waiting.get_value() else {
            return;
        };
        self.applying.set(true);
        let _ = call(&worker, "postMessage", &[message("SKIP_WAITING")]);
    }

    /// The browser offers installation and the app is not installed, tracked.
    pub fn can_install(&self) -> bool {
        self.can_install.get() && !self.installed.get()
    }

    /// Running as an installed app (or installed from this page), tracked.
    pub fn installed(&self) -> bool {
        self.installed.get()
    }

    /// Whether the browser reports a network, tracked.
    pub fn online(&self) -> bool {
        self.online.get()
    }

    /// Shows the browser's install prompt (once per offer).
    pub fn prompt_install(&self) {
        let Some(event) = self.prompt.get_value() else {
            return;
        };
        self.prompt.set_value(None);
        self.can_install.set(false);
        let this = *self;
        let Ok(promise) = call(&event, "prompt", &[]) else {
            return;
        };
        leptos::task::spawn_local(async move {
            if let Ok(p) = promise.dyn_into::<js_sys::Promise>() {
                let _ = wasm_bindgen_futures::JsFuture::from(p).await;
            }
            let choice = get(&event, "userChoice");
            if let Ok(p) = choice.dyn_into::<js_sys::Promise>() {
                if let Ok(result) = wasm_bindgen_futures::JsFuture::from(p).await {
                    if get(&result, "outcome").as_string().as_deref() == Some("accepted") {
                        this.mark_installed();
                    }
                }
            }
        });
    }
}

/// Asks the active worker to drop everything but this build's shell (sign-out). Resolves
/// when it answers, or at once when no worker controls the page.
pub async fn purge_worker_caches() {
    let Some(container) = sw_container() else {
        return;
    };
    let controller = get(&container, "controller");
    if !controller.is_object() {
        return;
    }
    let constructor = web_sys::window()
        .map(|w| get(&w.into(), "MessageChannel"))
        .and_then(|c| c.dyn_into::<Function>().ok());
    let Some(channel) = constructor.and_then(|c| Reflect::construct(&c, &Array::new()).ok()) else {
        let _ = call(&controller, "postMessage", &[message("PURGE")]);
        return;
    };
    let port1 = get(&channel, "port1");
    let port2 = get(&channel, "port2");
    let done = js_sys::Promise::new(&mut |resolve, _| {
        let _ = Reflect::set(&port1, &"onmessage".into(), &resolve);
        // Never wait long: a worker that does not answer must not block sign-out.
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 2_000);
        }
    });
    let transfer: Array = std::iter::once(port2).collect();
    let _ = call(
        &controller,
        "postMessage",
        &[message("PURGE"), transfer.into()],
    );
    let _ = wasm_bindgen_futures::JsFuture::from(done).await;
}

/// What a manifest shortcut asked for (`/?action=…`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LaunchAction {
    /// "Refresh": fetch every source again.
    Refresh,
    /// "Add task": focus the quick-add form.
    AddTask,
}

impl LaunchAction {
    /// The `action` parameter's value.
    pub fn parse(value: &str) -> Option<LaunchAction> {
        match value {
            "refresh" => Some(LaunchAction::Refresh),
            "add" => Some(LaunchAction::AddTask),
            _ => None,
        }
    }
}

/// Reads `?action=` from the address and removes it (so a reload does not repeat it).
pub fn take_launch_action() -> Option<LaunchAction> {
    let window = web_sys::window()?;
    let location = window.location();
    let search = location.search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    let value = params.get("action")?;
    params.delete("action");
    let rest = String::from(params.to_string());
    let path = location.pathname().unwrap_or_else(|_| "/".to_owned());
    let hash = location.hash().unwrap_or_default();
    let url = if rest.is_empty() {
        format!("{path}{hash}")
    } else {
        format!("{path}?{rest}{hash}")
    };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
    LaunchAction::parse(&value)
}

/// The shortcut the app was opened with, kept until the dashboard can act on it;
/// provided as context by the app.
#[derive(Clone, Copy, Debug)]
pub struct Launch(StoredValue<Option<LaunchAction>>);

impl Launch {
    /// Takes the action from the address, at start.
    pub fn install() -> Launch {
        Launch(StoredValue::new(take_launch_action()))
    }

    /// The action, once.
    pub fn take(&self) -> Option<LaunchAction> {
        let action = self.0.get_value();
        self.0.set_value(None);
        action
    }
}

#[cfg(test)]
mod tests {
    use super::LaunchAction;

    #[test]
    fn launch_actions_match_the_manifest_shortcuts() {
        assert_eq!(LaunchAction::parse("refresh"), Some(LaunchAction::Refresh));
        assert_eq!(LaunchAction::parse("add"), Some(LaunchAction::AddTask));
        assert_eq!(LaunchAction::parse("delete-everything"), None);
        assert_eq!(LaunchAction::parse(""), None);
    }
}
