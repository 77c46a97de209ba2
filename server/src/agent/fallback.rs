//! The chat without an LLM: it says so, and still answers "plan my day" with the day
//! plan, run through the registry like any agent call (so it is in the activity trail).

use pmt_wire::agent::ChatEvent;
use pmt_wire::dayplan::{BlockKind, DayPlan};
use serde_json::{json, Value};

use super::Turn;
use crate::tools::{self, Consent, ToolCall};

/// The notice every answer without an LLM starts with.
pub const NO_LLM_NOTICE: &str = "No LLM is configured — set [llm] in the config file (provider, \
    model, and the API key in the environment; in demo mode PMT_LLM_PROVIDER and \
    PMT_LLM_MODEL) to chat with Todaygent. Without one it can still plan your day.";

/// What works without an LLM, for any other message.
pub const WHAT_WORKS: &str = "Without an LLM I can only do one thing: build today's plan. Ask \
    me to **plan my day** and you get a time-blocked schedule around your meetings. \
    Everything else — dismissing, restoring, changing priorities, searching and filtering — \
    works directly in the dashboard.";

/// The tool that builds the plan.
pub const PLAN_TOOL: &str = "plan_my_day";

/// Whether the message asks for the day plan (a plain word match).
pub fn wants_plan(message: &str) -> bool {
    let lower = message.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |w: &str| words.contains(&w);
    let phrase = |a: &str, b: &str| words.windows(2).any(|p| p[0] == a && p[1] == b);
    [
        "plan",
        "planning",
        "schedule",
        "agenda",
        "timeline",
        "timebox",
        "timeblock",
    ]
    .into_iter()
    .any(has)
        || phrase("my", "day")
        || phrase("time", "block")
        || phrase("time", "blocks")
        || phrase("what", "first")
}

/// Answers `message` without an LLM.
pub async fn answer(turn: &Turn, message: &str) {
    turn.out
        .send(ChatEvent::Notice {
            message: NO_LLM_NOTICE.to_owned(),
        })
        .await;
    if !wants_plan(message) {
        turn.out
            .send(ChatEvent::Text {
                delta: WHAT_WORKS.to_owned(),
            })
            .await;
        return;
    }
    let call_id = "plan-1".to_owned();
    turn.out
        .send(ChatEvent::ToolCall {
            call_id: call_id.clone(),
            tool: PLAN_TOOL.to_owned(),
            summary: "no arguments".to_owned(),
            write: false,
        })
        .await;
    let call = ToolCall {
        name: PLAN_TOOL.to_owned(),
        arguments: json!({}),
    };
    match tools::call(&turn.state, &turn.user, &turn.trail, &call, Consent::None).await {
        Ok(output) => {
            turn.out
                .send(ChatEvent::ToolResult {
                    call_id,
                    ok: true,
                    summary: output.summary.clone(),
                })
                .await;
            let text = match plan_in(&output.content) {
                Some(plan) => render(&plan, &turn.state.config.time_zone),
                None => output.summary,
            };
            turn.out.send(ChatEvent::Text { delta: text }).await;
        }
        Err(e) => {
            turn.out
                .send(ChatEvent::ToolResult {
                    call_id,
                    ok: false,
                    summary: e.to_string(),
                })
                .await;
            turn.out
                .send(ChatEvent::Error {
                    message: format!("The day plan could not be made: {e}."),
                })
                .await;
        }
    }
}

/// The plan in a tool result: the result itself, or its `plan` field.
pub fn plan_in(content: &Value) -> Option<DayPlan> {
    serde_json::from_value(content.clone())
        .ok()
        .or_else(|| serde_json::from_value(content.get("plan")?.clone()).ok())
}

/// The plan as markdown, times in `time_zone`.
pub fn render(plan: &DayPlan, time_zone: &str) -> String {
    let tz = jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let at = |t: i64| {
        jiff::Timestamp::from_second(t)
            .map(|ts| ts.to_zoned(tz.clone()).strftime("%H:%M").to_string())
            .unwrap_or_else(|_| "??:??".to_owned())
    };
    let day = jiff::Timestamp::from_second(plan.work_start)
        .map(|ts| ts.to_zoned(tz.clone()).strftime("%A %-d %B").to_string())
        .unwrap_or_else(|_| plan.date.clone());
    let mut out = format!(
        "**Your day, {day}** (working hours {}–{})\n\n",
        at(plan.work_start),
        at(plan.work_end)
    );
    if plan.blocks.is_empty() {
        out.push_str("Nothing is scheduled: no meetings and no open tasks today.\n");
    }
    for block in &plan.blocks {
        let kind = match block.kind {
            BlockKind::Meeting => "Meeting",
            BlockKind::Prep => "Prep",
            BlockKind::Focus => "Focus",
            BlockKind::Break => "Break",
        };
        out.push_str(&format!(
            "- {}–{} · {kind}: {}",
            at(block.start),
            at(block.end),
            block.title
        ));
        if !block.note.is_empty() {
            out.push_str(&format!(" — {}", block.note));
        }
        out.push('\n');
    }
    if !plan.not_today.is_empty() {
        out.push_str("\n**Not today**\n");
        for item in &plan.not_today {
            out.push_str(&format!("- {} — {}\n", item.title, item.reason));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use pmt_wire::dayplan::{NotToday, PlanBlock};
    use pmt_wire::{Source, TaskId};

    #[test]
    fn plan_requests_are_recognised() {
        for yes in [
            "plan my day",
            "Plan My Day!",
            "what's my schedule?",
            "can you make an agenda",
            "How does my day look",
            "time block my afternoon",
            "planning please",
        ] {
            assert!(wants_plan(yes), "{yes}");
        }
        for no in [
            "dismiss the digest",
            "explain ENG-142",
            "airplane mode",
            "what is due today",
        ] {
            assert!(!wants_plan(no), "{no}");
        }
    }

    #[test]
    fn renders_blocks_and_overflow_in_the_users_zone() {
        // 2025-11-24 08:00 UTC = 09:00 in Paris.
        let start = 1_763_971_200;
        let plan = DayPlan {
            date: "2025-11-24".into(),
            work_start: start,
            work_end: start + 8 * 3600,
            blocks: vec![
                PlanBlock {
                    start,
                    end: start + 1800,
                    kind: BlockKind::Prep,
                    title: "Design review".into(),
                    task: None,
                    prepares: Some(TaskId::new(Source::GoogleCalendar, "e1")),
                    note: "prep for Design review".into(),
                },
                PlanBlock {
                    start: start + 1800,
                    end: start + 3600,
                    kind: BlockKind::Meeting,
                    title: "Design review".into(),
                    task: None,
                    prepares: None,
                    note: String::new(),
                },
            ],
            not_today: vec![NotToday {
                task: TaskId::new(Source::Linear, "ENG-9"),
                title: "Refactor billing".into(),
                reason: "no free 90-minute block".into(),
            }],
        };
        let text = render(&plan, "Europe/Paris");
        assert!(text.contains("Monday 24 November"), "{text}");
        assert!(text.contains("09:00–17:00"), "{text}");
        assert!(text.contains("- 09:00–09:30 · Prep: Design review — prep for Design review"));
        assert!(text.contains("- 09:30–10:00 · Meeting: Design review\n"));
        assert!(text.contains("**Not today**\n- Refactor billing — no free 90-minute block"));
        let wrapped = json!({ "plan": plan });
        assert_eq!(plan_in(&wrapped), Some(plan));
    }
}
