//! Gmail simulator: `messages.list` with search and `messages.get`, serving the demo
//! day's mailbox in Gmail API v1's wire format.
//!
//! `q` is evaluated the way Gmail reads it, for the operators a to-do search uses:
//! `is:unread|read|important|starred`, `in:inbox|anywhere`, `label:`, `category:`,
//! `from:`, `subject:`, `newer_than:`/`older_than:`, free words, `-` negation, `OR`
//! (which binds tighter than the implicit `AND`) and parentheses. Lists hold at most
//! [`PAGE_SIZE`] ids; no `messages` key when nothing matched; an unknown `pageToken` is a
//! `400`. `messages.get` honours `format` and the repeated `metadataHeaders`, and answers
//! `404` for an unknown id, like Gmail for a message deleted since it was listed: one
//! unread (not important) calendar notification is in that state.

use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{json, Value};

use super::day::{EMAIL, NAME};
use super::SimState;
use crate::sources::Today;

/// Most ids on one list page, whatever `maxResults` asks for.
pub const PAGE_SIZE: usize = 5;

/// The provider's routes, relative to `/sim/gmail`.
pub fn router() -> Router<SimState> {
    Router::new()
        .route("/gmail/v1/users/me/messages", get(list_messages))
        .route("/gmail/v1/users/me/messages/{id}", get(get_message))
}

/// A Gmail API error.
fn api_error(status: StatusCode, reason: &str, state: &str, message: &str) -> Response {
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
    api_error(
        StatusCode::BAD_REQUEST,
        "invalidArgument",
        "INVALID_ARGUMENT",
        message,
    )
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListParams {
    q: Option<String>,
    max_results: Option<String>,
    page_token: Option<String>,
}

async fn list_messages(
    State(state): State<SimState>,
    Query(params): Query<ListParams>,
) -> Response {
    let today = state.day().today();
    let max_results = match params.max_results.as_deref() {
        None => 100,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=500).contains(&n) => n,
            _ => return invalid("Invalid maxResults"),
        },
    };
    let query = parse_query(params.q.as_deref().unwrap_or(""));
    let matching: Vec<DemoMessage> = mailbox(&today)
        .into_iter()
        .filter(|m| query.matches(m, today.now))
        .collect();
    let offset = match params.page_token.as_deref() {
        None => 0,
        Some(token) => match decode_page_token(token).filter(|o| *o <= matching.len()) {
            Some(o) => o,
            None => return invalid("Invalid pageToken"),
        },
    };
    let end = (offset + max_results.min(PAGE_SIZE)).min(matching.len());
    let mut body = json!({ "resultSizeEstimate": matching.len() });
    if end > offset {
        body["messages"] = matching[offset..end]
            .iter()
            .map(|m| json!({"id": m.id, "threadId": m.thread_id}))
            .collect();
    }
    if end < matching.len() {
        body["nextPageToken"] = json!(encode_page_token(end));
    }
    Json(body).into_response()
}

/// Page tokens look like Gmail's: a long decimal number.
const TOKEN_BASE: u64 = 10_000_000_000_000_000;

fn encode_page_token(offset: usize) -> String {
    format!("{:020}", TOKEN_BASE + offset as u64)
}

fn decode_page_token(token: &str) -> Option<usize> {
    let n: u64 = token.parse().ok()?;
    usize::try_from(n.checked_sub(TOKEN_BASE)?).ok()
}

async fn get_message(
    State(state): State<SimState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let today = state.day().today();
    let mut format = "full".to_owned();
    let mut wanted: Vec<String> = Vec::new();
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "format" => format = value.into_owned(),
            "metadataHeaders" | "metadataHeaders[]" => wanted.push(value.into_owned()),
            _ => {}
        }
    }
    if !matches!(format.as_str(), "minimal" | "full" | "raw" | "metadata") {
        return invalid("Invalid format");
    }
    let Some(message) = mailbox(&today)
        .into_iter()
        .find(|m| m.id == id && !m.deleted)
    else {
        return api_error(
            StatusCode::NOT_FOUND,
            "notFound",
            "NOT_FOUND",
            "Requested entity was not found.",
        );
    };
    Json(message.to_json(&format, &wanted, &today)).into_response()
}

/// One message of the demo mailbox.
#[derive(Debug, Clone)]
struct DemoMessage {
    id: &'static str,
    thread_id: &'static str,
    labels: &'static [&'static str],
    from: &'static str,
    subject: &'static str,
    /// Plain text; escaped like Gmail's when served.
    snippet: String,
    received: i64,
    /// Listed, but deleted before it could be read.
    deleted: bool,
}

impl DemoMessage {
    fn has_label(&self, label: &str) -> bool {
        self.labels.iter().any(|l| l.eq_ignore_ascii_case(label))
    }

    fn to_json(&self, format: &str, wanted: &[String], today: &Today) -> Value {
        let mut message = json!({
            "id": self.id,
            "threadId": self.thread_id,
            "labelIds": self.labels,
            "snippet": escape_html(&self.snippet),
            "sizeEstimate": 4_000 + self.snippet.len() * 10,
            "historyId": (8_812_734 + self.received % 1000).to_string(),
            "internalDate": (self.received * 1000 + 123).to_string(),
        });
        if format == "minimal" {
            return message;
        }
        if format == "raw" {
            message["raw"] = json!("");
            return message;
        }
        let date = Timestamp::from_second(self.received)
            .ok()
            .and_then(|t| {
                let zone = TimeZone::get(&today.time_zone).unwrap_or(TimeZone::UTC);
                jiff::fmt::rfc2822::to_string(&t.to_zoned(zone)).ok()
            })
            .unwrap_or_default();
        let all = [
            ("Date", date),
            ("From", self.from.to_owned()),
            ("To", format!("{NAME} <{EMAIL}>")),
            ("Subject", self.subject.to_owned()),
            ("Message-ID", format!("<{}@mail.acme.example>", self.id)),
        ];
        let headers: Vec<Value> = all
            .iter()
            .filter(|(name, _)| {
                format != "metadata"
                    || wanted.is_empty()
                    || wanted.iter().any(|w| w.eq_ignore_ascii_case(name))
            })
            .map(|(name, value)| json!({"name": name, "value": value}))
            .collect();
        message["payload"] = json!({
            "partId": "",
            "mimeType": "multipart/alternative",
            "filename": "",
            "headers": headers,
            "body": {"size": 0},
        });
        message
    }
}

/// What Gmail does to snippets.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The demo mailbox, newest first.
fn mailbox(today: &Today) -> Vec<DemoMessage> {
    let ago = |minutes: i64| today.now - minutes * 60;
    let message = |id, thread_id, labels, from, subject, snippet: &str, minutes| DemoMessage {
        id,
        thread_id,
        labels,
        from,
        subject,
        snippet: snippet.to_owned(),
        received: ago(minutes),
        deleted: false,
    };
    let mut messages = vec![
        message(
            "197a1d0a1b2c3d4e",
            "197a1d0a1b2c3d4e",
            &["UNREAD", "IMPORTANT", "CATEGORY_UPDATES", "INBOX"],
            "Acme Alerts <alerts@acme.example>",
            "[Alert] ENG-130 webhook failures in production",
            "Error rate for webhook deliveries is 7.2% (threshold 5%) over the last 15 minutes. \
             Runbook: https://wiki.acme.example/runbooks/webhooks",
            25,
        ),
        message(
            "197a1c2f3e4d5b6a",
            "197a1c2f3e4d5b6a",
            &["UNREAD", "IMPORTANT", "CATEGORY_PERSONAL", "INBOX"],
            "Grace Hopper <grace@example.com>",
            "Q3 budget draft: review needed",
            "Hi Dana, could you review the Q3 budget draft before today's Budget review? \
             https://docs.google.com/document/d/1BudgetQ3DocAcme00000000000/edit I left a comment on the totals.",
            50,
        ),
        message(
            "197a0e9d8c7b6a59",
            "197a0e9d8c7b6a00",
            &["UNREAD", "STARRED", "CATEGORY_PERSONAL", "INBOX"],
            "Acme Legal <legal@acme.example>",
            "Contract renewal: signature needed today",
            "Hi Dana, the Northwind contract renewal needs your signature by 5 pm today. \
             The DocuSign envelope is in your inbox.",
            120,
        ),
        message(
            "1979f8e7d6c5b4a3",
            "1979f8e7d6c5b4a3",
            &["UNREAD", "IMPORTANT", "CATEGORY_PERSONAL", "INBOX"],
            "Finance <finance@example.com>",
            "Budget review prep",
            "Attached are the Q3 numbers for today's Budget review. Please bring your questions & any <corrections>.",
            180,
        ),
        message(
            "1979f0a1b2c3d4e5",
            "1979f0a1b2c3d400",
            &["UNREAD", "IMPORTANT", "CATEGORY_PERSONAL", "INBOX"],
            "\"Turing, Alan\" <alan@example.com>",
            "Re: Sync v2 rollout plan",
            "Dana, can you confirm the rollout date? The runbook (ENG-151) still has open sections.",
            240,
        ),
        message(
            "1979968778695a4b",
            "1979968778695a4b",
            &["UNREAD", "CATEGORY_UPDATES", "INBOX"],
            "Google Calendar <calendar-notification@google.com>",
            "Updated invitation: Weekly planning",
            "Alan Turing updated the invitation: Weekly planning, today 16:00.",
            300,
        ),
        message(
            "1979e1f2a3b4c5d6",
            "1979e1f2a3b4c5d6",
            &["UNREAD", "IMPORTANT", "CATEGORY_UPDATES", "INBOX"],
            "Acme Expenses <expenses@acme.example>",
            "Expense report #4471 approved",
            "Your expense report for 212.40 EUR was approved and will be paid with the next payroll.",
            1_200,
        ),
        message(
            "1979d2c3b4a59687",
            "1979d2c3b4a59687",
            &["UNREAD", "CATEGORY_UPDATES", "INBOX"],
            "Acme Digest <digest@acme.example>",
            "Weekly digest",
            "Top posts this week: the new coffee machine, Q3 all-hands recording, parking update.",
            1_500,
        ),
        message(
            "1979c3b4a5968778",
            "1979c3b4a5968778",
            &["UNREAD", "CATEGORY_PROMOTIONS", "INBOX"],
            "This Week in Rust <newsletter@this-week-in-rust.example>",
            "This Week in Rust 620",
            "Hello and welcome to another issue of This Week in Rust!",
            2_000,
        ),
        message(
            "1979b4a596877869",
            "1979b4a596877869",
            &["UNREAD", "CATEGORY_PROMOTIONS", "INBOX"],
            "DevConf <events@devconf.example>",
            "Last chance: 50% off DevConf tickets",
            "Prices go up at midnight. Grab your ticket now & save 50%!",
            2_600,
        ),
        message(
            "1979a5968778695a",
            "1979a5968778695a",
            &["IMPORTANT", "CATEGORY_PERSONAL", "INBOX"],
            "Alan Turing <alan@example.com>",
            "Re: Sync v2 design",
            "Thanks, looks good to me.",
            3_000,
        ),
    ];
    for m in &mut messages {
        m.deleted = m.id == "1979968778695a4b";
    }
    messages.sort_by_key(|m| std::cmp::Reverse(m.received));
    messages
}

/// A parsed Gmail search.
#[derive(Debug, Clone, PartialEq)]
enum Search {
    /// One operator or word.
    Term(String),
    /// `-x`.
    Not(Box<Search>),
    /// Space-separated (every one must match; empty matches everything).
    All(Vec<Search>),
    /// `x OR y`.
    Any(Vec<Search>),
}

/// Parses Gmail search syntax (never fails: unparseable parts are words).
fn parse_query(q: &str) -> Search {
    let tokens = tokenize(q);
    let mut pos = 0;
    let mut all = Vec::new();
    while pos < tokens.len() {
        if tokens[pos] == ")" {
            pos += 1;
            continue;
        }
        all.push(parse_any(&tokens, &mut pos));
    }
    Search::All(all)
}

fn parse_all(tokens: &[String], pos: &mut usize) -> Search {
    let mut all = Vec::new();
    while *pos < tokens.len() && tokens[*pos] != ")" {
        all.push(parse_any(tokens, pos));
    }
    Search::All(all)
}

fn parse_any(tokens: &[String], pos: &mut usize) -> Search {
    let mut any = vec![parse_one(tokens, pos)];
    while *pos + 1 < tokens.len() && tokens[*pos] == "OR" && tokens[*pos + 1] != ")" {
        *pos += 1;
        any.push(parse_one(tokens, pos));
    }
    if any.len() == 1 {
        any.remove(0)
    } else {
        Search::Any(any)
    }
}

fn parse_one(tokens: &[String], pos: &mut usize) -> Search {
    let token = tokens[*pos].clone();
    *pos += 1;
    match token.as_str() {
        "(" | "-(" => {
            let group = parse_all(tokens, pos);
            if *pos < tokens.len() {
                *pos += 1; // the closing parenthesis
            }
            if token == "-(" {
                Search::Not(Box::new(group))
            } else {
                group
            }
        }
        t if t.len() > 1 && t.starts_with('-') => {
            Search::Not(Box::new(Search::Term(t[1..].to_owned())))
        }
        _ => Search::Term(token),
    }
}

/// Words, quoted phrases (quotes removed), `(`, `-(` and `)`.
fn tokenize(q: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in q.chars() {
        match c {
            '"' => quoted = !quoted,
            c if quoted => current.push(c),
            '(' if current.is_empty() || current == "-" => {
                current.push('(');
                tokens.push(std::mem::take(&mut current));
            }
            ')' => {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
                tokens.push(")".to_owned());
            }
            c if c.is_whitespace() => {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

impl Search {
    fn matches(&self, m: &DemoMessage, now: i64) -> bool {
        match self {
            Search::All(all) => all.iter().all(|q| q.matches(m, now)),
            Search::Any(any) => any.iter().any(|q| q.matches(m, now)),
            Search::Not(q) => !q.matches(m, now),
            Search::Term(term) => term_matches(term, m, now),
        }
    }
}

fn term_matches(term: &str, m: &DemoMessage, now: i64) -> bool {
    let contains =
        |haystack: &str, needle: &str| haystack.to_lowercase().contains(&needle.to_lowercase());
    let Some((op, value)) = term.split_once(':') else {
        return [m.subject, m.from, m.snippet.as_str()]
            .iter()
            .any(|h| contains(h, term));
    };
    let value_lower = value.to_lowercase();
    match (op.to_lowercase().as_str(), value_lower.as_str()) {
        ("is", "unread") => m.has_label("UNREAD"),
        ("is", "read") => !m.has_label("UNREAD"),
        ("is", "important") => m.has_label("IMPORTANT"),
        ("is", "starred") => m.has_label("STARRED"),
        ("is", "unstarred") => !m.has_label("STARRED"),
        ("in", "anywhere") => true,
        ("in", label) | ("label", label) => m.has_label(&label.replace('-', "_")),
        ("category", "primary") => m.has_label("CATEGORY_PERSONAL"),
        ("category", category) => m.has_label(&format!("CATEGORY_{category}")),
        ("from", who) => contains(m.from, who),
        ("subject", words) => contains(m.subject, words),
        ("newer_than", age) => age_secs(age).is_some_and(|a| m.received > now - a),
        ("older_than", age) => age_secs(age).is_some_and(|a| m.received < now - a),
        _ => [m.subject, m.from, m.snippet.as_str()]
            .iter()
            .any(|h| contains(h, term)),
    }
}

/// `2d`, `3m` (months), `1y`, and `5h` as seconds.
fn age_secs(age: &str) -> Option<i64> {
    let unit = age.chars().last()?;
    let n: i64 = age[..age.len() - unit.len_utf8()].parse().ok()?;
    let secs = match unit {
        'h' => 3_600,
        'd' => 86_400,
        'm' => 30 * 86_400,
        'y' => 365 * 86_400,
        _ => return None,
    };
    n.checked_mul(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(t: &str) -> Search {
        Search::Term(t.to_owned())
    }

    #[test]
    fn or_binds_tighter_than_and_like_gmail() {
        assert_eq!(
            parse_query("is:unread is:important OR is:starred"),
            Search::All(vec![
                term("is:unread"),
                Search::Any(vec![term("is:important"), term("is:starred")])
            ])
        );
    }

    #[test]
    fn negation_groups_and_phrases() {
        assert_eq!(
            parse_query("-(is:read OR label:x) \"budget review\" -from:digest"),
            Search::All(vec![
                Search::Not(Box::new(Search::All(vec![Search::Any(vec![
                    term("is:read"),
                    term("label:x")
                ])]))),
                term("budget review"),
                Search::Not(Box::new(term("from:digest"))),
            ])
        );
    }

    #[test]
    fn the_default_search_finds_unread_mail_that_is_important_or_starred() {
        let today = Today::at(1_795_422_600, "Europe/Paris").unwrap();
        let q = parse_query("is:unread is:important OR is:starred");
        let subjects: Vec<&str> = mailbox(&today)
            .into_iter()
            .filter(|m| q.matches(m, today.now))
            .map(|m| m.subject)
            .collect();
        assert_eq!(
            subjects,
            [
                "[Alert] ENG-130 webhook failures in production",
                "Q3 budget draft: review needed",
                "Contract renewal: signature needed today",
                "Budget review prep",
                "Re: Sync v2 rollout plan",
                "Expense report #4471 approved",
            ]
        );
    }

    #[test]
    fn ages_in_gmail_units() {
        assert_eq!(age_secs("2d"), Some(172_800));
        assert_eq!(age_secs("1m"), Some(2_592_000));
        assert_eq!(age_secs("d"), None);
        assert_eq!(age_secs("5w"), None);
    }
}
