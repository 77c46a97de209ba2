//! What can go wrong talking to a model, in words a user can act on.
//!
//! The messages never contain the API key, and a provider's own error text is shown
//! only after the key is scrubbed from it and it is cut short.

use std::time::Duration;

/// A failed model call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LlmError {
    /// HTTP 429: the provider is rate-limiting us.
    #[error("The AI provider is rate-limiting requests{}. Try again then.", wait(.retry_after))]
    RateLimited {
        /// `Retry-After`, when the provider sent one.
        retry_after: Option<Duration>,
    },
    /// HTTP 401/403: the key is missing, wrong or not allowed this model.
    #[error(
        "The AI provider refused the API key (HTTP {status}). Check the key in the \
         environment variable {key_env}."
    )]
    KeyRefused {
        /// 401 or 403.
        status: u16,
        /// Where the key comes from.
        key_env: String,
    },
    /// HTTP 5xx or 529: the provider failed or is overloaded.
    #[error("The AI provider had a problem (HTTP {status}). Try again in a moment.")]
    Unavailable {
        /// The status.
        status: u16,
    },
    /// Any other refusal (400 bad request, 404 unknown model, 413 too long).
    #[error("The AI provider refused the request (HTTP {status}): {message}")]
    Refused {
        /// The status.
        status: u16,
        /// The provider's reason (scrubbed, short).
        message: String,
    },
    /// No answer, or a pause in the stream, longer than the configured timeout.
    #[error("The AI provider did not answer within {}.", seconds(.0))]
    Timeout(Duration),
    /// The connection failed.
    #[error("Could not reach the AI provider at {host}.")]
    Unreachable {
        /// Host and port.
        host: String,
    },
    /// The answer was not the streaming format we asked for.
    #[error("The AI provider sent an answer that could not be read ({0}).")]
    Malformed(String),
    /// The provider reported an error inside the stream (e.g. overloaded).
    #[error("The AI provider stopped with an error: {0}")]
    Provider(String),
}

fn wait(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!(" for the next {}", seconds(d)),
        None => " for now".to_owned(),
    }
}

/// "1 second", "12 seconds" (at least one).
fn seconds(d: &Duration) -> String {
    match d.as_secs().max(1) {
        1 => "1 second".to_owned(),
        n => format!("{n} seconds"),
    }
}

/// Longest provider message shown.
const MAX_PROVIDER_MESSAGE: usize = 300;

/// The error for a non-success HTTP answer (pure).
///
/// `body` is the provider's error body (both APIs use `{"error": {"message": …}}`);
/// `secret` is scrubbed from anything quoted.
pub(crate) fn for_status(
    status: u16,
    retry_after: Option<&str>,
    body: &str,
    key_env: &str,
    secret: Option<&str>,
) -> LlmError {
    match status {
        429 => LlmError::RateLimited {
            retry_after: retry_after.and_then(parse_retry_after),
        },
        401 | 403 => LlmError::KeyRefused {
            status,
            key_env: key_env.to_owned(),
        },
        500..=599 => LlmError::Unavailable { status },
        _ => LlmError::Refused {
            status,
            message: provider_message(body, secret).unwrap_or_else(|| "no reason given".to_owned()),
        },
    }
}

/// `Retry-After` as delta-seconds (the HTTP-date form is rare from these APIs and is
/// treated as unknown).
fn parse_retry_after(value: &str) -> Option<Duration> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0 && *s < 86_400.0)
        .map(|s| Duration::from_secs(s.ceil() as u64))
}

/// The `error.message` of a provider error body (or `error` as a string), made safe
/// to show: the key scrubbed, control characters dropped, cut short.
pub(crate) fn provider_message(body: &str, secret: Option<&str>) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let error = value.get("error")?;
    let text = error
        .get("message")
        .and_then(serde_json::Value::as_str)
        .or_else(|| error.as_str())?;
    Some(clean(text, secret))
}

/// Scrubs and shortens a provider's text.
pub(crate) fn clean(text: &str, secret: Option<&str>) -> String {
    let mut text = text.to_owned();
    if let Some(secret) = secret.filter(|s| s.len() >= 8) {
        text = text.replace(secret, "[redacted]");
    }
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_PROVIDER_MESSAGE)
        .collect();
    if text.chars().count() > MAX_PROVIDER_MESSAGE {
        out.push('…');
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_what_the_user_can_do() {
        let e = for_status(429, Some("7"), "", "ANTHROPIC_API_KEY", None);
        assert_eq!(
            e,
            LlmError::RateLimited {
                retry_after: Some(Duration::from_secs(7))
            }
        );
        assert!(e.to_string().contains("7 seconds"), "{e}");
        let e = for_status(429, Some("soon"), "", "K", None);
        assert!(e.to_string().contains("for now"), "{e}");
        let e = for_status(401, None, "{}", "ANTHROPIC_API_KEY", None);
        assert!(e.to_string().contains("ANTHROPIC_API_KEY"), "{e}");
        assert!(matches!(
            for_status(529, None, "", "K", None),
            LlmError::Unavailable { status: 529 }
        ));
        let body =
            r#"{"type":"error","error":{"type":"not_found_error","message":"model: claude-x"}}"#;
        let e = for_status(404, None, body, "K", None);
        assert!(e.to_string().contains("model: claude-x"), "{e}");
    }

    #[test]
    fn the_key_never_survives_into_a_message() {
        let body = r#"{"error":{"message":"Incorrect API key provided: sk-live-0123456789"}}"#;
        let e = for_status(400, None, body, "K", Some("sk-live-0123456789"));
        let text = e.to_string();
        assert!(!text.contains("sk-live-0123456789"), "{text}");
        assert!(text.contains("[redacted]"), "{text}");
        let e = for_status(401, None, body, "K", None).to_string();
        assert!(!e.contains("sk-live"), "{e}");
    }

    #[test]
    fn provider_text_is_cut_and_cleaned() {
        let long = format!(r#"{{"error":{{"message":"{}\n"}}}}"#, "x".repeat(1000));
        let m = provider_message(&long, None).unwrap();
        assert!(m.chars().count() <= MAX_PROVIDER_MESSAGE + 1);
        assert!(!m.contains('\n'));
        assert_eq!(provider_message("<html>", None), None);
        assert_eq!(
            provider_message(r#"{"error":"bad"}"#, None).as_deref(),
            Some("bad")
        );
    }
}
