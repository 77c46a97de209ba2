//! Google Drive simulator: the Drive Activity API (`POST /v2/activity:query`) and the
//! Drive API's `comments.list` and `about.get`, serving the demo day's doc comments in
//! their wire formats. In production the two APIs live on different hosts; here both
//! are under `/sim/google_drive`.
//!
//! Activity: the `filter` is evaluated (`time >=|>|<=|< "<RFC 3339>"` or epoch
//! milliseconds, `detail.action_detail_case:X` or `:(X Y)`, `-` to exclude, clauses
//! joined by `AND`; anything else is a `400`), pages hold at most
//! [`ACTIVITY_PAGE_SIZE`] activities with the token in the body, an empty result is
//! `{}`. Comments: `fields` is required (`400` without it, as in the API), pages hold at
//! most [`COMMENT_PAGE_SIZE`] comments, deleted comments only with `includeDeleted`,
//! an unknown file is a `404`.
//!
//! The story: Grace assigned Dana a comment on "Q3 budget draft" ("please confirm these
//! numbers"), Alan mentioned Dana on "Sync v2 design" ("is the ENG-142 fix in scope for
//! v2?"), Grace assigned Dana a comment on the "Onboarding checklist" sheet; an older
//! mention on "Sync v2 design" is resolved, one on "Old launch notes" is on a file that
//! has since been deleted, and comments that are not for Dana, edits, and activity
//! older than a week are there to be filtered out.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{json, Value};

use super::day::{EMAIL, NAME};
use super::SimState;
use crate::sources::Today;

/// Most activities on one page, whatever `pageSize` asks for.
pub const ACTIVITY_PAGE_SIZE: usize = 3;
/// Most comments on one page, whatever `pageSize` asks for.
pub const COMMENT_PAGE_SIZE: usize = 2;

const DANA_PERSON: &str = "people/104857600000000000001";
const GRACE: (&str, &str) = ("people/109999999999999999991", "Grace Hopper");
const ALAN: (&str, &str) = ("people/109999999999999999992", "Alan Turing");
const FINANCE: (&str, &str) = ("people/109999999999999999993", "Finance");

const DOC: &str = "application/vnd.google-apps.document";
const SHEET: &str = "application/vnd.google-apps.spreadsheet";

/// A file of the demo Drive.
#[derive(Debug, Clone, Copy)]
struct DemoFile {
    id: &'static str,
    title: &'static str,
    mime_type: &'static str,
    /// Deleted since its activity: its comments are a `404`.
    gone: bool,
}

const BUDGET: DemoFile = DemoFile {
    id: "1BudgetQ3DocAcme00000000000",
    title: "Q3 budget draft",
    mime_type: DOC,
    gone: false,
};
const SYNC_DESIGN: DemoFile = DemoFile {
    id: "1SyncV2DesignDoc0000000000000",
    title: "Sync v2 design",
    mime_type: DOC,
    gone: false,
};
const ONBOARDING: DemoFile = DemoFile {
    id: "1OnboardingChecklistSheet000",
    title: "Onboarding checklist",
    mime_type: SHEET,
    gone: false,
};
const OFFSITE: DemoFile = DemoFile {
    id: "1TeamOffsiteAgenda0000000000",
    title: "Team offsite agenda",
    mime_type: DOC,
    gone: false,
};
const OLD_LAUNCH: DemoFile = DemoFile {
    id: "1OldLaunchNotes000000000000",
    title: "Old launch notes",
    mime_type: DOC,
    gone: true,
};
const Q2_RETRO: DemoFile = DemoFile {
    id: "1Q2RetroNotes00000000000000",
    title: "Q2 retro",
    mime_type: DOC,
    gone: false,
};
const FILES: [DemoFile; 6] = [
    BUDGET,
    SYNC_DESIGN,
    ONBOARDING,
    OFFSITE,
    OLD_LAUNCH,
    Q2_RETRO,
];

/// The provider's routes, relative to `/sim/google_drive`.
pub fn router() -> Router<SimState> {
    Router::new()
        .route("/v2/activity:query", post(query_activity))
        .route("/drive/v3/files/{file_id}/comments", get(list_comments))
        .route("/drive/v3/about", get(about))
}

/// A Google API error.
fn api_error(status: StatusCode, reason: &str, message: &str) -> Response {
    let state = match status {
        StatusCode::NOT_FOUND => "NOT_FOUND",
        _ => "INVALID_ARGUMENT",
    };
    let body = json!({
        "error": {
            "code": status.as_u16(),
            "message": message,
            "errors": [{"message": message, "domain": "global", "reason": reason}],
            "status": state,
        }
    });
    (status, Json(body)).into_response()
}

fn invalid(message: &str) -> Response {
    api_error(StatusCode::BAD_REQUEST, "badRequest", message)
}

fn fields_required() -> Response {
    api_error(
        StatusCode::BAD_REQUEST,
        "required",
        "The 'fields' parameter is required for this method.",
    )
}

fn rfc3339(unix: i64) -> String {
    Timestamp::from_second(unix)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S.000Z").to_string())
        .unwrap_or_default()
}

/// `QueryDriveActivityRequest`; unknown fields are refused, as by the API.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
struct ActivityRequest {
    item_name: Option<String>,
    ancestor_name: Option<String>,
    filter: Option<String>,
    page_size: Option<i64>,
    page_token: Option<String>,
    consolidation_strategy: Option<Value>,
}

async fn query_activity(State(state): State<SimState>, body: Bytes) -> Response {
    let today = state.day().today();
    let request: ActivityRequest = if body.iter().all(u8::is_ascii_whitespace) {
        ActivityRequest::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(_) => return invalid("Invalid JSON payload received."),
        }
    };
    if request.item_name.is_some() && request.ancestor_name.is_some() {
        return invalid("Only one of item_name and ancestor_name may be set.");
    }
    let Some(filter) = Filter::parse(request.filter.as_deref().unwrap_or("")) else {
        return invalid("Invalid filter.");
    };
    let scope = request
        .item_name
        .as_deref()
        .or(request.ancestor_name.as_deref())
        .and_then(|n| n.strip_prefix("items/"))
        .filter(|n| *n != "root");
    let matching: Vec<DemoActivity> = activities(&today)
        .into_iter()
        .filter(|a| filter.admits(a) && scope.is_none_or(|id| a.file.id == id))
        .collect();
    let offset = match request.page_token.as_deref() {
        None | Some("") => 0,
        Some(token) => match decode_page_token(token).filter(|o| *o <= matching.len()) {
            Some(o) => o,
            None => return invalid("Invalid page token."),
        },
    };
    let size = usize::try_from(request.page_size.unwrap_or(50))
        .unwrap_or(1)
        .clamp(1, ACTIVITY_PAGE_SIZE);
    let end = (offset + size).min(matching.len());
    let mut body = json!({});
    if end > offset {
        body["activities"] = matching[offset..end]
            .iter()
            .map(DemoActivity::to_json)
            .collect();
    }
    if end < matching.len() {
        body["nextPageToken"] = json!(encode_page_token("activity", end));
    }
    Json(body).into_response()
}

fn encode_page_token(kind: &str, offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}:{offset}"))
}

fn decode_page_token(token: &str) -> Option<usize> {
    decode_page_token_of("activity", token)
}

fn decode_page_token_of(kind: &str, token: &str) -> Option<usize> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(token).ok()?).ok()?;
    raw.strip_prefix(kind)?.strip_prefix(':')?.parse().ok()
}

/// A parsed Activity filter.
#[derive(Debug, Default, PartialEq)]
struct Filter {
    /// (operator, Unix milliseconds).
    times: Vec<(&'static str, i64)>,
    /// Activity kinds admitted (empty = all).
    cases: Vec<String>,
    /// Activity kinds refused.
    excluded: Vec<String>,
}

impl Filter {
    /// `None` when the filter is not valid syntax.
    fn parse(filter: &str) -> Option<Filter> {
        let mut parsed = Filter::default();
        if filter.trim().is_empty() {
            return Some(parsed);
        }
        for clause in filter.split(" AND ").map(str::trim) {
            if let Some(rest) = clause.strip_prefix("time") {
                let rest = rest.trim_start();
                let (op, value) = [">=", "<=", ">", "<"]
                    .into_iter()
                    .find_map(|op| rest.strip_prefix(op).map(|v| (op, v.trim())))?;
                let millis = match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
                    Some(text) => text.parse::<Timestamp>().ok()?.as_millisecond(),
                    None => value.parse().ok()?,
                };
                parsed.times.push((op, millis));
                continue;
            }
            let (negated, clause) = match clause.strip_prefix('-') {
                Some(c) => (true, c),
                None => (false, clause),
            };
            let value = clause.strip_prefix("detail.action_detail_case:")?;
            let cases: Vec<String> = match value.strip_prefix('(').and_then(|v| v.strip_suffix(')'))
            {
                Some(list) => list.split_whitespace().map(str::to_owned).collect(),
                None => vec![value.to_owned()],
            };
            if cases.is_empty()
                || cases
                    .iter()
                    .any(|c| !c.chars().all(|ch| ch.is_ascii_uppercase() || ch == '_'))
            {
                return None;
            }
            if negated {
                parsed.excluded.extend(cases);
            } else {
                parsed.cases.extend(cases);
            }
        }
        Some(parsed)
    }

    fn admits(&self, activity: &DemoActivity) -> bool {
        let at = activity.at * 1000;
        let case = activity.case();
        self.times.iter().all(|(op, t)| match *op {
            ">=" => at >= *t,
            ">" => at > *t,
            "<=" => at <= *t,
            _ => at < *t,
        }) && (self.cases.is_empty() || self.cases.iter().any(|c| c == case))
            && !self.excluded.iter().any(|c| c == case)
    }
}

/// What a demo activity did.
#[derive(Debug, Clone, Copy)]
enum Act {
    /// A comment post (`ADDED`, `REPLY_ADDED`, `RESOLVED`, …), mentioning Dana or not.
    Post(&'static str, bool),
    /// A comment assigned to Dana (`ADDED`), which also mentions her.
    AssignedToDana,
    /// A content edit.
    Edit,
}

/// One activity of the demo Drive.
#[derive(Debug, Clone)]
struct DemoActivity {
    at: i64,
    actor: (&'static str, &'static str),
    act: Act,
    file: DemoFile,
    comment_id: &'static str,
}

fn known_user(person: &str) -> Value {
    if person == DANA_PERSON {
        json!({"knownUser": {"personName": person, "isCurrentUser": true}})
    } else {
        json!({"knownUser": {"personName": person}})
    }
}

impl DemoActivity {
    fn case(&self) -> &'static str {
        match self.act {
            Act::Edit => "EDIT",
            _ => "COMMENT",
        }
    }

    fn to_json(&self) -> Value {
        let dana = known_user(DANA_PERSON);
        let detail = match self.act {
            Act::Edit => json!({"edit": {}}),
            Act::Post(subtype, mentions) => {
                let mut c = json!({"post": {"subtype": subtype}});
                if mentions {
                    c["mentionedUsers"] = json!([dana]);
                }
                json!({"comment": c})
            }
            Act::AssignedToDana => json!({"comment": {
                "assignment": {"subtype": "ADDED", "assignedUser": dana},
                "mentionedUsers": [dana],
            }}),
        };
        let item = json!({
            "name": format!("items/{}", self.file.id),
            "title": self.file.title,
            "mimeType": self.file.mime_type,
            "owner": {"user": known_user(GRACE.0)},
            "driveFile": {},
        });
        let target = match self.act {
            Act::Edit => json!({"driveItem": item}),
            _ => json!({"fileComment": {
                "legacyCommentId": self.comment_id,
                "legacyDiscussionId": self.comment_id,
                "linkToDiscussion": format!(
                    "https://docs.google.com/document/d/{}/edit?disco={}",
                    self.file.id, self.comment_id
                ),
                "parent": item,
            }}),
        };
        json!({
            "primaryActionDetail": detail,
            "actors": [{"user": known_user(self.actor.0)}],
            "actions": [{"detail": detail}],
            "targets": [target],
            "timestamp": rfc3339(self.at),
        })
    }
}

/// The demo Drive's activity, newest first.
fn activities(today: &Today) -> Vec<DemoActivity> {
    let ago = |minutes: i64| today.now - minutes * 60;
    let activity = |minutes, actor, act, file, comment_id| DemoActivity {
        at: ago(minutes),
        actor,
        act,
        file,
        comment_id,
    };
    vec![
        activity(
            30,
            ALAN,
            Act::Post("ADDED", true),
            SYNC_DESIGN,
            "AAABsyncV2c1",
        ),
        activity(120, GRACE, Act::AssignedToDana, BUDGET, "AAABbudgetC1"),
        activity(
            180,
            FINANCE,
            Act::Post("REPLY_ADDED", false),
            BUDGET,
            "AAABbudgetC1",
        ),
        activity(240, GRACE, Act::Edit, BUDGET, ""),
        activity(
            24 * 60,
            GRACE,
            Act::Post("ADDED", false),
            OFFSITE,
            "AAABoffsiteC1",
        ),
        activity(
            2 * 24 * 60,
            GRACE,
            Act::AssignedToDana,
            ONBOARDING,
            "AAABonboardC1",
        ),
        activity(
            3 * 24 * 60,
            ALAN,
            Act::Post("RESOLVED", true),
            SYNC_DESIGN,
            "AAABsyncV2c0",
        ),
        activity(
            5 * 24 * 60,
            GRACE,
            Act::Post("ADDED", true),
            OLD_LAUNCH,
            "AAABlaunchC1",
        ),
        activity(
            10 * 24 * 60,
            ALAN,
            Act::Post("ADDED", true),
            Q2_RETRO,
            "AAABretroC1",
        ),
    ]
}

/// One comment of the demo Drive.
#[derive(Debug, Clone)]
struct DemoComment {
    id: &'static str,
    author: (&'static str, &'static str),
    content: &'static str,
    quoted: Option<&'static str>,
    assigned_to_dana: bool,
    mentions_dana: bool,
    resolved: bool,
    deleted: bool,
    /// Minutes before now.
    modified: i64,
    reply: Option<((&'static str, &'static str), &'static str)>,
}

impl DemoComment {
    fn to_json(&self, today: &Today) -> Value {
        let user = |(_, name): (&str, &str)| {
            json!({
                "kind": "drive#user",
                "displayName": name,
                "me": name == NAME,
                "photoLink": "https://lh3.googleusercontent.com/a/default-user=s64",
            })
        };
        let modified = today.now - self.modified * 60;
        let mut comment = json!({
            "kind": "drive#comment",
            "id": self.id,
            "createdTime": rfc3339(modified - 3600),
            "modifiedTime": rfc3339(modified),
            "resolved": self.resolved,
            "deleted": self.deleted,
            "author": user(self.author),
            "content": self.content,
            "htmlContent": self.content.replace(
                &format!("@{EMAIL}"),
                &format!("<a href=\"mailto:{EMAIL}\">@{EMAIL}</a>"),
            ),
            "anchor": "kix.anchor1",
            "replies": [],
        });
        if let Some(quoted) = self.quoted {
            comment["quotedFileContent"] = json!({"mimeType": "text/html", "value": quoted});
        }
        if self.assigned_to_dana {
            comment["assigneeEmailAddress"] = json!(EMAIL);
        }
        if self.mentions_dana {
            comment["mentionedEmailAddresses"] = json!([EMAIL]);
        }
        if let Some((author, text)) = self.reply {
            comment["replies"] = json!([{
                "kind": "drive#reply",
                "id": format!("{}r1", self.id),
                "author": user(author),
                "content": text,
                "createdTime": rfc3339(modified),
                "modifiedTime": rfc3339(modified),
                "deleted": false,
            }]);
        }
        comment
    }
}

/// A file's comments, oldest first; `None` for a file that does not exist.
fn comments_of(file_id: &str) -> Option<Vec<DemoComment>> {
    let file = FILES.iter().find(|f| f.id == file_id && !f.gone)?;
    let comment = |id, author, content, modified| DemoComment {
        id,
        author,
        content,
        quoted: None,
        assigned_to_dana: false,
        mentions_dana: false,
        resolved: false,
        deleted: false,
        modified,
        reply: None,
    };
    let dana = (DANA_PERSON, NAME);
    Some(match file.id {
        id if id == BUDGET.id => vec![
            DemoComment {
                assigned_to_dana: true,
                mentions_dana: true,
                resolved: true,
                ..comment(
                    "AAABbudgetC0",
                    GRACE,
                    "@dana@example.com can you fill in the travel line?",
                    3 * 24 * 60,
                )
            },
            DemoComment {
                quoted: Some("Total: $48,000"),
                assigned_to_dana: true,
                mentions_dana: true,
                reply: Some((FINANCE, "bumping this")),
                ..comment(
                    "AAABbudgetC1",
                    GRACE,
                    "@dana@example.com please confirm these numbers",
                    120,
                )
            },
            comment("AAABbudgetC2", dana, "Added the Q3 headcount numbers.", 400),
            DemoComment {
                mentions_dana: true,
                deleted: true,
                ..comment(
                    "AAABbudgetC3",
                    FINANCE,
                    "@dana@example.com ignore this",
                    500,
                )
            },
        ],
        id if id == SYNC_DESIGN.id => vec![
            DemoComment {
                mentions_dana: true,
                resolved: true,
                ..comment(
                    "AAABsyncV2c0",
                    ALAN,
                    "@dana@example.com please review the rollback section",
                    3 * 24 * 60,
                )
            },
            DemoComment {
                mentions_dana: true,
                quoted: Some("Token refresh is serialized per account."),
                ..comment(
                    "AAABsyncV2c1",
                    ALAN,
                    "@dana@example.com is the ENG-142 fix in scope for v2?",
                    30,
                )
            },
        ],
        id if id == ONBOARDING.id => vec![DemoComment {
            assigned_to_dana: true,
            mentions_dana: true,
            ..comment(
                "AAABonboardC1",
                GRACE,
                "@dana@example.com can you add the new laptop policy?",
                2 * 24 * 60,
            )
        }],
        id if id == OFFSITE.id => vec![comment(
            "AAABoffsiteC1",
            GRACE,
            "Can we move the dinner to Thursday?",
            24 * 60,
        )],
        _ => vec![DemoComment {
            mentions_dana: true,
            ..comment(
                "AAABretroC1",
                ALAN,
                "@dana@example.com thoughts on the retro format?",
                10 * 24 * 60,
            )
        }],
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CommentParams {
    fields: Option<String>,
    page_size: Option<String>,
    page_token: Option<String>,
    include_deleted: Option<String>,
}

async fn list_comments(
    State(state): State<SimState>,
    Path(file_id): Path<String>,
    Query(params): Query<CommentParams>,
) -> Response {
    let today = state.day().today();
    if params.fields.as_deref().is_none_or(|f| f.trim().is_empty()) {
        return fields_required();
    }
    let Some(comments) = comments_of(&file_id) else {
        return api_error(
            StatusCode::NOT_FOUND,
            "notFound",
            &format!(
                "File not found: {}.",
                file_id.chars().take(64).collect::<String>()
            ),
        );
    };
    let include_deleted = params.include_deleted.as_deref() == Some("true");
    let comments: Vec<DemoComment> = comments
        .into_iter()
        .filter(|c| include_deleted || !c.deleted)
        .collect();
    let page_size = match params.page_size.as_deref() {
        None => 20,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if n >= 1 => n.min(100),
            _ => return invalid("Invalid value for pageSize."),
        },
    };
    let offset = match params.page_token.as_deref() {
        None => 0,
        Some(token) => {
            match decode_page_token_of("comments", token).filter(|o| *o <= comments.len()) {
                Some(o) => o,
                None => return invalid("Invalid page token."),
            }
        }
    };
    let end = (offset + page_size.min(COMMENT_PAGE_SIZE)).min(comments.len());
    let mut body = json!({
        "kind": "drive#commentList",
        "comments": comments[offset..end].iter().map(|c| c.to_json(&today)).collect::<Vec<_>>(),
    });
    if end < comments.len() {
        body["nextPageToken"] = json!(encode_page_token("comments", end));
    }
    Json(body).into_response()
}

#[derive(Debug, Deserialize)]
struct AboutParams {
    fields: Option<String>,
}

async fn about(Query(params): Query<AboutParams>) -> Response {
    if params.fields.as_deref().is_none_or(|f| f.trim().is_empty()) {
        return fields_required();
    }
    Json(json!({
        "user": {
            "kind": "drive#user",
            "displayName": NAME,
            "photoLink": "https://lh3.googleusercontent.com/a/default-user=s64",
            "me": true,
            "permissionId": "04857600000000000001",
            "emailAddress": EMAIL,
        }
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_in_the_documented_syntax_parse() {
        let f = Filter::parse(
            "time >= \"2026-11-16T00:00:00+01:00\" AND detail.action_detail_case:COMMENT",
        )
        .unwrap();
        assert_eq!(f.times, vec![(">=", 1_794_783_600_000)]);
        assert_eq!(f.cases, vec!["COMMENT"]);
        let f = Filter::parse("time > 1000 AND -detail.action_detail_case:(EDIT MOVE)").unwrap();
        assert_eq!(f.times, vec![(">", 1000)]);
        assert_eq!(f.excluded, vec!["EDIT", "MOVE"]);
    }

    #[test]
    fn malformed_filters_are_refused() {
        for bad in [
            "time >= yesterday",
            "time == 5",
            "detail.action_detail_case:comment",
            "owner:me",
            "time >= \"2026-11-16\" OR detail.action_detail_case:COMMENT",
        ] {
            assert_eq!(Filter::parse(bad), None, "{bad}");
        }
    }
}
