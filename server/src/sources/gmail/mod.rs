//! Gmail: unread important or starred mail that needs action.
//!
//! `messages.list` with a search query, every page, then `messages.get` with
//! `format=metadata` (Subject, From, Date) for each id, at most
//! [`CONCURRENT_GETS`] at a time: Gmail has no multi-get. The default query,
//! [`DEFAULT_QUERY`], is what Gmail reads as "unread AND (important OR starred)"
//! (`OR` binds tighter than the implicit `AND`); the `query` option replaces it.
//!
//! A message that vanished between the list and the get (`404`) is skipped and
//! counted; any other error fails the source, like a failed list.
//!
//! Each message becomes a [`TaskKind::Email`]: title = Subject (a message without one
//! is skipped and counted), snippet with HTML entities decoded, From as the person,
//! `starred` from the `STARRED` label, `waiting_on_me` when it is `IMPORTANT` and
//! `UNREAD` and the snippet asks something (a question mark, "can you", "could you",
//! "please"), `updated_at` from `internalDate` (else the Date header), and a link to
//! the thread.
//!
//! [`text`] holds the plain-text helpers the three Google connectors share.

pub mod text;

use std::collections::HashSet;

use futures::{stream, StreamExt, TryStreamExt};
use pmt_wire::{Person, Signals, Source, Task, TaskKind};
use serde::Deserialize;

use super::{FetchContext, Fetched, Me, SourceClient, SourceError};
use crate::plan::refs;

/// `messages.list`, relative to the API origin.
pub const LIST_PATH: &str = "/gmail/v1/users/me/messages";
/// The search used unless the `query` option says otherwise.
pub const DEFAULT_QUERY: &str = "is:unread is:important OR is:starred";
/// How many `messages.get` calls run at once.
pub const CONCURRENT_GETS: usize = 8;
/// Ids asked for per list page.
const LIST_PAGE_SIZE: u32 = 100;
/// List pages followed at most; more mail than that is cut and counted as one skipped.
const MAX_LIST_PAGES: usize = 5;

/// Lists the matching messages, reads their metadata, and normalizes them.
///
/// # Errors
/// Any [`SourceError`] of the list or of a get (except a get's `404`, which skips
/// that message).
pub async fn fetch(ctx: &FetchContext) -> Result<Fetched, SourceError> {
    let query = ctx.option("query").unwrap_or(DEFAULT_QUERY);
    let listed = list_ids(&ctx.client, query).await?;
    // Futures built up front (not in a `map` closure over `&String`): otherwise rustc
    // cannot prove the whole fetch `Send` (rust-lang/rust#102211), and the refresh
    // runs every connector in a spawned task.
    let gets: Vec<_> = listed
        .ids
        .iter()
        .map(|id| get_message(&ctx.client, id))
        .collect();
    let messages: Vec<Option<Message>> = stream::iter(gets)
        .buffered(CONCURRENT_GETS)
        .try_collect()
        .await?;
    let vanished = messages.iter().filter(|m| m.is_none()).count();
    let mut fetched = normalize(messages.into_iter().flatten().collect(), &ctx.me);
    fetched.skipped += vanished + listed.unusable + usize::from(listed.truncated);
    Ok(fetched)
}

/// The ids a search matched.
struct Listed {
    /// Usable ids, each once, in the order Gmail listed them (newest first).
    ids: Vec<String>,
    /// Entries without a usable id.
    unusable: usize,
    /// Whether the page cap cut the list.
    truncated: bool,
}

async fn list_ids(client: &SourceClient, query: &str) -> Result<Listed, SourceError> {
    let mut listed = Listed {
        ids: Vec::new(),
        unusable: 0,
        truncated: false,
    };
    let mut seen = HashSet::new();
    let mut page_token: Option<String> = None;
    for page in 1..=MAX_LIST_PAGES {
        let body: MessageList = client
            .get_json(&list_query(query, page_token.as_deref()))
            .await?;
        for entry in body.messages {
            match entry.id.filter(|id| is_plain_id(id)) {
                Some(id) => {
                    if seen.insert(id.clone()) {
                        listed.ids.push(id);
                    }
                }
                None => listed.unusable += 1,
            }
        }
        page_token = body.next_page_token.filter(|t| !t.is_empty());
        if page_token.is_none() {
            break;
        }
        listed.truncated = page == MAX_LIST_PAGES;
    }
    Ok(listed)
}

async fn get_message(client: &SourceClient, id: &str) -> Result<Option<Message>, SourceError> {
    match client.get_json(&get_path(id)).await {
        Ok(message) => Ok(Some(message)),
        Err(SourceError::Status(404)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The path and query of one `messages.list` page.
pub fn list_query(query: &str, page_token: Option<&str>) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("q", query)
        .append_pair("maxResults", &LIST_PAGE_SIZE.to_string());
    if let Some(token) = page_token {
        q.append_pair("pageToken", token);
    }
    format!("{LIST_PATH}?{}", q.finish())
}

/// The path and query of `messages.get` for the headers a task needs.
pub fn get_path(id: &str) -> String {
    format!(
        "{LIST_PATH}/{id}?format=metadata&metadataHeaders=Subject&metadataHeaders=From&metadataHeaders=Date"
    )
}

/// Ids go into a URL path: only letters, digits, `-` and `_` are accepted.
fn is_plain_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// One page of `messages.list`: only ids. `messages` is absent when nothing matched.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MessageList {
    /// Matching messages (ids only).
    pub messages: Vec<MessageRef>,
    /// Present when there is another page.
    pub next_page_token: Option<String>,
}

/// A list entry.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MessageRef {
    /// Message id.
    pub id: Option<String>,
    /// Thread id.
    pub thread_id: Option<String>,
}

/// A message read with `format=metadata`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Message {
    /// Message id.
    pub id: Option<String>,
    /// Thread id.
    pub thread_id: Option<String>,
    /// System and user labels (`UNREAD`, `IMPORTANT`, `STARRED`, …).
    pub label_ids: Vec<String>,
    /// A short excerpt, HTML-entity-escaped.
    pub snippet: Option<String>,
    /// Received, epoch milliseconds as a string.
    pub internal_date: Option<String>,
    /// Headers (only those asked for).
    pub payload: Option<Payload>,
}

/// The part of a message that holds its headers.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Payload {
    /// Headers.
    pub headers: Vec<Header>,
}

/// One header.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Header {
    /// Name, e.g. `Subject`.
    pub name: String,
    /// Value, decoded.
    pub value: String,
}

impl Message {
    /// A header's value (names compare case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.payload
            .as_ref()?
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    fn has_label(&self, label: &str) -> bool {
        self.label_ids.iter().any(|l| l == label)
    }
}

/// Messages as [`TaskKind::Email`] tasks, with the count of unusable ones (no id, no
/// Subject). A message listed twice is kept once.
pub fn normalize(messages: Vec<Message>, me: &Me) -> Fetched {
    let mut fetched = Fetched::default();
    let mut seen = HashSet::new();
    for message in messages {
        match to_task(&message, me) {
            Some(task) => {
                if seen.insert(task.id.clone()) {
                    fetched.tasks.push(task);
                }
            }
            None => fetched.skipped += 1,
        }
    }
    fetched
}

fn to_task(message: &Message, me: &Me) -> Option<Task> {
    let id = message.id.as_deref().filter(|id| is_plain_id(id))?;
    let title = message
        .header("Subject")
        .and_then(|s| text::one_line(s, 200))?;
    let snippet_text = message
        .snippet
        .as_deref()
        .map(text::decode_entities)
        .unwrap_or_default();
    let unread = message.has_label("UNREAD");
    let important = message.has_label("IMPORTANT");
    let thread = message
        .thread_id
        .as_deref()
        .filter(|t| is_plain_id(t))
        .unwrap_or(id);
    let url = format!("https://mail.google.com/mail/u/0/#all/{thread}");
    let people = message
        .header("From")
        .and_then(parse_from)
        .filter(|p| !is_me(p, me))
        .into_iter()
        .collect();
    let updated_at = message
        .internal_date
        .as_deref()
        .and_then(|ms| ms.trim().parse::<i64>().ok())
        .map(|ms| ms.div_euclid(1000))
        .or_else(|| message.header("Date").and_then(rfc2822_seconds));
    let refs = refs::extract(&format!("{title}\n{snippet_text}\n{url}"));
    let kind = TaskKind::Email;
    Some(Task {
        snippet: text::snippet(&snippet_text),
        url: Some(url),
        people,
        signals: Signals {
            updated_at,
            waiting_on_me: important && unread && asks_something(&snippet_text),
            starred: message.has_label("STARRED"),
            ..Signals::default()
        },
        refs,
        ..Task::new(Source::Gmail, id, kind, title)
    })
}

/// Whether the text asks the reader for something.
fn asks_something(text: &str) -> bool {
    let lower = text.to_lowercase();
    lower.contains('?')
        || ["can you", "could you", "please"]
            .iter()
            .any(|p| lower.contains(p))
}

fn is_me(person: &Person, me: &Me) -> bool {
    matches!((person.handle.as_deref(), me.email.as_deref()), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b))
}

/// The sender of a `From` header: `Name <email>`, `"Last, First" <email>`, `<email>`
/// or a bare `email`.
fn parse_from(value: &str) -> Option<Person> {
    let value = value.trim();
    let (name, email) = match value.rfind('<') {
        Some(open) if value.ends_with('>') => {
            let email = value[open + 1..value.len() - 1].trim();
            let name = value[..open].trim();
            let name = name
                .strip_prefix('"')
                .and_then(|n| n.strip_suffix('"'))
                .unwrap_or(name)
                .replace("\\\"", "\"")
                .replace("\\\\", "\\");
            (name.trim().to_owned(), email)
        }
        _ => (String::new(), value),
    };
    let email = Some(email).filter(|e| e.contains('@') && !e.contains(char::is_whitespace));
    let name = if name.is_empty() {
        email
            .map(str::to_owned)
            .or_else(|| Some(value.to_owned()))?
    } else {
        name
    };
    (!name.is_empty()).then(|| Person {
        name,
        handle: email.map(str::to_owned),
    })
}

/// A `Date` header (RFC 2822) as Unix seconds.
fn rfc2822_seconds(value: &str) -> Option<i64> {
    jiff::fmt::rfc2822::parse(value.trim())
        .ok()
        .map(|z| z.timestamp().as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(value: &str) -> Option<(String, Option<String>)> {
        parse_from(value).map(|p| (p.name, p.handle))
    }

    #[test]
    fn from_headers_in_every_common_shape() {
        let grace = Some((
            "Grace Hopper".to_owned(),
            Some("grace@example.com".to_owned()),
        ));
        assert_eq!(from("Grace Hopper <grace@example.com>"), grace);
        assert_eq!(from("\"Grace Hopper\" <grace@example.com>"), grace);
        assert_eq!(
            from("\"Hopper, Grace \\\"Amazing\\\"\" <grace@example.com>"),
            Some((
                "Hopper, Grace \"Amazing\"".to_owned(),
                Some("grace@example.com".to_owned())
            ))
        );
        let bare = Some((
            "grace@example.com".to_owned(),
            Some("grace@example.com".to_owned()),
        ));
        assert_eq!(from("<grace@example.com>"), bare);
        assert_eq!(from("  grace@example.com "), bare);
        assert_eq!(
            from("Mailer Daemon"),
            Some(("Mailer Daemon".to_owned(), None))
        );
        assert_eq!(from("   "), None);
    }

    #[test]
    fn requests_and_questions_count_as_asking() {
        assert!(asks_something("Could you review the draft"));
        assert!(asks_something("PLEASE sign today"));
        assert!(asks_something("Thoughts?"));
        assert!(!asks_something(
            "Error rate exceeded 5% in the last 15 minutes."
        ));
    }

    #[test]
    fn ids_with_path_characters_are_refused() {
        assert!(is_plain_id("197a1c2f3e4d5b6a"));
        for bad in ["", "../../drive", "a?b", "a/b", "a b", "a%2F"] {
            assert!(!is_plain_id(bad), "{bad}");
        }
    }

    #[test]
    fn a_date_header_is_read_when_internal_date_is_missing() {
        assert_eq!(
            rfc2822_seconds("Mon, 23 Nov 2026 09:30:00 +0100"),
            Some(1_795_422_600)
        );
        assert_eq!(rfc2822_seconds("yesterday"), None);
    }
}
