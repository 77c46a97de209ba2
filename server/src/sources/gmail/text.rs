//! Plain text from what Google sends: HTML entities (Gmail snippets), HTML markup
//! (Calendar descriptions), and the length a task card has room for.
//!
//! Shared by the three Google connectors (`google_calendar`, `gmail`, `google_drive`).

/// The longest snippet a task carries, in characters (the ellipsis included).
pub const MAX_SNIPPET_CHARS: usize = 280;

/// Decodes HTML character references: the common named ones and every numeric one
/// (`&#39;`, `&#x27;`). Anything unrecognised is kept as written.
pub fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let decoded = after
            .find(';')
            .filter(|&end| end <= 10)
            .and_then(|end| entity(&after[..end]).map(|c| (c, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character an entity name (between `&` and `;`) stands for.
fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code).filter(|c| *c != '\0');
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "rsquo" => '’',
        "lsquo" => '‘',
        "rdquo" => '”',
        "ldquo" => '“',
        "euro" => '€',
        _ => return None,
    })
}

/// HTML as plain text: tags removed (each becomes a space, so words on either side of
/// a `<br>` stay apart), entities decoded. Link targets are dropped with their tags;
/// run reference extraction on the raw HTML as well when links matter.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => in_tag = true,
            (true, '>') => {
                in_tag = false;
                out.push(' ');
            }
            (false, c) => out.push(c),
            (true, _) => {}
        }
    }
    decode_entities(&out)
}

/// One line of at most `max_chars` characters: whitespace runs collapsed to one space,
/// cut with an ellipsis when longer. `None` when nothing is left.
pub fn one_line(text: &str, max_chars: usize) -> Option<String> {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() || max_chars == 0 {
        return None;
    }
    if collapsed.chars().count() <= max_chars {
        return Some(collapsed);
    }
    let mut cut: String = collapsed.chars().take(max_chars - 1).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    Some(cut)
}

/// A task snippet: [`one_line`] at [`MAX_SNIPPET_CHARS`].
pub fn snippet(text: &str) -> Option<String> {
    one_line(text, MAX_SNIPPET_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_named_and_numeric_entities() {
        assert_eq!(
            decode_entities(
                "Thursday&#39;s sync &amp; the &quot;Q3&quot; draft &#x2014; &lt;ok&gt;"
            ),
            "Thursday's sync & the \"Q3\" draft — <ok>"
        );
    }

    #[test]
    fn leaves_stray_ampersands_and_unknown_entities_alone() {
        assert_eq!(
            decode_entities("R&D &bogus; a & b &#0; &"),
            "R&D &bogus; a & b &#0; &"
        );
    }

    #[test]
    fn strips_tags_and_keeps_words_apart() {
        assert_eq!(
            one_line(
                &html_to_text("Agenda:<br><b>Q3</b>&nbsp;roadmap<p>and&amp;more</p>"),
                100
            )
            .as_deref(),
            Some("Agenda: Q3 roadmap and&more")
        );
    }

    #[test]
    fn cuts_long_text_at_the_limit_with_an_ellipsis() {
        let long = "word ".repeat(100);
        let s = snippet(&long).unwrap();
        assert!(s.chars().count() <= MAX_SNIPPET_CHARS);
        assert!(s.ends_with("word…"));
        assert!(snippet(&"é".repeat(300)).unwrap().chars().count() <= MAX_SNIPPET_CHARS);
        assert_eq!(snippet("  \n "), None);
    }
}
