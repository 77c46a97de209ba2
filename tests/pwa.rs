//! The installable app's parts in headless Chromium (wasm-bindgen-test): the offline
//! board (read-only, labelled with its age), the kept plan in `localStorage` (per user,
//! never a token, gone at sign-out), the update/install bar, and the manifest shortcuts.
//!
//! The service worker itself, real offline reloads and the update flow run against the
//! release build in `e2e/pwa.test.mjs`.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use leptos::prelude::*;
use plan_my_today::clock;
use plan_my_today::components::dashboard::Dashboard;
use plan_my_today::components::pwa_banner::PwaBar;
use plan_my_today::dashboard_data::{DashboardData, TaskAction};
use plan_my_today::offline::{self, PLAN_KEY};
use plan_my_today::pwa::{take_launch_action, LaunchAction};
use plan_my_today::session::{now_secs, Session};
use plan_my_today::storage::{self, SESSION_KEY, THEME_KEY};
use plan_my_today::theme::ThemeState;
use pmt_wire::{
    Priority, SessionResponse, Snapshot, Source, SourceState, SourceStatus, Task, TaskId, TaskKind,
    User,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

mod ui_support;

use ui_support::{document, wait_until, window};

fn local(key: &str) -> Option<String> {
    window()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item(key)
        .unwrap()
}

fn task(source: Source, kind: TaskKind, id: &str, title: &str) -> Task {
    Task {
        score: 60,
        computed_priority: Priority::High,
        priority: Priority::High,
        why: vec!["assigned to you".into()],
        ..Task::new(source, id, kind, title.to_owned())
    }
}

fn snapshot(generated_at: i64) -> Snapshot {
    Snapshot {
        generated_at,
        tasks: vec![
            task(
                Source::Linear,
                TaskKind::Issue,
                "ENG-1",
                "Ship the deploy fix",
            ),
            task(
                Source::Slack,
                TaskKind::Mention,
                "C1/1",
                "Answer Sam about the rollout",
            ),
        ],
        sources: vec![SourceStatus {
            source: Source::Linear,
            state: SourceState::Ok {
                count: 1,
                skipped: 0,
            },
            duration_ms: 100,
            fetched_at: generated_at,
        }],
    }
}

fn sign_in_this_tab() -> Session {
    storage::save(
        SESSION_KEY,
        &SessionResponse {
            token: "test-token-never-kept".into(),
            expires_at: now_secs() + 3600,
            user: User {
                sub: "dana".into(),
                name: Some("Dana Demo".into()),
                email: None,
            },
        },
    )
    .unwrap();
    Session::restore()
}

struct Mounted {
    root: HtmlElement,
    _handle: Box<dyn std::any::Any>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.root.remove();
    }
}

impl Mounted {
    fn new(view: impl FnOnce() -> AnyView + 'static) -> Mounted {
        let root: HtmlElement = document().create_element("div").unwrap().unchecked_into();
        document().body().unwrap().append_child(&root).unwrap();
        let handle = leptos::mount::mount_to(root.clone(), view);
        Mounted {
            root,
            _handle: Box::new(handle),
        }
    }

    fn all(&self, selector: &str) -> Vec<Element> {
        let list = self.root.query_selector_all(selector).unwrap();
        (0..list.length())
            .filter_map(|i| list.item(i))
            .filter_map(|n| n.dyn_into::<Element>().ok())
            .collect()
    }

    fn has(&self, selector: &str) -> bool {
        self.root.query_selector(selector).unwrap().is_some()
    }

    fn text(&self, selector: &str) -> String {
        self.root
            .query_selector(selector)
            .unwrap()
            .unwrap_or_else(|| panic!("no element matches {selector}"))
            .text_content()
            .unwrap_or_default()
    }

    fn disabled(&self, selector: &str) -> bool {
        self.root
            .query_selector(selector)
            .unwrap()
            .unwrap_or_else(|| panic!("no element matches {selector}"))
            .has_attribute("disabled")
    }
}

/// The dashboard over `snapshot`, its data handed back for the test to drive.
fn dashboard(snapshot: Snapshot) -> (Mounted, DashboardData) {
    let session = sign_in_this_tab();
    let slot = StoredValue::new(None::<DashboardData>);
    let mounted = Mounted::new(move || {
        provide_context(session);
        provide_context(ThemeState::install());
        let data = DashboardData::new(session);
        data.set_snapshot(snapshot);
        provide_context(data);
        slot.set_value(Some(data));
        view! { <Dashboard /> }.into_any()
    });
    let data = slot.get_value().expect("the dashboard's data");
    (mounted, data)
}

#[wasm_bindgen_test]
async fn an_offline_board_is_read_only_and_says_how_old_it_is() {
    let now = now_secs();
    let (m, data) = dashboard(snapshot(now - 600));
    wait_until("the cards", || m.all("[data-task-id]").len() == 2).await;
    assert!(!m.has("#offline-banner"), "live data has no offline banner");
    assert!(!m.disabled("#refresh"));

    data.offline.set(Some(now - 600));
    wait_until("the offline banner", || m.has("#offline-banner")).await;
    let label = m.text("#offline-as-of");
    assert_eq!(label, format!("Offline — as of {}", clock::hhmm(now - 600)));
    assert_eq!(m.all("[data-task-id]").len(), 2, "the plan stays on screen");
    assert!(m.disabled("#refresh"), "refresh needs the server");
    assert!(m.disabled("#adhoc-add"), "adding needs the server");
    let actions = m.all(".card-actions button");
    assert!(!actions.is_empty());
    assert!(
        actions
            .iter()
            .all(|b| b.matches(":disabled").unwrap_or(false)),
        "every card action needs the server"
    );
    // Search still works on the kept plan.
    assert!(m.has("#search"));
    assert!(!m.disabled("#search"));

    data.offline.set(None);
    wait_until("the banner gone", || !m.has("#offline-banner")).await;
    assert!(!m.disabled("#refresh"));
}

#[wasm_bindgen_test]
async fn offline_actions_are_refused_with_a_reason_and_never_sent() {
    let now = now_secs();
    let (_m, data) = dashboard(snapshot(now));
    data.offline.set(Some(now));
    data.refresh();
    assert!(!data.refreshing(), "a refresh started offline");
    assert!(
        data.announcement.get_untracked().contains("offline"),
        "{}",
        data.announcement.get_untracked()
    );
    let id = TaskId::new(Source::Linear, "ENG-1");
    assert!(!data.act(id.clone(), TaskAction::Boost).await);
    assert!(!data.act(id, TaskAction::Dismiss).await);
    assert!(data
        .delete_adhoc(TaskId::new(Source::AdHoc, "1"))
        .await
        .is_err());
}

#[wasm_bindgen_test]
fn a_plan_from_an_earlier_day_is_labelled_so() {
    let now = now_secs();
    let yesterday = clock::at(clock::start_of_day(now) - 3600, 17, 40);
    assert_eq!(
        offline::label(yesterday, now),
        "Offline — as of 17:40, from yesterday"
    );
    let earlier = clock::at(clock::start_of_day(now) - 3 * 86_400 + 7200, 9, 5);
    let label = offline::label(earlier, now);
    assert!(label.starts_with("Offline — as of 09:05, from "), "{label}");
    assert!(!label.contains("yesterday"), "{label}");
    assert_eq!(
        offline::label(now, now),
        format!("Offline — as of {}", clock::hhmm(now))
    );
}

#[wasm_bindgen_test]
fn the_kept_plan_belongs_to_one_user_holds_no_token_and_goes_at_sign_out() {
    let session = sign_in_this_tab();
    window()
        .local_storage()
        .unwrap()
        .unwrap()
        .set_item(THEME_KEY, "dark")
        .unwrap();
    let snap = snapshot(now_secs() - 60);
    offline::remember("dana", &snap, now_secs());
    let raw = local(PLAN_KEY).expect("the plan is kept");
    assert!(
        !raw.contains("test-token-never-kept"),
        "the token is in the kept plan"
    );
    assert_eq!(offline::recall(Some("dana")).unwrap().snapshot, snap);
    assert!(offline::recall(Some("someone-else")).is_none());
    assert!(
        offline::recall(None).is_some(),
        "a window without a session may show it"
    );

    // A snapshot that was never fetched does not replace a real one.
    offline::remember("dana", &Snapshot::default(), now_secs());
    assert_eq!(offline::recall(Some("dana")).unwrap().snapshot, snap);

    // Something unreadable is dropped.
    window()
        .local_storage()
        .unwrap()
        .unwrap()
        .set_item(PLAN_KEY, "{not json")
        .unwrap();
    assert!(offline::recall(None).is_none());
    assert_eq!(local(PLAN_KEY), None);

    offline::remember("dana", &snap, now_secs());
    session.sign_out();
    assert_eq!(local(PLAN_KEY), None, "sign-out leaves the kept plan");
    assert_eq!(
        local(THEME_KEY).as_deref(),
        Some("dark"),
        "the device theme stays"
    );
    assert!(storage::load::<SessionResponse>(SESSION_KEY).is_none());
}

#[wasm_bindgen_test]
async fn the_pwa_bar_shows_nothing_without_an_update_or_an_offer() {
    let m = Mounted::new(|| view! { <PwaBar /> }.into_any());
    leptos::task::tick().await;
    assert!(!m.has("#pwa-bar"));
    assert!(!m.has("#pwa-update"));
    assert!(!m.has("#pwa-install"));
}

#[wasm_bindgen_test]
fn a_manifest_shortcut_is_read_once_and_removed_from_the_address() {
    let history = window().history().unwrap();
    history
        .replace_state_with_url(&JsValue::NULL, "", Some("/?view=source&action=add#x"))
        .unwrap();
    assert_eq!(take_launch_action(), Some(LaunchAction::AddTask));
    assert_eq!(window().location().search().unwrap(), "?view=source");
    assert_eq!(window().location().hash().unwrap(), "#x");
    assert_eq!(take_launch_action(), None);
    history
        .replace_state_with_url(&JsValue::NULL, "", Some("/?action=refresh"))
        .unwrap();
    assert_eq!(take_launch_action(), Some(LaunchAction::Refresh));
    assert_eq!(window().location().search().unwrap(), "");
    history
        .replace_state_with_url(&JsValue::NULL, "", Some("/"))
        .unwrap();
}
