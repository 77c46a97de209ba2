//! Granola: my action items in recent meeting notes.
//!
//! [`fetch`] lists the notes created since a week before today (`cursor`/`hasMore`),
//! then gets each note (a few at a time); a `404` means Granola has not finished the
//! note yet, so it is skipped and counted. The action items come out of
//! `summary_markdown` through an [`ActionItemExtractor`] ([`action_items`]), and
//! [`note_tasks`] turns them into tasks whose id hashes the item's text, so an item
//! keeps its identity (and any local decision) when the list is reordered.

pub mod action_items;

use pmt_wire::{Person, Signals, Source, Task, TaskKind};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::task::JoinSet;

use self::action_items::{ActionItem, ActionItemExtractor, Assignment, DueHint, NoteText};
use super::parse_timestamp;
use super::{FetchContext, Fetched, Me, SourceClient, SourceError, Today};
use crate::plan::refs;

pub use self::action_items::HeuristicExtractor;

/// Notes created this many days before today's start are still read.
pub const LOOKBACK_DAYS: i64 = 7;
/// Notes per list page (Granola allows 1–30).
const PAGE_SIZE: u32 = 30;
/// List pages followed before giving up on the rest (counted as one skipped).
const MAX_PAGES: usize = 10;
/// Notes fetched at the same time (Granola allows bursts of 25 per 5 s).
const CONCURRENCY: usize = 4;
/// Longest snippet, characters.
const SNIPPET_CHARS: usize = 280;

/// Fetches recent notes and extracts my action items with the heuristic extractor.
///
/// # Errors
/// The client's errors (except a note's `404`, which is skipped).
pub async fn fetch(ctx: &FetchContext) -> Result<Fetched, SourceError> {
    fetch_with(ctx, &HeuristicExtractor).await
}

/// [`fetch`] with another extractor (the seam for an LLM pass).
///
/// # Errors
/// As [`fetch`].
pub async fn fetch_with<E: ActionItemExtractor + Sync>(
    ctx: &FetchContext,
    extractor: &E,
) -> Result<Fetched, SourceError> {
    let created_after = jiff::Timestamp::from_second(ctx.today.start - LOOKBACK_DAYS * 86_400)
        .map(|t| t.to_string())
        .map_err(|_| SourceError::Malformed("today is out of range".to_owned()))?;
    let mut fetched = Fetched::default();
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    for page in 0..=MAX_PAGES {
        if page == MAX_PAGES {
            fetched.skipped += 1;
            break;
        }
        // The serializer is not `Send`: it must be gone before the await (the refresh
        // runs every connector in a spawned task).
        let path = {
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            query
                .append_pair("created_after", &created_after)
                .append_pair("page_size", &PAGE_SIZE.to_string());
            if let Some(c) = &cursor {
                query.append_pair("cursor", c);
            }
            format!("/v1/notes?{}", query.finish())
        };
        let list: NoteList = ctx.client.get_json(&path).await?;
        for note in &list.notes {
            match note
                .get("id")
                .and_then(Value::as_str)
                .filter(|id| valid_id(id))
            {
                Some(id) if !ids.iter().any(|known| known == id) => ids.push(id.to_owned()),
                Some(_) => {}
                None => fetched.skipped += 1,
            }
        }
        cursor = list.cursor.filter(|c| !c.is_empty());
        if !list.has_more || cursor.is_none() {
            break;
        }
    }

    let notes = get_notes(&ctx.client, &ids).await?;
    for note in notes {
        let Some(note) = note else {
            fetched.skipped += 1;
            continue;
        };
        let Ok(note) = serde_json::from_value::<Note>(note) else {
            fetched.skipped += 1;
            continue;
        };
        if note.id.is_none() {
            fetched.skipped += 1;
            continue;
        }
        let text = note_text(&note, &ctx.me);
        let items = extractor.extract(&text).await;
        fetched
            .tasks
            .extend(note_tasks(&note, &items, &ctx.today, &ctx.me));
    }
    Ok(fetched)
}

/// Gets every note, [`CONCURRENCY`] at a time, in the order of `ids`; `None` for a
/// note that is not processed yet (`404`).
async fn get_notes(
    client: &SourceClient,
    ids: &[String],
) -> Result<Vec<Option<Value>>, SourceError> {
    let mut results: Vec<Option<Value>> = vec![None; ids.len()];
    let mut running = JoinSet::new();
    let mut next = 0;
    while next < ids.len() || !running.is_empty() {
        while next < ids.len() && running.len() < CONCURRENCY {
            let client = client.clone();
            let path = format!("/v1/notes/{}", ids[next]);
            let index = next;
            running.spawn(async move { (index, client.get_json::<Value>(&path).await) });
            next += 1;
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        let (index, result) = joined
            .map_err(|_| SourceError::Malformed("reading a note was interrupted".to_owned()))?;
        match result {
            Ok(note) => results[index] = Some(note),
            Err(SourceError::Status(404)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(results)
}

/// Granola note ids look like `not_1d3tmYTlCICgjy`; anything else is not put in a path.
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
}

/// `GET /v1/notes`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct NoteList {
    /// Thin notes (only `id` is used).
    pub notes: Vec<Value>,
    /// More pages follow.
    pub has_more: bool,
    /// The next page's cursor.
    pub cursor: Option<String>,
}

/// `GET /v1/notes/{id}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Note {
    /// `not_…`.
    pub id: Option<String>,
    /// The meeting's title.
    pub title: Option<String>,
    /// Who recorded it.
    pub owner: Option<Attendee>,
    /// RFC 3339.
    pub created_at: Option<String>,
    /// RFC 3339.
    pub updated_at: Option<String>,
    /// Link to the note.
    pub web_url: Option<String>,
    /// The calendar event it came from.
    pub calendar_event: Option<CalendarEvent>,
    /// People in the meeting.
    pub attendees: Vec<Attendee>,
    /// The AI summary, markdown.
    pub summary_markdown: Option<String>,
}

/// A person on a note.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Attendee {
    /// Name.
    pub name: Option<String>,
    /// Email.
    pub email: Option<String>,
}

/// A note's calendar event.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CalendarEvent {
    /// The event's title.
    pub event_title: Option<String>,
    /// RFC 3339.
    pub scheduled_start_time: Option<String>,
}

/// My action items in already-fetched notes, with the heuristic extractor (pure).
/// Notes without an id are skipped and counted.
pub fn normalize(notes: &[Value], today: &Today, me: &Me) -> Fetched {
    let mut fetched = Fetched::default();
    for value in notes {
        match serde_json::from_value::<Note>(value.clone()) {
            Ok(note) if note.id.is_some() => {
                let items = action_items::parse(&note_text(&note, me));
                fetched.tasks.extend(note_tasks(&note, &items, today, me));
            }
            _ => fetched.skipped += 1,
        }
    }
    fetched
}

/// What the extractor needs to know about a note and me.
pub fn note_text(note: &Note, me: &Me) -> NoteText {
    let mut my_names = vec!["me".to_owned()];
    if let Some(name) = me.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        my_names.push(name.to_lowercase());
        if let Some(first) = name.split_whitespace().next() {
            my_names.push(first.to_lowercase());
        }
    }
    if let Some(local) = me.email.as_deref().and_then(|e| e.split('@').next()) {
        my_names.push(local.to_lowercase());
    }
    let other_names = note
        .attendees
        .iter()
        .chain(note.owner.iter())
        .filter(|a| !is_me(a, me))
        .filter_map(|a| a.name.as_deref()?.split_whitespace().next())
        .map(str::to_lowercase)
        .collect();
    NoteText {
        markdown: note.summary_markdown.clone().unwrap_or_default(),
        my_names,
        other_names,
        i_own_the_note: note.owner.as_ref().is_some_and(|o| is_me(o, me)),
    }
}

/// Tasks for my action items of one note (pure).
pub fn note_tasks(note: &Note, items: &[ActionItem], today: &Today, me: &Me) -> Vec<Task> {
    let Some(note_id) = note.id.as_deref() else {
        return Vec::new();
    };
    let title = note
        .title
        .clone()
        .or_else(|| note.calendar_event.as_ref()?.event_title.clone())
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| "Meeting notes".to_owned());
    let meeting_at = note
        .calendar_event
        .as_ref()
        .and_then(|e| e.scheduled_start_time.as_deref())
        .or(note.created_at.as_deref())
        .and_then(parse_timestamp);
    let updated_at = note
        .updated_at
        .as_deref()
        .or(note.created_at.as_deref())
        .and_then(parse_timestamp);
    let people: Vec<Person> = note
        .attendees
        .iter()
        .filter(|a| !is_me(a, me))
        .filter_map(|a| {
            let name = a.name.clone().or_else(|| a.email.clone())?;
            Some(Person {
                name,
                handle: a.email.clone(),
            })
        })
        .collect();
    let mut seen = Vec::new();
    let mut tasks = Vec::new();
    for item in items {
        let id = format!("{note_id}#{}", item_hash(&item.normalized));
        if seen.contains(&id) {
            continue;
        }
        seen.push(id.clone());
        let mut task_refs: Vec<String> = refs::meeting_key(&title).into_iter().collect();
        for r in refs::extract(&item.text) {
            if !task_refs.contains(&r) {
                task_refs.push(r);
            }
        }
        let kind = TaskKind::MeetingNoteItem;
        tasks.push(Task {
            snippet: Some(truncate(
                &format!("Action item from \"{title}\""),
                SNIPPET_CHARS,
            )),
            url: note.web_url.clone().filter(|u| !u.is_empty()),
            people: people.clone(),
            signals: Signals {
                due: item
                    .due
                    .zip(meeting_at)
                    .and_then(|(hint, at)| due(hint, at, today)),
                updated_at,
                waiting_on_me: matches!(item.assignment, Assignment::Named | Assignment::Mentioned),
                direct_mention: item.assignment == Assignment::Mentioned,
                ..Signals::default()
            },
            refs: task_refs,
            ..Task::new(Source::Granola, &id, kind, item.title.clone())
        });
    }
    tasks
}

/// A short, stable hash of an item's normalized text (its identity within the note).
pub fn item_hash(normalized: &str) -> String {
    Sha256::digest(normalized.as_bytes())
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The end (last second) of the day a hint names, counted from the meeting's local day.
pub fn due(hint: DueHint, meeting_at: i64, today: &Today) -> Option<i64> {
    let meeting_day = jiff::Timestamp::from_second(meeting_at)
        .ok()?
        .to_zoned(today.zone())
        .date();
    let day = match hint {
        DueHint::EndOfDay => meeting_day,
        DueHint::Tomorrow => meeting_day.tomorrow().ok()?,
        DueHint::Weekday(weekday) => {
            let ahead = weekday.since(meeting_day.weekday());
            meeting_day
                .checked_add(jiff::Span::new().days(i64::from(ahead)))
                .ok()?
        }
    };
    today.end_of_local_day(day)
}

fn is_me(person: &Attendee, me: &Me) -> bool {
    match (&person.email, &me.email) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => person.name.is_some() && person.name == me.name,
    }
}

fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max_chars - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::Weekday;

    #[test]
    fn weekday_due_dates_count_from_the_meetings_day() {
        // Monday 2026-11-23 09:30 in Paris.
        let today = Today::at(1_795_422_600, "Europe/Paris").unwrap();
        let monday_meeting = today.start + 9 * 3600;
        let thu = due(DueHint::Weekday(Weekday::Thursday), monday_meeting, &today).unwrap();
        assert_eq!(thu, today.end + 3 * 86_400 - 1);
        // Same weekday as the meeting: that very day.
        let mon = due(DueHint::Weekday(Weekday::Monday), monday_meeting, &today).unwrap();
        assert_eq!(mon, today.end - 1);
        // A meeting last Tuesday that said "by Thu" was due last Thursday: overdue now.
        let last_tuesday = today.start - 6 * 86_400 + 10 * 3600;
        let overdue = due(DueHint::Weekday(Weekday::Thursday), last_tuesday, &today).unwrap();
        assert_eq!(overdue, today.start - 3 * 86_400 - 1);
        assert_eq!(
            due(DueHint::EndOfDay, monday_meeting, &today),
            Some(today.end - 1)
        );
    }

    #[test]
    fn a_late_evening_meeting_in_utc_is_due_on_its_local_day() {
        // 23:30 UTC on Sunday is 00:30 Monday in Paris: "by EOD" means Monday.
        let today = Today::at(1_795_422_600, "Europe/Paris").unwrap();
        let at = today.start + 30 * 60;
        assert_eq!(due(DueHint::EndOfDay, at, &today), Some(today.end - 1));
    }

    #[test]
    fn item_hashes_are_short_and_stable() {
        assert_eq!(
            item_hash("dana: send the deck"),
            item_hash("dana: send the deck")
        );
        assert_ne!(
            item_hash("dana: send the deck"),
            item_hash("dana: send the decks")
        );
        assert_eq!(item_hash("x").len(), 12);
    }

    #[test]
    fn only_plain_ids_go_into_paths() {
        assert!(valid_id("not_1d3tmYTlCICgjy"));
        assert!(!valid_id("../admin"));
        assert!(!valid_id("not_1?x=1"));
        assert!(!valid_id(""));
    }
}
