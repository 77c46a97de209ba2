//! Reference keys found in task text: what cross-references are made of.
//!
//! A key names one thing the same way whatever source mentions it:
//! `linear:ENG-142`, `github:acme/api#1347` (PR or issue), `gdoc:<file id>`,
//! `meeting:<normalized title>`. Connectors call [`extract`] on titles, snippets and
//! URLs; two tasks sharing a key are linked.

/// Reference keys in `text`, deduplicated, in order of first appearance.
pub fn extract(text: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut push = |k: String| {
        if !keys.contains(&k) {
            keys.push(k);
        }
    };
    for word in text.split(|c: char| {
        c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | '"' | '\'' | '|' | ',')
    }) {
        if let Some(k) = github_key(word) {
            push(k);
        } else if let Some(k) = gdoc_key(word) {
            push(k);
        }
    }
    for k in issue_keys(text) {
        push(format!("linear:{k}"));
    }
    keys
}

/// The key of a meeting, from its title: lower case, single spaces, no punctuation.
pub fn meeting_key(title: &str) -> Option<String> {
    let normalized: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    (!normalized.is_empty()).then(|| format!("meeting:{}", normalized.join(" ")))
}

/// `github:owner/repo#n` from a github.com pull/issue URL or an API URL.
fn github_key(word: &str) -> Option<String> {
    let rest = word
        .strip_prefix("https://github.com/")
        .or_else(|| word.strip_prefix("https://api.github.com/repos/"))?;
    let mut parts = rest.split(['/', '?', '#']);
    let owner = parts.next().filter(|s| !s.is_empty())?;
    let repo = parts.next().filter(|s| !s.is_empty())?;
    let kind = parts.next()?;
    if !matches!(kind, "pull" | "pulls" | "issues") {
        return None;
    }
    let number: u64 = parts.next()?.parse().ok()?;
    Some(format!("github:{owner}/{repo}#{number}"))
}

/// `gdoc:<id>` from a Google Docs/Sheets/Slides/Drive file URL.
fn gdoc_key(word: &str) -> Option<String> {
    let rest = word
        .strip_prefix("https://docs.google.com/")
        .or_else(|| word.strip_prefix("https://drive.google.com/"))?;
    let after = rest.split_once("/d/")?.1;
    let id: String = after
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect();
    (id.len() >= 10).then(|| format!("gdoc:{id}"))
}

/// Issue keys like `ENG-142`: 2–10 capital letters/digits starting with a letter, a
/// dash, digits; not part of a longer word or URL path segment.
fn issue_keys(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let boundary = i == 0
            || !(bytes[i - 1].is_ascii_alphanumeric()
                || matches!(bytes[i - 1], b'-' | b'/' | b'_'));
        if boundary && bytes[i].is_ascii_uppercase() {
            let start = i;
            let mut j = i;
            while j < bytes.len() && (bytes[j].is_ascii_uppercase() || bytes[j].is_ascii_digit()) {
                j += 1;
            }
            let prefix_len = j - start;
            if (2..=10).contains(&prefix_len) && j < bytes.len() && bytes[j] == b'-' {
                let mut k = j + 1;
                while k < bytes.len() && bytes[k].is_ascii_digit() {
                    k += 1;
                }
                let digits = k - j - 1;
                let end_ok =
                    k >= bytes.len() || !(bytes[k].is_ascii_alphanumeric() || bytes[k] == b'-');
                if (1..=6).contains(&digits) && end_ok {
                    out.push(text[start..k].to_owned());
                    i = k;
                    continue;
                }
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_linear_keys_in_prose_but_not_inside_words() {
        assert_eq!(
            extract("can you look at ENG-142 before standup? (also OPS-7)"),
            vec!["linear:ENG-142", "linear:OPS-7"]
        );
        assert!(extract("x-ENG-142 and ENG-142x").is_empty());
    }

    #[test]
    fn finds_github_pr_and_issue_urls_in_both_forms() {
        assert_eq!(
            extract("PR is https://github.com/acme/api/pull/1347, see also https://api.github.com/repos/acme/api/issues/1290"),
            vec!["github:acme/api#1347", "github:acme/api#1290"]
        );
        assert!(extract("https://github.com/acme/api").is_empty());
    }

    #[test]
    fn finds_google_doc_ids() {
        assert_eq!(
            extract("<https://docs.google.com/document/d/1BudgetQ3DocAcme0000/edit?disco=AAA|Q3 budget>"),
            vec!["gdoc:1BudgetQ3DocAcme0000"]
        );
    }

    #[test]
    fn meeting_keys_ignore_case_and_punctuation() {
        assert_eq!(
            meeting_key("Budget review — Q3!"),
            Some("meeting:budget review q3".into())
        );
        assert_eq!(
            meeting_key("budget   REVIEW q3"),
            Some("meeting:budget review q3".into())
        );
        assert_eq!(meeting_key("—"), None);
    }
}
