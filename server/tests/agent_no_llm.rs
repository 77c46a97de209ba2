//! The chat with no `[llm]`: it says so, answers "plan my day" with the day plan (run
//! through the registry and recorded as the agent's), and explains what works
//! otherwise.

use crate::llm_support;
use crate::refresh_support;

use llm_support::chat::{self, Answer};
use pmt_wire::activity::{ActivityEvent, Actor, GroupKind, Outcome};
use refresh_support::Session;
use serde_json::json;

async fn session() -> Session {
    let session = Session::start().await;
    assert!(session.demo.server.config.llm.is_none());
    session.refresh().await;
    session
}

#[tokio::test]
async fn plan_my_day_works_without_an_llm() {
    let session = session().await;
    let t = chat::chat(&session, "Plan my day, please", None, Answer::Deny).await;
    let notices = t.notices();
    assert_eq!(notices.len(), 1);
    assert!(notices[0].contains("No LLM is configured"), "{notices:?}");
    assert!(notices[0].contains("[llm]"), "{notices:?}");
    assert_eq!(t.tool_calls(), vec![("plan_my_day".to_owned(), false)]);
    assert!(t.tool_results()[0].0, "{:?}", t.tool_results());
    let text = t.text();
    assert!(text.starts_with("**Your day, "), "{text}");
    assert!(
        text.contains(" · Meeting: ") || text.contains(" · Focus: "),
        "{text}"
    );
    assert!(t.errors().is_empty());

    let entries = chat::turn_activity(&session, &t.turn()).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].actor, Actor::Agent);
    assert_eq!(entries[0].group_kind, GroupKind::ChatTurn);
    assert_eq!(entries[0].outcome, Outcome::Ok);
    assert!(
        matches!(&entries[0].event, ActivityEvent::ToolCall { tool, .. } if tool == "plan_my_day")
    );
}

#[tokio::test]
async fn anything_else_gets_an_explanation_and_touches_nothing() {
    let session = session().await;
    let before = chat::activity(&session).await.len();
    for message in ["dismiss the weekly digest", "what's new on GitHub?"] {
        let t = chat::chat(&session, message, None, Answer::Allow).await;
        assert!(t.notices()[0].contains("No LLM is configured"));
        assert!(t.text().contains("plan my day"), "{}", t.text());
        assert!(t.tool_calls().is_empty() && t.confirm_requests().is_empty());
    }
    assert_eq!(chat::activity(&session).await.len(), before);
}

#[tokio::test]
async fn status_says_no_llm_and_confirmations_do_not_exist() {
    let session = session().await;
    let status: serde_json::Value = session
        .request(reqwest::Method::GET, "/api/chat/status")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status, json!({"provider": null, "model": null}));
    let code = chat::confirm_with(&session, &session.token, "made-up-id", true).await;
    assert_eq!(code, 404);
    let response = session
        .request(reqwest::Method::POST, "/api/chat/confirm/x")
        .json(&json!({"allow": "yes"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}
