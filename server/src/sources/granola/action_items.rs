//! Action items in a meeting note's summary markdown, and which of them are mine.
//!
//! Granola has no structured action items: they are lines of `summary_markdown`.
//! [`ActionItemExtractor`] is the seam: [`HeuristicExtractor`] (this module's pure
//! [`parse`]) is the implementation today; an LLM pass can implement the same trait
//! later and be compared against the heuristic on the same notes.
//!
//! The heuristic, in order:
//! - **Which lines.** List items (`-`, `*`, `+`, `1.`) under a heading named "Action
//!   items", "Next steps", "To-dos" or "Follow-ups" (any `#` level, a bold line, or a
//!   line ending in `:`), plus unchecked checkboxes (`- [ ]`) anywhere. Checked items
//!   (`- [x]`) are done and skipped.
//! - **Addressed to someone.** A leading `@name`, `Name:` / `Name and Name:`,
//!   `Name, …` or `Name can you …` names the assignees: mine when one of them is me
//!   (by first name, full name, email name or `me`), otherwise skipped. A known
//!   limit: a one-word topic prefix (`Budget: confirm numbers`) reads as a name.
//! - **A mention of me anywhere** (`@Dana`, `@me`) makes it mine.
//! - **First person** ("I'll …", "I need to …") is the note owner speaking: mine only
//!   in notes I own.
//! - **Unassigned** items are kept in notes I own (I took the notes, so the open
//!   list is mine to triage; dismissing is one click) and skipped in others' notes
//!   (they are the owner's or the team's).

use std::future::Future;

use jiff::civil::Weekday;

/// What the extractor reads from one note.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoteText {
    /// The summary markdown.
    pub markdown: String,
    /// Lower-case names that address me (`dana`, `dana demo`, `me`).
    pub my_names: Vec<String>,
    /// Lower-case first names of the other people in the meeting.
    pub other_names: Vec<String>,
    /// Whether I own (recorded) the note, so "I" is me.
    pub i_own_the_note: bool,
}

/// How an item came to be mine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignment {
    /// Addressed to me by name (`Dana: …`, `Dana, can you …`).
    Named,
    /// `@`-mentions me (`@Dana can you …`).
    Mentioned,
    /// "I'll …" in a note I own.
    FirstPerson,
    /// Nobody named, in a note I own.
    Unassigned,
}

/// When an item says it is due, relative to the meeting's day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueHint {
    /// "by EOD", "today", "end of day".
    EndOfDay,
    /// "tomorrow".
    Tomorrow,
    /// "by Thu", "before Friday": that weekday, on or after the meeting's day.
    Weekday(Weekday),
}

/// One action item that is mine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionItem {
    /// For people: the item without its addressee prefix, capitalized.
    pub title: String,
    /// The item as written (markers and emphasis removed), for reference keys.
    pub text: String,
    /// Lower case, single spaces: the identity of the item within its note.
    pub normalized: String,
    /// Why it is mine.
    pub assignment: Assignment,
    /// Any due date it names.
    pub due: Option<DueHint>,
}

/// Finds my action items in a note.
pub trait ActionItemExtractor {
    /// My action items in `note`, in the order they appear.
    fn extract(&self, note: &NoteText) -> impl Future<Output = Vec<ActionItem>> + Send;
}

/// The rule-based extractor: [`parse`].
#[derive(Debug, Clone, Copy, Default)]
pub struct HeuristicExtractor;

impl ActionItemExtractor for HeuristicExtractor {
    fn extract(&self, note: &NoteText) -> impl Future<Output = Vec<ActionItem>> + Send {
        std::future::ready(parse(note))
    }
}

/// Headings that open an action-item section (normalized: lower case, words only).
const SECTION_TITLES: [&str; 10] = [
    "action items",
    "action item",
    "next steps",
    "to dos",
    "todos",
    "todo",
    "to do",
    "follow ups",
    "followups",
    "follow up",
];

/// Capitalized words that start sentences, not names (`Note: …`, `Please can you …`).
const NOT_NAMES: [&str; 20] = [
    "i", "we", "you", "please", "someone", "anyone", "everyone", "team", "all", "also", "note",
    "notes", "fyi", "update", "decision", "context", "question", "blocked", "follow", "next",
];

/// The heuristic extraction (pure).
pub fn parse(note: &NoteText) -> Vec<ActionItem> {
    let mut items: Vec<ActionItem> = Vec::new();
    let mut in_section = false;
    for line in note.markdown.lines() {
        let trimmed = line.trim();
        if let Some(heading) = heading(trimmed) {
            in_section = is_action_heading(&heading);
            continue;
        }
        let Some((checkbox, content)) = list_item(trimmed) else {
            continue;
        };
        match checkbox {
            Some(true) => continue,
            Some(false) => {}
            None if !in_section => continue,
            None => {}
        }
        if let Some(item) = classify(content, note) {
            if !items.iter().any(|i| i.normalized == item.normalized) {
                items.push(item);
            }
        }
    }
    items
}

/// A heading's text: `#…` lines, a line that is all bold, or a short `Title:` line that
/// names an action section.
fn heading(line: &str) -> Option<String> {
    if let Some(rest) = line.strip_prefix('#') {
        return Some(rest.trim_start_matches('#').trim().to_owned());
    }
    for mark in ["**", "__"] {
        if let Some(inner) = line.strip_prefix(mark).and_then(|l| l.strip_suffix(mark)) {
            if !inner.contains(mark) && !inner.trim().is_empty() {
                return Some(inner.trim().to_owned());
            }
        }
    }
    let title = line.strip_suffix(':')?;
    is_action_heading(title).then(|| title.to_owned())
}

fn is_action_heading(text: &str) -> bool {
    let words = words_lower(text).join(" ");
    SECTION_TITLES
        .iter()
        .any(|t| words == *t || words.starts_with(&format!("{t} ")))
}

/// A list line's checkbox state (`None` = a plain bullet) and content.
fn list_item(line: &str) -> Option<(Option<bool>, &str)> {
    let rest = ["- ", "* ", "+ ", "• "]
        .iter()
        .find_map(|m| line.strip_prefix(m))
        .or_else(|| {
            let digits = line.find(|c: char| !c.is_ascii_digit())?;
            let rest = &line[digits..];
            (digits > 0)
                .then(|| rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")))
                .flatten()
        })?
        .trim_start();
    let (checkbox, content) = if let Some(r) = rest.strip_prefix("[ ]") {
        (Some(false), r)
    } else if let Some(r) = rest
        .strip_prefix("[x]")
        .or_else(|| rest.strip_prefix("[X]"))
    {
        (Some(true), r)
    } else {
        (None, rest)
    };
    let content = content.trim();
    (!content.is_empty()).then_some((checkbox, content))
}

/// Decides whether an item is mine, and how.
fn classify(content: &str, note: &NoteText) -> Option<ActionItem> {
    let text = content.replace("**", "").replace("__", "").replace('`', "");
    let text = text.trim();
    let normalized = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let (assignment, rest) = match addressee(text, note) {
        Some((names, mentioned, rest)) => {
            if !names.iter().any(|n| is_me(n, note)) {
                return None;
            }
            let how = if mentioned {
                Assignment::Mentioned
            } else {
                Assignment::Named
            };
            (how, rest)
        }
        None if mentions_me(text, note) => (Assignment::Mentioned, text),
        None if first_person(text) => {
            if !note.i_own_the_note {
                return None;
            }
            (Assignment::FirstPerson, text)
        }
        None => {
            if !note.i_own_the_note {
                return None;
            }
            (Assignment::Unassigned, text)
        }
    };
    let title = capitalize(&plain(rest).split_whitespace().collect::<Vec<_>>().join(" "));
    if title.is_empty() {
        return None;
    }
    Some(ActionItem {
        title,
        text: text.to_owned(),
        normalized,
        assignment,
        due: due_hint(text),
    })
}

/// A leading addressee: `(names, was an @mention, the rest of the item)`.
fn addressee<'t>(text: &'t str, note: &NoteText) -> Option<(Vec<String>, bool, &'t str)> {
    // `@name …`
    if let Some(after_at) = text.strip_prefix('@') {
        let end = after_at
            .find(|c: char| !(c.is_alphanumeric() || matches!(c, '.' | '_' | '-')))
            .unwrap_or(after_at.len());
        let name = after_at[..end].trim_end_matches('.').to_lowercase();
        let rest = after_at[end..]
            .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ':' | ','));
        return (!name.is_empty()).then_some((vec![name], true, rest));
    }
    // `Name:` / `Name and Name:` / `Name Surname:`
    if let Some((prefix, rest)) = text.split_once(':') {
        let words: Vec<&str> = prefix
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '&' | '/'))
            .filter(|w| !w.is_empty() && !w.eq_ignore_ascii_case("and"))
            .collect();
        let all_names =
            !words.is_empty() && words.len() <= 4 && words.iter().all(|w| looks_like_name(w));
        // One or two capitalized words are read as names even when they are not in
        // the attendee list (which is often incomplete); longer prefixes only when
        // they name someone in the meeting.
        let known = words.iter().any(|w| is_known(w, note));
        if all_names && (known || words.len() <= 2) {
            let names = words.iter().map(|w| clean_name(w)).collect();
            return Some((names, false, rest));
        }
    }
    // `Name, …` / `Name can you …` / `Name to …` (the last only for known names).
    let first_end = text.find(|c: char| c.is_whitespace() || c == ',')?;
    let (first, rest) = text.split_at(first_end);
    if !looks_like_name(first) {
        return None;
    }
    let after = rest.trim_start_matches(',').trim_start();
    let lower_after = after.to_lowercase();
    let asks = lower_after.starts_with("can you") || lower_after.starts_with("could you");
    let comma = rest.starts_with(',');
    let to = lower_after.starts_with("to ") && is_known(first, note);
    (asks || comma || to).then(|| (vec![clean_name(first)], false, after))
}

/// Markdown inline syntax as text: `[label](url)` → label, `<url>` → url, entities
/// decoded. (Emphasis and code marks are already gone.)
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(['[', '<']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let link = tail.strip_prefix('[').and_then(|t| {
            let (label, after) = t.split_once("](")?;
            let (_, after) = after.split_once(')')?;
            Some((label, after))
        });
        let autolink = tail.strip_prefix('<').and_then(|t| {
            let (target, after) = t.split_once('>')?;
            (target.starts_with("http://") || target.starts_with("https://"))
                .then_some((target, after))
        });
        match link.or(autolink) {
            Some((shown, after)) => {
                out.push_str(shown);
                rest = after;
            }
            None => {
                out.push_str(&tail[..1]);
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn looks_like_name(word: &str) -> bool {
    let word = word.trim_start_matches('@');
    word.chars().next().is_some_and(char::is_uppercase)
        && word
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '.'))
        && !NOT_NAMES.contains(&word.to_lowercase().as_str())
}

fn clean_name(word: &str) -> String {
    word.trim_start_matches('@')
        .trim_end_matches('.')
        .to_lowercase()
}

fn is_me(name: &str, note: &NoteText) -> bool {
    name == "me" || note.my_names.iter().any(|n| n == name)
}

fn is_known(word: &str, note: &NoteText) -> bool {
    let name = clean_name(word);
    is_me(&name, note) || note.other_names.contains(&name)
}

/// `@me` or `@<my name>` anywhere.
fn mentions_me(text: &str, note: &NoteText) -> bool {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')'))
        .filter_map(|w| w.strip_prefix('@'))
        .map(|w| {
            w.trim_end_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .any(|w| is_me(&w, note))
}

/// "I'll …", "I need to …", "I’m going to …".
fn first_person(text: &str) -> bool {
    let first = text.split_whitespace().next().unwrap_or_default();
    first == "I" || first.starts_with("I'") || first.starts_with("I\u{2019}")
}

/// A due date named in the item.
pub fn due_hint(text: &str) -> Option<DueHint> {
    let words = words_lower(text);
    let weekday = words.windows(2).find_map(|pair| {
        matches!(pair[0].as_str(), "by" | "before" | "until" | "on" | "due")
            .then(|| weekday(&pair[1]))
            .flatten()
    });
    if let Some(day) = weekday {
        return Some(DueHint::Weekday(day));
    }
    if words.iter().any(|w| w == "tomorrow") {
        return Some(DueHint::Tomorrow);
    }
    let joined = words.join(" ");
    let end_of_day = words
        .iter()
        .any(|w| matches!(w.as_str(), "eod" | "today" | "tonight"))
        || joined.contains("end of day")
        || joined.contains("end of the day");
    end_of_day.then_some(DueHint::EndOfDay)
}

fn weekday(word: &str) -> Option<Weekday> {
    Some(match word {
        "mon" | "monday" => Weekday::Monday,
        "tue" | "tues" | "tuesday" => Weekday::Tuesday,
        "wed" | "weds" | "wednesday" => Weekday::Wednesday,
        "thu" | "thur" | "thurs" | "thursday" => Weekday::Thursday,
        "fri" | "friday" => Weekday::Friday,
        "sat" | "saturday" => Weekday::Saturday,
        "sun" | "sunday" => Weekday::Sunday,
        _ => return None,
    })
}

fn words_lower(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(markdown: &str, i_own_the_note: bool) -> NoteText {
        NoteText {
            markdown: markdown.to_owned(),
            my_names: vec!["dana".into(), "dana demo".into()],
            other_names: vec!["grace".into(), "alan".into()],
            i_own_the_note,
        }
    }

    fn titles(items: &[ActionItem]) -> Vec<&str> {
        items.iter().map(|i| i.title.as_str()).collect()
    }

    #[test]
    fn keeps_my_items_and_skips_others_and_done_ones() {
        let md = "## Decisions\n- Ship it\n\n## Action items\n- [ ] Dana: finish ENG-142 fix and ask Grace for review\n- [ ] Grace: update the rollout doc\n- I'll send the budget numbers to Finance by EOD\n- [x] Dana: close ENG-120";
        let items = parse(&note(md, true));
        assert_eq!(
            titles(&items),
            [
                "Finish ENG-142 fix and ask Grace for review",
                "I'll send the budget numbers to Finance by EOD"
            ]
        );
        assert_eq!(items[0].assignment, Assignment::Named);
        assert_eq!(items[1].assignment, Assignment::FirstPerson);
        assert_eq!(items[1].due, Some(DueHint::EndOfDay));
    }

    #[test]
    fn first_person_in_someone_elses_note_is_theirs() {
        let md = "### Action Items\n- I'll update the mocks\n- [ ] @Dana can you draft the Q3 OKRs?\n- Alan can you check the vendor contract?";
        let items = parse(&note(md, false));
        assert_eq!(titles(&items), ["Can you draft the Q3 OKRs?"]);
        assert_eq!(items[0].assignment, Assignment::Mentioned);
    }

    #[test]
    fn unassigned_items_are_mine_only_in_my_notes() {
        let md =
            "**Next steps**\n- Book a room for the retro\n1. Ping @grace about the hiring plan";
        assert_eq!(
            titles(&parse(&note(md, true))),
            [
                "Book a room for the retro",
                "Ping @grace about the hiring plan"
            ]
        );
        assert!(parse(&note(md, false)).is_empty());
    }

    #[test]
    fn bullets_outside_an_action_section_are_not_items_but_checkboxes_are() {
        let md = "## Notes\n- Dana: talked about budgets\n- [ ] Dana: send the deck\n## To-dos:\n- Dana, please review the PR";
        assert_eq!(
            titles(&parse(&note(md, false))),
            ["Send the deck", "Please review the PR"]
        );
    }

    #[test]
    fn shared_assignments_and_mentions_anywhere_count_as_mine() {
        let md = "Action items:\n- Dana and Grace: pair on the migration\n- Review the draft with @dana\n- Grace & Alan: book travel";
        let items = parse(&note(md, false));
        assert_eq!(
            titles(&items),
            ["Pair on the migration", "Review the draft with @dana"]
        );
    }

    #[test]
    fn a_sentence_starting_with_a_capital_is_not_an_addressee() {
        let md = "## Action items\n- Note: the deadline moved, confirm with finance\n- Please can you share the slides";
        assert_eq!(
            titles(&parse(&note(md, true))),
            [
                "Note: the deadline moved, confirm with finance",
                "Please can you share the slides"
            ]
        );
    }

    #[test]
    fn due_hints_from_common_phrases() {
        assert_eq!(due_hint("send it by EOD"), Some(DueHint::EndOfDay));
        assert_eq!(due_hint("finish today"), Some(DueHint::EndOfDay));
        assert_eq!(due_hint("before end of day"), Some(DueHint::EndOfDay));
        assert_eq!(due_hint("by tomorrow"), Some(DueHint::Tomorrow));
        assert_eq!(
            due_hint("review the mocks by Thu"),
            Some(DueHint::Weekday(Weekday::Thursday))
        );
        assert_eq!(
            due_hint("due Friday please"),
            Some(DueHint::Weekday(Weekday::Friday))
        );
        assert_eq!(due_hint("think about Monday's plan"), None);
        assert_eq!(due_hint("draft the OKRs"), None);
    }

    #[test]
    fn titles_are_plain_text() {
        assert_eq!(
            plain("see [the doc](https://docs.google.com/d/1) &amp; <https://x.example/a> a<b"),
            "see the doc & https://x.example/a a<b"
        );
    }

    #[test]
    fn the_same_item_twice_is_one_item() {
        let md = "## Action items\n- [ ] Dana: send the deck\n- [ ]  Dana:  Send  the deck";
        assert_eq!(parse(&note(md, false)).len(), 1);
    }
}
