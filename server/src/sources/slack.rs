//! Slack: messages that mention me, and messages I marked with an emoji.
//!
//! [`fetch`] pages through `search.messages?query=<@ME>` (legacy `page`/`paging`,
//! newest first, stopping once a page reaches past the [`MENTION_WINDOW_DAYS`]
//! look-back) and `reactions.list` (cursor); [`normalize`] keeps mentions inside the
//! window and messages carrying my `marker_emoji` reaction, one task per message
//! (a marked mention is one task: the mention, starred). Slack answers errors as
//! HTTP 200 `{"ok": false, "error": …}`: [`check`] maps them.
//!
//! Text is rendered for people by [`plain_text`] (`<@U…>` → `@name`, links → their
//! labels, entities decoded); reference keys are extracted from the raw text so the
//! URLs behind labels still link tasks.

use std::collections::{HashMap, HashSet};

use pmt_wire::{Person, Signals, Source, Task, TaskKind};
use serde::Deserialize;
use serde_json::Value;

use super::{FetchContext, Fetched, Me, SourceError, Today};
use crate::plan::refs;

/// Mentions older than this many days before today are not today's to-dos.
pub const MENTION_WINDOW_DAYS: i64 = 7;
/// The emoji that marks a to-do when the `marker_emoji` option is not set.
pub const DEFAULT_MARKER: &str = "eyes";
/// Results per page (search allows 100; reactions.list `limit` too).
const PAGE_SIZE: u32 = 100;
/// Pages followed per listing before giving up on the rest (counted as one skipped).
const MAX_PAGES: u32 = 10;
/// Longest title, characters.
const TITLE_CHARS: usize = 120;
/// Longest snippet, characters.
const SNIPPET_CHARS: usize = 280;

/// Fetches mentions and marked messages and normalizes them.
///
/// # Errors
/// [`SourceError::Provider`] when the `user_id` option is missing or Slack answers
/// `ok: false`; [`SourceError::Unauthorized`] for a revoked or invalid token; the
/// client's errors otherwise.
pub async fn fetch(ctx: &FetchContext) -> Result<Fetched, SourceError> {
    let user_id = ctx
        .option("user_id")
        .ok_or_else(|| SourceError::Provider("the Slack user_id option is not set".to_owned()))?;
    let marker = ctx.option("marker_emoji").unwrap_or(DEFAULT_MARKER);
    let oldest = ctx.today.start - MENTION_WINDOW_DAYS * 86_400;
    let mut truncated = 0;

    let mut mentions = Vec::new();
    let query = format!("<@{user_id}>");
    for page in 1..=MAX_PAGES + 1 {
        if page > MAX_PAGES {
            truncated += 1;
            break;
        }
        let path = format!(
            "/api/search.messages?{}",
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("query", &query)
                .append_pair("count", &PAGE_SIZE.to_string())
                .append_pair("page", &page.to_string())
                .append_pair("sort", "timestamp")
                .append_pair("sort_dir", "desc")
                .finish()
        );
        let response: SearchResponse = ctx.client.get_json(&path).await?;
        check(response.ok, response.error.as_deref())?;
        let messages = response.messages.unwrap_or_default();
        let reached_window_end = messages
            .matches
            .iter()
            .filter_map(|m| m.get("ts").and_then(Value::as_str).and_then(ts_seconds))
            .any(|ts| ts < oldest);
        mentions.extend(messages.matches);
        let pages = messages.paging.pages.max(messages.paging.page);
        if reached_window_end || page >= pages {
            break;
        }
    }

    let mut reactions = Vec::new();
    let mut cursor = String::new();
    for page in 0..=MAX_PAGES {
        if page == MAX_PAGES {
            truncated += 1;
            break;
        }
        // The serializer is not `Send`: it must be gone before the await (the refresh
        // runs every connector in a spawned task).
        let path = {
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            query
                .append_pair("full", "true")
                .append_pair("limit", &PAGE_SIZE.to_string());
            if !cursor.is_empty() {
                query.append_pair("cursor", &cursor);
            }
            format!("/api/reactions.list?{}", query.finish())
        };
        let response: ReactionsResponse = ctx.client.get_json(&path).await?;
        check(response.ok, response.error.as_deref())?;
        reactions.extend(response.items);
        cursor = response
            .response_metadata
            .and_then(|m| m.next_cursor)
            .unwrap_or_default();
        if cursor.is_empty() {
            break;
        }
    }

    let mut fetched = normalize(
        &mentions,
        &reactions,
        &Mine {
            user_id,
            marker,
            me: &ctx.me,
        },
        &ctx.today,
    );
    fetched.skipped += truncated;
    Ok(fetched)
}

/// Maps Slack's `ok`/`error` envelope.
///
/// # Errors
/// [`SourceError::Unauthorized`] for token errors, [`SourceError::RateLimited`] for
/// `ratelimited`, [`SourceError::Provider`] with Slack's error code otherwise.
pub fn check(ok: bool, error: Option<&str>) -> Result<(), SourceError> {
    if ok {
        return Ok(());
    }
    let error = error.unwrap_or("unknown_error");
    Err(match error {
        "invalid_auth" | "not_authed" | "token_revoked" | "token_expired" | "account_inactive" => {
            SourceError::Unauthorized(401)
        }
        "ratelimited" => SourceError::RateLimited {
            retry_after_secs: 60,
        },
        other => SourceError::Provider(other.to_owned()),
    })
}

/// `search.messages`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SearchResponse {
    /// Success flag.
    pub ok: bool,
    /// Error code when not ok.
    pub error: Option<String>,
    /// Results.
    pub messages: Option<SearchMessages>,
}

/// `search.messages` → `messages`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SearchMessages {
    /// Matches (raw: one odd match is skipped, not fatal).
    pub matches: Vec<Value>,
    /// Legacy paging.
    pub paging: Paging,
}

/// Legacy `paging`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Paging {
    /// This page (1-based).
    pub page: u32,
    /// How many pages.
    pub pages: u32,
}

/// `reactions.list`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReactionsResponse {
    /// Success flag.
    pub ok: bool,
    /// Error code when not ok.
    pub error: Option<String>,
    /// Items I reacted to.
    pub items: Vec<Value>,
    /// Cursor paging.
    pub response_metadata: Option<ResponseMetadata>,
}

/// `response_metadata`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ResponseMetadata {
    /// Empty or absent when done.
    pub next_cursor: Option<String>,
}

/// A search match.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SearchMatch {
    /// Message timestamp (`"1748934512.004200"`), unique within a channel.
    pub ts: Option<String>,
    /// Raw message text (Slack markup).
    pub text: Option<String>,
    /// Author's user id.
    pub user: Option<String>,
    /// Author's handle.
    pub username: Option<String>,
    /// Link to the message.
    pub permalink: Option<String>,
    /// Channel.
    pub channel: Option<Channel>,
}

/// A channel as search returns it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Channel {
    /// Id.
    pub id: Option<String>,
    /// Name, without `#`.
    pub name: Option<String>,
}

/// A `reactions.list` item.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReactionItem {
    /// `message`, `file`, …
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Channel id.
    pub channel: Option<String>,
    /// The message.
    pub message: Option<ReactedMessage>,
}

/// A message in a `reactions.list` item.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReactedMessage {
    /// Timestamp.
    pub ts: Option<String>,
    /// Raw text.
    pub text: Option<String>,
    /// Author's user id.
    pub user: Option<String>,
    /// Author's handle, when Slack includes it.
    pub username: Option<String>,
    /// Link to the message.
    pub permalink: Option<String>,
    /// Reactions on it.
    pub reactions: Vec<Reaction>,
}

/// One emoji's reactions.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Reaction {
    /// Emoji name without colons.
    pub name: Option<String>,
    /// Who reacted.
    pub users: Vec<String>,
}

/// Who I am at Slack, and how I mark to-dos.
#[derive(Debug, Clone, Copy)]
pub struct Mine<'a> {
    /// My user id.
    pub user_id: &'a str,
    /// My marker emoji.
    pub marker: &'a str,
    /// My name, for rendering mentions of me.
    pub me: &'a Me,
}

/// One message on its way to a task.
struct Message {
    channel: String,
    channel_name: Option<String>,
    ts: String,
    raw: String,
    user: Option<String>,
    username: Option<String>,
    permalink: Option<String>,
}

/// Turns mentions and reacted-to items into tasks (pure).
///
/// Mentions older than the look-back window, my own messages, and reactions other
/// than my marker are not to-dos and are dropped silently; items missing their
/// channel, timestamp or text are skipped and counted.
pub fn normalize(
    mentions: &[Value],
    reactions: &[Value],
    mine: &Mine<'_>,
    today: &Today,
) -> Fetched {
    let oldest = today.start - MENTION_WINDOW_DAYS * 86_400;
    let mut fetched = Fetched::default();
    let mut found: Vec<(Message, TaskKind)> = Vec::new();
    let mut names: HashMap<String, String> = HashMap::new();
    let mut channels: HashMap<String, String> = HashMap::new();
    let mut marked_mentions: HashSet<(String, String)> = HashSet::new();

    for value in mentions {
        let m = serde_json::from_value::<SearchMatch>(value.clone()).unwrap_or_default();
        let channel = m.channel.clone().unwrap_or_default();
        let (Some(ts), Some(channel_id), Some(raw)) = (m.ts, channel.id, m.text) else {
            fetched.skipped += 1;
            continue;
        };
        if let (Some(id), Some(name)) = (&m.user, &m.username) {
            names.insert(id.clone(), name.clone());
        }
        if let Some(name) = &channel.name {
            channels.insert(channel_id.clone(), name.clone());
        }
        if m.user.as_deref() == Some(mine.user_id) {
            continue;
        }
        if ts_seconds(&ts).is_none_or(|t| t < oldest) {
            continue;
        }
        found.push((
            Message {
                channel: channel_id,
                channel_name: channel.name,
                ts,
                raw,
                user: m.user,
                username: m.username,
                permalink: m.permalink,
            },
            TaskKind::Mention,
        ));
    }
    for value in reactions {
        let item = serde_json::from_value::<ReactionItem>(value.clone()).unwrap_or_default();
        if item.kind.as_deref() != Some("message") {
            continue;
        }
        let message = item.message.unwrap_or_default();
        let marked = message.reactions.iter().any(|r| {
            r.name.as_deref() == Some(mine.marker) && r.users.iter().any(|u| u == mine.user_id)
        });
        if !marked {
            continue;
        }
        let (Some(ts), Some(channel), Some(raw)) = (message.ts, item.channel, message.text) else {
            fetched.skipped += 1;
            continue;
        };
        if found
            .iter()
            .any(|(m, _)| m.channel == channel && m.ts == ts)
        {
            // Already a mention: one task, starred because I marked it too.
            marked_mentions.insert((channel, ts));
            continue;
        }
        found.push((
            Message {
                channel_name: channels.get(&channel).cloned(),
                channel,
                ts,
                raw,
                user: message.user,
                username: message.username,
                permalink: message.permalink,
            },
            TaskKind::MarkedMessage,
        ));
    }

    let mut by_key: HashMap<(String, String), usize> = HashMap::new();
    for (message, kind) in found {
        let key = (message.channel.clone(), message.ts.clone());
        if by_key.contains_key(&key) {
            continue;
        }
        let Some(mut task) = task(&message, kind, mine, &names) else {
            fetched.skipped += 1;
            continue;
        };
        task.signals.starred |= marked_mentions.contains(&key);
        by_key.insert(key, fetched.tasks.len());
        fetched.tasks.push(task);
    }
    fetched
}

fn task(
    message: &Message,
    kind: TaskKind,
    mine: &Mine<'_>,
    names: &HashMap<String, String>,
) -> Option<Task> {
    let mut names = names.clone();
    if let Some(name) = mine.me.name.clone() {
        names.insert(mine.user_id.to_owned(), name);
    }
    let text = plain_text(&message.raw, &names);
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let title_source = strip_leading_mention(&message.raw, mine.user_id)
        .map(|rest| plain_text(rest, &names))
        .unwrap_or_else(|| text.clone());
    let title_line = title_source
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(capitalize)?;
    let lower = one_line.to_lowercase();
    let asks = ["?", "can you", "could you", "would you", "please"]
        .iter()
        .any(|p| lower.contains(p));
    let user = message.user.clone().filter(|u| !u.is_empty());
    let author = message
        .username
        .clone()
        .filter(|u| !u.is_empty())
        .or_else(|| user.as_ref().and_then(|u| names.get(u).cloned()));
    let snippet = match &message.channel_name {
        Some(name) => format!("#{name} · {one_line}"),
        None => one_line.clone(),
    };
    let mut task_refs = Vec::new();
    let permalink = message.permalink.clone().filter(|p| !p.is_empty());
    for r in refs::extract(&format!(
        "{} {}",
        message.raw,
        permalink.as_deref().unwrap_or_default()
    )) {
        if !task_refs.contains(&r) {
            task_refs.push(r);
        }
    }
    let mention = kind == TaskKind::Mention;
    Some(Task {
        snippet: Some(truncate(&snippet, SNIPPET_CHARS)),
        url: permalink,
        people: author
            .map(|name| Person {
                name,
                handle: user.clone(),
            })
            .into_iter()
            .collect(),
        signals: Signals {
            updated_at: ts_seconds(&message.ts),
            waiting_on_me: mention && asks,
            direct_mention: mention,
            starred: kind == TaskKind::MarkedMessage,
            ..Signals::default()
        },
        refs: task_refs,
        ..Task::new(
            Source::Slack,
            &format!("{}/{}", message.channel, message.ts),
            kind,
            truncate(&title_line, TITLE_CHARS),
        )
    })
}

/// The raw text after a leading `<@ME>` (and punctuation), when it starts with one.
fn strip_leading_mention<'t>(raw: &'t str, user_id: &str) -> Option<&'t str> {
    let rest = raw.trim_start().strip_prefix("<@")?.strip_prefix(user_id)?;
    let rest = match rest.strip_prefix('|') {
        Some(labelled) => labelled.split_once('>')?.1,
        None => rest.strip_prefix('>')?,
    };
    let rest = rest.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ':' | ','));
    (!rest.trim().is_empty()).then_some(rest)
}

/// Slack markup as plain text for people.
///
/// `<@U…>`/`<@U…|name>` → `@name` (from `names`, else `@someone`), `<#C…|general>` →
/// `#general`, `<!here>` → `@here`, `<url|label>` → `label`, `<url>` → `url`, and
/// `&amp;`/`&lt;`/`&gt;` decoded (after the markup, so escaped brackets stay text).
pub fn plain_text(raw: &str, names: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(open) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..open]));
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else {
            out.push_str(&decode_entities(&rest[open..]));
            rest = "";
            break;
        };
        out.push_str(&render_token(&after[..close], names));
        rest = &after[close + 1..];
    }
    out.push_str(&decode_entities(rest));
    out
}

fn render_token(token: &str, names: &HashMap<String, String>) -> String {
    let (target, label) = match token.split_once('|') {
        Some((t, l)) => (t, Some(decode_entities(l))),
        None => (token, None),
    };
    if let Some(id) = target.strip_prefix('@') {
        let name = label
            .map(|l| l.trim_start_matches('@').to_owned())
            .or_else(|| names.get(id).cloned())
            .unwrap_or_else(|| "someone".to_owned());
        return format!("@{name}");
    }
    if let Some(id) = target.strip_prefix('#') {
        return format!("#{}", label.unwrap_or_else(|| id.to_owned()));
    }
    if let Some(special) = target.strip_prefix('!') {
        return match label {
            Some(l) => l,
            None => format!("@{}", special.split('^').next().unwrap_or(special)),
        };
    }
    label.unwrap_or_else(|| {
        let url = decode_entities(target);
        url.strip_prefix("mailto:")
            .map(str::to_owned)
            .unwrap_or(url)
    })
}

fn decode_entities(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Unix seconds of a Slack `ts` (`"1748934512.004200"`).
pub fn ts_seconds(ts: &str) -> Option<i64> {
    ts.split('.').next()?.parse().ok()
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
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

    fn names() -> HashMap<String, String> {
        HashMap::from([("U0GRACE01".to_owned(), "grace".to_owned())])
    }

    #[test]
    fn renders_mentions_links_and_entities_for_people() {
        let raw = "<@U0GRACE01> &amp; <@U0NOBODY> see <https://docs.google.com/document/d/1Abc/edit|the doc> or <https://example.com/x?a=1&amp;b=2> in <#C01|eng-sync> &lt;3 <!here>";
        assert_eq!(
            plain_text(raw, &names()),
            "@grace & @someone see the doc or https://example.com/x?a=1&b=2 in #eng-sync <3 @here"
        );
    }

    #[test]
    fn escaped_brackets_are_text_not_markup() {
        assert_eq!(plain_text("a &lt;b&gt; c", &names()), "a <b> c");
        assert_eq!(plain_text("unclosed <tag", &names()), "unclosed <tag");
    }

    #[test]
    fn a_leading_mention_of_me_is_dropped_from_the_title() {
        assert_eq!(
            strip_leading_mention("<@U0DANA01> can you look?", "U0DANA01"),
            Some("can you look?")
        );
        assert_eq!(
            strip_leading_mention("<@U0DANA01|dana>: lunch?", "U0DANA01"),
            Some("lunch?")
        );
        assert_eq!(strip_leading_mention("FYI <@U0DANA01>", "U0DANA01"), None);
    }

    #[test]
    fn token_errors_are_unauthorized_and_others_name_the_code() {
        assert_eq!(
            check(false, Some("token_revoked")),
            Err(SourceError::Unauthorized(401))
        );
        assert_eq!(
            check(false, Some("missing_scope")),
            Err(SourceError::Provider("missing_scope".into()))
        );
        assert_eq!(check(true, None), Ok(()));
    }
}
