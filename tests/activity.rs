//! The Activity view, the per-source switch, the day plan on the timeline and the
//! "Connect an MCP client" dialog, in headless Chromium (wasm-bindgen-test), against a
//! fake `fetch` (see tests/ui_support).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ui_support;

use plan_my_today::components::day_plan::FIRST_PLAN_WAIT;
use plan_my_today::session::now_secs;
use pmt_wire::activity::{
    ActivityEntry, ActivityEvent, ActivityPage, Actor, Confirmation, GroupKind, Outcome,
};
use pmt_wire::agent::McpToken;
use pmt_wire::dayplan::{BlockKind, DayPlan, NotToday, PlanBlock};
use pmt_wire::{Source, SourceState, TaskId};
use ui_support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

// ---------------------------------------------------------------------------------
// Activity

fn exchange(id: i64, group: &str, source: &str, outcome: Outcome) -> ActivityEntry {
    ActivityEntry {
        id,
        at_ms: (now_secs() - 600) * 1000 + id * 10,
        client: "plan-my-today".into(),
        user: "dana@example.com".into(),
        actor: Actor::Ui,
        group_kind: GroupKind::Refresh,
        group_id: group.into(),
        outcome,
        event: ActivityEvent::Exchange {
            resource: format!("urn:pmt:{source}"),
            source: Some(source.into()),
            requested_scope: format!("{source}.read"),
            granted_scope: if outcome == Outcome::Ok {
                format!("{source}.read")
            } else {
                String::new()
            },
            duration_ms: 35,
            reason: (outcome != Outcome::Ok)
                .then(|| "invalid_grant: the user revoked this grant".into()),
        },
    }
}

fn tool_call(
    id: i64,
    actor: Actor,
    kind: GroupKind,
    group: &str,
    tool: &str,
    c: Confirmation,
) -> ActivityEntry {
    ActivityEntry {
        id,
        at_ms: (now_secs() - 60) * 1000 + id * 10,
        client: if actor == Actor::Mcp {
            "claude-desktop".into()
        } else {
            "plan-my-today".into()
        },
        user: "dana@example.com".into(),
        actor,
        group_kind: kind,
        group_id: group.into(),
        outcome: if c == Confirmation::Denied {
            Outcome::Refused
        } else {
            Outcome::Ok
        },
        event: ActivityEvent::ToolCall {
            tool: tool.into(),
            write: c != Confirmation::NotNeeded,
            arguments: "task gmail:m1".into(),
            confirmation: c,
            detail: if c == Confirmation::Denied {
                "denied by the user".into()
            } else {
                String::new()
            },
        },
    }
}

/// Newest first: an MCP request, a chat turn, a refresh with a refused exchange.
fn page() -> ActivityPage {
    ActivityPage {
        entries: vec![
            tool_call(
                7,
                Actor::Mcp,
                GroupKind::Mcp,
                "m1",
                "get_todays_tasks",
                Confirmation::NotNeeded,
            ),
            tool_call(
                6,
                Actor::Agent,
                GroupKind::ChatTurn,
                "t1",
                "dismiss_task",
                Confirmation::Denied,
            ),
            tool_call(
                5,
                Actor::Agent,
                GroupKind::ChatTurn,
                "t1",
                "get_todays_tasks",
                Confirmation::NotNeeded,
            ),
            exchange(4, "r1", "slack", Outcome::Refused),
            exchange(3, "r1", "linear", Outcome::Ok),
            exchange(2, "r1", "gmail", Outcome::Ok),
        ],
    }
}

#[wasm_bindgen_test]
async fn the_activity_view_groups_entries_newest_first_as_app_user_resource() {
    fake_network();
    answer_json("GET /api/activity", &page());
    let m = mount("/?view=activity", snapshot());
    wait_until("the groups", || m.all(".activity-group").len() == 3).await;
    assert_eq!(
        m.one("#view-activity")
            .get_attribute("aria-pressed")
            .as_deref(),
        Some("true")
    );
    assert!(
        !m.has("[data-task-id]"),
        "no task list in the activity view"
    );
    let kinds: Vec<String> = m
        .all(".activity-group")
        .iter()
        .filter_map(|g| g.get_attribute("data-group-kind"))
        .collect();
    assert_eq!(kinds, vec!["mcp", "chat_turn", "refresh"]);
    let titles = m.texts(".activity-group-title");
    assert!(
        titles[0].starts_with("MCP request · ") && titles[0].ends_with("MCP client claude-desktop"),
        "{titles:?}"
    );
    assert!(titles[1].starts_with("Chat turn") && titles[1].ends_with("Todaygent"));
    assert!(titles[2].starts_with("Refresh") && titles[2].ends_with("You"));

    let refresh = "[data-group-id=\"r1\"]";
    let chains = m.texts(&format!("{refresh} .chain-text"));
    assert_eq!(
        chains,
        vec![
            "plan-my-today → dana@example.com → urn:pmt:gmail",
            "plan-my-today → dana@example.com → urn:pmt:linear",
            "plan-my-today → dana@example.com → urn:pmt:slack",
        ],
        "oldest first inside a group"
    );
    let slack = m.one(&format!("{refresh} [data-source=\"slack\"]"));
    assert_eq!(
        slack.get_attribute("data-outcome").as_deref(),
        Some("refused")
    );
    let slack_text = slack.text_content().unwrap();
    assert!(
        slack_text.contains("scopes asked: slack.read; granted: none"),
        "{slack_text}"
    );
    assert!(slack_text.contains("Reason: invalid_grant: the user revoked this grant"));
    assert!(m.text(refresh).contains("3 token exchanges, 1 not ok"));
    assert!(m
        .text(&format!("{refresh} [data-source=\"gmail\"]"))
        .contains("35 ms"));

    let turn = m.text("[data-group-id=\"t1\"]");
    assert!(turn.contains("→ tool dismiss_task"), "{turn}");
    assert!(turn.contains("arguments: task gmail:m1"));
    assert!(turn.contains("denied by you"));
    assert!(!m.shown("#activity-more"), "a short page has no more");
    assert_eq!(
        calls_to("GET /api/activity"),
        vec!["GET /api/activity?limit=100"]
    );
}

#[wasm_bindgen_test]
async fn load_more_asks_for_older_entries_and_merges_a_split_group() {
    fake_network();
    let first: Vec<ActivityEntry> = (101..=200)
        .rev()
        .map(|id| exchange(id, "r-big", "gmail", Outcome::Ok))
        .collect();
    answer_json("GET /api/activity", &ActivityPage { entries: first });
    let m = mount("/?view=activity", snapshot());
    wait_until("the first page", || m.shown("#activity-more")).await;
    assert_eq!(m.all(".activity-entry").len(), 100);
    answer_json(
        "GET /api/activity",
        &ActivityPage {
            entries: vec![
                exchange(100, "r-big", "linear", Outcome::Ok),
                exchange(99, "r-old", "gmail", Outcome::Ok),
            ],
        },
    );
    m.click("#activity-more");
    wait_until("the older page", || m.all(".activity-entry").len() == 102).await;
    assert_eq!(
        calls_to("GET /api/activity").last().map(String::as_str),
        Some("GET /api/activity?limit=100&before=101")
    );
    assert_eq!(m.all(".activity-group").len(), 2, "r-big stays one group");
    assert!(!m.shown("#activity-more"), "the last page");
}

#[wasm_bindgen_test]
async fn g_a_opens_the_activity_view_which_loads_each_time_it_opens() {
    fake_network();
    answer_json("GET /api/activity", &page());
    let m = mount("/", snapshot());
    wait_until("cards", || m.has("[data-task-id]")).await;
    key("g");
    key("a");
    wait_until("the activity view", || m.all(".activity-group").len() == 3).await;
    wait_until("in the URL", || {
        window().location().search().unwrap() == "?view=activity"
    })
    .await;
    key("g");
    key("p");
    wait_until("back to tasks", || m.has("[data-task-id]")).await;
    m.click("#view-activity");
    wait_until("loaded again", || calls_to("GET /api/activity").len() == 2).await;
    m.click("#activity-reload");
    wait_until("reloaded", || calls_to("GET /api/activity").len() == 3).await;
}

#[wasm_bindgen_test]
async fn a_failed_load_says_why() {
    fake_network();
    answer(
        "GET /api/activity",
        500,
        "application/json",
        r#"{"error":"internal_error","error_description":"The activity store is busy; try again."}"#,
    );
    let m = mount("/?view=activity", snapshot());
    wait_until("the alert", || m.has("#activity .alert")).await;
    assert_eq!(
        m.text("#activity .alert"),
        "The activity store is busy; try again."
    );
}

// ---------------------------------------------------------------------------------
// The per-source switch

fn gmail_off() -> pmt_wire::Snapshot {
    let mut s = snapshot();
    s.tasks.retain(|t| t.source != Source::Gmail);
    s.sources[1].state = SourceState::Off;
    s
}

#[wasm_bindgen_test]
async fn the_switch_turns_a_source_off_and_back_on_through_the_api() {
    fake_network();
    answer_json("PUT /api/sources/gmail", &gmail_off());
    let m = mount("/?view=source", snapshot());
    wait_until("the switch", || m.has("#switch-gmail")).await;
    let switch = m.one("#switch-gmail");
    assert_eq!(switch.get_attribute("role").as_deref(), Some("switch"));
    assert!(m.checked("#switch-gmail"));
    assert_eq!(m.text("label[for=\"switch-gmail\"]"), "Fetch Gmail");
    assert!(!m.has("#switch-ad_hoc"), "my own tasks have no switch");

    m.click("#switch-gmail");
    wait_until("off", || {
        m.text("[data-source-status=\"gmail\"]") == "Turned off by you"
    })
    .await;
    assert_eq!(
        calls_to("PUT /api/sources"),
        vec![r#"PUT /api/sources/gmail {"enabled":false}"#]
    );
    assert!(!m.checked("#switch-gmail"));
    assert!(
        !m.has(&format!("[data-task-id=\"{DIGEST}\"]")),
        "its tasks are gone"
    );
    assert!(m
        .text("[data-group=\"source:gmail\"]")
        .contains("You turned this source off"));
    assert!(
        m.has(&format!("[data-task-id=\"{DEPLOY}\"]")),
        "the others stay"
    );
    wait_until("announced", || {
        m.text("#announcer").starts_with("Gmail is off")
    })
    .await;

    let mut back = gmail_off();
    back.sources[1].state = SourceState::Pending;
    answer_json("PUT /api/sources/gmail", &back);
    m.click("#switch-gmail");
    wait_until("on", || {
        m.text("[data-source-status=\"gmail\"]")
            .contains("press Refresh")
    })
    .await;
    assert_eq!(
        calls_to("PUT /api/sources").last().map(String::as_str),
        Some(r#"PUT /api/sources/gmail {"enabled":true}"#)
    );
    assert!(m.checked("#switch-gmail"));
}

#[wasm_bindgen_test]
async fn a_source_turned_off_is_not_shown_as_fetching_during_a_refresh() {
    fake_network();
    stream("POST /api/refresh/stream");
    let m = mount("/?view=source", gmail_off());
    wait_until("the switch", || m.has("#switch-gmail")).await;
    assert!(!m.checked("#switch-gmail"));
    m.click("#refresh");
    wait_until("the progress", || m.has("#refresh-progress")).await;
    let progress: Vec<String> = m
        .all("[data-progress]")
        .iter()
        .filter_map(|e| e.get_attribute("data-progress"))
        .collect();
    assert_eq!(progress, vec!["google_calendar", "linear"], "no Gmail");
    assert_eq!(
        m.text("[data-source-status=\"gmail\"]"),
        "Turned off by you"
    );
    assert_eq!(m.text("[data-source-status=\"linear\"]"), "Fetching…");
    push_event(
        "POST /api/refresh/stream",
        "done",
        &serde_json::to_string(&gmail_off()).unwrap(),
    );
    end_stream("POST /api/refresh/stream");
    wait_until("done", || !m.has("#refresh-progress")).await;
}

#[wasm_bindgen_test]
async fn a_refused_switch_stays_as_the_server_has_it_and_says_why() {
    fake_network();
    answer(
        "PUT /api/sources/linear",
        500,
        "application/json",
        r#"{"error":"internal_error","error_description":"The store is busy; try again."}"#,
    );
    let m = mount("/?view=source", snapshot());
    wait_until("the switch", || m.has("#switch-linear")).await;
    m.click("#switch-linear");
    wait_until("the alert", || {
        m.text("#announcer").contains("The store is busy")
    })
    .await;
    assert!(m.checked("#switch-linear"), "still on");
    assert!(m.has(&format!("[data-task-id=\"{DEPLOY}\"]")));
}

// ---------------------------------------------------------------------------------
// The day plan

const HOUR: i64 = 3600;

/// Local midnight today: the plan's times are set from it so the test does not depend on
/// the hour it runs at.
fn today() -> i64 {
    plan_my_today::clock::start_of_day(now_secs())
}

/// The standup at noon today.
fn planned_snapshot() -> pmt_wire::Snapshot {
    let mut s = snapshot();
    let standup = s
        .tasks
        .iter_mut()
        .find(|t| t.id.as_str() == STANDUP)
        .unwrap();
    standup.signals.starts_at = Some(today() + 12 * HOUR);
    standup.signals.ends_at = Some(today() + 12 * HOUR + 1800);
    s
}

/// Focus 10–11, the standup 12:00–12:30, lunch 13–14; the digest does not fit.
fn plan() -> DayPlan {
    let at = |h: i64| today() + h * HOUR;
    DayPlan {
        date: "today".into(),
        work_start: at(9),
        work_end: at(18),
        blocks: vec![
            PlanBlock {
                start: at(10),
                end: at(11),
                kind: BlockKind::Focus,
                title: "Fix deploy pipeline".into(),
                task: Some(TaskId(DEPLOY.into())),
                prepares: None,
                note: "critical".into(),
            },
            PlanBlock {
                start: at(12),
                end: at(12) + 1800,
                kind: BlockKind::Meeting,
                title: "Standup".into(),
                task: Some(TaskId(STANDUP.into())),
                prepares: None,
                note: String::new(),
            },
            PlanBlock {
                start: at(13),
                end: at(14),
                kind: BlockKind::Break,
                title: "Lunch".into(),
                task: None,
                prepares: None,
                note: String::new(),
            },
        ],
        not_today: vec![NotToday {
            task: TaskId(DIGEST.into()),
            title: "Weekly digest".into(),
            reason: "low priority; no free block left before 18:00".into(),
        }],
    }
}

#[wasm_bindgen_test]
async fn the_day_plan_puts_focus_and_breaks_beside_the_meetings_and_lists_what_is_not_today() {
    fake_network();
    answer_json("GET /api/plan", &plan());
    let m = mount("/", planned_snapshot());
    wait_until("the plan", || m.has(".timeline .slot.block")).await;
    assert_eq!(m.text("#timeline-heading").trim(), "Today's plan");
    let focus = m.one(".timeline [data-block=\"focus\"]");
    let focus_text = focus.text_content().unwrap();
    assert!(
        focus_text.contains("Focus: Fix deploy pipeline"),
        "{focus_text}"
    );
    assert!(focus_text.contains("critical"));
    assert!(
        focus.query_selector("a").unwrap().is_some(),
        "a link to the card"
    );
    assert!(m
        .text(".timeline [data-block=\"break\"]")
        .contains("Break: Lunch"));
    assert_eq!(
        m.all(".timeline .slot.meeting").len(),
        1,
        "the meeting is not drawn twice"
    );
    // In time order: focus, then the meeting, then the break.
    let order: Vec<String> = m
        .all(".timeline .axis > li.slot")
        .iter()
        .map(|e| e.get_attribute("class").unwrap_or_default())
        .filter(|c| !c.contains("free"))
        .collect();
    assert!(
        order[0].contains("focus") && order[1].contains("meeting") && order[2].contains("break"),
        "{order:?}"
    );
    let not_today = m.text(".not-today");
    assert!(not_today.contains("Weekly digest"));
    assert!(not_today.contains("no free block left"));
    assert_eq!(calls_to("GET /api/plan").len(), 1);
}

/// The dashboard, mounted while `GET /api/plan` is asked for and has not answered: its
/// body arrives only when the test writes it (`push_text`, `end_stream`), if ever.
async fn mount_with_the_plan_on_its_way() -> Mounted {
    fake_network();
    stream("GET /api/plan");
    let mut snapshot = planned_snapshot();
    let mut all_day = task(
        Source::GoogleCalendar,
        pmt_wire::TaskKind::Meeting,
        "google_calendar:offsite",
        "Offsite week",
        pmt_wire::Priority::Low,
    );
    all_day.signals.starts_at = Some(today());
    all_day.signals.ends_at = Some(today() + 24 * HOUR);
    snapshot.tasks.push(all_day);
    let m = mount("/", snapshot);
    wait_until("asked for a plan", || stream_open("GET /api/plan")).await;
    leptos::task::tick().await;
    m
}

#[wasm_bindgen_test]
async fn the_timeline_waits_for_the_first_plan_instead_of_rearranging_under_the_user() {
    let m = mount_with_the_plan_on_its_way().await;
    assert!(
        m.all(".timeline .axis > li").is_empty(),
        "rows drawn before the plan would move when its blocks arrive (CLS)"
    );
    assert!(
        !m.has(".timeline .all-day"),
        "the all-day line sits below the axis: drawn before it, it would move down (CLS)"
    );
    push_text(
        "GET /api/plan",
        &serde_json::to_string(&plan()).expect("plan JSON"),
    );
    end_stream("GET /api/plan");
    wait_until("the plan", || m.has(".timeline .slot.block")).await;
    assert_eq!(m.all(".timeline .slot.meeting").len(), 1, "the meeting");
    assert!(m.text(".timeline .all-day").contains("Offsite week"));
}

#[wasm_bindgen_test]
async fn a_plan_that_does_not_come_does_not_hide_the_meetings() {
    // The plan's answer never ends.
    let m = mount_with_the_plan_on_its_way().await;
    assert!(
        !m.has(".timeline .slot.meeting"),
        "waits for the plan first"
    );
    sleep_ms(FIRST_PLAN_WAIT.as_millis() as i32 + 200).await;
    assert_eq!(
        m.all(".timeline .slot.meeting").len(),
        1,
        "the meeting is drawn without the plan"
    );
    assert_eq!(m.text("#timeline-heading").trim(), "Today's meetings");
}

#[wasm_bindgen_test]
async fn the_plan_is_fetched_again_when_the_tasks_change_and_absent_without_a_plan() {
    fake_network();
    let m = mount("/", snapshot());
    wait_until("asked for a plan", || calls_to("GET /api/plan").len() == 1).await;
    leptos::task::tick().await;
    assert_eq!(
        m.text("#timeline-heading").trim(),
        "Today's meetings",
        "404: no plan"
    );
    assert!(
        !m.has(".plan-error"),
        "a server without a plan is not an error"
    );
    answer_json("GET /api/plan", &plan());
    let mut changed = snapshot();
    changed.generated_at += 30;
    m.data.set_snapshot(changed);
    wait_until("asked again", || calls_to("GET /api/plan").len() == 2).await;
    wait_until("the plan", || m.has(".timeline .slot.block")).await;
}

// ---------------------------------------------------------------------------------
// Connect an MCP client

#[wasm_bindgen_test]
async fn the_mcp_dialog_shows_a_token_once_and_forgets_it_on_close() {
    fake_network();
    answer_json("GET /api/activity", &page());
    answer_json(
        "POST /api/mcp/token",
        &McpToken {
            access_token: "mcp-token-123".into(),
            expires_in: 3600,
            mcp_url: "http://127.0.0.1:8080/mcp".into(),
        },
    );
    let m = mount("/?view=activity", snapshot());
    wait_until("the button", || m.shown("#mcp-connect")).await;
    m.click("#mcp-connect");
    wait_until("the dialog", || m.one("#mcp-dialog").has_attribute("open")).await;
    assert_eq!(m.value("#mcp-url"), "http://127.0.0.1:8080/mcp");
    assert_eq!(m.value("#mcp-token"), "mcp-token-123");
    assert!(m.one("#mcp-token").has_attribute("readonly"));
    assert!(m.text("#mcp-expiry").starts_with("Expires in 60 min"));
    let config: serde_json::Value = serde_json::from_str(&m.value("#mcp-config")).unwrap();
    assert_eq!(
        config["mcpServers"]["plan-my-today"]["args"],
        serde_json::json!([
            "mcp-remote",
            "http://127.0.0.1:8080/mcp",
            "--header",
            "Authorization: Bearer mcp-token-123"
        ])
    );
    assert_eq!(
        m.value("#mcp-command"),
        "npx mcp-remote http://127.0.0.1:8080/mcp --header \"Authorization: Bearer mcp-token-123\""
    );
    let stored = format!(
        "{}{}",
        (0..window()
            .session_storage()
            .unwrap()
            .unwrap()
            .length()
            .unwrap())
            .filter_map(|i| window().session_storage().unwrap().unwrap().key(i).unwrap())
            .filter_map(|k| window()
                .session_storage()
                .unwrap()
                .unwrap()
                .get_item(&k)
                .unwrap())
            .collect::<String>(),
        (0..window().local_storage().unwrap().unwrap().length().unwrap())
            .filter_map(|i| window().local_storage().unwrap().unwrap().key(i).unwrap())
            .filter_map(|k| window()
                .local_storage()
                .unwrap()
                .unwrap()
                .get_item(&k)
                .unwrap())
            .collect::<String>()
    );
    assert!(
        !stored.contains("mcp-token-123"),
        "the token is never stored"
    );

    m.click("#mcp-close");
    wait_until("closed and forgotten", || {
        !m.one("#mcp-dialog").has_attribute("open") && m.value("#mcp-token").is_empty()
    })
    .await;
}

#[wasm_bindgen_test]
async fn without_demo_mode_the_mcp_button_goes_away() {
    fake_network();
    answer_json("GET /api/activity", &page());
    let m = mount("/?view=activity", snapshot());
    wait_until("the button", || m.shown("#mcp-connect")).await;
    m.click("#mcp-connect");
    wait_until("gone", || !m.shown("#mcp-connect")).await;
    assert!(!m.one("#mcp-dialog").has_attribute("open"));
    assert!(m.text("#announcer").contains("only offered in demo mode"));
}
