//! Slack simulator: `GET /api/search.messages` and `GET /api/reactions.list` in the
//! Web API's wire format (`ok: true`, errors as HTTP 200 `ok: false`).
//!
//! Search matches every query term against the raw message text (modifiers such as
//! `in:` or `after:` are ignored) with legacy `page`/`count` paging; reactions use
//! `cursor`/`limit`. Pages hold at most [`PAGE_CAP`] results so pagination is
//! exercised. The request header `x-pmt-sim-day: empty` asks for a day without
//! messages.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::day::SLACK_USER_ID;
use super::SimState;
use crate::sources::Today;

/// Most results per page, whatever `count`/`limit` ask for.
pub const PAGE_CAP: usize = 2;

const GRACE: (&str, &str) = ("U0GRACE01", "grace");
const ALAN: (&str, &str) = ("U0ALAN001", "alan");
const DANA: (&str, &str) = (SLACK_USER_ID, "dana");

/// The provider's routes, relative to `/sim/slack`.
pub fn router() -> Router<SimState> {
    Router::new()
        .route("/api/search.messages", get(search_messages))
        .route("/api/reactions.list", get(reactions_list))
}

struct SimMessage {
    channel: (&'static str, &'static str),
    author: (&'static str, &'static str),
    /// Unix seconds.
    at: i64,
    /// Distinguishes messages in the same second.
    seq: u32,
    text: String,
    /// `(emoji, users)` reactions.
    reactions: Vec<(&'static str, Vec<&'static str>)>,
}

impl SimMessage {
    fn ts(&self) -> String {
        format!("{}.{:06}", self.at, 1900 + self.seq)
    }

    fn permalink(&self) -> String {
        format!(
            "https://acme.slack.com/archives/{}/p{}",
            self.channel.0,
            self.ts().replace('.', "")
        )
    }
}

const ENG_SYNC: (&str, &str) = ("C0ENGSYNC1", "eng-sync");
const FINANCE: (&str, &str) = ("C0FINANCE1", "finance");
const RANDOM: (&str, &str) = ("C0RANDOM01", "random");
const GENERAL: (&str, &str) = ("C0GENERAL1", "general");
const ONCALL: (&str, &str) = ("C0ONCALL01", "oncall");

/// Today's messages, newest first. Times are fixed points of the day (never "now
/// minus …"): a message's `ts` is its identity, so it must not move between refreshes.
fn messages(today: &Today) -> Vec<SimMessage> {
    let me = format!("<@{SLACK_USER_ID}>");
    let day = 86_400;
    let mut all = vec![
        SimMessage {
            channel: FINANCE,
            author: ALAN,
            at: today.start + 8 * 3600 + 35 * 60,
            seq: 1,
            text: format!("{me} thoughts on <https://docs.google.com/document/d/1BudgetQ3DocAcme00000000000/edit|the Q3 budget doc>?"),
            reactions: vec![],
        },
        SimMessage {
            channel: RANDOM,
            author: ALAN,
            at: today.start + 8 * 3600 + 5 * 60,
            seq: 2,
            text: format!("{me} lunch?"),
            reactions: vec![],
        },
        SimMessage {
            channel: ENG_SYNC,
            author: GRACE,
            at: today.start + 8 * 3600 + 50 * 60,
            seq: 3,
            text: format!("{me} can you look at ENG-142 before standup? PR is <https://github.com/acme/api/pull/1347>"),
            reactions: vec![],
        },
        SimMessage {
            channel: ENG_SYNC,
            author: GRACE,
            at: today.start + 7 * 3600,
            seq: 4,
            text: format!("FYI {me}: the rollout notes moved to <https://docs.google.com/document/d/1SyncV2DesignDoc0000000000000/edit|Sync v2 design>"),
            reactions: vec![],
        },
        SimMessage {
            channel: ENG_SYNC,
            author: GRACE,
            at: today.start - 9 * 3600,
            seq: 5,
            text: "Sync v2 canary is green :tada:".to_owned(),
            reactions: vec![("tada", vec![SLACK_USER_ID, ALAN.0])],
        },
        SimMessage {
            channel: GENERAL,
            author: GRACE,
            at: today.start - 8 * 3600,
            seq: 6,
            text: format!("{me} please add your availability to the Q4 planning sheet &amp; ping <@{}>", ALAN.0),
            reactions: vec![("eyes", vec![SLACK_USER_ID])],
        },
        SimMessage {
            channel: ONCALL,
            author: ALAN,
            at: today.start - 7 * 3600,
            seq: 7,
            text: "Can someone update the on-call runbook?".to_owned(),
            reactions: vec![("eyes", vec![SLACK_USER_ID, GRACE.0])],
        },
        SimMessage {
            channel: ENG_SYNC,
            author: ALAN,
            at: today.start - 6 * 3600,
            seq: 8,
            text: "<https://github.com/acme/web/pull/88|Dark mode PR> is ready for eyes".to_owned(),
            reactions: vec![("eyes", vec![GRACE.0]), ("+1", vec![SLACK_USER_ID])],
        },
        SimMessage {
            channel: ENG_SYNC,
            author: DANA,
            at: today.start - 5 * 3600,
            seq: 9,
            text: format!("note to self {me}: rotate the staging keys"),
            reactions: vec![],
        },
        SimMessage {
            channel: FINANCE,
            author: ALAN,
            at: today.start - 10 * day,
            seq: 10,
            text: format!("{me} can you share the Q2 retro notes?"),
            reactions: vec![],
        },
    ];
    all.sort_by_key(|m| std::cmp::Reverse(m.at));
    all
}

fn channel_json(channel: (&str, &str)) -> Value {
    json!({
        "id": channel.0, "name": channel.1, "is_channel": true, "is_group": false, "is_im": false,
        "is_mpim": false, "is_shared": false, "is_org_shared": false, "is_ext_shared": false,
        "is_private": false, "is_pending_ext_shared": false, "pending_shared": []
    })
}

fn reactions_json(m: &SimMessage) -> Vec<Value> {
    m.reactions
        .iter()
        .map(|(name, users)| json!({"name": name, "users": users, "count": users.len()}))
        .collect()
}

fn slack_error(error: &str) -> Response {
    Json(json!({"ok": false, "error": error})).into_response()
}

fn empty_day(headers: &HeaderMap) -> bool {
    headers
        .get("x-pmt-sim-day")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"empty"))
}

fn number(params: &HashMap<String, String>, key: &str, default: usize) -> usize {
    params
        .get(key)
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

async fn search_messages(
    State(state): State<SimState>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let Some(query) = params.get("query").filter(|q| !q.trim().is_empty()) else {
        return slack_error("invalid_arguments");
    };
    let today = state.day().today();
    let terms: Vec<String> = query
        .split_whitespace()
        .filter(|t| !t.contains(':') || t.starts_with('<'))
        .map(str::to_lowercase)
        .collect();
    let all = if empty_day(&headers) {
        Vec::new()
    } else {
        messages(&today)
    };
    let mut hits: Vec<&SimMessage> = all
        .iter()
        .filter(|m| {
            let text = m.text.to_lowercase();
            terms.iter().all(|t| text.contains(t.as_str()))
        })
        .collect();
    if params.get("sort_dir").map(String::as_str) == Some("asc") {
        hits.reverse();
    }
    let count = number(&params, "count", 20).min(100).min(PAGE_CAP);
    let page = number(&params, "page", 1);
    let pages = hits.len().div_ceil(count).max(1);
    if page > pages && !hits.is_empty() {
        return slack_error("page_out_of_range");
    }
    let matches: Vec<Value> = hits
        .iter()
        .skip((page - 1) * count)
        .take(count)
        .map(|m| {
            json!({
                "iid": format!("5f3c2b1a-0d9e-4c8b-a7f6-{:012}", m.seq),
                "type": "message",
                "ts": m.ts(),
                "text": m.text,
                "user": m.author.0,
                "username": m.author.1,
                "team": "T0ACME0001",
                "permalink": m.permalink(),
                "channel": channel_json(m.channel),
            })
        })
        .collect();
    let total = hits.len();
    Json(json!({
        "ok": true,
        "query": query,
        "messages": {
            "total": total,
            "matches": matches,
            "pagination": {
                "total_count": total, "page": page, "per_page": count, "page_count": pages,
                "first": ((page - 1) * count + 1).min(total), "last": (page * count).min(total)
            },
            "paging": {"count": count, "total": total, "page": page, "pages": pages}
        }
    }))
    .into_response()
}

async fn reactions_list(
    State(state): State<SimState>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let today = state.day().today();
    let all = if empty_day(&headers) {
        Vec::new()
    } else {
        messages(&today)
    };
    let mine: Vec<&SimMessage> = all
        .iter()
        .filter(|m| m.reactions.iter().any(|(_, u)| u.contains(&SLACK_USER_ID)))
        .collect();
    let mut items: Vec<Value> = mine
        .iter()
        .map(|m| {
            json!({
                "type": "message",
                "channel": m.channel.0,
                "message": {
                    "type": "message",
                    "user": m.author.0,
                    "text": m.text,
                    "ts": m.ts(),
                    "team": "T0ACME0001",
                    "permalink": m.permalink(),
                    "reactions": reactions_json(m),
                }
            })
        })
        .collect();
    if !items.is_empty() {
        // Files can carry reactions too; they are not messages.
        items.insert(
            1,
            json!({
                "type": "file",
                "file": {"id": "F0FILE0001", "name": "q3-budget.xlsx", "title": "Q3 budget",
                         "reactions": [{"name": "eyes", "users": [SLACK_USER_ID], "count": 1}]}
            }),
        );
    }
    let limit = number(&params, "limit", 100).min(1000).min(PAGE_CAP);
    let start = match params.get("cursor").filter(|c| !c.is_empty()) {
        None => 0,
        Some(cursor) => match cursor
            .strip_prefix("dXNlcjo")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n <= items.len())
        {
            Some(n) => n,
            None => return slack_error("invalid_cursor"),
        },
    };
    let end = (start + limit).min(items.len());
    let next_cursor = if end < items.len() {
        format!("dXNlcjo{end}")
    } else {
        String::new()
    };
    Json(json!({
        "ok": true,
        "items": &items[start..end],
        "response_metadata": {"next_cursor": next_cursor}
    }))
    .into_response()
}
