//! The tool registry end to end in demo mode: a real sign-in, the real authorization
//! server's exchanges, the seven simulators, SQLite on disk. Each read tool fetches
//! its own source with exactly one exchange; writes run only with consent and only
//! change local decisions; refusals and errors are recorded; no token reaches the
//! activity table.

use crate::refresh_support;

use pmt_server::activity::{Origin, Trail};
use pmt_server::auth::AuthUser;
use pmt_server::secret::BearerToken;
use pmt_server::tools::{self, Consent, ToolCall, ToolError};
use pmt_wire::activity::{ActivityEntry, ActivityEvent, Actor, Confirmation, GroupKind, Outcome};
use pmt_wire::dayplan::{BlockKind, DayPlan};
use pmt_wire::{Priority, Source, Task, TaskKind};
use refresh_support::Session;
use reqwest::Method;
use serde_json::{json, Value};

/// A signed-in session with what calling the registry directly needs.
struct Registry {
    session: Session,
    user: AuthUser,
}

impl Registry {
    async fn start() -> Registry {
        let session = Session::start().await;
        let state = &session.demo.server.state;
        let claims = state
            .auth
            .validate_bearer(&session.token)
            .await
            .expect("the session token is valid");
        let user = AuthUser {
            claims,
            token: BearerToken::new(session.token.clone()),
        };
        Registry { session, user }
    }

    fn state(&self) -> &pmt_server::AppState {
        &self.session.demo.server.state
    }

    fn sub(&self) -> &str {
        &self.user.claims.sub
    }

    /// A new chat-turn group, as the agent opens one.
    fn trail(&self) -> Trail {
        Trail::new(
            self.state().store.clone(),
            &self.user,
            Origin::new(Actor::Agent, "pmt-tmb", GroupKind::ChatTurn),
        )
    }

    async fn call(
        &self,
        trail: &Trail,
        name: &str,
        arguments: Value,
        consent: Consent,
    ) -> Result<tools::ToolOutput, ToolError> {
        let call = ToolCall {
            name: name.to_owned(),
            arguments,
        };
        tools::call(self.state(), &self.user, trail, &call, consent).await
    }

    /// Every activity row of the user, oldest first.
    async fn activity(&self) -> Vec<ActivityEntry> {
        let mut rows = self
            .state()
            .store
            .list_activity(self.sub(), 10_000, None)
            .await
            .expect("activity");
        rows.reverse();
        rows
    }

    /// The rows of one group, oldest first.
    async fn group(&self, trail: &Trail) -> Vec<ActivityEntry> {
        let id = &trail.origin().group_id;
        self.activity()
            .await
            .into_iter()
            .filter(|e| &e.group_id == id)
            .collect()
    }

    /// The list as the dashboard shows it.
    async fn tasks(&self) -> Vec<Task> {
        self.session.tasks().await.tasks
    }

    async fn first(&self, kind: TaskKind) -> Task {
        self.tasks()
            .await
            .into_iter()
            .find(|t| t.kind == kind)
            .unwrap_or_else(|| panic!("the demo day has a {kind:?}"))
    }
}

fn exchanges(rows: &[ActivityEntry]) -> Vec<String> {
    rows.iter()
        .filter_map(|e| match &e.event {
            ActivityEvent::Exchange { source, .. } => Some(source.clone().unwrap_or_default()),
            ActivityEvent::ToolCall { .. } => None,
        })
        .collect()
}

/// The tool-call rows: (tool, write, arguments, confirmation, detail, outcome).
fn tool_calls(
    rows: &[ActivityEntry],
) -> Vec<(String, bool, String, Confirmation, String, Outcome)> {
    rows.iter()
        .filter_map(|e| match &e.event {
            ActivityEvent::ToolCall {
                tool,
                write,
                arguments,
                confirmation,
                detail,
            } => Some((
                tool.clone(),
                *write,
                arguments.clone(),
                *confirmation,
                detail.clone(),
                e.outcome,
            )),
            ActivityEvent::Exchange { .. } => None,
        })
        .collect()
}

#[tokio::test]
async fn each_read_tool_fetches_its_source_with_exactly_one_exchange() {
    let r = Registry::start().await;
    for source in Source::PROVIDERS {
        let trail = r.trail();
        let name = format!("read_{}", source.as_str());
        let out = r
            .call(&trail, &name, json!({}), Consent::None)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let tasks = out.content["tasks"].as_array().expect("tasks");
        assert!(
            !tasks.is_empty(),
            "{name} returned no tasks: {}",
            out.content
        );
        assert!(
            tasks.iter().all(|t| t["source"] == source.as_str()),
            "{name}: {}",
            out.content
        );
        assert!(out.summary.starts_with(source.label()), "{}", out.summary);
        let rows = r.group(&trail).await;
        assert_eq!(
            exchanges(&rows),
            vec![source.as_str().to_owned()],
            "{name}: {rows:#?}"
        );
        let calls = tool_calls(&rows);
        assert_eq!(calls.len(), 1, "{rows:#?}");
        let (tool, write, arguments, confirmation, detail, outcome) = &calls[0];
        assert_eq!((tool.as_str(), *write), (name.as_str(), false));
        assert_eq!(
            (arguments.as_str(), *confirmation, *outcome),
            ("", Confirmation::NotNeeded, Outcome::Ok)
        );
        assert_eq!(detail, &out.summary);
        assert!(rows
            .iter()
            .all(|e| e.actor == Actor::Agent && e.group_kind == GroupKind::ChatTurn));
    }
    // Reading a source does not touch the stored snapshot.
    assert_eq!(r.session.tasks().await.generated_at, 0);
}

#[tokio::test]
async fn get_todays_tasks_reads_the_snapshot_and_filters_it_without_any_exchange() {
    let r = Registry::start().await;
    r.session.refresh().await;
    let trail = r.trail();
    let out = r
        .call(&trail, "get_todays_tasks", json!({}), Consent::None)
        .await
        .expect("all tasks");
    let all = out.content["tasks"].as_array().expect("tasks").len();
    assert!(all > 10, "{}", out.content);
    assert!(out.content["snapshot"]
        .as_str()
        .unwrap()
        .starts_with("fetched "));
    let linear = r
        .tasks()
        .await
        .iter()
        .filter(|t| t.source == Source::Linear)
        .count();
    assert_eq!(
        out.content["sources"]["linear"],
        format!("ok ({linear} tasks)")
    );

    let out = r
        .call(
            &trail,
            "get_todays_tasks",
            json!({"source": "linear", "min_priority": "high", "limit": 2}),
            Consent::None,
        )
        .await
        .expect("filtered");
    let tasks = out.content["tasks"].as_array().expect("tasks");
    assert!(!tasks.is_empty() && tasks.len() <= 2, "{}", out.content);
    for t in tasks {
        assert_eq!(t["source"], "linear");
        assert!(
            t["priority"] == "critical" || t["priority"] == "high",
            "{t}"
        );
    }
    let rows = r.group(&trail).await;
    assert!(
        exchanges(&rows).is_empty(),
        "no source is contacted: {rows:#?}"
    );
    let calls = tool_calls(&rows);
    assert_eq!(calls[1].2, "source=linear, min_priority=high, limit=2");
}

#[tokio::test]
async fn refresh_all_sources_records_its_exchanges_in_the_callers_group() {
    let r = Registry::start().await;
    let trail = r.trail();
    let out = r
        .call(&trail, "refresh_all_sources", json!({}), Consent::None)
        .await
        .expect("refresh");
    assert!(out.summary.starts_with("Refreshed: "), "{}", out.summary);
    let rows = r.group(&trail).await;
    let mut sources = exchanges(&rows);
    sources.sort();
    let mut expected: Vec<String> = Source::PROVIDERS
        .iter()
        .map(|s| s.as_str().to_owned())
        .collect();
    expected.sort();
    assert_eq!(
        sources, expected,
        "one exchange per source, in the chat turn's group"
    );
    assert!(
        r.session.tasks().await.generated_at > 0,
        "the snapshot was stored"
    );
}

#[tokio::test]
async fn a_write_without_consent_is_refused_and_changes_nothing() {
    let r = Registry::start().await;
    r.session.refresh().await;
    let mention = r.first(TaskKind::Mention).await;
    let trail = r.trail();
    let err = r
        .call(
            &trail,
            "dismiss_task",
            json!({"task_id": mention.id.0}),
            Consent::None,
        )
        .await
        .unwrap_err();
    assert_eq!(err, ToolError::NeedsConfirmation("dismiss_task".into()));
    let err = r
        .call(
            &trail,
            "set_task_priority",
            json!({"task_id": mention.id.0, "priority": "critical"}),
            Consent::None,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ToolError::NeedsConfirmation(_)), "{err:?}");
    let decisions = r.state().store.decisions(r.sub()).await.unwrap();
    assert!(decisions.dismissed.is_empty() && decisions.overrides.is_empty());
    let calls = tool_calls(&r.group(&trail).await);
    assert_eq!(calls.len(), 2);
    for (tool, write, arguments, confirmation, detail, outcome) in &calls {
        assert!(write, "{tool}");
        assert!(
            arguments.starts_with(&format!("task_id={}", mention.id.0)),
            "{arguments}"
        );
        assert_eq!(
            (*confirmation, *outcome),
            (Confirmation::Denied, Outcome::Refused)
        );
        assert!(detail.contains("no confirmation given"), "{detail}");
    }
}

#[tokio::test]
async fn with_the_users_allow_a_write_changes_the_decision_and_says_so() {
    let r = Registry::start().await;
    r.session.refresh().await;
    let mention = r.first(TaskKind::Mention).await;
    let issue = r.first(TaskKind::Issue).await;
    let trail = r.trail();

    let described = tools::describe(
        r.state(),
        &r.user,
        &ToolCall {
            name: "dismiss_task".into(),
            arguments: json!({"task_id": mention.id.0}),
        },
    )
    .await
    .expect("describe");
    assert!(
        described.starts_with(&format!(
            "Dismiss \u{201c}{}\u{201d} ({})",
            mention.title,
            mention.source.label()
        )),
        "{described}"
    );

    let out = r
        .call(
            &trail,
            "dismiss_task",
            json!({"task_id": mention.id.0}),
            Consent::Allowed,
        )
        .await
        .expect("dismissed");
    assert_eq!(out.content["task"]["dismissed"], true);
    assert!(r
        .state()
        .store
        .decisions(r.sub())
        .await
        .unwrap()
        .dismissed
        .contains(&mention.id));
    let shown = r.tasks().await;
    assert!(shown.iter().find(|t| t.id == mention.id).unwrap().dismissed);

    let out = r
        .call(
            &trail,
            "set_task_priority",
            json!({"task_id": issue.id.0, "priority": "low"}),
            Consent::Allowed,
        )
        .await
        .expect("priority");
    assert_eq!(out.content["task"]["priority"], "low");
    let overrides = r.state().store.decisions(r.sub()).await.unwrap().overrides;
    assert_eq!(overrides.get(&issue.id), Some(&Priority::Low));

    r.call(
        &trail,
        "restore_task",
        json!({"task_id": mention.id.0}),
        Consent::Allowed,
    )
    .await
    .expect("restored");
    assert!(r
        .state()
        .store
        .decisions(r.sub())
        .await
        .unwrap()
        .dismissed
        .is_empty());

    let calls = tool_calls(&r.group(&trail).await);
    let summary: Vec<(&str, Confirmation, Outcome)> =
        calls.iter().map(|c| (c.0.as_str(), c.3, c.5)).collect();
    assert_eq!(
        summary,
        [
            ("dismiss_task", Confirmation::Allowed, Outcome::Ok),
            ("set_task_priority", Confirmation::Allowed, Outcome::Ok),
            ("restore_task", Confirmation::Allowed, Outcome::Ok),
        ]
    );
    assert_eq!(calls[1].2, format!("task_id={}, priority=low", issue.id.0));
    assert!(
        calls[0].4.starts_with("Dismissed \u{201c}"),
        "{}",
        calls[0].4
    );

    tools::record_denied(
        &trail,
        &ToolCall {
            name: "dismiss_task".into(),
            arguments: json!({"task_id": mention.id.0}),
        },
    )
    .await;
    let calls = tool_calls(&r.group(&trail).await);
    let denied = calls.last().unwrap();
    assert_eq!(
        (denied.0.as_str(), denied.1, denied.3, denied.5),
        ("dismiss_task", true, Confirmation::Denied, Outcome::Refused)
    );
    assert!(r
        .state()
        .store
        .decisions(r.sub())
        .await
        .unwrap()
        .dismissed
        .is_empty());
}

#[tokio::test]
async fn refusals_name_the_reason_and_are_recorded() {
    let r = Registry::start().await;
    r.session.refresh().await;
    let issue = r.first(TaskKind::Issue).await;
    let trail = r.trail();

    let err = r
        .call(
            &trail,
            "dismiss_task",
            json!({"task_id": issue.id.0}),
            Consent::Allowed,
        )
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ToolError::Conflict(
            "Linear issues can't be dismissed here: change their status in Linear.".into()
        )
    );
    let err = r
        .call(
            &trail,
            "restore_task",
            json!({"task_id": "slack:nope"}),
            Consent::Allowed,
        )
        .await
        .unwrap_err();
    assert_eq!(err, ToolError::NotFound("slack:nope".into()));
    let err = r
        .call(
            &trail,
            "close_issue",
            json!({"id": "ENG-142"}),
            Consent::Allowed,
        )
        .await
        .unwrap_err();
    assert_eq!(err, ToolError::UnknownTool("close_issue".into()));
    let err = r
        .call(
            &trail,
            "set_task_priority",
            json!({"task_id": issue.id.0, "priority": "urgent"}),
            Consent::Allowed,
        )
        .await
        .unwrap_err();
    let ToolError::InvalidArguments { tool, message } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(tool, "set_task_priority");
    assert!(message.contains("unknown variant `urgent`"), "{message}");
    let err = r
        .call(
            &trail,
            "plan_my_day",
            json!({"day": "tomorrow"}),
            Consent::None,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ToolError::InvalidArguments { .. }), "{err:?}");

    let d = r.state().store.decisions(r.sub()).await.unwrap();
    assert!(
        d.dismissed.is_empty() && d.overrides.is_empty(),
        "nothing written"
    );
    let calls = tool_calls(&r.group(&trail).await);
    let seen: Vec<(&str, Outcome)> = calls.iter().map(|c| (c.0.as_str(), c.5)).collect();
    assert_eq!(
        seen,
        [
            ("dismiss_task", Outcome::Refused),
            ("restore_task", Outcome::Refused),
            ("close_issue", Outcome::Refused),
            ("set_task_priority", Outcome::Refused),
            ("plan_my_day", Outcome::Refused),
        ]
    );
    assert!(calls[0].4.contains("can't be dismissed"), "{}", calls[0].4);
    assert!(
        calls[2].4.contains("there is no tool named"),
        "{}",
        calls[2].4
    );
    assert_eq!(calls[2].2, "id=ENG-142");
    assert!(
        calls[3]
            .4
            .contains("invalid arguments for set_task_priority"),
        "{}",
        calls[3].4
    );
    assert_eq!(
        calls[3].2,
        format!("priority=urgent, task_id={}", issue.id.0)
    );
}

#[tokio::test]
async fn a_source_the_user_turned_off_cannot_be_read_and_is_not_exchanged_for() {
    let r = Registry::start().await;
    r.state()
        .store
        .set_source_enabled(r.sub(), Source::Gmail, false)
        .await
        .unwrap();
    let trail = r.trail();
    let err = r
        .call(&trail, "read_gmail", json!({}), Consent::None)
        .await
        .unwrap_err();
    let ToolError::Unavailable(why) = &err else {
        panic!("{err:?}")
    };
    assert!(why.contains("turned Gmail off"), "{why}");
    let rows = r.group(&trail).await;
    assert!(exchanges(&rows).is_empty(), "{rows:#?}");
    assert_eq!(tool_calls(&rows)[0].5, Outcome::Refused);
    // Another source still works.
    r.call(&trail, "read_slack", json!({}), Consent::None)
        .await
        .expect("slack");
}

#[tokio::test]
async fn dashboard_decisions_are_recorded_as_the_users_own_actions() {
    let r = Registry::start().await;
    r.session.refresh().await;
    let mention = r.first(TaskKind::Mention).await;
    let segment: String = url::form_urlencoded::byte_serialize(mention.id.0.as_bytes()).collect();
    let response = r
        .session
        .request(Method::POST, &format!("/api/tasks/{segment}/dismiss"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let rows = r.activity().await;
    let last = rows.last().expect("an entry");
    assert_eq!(
        (last.actor, last.group_kind, last.outcome),
        (Actor::Ui, GroupKind::Action, Outcome::Ok)
    );
    assert_eq!(last.client, r.session.demo.client_id);
    let ActivityEvent::ToolCall {
        tool,
        write,
        arguments,
        confirmation,
        ..
    } = &last.event
    else {
        panic!("{last:?}")
    };
    assert_eq!(
        (tool.as_str(), *write, *confirmation),
        ("dismiss_task", true, Confirmation::NotNeeded)
    );
    assert_eq!(arguments, &format!("task_id={}", mention.id.0));
}

#[tokio::test]
async fn plan_my_day_over_the_demo_day_has_no_overlaps() {
    let r = Registry::start().await;
    r.session.refresh().await;
    let trail = r.trail();
    let out = r
        .call(&trail, "plan_my_day", json!({}), Consent::None)
        .await
        .expect("plan");
    let plan: DayPlan = serde_json::from_value(out.content["plan"].clone()).expect("a day plan");
    for pair in plan.blocks.windows(2) {
        assert!(pair[0].end <= pair[1].start, "{pair:?}");
    }
    for b in plan
        .blocks
        .iter()
        .filter(|b| matches!(b.kind, BlockKind::Focus | BlockKind::Prep))
    {
        assert!(
            b.start >= plan.work_start && b.end <= plan.work_end,
            "{b:?}"
        );
    }
    let agenda = out.content["agenda"].as_str().expect("agenda");
    assert!(
        agenda.starts_with(&format!("Plan for {}", plan.date)),
        "{agenda}"
    );
    assert!(out.summary.starts_with("Day plan: "), "{}", out.summary);
    assert!(
        plan.blocks
            .iter()
            .all(|b| !b.title.contains("Lunch & learn")),
        "the declined meeting is not on the plan"
    );
}

#[tokio::test]
async fn no_token_value_appears_in_any_activity_row() {
    let r = Registry::start().await;
    let trail = r.trail();
    r.call(&trail, "refresh_all_sources", json!({}), Consent::None)
        .await
        .expect("refresh");
    r.call(&trail, "read_linear", json!({}), Consent::None)
        .await
        .expect("linear");
    // A model (or a user pasting into the chat) may put a token in the arguments or
    // the tool name: it must not reach the table.
    let token = r.session.token.clone();
    let _ = r
        .call(
            &trail,
            "dismiss_task",
            json!({"task_id": token}),
            Consent::Allowed,
        )
        .await;
    let _ = r
        .call(
            &trail,
            "set_task_priority",
            json!({"task_id": "x", "priority": token}),
            Consent::Allowed,
        )
        .await;
    let _ = r
        .call(&trail, &token, json!({"token": token}), Consent::None)
        .await;
    let _ = r
        .call(
            &trail,
            "get_todays_tasks",
            json!({"search": token}),
            Consent::None,
        )
        .await;
    tools::record_denied(
        &trail,
        &ToolCall {
            name: "dismiss_task".into(),
            arguments: json!({"task_id": token}),
        },
    )
    .await;
    let rows = r.activity().await;
    assert!(rows.len() >= 10, "{rows:#?}");
    let text = serde_json::to_string(&rows).unwrap();
    let signature = token.rsplit('.').next().unwrap();
    assert!(
        !text.contains(&token),
        "the session token is in the activity table"
    );
    assert!(
        !text.contains(signature),
        "the token's signature is in the activity table"
    );
    assert!(
        !text.contains("eyJ"),
        "something JWT-like is in the activity table: {text}"
    );
    assert!(
        text.contains("[redacted]"),
        "the token-bearing calls were recorded, redacted"
    );
}
