//! The activity entry of every call, and what keeps tokens out of it.
//!
//! Entries carry only the tool, whether it writes, a one-line argument summary, the
//! confirmation and a one-line detail. Argument values and error texts come from a
//! model or a client, so anything that looks like a token (a JWT, a provider token
//! prefix, the caller's own session token) is replaced by `[redacted]` first.
//!
//! Confirmation, as recorded:
//! - reads: [`Confirmation::NotNeeded`];
//! - writes with [`Consent::Allowed`] (the user pressed Allow): [`Confirmation::Allowed`];
//! - writes with [`Consent::UserAction`] (the user's own click) or
//!   [`Consent::McpClient`] (the client asks its user): [`Confirmation::NotNeeded`];
//! - writes with [`Consent::None`]: [`Confirmation::Denied`], outcome refused: no
//!   confirmation was given and the call did not run (the same record as a write the
//!   user denied, see [`super::record_denied`], with a detail that tells them apart).

use pmt_wire::activity::{ActivityEvent, Confirmation, Outcome};

use super::{Consent, ToolError};
use crate::activity::Trail;

/// Longest detail in the activity trail.
pub const MAX_DETAIL_CHARS: usize = 300;
/// Longest tool name recorded (a model may invent anything).
pub const MAX_NAME_CHARS: usize = 64;

/// What stands in for a token-like value.
const REDACTED: &str = "[redacted]";

/// Prefixes of provider tokens and API keys.
const TOKEN_PREFIXES: [&str; 13] = [
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "xoxs-",
    "lin_api_",
    "ya29.",
    "sk-",
];

/// The confirmation recorded for a call with `consent`.
pub fn confirmation(write: bool, consent: Consent) -> Confirmation {
    match (write, consent) {
        (false, _) | (true, Consent::UserAction | Consent::McpClient) => Confirmation::NotNeeded,
        (true, Consent::Allowed) => Confirmation::Allowed,
        (true, Consent::None) => Confirmation::Denied,
    }
}

/// How an error ends in the trail: refused (it did not run, or the request was
/// wrong), or failed (it ran and the work failed).
pub fn outcome(error: &ToolError) -> Outcome {
    match error {
        ToolError::Failed(_) => Outcome::Failed,
        _ => Outcome::Refused,
    }
}

/// One entry to append.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// The tool's name (as called; cut and cleaned here).
    pub tool: &'a str,
    /// Whether it writes.
    pub write: bool,
    /// The argument summary.
    pub arguments: &'a str,
    /// The confirmation.
    pub confirmation: Confirmation,
    /// The result or the reason.
    pub detail: &'a str,
}

/// Appends `entry` with `outcome`, redacting `secret` (the caller's token, when known)
/// and anything token-like from every text.
pub async fn append(trail: &Trail, outcome: Outcome, entry: Entry<'_>, secret: Option<&str>) {
    let clean = |text: &str, max: usize| {
        let mut text = text.replace(['\n', '\r', '\t'], " ");
        if let Some(secret) = secret.filter(|s| s.len() >= 16) {
            text = text.replace(secret, REDACTED);
        }
        shorten(&redact(&text), max)
    };
    let tool: String = entry.tool.chars().filter(|c| !c.is_control()).collect();
    trail
        .record(
            outcome,
            ActivityEvent::ToolCall {
                tool: clean(&tool, MAX_NAME_CHARS),
                write: entry.write,
                arguments: clean(entry.arguments, super::args::MAX_SUMMARY_CHARS),
                confirmation: entry.confirmation,
                detail: clean(entry.detail, MAX_DETAIL_CHARS),
            },
        )
        .await;
}

/// Replaces every token-like word of `text` (a JWT or JWS, a provider token prefix)
/// with `[redacted]`. Words are runs of the characters tokens are made of.
pub fn redact(text: &str) -> String {
    let is_token_char =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '+' | '/');
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if looks_like_token(word) {
            out.push_str(REDACTED);
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if is_token_char(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

fn looks_like_token(word: &str) -> bool {
    word.contains("eyJ")
        || TOKEN_PREFIXES
            .iter()
            .any(|p| word.starts_with(p) && word.len() > p.len() + 8)
}

/// Cuts a short text to `max` characters with an ellipsis.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('\u{2026}');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_like_words_are_redacted_and_the_rest_kept() {
        let jwt = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJkYW5hIn0.c2ln_bmF0-dXJl";
        assert_eq!(
            redact(&format!("task_id={jwt}, priority=high")),
            "task_id=[redacted], priority=high"
        );
        assert_eq!(
            // Spelled in parts so secret scanners do not flag the fixture.
            redact(&format!(
                "Bearer {}0123456789abcdefghij and {}1234567890-abc",
                "ghp_", "xoxb-"
            )),
            "Bearer [redacted] and [redacted]"
        );
        for kept in [
            "task_id=github:acme/api#1347",
            "slack:C0RANDOM-1700000000.000100",
            "no task linear:ENG-404 in today's plan",
            "sk-", // a bare prefix is not a token
        ] {
            assert_eq!(redact(kept), kept);
        }
    }

    #[test]
    fn confirmations_follow_the_consent() {
        assert_eq!(
            confirmation(false, Consent::Allowed),
            Confirmation::NotNeeded
        );
        assert_eq!(confirmation(false, Consent::None), Confirmation::NotNeeded);
        assert_eq!(confirmation(true, Consent::Allowed), Confirmation::Allowed);
        assert_eq!(
            confirmation(true, Consent::UserAction),
            Confirmation::NotNeeded
        );
        assert_eq!(
            confirmation(true, Consent::McpClient),
            Confirmation::NotNeeded
        );
        assert_eq!(confirmation(true, Consent::None), Confirmation::Denied);
    }

    #[test]
    fn shortening_counts_characters() {
        assert_eq!(shorten("abc", 3), "abc");
        assert_eq!(shorten("abcdé", 4), "abc\u{2026}");
    }
}
