//! The colour theme: the device's choice in `localStorage`, applied as `data-theme`
//! on `<html>`, following `prefers-color-scheme` live when the choice is "system".
//!
//! The choice is a device preference, not user data: it says nothing about the
//! user's work, so [`crate::storage::clear_user_data`] keeps it at sign-out (the next
//! person on this device sees the theme the device was set to, nothing more).

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::model::theme::Theme;
use crate::storage::THEME_KEY;

const DARK_QUERY: &str = "(prefers-color-scheme: dark)";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The theme this device remembers (system when none).
pub fn stored() -> Theme {
    local_storage()
        .and_then(|s| s.get_item(THEME_KEY).ok().flatten())
        .map(|v| Theme::parse(&v))
        .unwrap_or_default()
}

fn remember(theme: Theme) {
    if let Some(s) = local_storage() {
        let _ = match theme {
            Theme::System => s.remove_item(THEME_KEY),
            t => s.set_item(THEME_KEY, t.key()),
        };
    }
}

fn system_prefers_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media(DARK_QUERY).ok().flatten())
        .is_some_and(|m| m.matches())
}

fn apply(effective: &str) {
    if let Some(html) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = html.set_attribute("data-theme", effective);
    }
}

/// The theme as reactive state, provided as context by the app.
#[derive(Clone, Copy, Debug)]
pub struct ThemeState {
    choice: RwSignal<Theme>,
    system_dark: RwSignal<bool>,
}

impl ThemeState {
    /// Reads the remembered choice, applies it, and keeps `data-theme` in step with
    /// the choice and with the system preference.
    pub fn install() -> ThemeState {
        let state = ThemeState {
            choice: RwSignal::new(stored()),
            system_dark: RwSignal::new(system_prefers_dark()),
        };
        if let Some(list) = web_sys::window().and_then(|w| w.match_media(DARK_QUERY).ok().flatten())
        {
            let system_dark = state.system_dark;
            let on_change = Closure::<dyn Fn(web_sys::MediaQueryListEvent)>::new(
                move |e: web_sys::MediaQueryListEvent| {
                    system_dark.try_set(e.matches());
                },
            );
            let _ =
                list.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
            // Lives as long as the page: one listener per app start.
            on_change.forget();
        }
        Effect::new(move || apply(state.effective()));
        state
    }

    /// The user's choice, tracked.
    pub fn choice(&self) -> Theme {
        self.choice.get()
    }

    /// `light` or `dark`, tracked.
    pub fn effective(&self) -> &'static str {
        self.choice.get().effective(self.system_dark.get())
    }

    /// Changes and remembers the choice; applies it at once.
    pub fn choose(&self, theme: Theme) {
        remember(theme);
        self.choice.set(theme);
        apply(theme.effective(self.system_dark.get_untracked()));
    }
}
