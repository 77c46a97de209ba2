//! Whether an element is near the screen: on it, or within one screen's height above
//! or below. The browser tells (an `IntersectionObserver`), so watching costs nothing
//! while the user types or scrolls.

use std::rc::Rc;

use leptos::html::ElementType;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::{IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit};

/// How far off screen still counts as near.
const REACH: &str = "100% 0px";

/// The observer of one element; disconnected when the element's owner goes.
struct Watcher {
    observer: IntersectionObserver,
    target: web_sys::Element,
    _on_change: Closure<dyn FnMut(js_sys::Array)>,
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// A watched element (see [`watch`]).
#[derive(Clone, Copy, Debug)]
pub struct NearScreen {
    kept: StoredValue<Option<Watcher>, LocalStorage>,
}

impl NearScreen {
    /// Asks again: the next call of `on_change` (after the next layout) says where
    /// the element is then, even if that did not change.
    pub fn recheck(&self) {
        self.kept.with_value(|w| {
            if let Some(w) = w {
                w.observer.unobserve(&w.target);
                w.observer.observe(&w.target);
            }
        });
    }
}

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watcher").finish_non_exhaustive()
    }
}

/// Calls `on_change(true)` when `target` comes near the screen and `on_change(false)`
/// when it leaves, from when it is mounted until its owner is cleaned up. The first
/// call comes just after it is first laid out.
pub fn watch<E>(target: NodeRef<E>, on_change: impl Fn(bool) + 'static) -> NearScreen
where
    E: ElementType,
    E::Output: JsCast + Clone + 'static,
{
    let kept = StoredValue::new_local(None::<Watcher>);
    let on_change = Rc::new(on_change);
    Effect::new(move || {
        let Some(el) = target.get() else {
            return;
        };
        let Ok(el) = el.dyn_into::<web_sys::Element>() else {
            return;
        };
        let on_change = on_change.clone();
        let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            // Only the latest state of the one target matters.
            if let Some(entry) = entries.iter().last() {
                on_change(
                    entry
                        .unchecked_into::<IntersectionObserverEntry>()
                        .is_intersecting(),
                );
            }
        });
        let options = IntersectionObserverInit::new();
        options.set_root_margin(REACH);
        let Ok(observer) =
            IntersectionObserver::new_with_options(callback.as_ref().unchecked_ref(), &options)
        else {
            return;
        };
        observer.observe(&el);
        kept.set_value(Some(Watcher {
            observer,
            target: el,
            _on_change: callback,
        }));
    });
    NearScreen { kept }
}
