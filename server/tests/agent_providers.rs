//! Both provider formats and everything that goes wrong with a model: HTTP errors,
//! silence, broken streams, and tool calls that are malformed, unknown or fail the
//! schema. Each ends in a clear message in the chat (and, for tool calls, an activity
//! entry), never a crash: the next turn works.

use crate::llm_support;
use crate::refresh_support;

use std::time::Duration;

use llm_support::chat::{self, Answer, Transcript};
use llm_support::script::{self, Reply};
use llm_support::{session_with, Flavor, ScriptedLlm, TEST_KEY};
use pmt_wire::activity::{ActivityEvent, Outcome};
use refresh_support::Session;
use serde_json::json;

/// A server whose first answer is `first` and every later one plain text.
async fn failing_once(flavor: Flavor, first: Reply) -> ScriptedLlm {
    ScriptedLlm::start(flavor, move |n, _| {
        if n == 0 {
            first.clone()
        } else {
            Reply::text("Back to normal.")
        }
    })
    .await
}

/// Runs a turn that must end in exactly one error, and checks the server still works.
async fn expect_error(session: &Session, llm: &ScriptedLlm) -> (Transcript, String) {
    let t = chat::chat(session, "plan my day", None, Answer::Deny).await;
    let errors = t.errors();
    assert_eq!(errors.len(), 1, "{:?}", t.events);
    assert!(!errors[0].contains(TEST_KEY));
    let after = chat::chat(session, "still there?", None, Answer::Deny).await;
    assert_eq!(after.text(), "Back to normal.");
    assert!(llm.requests().len() >= 2);
    let message = errors[0].clone();
    (t, message)
}

#[tokio::test]
async fn provider_http_errors_become_plain_messages() {
    for flavor in [Flavor::Anthropic, Flavor::OpenAi] {
        let cases: Vec<(Reply, &str)> = vec![
            (
                Reply::Status {
                    status: 429,
                    retry_after: Some("12".into()),
                    body: json!({"error": {"message": "rate limited"}}).to_string(),
                },
                "rate-limiting requests for the next 12 seconds",
            ),
            (Reply::status(500, "boom"), "had a problem (HTTP 500)"),
            (Reply::status(529, "Overloaded"), "had a problem (HTTP 529)"),
            (
                Reply::status(401, "invalid x-api-key"),
                "refused the API key (HTTP 401)",
            ),
            (
                Reply::status(403, "no access"),
                "refused the API key (HTTP 403)",
            ),
            (
                Reply::status(404, "model: scripted-model not found"),
                "refused the request (HTTP 404): model: scripted-model not found",
            ),
        ];
        for (reply, expected) in cases {
            let llm = failing_once(flavor, reply).await;
            let session = session_with(&llm, |_| {}).await;
            let (t, message) = expect_error(&session, &llm).await;
            assert!(message.contains(expected), "{flavor:?}: {message}");
            if message.contains("API key") {
                let env = if flavor == Flavor::Anthropic {
                    "ANTHROPIC_API_KEY"
                } else {
                    "OPENAI_API_KEY"
                };
                assert!(message.contains(env), "{message}");
            }
            assert!(chat::turn_activity(&session, &t.turn()).await.is_empty());
        }
    }
}

#[tokio::test]
async fn silence_and_broken_streams_end_the_turn_with_an_error() {
    let anthropic_cut = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{}}}\n\nevent: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\nevent: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Half an ans\"}}\n\n";
    let cases: Vec<(Flavor, Reply, &str)> = vec![
        (Flavor::Anthropic, Reply::Hang, "did not answer within 1 second."),
        (Flavor::OpenAi, Reply::Hang, "did not answer within 1 second."),
        (
            Flavor::Anthropic,
            Reply::StallAfter(Box::new(Reply::text("slow"))),
            "did not answer within 1 second.",
        ),
        (Flavor::Anthropic, Reply::Raw("data: {not json\n\n".into()), "could not be read"),
        (Flavor::OpenAi, Reply::Raw("data: <html>\n\n".into()), "could not be read"),
        (Flavor::Anthropic, Reply::Raw(anthropic_cut.into()), "ended before the answer was complete"),
        (
            Flavor::OpenAi,
            Reply::Raw("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hal\"}}]}\n\n".into()),
            "ended before the answer was complete",
        ),
        (Flavor::Anthropic, Reply::NotStream("{\"content\":[]}".into()), "not an event stream"),
        (
            Flavor::Anthropic,
            Reply::Raw("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n".into()),
            "stopped with an error: Overloaded",
        ),
        (
            Flavor::OpenAi,
            Reply::Raw("data: {\"error\":{\"message\":\"server busy\"}}\n\n".into()),
            "stopped with an error: server busy",
        ),
    ];
    for (flavor, reply, expected) in cases {
        let llm = failing_once(flavor, reply).await;
        let session = session_with(&llm, |s| s.request_timeout = Duration::from_secs(1)).await;
        let (_, message) = expect_error(&session, &llm).await;
        assert!(message.contains(expected), "{flavor:?}: {message}");
    }
}

#[tokio::test]
async fn an_unreachable_provider_is_named_by_host() {
    let llm = ScriptedLlm::start(Flavor::Anthropic, |_, _| Reply::text("unused")).await;
    let mut settings = llm.settings();
    drop(llm);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    settings.base_url = url::Url::parse(&format!("http://127.0.0.1:{port}")).unwrap();
    let session = Session::start_adjusted(move |c| c.llm = Some(settings)).await;
    let t = chat::chat(&session, "hello", None, Answer::Deny).await;
    assert_eq!(
        t.errors(),
        vec![format!(
            "Could not reach the AI provider at 127.0.0.1:{port}."
        )]
    );
}

#[tokio::test]
async fn an_error_after_tool_rounds_keeps_the_tool_calls_in_the_trail() {
    let llm = ScriptedLlm::start(Flavor::Anthropic, |n, _| match n {
        0 => Reply::call("get_todays_tasks", json!({})),
        1 => Reply::status(500, "boom"),
        _ => Reply::text("fine"),
    })
    .await;
    let session = session_with(&llm, |_| {}).await;
    let t = chat::chat(&session, "what now", None, Answer::Deny).await;
    assert_eq!(t.errors().len(), 1);
    assert_eq!(chat::turn_activity(&session, &t.turn()).await.len(), 1);
    // The conversation keeps what happened, closed by a note, and goes on.
    let next = chat::chat(&session, "try again", Some(&t.conversation()), Answer::Deny).await;
    assert_eq!(next.text(), "fine");
    let body = &llm.requests()[2].body;
    let messages = body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 5, "{messages:?}");
    assert!(messages[3].to_string().contains("My answer was cut off"));
}

#[tokio::test]
async fn openai_compatible_streaming_with_tools_and_a_bearer_key() {
    let llm = ScriptedLlm::start(Flavor::OpenAi, |n, _| match n {
        0 => Reply::Calls {
            text: "One moment.".into(),
            calls: vec![
                ("get_todays_tasks".into(), "{\"limit\": 3}".into()),
                ("plan_my_day".into(), "{}".into()),
            ],
        },
        _ => Reply::text("Here is your day."),
    })
    .await;
    let session = session_with(&llm, |_| {}).await;
    let t = chat::chat(&session, "plan my day", None, Answer::Deny).await;
    assert_eq!(t.text(), "One moment.Here is your day.");
    assert_eq!(
        t.tool_calls(),
        vec![
            ("get_todays_tasks".to_owned(), false),
            ("plan_my_day".to_owned(), false)
        ]
    );
    let requests = llm.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].header("authorization"),
        Some(format!("Bearer {TEST_KEY}").as_str())
    );
    let first = &requests[0].body;
    assert_eq!(first["stream"], true);
    assert_eq!(first["messages"][0]["role"], "system");
    assert!(first["messages"][0]["content"]
        .as_str()
        .unwrap()
        .contains("My maker didn't trust me"));
    assert_eq!(first["tools"][0]["type"], "function");
    assert!(script::tool_names(first).contains(&"dismiss_task".to_owned()));
    let results = script::last_results(&requests[1].body);
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].id, "call_0_0");
    assert_eq!(results[1].id, "call_0_1");
    assert!(results.iter().all(|r| !r.is_error), "{results:?}");
    let messages = requests[1].body["messages"].as_array().unwrap();
    assert_eq!(
        messages[2]["tool_calls"][0]["function"]["arguments"],
        "{\"limit\":3}"
    );
}

#[tokio::test]
async fn a_local_model_without_a_key_gets_no_authorization_header() {
    let llm = ScriptedLlm::start(Flavor::OpenAi, |_, _| Reply::text("local hello")).await;
    let session = session_with(&llm, |s| s.api_key = None).await;
    let t = chat::chat(&session, "hi", None, Answer::Deny).await;
    assert_eq!(t.text(), "local hello");
    assert_eq!(llm.requests()[0].header("authorization"), None);
}

#[tokio::test]
async fn bad_tool_calls_are_refused_reported_and_recorded() {
    for flavor in [Flavor::Anthropic, Flavor::OpenAi] {
        let llm = ScriptedLlm::start(flavor, |n, _| match n {
            0 => Reply::Calls {
                text: String::new(),
                calls: vec![
                    (
                        "linear_update_issue".into(),
                        "{\"id\": \"LIN-123\", \"state\": \"Done\"}".into(),
                    ),
                    ("get_todays_tasks".into(), "{\"limit\": \"many\"}".into()),
                    ("set_task_priority".into(), "{\"task_id\": \"x\"".into()),
                    ("dismiss_task".into(), "{\"task_id\": 7}".into()),
                ],
            },
            _ => Reply::text("Sorry about that."),
        })
        .await;
        let session = session_with(&llm, |_| {}).await;
        let before = session.tasks().await;
        let t = chat::chat(&session, "do things", None, Answer::Allow).await;
        assert!(
            t.confirm_requests().is_empty(),
            "{flavor:?}: {:?}",
            t.events
        );
        let results = t.tool_results();
        assert_eq!(results.len(), 4);
        assert!(results.iter().all(|(ok, _)| !ok), "{results:?}");
        assert_eq!(results[0].1, "Not run: no such tool.");
        assert!(results[1].1.contains("invalid arguments"), "{results:?}");
        assert!(results[2].1.contains("not valid JSON"), "{results:?}");
        assert!(results[3].1.contains("invalid arguments"), "{results:?}");

        let seen = script::last_results(&llm.requests()[1].body);
        assert_eq!(seen.len(), 4);
        assert!(seen.iter().all(|r| r.is_error), "{seen:?}");
        assert!(seen[0].content.contains("no such tool"));
        assert!(seen[0].content.contains("My maker didn't trust me"));
        assert!(seen[1]
            .content
            .contains("invalid arguments for get_todays_tasks"));
        assert!(seen[2].content.contains("not valid JSON"));

        let entries = chat::turn_activity(&session, &t.turn()).await;
        assert_eq!(entries.len(), 4, "{entries:?}");
        assert!(entries.iter().all(|e| e.outcome == Outcome::Refused));
        let tools: Vec<String> = entries
            .iter()
            .map(|e| match &e.event {
                ActivityEvent::ToolCall { tool, .. } => tool.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            tools,
            [
                "linear_update_issue",
                "get_todays_tasks",
                "set_task_priority",
                "dismiss_task"
            ]
        );
        assert_eq!(session.tasks().await, before, "nothing changed");
        assert_eq!(t.text(), "Sorry about that.");
    }
}

#[tokio::test]
async fn a_cut_answer_and_an_empty_one_get_a_notice() {
    let llm = ScriptedLlm::start(Flavor::Anthropic, |n, _| match n {
        0 => Reply::Truncated("Your day starts with".into()),
        _ => Reply::Text(String::new()),
    })
    .await;
    let session = session_with(&llm, |_| {}).await;
    let t = chat::chat(&session, "plan", None, Answer::Deny).await;
    assert!(t.notices()[0].contains("max_tokens"), "{:?}", t.notices());
    let t = chat::chat(&session, "and?", Some(&t.conversation()), Answer::Deny).await;
    assert!(
        t.notices()[0].contains("nothing to say"),
        "{:?}",
        t.notices()
    );
}
