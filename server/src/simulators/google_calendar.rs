//! Google Calendar simulator: `events.list` on the primary calendar, serving the demo
//! day's meetings in Calendar API v3's wire format.
//!
//! It honours what the connector sends, as the real API does: `timeMin`/`timeMax`
//! (RFC 3339 with offset; events *overlapping* the range are returned, and
//! `timeMax <= timeMin` is `400 timeRangeEmpty`), `orderBy=startTime` (only with
//! `singleEvents=true`), `showDeleted` (cancelled events only with it), `timeZone`
//! (times are written in it), `maxResults` (pages hold at most [`PAGE_SIZE`] events so
//! pagination is really exercised) and `pageToken` (an unknown token is a `400`).
//!
//! The day: "Sync v2 standup" 09:00–09:15, "Focus time" (a `focusTime` block),
//! "Budget review" 40 minutes from now (its description and attachment name the Q3
//! budget doc), "Lunch & learn: Rust async" (declined), "1:1 Grace / Dana" 14:00,
//! "Weekly planning" 16:00 (not answered yet), the all-day "Q4 planning week" and
//! "Office" working location, a cancelled "Vendor demo", and one event yesterday and
//! one tomorrow that today's range must not return.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::Deserialize;
use serde_json::{json, Value};

use super::day::{EMAIL, NAME};
use super::SimState;
use crate::sources::Today;

/// Most events on one page, whatever `maxResults` asks for.
pub const PAGE_SIZE: usize = 5;

const BUDGET_DOC_ID: &str = "1BudgetQ3DocAcme00000000000";
const GRACE: (&str, &str) = ("grace@example.com", "Grace Hopper");
const ALAN: (&str, &str) = ("alan@example.com", "Alan Turing");
const FINANCE: (&str, &str) = ("finance@example.com", "Finance");
const DANA: (&str, &str) = (EMAIL, NAME);

/// The provider's routes, relative to `/sim/google_calendar`.
pub fn router() -> Router<SimState> {
    Router::new().route("/calendar/v3/calendars/primary/events", get(list_events))
}

/// The `events.list` parameters the simulator reads (all optional, as in the API).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListParams {
    time_min: Option<String>,
    time_max: Option<String>,
    single_events: Option<String>,
    order_by: Option<String>,
    show_deleted: Option<String>,
    time_zone: Option<String>,
    max_results: Option<String>,
    page_token: Option<String>,
}

async fn list_events(State(state): State<SimState>, Query(params): Query<ListParams>) -> Response {
    let today = state.day().today();
    match events_page(&today, &params) {
        Ok(body) => Json(body).into_response(),
        Err(e) => e.into_response(),
    }
}

/// A Calendar API error.
struct ApiError {
    status: StatusCode,
    domain: &'static str,
    reason: &'static str,
    message: &'static str,
}

impl ApiError {
    fn bad_request(reason: &'static str, message: &'static str) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            domain: "global",
            reason,
            message,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "error": {
                "code": self.status.as_u16(),
                "message": self.message,
                "errors": [{"domain": self.domain, "reason": self.reason, "message": self.message}],
            }
        });
        (self.status, Json(body)).into_response()
    }
}

fn events_page(today: &Today, params: &ListParams) -> Result<Value, ApiError> {
    let bound = |value: &Option<String>| -> Result<Option<i64>, ApiError> {
        value
            .as_deref()
            .map(|v| {
                v.parse::<Timestamp>()
                    .map(|t| t.as_second())
                    .map_err(|_| ApiError::bad_request("badRequest", "Bad Request"))
            })
            .transpose()
    };
    let time_min = bound(&params.time_min)?;
    let time_max = bound(&params.time_max)?;
    if let (Some(min), Some(max)) = (time_min, time_max) {
        if max <= min {
            return Err(ApiError {
                status: StatusCode::BAD_REQUEST,
                domain: "calendar",
                reason: "timeRangeEmpty",
                message: "The specified time range is empty.",
            });
        }
    }
    let single_events = params.single_events.as_deref() == Some("true");
    let by_start = match params.order_by.as_deref() {
        None | Some("updated") => false,
        Some("startTime") if single_events => true,
        Some(_) => {
            return Err(ApiError::bad_request(
                "invalid",
                "The requested ordering is not available for the particular query.",
            ))
        }
    };
    let show_deleted = params.show_deleted.as_deref() == Some("true");
    let zone_name = params
        .time_zone
        .clone()
        .filter(|z| TimeZone::get(z).is_ok())
        .unwrap_or_else(|| today.time_zone.clone());
    let zone = TimeZone::get(&zone_name).unwrap_or(TimeZone::UTC);
    let max_results = match params.max_results.as_deref() {
        None => 250,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=2500).contains(&n) => n,
            _ => {
                return Err(ApiError::bad_request(
                    "invalid",
                    "Invalid value for maxResults",
                ))
            }
        },
    };

    let mut events: Vec<DemoEvent> = demo_events(today)
        .into_iter()
        .filter(|e| show_deleted || e.status != "cancelled")
        .filter(|e| {
            let (start, end) = e.when.bounds(&zone);
            time_min.is_none_or(|min| end > min) && time_max.is_none_or(|max| start < max)
        })
        .collect();
    if by_start {
        events.sort_by_key(|e| e.when.bounds(&zone).0);
    }

    let offset = match params.page_token.as_deref() {
        None => 0,
        Some(token) => decode_page_token(token)
            .filter(|o| *o <= events.len())
            .ok_or_else(|| ApiError::bad_request("invalid", "Invalid page token value."))?,
    };
    let page_size = max_results.min(PAGE_SIZE);
    let end = (offset + page_size).min(events.len());
    let items: Vec<Value> = events[offset..end]
        .iter()
        .map(|e| e.to_json(&zone, &zone_name, today))
        .collect();
    let mut body = json!({
        "kind": "calendar#events",
        "etag": format!("\"{}\"", today.now),
        "summary": EMAIL,
        "description": "",
        "updated": rfc3339_utc(today.now - 300),
        "timeZone": zone_name,
        "accessRole": "owner",
        "defaultReminders": [{"method": "popup", "minutes": 10}],
        "items": items,
    });
    if end < events.len() {
        body["nextPageToken"] = json!(encode_page_token(end));
    } else {
        body["nextSyncToken"] = json!(format!("CPDAlvWDx{}", today.now));
    }
    Ok(body)
}

fn encode_page_token(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("events:{offset}"))
}

fn decode_page_token(token: &str) -> Option<usize> {
    let raw = URL_SAFE_NO_PAD.decode(token).ok()?;
    String::from_utf8(raw)
        .ok()?
        .strip_prefix("events:")?
        .parse()
        .ok()
}

fn rfc3339_utc(unix: i64) -> String {
    Timestamp::from_second(unix)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S.000Z").to_string())
        .unwrap_or_default()
}

/// When an event happens.
#[derive(Debug, Clone)]
enum When {
    /// From, to (Unix seconds).
    Timed(i64, i64),
    /// First day, day after the last one.
    AllDay(Date, Date),
}

impl When {
    /// Start and end, Unix seconds (all-day: local midnights in `zone`).
    fn bounds(&self, zone: &TimeZone) -> (i64, i64) {
        match self {
            When::Timed(start, end) => (*start, *end),
            When::AllDay(first, after) => {
                let midnight = |d: &Date| {
                    d.to_zoned(zone.clone())
                        .map(|z| z.timestamp().as_second())
                        .unwrap_or_default()
                };
                (midnight(first), midnight(after))
            }
        }
    }
}

/// One event of the demo day.
#[derive(Debug, Clone)]
struct DemoEvent {
    id: String,
    recurring_id: Option<&'static str>,
    summary: &'static str,
    description: Option<String>,
    location: Option<&'static str>,
    when: When,
    status: &'static str,
    event_type: &'static str,
    organizer: (&'static str, &'static str),
    /// Email, name, response status.
    attendees: Vec<((&'static str, &'static str), &'static str)>,
    /// The Q3 budget doc is attached.
    budget_doc_attached: bool,
}

impl DemoEvent {
    fn new(
        id: String,
        summary: &'static str,
        when: When,
        organizer: (&'static str, &'static str),
    ) -> Self {
        Self {
            id,
            recurring_id: None,
            summary,
            description: None,
            location: None,
            when,
            status: "confirmed",
            event_type: "default",
            organizer,
            attendees: Vec::new(),
            budget_doc_attached: false,
        }
    }

    fn to_json(&self, zone: &TimeZone, zone_name: &str, today: &Today) -> Value {
        let time = |unix: i64| {
            let text = Timestamp::from_second(unix)
                .map(|t| {
                    t.to_zoned(zone.clone())
                        .strftime("%Y-%m-%dT%H:%M:%S%:z")
                        .to_string()
                })
                .unwrap_or_default();
            json!({"dateTime": text, "timeZone": zone_name})
        };
        let (start, end) = match &self.when {
            When::Timed(s, e) => (time(*s), time(*e)),
            When::AllDay(first, after) => (
                json!({"date": first.to_string()}),
                json!({"date": after.to_string()}),
            ),
        };
        let person = |(email, name): (&str, &str)| {
            let mut p = json!({"email": email, "displayName": name});
            if email == EMAIL {
                p["self"] = json!(true);
            }
            p
        };
        let mut event = json!({
            "kind": "calendar#event",
            "etag": format!("\"{}\"", 3_181_161_784_712_000_i64 + self.id.len() as i64),
            "id": self.id,
            "status": self.status,
            "htmlLink": format!(
                "https://www.google.com/calendar/event?eid={}",
                URL_SAFE_NO_PAD.encode(format!("{} {EMAIL}", self.id))
            ),
            "created": rfc3339_utc(today.start - 14 * 86_400),
            "updated": rfc3339_utc(today.start - 86_400 + 3600),
            "summary": self.summary,
            "creator": person(self.organizer),
            "organizer": person(self.organizer),
            "start": start,
            "end": end,
            "iCalUID": format!("{}@google.com", self.id),
            "sequence": 0,
            "reminders": {"useDefault": true},
            "eventType": self.event_type,
        });
        if let Some(description) = &self.description {
            event["description"] = json!(description);
        }
        if let Some(location) = self.location {
            event["location"] = json!(location);
        }
        if let Some(recurring) = self.recurring_id {
            event["recurringEventId"] = json!(recurring);
            event["originalStartTime"] = event["start"].clone();
        }
        if !self.attendees.is_empty() {
            let attendees: Vec<Value> = self
                .attendees
                .iter()
                .map(|(who, answer)| {
                    let mut a = person(*who);
                    a["responseStatus"] = json!(answer);
                    if who.0 == self.organizer.0 {
                        a["organizer"] = json!(true);
                    }
                    a
                })
                .collect();
            event["attendees"] = json!(attendees);
            event["hangoutLink"] = json!("https://meet.google.com/abc-defg-hij");
        }
        if self.budget_doc_attached {
            event["attachments"] = json!([{
                "fileUrl": format!("https://docs.google.com/document/d/{BUDGET_DOC_ID}/edit"),
                "title": "Q3 budget draft",
                "mimeType": "application/vnd.google-apps.document",
                "iconLink": "https://drive-thirdparty.googleusercontent.com/16/type/application/vnd.google-apps.document",
                "fileId": BUDGET_DOC_ID,
            }]);
        }
        event
    }
}

/// The demo day's calendar, from yesterday to tomorrow.
fn demo_events(today: &Today) -> Vec<DemoEvent> {
    let at = |hour: i64, minute: i64| today.start + hour * 3600 + minute * 60;
    let date: Date = today.date.parse().unwrap_or_default();
    let day = |offset: i64| date.checked_add(offset.days()).unwrap_or(date);
    let stamp = |unix: i64| {
        Timestamp::from_second(unix)
            .map(|t| t.strftime("%Y%m%dT%H%M%SZ").to_string())
            .unwrap_or_default()
    };
    let ymd = date.strftime("%Y%m%d").to_string();
    let soon = (today.now / 60) * 60 + 40 * 60;

    let mut standup = DemoEvent::new(
        format!("syncv2standup_{}", stamp(at(9, 0))),
        "Sync v2 standup",
        When::Timed(at(9, 0), at(9, 15)),
        GRACE,
    );
    standup.recurring_id = Some("syncv2standup");
    standup.description = Some("Daily standup for the sync v2 rollout.".into());
    standup.attendees = vec![(GRACE, "accepted"), (DANA, "accepted"), (ALAN, "accepted")];

    let mut focus = DemoEvent::new(
        format!("focus{ymd}"),
        "Focus time",
        When::Timed(at(10, 0), at(12, 0)),
        DANA,
    );
    focus.event_type = "focusTime";

    let mut budget = DemoEvent::new(
        format!("budgetreview{ymd}"),
        "Budget review",
        When::Timed(soon, soon + 30 * 60),
        FINANCE,
    );
    budget.description = Some(format!(
        "Prep: please read the <a href=\"https://docs.google.com/document/d/{BUDGET_DOC_ID}/edit\">Q3 budget draft</a> \
         and answer the open comments.<br>Agenda: Q3 numbers &amp; headcount."
    ));
    budget.location = Some("Room Babbage");
    budget.attendees = vec![
        (FINANCE, "accepted"),
        (DANA, "accepted"),
        (GRACE, "tentative"),
    ];
    budget.budget_doc_attached = true;

    let mut vendor = DemoEvent::new(
        format!("vendordemo{ymd}"),
        "Vendor demo: Observability Inc.",
        When::Timed(at(11, 0), at(11, 45)),
        ALAN,
    );
    vendor.status = "cancelled";
    vendor.attendees = vec![(ALAN, "accepted"), (DANA, "accepted")];

    let mut lunch = DemoEvent::new(
        format!("lunchlearn{ymd}"),
        "Lunch & learn: Rust async",
        When::Timed(at(12, 30), at(13, 30)),
        ALAN,
    );
    lunch.description = Some("Pinning, cancellation and structured concurrency.".into());
    lunch.attendees = vec![(ALAN, "accepted"), (DANA, "declined"), (GRACE, "accepted")];

    let mut one_on_one = DemoEvent::new(
        format!("oneonone_{}", stamp(at(14, 0))),
        "1:1 Grace / Dana",
        When::Timed(at(14, 0), at(14, 30)),
        GRACE,
    );
    one_on_one.recurring_id = Some("oneonone");
    one_on_one.attendees = vec![(GRACE, "accepted"), (DANA, "accepted")];

    let mut planning = DemoEvent::new(
        format!("weeklyplanning_{}", stamp(at(16, 0))),
        "Weekly planning",
        When::Timed(at(16, 0), at(17, 0)),
        ALAN,
    );
    planning.recurring_id = Some("weeklyplanning");
    planning.description = Some("Agenda: Q3 OKRs, sync v2 rollout status.".into());
    planning.attendees = vec![
        (ALAN, "accepted"),
        (GRACE, "accepted"),
        (DANA, "needsAction"),
    ];

    let mut q4 = DemoEvent::new(
        format!("q4planningweek{}", day(-1).strftime("%Y%m%d")),
        "Q4 planning week",
        When::AllDay(day(-1), day(4)),
        GRACE,
    );
    q4.attendees = vec![(GRACE, "accepted"), (DANA, "accepted"), (ALAN, "accepted")];

    let mut office = DemoEvent::new(
        format!("workinglocation{ymd}"),
        "Office",
        When::AllDay(day(0), day(1)),
        DANA,
    );
    office.event_type = "workingLocation";

    let mut yesterday = DemoEvent::new(
        format!("incidentreview{}", day(-1).strftime("%Y%m%d")),
        "Incident review: webhook failures",
        When::Timed(at(15, 0) - 86_400, at(16, 0) - 86_400),
        GRACE,
    );
    yesterday.attendees = vec![(GRACE, "accepted"), (DANA, "accepted")];

    let mut tomorrow = DemoEvent::new(
        format!("designreview{}", day(1).strftime("%Y%m%d")),
        "Design review: sync v2",
        When::Timed(at(10, 0) + 86_400, at(11, 0) + 86_400),
        ALAN,
    );
    tomorrow.attendees = vec![(ALAN, "accepted"), (DANA, "needsAction")];

    vec![
        yesterday, q4, office, standup, focus, budget, vendor, lunch, one_on_one, planning,
        tomorrow,
    ]
}
