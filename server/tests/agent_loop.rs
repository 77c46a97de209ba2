//! Todaygent's loop over real HTTP: a demo server signed in for real, its `[llm]`
//! pointing at a scripted model that speaks the Anthropic Messages stream. What the
//! user sees (events), what the model was sent (recorded requests), what was recorded
//! (activity).

use crate::llm_support;

use llm_support::chat::{self, Answer};
use llm_support::script::{self, Reply};
use llm_support::{session_with, Flavor, ScriptedLlm, TEST_KEY};
use pmt_wire::activity::{ActivityEvent, Actor, Confirmation, GroupKind, Outcome};
use pmt_wire::agent::{ChatEvent, MAX_MESSAGE_CHARS};
use serde_json::json;

#[tokio::test]
async fn a_single_round_streams_the_answer_and_sends_rules_tools_and_key() {
    let llm = ScriptedLlm::start(Flavor::Anthropic, |_, _| {
        Reply::text("Morning. Your day looks survivable.")
    })
    .await;
    let session = session_with(&llm, |_| {}).await;
    let t = chat::chat(&session, "how does today look?", None, Answer::Deny).await;
    assert_eq!(t.text(), "Morning. Your day looks survivable.");
    let deltas = t
        .events
        .iter()
        .filter(|e| matches!(e, ChatEvent::Text { .. }))
        .count();
    assert!(deltas > 1, "the answer streams in pieces: {deltas}");
    assert!(
        t.errors().is_empty() && t.notices().is_empty(),
        "{:?}",
        t.events
    );

    let requests = llm.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.header("x-api-key"), Some(TEST_KEY));
    assert_eq!(r.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(r.body["model"], "scripted-model");
    assert_eq!(r.body["stream"], true);
    let rules = r.body["system"][0]["text"].as_str().unwrap();
    assert!(rules.contains("My maker didn't trust me with permission to do that."));
    assert!(rules.contains("untrusted data"));
    assert_eq!(r.body["system"][0]["cache_control"]["type"], "ephemeral");
    let today = r.body["system"][1]["text"].as_str().unwrap();
    assert!(
        today.contains(&session.demo.server.config.time_zone),
        "{today}"
    );
    let names = script::tool_names(&r.body);
    for expected in [
        "get_todays_tasks",
        "refresh_all_sources",
        "read_linear",
        "plan_my_day",
        "dismiss_task",
        "restore_task",
        "set_task_priority",
    ] {
        assert!(
            names.contains(&expected.to_owned()),
            "{expected} in {names:?}"
        );
    }
    assert_eq!(script::last_user_text(&r.body), "how does today look?");
    // The key only ever travels in its header.
    assert!(!r.raw.contains(TEST_KEY));
    assert!(!t.raw.contains(TEST_KEY));
}

#[tokio::test]
async fn tool_results_are_fed_back_and_the_turn_is_one_activity_group() {
    let llm = ScriptedLlm::start(Flavor::Anthropic, |n, _| match n {
        0 => Reply::Calls {
            text: "Let me look.".into(),
            calls: vec![("get_todays_tasks".into(), "{}".into())],
        },
        _ => Reply::text("Three things matter today."),
    })
    .await;
    let session = session_with(&llm, |_| {}).await;
    let snapshot = session.tasks().await;
    let t = chat::chat(&session, "what should I do first?", None, Answer::Deny).await;
    assert_eq!(t.text(), "Let me look.Three things matter today.");
    assert_eq!(t.tool_calls(), vec![("get_todays_tasks".to_owned(), false)]);
    assert!(t.tool_results()[0].0, "{:?}", t.tool_results());

    let requests = llm.requests();
    assert_eq!(requests.len(), 2);
    let results = script::last_results(&requests[1].body);
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].id, "toolu_0_0");
    assert!(!results[0].is_error);
    let first = &snapshot.tasks[0];
    assert!(
        results[0].content.contains(&first.id.0),
        "the model sees the tasks: {}",
        &results[0].content[..200.min(results[0].content.len())]
    );
    // The second request repeats the assistant's tool call before the result.
    let messages = requests[1].body["messages"].as_array().unwrap();
    assert_eq!(messages[1]["role"], "assistant");
    assert_eq!(messages[1]["content"][1]["type"], "tool_use");
    assert_eq!(messages[1]["content"][1]["name"], "get_todays_tasks");

    let entries = chat::turn_activity(&session, &t.turn()).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    let e = &entries[0];
    assert_eq!(e.actor, Actor::Agent);
    assert_eq!(e.group_kind, GroupKind::ChatTurn);
    assert_eq!(e.outcome, Outcome::Ok);
    assert!(
        matches!(&e.event, ActivityEvent::ToolCall { tool, write: false,
        confirmation: Confirmation::NotNeeded, .. } if tool == "get_todays_tasks")
    );
}

#[tokio::test]
async fn the_conversation_continues_for_its_owner_only() {
    let llm =
        ScriptedLlm::start(Flavor::Anthropic, |n, _| Reply::Text(format!("answer {n}"))).await;
    let session = session_with(&llm, |_| {}).await;
    let first = chat::chat(&session, "first question", None, Answer::Deny).await;
    let id = first.conversation();
    let second = chat::chat(&session, "second question", Some(&id), Answer::Deny).await;
    assert_eq!(second.conversation(), id);
    assert_ne!(second.turn(), first.turn());
    let requests = llm.requests();
    let messages = requests[1].body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert_eq!(messages[0]["content"][0]["text"], "first question");
    assert_eq!(messages[1]["content"][0]["text"], "answer 0");
    assert_eq!(messages[2]["content"][0]["text"], "second question");

    // An id that is not this user's conversation is not found.
    let response = chat::post_chat(
        &session,
        &json!({"message": "hi", "conversation": "00000000-0000-4000-8000-000000000000"}),
    )
    .await;
    assert_eq!(response.status(), 404);
    assert_eq!(llm.requests().len(), 2);
}

#[tokio::test]
async fn the_loop_stops_after_ten_rounds_and_answers_without_tools() {
    let llm = ScriptedLlm::start(Flavor::Anthropic, |_, body| {
        if script::tools_off(body) {
            Reply::Calls {
                text: "Enough digging; here is what I know.".into(),
                calls: vec![("get_todays_tasks".into(), "{}".into())],
            }
        } else {
            Reply::call("get_todays_tasks", json!({}))
        }
    })
    .await;
    let session = session_with(&llm, |_| {}).await;
    let t = chat::chat(&session, "dig forever", None, Answer::Deny).await;
    let requests = llm.requests();
    assert_eq!(
        requests.len(),
        11,
        "ten rounds with tools, one answer without"
    );
    assert!(requests[..10].iter().all(|r| !script::tools_off(&r.body)));
    assert!(script::tools_off(&requests[10].body));
    let note = &requests[10].body["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()["content"];
    assert!(note.to_string().contains("tool round limit"), "{note}");
    assert!(
        t.notices().iter().any(|n| n.contains("10 tool rounds")),
        "{:?}",
        t.notices()
    );
    assert!(t.text().ends_with("Enough digging; here is what I know."));
    // Ten calls ran; the eleventh (made with tools off) was refused and recorded.
    let results = t.tool_results();
    assert_eq!(results.len(), 11);
    assert!(results[..10].iter().all(|(ok, _)| *ok));
    assert!(!results[10].0 && results[10].1.contains("limit of 10 tool rounds"));
    let entries = chat::turn_activity(&session, &t.turn()).await;
    assert_eq!(entries.len(), 11);
    assert_eq!(entries[10].outcome, Outcome::Refused);
}

#[tokio::test]
async fn a_configured_lower_cap_is_honoured() {
    let llm = ScriptedLlm::start(Flavor::Anthropic, |_, body| {
        if script::tools_off(body) {
            Reply::text("done")
        } else {
            Reply::call("plan_my_day", json!({}))
        }
    })
    .await;
    let session = session_with(&llm, |s| s.max_rounds = 2).await;
    let t = chat::chat(&session, "plan", None, Answer::Deny).await;
    assert_eq!(llm.requests().len(), 3);
    assert!(t.notices().iter().any(|n| n.contains("2 tool rounds")));
}

#[tokio::test]
async fn tool_results_are_truncated_to_the_configured_size_with_a_marker() {
    let llm = ScriptedLlm::start(Flavor::Anthropic, |n, _| match n {
        0 => Reply::call("get_todays_tasks", json!({})),
        _ => Reply::text("ok"),
    })
    .await;
    let session = session_with(&llm, |s| s.tool_result_max_chars = 500).await;
    chat::chat(&session, "list everything", None, Answer::Deny).await;
    let results = script::last_results(&llm.requests()[1].body);
    let content = &results[0].content;
    let (kept, marker) = content.split_once("\n[truncated: ").expect("a marker");
    assert_eq!(kept.chars().count(), 500);
    assert!(marker.starts_with("500 of "), "{marker}");
}

#[tokio::test]
async fn no_token_reaches_the_model_or_the_chat() {
    let llm = ScriptedLlm::start(Flavor::Anthropic, |n, _| match n {
        0 => Reply::calls(&[
            ("get_todays_tasks", json!({})),
            ("read_github", json!({})),
            ("refresh_all_sources", json!({})),
        ]),
        _ => Reply::text("done"),
    })
    .await;
    let session = session_with(&llm, |_| {}).await;
    let t = chat::chat(&session, "refresh and read github", None, Answer::Deny).await;
    assert!(
        t.tool_results().iter().all(|(ok, _)| *ok),
        "{:?}",
        t.tool_results()
    );
    let exchanged = session.sims().seen_tokens();
    assert!(!exchanged.is_empty(), "the read tools exchanged tokens");
    let signature = session.token.rsplit('.').next().unwrap().to_owned();
    let sent: String = llm.requests().iter().map(|r| r.raw.clone()).collect();
    for secret in exchanged
        .iter()
        .chain([&session.token, &signature, &session.demo.secret])
    {
        assert!(!sent.contains(secret.as_str()), "a token reached the model");
        assert!(!t.raw.contains(secret.as_str()), "a token reached the chat");
    }
    let trail = serde_json::to_string(&chat::activity(&session).await).unwrap();
    assert!(!trail.contains(&signature) && !trail.contains(TEST_KEY));
}

#[tokio::test]
async fn bad_requests_are_refused_before_the_model_is_called() {
    let llm = ScriptedLlm::start(Flavor::Anthropic, |_, _| Reply::text("hi")).await;
    let session = session_with(&llm, |_| {}).await;
    let long = "a".repeat(MAX_MESSAGE_CHARS + 1);
    let response = chat::post_chat(&session, &json!({ "message": long })).await;
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "message_too_long");
    for bad in [json!({"message": "   "}), json!({"msg": "hi"}), json!("hi")] {
        let response = chat::post_chat(&session, &bad).await;
        assert_eq!(response.status(), 400, "{bad}");
    }
    let response = session
        .demo
        .http
        .post(session.demo.url("/api/chat"))
        .json(&json!({"message": "hi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert!(llm.requests().is_empty());
}

#[tokio::test]
async fn status_names_the_provider_and_model() {
    let llm = ScriptedLlm::start(Flavor::Anthropic, |_, _| Reply::text("hi")).await;
    let session = session_with(&llm, |_| {}).await;
    let status: serde_json::Value = session
        .request(reqwest::Method::GET, "/api/chat/status")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        status,
        json!({"provider": "anthropic", "model": "scripted-model"})
    );
}

#[tokio::test]
async fn a_second_turn_in_a_busy_conversation_is_refused() {
    let llm = ScriptedLlm::start(Flavor::Anthropic, |n, _| match n {
        0 => Reply::StallAfter(Box::new(Reply::text("thinking very slowly"))),
        _ => Reply::text("hi"),
    })
    .await;
    let session = session_with(&llm, |s| {
        s.request_timeout = std::time::Duration::from_secs(3)
    })
    .await;
    let mut first = chat::open(&session, "slow", None).await;
    let Some(ChatEvent::Started { conversation, .. }) = first.next().await else {
        panic!("started first");
    };
    let response = chat::post_chat(
        &session,
        &json!({"message": "again", "conversation": conversation}),
    )
    .await;
    assert_eq!(response.status(), 409);
    // The stalled answer ends in a timeout error, and the conversation is free again.
    while first.next().await.is_some() {}
    assert!(first
        .events
        .iter()
        .any(|e| matches!(e, ChatEvent::Error { message } if message.contains("did not answer"))));
    let t = chat::chat(&session, "again", Some(&conversation), Answer::Deny).await;
    assert_eq!(t.text(), "hi");
}
