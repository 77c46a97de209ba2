//! Granola simulator: `GET /v1/notes` (cursor paging, `created_after`/`created_before`
//! filters) and `GET /v1/notes/{id}` in the public API's wire format.
//!
//! One note in the list ("Vendor sync", just ended) has no summary yet and answers
//! `404` on get, like a note Granola is still processing. Pages hold at most
//! [`PAGE_CAP`] notes whatever `page_size` asks for, so pagination is exercised. The
//! request header `x-pmt-sim-day: empty` asks for a day without notes.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::day::{EMAIL, NAME};
use super::SimState;
use crate::sources::Today;

/// Most notes per page, whatever `page_size` asks for.
pub const PAGE_CAP: usize = 2;

/// The provider's routes, relative to `/sim/granola`.
pub fn router() -> Router<SimState> {
    Router::new()
        .route("/v1/notes", get(list_notes))
        .route("/v1/notes/{id}", get(get_note))
}

const DANA: (&str, &str) = (NAME, EMAIL);
const GRACE: (&str, &str) = ("Grace Hopper", "grace@example.com");
const ALAN: (&str, &str) = ("Alan Turing", "alan@example.com");

struct SimNote {
    id: &'static str,
    title: &'static str,
    owner: (&'static str, &'static str),
    /// Unix seconds.
    created_at: i64,
    attendees: &'static [(&'static str, &'static str)],
    /// `None` = not processed yet (404 on get).
    summary: Option<&'static str>,
}

/// The notes of the last two weeks, newest first.
fn notes(today: &Today) -> Vec<SimNote> {
    let day = 86_400;
    let mut all = vec![
        SimNote {
            id: "not_SyncV2Stndup01",
            title: "Sync v2 standup",
            owner: DANA,
            created_at: today.start + 9 * 3600 + 20 * 60,
            attendees: &[DANA, GRACE, ALAN],
            summary: Some(
                "## Decisions\n- Ship sync v2 behind a flag\n- Keep the v1 fallback for one week\n\n\
                 ## Action items\n- [ ] Dana: finish ENG-142 fix and ask Grace for review\n\
                 - [ ] Grace: update the rollout doc\n\
                 - I'll send the budget numbers to Finance by EOD\n- [x] Dana: close ENG-120",
            ),
        },
        SimNote {
            id: "not_VendorSync0001",
            title: "Vendor sync",
            owner: DANA,
            created_at: today.now - 5 * 60,
            attendees: &[DANA, ALAN],
            summary: None,
        },
        SimNote {
            id: "not_OneOnOneGrace1",
            title: "1:1 Grace / Dana",
            owner: DANA,
            created_at: today.start - day + 14 * 3600 + 35 * 60,
            attendees: &[DANA, GRACE],
            summary: Some(
                "## Notes\n- Talked about the sync v2 rollout and hiring\n\n\
                 ### Next steps\n- [ ] Book a room for the Q4 retro\n\
                 - Grace: share the hiring plan\n\
                 - [ ] I need to review the ENG-151 runbook outline by Thu",
            ),
        },
        SimNote {
            id: "not_DesignReview01",
            title: "Onboarding design review",
            owner: GRACE,
            created_at: today.start - 3 * day + 11 * 3600,
            attendees: &[GRACE, DANA],
            summary: Some(
                "Reviewed the new onboarding flow.\n\n**To-dos**\n\
                 - [ ] Dana: review the new onboarding mocks by Fri\n\
                 - I'll update the mocks with the new copy (ENG-160)",
            ),
        },
        SimNote {
            id: "not_WeeklyPlann1ng",
            title: "Weekly planning",
            owner: GRACE,
            created_at: today.start - 7 * day + 16 * 3600 + 30 * 60,
            attendees: &[GRACE, DANA, ALAN],
            summary: Some(
                "## Priorities\n- Q3 OKRs\n- Vendor renewals\n\n## Action items\n\
                 - [ ] @Dana can you draft the Q3 OKRs?\n\
                 - Alan can you check the vendor contract?\n\
                 - [ ] Grace: circulate the Q4 planning doc",
            ),
        },
        SimNote {
            id: "not_Q2Retro0000001",
            title: "Q2 retro",
            owner: DANA,
            created_at: today.start - 12 * day + 15 * 3600,
            attendees: &[DANA, GRACE, ALAN],
            summary: Some("## Action items\n- [ ] Dana: share the Q2 retro notes"),
        },
    ];
    all.sort_by_key(|n| std::cmp::Reverse(n.created_at));
    all
}

fn rfc3339(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

fn person((name, email): (&str, &str)) -> Value {
    json!({"name": name, "email": email})
}

fn thin(note: &SimNote) -> Value {
    json!({
        "id": note.id,
        "object": "note",
        "title": note.title,
        "owner": person(note.owner),
        "created_at": rfc3339(note.created_at),
        "updated_at": rfc3339(note.created_at + 10 * 60),
    })
}

fn full(note: &SimNote, summary: &str) -> Value {
    let start = note.created_at - 30 * 60;
    let mut value = thin(note);
    value["web_url"] = json!(format!(
        "https://notes.granola.ai/d/{}",
        note.id.trim_start_matches("not_")
    ));
    value["calendar_event"] = json!({
        "event_title": note.title,
        "scheduled_start_time": rfc3339(start),
        "scheduled_end_time": rfc3339(start + 30 * 60),
        "organiser": note.owner.1,
        "invitees": note.attendees.iter().map(|a| json!({"email": a.1})).collect::<Vec<_>>(),
    });
    value["attendees"] = json!(note
        .attendees
        .iter()
        .map(|a| person(*a))
        .collect::<Vec<_>>());
    value["folder_membership"] = json!([]);
    value["summary_text"] = json!(summary
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join(" "));
    value["summary_markdown"] = json!(summary);
    value
}

fn api_error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"message": message}))).into_response()
}

fn empty_day(headers: &HeaderMap) -> bool {
    headers
        .get("x-pmt-sim-day")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"empty"))
}

/// An ISO 8601 query parameter; `Err` names the parameter.
fn timestamp_param(params: &HashMap<String, String>, key: &str) -> Result<Option<i64>, String> {
    params
        .get(key)
        .map(|v| {
            v.parse::<jiff::Timestamp>()
                .map(|t| t.as_second())
                .map_err(|_| format!("{key} must be an ISO 8601 date-time"))
        })
        .transpose()
}

async fn list_notes(
    State(state): State<SimState>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let today = state.day().today();
    let (after, before) = match (
        timestamp_param(&params, "created_after"),
        timestamp_param(&params, "created_before"),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(message), _) | (_, Err(message)) => {
            return api_error(StatusCode::BAD_REQUEST, &message)
        }
    };
    let page_size = match params.get("page_size").map(|v| v.parse::<usize>()) {
        None => 10,
        Some(Ok(n)) if (1..=30).contains(&n) => n,
        Some(_) => {
            return api_error(
                StatusCode::BAD_REQUEST,
                "page_size must be between 1 and 30",
            )
        }
    }
    .min(PAGE_CAP);
    let all = if empty_day(&headers) {
        Vec::new()
    } else {
        notes(&today)
    };
    let matching: Vec<&SimNote> = all
        .iter()
        .filter(|n| after.is_none_or(|a| n.created_at >= a))
        .filter(|n| before.is_none_or(|b| n.created_at < b))
        .collect();
    let start = match params.get("cursor").filter(|c| !c.is_empty()) {
        None => 0,
        Some(cursor) => match matching
            .iter()
            .position(|n| format!("cur_{}", n.id) == *cursor)
        {
            Some(i) => i,
            None => return api_error(StatusCode::BAD_REQUEST, "Invalid cursor"),
        },
    };
    let end = (start + page_size).min(matching.len());
    let has_more = end < matching.len();
    let cursor = has_more.then(|| format!("cur_{}", matching[end].id));
    Json(json!({
        "notes": matching[start..end].iter().map(|n| thin(n)).collect::<Vec<_>>(),
        "hasMore": has_more,
        "cursor": cursor,
    }))
    .into_response()
}

async fn get_note(
    State(state): State<SimState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let today = state.day().today();
    let all = if empty_day(&headers) {
        Vec::new()
    } else {
        notes(&today)
    };
    match all.iter().find(|n| n.id == id) {
        Some(note) => match note.summary {
            Some(summary) => Json(full(note, summary)).into_response(),
            None => api_error(StatusCode::NOT_FOUND, "Note not found"),
        },
        None => api_error(StatusCode::NOT_FOUND, "Note not found"),
    }
}
