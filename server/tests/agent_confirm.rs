//! Writes the agent proposes run only after the user's Allow in the chat: Allow,
//! Deny, no answer, another user's answer, a closed chat. Real demo server, real
//! sign-in, a scripted model (Anthropic streaming) that asks for the write.

use crate::llm_support;
use crate::refresh_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use llm_support::chat::{self, Answer};
use llm_support::script::{self, Reply};
use llm_support::{dismissible, session_with, source_tracked, Flavor, ScriptedLlm};
use pmt_wire::activity::{ActivityEvent, Actor, Confirmation, Outcome};
use pmt_wire::agent::ChatEvent;
use pmt_wire::Priority;
use refresh_support::Session;
use serde_json::json;

/// A model that asks for `name` with the arguments the test puts in the slot (once
/// it knows the demo day's task ids), then sums up what it was told.
async fn proposing(name: &'static str) -> (ScriptedLlm, Arc<Mutex<serde_json::Value>>) {
    let slot = Arc::new(Mutex::new(json!({})));
    let arguments = slot.clone();
    let llm = ScriptedLlm::start(Flavor::Anthropic, move |n, body| match n {
        0 => Reply::Calls {
            text: "I'd like to change that.".into(),
            calls: vec![(name.to_owned(), arguments.lock().expect("slot").to_string())],
        },
        _ => {
            let results = script::last_results(body);
            Reply::Text(format!("Told: {}", results[0].content))
        }
    })
    .await;
    (llm, slot)
}

async fn decisions(session: &Session) -> pmt_server::plan::Decisions {
    session
        .demo
        .server
        .state
        .store
        .decisions(&chat::sub(session))
        .await
        .expect("decisions")
}

/// The one tool-call entry of a turn.
async fn only_call(session: &Session, turn: &str) -> (Outcome, ActivityEvent) {
    let entries = chat::turn_activity(session, turn).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].actor, Actor::Agent);
    (entries[0].outcome, entries[0].event.clone())
}

#[tokio::test]
async fn allow_runs_the_write_and_the_trail_says_allowed() {
    let (llm, arguments) = proposing("dismiss_task").await;
    let session = session_with(&llm, |_| {}).await;
    let task = dismissible(&session.tasks().await);
    *arguments.lock().unwrap() = json!({ "task_id": task.id.0 });
    let t = chat::chat(&session, "dismiss that mention", None, Answer::Allow).await;

    let requests = t.confirm_requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].0, "dismiss_task");
    assert!(requests[0].1.contains(&task.title), "{}", requests[0].1);
    assert_eq!(t.resolutions(), vec![true]);
    assert_eq!(t.tool_calls(), vec![("dismiss_task".to_owned(), true)]);
    assert!(t.tool_results()[0].0, "{:?}", t.tool_results());
    // The events come in the order the UI needs: proposal, answer, result.
    let order: Vec<&str> = t.events.iter().map(ChatEvent::name).collect();
    let pos = |n: &str| order.iter().position(|o| *o == n).unwrap();
    assert!(pos("tool_call") < pos("confirm_request"));
    assert!(pos("confirm_request") < pos("confirm_resolved"));
    assert!(pos("confirm_resolved") < pos("tool_result"));

    assert!(decisions(&session).await.dismissed.contains(&task.id));
    let listed = session.tasks().await;
    assert!(listed.tasks.iter().any(|x| x.id == task.id && x.dismissed));
    let (outcome, event) = only_call(&session, &t.turn()).await;
    assert_eq!(outcome, Outcome::Ok);
    assert!(matches!(event, ActivityEvent::ToolCall { tool, write: true,
        confirmation: Confirmation::Allowed, .. } if tool == "dismiss_task"));
    // The model read the result.
    let seen = script::last_results(&llm.requests()[1].body);
    assert!(!seen[0].is_error, "{seen:?}");
}

#[tokio::test]
async fn deny_changes_nothing_tells_the_model_and_is_recorded() {
    let (llm, arguments) = proposing("set_task_priority").await;
    let session = session_with(&llm, |_| {}).await;
    let task = source_tracked(&session.tasks().await);
    *arguments.lock().unwrap() = json!({ "task_id": task.id.0, "priority": "critical" });
    let before = decisions(&session).await;
    let t = chat::chat(&session, "make it critical", None, Answer::Deny).await;
    assert_eq!(t.resolutions(), vec![false]);
    assert_eq!(
        t.tool_results()[0],
        (false, "Denied: nothing was changed.".to_owned())
    );
    assert_eq!(decisions(&session).await, before);
    let seen = script::last_results(&llm.requests()[1].body);
    assert!(seen[0].is_error);
    assert!(
        seen[0].content.contains("The user denied this action"),
        "{seen:?}"
    );
    assert!(t.text().contains("The user denied this action"));
    let (outcome, event) = only_call(&session, &t.turn()).await;
    assert_eq!(outcome, Outcome::Refused);
    assert!(matches!(event, ActivityEvent::ToolCall { tool, write: true,
        confirmation: Confirmation::Denied, .. } if tool == "set_task_priority"));
}

#[tokio::test]
async fn no_answer_in_time_counts_as_deny() {
    let (llm, arguments) = proposing("dismiss_task").await;
    let session = session_with(&llm, |s| s.confirm_timeout = Duration::from_millis(300)).await;
    let task = dismissible(&session.tasks().await);
    *arguments.lock().unwrap() = json!({ "task_id": task.id.0 });
    let t = chat::chat(&session, "dismiss it", None, Answer::Ignore).await;
    assert_eq!(t.confirm_requests().len(), 1);
    assert_eq!(t.resolutions(), vec![false]);
    assert!(t.tool_results()[0].1.contains("No answer in time"));
    assert!(decisions(&session).await.dismissed.is_empty());
    let seen = script::last_results(&llm.requests()[1].body);
    assert!(seen[0]
        .content
        .contains("did not answer the confirmation in time"));
    let (outcome, event) = only_call(&session, &t.turn()).await;
    assert_eq!(outcome, Outcome::Refused);
    assert!(
        matches!(event, ActivityEvent::ToolCall { confirmation: Confirmation::Denied,
        detail, .. } if detail.contains("no answer in time"))
    );
}

#[tokio::test]
async fn another_user_cannot_answer_a_confirmation() {
    let (llm, arguments) = proposing("dismiss_task").await;
    let session = session_with(&llm, |_| {}).await;
    let task = dismissible(&session.tasks().await);
    *arguments.lock().unwrap() = json!({ "task_id": task.id.0 });
    let mallory = llm_support::other_user_token(&session);
    // Mallory's token is good for the API…
    let me = session
        .demo
        .http
        .get(session.demo.url("/api/me"))
        .bearer_auth(&mallory)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);

    let mut stream = chat::open(&session, "dismiss it", None).await;
    let (conversation, confirmation) = loop {
        match stream.next().await.expect("a confirmation request") {
            ChatEvent::ConfirmRequest { confirmation, .. } => {
                let ChatEvent::Started { conversation, .. } = &stream.events[0] else {
                    panic!("started first")
                };
                break (conversation.clone(), confirmation);
            }
            _ => continue,
        }
    };
    // …but not for Dana's confirmation, or her conversation.
    assert_eq!(
        chat::confirm_with(&session, &mallory, &confirmation, true).await,
        404
    );
    let response = session
        .demo
        .http
        .post(session.demo.url("/api/chat"))
        .bearer_auth(&mallory)
        .json(&json!({"message": "hi", "conversation": conversation}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert!(decisions(&session).await.dismissed.is_empty());
    // Dana's own answer still counts.
    assert_eq!(
        chat::confirm_with(&session, &session.token, &confirmation, false).await,
        204
    );
    assert_eq!(
        chat::confirm_with(&session, &session.token, &confirmation, true).await,
        404
    );
    while stream.next().await.is_some() {}
    assert!(stream.events.contains(&ChatEvent::ConfirmResolved {
        confirmation,
        allowed: false
    }));
    assert!(decisions(&session).await.dismissed.is_empty());
}

#[tokio::test]
async fn closing_the_chat_cancels_a_waiting_write() {
    let (llm, arguments) = proposing("dismiss_task").await;
    let session = session_with(&llm, |_| {}).await;
    let task = dismissible(&session.tasks().await);
    *arguments.lock().unwrap() = json!({ "task_id": task.id.0 });
    let mut stream = chat::open(&session, "dismiss it", None).await;
    let confirmation = loop {
        if let ChatEvent::ConfirmRequest { confirmation, .. } =
            stream.next().await.expect("a confirmation request")
        {
            break confirmation;
        }
    };
    let turn = match &stream.events[0] {
        ChatEvent::Started { turn, .. } => turn.clone(),
        other => panic!("{other:?}"),
    };
    drop(stream);
    // The turn notices, records the write as not allowed, and lets the confirmation go.
    let mut entries = Vec::new();
    for _ in 0..100 {
        entries = chat::turn_activity(&session, &turn).await;
        if !entries.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert!(
        matches!(&entries[0].event, ActivityEvent::ToolCall { confirmation: Confirmation::Denied,
        detail, .. } if detail.contains("chat was closed"))
    );
    assert_eq!(
        chat::confirm_with(&session, &session.token, &confirmation, true).await,
        404
    );
    assert!(decisions(&session).await.dismissed.is_empty());
    assert_eq!(llm.requests().len(), 1, "the model was not called again");
}

#[tokio::test]
async fn a_write_that_cannot_apply_is_refused_without_asking() {
    let (llm, arguments) = proposing("dismiss_task").await;
    let session = session_with(&llm, |_| {}).await;
    let task = source_tracked(&session.tasks().await);
    *arguments.lock().unwrap() = json!({ "task_id": task.id.0 });
    let t = chat::chat(&session, "dismiss that issue", None, Answer::Allow).await;
    assert!(t.confirm_requests().is_empty());
    assert!(!t.tool_results()[0].0);
    let seen = script::last_results(&llm.requests()[1].body);
    assert!(
        seen[0].is_error && seen[0].content.starts_with("Not run"),
        "{seen:?}"
    );
    assert!(decisions(&session).await.dismissed.is_empty());
    let (outcome, _) = only_call(&session, &t.turn()).await;
    assert_eq!(outcome, Outcome::Refused);
}

#[tokio::test]
async fn two_writes_in_one_answer_are_confirmed_one_by_one() {
    let slot = Arc::new(Mutex::new(Vec::new()));
    let calls = slot.clone();
    let llm = ScriptedLlm::start(Flavor::Anthropic, move |n, _| match n {
        0 => Reply::Calls {
            text: String::new(),
            calls: calls.lock().unwrap().clone(),
        },
        _ => Reply::text("done"),
    })
    .await;
    let session = session_with(&llm, |_| {}).await;
    let snapshot = session.tasks().await;
    let a = dismissible(&snapshot);
    let b = source_tracked(&snapshot);
    *slot.lock().unwrap() = vec![
        (
            "dismiss_task".to_owned(),
            json!({ "task_id": a.id.0 }).to_string(),
        ),
        (
            "set_task_priority".to_owned(),
            json!({ "task_id": b.id.0, "priority": "low" }).to_string(),
        ),
    ];
    let mut stream = chat::open(&session, "tidy up", None).await;
    let mut answers = vec![false, true].into_iter();
    while let Some(event) = stream.next().await {
        if let ChatEvent::ConfirmRequest { confirmation, .. } = event {
            let allow = answers.next().expect("two confirmations");
            assert_eq!(
                chat::confirm_with(&session, &session.token, &confirmation, allow).await,
                204
            );
        }
    }
    let d = decisions(&session).await;
    assert!(d.dismissed.is_empty(), "the first was denied");
    assert_eq!(
        d.overrides.values().collect::<Vec<_>>(),
        vec![&Priority::Low]
    );
}
