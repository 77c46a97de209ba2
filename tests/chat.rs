//! Todaygent's chat panel in headless Chromium (wasm-bindgen-test): opening and closing
//! with focus kept in order, a streamed reply rendered as safe markdown and announced
//! once complete, tool chips, Allow / Deny calling the confirm endpoint, Stop, errors,
//! the no-LLM state with "Plan my day", and offline.
//!
//! The chat stream is a fake `fetch` answer the test writes events into while the
//! panel reads it (see tests/ui_support).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ui_support;

use leptos::prelude::Set;
use plan_my_today::session::now_secs;
use pmt_wire::agent::{ChatEvent, ChatStatus};
use ui_support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const CHAT: &str = "POST /api/chat";

fn send_event(event: &ChatEvent) {
    push_event(CHAT, event.name(), &event.data().unwrap());
}

fn started() -> ChatEvent {
    ChatEvent::Started {
        conversation: "conv-1".into(),
        turn: "turn-1".into(),
    }
}

fn text(t: &str) -> ChatEvent {
    ChatEvent::Text { delta: t.into() }
}

fn configured() {
    answer_json(
        "GET /api/chat/status",
        &ChatStatus {
            provider: Some("anthropic".into()),
            model: Some("claude-test".into()),
        },
    );
}

/// Opens the panel with its button and waits for the message box.
async fn open_chat(m: &Mounted) {
    m.click("#chat-toggle");
    wait_until("the chat panel", || m.has("#chat-panel #chat-input")).await;
}

/// Types a message, presses Enter in the message box, and waits for the request.
async fn say(m: &Mounted, message: &str) {
    let before = calls_to(CHAT).len();
    let input = m.one("#chat-input");
    type_into(&input, message);
    input
        .unchecked_into::<web_sys::HtmlElement>()
        .focus()
        .unwrap();
    key("Enter");
    wait_until("the chat request", || calls_to(CHAT).len() == before + 1).await;
    wait_until("the chat stream", || stream_open(CHAT)).await;
}

#[wasm_bindgen_test]
async fn the_button_and_c_open_the_panel_and_escape_closes_it_returning_focus() {
    fake_network();
    configured();
    let m = mount("/", snapshot());
    assert!(!m.has("#chat-panel"));
    assert_eq!(
        m.one("#chat-toggle")
            .get_attribute("aria-expanded")
            .as_deref(),
        Some("false")
    );
    open_chat(&m).await;
    assert_eq!(
        m.one("#chat-toggle")
            .get_attribute("aria-expanded")
            .as_deref(),
        Some("true")
    );
    assert_eq!(
        m.one("#chat-toggle")
            .get_attribute("aria-controls")
            .as_deref(),
        Some("chat-panel")
    );
    wait_until("focus in the message box", || active_id() == "chat-input").await;
    wait_until("the model named", || {
        m.text(".chat-sub").contains("claude-test")
    })
    .await;
    assert!(!m.shown("#chat-no-llm"), "an LLM is configured");
    assert!(
        m.shown(".chat-intro"),
        "an empty conversation explains itself"
    );
    key("Escape");
    wait_until("closed", || !m.has("#chat-panel")).await;
    assert_eq!(active_id(), "chat-toggle", "focus goes back to the button");

    // `c` from the page opens it, and again closes it.
    document()
        .active_element()
        .unwrap()
        .unchecked_into::<web_sys::HtmlElement>()
        .blur()
        .unwrap();
    key("c");
    wait_until("opened by c", || m.has("#chat-panel")).await;
    wait_until("focus in the message box", || active_id() == "chat-input").await;
    m.click("#chat-close");
    wait_until("closed", || !m.has("#chat-panel")).await;
    assert_eq!(calls_to("GET /api/chat/status").len(), 1, "asked once");
}

#[wasm_bindgen_test]
async fn a_streamed_reply_is_safe_markdown_announced_once_complete() {
    fake_network();
    configured();
    stream(CHAT);
    let m = mount("/", snapshot());
    open_chat(&m).await;
    say(&m, "What first?").await;
    assert_eq!(
        calls_to(CHAT),
        vec![r#"POST /api/chat {"conversation":null,"message":"What first?"}"#]
    );
    wait_until("the user's bubble", || {
        m.text(".msg.user").contains("What first?")
    })
    .await;
    assert!(m.shown("#chat-stop"), "Stop while the turn runs");
    assert!(!m.shown("#chat-send"));
    assert_eq!(
        m.one("#chat-log").get_attribute("aria-busy").as_deref(),
        Some("true")
    );

    send_event(&started());
    send_event(&text("Start with **Fix deploy pipeline**"));
    wait_until("the first piece", || m.has(".msg.agent strong")).await;
    let announced_while_streaming = m.text("#chat-announcer");
    assert!(
        !announced_while_streaming.contains("deploy"),
        "no per-token announcements: {announced_while_streaming}"
    );
    send_event(&text(
        ", then:\n\n- read <img src=x onerror=\"window.__pwned=1\"> [the runbook](https://example.com/runbook)\n- [bad](javascript:window.__pwned=2)",
    ));
    send_event(&ChatEvent::Done);
    end_stream(CHAT);
    wait_until("announced", || {
        m.text("#chat-announcer").starts_with("Todaygent replied:")
    })
    .await;

    assert_eq!(m.text(".msg.agent strong"), "Fix deploy pipeline");
    assert_eq!(m.all(".msg.agent li").len(), 2);
    let link = m.one(".msg.agent a");
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("https://example.com/runbook")
    );
    assert_eq!(link.get_attribute("target").as_deref(), Some("_blank"));
    assert_eq!(
        link.get_attribute("rel").as_deref(),
        Some("noopener noreferrer")
    );
    assert_eq!(m.all(".msg.agent a").len(), 1, "javascript: is no link");
    assert!(!m.has("#chat-log img"), "model output is never HTML");
    assert!(
        m.text(".msg.agent").contains("<img src=x"),
        "it is shown as text"
    );
    assert!(m.shown("#chat-send"), "Send again after the turn");
    assert!(!m.shown("#chat-stop"));
    assert!(m.one("#chat-log").get_attribute("aria-live").is_none());

    // A follow-up continues the conversation.
    say(&m, "And then?").await;
    assert_eq!(
        calls_to(CHAT).last().map(String::as_str),
        Some(r#"POST /api/chat {"conversation":"conv-1","message":"And then?"}"#)
    );
}

#[wasm_bindgen_test]
async fn allow_and_deny_call_the_confirm_endpoint_once_and_show_the_outcome() {
    fake_network();
    configured();
    stream(CHAT);
    answer("POST /api/chat/confirm/k1", 204, "application/json", "");
    answer("POST /api/chat/confirm/k2", 204, "application/json", "");
    let mut after = snapshot();
    after.tasks[1].dismissed = true;
    answer_json("GET /api/tasks", &after);
    let m = mount("/", snapshot());
    open_chat(&m).await;
    say(&m, "Dismiss the digest").await;
    send_event(&started());
    send_event(&ChatEvent::ToolCall {
        call_id: "c1".into(),
        tool: "get_todays_tasks".into(),
        summary: "the cached snapshot".into(),
        write: false,
    });
    send_event(&ChatEvent::ToolResult {
        call_id: "c1".into(),
        ok: true,
        summary: "3 tasks".into(),
    });
    send_event(&ChatEvent::ConfirmRequest {
        confirmation: "k1".into(),
        tool: "dismiss_task".into(),
        description: "Dismiss “Weekly digest” (Gmail)".into(),
    });
    wait_until("the confirmation card", || {
        m.has("[data-confirmation=\"k1\"]")
    })
    .await;
    assert_eq!(
        m.one(".tool-chip").get_attribute("data-state").as_deref(),
        Some("ok")
    );
    assert!(m.text(".tool-chip").contains("get_todays_tasks"));
    assert!(m
        .text(".confirm-card")
        .contains("Dismiss “Weekly digest” (Gmail)"));
    wait_until("announced", || {
        m.text("#chat-announcer").contains("Allow or Deny")
    })
    .await;

    m.click("[data-confirmation=\"k1\"] .confirm-allow");
    wait_until("answered", || {
        m.text("[data-confirmation=\"k1\"]").contains("Allowed")
    })
    .await;
    assert_eq!(
        calls_to("POST /api/chat/confirm"),
        vec![r#"POST /api/chat/confirm/k1 {"allow":true}"#]
    );
    assert!(m.disabled("[data-confirmation=\"k1\"] .confirm-allow"));
    assert!(m.disabled("[data-confirmation=\"k1\"] .confirm-deny"));
    m.click("[data-confirmation=\"k1\"] .confirm-deny");
    leptos::task::tick().await;
    assert_eq!(
        calls_to("POST /api/chat/confirm").len(),
        1,
        "one answer only"
    );

    send_event(&ChatEvent::ConfirmResolved {
        confirmation: "k1".into(),
        allowed: true,
    });
    send_event(&ChatEvent::ToolCall {
        call_id: "c2".into(),
        tool: "dismiss_task".into(),
        summary: "gmail:m1".into(),
        write: true,
    });
    send_event(&ChatEvent::ToolResult {
        call_id: "c2".into(),
        ok: true,
        summary: "dismissed".into(),
    });
    send_event(&ChatEvent::ConfirmRequest {
        confirmation: "k2".into(),
        tool: "set_task_priority".into(),
        description: "Make “Fix deploy pipeline” low".into(),
    });
    wait_until("the second card", || m.has("[data-confirmation=\"k2\"]")).await;
    assert_eq!(
        m.text("[data-confirmation=\"k1\"] .confirm-outcome"),
        "Allowed: done."
    );
    m.click("[data-confirmation=\"k2\"] .confirm-deny");
    wait_until("denied", || {
        m.text("[data-confirmation=\"k2\"]").contains("Denied")
    })
    .await;
    assert_eq!(
        calls_to("POST /api/chat/confirm")
            .last()
            .map(String::as_str),
        Some(r#"POST /api/chat/confirm/k2 {"allow":false}"#)
    );
    send_event(&ChatEvent::ConfirmResolved {
        confirmation: "k2".into(),
        allowed: false,
    });
    send_event(&text("Dismissed the digest; left the deploy as it is."));
    send_event(&ChatEvent::Done);
    end_stream(CHAT);
    // A write ran: the dashboard shows the tasks as they are now.
    wait_until("the tasks reloaded", || {
        !calls_to("GET /api/tasks").is_empty()
    })
    .await;
    wait_until("the digest gone", || {
        !m.has(&format!("[data-task-id=\"{DIGEST}\"]"))
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_failed_answer_can_be_given_again() {
    fake_network();
    configured();
    stream(CHAT);
    answer(
        "POST /api/chat/confirm/k1",
        409,
        "application/json",
        r#"{"error":"conflict","error_description":"That confirmation is not waiting any more."}"#,
    );
    let m = mount("/", snapshot());
    open_chat(&m).await;
    say(&m, "Dismiss it").await;
    send_event(&ChatEvent::ConfirmRequest {
        confirmation: "k1".into(),
        tool: "dismiss_task".into(),
        description: "Dismiss “Weekly digest” (Gmail)".into(),
    });
    wait_until("the card", || m.has(".confirm-allow")).await;
    m.click(".confirm-allow");
    wait_until("said why", || {
        m.text("#chat-announcer").contains("not waiting any more")
    })
    .await;
    assert!(!m.disabled(".confirm-allow"), "it can be answered again");
}

#[wasm_bindgen_test]
async fn stop_aborts_the_turn_and_an_open_confirmation_lapses() {
    fake_network();
    configured();
    stream(CHAT);
    let m = mount("/", snapshot());
    open_chat(&m).await;
    say(&m, "Dismiss everything").await;
    send_event(&started());
    send_event(&ChatEvent::ConfirmRequest {
        confirmation: "k1".into(),
        tool: "dismiss_task".into(),
        description: "Dismiss “Weekly digest” (Gmail)".into(),
    });
    wait_until("the card", || m.has(".confirm-allow")).await;
    m.click("#chat-stop");
    wait_until("stopped", || m.has(".chat-notice")).await;
    assert_eq!(aborted(), 1, "the request was aborted");
    assert!(m.text(".chat-notice").starts_with("Stopped."));
    assert!(m.disabled(".confirm-allow"));
    assert!(m.text(".confirm-outcome").starts_with("Not answered"));
    assert!(m.shown("#chat-send"));
    assert!(calls_to("POST /api/chat/confirm").is_empty());
}

#[wasm_bindgen_test]
async fn errors_and_a_broken_stream_say_what_to_do() {
    fake_network();
    configured();
    stream(CHAT);
    let m = mount("/", snapshot());
    open_chat(&m).await;
    say(&m, "Hello").await;
    send_event(&ChatEvent::Error {
        message: "The language model is rate limited (429). Try again in a minute.".into(),
    });
    end_stream(CHAT);
    wait_until("the error", || m.has(".chat-error")).await;
    assert_eq!(
        m.text(".chat-error"),
        "The language model is rate limited (429). Try again in a minute."
    );
    wait_until("announced", || {
        m.text("#chat-announcer").contains("rate limited")
    })
    .await;

    say(&m, "Again").await;
    send_event(&text("Half an ans"));
    end_stream(CHAT);
    wait_until("the cut", || m.all(".chat-error").len() == 2).await;
    assert!(m.texts(".chat-error")[1].contains("broke off"));

    // The server refuses the turn outright.
    fake_network();
    configured();
    answer(
        CHAT,
        503,
        "application/json",
        r#"{"error":"unavailable","error_description":"Todaygent is busy with another turn; wait for it to finish."}"#,
    );
    let input = m.one("#chat-input");
    type_into(&input, "Third");
    m.click("#chat-send");
    wait_until("the refusal", || m.all(".chat-error").len() == 3).await;
    assert!(m.texts(".chat-error")[2].contains("busy with another turn"));
}

#[wasm_bindgen_test]
async fn without_an_llm_the_panel_says_so_and_plan_my_day_still_answers() {
    fake_network();
    answer_json(
        "GET /api/chat/status",
        &ChatStatus {
            provider: None,
            model: None,
        },
    );
    stream(CHAT);
    let m = mount("/", snapshot());
    open_chat(&m).await;
    wait_until("the no-LLM note", || m.shown("#chat-no-llm")).await;
    assert!(m.text("#chat-no-llm").contains("Plan my day"));
    m.click("#chat-plan");
    wait_until("the chat stream", || stream_open(CHAT)).await;
    assert_eq!(
        calls_to(CHAT),
        vec![r#"POST /api/chat {"conversation":null,"message":"Plan my day"}"#]
    );
    send_event(&started());
    send_event(&ChatEvent::ToolCall {
        call_id: "p1".into(),
        tool: "plan_my_day".into(),
        summary: String::new(),
        write: false,
    });
    send_event(&ChatEvent::ToolResult {
        call_id: "p1".into(),
        ok: true,
        summary: "4 blocks".into(),
    });
    send_event(&text(
        "**Your day**\n\n1. 09:00–10:00 Focus: Fix deploy pipeline\n2. 10:00–10:30 Standup",
    ));
    send_event(&ChatEvent::Done);
    end_stream(CHAT);
    wait_until("the plan", || m.all(".msg.agent ol li").len() == 2).await;
    assert!(m.text(".msg.agent").contains("Focus: Fix deploy pipeline"));
}

#[wasm_bindgen_test]
async fn offline_the_chat_is_read_only() {
    fake_network();
    configured();
    let m = mount("/", snapshot());
    m.data.offline.set(Some(now_secs()));
    open_chat(&m).await;
    wait_until("disabled", || m.disabled("#chat-input")).await;
    assert!(m.disabled("#chat-send"));
    assert!(m.disabled("#chat-plan"));
    assert!(m.shown(".chat-offline"));
    assert!(m.text(".chat-offline").contains("offline"));
    assert!(calls_to(CHAT).is_empty());
}
