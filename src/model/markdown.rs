//! The little markdown the agent writes, parsed into plain data: paragraphs, lists,
//! headings; bold, inline code and links inside them.
//!
//! The chat renders these as DOM nodes with text content, never as HTML: whatever the
//! model (or a task title it quotes) says, `<script>` stays text. Links keep only
//! `http` and `https` targets; anything else is shown as its text.

/// A run of text inside a block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// `**bold**`.
    Strong(String),
    /// `` `code` ``.
    Code(String),
    /// `[text](https://…)` or a bare `https://…`.
    Link {
        /// What to show.
        text: String,
        /// Where it goes (`http:` or `https:` only).
        url: String,
    },
    /// A single line break inside a paragraph.
    Break,
}

/// A block of text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// A paragraph.
    Paragraph(Vec<Inline>),
    /// A `#` heading (shown as a bold line: the chat has its own heading levels).
    Heading(Vec<Inline>),
    /// A bulleted (`- `, `* `, `• `) or numbered (`1. `) list.
    List {
        /// Numbered.
        ordered: bool,
        /// One entry per item.
        items: Vec<Vec<Inline>>,
    },
}

/// A list marker at the start of `line`: (ordered, the rest).
fn list_item(line: &str) -> Option<(bool, &str)> {
    for marker in ["- ", "* ", "• ", "+ "] {
        if let Some(rest) = line.strip_prefix(marker) {
            return Some((false, rest));
        }
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=3).contains(&digits) {
        let rest = &line[digits..];
        if let Some(rest) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return Some((true, rest));
        }
    }
    None
}

fn heading(line: &str) -> Option<&str> {
    let hashes = line.bytes().take_while(|b| *b == b'#').count();
    (1..=6).contains(&hashes).then_some(())?;
    line[hashes..].strip_prefix(' ')
}

/// Blocks of `text`.
pub fn parse(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut list: Option<(bool, Vec<String>)> = None;
    let flush_para = |para: &mut Vec<&str>, blocks: &mut Vec<Block>| {
        if !para.is_empty() {
            blocks.push(Block::Paragraph(inlines_lines(para)));
            para.clear();
        }
    };
    let flush_list = |list: &mut Option<(bool, Vec<String>)>, blocks: &mut Vec<Block>| {
        if let Some((ordered, items)) = list.take() {
            blocks.push(Block::List {
                ordered,
                items: items.iter().map(|i| inlines(i)).collect(),
            });
        }
    };
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() {
            flush_para(&mut para, &mut blocks);
            flush_list(&mut list, &mut blocks);
            continue;
        }
        if let Some((ordered, rest)) = list_item(line) {
            flush_para(&mut para, &mut blocks);
            match &mut list {
                Some((o, items)) if *o == ordered => items.push(rest.to_owned()),
                _ => {
                    flush_list(&mut list, &mut blocks);
                    list = Some((ordered, vec![rest.to_owned()]));
                }
            }
            continue;
        }
        if let Some(title) = heading(line) {
            flush_para(&mut para, &mut blocks);
            flush_list(&mut list, &mut blocks);
            blocks.push(Block::Heading(inlines(title)));
            continue;
        }
        // An indented line right after a list item continues it.
        if let Some((_, items)) = &mut list {
            if raw.starts_with(' ') || raw.starts_with('\t') {
                if let Some(last) = items.last_mut() {
                    last.push(' ');
                    last.push_str(line);
                    continue;
                }
            }
            flush_list(&mut list, &mut blocks);
        }
        para.push(line);
    }
    flush_para(&mut para, &mut blocks);
    flush_list(&mut list, &mut blocks);
    blocks
}

fn inlines_lines(lines: &[&str]) -> Vec<Inline> {
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push(Inline::Break);
        }
        out.extend(inlines(line));
    }
    out
}

fn web_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && url.len() > "https://".len()
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Appends text, merging with a preceding text run.
fn text_into(out: &mut Vec<Inline>, s: &str) {
    if s.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(Inline::Text(t)) => t.push_str(s),
        _ => out.push(Inline::Text(s.to_owned())),
    }
}

/// A bare URL's end: trailing punctuation belongs to the sentence.
fn bare_url_len(s: &str) -> usize {
    let end = s
        .find(|c: char| c.is_whitespace() || c == '<' || c == '>' || c == '"')
        .unwrap_or(s.len());
    s[..end]
        .trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\''])
        .len()
}

/// The inline runs of one line.
pub fn inlines(line: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut rest = line;
    while !rest.is_empty() {
        let next = rest
            .char_indices()
            .find(|(i, c)| {
                matches!(c, '*' | '`' | '[')
                    || (*c == 'h' && {
                        let s = &rest[*i..];
                        s.starts_with("https://") || s.starts_with("http://")
                    })
            })
            .map(|(i, _)| i);
        let Some(at) = next else {
            text_into(&mut out, rest);
            break;
        };
        text_into(&mut out, &rest[..at]);
        rest = &rest[at..];
        if let Some(inner) = rest.strip_prefix("**") {
            if let Some(end) = inner.find("**").filter(|&e| e > 0) {
                out.push(Inline::Strong(inner[..end].to_owned()));
                rest = &inner[end + 2..];
                continue;
            }
            text_into(&mut out, "**");
            rest = inner;
            continue;
        }
        if let Some(inner) = rest.strip_prefix('`') {
            if let Some(end) = inner.find('`').filter(|&e| e > 0) {
                out.push(Inline::Code(inner[..end].to_owned()));
                rest = &inner[end + 1..];
                continue;
            }
        }
        if let Some(inner) = rest.strip_prefix('[') {
            if let Some((text, after)) = inner.split_once("](") {
                if let Some(close) = after.find(')') {
                    let url = after[..close].trim();
                    if !text.contains('[') && web_url(url) {
                        out.push(Inline::Link {
                            text: text.to_owned(),
                            url: url.to_owned(),
                        });
                        rest = &after[close + 1..];
                        continue;
                    }
                }
            }
        }
        if rest.starts_with("http") {
            let len = bare_url_len(rest);
            if web_url(&rest[..len]) {
                out.push(Inline::Link {
                    text: rest[..len].to_owned(),
                    url: rest[..len].to_owned(),
                });
                rest = &rest[len..];
                continue;
            }
        }
        // A marker that starts nothing: one character of text.
        let width = rest.chars().next().map_or(1, char::len_utf8);
        text_into(&mut out, &rest[..width]);
        rest = &rest[width..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Inline {
        Inline::Text(s.into())
    }

    #[test]
    fn paragraphs_lists_and_headings() {
        let blocks = parse(
            "## Your day\nFirst the deploy.\nThen lunch.\n\n- one\n- **two**\n\n1. a\n2) b\n   more\nafter",
        );
        assert_eq!(
            blocks,
            vec![
                Block::Heading(vec![t("Your day")]),
                Block::Paragraph(vec![
                    t("First the deploy."),
                    Inline::Break,
                    t("Then lunch.")
                ]),
                Block::List {
                    ordered: false,
                    items: vec![vec![t("one")], vec![Inline::Strong("two".into())]],
                },
                Block::List {
                    ordered: true,
                    items: vec![vec![t("a")], vec![t("b more")]],
                },
                Block::Paragraph(vec![t("after")]),
            ]
        );
    }

    #[test]
    fn bold_code_and_links() {
        assert_eq!(
            inlines(
                "Do **ENG-1** via `make deploy`, see [the PR](https://github.com/acme/api/pull/7)."
            ),
            vec![
                t("Do "),
                Inline::Strong("ENG-1".into()),
                t(" via "),
                Inline::Code("make deploy".into()),
                t(", see "),
                Inline::Link {
                    text: "the PR".into(),
                    url: "https://github.com/acme/api/pull/7".into()
                },
                t("."),
            ]
        );
    }

    #[test]
    fn bare_urls_become_links_without_trailing_punctuation() {
        assert_eq!(
            inlines("Open https://linear.app/x/ENG-1."),
            vec![
                t("Open "),
                Inline::Link {
                    text: "https://linear.app/x/ENG-1".into(),
                    url: "https://linear.app/x/ENG-1".into()
                },
                t("."),
            ]
        );
    }

    #[test]
    fn only_web_links_are_links() {
        for bad in [
            "[click](javascript:alert(1))",
            "[x](data:text/html,<b>hi</b>)",
            "[x](//evil.example)",
            "[x](https://a b)",
        ] {
            assert!(
                !inlines(bad).iter().any(
                    |i| matches!(i, Inline::Link { text, .. } if text == "x" || text == "click")
                ),
                "{bad} must not be a link"
            );
            for i in inlines(bad) {
                if let Inline::Link { url, .. } = i {
                    assert!(url.starts_with("https://"), "{bad}: {url}");
                }
            }
        }
    }

    #[test]
    fn html_stays_text() {
        let blocks = parse("<img src=x onerror=alert(1)> <script>alert(1)</script>");
        assert_eq!(
            blocks,
            vec![Block::Paragraph(vec![t(
                "<img src=x onerror=alert(1)> <script>alert(1)</script>"
            )])]
        );
    }

    #[test]
    fn unclosed_markers_are_text_while_streaming() {
        assert_eq!(inlines("a **bol"), vec![t("a **bol")]);
        assert_eq!(inlines("`co"), vec![t("`co")]);
        assert_eq!(
            inlines("[t](https://x"),
            vec![
                t("[t]("),
                Inline::Link {
                    text: "https://x".into(),
                    url: "https://x".into()
                }
            ]
        );
        assert_eq!(inlines("2 * 3 = 6"), vec![t("2 * 3 = 6")]);
        assert_eq!(
            inlines("Zoë **é**"),
            vec![t("Zoë "), Inline::Strong("é".into())]
        );
    }
}
