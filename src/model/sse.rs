//! An incremental parser for `text/event-stream` (the refresh progress stream).
//!
//! Bytes arrive in arbitrary chunks; only complete lines are decoded, so a character
//! split across two chunks is never mangled. Follows the HTML standard's rules that
//! matter here: `event:` and `data:` fields, multi-line data, comments, CRLF, and a
//! blank line to dispatch.

/// One dispatched event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field, `message` when absent.
    pub event: String,
    /// The `data:` lines, joined with `\n`.
    pub data: String,
}

/// Feeds bytes, yields events.
#[derive(Clone, Debug, Default)]
pub struct SseParser {
    pending: Vec<u8>,
    event: String,
    data: Vec<String>,
}

impl SseParser {
    /// Takes the next chunk; returns the events it completed.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        self.pending.extend_from_slice(chunk);
        let Some(last_newline) = self.pending.iter().rposition(|b| *b == b'\n') else {
            return Vec::new();
        };
        let complete: Vec<u8> = self.pending.drain(..=last_newline).collect();
        let text = String::from_utf8_lossy(&complete[..last_newline]);
        let mut out = Vec::new();
        for line in text.split('\n') {
            self.line(line.strip_suffix('\r').unwrap_or(line), &mut out);
        }
        out
    }

    /// The stream ended: an event still being built is dispatched.
    pub fn finish(&mut self) -> Option<SseEvent> {
        let rest = std::mem::take(&mut self.pending);
        let mut out = Vec::new();
        if !rest.is_empty() {
            let text = String::from_utf8_lossy(&rest).into_owned();
            self.line(text.strip_suffix('\r').unwrap_or(&text), &mut out);
        }
        self.line("", &mut out);
        out.pop()
    }

    fn line(&mut self, line: &str, out: &mut Vec<SseEvent>) {
        if line.is_empty() {
            if !self.data.is_empty() {
                let event = std::mem::take(&mut self.event);
                out.push(SseEvent {
                    event: if event.is_empty() {
                        "message".to_owned()
                    } else {
                        event
                    },
                    data: std::mem::take(&mut self.data).join("\n"),
                });
            }
            self.event.clear();
            return;
        }
        if line.starts_with(':') {
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "event" => value.clone_into(&mut self.event),
            "data" => self.data.push(value.to_owned()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(event: &str, data: &str) -> SseEvent {
        SseEvent {
            event: event.into(),
            data: data.into(),
        }
    }

    #[test]
    fn parses_events_split_across_chunks() {
        let mut p = SseParser::default();
        assert!(p.push(b"event: source_started\nda").is_empty());
        assert_eq!(
            p.push(b"ta: {\"source\":\"linear\"}\n\nevent: done\n"),
            vec![ev("source_started", "{\"source\":\"linear\"}")]
        );
        assert_eq!(p.push(b"data: {}\n\n"), vec![ev("done", "{}")]);
    }

    #[test]
    fn keeps_a_character_split_between_chunks_whole() {
        let bytes = "data: Zoë\n\n".as_bytes();
        let split = bytes.iter().position(|b| *b == 0xC3).unwrap() + 1;
        let mut p = SseParser::default();
        assert!(p.push(&bytes[..split]).is_empty());
        assert_eq!(p.push(&bytes[split..]), vec![ev("message", "Zoë")]);
    }

    #[test]
    fn handles_crlf_comments_and_multiline_data() {
        let mut p = SseParser::default();
        let got = p.push(b": keep-alive\r\nevent: x\r\ndata: a\r\ndata:b\r\nid: 7\r\n\r\n");
        assert_eq!(got, vec![ev("x", "a\nb")]);
    }

    #[test]
    fn finish_dispatches_an_unterminated_event() {
        let mut p = SseParser::default();
        assert!(p.push(b"event: done\ndata: {\"a\":1}").is_empty());
        assert_eq!(p.finish(), Some(ev("done", "{\"a\":1}")));
        assert_eq!(p.finish(), None);
    }
}
