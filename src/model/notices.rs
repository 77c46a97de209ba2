//! What the dashboard says when the list is not the usual one: first load, a failed
//! load, never fetched, all or some sources failed, an empty day, nothing matching,
//! dismissed tasks hidden. Each notice says what happened and offers what to do.

/// Something the user can do about a notice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fix {
    /// Load the plan again.
    Reload,
    /// Refresh every source.
    Refresh,
    /// Switch to the source view (each source's status).
    SourceView,
    /// Clear search and filters.
    ClearFilters,
    /// Turn on "show dismissed".
    ShowDismissed,
}

impl Fix {
    /// A stable name (the button's `data-fix`).
    pub fn key(self) -> &'static str {
        match self {
            Fix::Reload => "reload",
            Fix::Refresh => "refresh",
            Fix::SourceView => "source-view",
            Fix::ClearFilters => "clear-filters",
            Fix::ShowDismissed => "show-dismissed",
        }
    }

    /// The button's text.
    pub fn label(self) -> &'static str {
        match self {
            Fix::Reload => "Try again",
            Fix::Refresh => "Refresh",
            Fix::SourceView => "See each source",
            Fix::ClearFilters => "Clear search and filters",
            Fix::ShowDismissed => "Show dismissed",
        }
    }
}

/// How loud a notice is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Plain information.
    Info,
    /// Part of the picture is missing.
    Warn,
    /// Nothing (or nothing fresh) could be shown.
    Alert,
    /// A footnote.
    Quiet,
}

impl Tone {
    /// The CSS class.
    pub fn class(self) -> &'static str {
        match self {
            Tone::Info => "notice",
            Tone::Warn => "notice warn",
            Tone::Alert => "notice alert",
            Tone::Quiet => "notice quiet",
        }
    }
}

/// One message and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// How loud.
    pub tone: Tone,
    /// What happened.
    pub text: String,
    /// What to do.
    pub fixes: Vec<Fix>,
}

/// A source the last refresh could not fetch.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FailedSource {
    /// Its name.
    pub name: String,
    /// Why, for people (may be empty).
    pub reason: String,
    /// When the tasks it still shows were fetched (local `HH:MM`), if it kept any.
    pub kept_from: Option<String>,
}

/// The facts notices are made from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// A snapshot has arrived.
    pub loaded: bool,
    /// Why the first load failed.
    pub load_error: Option<String>,
    /// A refresh is running.
    pub refreshing: bool,
    /// When the snapshot was made (0 = never fetched).
    pub generated_at: i64,
    /// Tasks not dismissed.
    pub open: usize,
    /// Every connected source failed.
    pub all_failed: bool,
    /// Sources the last refresh could not fetch.
    pub failed: Vec<FailedSource>,
    /// Tasks the current search and filters show.
    pub matching: usize,
    /// Search or filters are narrowing the list.
    pub narrowed: bool,
    /// Dismissed tasks hidden by "show dismissed" being off.
    pub hidden_dismissed: usize,
}

fn notice(tone: Tone, text: impl Into<String>, fixes: &[Fix]) -> Notice {
    Notice {
        tone,
        text: text.into(),
        fixes: fixes.to_vec(),
    }
}

/// The notices for these facts, most important first.
pub fn notices(f: &Facts) -> Vec<Notice> {
    if let Some(e) = &f.load_error {
        return vec![notice(
            Tone::Alert,
            format!("Your plan could not be loaded. {e}"),
            &[Fix::Reload],
        )];
    }
    if !f.loaded {
        return vec![notice(Tone::Info, "Loading your plan…", &[])];
    }
    if f.generated_at == 0 {
        return vec![if f.refreshing {
            notice(
                Tone::Info,
                "Fetching your tasks from your sources for the first time…",
                &[],
            )
        } else {
            notice(
                Tone::Info,
                "Your sources have not been fetched yet. Refresh to build today's plan.",
                &[Fix::Refresh],
            )
        }];
    }
    let mut out = Vec::new();
    if f.all_failed {
        out.push(notice(
            Tone::Alert,
            "None of your sources could be fetched, so this list may be out of date. Check your connection, then refresh.",
            &[Fix::Refresh, Fix::SourceView],
        ));
    } else if !f.failed.is_empty() {
        let names: Vec<String> = f
            .failed
            .iter()
            .map(|s| {
                let kept = s
                    .kept_from
                    .as_ref()
                    .map(|at| format!("showing what it had at {at}"));
                let why: Vec<&str> = [Some(s.reason.as_str()), kept.as_deref()]
                    .into_iter()
                    .flatten()
                    .filter(|w| !w.is_empty())
                    .collect();
                if why.is_empty() {
                    s.name.clone()
                } else {
                    format!("{} ({})", s.name, why.join("; "))
                }
            })
            .collect();
        let what = if f.failed.iter().any(|s| s.kept_from.is_some()) {
            "missing or out of date"
        } else {
            "missing"
        };
        out.push(notice(
            Tone::Warn,
            format!(
                "Could not fetch {}: tasks from there may be {what}.",
                names.join(", ")
            ),
            &[Fix::Refresh, Fix::SourceView],
        ));
    }
    if f.open == 0 && f.failed.is_empty() {
        out.push(notice(
            Tone::Info,
            "Nothing on your list today. Add a task of your own, or refresh later.",
            &[],
        ));
    } else if f.matching == 0 && f.narrowed {
        out.push(notice(
            Tone::Info,
            "No tasks match your search and filters.",
            &[Fix::ClearFilters],
        ));
    }
    if f.hidden_dismissed > 0 {
        let s = if f.hidden_dismissed == 1 { "" } else { "s" };
        out.push(notice(
            Tone::Quiet,
            format!("{} dismissed task{s} hidden.", f.hidden_dismissed),
            &[Fix::ShowDismissed],
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok_day() -> Facts {
        Facts {
            loaded: true,
            generated_at: 100,
            open: 12,
            matching: 12,
            ..Facts::default()
        }
    }

    #[test]
    fn a_normal_day_says_nothing() {
        assert!(notices(&ok_day()).is_empty());
    }

    #[test]
    fn first_load_and_failed_load_are_told_apart() {
        let loading = notices(&Facts::default());
        assert_eq!(loading[0].text, "Loading your plan…");
        let failed = notices(&Facts {
            load_error: Some("The server could not be reached.".into()),
            ..Facts::default()
        });
        assert_eq!(failed[0].tone, Tone::Alert);
        assert_eq!(failed[0].fixes, vec![Fix::Reload]);
    }

    #[test]
    fn never_fetched_offers_a_refresh_until_one_runs() {
        let f = Facts {
            loaded: true,
            ..Facts::default()
        };
        assert_eq!(notices(&f)[0].fixes, vec![Fix::Refresh]);
        let running = Facts {
            refreshing: true,
            ..f
        };
        assert!(notices(&running)[0].text.contains("first time"));
    }

    #[test]
    fn all_failed_is_an_alert_and_some_failed_a_warning_naming_them() {
        let failed = |name: &str, reason: &str, kept_from: Option<&str>| FailedSource {
            name: name.into(),
            reason: reason.into(),
            kept_from: kept_from.map(Into::into),
        };
        let all = Facts {
            all_failed: true,
            failed: vec![failed("Slack", "down", None)],
            ..ok_day()
        };
        assert_eq!(notices(&all)[0].tone, Tone::Alert);
        let some = Facts {
            failed: vec![
                failed("Slack", "rate limited", None),
                failed("Gmail", "", None),
            ],
            ..ok_day()
        };
        let n = notices(&some);
        assert_eq!(n[0].tone, Tone::Warn);
        assert_eq!(
            n[0].text,
            "Could not fetch Slack (rate limited), Gmail: tasks from there may be missing."
        );
        assert_eq!(n[0].fixes, vec![Fix::Refresh, Fix::SourceView]);
        // A source that kept its earlier tasks says how old they are.
        let kept = Facts {
            failed: vec![
                failed("Gmail", "HTTP 500", Some("09:12")),
                failed("Slack", "", Some("08:30")),
            ],
            ..ok_day()
        };
        assert_eq!(
            notices(&kept)[0].text,
            "Could not fetch Gmail (HTTP 500; showing what it had at 09:12), \
             Slack (showing what it had at 08:30): tasks from there may be missing or out of date."
        );
    }

    #[test]
    fn empty_day_and_no_match_are_different_messages() {
        let empty = Facts {
            open: 0,
            matching: 0,
            ..ok_day()
        };
        assert!(notices(&empty)[0]
            .text
            .starts_with("Nothing on your list today"));
        let none_match = Facts {
            matching: 0,
            narrowed: true,
            ..ok_day()
        };
        assert_eq!(notices(&none_match)[0].fixes, vec![Fix::ClearFilters]);
    }

    #[test]
    fn hidden_dismissed_tasks_are_counted() {
        let n = notices(&Facts {
            hidden_dismissed: 2,
            ..ok_day()
        });
        assert_eq!(n[0].text, "2 dismissed tasks hidden.");
        assert_eq!(n[0].fixes, vec![Fix::ShowDismissed]);
    }
}
