//! What the user chose to see, and its place in the address bar.
//!
//! The state lives in the query string (`?view=source&q=deploy&priority=high,critical`)
//! so a view can be bookmarked and survives a reload. Defaults are left out, and
//! anything unknown in a URL is ignored rather than refused: an old bookmark still
//! opens.

use pmt_wire::{Priority, Source, TaskKind};

use super::names::{kind_key, parse_kind, parse_priority, priority_key, ALL_KINDS};

/// How tasks are grouped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum View {
    /// Critical / high / medium / low.
    #[default]
    Priority,
    /// One group per source, with its status.
    Source,
    /// The activity trail: what was accessed on the user's behalf.
    Activity,
}

impl View {
    /// Whether the view lists tasks (the priority and source views do).
    pub fn lists_tasks(self) -> bool {
        self != View::Activity
    }
}

/// How tasks are ordered inside a group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortBy {
    /// Highest score first.
    #[default]
    Score,
    /// Soonest due date or meeting start first; undated last.
    Time,
    /// By source, then score.
    Source,
    /// Oldest first: what has waited longest.
    Age,
}

impl SortBy {
    /// Every order, as the sort menu lists them.
    pub const ALL: [SortBy; 4] = [SortBy::Score, SortBy::Time, SortBy::Source, SortBy::Age];

    /// The URL and form value.
    pub fn key(self) -> &'static str {
        match self {
            SortBy::Score => "score",
            SortBy::Time => "time",
            SortBy::Source => "source",
            SortBy::Age => "age",
        }
    }

    /// Parses [`SortBy::key`].
    pub fn parse(s: &str) -> Option<SortBy> {
        Self::ALL.into_iter().find(|o| o.key() == s)
    }

    /// A name for people.
    pub fn label(self) -> &'static str {
        match self {
            SortBy::Score => "Priority score",
            SortBy::Time => "Due / start time",
            SortBy::Source => "Source",
            SortBy::Age => "Oldest first",
        }
    }
}

/// The view, search, filters and sort. Empty filter lists mean "all".
///
/// Filters combine with AND across facets and OR within one: sources {Linear, GitHub}
/// and priority {high} shows high tasks from either source.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ViewState {
    /// Grouping.
    pub view: View,
    /// Free-text search, as typed.
    pub query: String,
    /// Only these sources (kept in display order).
    pub sources: Vec<Source>,
    /// Only these levels (kept most urgent first).
    pub priorities: Vec<Priority>,
    /// Only these kinds (kept in [`ALL_KINDS`] order).
    pub kinds: Vec<TaskKind>,
    /// Only tasks the user boosted or demoted.
    pub overridden_only: bool,
    /// Show dismissed tasks too (marked, with restore).
    pub show_dismissed: bool,
    /// Order inside groups.
    pub sort: SortBy,
}

/// Adds `item` if absent, removes it if present, keeping `order`'s order.
fn toggle<T: Copy + PartialEq>(list: &mut Vec<T>, item: T, order: &[T]) {
    let on = |x: &T| list.contains(x) != (*x == item);
    *list = order.iter().copied().filter(on).collect();
}

const SOURCE_ORDER: [Source; 8] = [
    Source::GoogleCalendar,
    Source::Gmail,
    Source::GoogleDrive,
    Source::Linear,
    Source::Github,
    Source::Slack,
    Source::Granola,
    Source::AdHoc,
];

/// Every source in display order, ad-hoc last.
pub fn all_sources() -> [Source; 8] {
    SOURCE_ORDER
}

impl ViewState {
    /// Turns a source filter on or off.
    pub fn toggle_source(&mut self, s: Source) {
        toggle(&mut self.sources, s, &SOURCE_ORDER);
    }

    /// Turns a priority filter on or off.
    pub fn toggle_priority(&mut self, p: Priority) {
        toggle(&mut self.priorities, p, &Priority::ALL);
    }

    /// Turns a kind filter on or off.
    pub fn toggle_kind(&mut self, k: TaskKind) {
        toggle(&mut self.kinds, k, &ALL_KINDS);
    }

    /// How many filters narrow the list (search not counted).
    pub fn active_filters(&self) -> usize {
        self.sources.len()
            + self.priorities.len()
            + self.kinds.len()
            + usize::from(self.overridden_only)
    }

    /// Whether search or a filter hides anything.
    pub fn narrows(&self) -> bool {
        !self.query.trim().is_empty() || self.active_filters() > 0
    }

    /// Clears search and filters; keeps view, sort and "show dismissed".
    pub fn clear_filters(&mut self) {
        self.query.clear();
        self.sources.clear();
        self.priorities.clear();
        self.kinds.clear();
        self.overridden_only = false;
    }

    /// The query string (without `?`); empty for the default state.
    pub fn to_query(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        match self.view {
            View::Priority => {}
            View::Source => {
                out.append_pair("view", "source");
            }
            View::Activity => {
                out.append_pair("view", "activity");
            }
        }
        if !self.query.is_empty() {
            out.append_pair("q", &self.query);
        }
        let join = |names: Vec<&str>| names.join(",");
        if !self.sources.is_empty() {
            out.append_pair(
                "source",
                &join(self.sources.iter().map(|s| s.as_str()).collect()),
            );
        }
        if !self.priorities.is_empty() {
            out.append_pair(
                "priority",
                &join(self.priorities.iter().map(|p| priority_key(*p)).collect()),
            );
        }
        if !self.kinds.is_empty() {
            out.append_pair(
                "kind",
                &join(self.kinds.iter().map(|k| kind_key(*k)).collect()),
            );
        }
        if self.overridden_only {
            out.append_pair("overridden", "1");
        }
        if self.show_dismissed {
            out.append_pair("dismissed", "1");
        }
        if self.sort != SortBy::Score {
            out.append_pair("sort", self.sort.key());
        }
        out.finish()
    }

    /// Reads a query string (with or without `?`). Unknown keys and values are ignored.
    pub fn from_query(query: &str) -> ViewState {
        let mut state = ViewState::default();
        let query = query.strip_prefix('?').unwrap_or(query);
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            let values = || value.split(',').map(str::trim).filter(|v| !v.is_empty());
            match key.as_ref() {
                "view" if value == "source" => state.view = View::Source,
                "view" if value == "activity" => state.view = View::Activity,
                "q" => state.query = value.into_owned(),
                "source" => {
                    for s in values().filter_map(Source::parse) {
                        if !state.sources.contains(&s) {
                            state.toggle_source(s);
                        }
                    }
                }
                "priority" => {
                    for p in values().filter_map(parse_priority) {
                        if !state.priorities.contains(&p) {
                            state.toggle_priority(p);
                        }
                    }
                }
                "kind" => {
                    for k in values().filter_map(parse_kind) {
                        if !state.kinds.contains(&k) {
                            state.toggle_kind(k);
                        }
                    }
                }
                "overridden" => state.overridden_only = value == "1",
                "dismissed" => state.show_dismissed = value == "1",
                "sort" => state.sort = SortBy::parse(&value).unwrap_or_default(),
                _ => {}
            }
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn busy_state() -> ViewState {
        let mut s = ViewState {
            view: View::Source,
            query: "deploy & review, 100%".into(),
            overridden_only: true,
            show_dismissed: true,
            sort: SortBy::Age,
            ..ViewState::default()
        };
        s.toggle_source(Source::Slack);
        s.toggle_source(Source::Linear);
        s.toggle_priority(Priority::Low);
        s.toggle_priority(Priority::Critical);
        s.toggle_kind(TaskKind::Review);
        s.toggle_kind(TaskKind::DocComment);
        s
    }

    #[test]
    fn default_state_has_an_empty_query() {
        assert_eq!(ViewState::default().to_query(), "");
        assert_eq!(ViewState::from_query(""), ViewState::default());
        assert_eq!(ViewState::from_query("?"), ViewState::default());
    }

    #[test]
    fn url_round_trip_keeps_every_field() {
        let s = busy_state();
        let q = s.to_query();
        assert_eq!(ViewState::from_query(&q), s);
        assert_eq!(ViewState::from_query(&format!("?{q}")), s);
    }

    #[test]
    fn filters_are_kept_in_canonical_order() {
        let s = busy_state();
        assert_eq!(s.sources, vec![Source::Linear, Source::Slack]);
        assert_eq!(s.priorities, vec![Priority::Critical, Priority::Low]);
        assert_eq!(s.kinds, vec![TaskKind::DocComment, TaskKind::Review]);
        assert!(s
            .to_query()
            .contains("source=linear%2Cslack&priority=critical%2Clow"));
    }

    #[test]
    fn unknown_keys_and_values_are_ignored() {
        let s = ViewState::from_query(
            "view=grid&sort=random&source=linear,myspace,,linear&priority=urgent,high&kind=nope&x=1&overridden=yes",
        );
        assert_eq!(s.view, View::Priority);
        assert_eq!(s.sort, SortBy::Score);
        assert_eq!(s.sources, vec![Source::Linear]);
        assert_eq!(s.priorities, vec![Priority::High]);
        assert!(s.kinds.is_empty());
        assert!(!s.overridden_only);
    }

    #[test]
    fn toggling_twice_removes_a_filter() {
        let mut s = ViewState::default();
        s.toggle_kind(TaskKind::Mention);
        assert_eq!(s.active_filters(), 1);
        s.toggle_kind(TaskKind::Mention);
        assert_eq!(s.active_filters(), 0);
        assert!(!s.narrows());
    }

    #[test]
    fn the_activity_view_is_kept_in_the_url() {
        let s = ViewState {
            view: View::Activity,
            ..ViewState::default()
        };
        assert_eq!(s.to_query(), "view=activity");
        assert_eq!(ViewState::from_query("?view=activity"), s);
        assert!(!View::Activity.lists_tasks());
        assert!(View::Source.lists_tasks());
    }

    #[test]
    fn clear_filters_keeps_view_sort_and_dismissed() {
        let mut s = busy_state();
        s.clear_filters();
        assert!(!s.narrows());
        assert_eq!(s.view, View::Source);
        assert_eq!(s.sort, SortBy::Age);
        assert!(s.show_dismissed);
    }
}
