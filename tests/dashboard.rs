//! Dashboard components in headless Chromium (wasm-bindgen-test): grouping, search,
//! filters, sort, URL state, themes, keyboard, and each action calling the API and
//! updating its card.
//!
//! The dashboard is mounted with a [`DashboardData`] whose snapshot the test sets, so
//! rendering needs no backend. Where an action must reach the API, `window.fetch` is
//! replaced by a recording fake that answers from a table the test fills in.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use plan_my_today::clock;
use plan_my_today::session::now_secs;
use plan_my_today::storage::{self, THEME_KEY};
use pmt_wire::{
    Person, Priority, Snapshot, Source, SourceState, SourceStatus, Task, TaskId, TaskKind,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

mod ui_support;

use ui_support::{
    answer, answer_json, document, fake_network, fire, key, mount, sleep_ms, type_into, wait_until,
    window, Mounted,
};

// ---------------------------------------------------------------------------------
// Fixtures

fn task(
    source: Source,
    kind: TaskKind,
    id: &str,
    title: &str,
    priority: Priority,
    score: u8,
) -> Task {
    Task {
        url: Some(format!("https://example.com/{id}")),
        people: vec![Person {
            name: "Sam Reviewer".into(),
            handle: None,
        }],
        score,
        computed_priority: priority,
        priority,
        why: vec!["assigned to you".into()],
        ..Task::new(source, id, kind, title.to_owned())
    }
}

fn status(source: Source, state: SourceState) -> SourceStatus {
    SourceStatus {
        source,
        state,
        duration_ms: 200,
        fetched_at: now_secs() - 300,
    }
}

const DEPLOY: &str = "linear:ENG-1";
const REVIEW: &str = "github:acme/api#7";
const NOTE: &str = "granola:n1";
const INVOICE: &str = "gmail:m1";
const MENTION: &str = "slack:C1/1";

/// Six tasks over five sources; Slack failed; one dismissed; one boosted.
fn snapshot() -> Snapshot {
    let mut deploy = task(
        Source::Linear,
        TaskKind::Issue,
        "ENG-1",
        "Fix deploy pipeline",
        Priority::Critical,
        95,
    );
    deploy.links = vec![TaskId(REVIEW.into())];
    let mut review = task(
        Source::Github,
        TaskKind::Review,
        "acme/api#7",
        "Review auth PR",
        Priority::High,
        80,
    );
    review.signals.due = Some(now_secs() + 7200);
    review.links = vec![TaskId(DEPLOY.into())];
    let mut invoice = task(
        Source::Gmail,
        TaskKind::Email,
        "m1",
        "Invoice overdue",
        Priority::High,
        40,
    );
    invoice.computed_priority = Priority::Medium;
    invoice.priority_override = Some(Priority::High);
    let standup = {
        let mut t = task(
            Source::GoogleCalendar,
            TaskKind::Meeting,
            "e1",
            "Standup",
            Priority::High,
            70,
        );
        t.signals.starts_at = Some(now_secs() + 3600);
        t
    };
    let mention = task(
        Source::Slack,
        TaskKind::Mention,
        "C1/1",
        "Question about budget",
        Priority::Medium,
        50,
    );
    let mut note = task(
        Source::Granola,
        TaskKind::MeetingNoteItem,
        "n1",
        "Send notes to Priya",
        Priority::Low,
        20,
    );
    note.people = vec![Person {
        name: "Priya Patel".into(),
        handle: None,
    }];
    let mut old_note = task(
        Source::Granola,
        TaskKind::MeetingNoteItem,
        "n0",
        "Old action item",
        Priority::Low,
        10,
    );
    old_note.dismissed = true;
    Snapshot {
        generated_at: now_secs() - 120,
        tasks: vec![deploy, review, standup, invoice, mention, note, old_note],
        sources: vec![
            status(
                Source::GoogleCalendar,
                SourceState::Ok {
                    count: 1,
                    skipped: 0,
                },
            ),
            status(
                Source::Gmail,
                SourceState::Ok {
                    count: 1,
                    skipped: 0,
                },
            ),
            status(
                Source::Linear,
                SourceState::Ok {
                    count: 1,
                    skipped: 0,
                },
            ),
            status(
                Source::Github,
                SourceState::Ok {
                    count: 1,
                    skipped: 0,
                },
            ),
            status(
                Source::Slack,
                SourceState::Failed {
                    reason: "rate limited".into(),
                },
            ),
            status(
                Source::Granola,
                SourceState::Ok {
                    count: 2,
                    skipped: 0,
                },
            ),
        ],
    }
}

// ---------------------------------------------------------------------------------
// Browser helpers

/// Waits until the address bar's query is `expected` (written by an effect, so
/// after the change is rendered).
async fn wait_for_query(expected: &str) {
    wait_until(&format!("the address query {expected:?}"), || {
        window().location().search().unwrap() == expected
    })
    .await;
}

fn active_task_id() -> Option<String> {
    document()
        .active_element()
        .and_then(|e| e.get_attribute("data-task-id"))
}

fn choose(select: &Element, value: &str) {
    select.unchecked_ref::<HtmlSelectElement>().set_value(value);
    fire(select, "change");
}

// ---------------------------------------------------------------------------------
// The fake network (tests/ui_support): what these tests look at.

/// The calls the test's actions made (the day plan, fetched whenever the tasks change,
/// is left out: tests/activity.rs covers it).
fn calls() -> Vec<String> {
    ui_support::calls()
        .into_iter()
        .filter(|c| c != "GET /api/plan")
        .collect()
}

fn find_task(id: &str) -> Task {
    snapshot()
        .tasks
        .into_iter()
        .find(|t| t.id.as_str() == id)
        .unwrap()
}

// ---------------------------------------------------------------------------------
// Grouping, search, filters, sort, URL state

#[wasm_bindgen_test]
async fn priority_view_groups_tasks_with_counts_in_the_headings() {
    let m = mount("/", snapshot());
    wait_until("cards", || m.card_count() > 0).await;
    let count = |g: &str| m.text(&format!("[data-group=\"{g}\"] .count"));
    assert_eq!(
        (
            count("critical"),
            count("high"),
            count("medium"),
            count("low")
        ),
        ("1".into(), "3".into(), "1".into(), "1".into())
    );
    assert_eq!(
        m.ids_in("high"),
        vec![REVIEW, "google_calendar:e1", INVOICE],
        "highest score first; an override decides the group"
    );
    assert_eq!(m.card_count(), 6, "the dismissed task is hidden");
    assert!(m.text("#snapshot-age").starts_with("as of "));
    assert!(m
        .text(&format!("[data-task-id=\"{INVOICE}\"]"))
        .contains("Overridden: boosted from Medium"));
}

#[wasm_bindgen_test]
async fn source_view_shows_each_sources_status_and_a_retry_for_failures() {
    let m = mount("/?view=source", snapshot());
    wait_until("source groups", || m.has("[data-group=\"source:linear\"]")).await;
    assert_eq!(m.ids_in("source:linear"), vec![DEPLOY]);
    let slack = m.text("[data-source-status=\"slack\"]");
    assert!(
        slack.contains("Failed") && slack.contains("rate limited"),
        "{slack}"
    );
    assert!(m.has("[data-source-status=\"slack\"] .source-retry"));
    assert!(m
        .text("[data-source-status=\"linear\"]")
        .starts_with("OK · 1 fetched"));
    assert!(
        m.text(".status-bar")
            .contains("Could not fetch Slack (rate limited)"),
        "some sources failed: the notice says which"
    );
    assert_eq!(
        m.one("#view-source")
            .get_attribute("aria-pressed")
            .as_deref(),
        Some("true")
    );
}

#[wasm_bindgen_test]
async fn search_narrows_the_list_and_is_kept_in_the_url() {
    let m = mount("/", snapshot());
    wait_until("cards", || m.card_count() == 6).await;
    type_into(&m.one("#search"), "PRIYA");
    wait_until("search applied", || m.card_count() == 1).await;
    assert_eq!(m.ids_in("low"), vec![NOTE], "people names are searched");
    wait_for_query("?q=PRIYA").await;
    type_into(&m.one("#search"), "nothing like this");
    wait_until("no match", || m.card_count() == 0).await;
    assert!(m
        .text(".status-bar")
        .contains("No tasks match your search and filters."));
    m.click("[data-fix=\"clear-filters\"]");
    wait_until("cleared", || m.card_count() == 6).await;
    wait_for_query("").await;
}

#[wasm_bindgen_test]
async fn filters_combine_with_and_across_facets_and_or_within_one() {
    let m = mount("/", snapshot());
    wait_until("cards", || m.card_count() == 6).await;
    m.click("#filter-source-linear");
    m.click("#filter-source-github");
    wait_until("two sources", || m.card_count() == 2).await;
    m.click("#filter-priority-high");
    wait_until("and high", || m.card_count() == 1).await;
    assert_eq!(m.ids_in("high"), vec![REVIEW]);
    assert!(
        !m.has("[data-group=\"critical\"]"),
        "only the chosen priority's group shows"
    );
    assert_eq!(
        m.one("#filter-priority-high")
            .get_attribute("aria-pressed")
            .as_deref(),
        Some("true")
    );
    wait_for_query("?source=linear%2Cgithub&priority=high").await;
    m.click("#clear-filters");
    wait_until("cleared", || m.card_count() == 6).await;
    m.click("#filter-overridden");
    wait_until("overridden only", || m.card_count() == 1).await;
    assert_eq!(m.ids_in("high"), vec![INVOICE]);
}

#[wasm_bindgen_test]
async fn sort_by_time_puts_the_soonest_first() {
    let m = mount("/", snapshot());
    wait_until("cards", || m.card_count() == 6).await;
    choose(&m.one("#sort"), "time");
    wait_until("sorted", || {
        m.ids_in("high").first().map(String::as_str) == Some("google_calendar:e1")
    })
    .await;
    assert_eq!(
        m.ids_in("high"),
        vec!["google_calendar:e1", REVIEW, INVOICE]
    );
    wait_for_query("?sort=time").await;
}

#[wasm_bindgen_test]
async fn url_state_is_read_on_load_and_written_back() {
    let m = mount(
        "/?view=source&q=review&sort=age&dismissed=1&bogus=1",
        snapshot(),
    );
    wait_until("source view", || m.has("[data-group=\"source:github\"]")).await;
    let search: HtmlInputElement = m.one("#search").unchecked_into();
    assert_eq!(search.value(), "review");
    let sort: HtmlSelectElement = m.one("#sort").unchecked_into();
    assert_eq!(sort.value(), "age");
    let dismissed: HtmlInputElement = m.one("#show-dismissed").unchecked_into();
    assert!(dismissed.checked());
    wait_for_query("?view=source&q=review&dismissed=1&sort=age").await;
    m.click("#view-priority");
    wait_until("priority view", || m.has("[data-group=\"critical\"]")).await;
    wait_for_query("?q=review&dismissed=1&sort=age").await;
}

#[wasm_bindgen_test]
async fn show_dismissed_reveals_dismissed_tasks_marked_with_restore() {
    let m = mount("/", snapshot());
    wait_until("cards", || m.card_count() == 6).await;
    assert!(m.text(".status-bar").contains("1 dismissed task hidden."));
    m.click("#show-dismissed");
    wait_until("dismissed shown", || m.card_count() == 7).await;
    let old = m.card("granola:n0");
    assert!(old.class_list().contains("dismissed"));
    assert!(old.query_selector(".task-restore").unwrap().is_some());
    assert!(old.query_selector(".task-dismiss").unwrap().is_none());
}

// ---------------------------------------------------------------------------------
// Themes

#[wasm_bindgen_test]
async fn theme_switch_sets_data_theme_and_is_remembered_on_this_device() {
    let local = window().local_storage().unwrap().unwrap();
    local.remove_item(THEME_KEY).unwrap();
    let m = mount("/", snapshot());
    wait_until("toolbar", || m.has("#theme")).await;
    let html = document().document_element().unwrap();
    choose(&m.one("#theme"), "dark");
    wait_until("dark", || {
        html.get_attribute("data-theme").as_deref() == Some("dark")
    })
    .await;
    assert_eq!(local.get_item(THEME_KEY).unwrap().as_deref(), Some("dark"));
    choose(&m.one("#theme"), "light");
    wait_until("light", || {
        html.get_attribute("data-theme").as_deref() == Some("light")
    })
    .await;
    assert_eq!(local.get_item(THEME_KEY).unwrap().as_deref(), Some("light"));

    storage::clear_user_data();
    assert_eq!(
        local.get_item(THEME_KEY).unwrap().as_deref(),
        Some("light"),
        "sign-out keeps the device's theme (not user data)"
    );
    drop(m);
    let again = mount("/", snapshot());
    wait_until("toolbar", || again.has("#theme")).await;
    let select: HtmlSelectElement = again.one("#theme").unchecked_into();
    assert_eq!(select.value(), "light", "the choice survives a reload");

    choose(&again.one("#theme"), "system");
    let prefers_dark = window()
        .match_media("(prefers-color-scheme: dark)")
        .unwrap()
        .unwrap()
        .matches();
    let expected = if prefers_dark { "dark" } else { "light" };
    wait_until("system", || {
        html.get_attribute("data-theme").as_deref() == Some(expected)
    })
    .await;
    assert_eq!(
        local.get_item(THEME_KEY).unwrap(),
        None,
        "system is the default: nothing stored"
    );
}

// ---------------------------------------------------------------------------------
// Keyboard

#[wasm_bindgen_test]
async fn j_and_k_move_focus_between_cards_and_slash_focuses_search() {
    let m = mount("/", snapshot());
    wait_until("cards", || m.card_count() == 6).await;
    document().body().unwrap().focus().ok();
    key("j");
    assert_eq!(active_task_id().as_deref(), Some(DEPLOY));
    key("j");
    assert_eq!(active_task_id().as_deref(), Some(REVIEW));
    key("k");
    assert_eq!(active_task_id().as_deref(), Some(DEPLOY));
    key("/");
    assert_eq!(document().active_element().unwrap().id(), "search");
    key("j");
    assert_eq!(
        document().active_element().unwrap().id(),
        "search",
        "letters typed into search are not shortcuts"
    );
}

#[wasm_bindgen_test]
async fn g_s_and_g_p_switch_views_and_question_mark_lists_shortcuts() {
    let m = mount("/", snapshot());
    wait_until("cards", || m.card_count() == 6).await;
    document().body().unwrap().focus().ok();
    key("g");
    key("s");
    wait_until("source view", || m.has("[data-group=\"source:slack\"]")).await;
    key("g");
    key("p");
    wait_until("priority view", || m.has("[data-group=\"critical\"]")).await;
    key("?");
    let dialog: web_sys::HtmlDialogElement = m.one("#shortcuts-dialog").unchecked_into();
    assert!(dialog.open());
    assert!(dialog.text_content().unwrap().contains("Dismiss the task"));
    dialog.close();
}

#[wasm_bindgen_test]
async fn d_dismisses_the_focused_card_through_the_api_and_focus_moves_on() {
    fake_network();
    let mut dismissed = find_task(NOTE);
    dismissed.dismissed = true;
    answer_json("POST /api/tasks/granola%3An1/dismiss", &dismissed);
    let m = mount("/", snapshot());
    wait_until("cards", || m.card_count() == 6).await;
    m.card(NOTE)
        .unchecked_into::<HtmlElement>()
        .focus()
        .unwrap();
    key("d");
    wait_until("card gone", || {
        !m.has(&format!("[data-task-id=\"{NOTE}\"]"))
    })
    .await;
    assert_eq!(calls(), vec!["POST /api/tasks/granola%3An1/dismiss"]);
    wait_until("focus moved", || active_task_id().is_some()).await;
    assert_eq!(
        active_task_id().as_deref(),
        Some(MENTION),
        "the neighbour takes focus"
    );
    assert!(m
        .text("#announcer")
        .contains("Dismissed “Send notes to Priya”"));
}

#[wasm_bindgen_test]
async fn d_on_a_task_the_source_owns_explains_instead_of_calling() {
    fake_network();
    let m = mount("/", snapshot());
    wait_until("cards", || m.card_count() == 6).await;
    m.card(DEPLOY)
        .unchecked_into::<HtmlElement>()
        .focus()
        .unwrap();
    key("d");
    wait_until("announcement", || {
        m.text("#announcer").contains("cannot be dismissed here")
    })
    .await;
    assert!(calls().is_empty());
    assert!(
        m.card(DEPLOY)
            .query_selector(".task-dismiss")
            .unwrap()
            .is_none(),
        "no dismiss button either"
    );
}

// ---------------------------------------------------------------------------------
// Actions call the API and update the card

#[wasm_bindgen_test]
async fn dismiss_then_restore_with_buttons() {
    fake_network();
    let mut dismissed = find_task(MENTION);
    dismissed.dismissed = true;
    answer_json("POST /api/tasks/slack%3AC1%2F1/dismiss", &dismissed);
    answer_json(
        "POST /api/tasks/slack%3AC1%2F1/restore",
        &find_task(MENTION),
    );
    let m = mount("/", snapshot());
    wait_until("cards", || m.card_count() == 6).await;
    m.click(&format!("[data-task-id=\"{MENTION}\"] .task-dismiss"));
    wait_until("hidden", || {
        !m.has(&format!("[data-task-id=\"{MENTION}\"]"))
    })
    .await;
    m.click("#show-dismissed");
    wait_until("shown again", || {
        m.has(&format!("[data-task-id=\"{MENTION}\"] .task-restore"))
    })
    .await;
    m.click(&format!("[data-task-id=\"{MENTION}\"] .task-restore"));
    wait_until("restored", || {
        m.has(&format!("[data-task-id=\"{MENTION}\"] .task-dismiss"))
    })
    .await;
    assert_eq!(
        calls(),
        vec![
            "POST /api/tasks/slack%3AC1%2F1/dismiss",
            "POST /api/tasks/slack%3AC1%2F1/restore"
        ],
        "ids are sent as one percent-encoded path segment"
    );
}

#[wasm_bindgen_test]
async fn boost_moves_a_task_up_a_group_and_marks_it_overridden() {
    fake_network();
    let mut boosted = find_task(MENTION);
    boosted.priority = Priority::High;
    boosted.priority_override = Some(Priority::High);
    answer_json("PUT /api/tasks/slack%3AC1%2F1/priority", &boosted);
    let m = mount("/", snapshot());
    wait_until("cards", || m.card_count() == 6).await;
    m.click(&format!("[data-task-id=\"{MENTION}\"] .task-boost"));
    wait_until("moved", || m.ids_in("high").contains(&MENTION.to_owned())).await;
    assert_eq!(
        calls(),
        vec!["PUT /api/tasks/slack%3AC1%2F1/priority {\"priority\":\"high\"}"]
    );
    let card = m.card(MENTION);
    assert!(card.class_list().contains("overridden"));
    assert!(card
        .text_content()
        .unwrap()
        .contains("Overridden: boosted from Medium"));
    assert!(card
        .query_selector(".task-clear-override")
        .unwrap()
        .is_some());
    assert_eq!(m.text("[data-group=\"medium\"] .count"), "0");
}

#[wasm_bindgen_test]
async fn demoting_back_to_the_computed_level_clears_the_override() {
    fake_network();
    answer_json("PUT /api/tasks/gmail%3Am1/priority", &{
        let mut t = find_task(INVOICE);
        t.priority = Priority::Medium;
        t.priority_override = None;
        t
    });
    let m = mount("/", snapshot());
    wait_until("cards", || m.card_count() == 6).await;
    m.card(INVOICE)
        .unchecked_into::<HtmlElement>()
        .focus()
        .unwrap();
    key("-");
    wait_until("moved", || m.ids_in("medium").contains(&INVOICE.to_owned())).await;
    assert_eq!(
        calls(),
        vec!["PUT /api/tasks/gmail%3Am1/priority {\"priority\":null}"]
    );
    assert!(!m.card(INVOICE).class_list().contains("overridden"));
    assert_eq!(
        active_task_id().as_deref(),
        Some(INVOICE),
        "focus follows the card"
    );
}

#[wasm_bindgen_test]
async fn adhoc_add_edit_and_delete() {
    fake_network();
    let mut mine = task(
        Source::AdHoc,
        TaskKind::AdHoc,
        "a1",
        "Book flights",
        Priority::High,
        60,
    );
    mine.priority_override = Some(Priority::High);
    mine.url = None;
    answer(
        "POST /api/adhoc",
        201,
        "application/json",
        &serde_json::to_string(&mine).unwrap(),
    );
    let m = mount("/", snapshot());
    wait_until("form", || m.has("#adhoc-title")).await;
    type_into(&m.one("#adhoc-title"), "  ");
    m.click("#adhoc-add");
    wait_until("validation", || {
        m.text(".adhoc .form-error").contains("cannot be empty")
    })
    .await;
    assert!(calls().is_empty());

    type_into(&m.one("#adhoc-title"), "Book flights");
    choose(&m.one("#adhoc-priority"), "high");
    m.click("#adhoc-add");
    wait_until("added", || m.has("[data-task-id=\"ad_hoc:a1\"]")).await;
    assert_eq!(
        calls(),
        vec!["POST /api/adhoc {\"title\":\"Book flights\",\"priority\":\"high\"}"]
    );
    let input: HtmlInputElement = m.one("#adhoc-title").unchecked_into();
    assert_eq!(input.value(), "", "the form is cleared for the next one");

    let mut renamed = mine.clone();
    renamed.title = "Book flights to Lisbon".into();
    answer_json("PATCH /api/adhoc/a1", &renamed);
    m.click("[data-task-id=\"ad_hoc:a1\"] .task-edit");
    wait_until("edit form", || m.has("[data-task-id=\"ad_hoc:a1\"] form")).await;
    let title = m.one("[data-task-id=\"ad_hoc:a1\"] input[type=text]");
    type_into(&title, "Book flights to Lisbon");
    m.click("[data-task-id=\"ad_hoc:a1\"] .adhoc-save");
    wait_until("renamed", || {
        m.has("[data-task-id=\"ad_hoc:a1\"] .card-title")
            && m.text("[data-task-id=\"ad_hoc:a1\"] .card-title") == "Book flights to Lisbon"
    })
    .await;
    assert_eq!(
        calls().last().map(String::as_str),
        Some("PATCH /api/adhoc/a1 {\"title\":\"Book flights to Lisbon\"}"),
        "only the changed field is sent"
    );

    answer("DELETE /api/adhoc/a1", 204, "application/json", "");
    m.click("[data-task-id=\"ad_hoc:a1\"] .task-delete");
    wait_until("confirm", || {
        m.text("[data-task-id=\"ad_hoc:a1\"] .task-delete") == "Confirm delete"
    })
    .await;
    m.click("[data-task-id=\"ad_hoc:a1\"] .task-delete");
    wait_until("deleted", || !m.has("[data-task-id=\"ad_hoc:a1\"]")).await;
    assert_eq!(
        calls().last().map(String::as_str),
        Some("DELETE /api/adhoc/a1")
    );
}

#[wasm_bindgen_test]
async fn a_failed_action_says_why_and_leaves_the_card() {
    fake_network();
    answer(
        "POST /api/tasks/granola%3An1/dismiss",
        503,
        "application/json",
        "{\"error\":\"unavailable\",\"error_description\":\"The store is busy; try again.\"}",
    );
    let m = mount("/", snapshot());
    wait_until("cards", || m.card_count() == 6).await;
    m.click(&format!("[data-task-id=\"{NOTE}\"] .task-dismiss"));
    wait_until("alert", || m.has(".action-error")).await;
    assert!(m
        .text(".action-error")
        .contains("The store is busy; try again."));
    assert!(m.has(&format!("[data-task-id=\"{NOTE}\"] .task-dismiss")));
}

// ---------------------------------------------------------------------------------
// Refresh

fn sse(events: &[(&str, String)]) -> String {
    events
        .iter()
        .map(|(name, data)| format!("event: {name}\ndata: {data}\n\n"))
        .collect()
}

fn refreshed() -> Snapshot {
    let mut s = snapshot();
    s.generated_at = now_secs();
    s.tasks.push(task(
        Source::Linear,
        TaskKind::Issue,
        "ENG-9",
        "Brand new issue",
        Priority::Medium,
        55,
    ));
    s.sources[4].state = SourceState::Ok {
        count: 1,
        skipped: 0,
    };
    s
}

#[wasm_bindgen_test]
async fn refresh_streams_progress_then_replaces_the_list_and_announces_it() {
    fake_network();
    let fresh = refreshed();
    let body = sse(&[
        ("source_started", "{\"source\":\"linear\"}".into()),
        (
            "source_finished",
            serde_json::to_string(&fresh.sources[2]).unwrap(),
        ),
        ("done", serde_json::to_string(&fresh).unwrap()),
    ]);
    answer("POST /api/refresh/stream", 200, "text/event-stream", &body);
    let m = mount("/", snapshot());
    wait_until("cards", || m.card_count() == 6).await;
    m.click("#refresh");
    assert_eq!(m.card_count(), 6, "the list stays while refreshing");
    wait_until("new task", || m.has("[data-task-id=\"linear:ENG-9\"]")).await;
    wait_until("announced", || {
        m.text("#announcer").starts_with("Refreshed: 7 open tasks.")
    })
    .await;
    assert!(!m.has("#refresh-progress"), "progress goes away when done");
    assert!(!m.text(".status-bar").contains("Could not fetch"));
    assert_eq!(calls(), vec!["POST /api/refresh/stream"]);
}

#[wasm_bindgen_test]
async fn refresh_falls_back_to_the_plain_call_when_streaming_fails() {
    fake_network();
    answer("POST /api/refresh/stream", 502, "text/plain", "bad gateway");
    answer_json("POST /api/refresh", &refreshed());
    let m = mount("/", snapshot());
    wait_until("cards", || m.card_count() == 6).await;
    key("r");
    wait_until("new task", || m.has("[data-task-id=\"linear:ENG-9\"]")).await;
    assert_eq!(
        calls(),
        vec!["POST /api/refresh/stream", "POST /api/refresh"]
    );
}

#[wasm_bindgen_test]
async fn a_failed_source_that_kept_its_tasks_says_how_old_they_are() {
    let fetched = now_secs() - 2 * 3600;
    let at = clock::hhmm(fetched);
    let mut s = snapshot();
    for t in s.tasks.iter_mut().filter(|t| t.source == Source::Slack) {
        t.kept_from = Some(fetched);
    }
    let m = mount("/?view=source", s);
    wait_until("source groups", || m.has("[data-group=\"source:slack\"]")).await;
    assert_eq!(
        m.ids_in("source:slack"),
        vec![MENTION],
        "the kept task stays"
    );
    let status = m.text("[data-source-status=\"slack\"]");
    assert!(
        status.contains("rate limited")
            && status.contains(&format!("Showing what it had at {at}.")),
        "{status}"
    );
    assert!(
        m.text(&format!("[data-task-id=\"{MENTION}\"] .badge.kept"))
            .contains(&format!(
                "not refreshed since {}",
                clock::hhmm_or_date(fetched, now_secs())
            )),
        "the card says it is not fresh"
    );
    assert!(
        !m.has(&format!("[data-task-id=\"{DEPLOY}\"] .badge.kept")),
        "a fetched task carries no such mark"
    );
    let bar = m.text(".status-bar");
    assert!(
        bar.contains(&format!(
            "Slack (rate limited; showing what it had at {at})"
        )) && bar.contains("missing or out of date"),
        "{bar}"
    );
}

// ---------------------------------------------------------------------------------
// States, timeline, cross-references

#[wasm_bindgen_test]
async fn an_empty_day_and_all_sources_failing_say_what_happened() {
    let mut empty = snapshot();
    empty.tasks.clear();
    for s in &mut empty.sources {
        s.state = SourceState::Ok {
            count: 0,
            skipped: 0,
        };
    }
    let m = mount("/", empty);
    wait_until("notice", || {
        m.text(".status-bar").contains("Nothing on your list today")
    })
    .await;
    drop(m);

    let mut failed = snapshot();
    for s in &mut failed.sources {
        s.state = SourceState::Failed {
            reason: "unreachable".into(),
        };
    }
    let m = mount("/", failed);
    wait_until("alert", || m.has(".status-bar .notice.alert")).await;
    assert!(m
        .text(".status-bar")
        .contains("None of your sources could be fetched"));
    assert_eq!(m.card_count(), 6, "what was saved before stays visible");
}

#[wasm_bindgen_test]
async fn the_timeline_shows_todays_meetings_with_prep_and_the_current_time() {
    let today = clock::start_of_day(now_secs());
    let mut early = task(
        Source::GoogleCalendar,
        TaskKind::Meeting,
        "early",
        "Early sync",
        Priority::Medium,
        40,
    );
    early.signals.starts_at = Some(today);
    early.signals.ends_at = Some(today + 1800);
    let mut late = task(
        Source::GoogleCalendar,
        TaskKind::Meeting,
        "late",
        "Budget review",
        Priority::High,
        60,
    );
    late.signals.starts_at = Some(clock::start_of_next_day(now_secs()) - 1800);
    let mut prep = task(
        Source::GoogleDrive,
        TaskKind::DocComment,
        "d1",
        "Answer the budget comment",
        Priority::High,
        70,
    );
    prep.why = vec!["prep for Budget review".into()];
    let s = Snapshot {
        generated_at: now_secs(),
        tasks: vec![early, late, prep],
        sources: Vec::new(),
    };
    let m = mount("/", s);
    wait_until("timeline", || m.all(".timeline .slot.meeting").len() == 2).await;
    let meetings: Vec<String> = m
        .all(".timeline .slot.meeting .slot-title")
        .iter()
        .map(|e| e.text_content().unwrap_or_default())
        .collect();
    assert_eq!(meetings, vec!["Early sync", "Budget review"]);
    assert!(m.all(".timeline .slot.meeting")[1]
        .text_content()
        .unwrap()
        .contains("Before this:Answer the budget comment"));
    assert!(
        m.has("#now-marker"),
        "the axis spans the whole day here, so now is on it"
    );
    assert!(m.has(".timeline .slot.free"));
}

#[wasm_bindgen_test]
async fn a_cross_reference_moves_focus_to_the_linked_card() {
    let m = mount("/", snapshot());
    wait_until("cards", || m.card_count() == 6).await;
    m.click(&format!("[data-task-id=\"{DEPLOY}\"] a.related"));
    assert_eq!(active_task_id().as_deref(), Some(REVIEW));
    let link = m.one(&format!("[data-task-id=\"{DEPLOY}\"] a.task-open"));
    assert_eq!(link.get_attribute("target").as_deref(), Some("_blank"));
    assert_eq!(
        link.get_attribute("rel").as_deref(),
        Some("noopener noreferrer")
    );
}

/// 400 Linear issues, 100 per priority: a list long enough to be paged.
fn long_snapshot() -> Snapshot {
    let mut s = snapshot();
    s.tasks = (0..400)
        .map(|i| {
            let p = Priority::ALL[i % 4];
            task(
                Source::Linear,
                TaskKind::Issue,
                &format!("L-{i}"),
                &format!("Issue {i}"),
                p,
                (i % 100) as u8,
            )
        })
        .collect();
    s
}

/// Scrolls the page so `selector` is at the top of the screen.
fn scroll_to(m: &Mounted, selector: &str) {
    m.one(selector).scroll_into_view();
}

/// An element's laid-out height in CSS px.
fn height(el: &Element) -> f64 {
    f64::from(
        el.clone()
            .dyn_into::<HtmlElement>()
            .unwrap()
            .offset_height(),
    )
}

/// Two frames: the browser has laid out, and told who is near the screen.
async fn two_frames() {
    for _ in 0..2 {
        let frame = js_sys::Promise::new(&mut |resolve, _| {
            let _ = window().request_animation_frame(&resolve);
        });
        wasm_bindgen_futures::JsFuture::from(frame).await.unwrap();
    }
    sleep_ms(0).await;
}

/// The long list mounted at the top of the page, its first groups drawn and the
/// browser's word on which groups are near taken.
async fn mount_long_list_at_top() -> Mounted {
    window().scroll_to_with_x_and_y(0.0, 0.0);
    let m = mount("/", long_snapshot());
    wait_until("cards", || m.card_count() > 0).await;
    two_frames().await;
    m
}

#[wasm_bindgen_test]
async fn a_long_list_is_paged_per_group_with_show_more() {
    let m = mount("/", long_snapshot());
    wait_until("cards", || m.card_count() > 0).await;
    assert_eq!(
        m.ids_in("critical").len(),
        10,
        "10 cards a group past 150 tasks"
    );
    assert_eq!(
        m.text("[data-group=\"high\"] .count"),
        "100",
        "counts still say everything"
    );
    scroll_to(&m, "[data-group=\"high\"]");
    wait_until("the high group drawn", || m.ids_in("high").len() == 10).await;
    assert_eq!(
        m.text("[data-group=\"high\"] .show-more"),
        "Show more (90 not shown)"
    );
    m.click("[data-group=\"high\"] .show-more");
    wait_until("more", || m.ids_in("high").len() == 50).await;
    type_into(&m.one("#search"), "issue 25");
    let expected = (0..400).filter(|i| i.to_string().contains("25")).count();
    wait_until("few enough matches to show them whole", || {
        m.card_count() == expected
    })
    .await;
    assert!(!m.has(".show-more"));
    window().scroll_to_with_x_and_y(0.0, 0.0);
}

#[wasm_bindgen_test]
async fn a_long_list_draws_only_the_groups_near_the_screen() {
    let m = mount_long_list_at_top().await;
    // The last group is far below: heading and count, and its cards' place held.
    assert_eq!(m.ids_in("low").len(), 0, "a group off screen draws no card");
    assert_eq!(m.text("[data-group=\"low\"] .count"), "100");
    let held = m.one("[data-group=\"low\"] .cards-held");
    let held_px = height(&held);
    assert!(
        held_px > 500.0,
        "the place of 10 cards is held, got {held_px} px"
    );
    // Scrolled to, it draws its cards.
    scroll_to(&m, "[data-group=\"low\"]");
    wait_until("the low group drawn", || m.ids_in("low").len() == 10).await;
    let drawn_px = height(&m.one("[data-group=\"low\"] .cards"));
    // Back at the top, the first group is drawn and the last one gives its cards up,
    // holding exactly the height they had: nothing on the page moves.
    window().scroll_to_with_x_and_y(0.0, 0.0);
    wait_until("the low group let go", || m.ids_in("low").is_empty()).await;
    assert_eq!(m.ids_in("critical").len(), 10);
    let held_now = height(&m.one("[data-group=\"low\"] .cards-held"));
    assert!(
        (held_now - drawn_px).abs() <= 1.0,
        "held {held_now} px for cards that took {drawn_px} px"
    );
    // A search that narrows to a short list draws every match, wherever it is.
    type_into(&m.one("#search"), "issue 33");
    let expected = (0..400).filter(|i| i.to_string().contains("33")).count();
    assert!(expected <= 150);
    wait_until("a short list is drawn whole", || m.card_count() == expected).await;
    // Cleared, the long list is drawn near the screen only again.
    type_into(&m.one("#search"), "");
    wait_until("long again", || m.ids_in("critical").len() == 10).await;
    two_frames().await;
    assert_eq!(m.ids_in("low").len(), 0, "the far group let go again");
}

#[wasm_bindgen_test]
async fn a_focused_card_is_not_taken_away_when_its_group_leaves_the_screen() {
    let m = mount_long_list_at_top().await;
    let first = m.ids_in("critical")[0].clone();
    let card: web_sys::HtmlElement = m.card(&first).dyn_into().unwrap();
    card.focus().unwrap();
    scroll_to(&m, "[data-group=\"low\"]");
    wait_until("the low group drawn", || m.ids_in("low").len() == 10).await;
    two_frames().await;
    assert_eq!(
        active_task_id().as_deref(),
        Some(first.as_str()),
        "focus stays on the card"
    );
    assert_eq!(m.ids_in("critical").len(), 10, "its group stays drawn");
    window().scroll_to_with_x_and_y(0.0, 0.0);
}

/// Takes keyboard focus off whatever holds it.
fn focus_nothing() {
    if let Some(el) = document()
        .active_element()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        el.blur().unwrap();
    }
}

#[wasm_bindgen_test]
async fn j_and_k_from_nowhere_start_at_the_ends_of_a_long_list() {
    let m = mount_long_list_at_top().await;
    assert!(m.ids_in("low").is_empty(), "the last group starts undrawn");
    focus_nothing();
    key("k");
    wait_until("k: the last card shown is focused", || {
        let low = m.ids_in("low");
        !low.is_empty() && active_task_id() == low.last().cloned()
    })
    .await;
    // From the bottom of the page, `j` goes back to the top of the list.
    focus_nothing();
    two_frames().await;
    assert!(m.ids_in("critical").is_empty(), "the first group let go");
    key("j");
    wait_until("j: the first card is focused", || {
        m.ids_in("critical").first().cloned() == active_task_id() && active_task_id().is_some()
    })
    .await;
    window().scroll_to_with_x_and_y(0.0, 0.0);
}
