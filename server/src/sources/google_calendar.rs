//! Google Calendar: today's meetings, and the invitations still waiting for my answer.
//!
//! One `events.list` on the primary calendar from local midnight to the next (the API
//! matches events that *overlap* that range), recurring events expanded, every page
//! followed. What becomes a task, and why:
//! - an event I have not declined → a [`TaskKind::Meeting`] with `starts_at`/`ends_at`;
//! - an event whose invitation I have not answered (`responseStatus: needsAction` on my
//!   attendee entry) → one [`TaskKind::Rsvp`] task *instead of* the meeting, with the
//!   same id and times: answering is the to-do, the timeline still shows the slot, and
//!   a local boost given to the RSVP stays with the meeting once I accept;
//! - an all-day event is kept as a meeting covering the part of today it spans
//!   (`starts_at` = local midnight, `ends_at` = the next one at most), so the timeline
//!   can show it as a band;
//! - cancelled events, events I declined, and `focusTime` / `outOfOffice` /
//!   `workingLocation` / `birthday` entries are not meetings: dropped, and not counted
//!   as skipped (nothing is wrong with them);
//! - an event without an id or without a usable start and end is skipped and counted.
//!
//! Refs: keys in the title, the description (its raw HTML too, so link targets count),
//! the location and attached Drive files, plus the meeting key of the title. A meeting
//! whose description or attachment names its prep doc is thereby linked to that doc's
//! comments and mail.

use std::collections::HashSet;

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use pmt_wire::{Person, Signals, Source, Task, TaskKind};
use serde::Deserialize;

use super::gmail::text;
use super::{FetchContext, Fetched, Me, SourceError, Today};
use crate::plan::refs;

/// `events.list` on the primary calendar, relative to the API origin.
pub const EVENTS_PATH: &str = "/calendar/v3/calendars/primary/events";
/// Events asked for per page (the API may still return fewer).
const MAX_RESULTS: u32 = 250;
/// Pages followed at most; a longer day is cut and counted as one skipped item.
const MAX_PAGES: usize = 20;
/// The title Google Calendar shows for an event without one.
const NO_TITLE: &str = "(No title)";

/// Fetches today's events (every page) and normalizes them.
///
/// # Errors
/// Any [`SourceError`] of the calls; a page that is not an events list is
/// [`SourceError::Malformed`].
pub async fn fetch(ctx: &FetchContext) -> Result<Fetched, SourceError> {
    let mut events = Vec::new();
    let mut page_token: Option<String> = None;
    let mut truncated = false;
    for page in 1..=MAX_PAGES {
        let body: EventsPage = ctx
            .client
            .get_json(&events_query(&ctx.today, page_token.as_deref()))
            .await?;
        events.extend(body.items);
        page_token = body.next_page_token.filter(|t| !t.is_empty());
        if page_token.is_none() {
            break;
        }
        truncated = page == MAX_PAGES;
    }
    let mut fetched = normalize(events, &ctx.today, &ctx.me);
    fetched.skipped += usize::from(truncated);
    Ok(fetched)
}

/// The path and query of one `events.list` page for today, in today's time zone.
pub fn events_query(today: &Today, page_token: Option<&str>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("timeMin", &today.start_rfc3339)
        .append_pair("timeMax", &today.end_rfc3339)
        .append_pair("singleEvents", "true")
        .append_pair("orderBy", "startTime")
        .append_pair("timeZone", &today.time_zone)
        .append_pair("maxResults", &MAX_RESULTS.to_string());
    if let Some(token) = page_token {
        query.append_pair("pageToken", token);
    }
    format!("{EVENTS_PATH}?{}", query.finish())
}

/// One page of `events.list`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EventsPage {
    /// The events.
    pub items: Vec<Event>,
    /// Present when there is another page.
    pub next_page_token: Option<String>,
}

/// A calendar event, with the fields a task needs.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Event {
    /// Event id (instance id for expanded recurring events).
    pub id: Option<String>,
    /// `confirmed`, `tentative` or `cancelled`.
    pub status: Option<EventStatus>,
    /// The event in the Calendar web app.
    pub html_link: Option<String>,
    /// Title.
    pub summary: Option<String>,
    /// Description, may contain HTML.
    pub description: Option<String>,
    /// Location (free text, often a room or a URL).
    pub location: Option<String>,
    /// Start: a date-time, or a date for all-day events.
    pub start: Option<EventTime>,
    /// End (exclusive; for all-day events the day after the last one).
    pub end: Option<EventTime>,
    /// Who organizes it.
    pub organizer: Option<CalendarUser>,
    /// Invitees, with their answers.
    pub attendees: Vec<Attendee>,
    /// `default`, `focusTime`, `outOfOffice`, …
    pub event_type: Option<EventType>,
    /// Last change, RFC 3339.
    pub updated: Option<String>,
    /// Attached Drive files.
    pub attachments: Vec<Attachment>,
}

/// An event's start or end.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EventTime {
    /// RFC 3339 date-time (timed events).
    pub date_time: Option<String>,
    /// `YYYY-MM-DD` (all-day events).
    pub date: Option<String>,
    /// IANA zone of `date_time`, used when it carries no offset.
    pub time_zone: Option<String>,
}

/// The organizer (or creator) of an event.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CalendarUser {
    /// Email.
    pub email: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
    /// Whether this is the requesting user.
    #[serde(rename = "self")]
    pub is_self: bool,
}

/// An invitee.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Attendee {
    /// Email.
    pub email: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
    /// Whether this entry is the requesting user (omitted when false).
    #[serde(rename = "self")]
    pub is_self: bool,
    /// The invitee's answer.
    pub response_status: Option<ResponseStatus>,
}

/// A file attached to an event.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Attachment {
    /// Link to the file.
    pub file_url: Option<String>,
    /// Drive file id.
    pub file_id: Option<String>,
    /// MIME type.
    pub mime_type: Option<String>,
}

/// An event's status; unknown values are kept as [`EventStatus::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EventStatus {
    /// Confirmed.
    Confirmed,
    /// Tentatively confirmed by the organizer.
    Tentative,
    /// Cancelled (deleted).
    Cancelled,
    /// A value this code does not know.
    #[serde(other)]
    Other,
}

/// What kind of calendar entry an event is; unknown values are [`EventType::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EventType {
    /// A regular event.
    Default,
    /// A focus-time block.
    FocusTime,
    /// Out of office.
    OutOfOffice,
    /// Where I work from today.
    WorkingLocation,
    /// A birthday.
    Birthday,
    /// Created from a Gmail message (flights, reservations).
    FromGmail,
    /// A value this code does not know (treated as a regular event).
    #[serde(other)]
    Other,
}

impl EventType {
    /// Entries that block or annotate time but are not meetings to attend.
    fn is_meeting(self) -> bool {
        !matches!(
            self,
            EventType::FocusTime
                | EventType::OutOfOffice
                | EventType::WorkingLocation
                | EventType::Birthday
        )
    }
}

/// An invitee's answer; unknown values are [`ResponseStatus::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ResponseStatus {
    /// Not answered yet.
    NeedsAction,
    /// Declined.
    Declined,
    /// Maybe.
    Tentative,
    /// Accepted.
    Accepted,
    /// A value this code does not know (treated as attending).
    #[serde(other)]
    Other,
}

/// Today's events as tasks (see the module documentation for what is kept), with the
/// count of unusable events. Duplicate ids (an event repeated across pages) are kept
/// once.
pub fn normalize(events: Vec<Event>, today: &Today, me: &Me) -> Fetched {
    let mut fetched = Fetched::default();
    let mut seen = HashSet::new();
    for event in events {
        match to_task(event, today, me) {
            Verdict::Task(task) => {
                if seen.insert(task.id.clone()) {
                    fetched.tasks.push(*task);
                }
            }
            Verdict::NotAMeeting => {}
            Verdict::Unusable => fetched.skipped += 1,
        }
    }
    fetched
}

/// What one event becomes.
enum Verdict {
    Task(Box<Task>),
    /// Cancelled, declined, a focus/out-of-office/location entry, or not today.
    NotAMeeting,
    /// Missing its id or times.
    Unusable,
}

fn to_task(event: Event, today: &Today, me: &Me) -> Verdict {
    if event.status == Some(EventStatus::Cancelled)
        || !event.event_type.is_none_or(EventType::is_meeting)
    {
        return Verdict::NotAMeeting;
    }
    let my_answer = my_response(&event, me);
    if my_answer == Some(ResponseStatus::Declined) {
        return Verdict::NotAMeeting;
    }
    let Some(id) = event.id.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
        return Verdict::Unusable;
    };
    let Some((starts_at, ends_at)) = span(&event, today) else {
        return Verdict::Unusable;
    };
    if ends_at <= today.start || starts_at >= today.end {
        return Verdict::NotAMeeting;
    }
    let needs_answer = my_answer == Some(ResponseStatus::NeedsAction);
    let kind = if needs_answer {
        TaskKind::Rsvp
    } else {
        TaskKind::Meeting
    };
    let title = event
        .summary
        .as_deref()
        .and_then(|s| text::one_line(s, 200))
        .unwrap_or_else(|| NO_TITLE.to_owned());
    let description = event.description.as_deref().map(text::html_to_text);
    let snippet = description
        .as_deref()
        .and_then(text::snippet)
        .or_else(|| event.location.as_deref().and_then(text::snippet));
    let refs = event_refs(&event, &title, description.as_deref());
    let people = event
        .organizer
        .as_ref()
        .filter(|o| !is_me(o.is_self, o.email.as_deref(), me))
        .and_then(person)
        .into_iter()
        .collect();
    Verdict::Task(Box::new(Task {
        snippet,
        // The link is rendered as-is: only https links to the provider are kept.
        url: event
            .html_link
            .clone()
            .filter(|u| u.starts_with("https://")),
        people,
        signals: Signals {
            starts_at: Some(starts_at),
            ends_at: Some(ends_at),
            updated_at: event.updated.as_deref().and_then(super::parse_timestamp),
            waiting_on_me: needs_answer,
            rsvp_needed: needs_answer,
            ..Signals::default()
        },
        refs,
        ..Task::new(Source::GoogleCalendar, id, kind, title)
    }))
}

/// My answer to the invitation: the attendee entry marked `self` (or with my email).
/// `None` when I am not on the list (my own event, or attendees omitted).
fn my_response(event: &Event, me: &Me) -> Option<ResponseStatus> {
    event
        .attendees
        .iter()
        .find(|a| is_me(a.is_self, a.email.as_deref(), me))
        .and_then(|a| a.response_status)
}

fn is_me(is_self: bool, email: Option<&str>, me: &Me) -> bool {
    is_self
        || matches!((email, me.email.as_deref()), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b))
}

fn person(user: &CalendarUser) -> Option<Person> {
    let email = user.email.as_deref().filter(|e| !e.is_empty());
    let name = user
        .display_name
        .as_deref()
        .filter(|n| !n.trim().is_empty())
        .or(email)?;
    Some(Person {
        name: name.trim().to_owned(),
        handle: email.map(str::to_owned),
    })
}

/// Start and end, Unix seconds. All-day events cover local midnights, cut to today.
fn span(event: &Event, today: &Today) -> Option<(i64, i64)> {
    let (start, end) = (event.start.as_ref()?, event.end.as_ref()?);
    let all_day = start.date_time.is_none() && start.date.is_some();
    let starts_at = instant(start, today)?;
    let ends_at = instant(end, today)?;
    if ends_at < starts_at {
        return None;
    }
    if all_day {
        Some((starts_at.max(today.start), ends_at.min(today.end)))
    } else {
        Some((starts_at, ends_at))
    }
}

/// An event time as Unix seconds: a date-time with its offset (or, without one, in
/// the event's zone), or a date at local midnight in the user's zone.
fn instant(time: &EventTime, today: &Today) -> Option<i64> {
    if let Some(value) = time.date_time.as_deref() {
        if let Ok(ts) = value.parse::<Timestamp>() {
            return Some(ts.as_second());
        }
        let civil: DateTime = value.parse().ok()?;
        let zone = time
            .time_zone
            .as_deref()
            .and_then(|z| TimeZone::get(z).ok())
            .unwrap_or_else(|| today.zone());
        return civil.to_zoned(zone).ok().map(|z| z.timestamp().as_second());
    }
    let date: Date = time.date.as_deref()?.parse().ok()?;
    date.to_zoned(today.zone())
        .ok()
        .map(|z| z.timestamp().as_second())
}

/// Reference keys of an event: in its text and attachments, then its meeting key.
fn event_refs(event: &Event, title: &str, description: Option<&str>) -> Vec<String> {
    let mut haystack = vec![title];
    haystack.extend(event.description.as_deref());
    haystack.extend(description);
    haystack.extend(event.location.as_deref());
    haystack.extend(
        event
            .attachments
            .iter()
            .filter_map(|a| a.file_url.as_deref()),
    );
    let mut keys = refs::extract(&haystack.join("\n"));
    let attached_docs = event.attachments.iter().filter_map(|a| {
        let native = a
            .mime_type
            .as_deref()
            .is_some_and(|m| m.starts_with("application/vnd.google-apps."));
        a.file_id
            .as_deref()
            .filter(|id| native && !id.is_empty())
            .map(|id| format!("gdoc:{id}"))
    });
    // An untitled event has no name to share with meeting notes.
    let meeting = event.summary.as_deref().and_then(refs::meeting_key);
    for key in attached_docs.chain(meeting) {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paris() -> Today {
        // Monday 2026-11-23 09:30 in Paris (UTC+1).
        Today::at(1_795_422_600, "Europe/Paris").unwrap()
    }

    #[test]
    fn the_query_asks_for_today_in_the_users_zone_with_an_encoded_offset() {
        let q = events_query(&paris(), Some("tok/en+1"));
        assert!(q.starts_with("/calendar/v3/calendars/primary/events?"));
        assert!(q.contains("timeMin=2026-11-23T00%3A00%3A00%2B01%3A00"));
        assert!(q.contains("timeMax=2026-11-24T00%3A00%3A00%2B01%3A00"));
        assert!(q.contains("singleEvents=true&orderBy=startTime"));
        assert!(q.contains("timeZone=Europe%2FParis"));
        assert!(q.contains("pageToken=tok%2Fen%2B1"));
    }

    #[test]
    fn a_date_time_without_offset_is_read_in_the_events_zone() {
        let t = EventTime {
            date_time: Some("2026-11-23T09:00:00".into()),
            time_zone: Some("America/New_York".into()),
            ..EventTime::default()
        };
        // 09:00 in New York (UTC-5) is 14:00 UTC.
        assert_eq!(instant(&t, &paris()), Some(1_795_442_400));
    }
}
