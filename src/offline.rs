//! The last plan the user saw, kept on this device for offline viewing, and the purge
//! of every stored trace of the user at sign-out.
//!
//! - **What is kept**: the snapshot as last shown (tasks, source statuses, the user's
//!   decisions applied), with its `generated_at`, the `sub` of the user it belongs to
//!   and when it was saved, as JSON in `localStorage[`[`PLAN_KEY`]`]`. Never a token:
//!   the session stays in `sessionStorage` only (see [`crate::storage`]).
//! - **When it is read**: when `/api/tasks` cannot reach the server (a network error,
//!   not an HTTP error), for the same user; the dashboard then shows it read-only under
//!   "Offline — as of 09:12" (plus "from yesterday" / "from Fri 21 Nov" when it is not
//!   today's), and reloads by itself when the network returns.
//! - **Purge** ([`purge`]): the plan (with every other `pmt.` key but the device's theme,
//!   [`crate::storage::clear_user_data`]), every IndexedDB database of the origin, and
//!   every Cache Storage entry that is not part of the app shell (the worker is asked to
//!   keep only its build's shell; caches of no shell are deleted here too).

use pmt_wire::Snapshot;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::api::CallError;
use crate::dashboard_data::DashboardData;
use crate::session::Session;

/// The kept plan (`localStorage`).
pub const PLAN_KEY: &str = "pmt.offline.plan";
/// Cache Storage names of the app shell (written by `public/sw.js`).
pub const SHELL_CACHE_PREFIX: &str = "pmt-shell-";
/// The format of [`StoredPlan`]; another one is ignored and removed.
const FORMAT: u32 = 1;

/// The plan as kept on the device.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredPlan {
    /// [`FORMAT`].
    pub format: u32,
    /// Whose plan (`sub`; a different user never sees it).
    pub user: String,
    /// When it was saved, Unix seconds.
    pub saved_at: i64,
    /// The snapshot as last shown.
    pub snapshot: Snapshot,
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Keeps `snapshot` as `user`'s last plan. A snapshot that was never fetched is not
/// worth keeping (it would replace a real one with nothing).
pub fn remember(user: &str, snapshot: &Snapshot, now: i64) {
    if snapshot.generated_at == 0 && snapshot.tasks.is_empty() {
        return;
    }
    let plan = StoredPlan {
        format: FORMAT,
        user: user.to_owned(),
        saved_at: now,
        snapshot: snapshot.clone(),
    };
    if let (Some(storage), Ok(raw)) = (local_storage(), serde_json::to_string(&plan)) {
        // Full storage: the previous plan is removed rather than left stale.
        if storage.set_item(PLAN_KEY, &raw).is_err() {
            let _ = storage.remove_item(PLAN_KEY);
        }
    }
}

/// The kept plan: `user`'s, or whoever's when `user` is `None` (a signed-out device
/// that cannot reach the server). Unreadable ones are removed.
pub fn recall(user: Option<&str>) -> Option<StoredPlan> {
    let storage = local_storage()?;
    let raw = storage.get_item(PLAN_KEY).ok().flatten()?;
    match serde_json::from_str::<StoredPlan>(&raw) {
        Ok(plan) if plan.format == FORMAT => user.is_none_or(|u| u == plan.user).then_some(plan),
        _ => {
            let _ = storage.remove_item(PLAN_KEY);
            None
        }
    }
}

/// How often the dashboard tries the server again while it shows the kept plan and the
/// browser says it is online (the server was down, or the network came back silently).
const RETRY_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// Keeps the dashboard's plan on this device and brings it back live:
/// - every board the user sees while live is saved (tasks, statuses, decisions applied);
/// - while the kept plan is shown, the `online` event and a timer reload from the server;
///   the first answer makes the board live again.
///
/// Call once where the signed-in dashboard is set up.
pub fn keep_last_plan(data: DashboardData, session: Session) {
    use leptos::prelude::*;

    Effect::new(move || {
        if !data.loaded.get() || data.is_offline() {
            return;
        }
        let Some(user) = session.get().map(|s| s.user.sub) else {
            return;
        };
        data.board
            .with(|b| remember(&user, b.snapshot(), crate::session::now_secs()));
    });
    let online = window_event_listener(leptos::ev::online, move |_| {
        if data.offline.get_untracked().is_some() {
            data.load();
        }
    });
    on_cleanup(move || online.remove());
    if let Ok(timer) = set_interval_with_handle(
        move || {
            if data.offline.get_untracked().is_some() && crate::pwa::browser_online() {
                data.load();
            }
        },
        RETRY_EVERY,
    ) {
        on_cleanup(move || timer.clear());
    }
}

/// Forgets the kept plan.
pub fn forget() {
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(PLAN_KEY);
    }
}

/// Whether a failed call means "the server cannot be reached" (offline, server down),
/// the only case where the kept plan stands in for the live one.
pub fn is_unreachable(error: &CallError) -> bool {
    matches!(error, CallError::Unreachable)
}

/// The banner's words for a plan generated at `generated_at`, seen at `now`.
pub fn label(generated_at: i64, now: i64) -> String {
    let day = 86_400;
    let days_ago = if generated_at <= 0 {
        0
    } else {
        // Whole local days between the two dates (rounded: a DST day is 23 or 25 hours).
        let a = crate::clock::start_of_day(generated_at);
        let b = crate::clock::start_of_day(now);
        ((b - a) as f64 / day as f64).round() as i64
    };
    label_from_parts(
        &crate::clock::hhmm(generated_at),
        days_ago,
        &short_date(generated_at),
        generated_at > 0,
    )
}

/// [`label`] from its parts (pure, for tests).
pub fn label_from_parts(time: &str, days_ago: i64, date: &str, fetched: bool) -> String {
    if !fetched {
        return "Offline — your plan was never fetched on this device".to_owned();
    }
    match days_ago {
        i64::MIN..=0 => format!("Offline — as of {time}"),
        1 => format!("Offline — as of {time}, from yesterday"),
        _ => format!("Offline — as of {time}, from {date}"),
    }
}

/// `Fri 21 Nov`, local.
fn short_date(secs: i64) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let d = js_sys::Date::new(&JsValue::from_f64(secs as f64 * 1000.0));
    format!(
        "{} {} {}",
        DAYS.get(d.get_day() as usize).copied().unwrap_or(""),
        d.get_date(),
        MONTHS.get(d.get_month() as usize).copied().unwrap_or("")
    )
}

async fn promise(value: JsValue) -> Option<JsValue> {
    let p = value.dyn_into::<js_sys::Promise>().ok()?;
    JsFuture::from(p).await.ok()
}

fn get(target: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn call(target: &JsValue, method: &str, args: &[JsValue]) -> JsValue {
    let Ok(f) = get(target, method).dyn_into::<js_sys::Function>() else {
        return JsValue::UNDEFINED;
    };
    let list: js_sys::Array = args.iter().collect();
    js_sys::Reflect::apply(&f, target, &list).unwrap_or(JsValue::UNDEFINED)
}

/// Deletes every Cache Storage cache that is not an app shell.
async fn purge_caches() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let caches = get(&window.into(), "caches");
    if !caches.is_object() {
        return;
    }
    let Some(names) = promise(call(&caches, "keys", &[])).await else {
        return;
    };
    for name in js_sys::Array::from(&names).iter() {
        let shell = name
            .as_string()
            .is_some_and(|n| n.starts_with(SHELL_CACHE_PREFIX));
        if !shell {
            let _ = promise(call(&caches, "delete", &[name])).await;
        }
    }
}

/// Deletes every IndexedDB database of the origin (the app writes none today; whatever
/// is there is not the shell).
async fn purge_indexed_db() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let idb = get(&window.into(), "indexedDB");
    if !idb.is_object() {
        return;
    }
    let Some(list) = promise(call(&idb, "databases", &[])).await else {
        return;
    };
    for info in js_sys::Array::from(&list).iter() {
        let name = get(&info, "name");
        if name.is_string() {
            let _ = call(&idb, "deleteDatabase", &[name]);
        }
    }
}

/// Removes every stored trace of the user: the kept plan and the session keys at once
/// (synchronously), then IndexedDB and every Cache Storage entry but the app shell.
pub async fn purge() {
    forget();
    crate::storage::clear_user_data();
    crate::pwa::purge_worker_caches().await;
    purge_caches().await;
    purge_indexed_db().await;
}

#[cfg(test)]
mod tests {
    use super::label_from_parts;

    #[test]
    fn today_says_only_the_time() {
        assert_eq!(
            label_from_parts("09:12", 0, "Fri 21 Nov", true),
            "Offline — as of 09:12"
        );
    }

    #[test]
    fn yesterday_and_older_say_so() {
        assert_eq!(
            label_from_parts("17:40", 1, "Fri 21 Nov", true),
            "Offline — as of 17:40, from yesterday"
        );
        assert_eq!(
            label_from_parts("17:40", 3, "Fri 21 Nov", true),
            "Offline — as of 17:40, from Fri 21 Nov"
        );
    }

    #[test]
    fn a_clock_set_back_counts_as_today() {
        assert_eq!(
            label_from_parts("09:12", -1, "x", true),
            "Offline — as of 09:12"
        );
    }

    #[test]
    fn never_fetched_is_said_plainly() {
        assert!(label_from_parts("", 0, "", false).contains("never fetched"));
    }
}
