//! A Server-Sent Events decoder (the WHATWG event-stream format), fed the bytes of a
//! response as they arrive and handing back whole events.
//!
//! Pure: no I/O, so it is tested on byte strings cut at every awkward place (inside a
//! line, between `\r` and `\n`, inside a UTF-8 character).

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The `event:` field (`message` when absent).
    pub event: String,
    /// The `data:` lines joined with `\n`.
    pub data: String,
}

/// Why the bytes are not an event stream.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SseError {
    /// A line longer than [`MAX_LINE`]: not a stream we can hold.
    #[error("an event line longer than {MAX_LINE} bytes")]
    LineTooLong,
    /// A line that is not UTF-8.
    #[error("an event line that is not UTF-8")]
    NotUtf8,
}

/// Longest line accepted (a tool call's arguments arrive in many small deltas, so
/// real lines are short).
pub const MAX_LINE: usize = 1 << 20;

/// The decoder's state between chunks.
#[derive(Debug, Default)]
pub struct SseDecoder {
    buffer: Vec<u8>,
    event: Option<String>,
    data: Vec<String>,
    started: bool,
}

impl SseDecoder {
    /// A decoder at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds a chunk; returns the events it completed.
    ///
    /// # Errors
    /// A line too long or not UTF-8.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<Vec<Frame>, SseError> {
        self.buffer.extend_from_slice(chunk);
        let mut frames = Vec::new();
        let mut start = 0;
        loop {
            let rest = &self.buffer[start..];
            let Some(pos) = rest.iter().position(|b| *b == b'\n' || *b == b'\r') else {
                break;
            };
            // A `\r` at the very end may be the first half of `\r\n`: wait for more.
            if rest[pos] == b'\r' && pos + 1 == rest.len() {
                break;
            }
            let terminator = if rest[pos] == b'\r' && rest[pos + 1] == b'\n' {
                2
            } else {
                1
            };
            let line = std::str::from_utf8(&rest[..pos])
                .map_err(|_| SseError::NotUtf8)?
                .to_owned();
            start += pos + terminator;
            if let Some(frame) = self.line(&line) {
                frames.push(frame);
            }
        }
        self.buffer.drain(..start);
        if self.buffer.len() > MAX_LINE {
            return Err(SseError::LineTooLong);
        }
        Ok(frames)
    }

    /// The end of the stream: a last line ended by a lone `\r` still counts; an
    /// unterminated line or an event without its blank line is not dispatched (the
    /// spec's rule).
    ///
    /// # Errors
    /// A last line that is not UTF-8.
    pub fn finish(&mut self) -> Result<Vec<Frame>, SseError> {
        let rest = std::mem::take(&mut self.buffer);
        let text = std::str::from_utf8(&rest).map_err(|_| SseError::NotUtf8)?;
        match text.strip_suffix('\r') {
            Some(line) => Ok(self.line(line).into_iter().collect()),
            None => {
                if !text.is_empty() {
                    let _ = self.line(text);
                }
                Ok(Vec::new())
            }
        }
    }

    fn line(&mut self, line: &str) -> Option<Frame> {
        let line = if self.started {
            line
        } else {
            self.started = true;
            line.strip_prefix('\u{feff}').unwrap_or(line)
        };
        if line.is_empty() {
            let event = self.event.take();
            if self.data.is_empty() {
                return None;
            }
            let data = std::mem::take(&mut self.data).join("\n");
            return Some(Frame {
                event: event.unwrap_or_else(|| "message".to_owned()),
                data,
            });
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "event" => self.event = Some(value.to_owned()),
            "data" => self.data.push(value.to_owned()),
            _ => {}
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(event: &str, data: &str) -> Frame {
        Frame {
            event: event.into(),
            data: data.into(),
        }
    }

    fn decode_in_pieces(bytes: &[u8], size: usize) -> Vec<Frame> {
        let mut d = SseDecoder::new();
        let mut frames = Vec::new();
        for chunk in bytes.chunks(size) {
            frames.extend(d.feed(chunk).unwrap());
        }
        frames.extend(d.finish().unwrap());
        frames
    }

    #[test]
    fn decodes_named_events_with_any_line_ending_and_any_cut() {
        let text = "event: message_start\ndata: {\"a\":1}\n\nevent: ping\r\ndata: {}\r\n\r\n: comment\ndata: x\rdata: y\r\r";
        let expected = vec![
            frame("message_start", "{\"a\":1}"),
            frame("ping", "{}"),
            frame("message", "x\ny"),
        ];
        for size in 1..=text.len() {
            assert_eq!(decode_in_pieces(text.as_bytes(), size), expected, "{size}");
        }
    }

    #[test]
    fn keeps_utf8_split_across_chunks() {
        let text = "data: {\"text\":\"caf\u{e9} \u{1f600}\"}\n\n";
        for size in 1..8 {
            assert_eq!(
                decode_in_pieces(text.as_bytes(), size),
                vec![frame("message", "{\"text\":\"caf\u{e9} \u{1f600}\"}")]
            );
        }
    }

    #[test]
    fn data_without_a_space_and_empty_fields() {
        let frames = decode_in_pieces(b"data:[DONE]\n\ndata\n\nevent:x\n\n", 100);
        assert_eq!(
            frames,
            vec![frame("message", "[DONE]"), frame("message", "")]
        );
    }

    #[test]
    fn a_bom_at_the_start_is_ignored() {
        let frames = decode_in_pieces("\u{feff}data: 1\n\n".as_bytes(), 2);
        assert_eq!(frames, vec![frame("message", "1")]);
    }

    #[test]
    fn an_unterminated_event_is_not_dispatched() {
        let mut d = SseDecoder::new();
        assert!(d.feed(b"data: {\"partial\"}\n").unwrap().is_empty());
        assert!(d.finish().unwrap().is_empty());
    }

    #[test]
    fn refuses_endless_lines_and_bad_bytes() {
        let mut d = SseDecoder::new();
        let long = vec![b'a'; MAX_LINE + 1];
        assert_eq!(d.feed(&long), Err(SseError::LineTooLong));
        let mut d = SseDecoder::new();
        assert_eq!(d.feed(b"data: \xff\xfe\n"), Err(SseError::NotUtf8));
    }
}
