//! The activity trail as the Activity view shows it: entries grouped by what caused
//! them (one refresh, one chat turn, one MCP request, one dashboard action), newest
//! group first, each entry read as the chain app → user → resource.

use pmt_wire::activity::{ActivityEntry, ActivityEvent, Actor, Confirmation, GroupKind, Outcome};
use pmt_wire::Source;
use serde::Deserialize;

/// How many entries one page asks for.
pub const PAGE: usize = 100;

/// One entry as `GET /api/activity` sends it, every field of either event flat: decoding
/// this takes a fraction of the code of the wire type's `#[serde(flatten)]` of an
/// internally tagged enum. Tested against the wire crate's own encoding.
#[derive(Deserialize)]
struct FlatEntry {
    id: i64,
    at_ms: i64,
    client: String,
    user: String,
    actor: Actor,
    group_kind: GroupKind,
    group_id: String,
    outcome: Outcome,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    resource: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    requested_scope: String,
    #[serde(default)]
    granted_scope: String,
    #[serde(default)]
    duration_ms: u64,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    tool: String,
    #[serde(default)]
    write: bool,
    #[serde(default)]
    arguments: String,
    #[serde(default)]
    confirmation: Option<Confirmation>,
    #[serde(default)]
    detail: String,
}

impl FlatEntry {
    fn into_entry(self) -> Option<ActivityEntry> {
        let event = match self.kind.as_str() {
            "exchange" => ActivityEvent::Exchange {
                resource: self.resource,
                source: self.source,
                requested_scope: self.requested_scope,
                granted_scope: self.granted_scope,
                duration_ms: self.duration_ms,
                reason: self.reason,
            },
            "tool_call" => ActivityEvent::ToolCall {
                tool: self.tool,
                write: self.write,
                arguments: self.arguments,
                confirmation: self.confirmation.unwrap_or(Confirmation::NotNeeded),
                detail: self.detail,
            },
            _ => return None,
        };
        Some(ActivityEntry {
            id: self.id,
            at_ms: self.at_ms,
            client: self.client,
            user: self.user,
            actor: self.actor,
            group_kind: self.group_kind,
            group_id: self.group_id,
            outcome: self.outcome,
            event,
        })
    }
}

/// `GET /api/activity`'s answer, read flat (see [`FlatEntry`]).
#[derive(Deserialize)]
pub struct Page {
    entries: Vec<FlatEntry>,
}

impl std::fmt::Debug for Page {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Page({} entries)", self.entries.len())
    }
}

impl Page {
    /// How many entries the server sent (an entry of an unknown kind included).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the page is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries, newest first; one of a kind this app does not know is left out.
    pub fn into_entries(self) -> Vec<ActivityEntry> {
        self.entries
            .into_iter()
            .filter_map(FlatEntry::into_entry)
            .collect()
    }
}

/// Entries that share a group id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActivityGroup {
    /// What caused them.
    pub kind: GroupKind,
    /// The group's id (a refresh, a chat turn, an MCP request).
    pub id: String,
    /// Who asked (of the group's first entry).
    pub actor: Actor,
    /// The app that acted (of the group's first entry).
    pub client: String,
    /// Indices into the entries, oldest first (the order things happened in).
    pub entries: Vec<usize>,
    /// When the first entry happened, Unix milliseconds.
    pub first_ms: i64,
    /// Token exchanges in the group.
    pub exchanges: usize,
    /// Tool calls in the group.
    pub calls: usize,
    /// Entries that were refused or failed.
    pub problems: usize,
}

/// Groups `entries` (newest first, as the API sends them): a group's place is that of
/// its newest entry, so the newest group comes first; inside a group, oldest first.
pub fn group(entries: &[ActivityEntry]) -> Vec<ActivityGroup> {
    let mut groups: Vec<ActivityGroup> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let at = groups
            .iter()
            .position(|g| g.id == e.group_id && g.kind == e.group_kind);
        let g = match at {
            Some(at) => &mut groups[at],
            None => {
                groups.push(ActivityGroup {
                    kind: e.group_kind,
                    id: e.group_id.clone(),
                    actor: e.actor,
                    client: e.client.clone(),
                    entries: Vec::new(),
                    first_ms: e.at_ms,
                    exchanges: 0,
                    calls: 0,
                    problems: 0,
                });
                let last = groups.len() - 1;
                &mut groups[last]
            }
        };
        g.entries.push(i);
        if e.at_ms <= g.first_ms {
            g.first_ms = e.at_ms;
            g.actor = e.actor;
            g.client.clone_from(&e.client);
        }
        match e.event {
            ActivityEvent::Exchange { .. } => g.exchanges += 1,
            ActivityEvent::ToolCall { .. } => g.calls += 1,
        }
        if e.outcome != Outcome::Ok {
            g.problems += 1;
        }
    }
    // Collected newest first: turned around, they read in the order things happened.
    for g in &mut groups {
        g.entries.reverse();
    }
    groups
}

/// Adds the next (older) page after what is shown, no entry twice. (No sort: pages
/// come newest first, each older than the last; a sort would only add code.)
pub fn merge(into: &mut Vec<ActivityEntry>, page: Vec<ActivityEntry>) {
    for e in page {
        if !into.iter().any(|x| x.id == e.id) {
            into.push(e);
        }
    }
}

/// The `before` of the next page: the oldest id shown.
pub fn next_before(entries: &[ActivityEntry]) -> Option<i64> {
    entries.iter().map(|e| e.id).min()
}

/// What caused a group, in words.
pub fn kind_label(kind: GroupKind) -> &'static str {
    match kind {
        GroupKind::Refresh => "Refresh",
        GroupKind::ChatTurn => "Chat turn",
        GroupKind::Mcp => "MCP request",
        GroupKind::Action => "Dashboard action",
    }
}

/// Who asked, in words.
pub fn actor_label(actor: Actor, client: &str) -> String {
    match actor {
        Actor::Ui => "You".to_owned(),
        Actor::Agent => "Todaygent".to_owned(),
        Actor::Mcp => format!("MCP client {client}"),
    }
}

/// What the entry reached: the resource of an exchange, the tool of a call.
pub fn target(entry: &ActivityEntry) -> String {
    match &entry.event {
        ActivityEvent::Exchange { resource, .. } => resource.clone(),
        ActivityEvent::ToolCall { tool, .. } => format!("tool {tool}"),
    }
}

/// app → user → resource.
pub fn chain(entry: &ActivityEntry) -> String {
    format!("{} → {} → {}", entry.client, entry.user, target(entry))
}

/// The source an exchange was for, by its name ("Gmail").
pub fn source_label(entry: &ActivityEntry) -> Option<&'static str> {
    match &entry.event {
        ActivityEvent::Exchange {
            source: Some(s), ..
        } => Source::parse(s).map(Source::label),
        _ => None,
    }
}

/// "ok", "refused" or "failed".
pub fn outcome_label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Ok => "ok",
        Outcome::Refused => "refused",
        Outcome::Failed => "failed",
    }
}

/// Scopes asked for and granted, in words; `None` for a tool call.
pub fn scopes(entry: &ActivityEntry) -> Option<String> {
    let ActivityEvent::Exchange {
        requested_scope,
        granted_scope,
        ..
    } = &entry.event
    else {
        return None;
    };
    let or_none = |s: &str| {
        if s.trim().is_empty() {
            "none".to_owned()
        } else {
            s.trim().to_owned()
        }
    };
    Some(format!(
        "scopes asked: {}; granted: {}",
        or_none(requested_scope),
        or_none(granted_scope)
    ))
}

/// Why it was refused or failed (the authorization server's reason, the tool's).
pub fn reason(entry: &ActivityEntry) -> Option<&str> {
    match &entry.event {
        ActivityEvent::Exchange { reason, .. } => reason.as_deref(),
        ActivityEvent::ToolCall { detail, .. } if entry.outcome != Outcome::Ok => {
            Some(detail.as_str()).filter(|d| !d.is_empty())
        }
        ActivityEvent::ToolCall { .. } => None,
    }
    .filter(|r| !r.trim().is_empty())
}

/// A duration in milliseconds, short ("85 ms", "1.2 s").
pub fn millis(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else {
        let tenths = ms.div_ceil(100);
        format!("{}.{} s", tenths / 10, tenths % 10)
    }
}

/// The user's answer to a write, when one was needed.
pub fn confirmation_label(c: Confirmation) -> Option<&'static str> {
    match c {
        Confirmation::NotNeeded => None,
        Confirmation::Allowed => Some("allowed by you"),
        Confirmation::Denied => Some("denied by you"),
    }
}

/// One line about a group: "7 token exchanges, 1 refused".
pub fn group_summary(g: &ActivityGroup) -> String {
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let mut parts = Vec::new();
    if g.exchanges > 0 {
        parts.push(plural(g.exchanges, "token exchange", "token exchanges"));
    }
    if g.calls > 0 {
        parts.push(plural(g.calls, "tool call", "tool calls"));
    }
    let mut line = parts.join(" and ");
    if g.problems > 0 {
        line.push_str(&format!(", {} not ok", g.problems));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(id: i64, at: i64, group: &str, source: &str, outcome: Outcome) -> ActivityEntry {
        ActivityEntry {
            id,
            at_ms: at,
            client: "plan-my-today".into(),
            user: "dana@example.com".into(),
            actor: Actor::Ui,
            group_kind: GroupKind::Refresh,
            group_id: group.into(),
            outcome,
            event: ActivityEvent::Exchange {
                resource: format!("urn:pmt:{source}"),
                source: Some(source.into()),
                requested_scope: format!("{source}.read"),
                granted_scope: if outcome == Outcome::Ok {
                    format!("{source}.read")
                } else {
                    String::new()
                },
                duration_ms: 42,
                reason: (outcome != Outcome::Ok)
                    .then(|| "invalid_grant: the grant was revoked".to_owned()),
            },
        }
    }

    fn call(id: i64, at: i64, turn: &str, tool: &str, c: Confirmation) -> ActivityEntry {
        ActivityEntry {
            id,
            at_ms: at,
            client: "plan-my-today".into(),
            user: "dana@example.com".into(),
            actor: Actor::Agent,
            group_kind: GroupKind::ChatTurn,
            group_id: turn.into(),
            outcome: if c == Confirmation::Denied {
                Outcome::Refused
            } else {
                Outcome::Ok
            },
            event: ActivityEvent::ToolCall {
                tool: tool.into(),
                write: c != Confirmation::NotNeeded,
                arguments: "task gmail:m1".into(),
                confirmation: c,
                detail: if c == Confirmation::Denied {
                    "the user denied it".into()
                } else {
                    String::new()
                },
            },
        }
    }

    /// Newest first, as the API sends them: a chat turn after a refresh.
    fn page() -> Vec<ActivityEntry> {
        vec![
            call(6, 6000, "t1", "dismiss_task", Confirmation::Denied),
            call(5, 5000, "t1", "get_todays_tasks", Confirmation::NotNeeded),
            exchange(4, 1300, "r1", "slack", Outcome::Refused),
            exchange(3, 1200, "r1", "linear", Outcome::Ok),
            exchange(2, 1100, "r1", "gmail", Outcome::Ok),
            exchange(1, 500, "r0", "gmail", Outcome::Ok),
        ]
    }

    #[test]
    fn groups_come_newest_first_with_their_entries_in_time_order() {
        let entries = page();
        let groups = group(&entries);
        let ids: Vec<&str> = groups.iter().map(|g| g.id.as_str()).collect();
        assert_eq!(ids, vec!["t1", "r1", "r0"]);
        let r1: Vec<i64> = groups[1].entries.iter().map(|&i| entries[i].id).collect();
        assert_eq!(r1, vec![2, 3, 4], "oldest first inside a group");
        assert_eq!(groups[1].first_ms, 1100);
        assert_eq!(groups[1].exchanges, 3);
        assert_eq!(groups[1].problems, 1);
        assert_eq!(group_summary(&groups[1]), "3 token exchanges, 1 not ok");
        assert_eq!(groups[0].kind, GroupKind::ChatTurn);
        assert_eq!(actor_label(groups[0].actor, &groups[0].client), "Todaygent");
        assert_eq!(group_summary(&groups[0]), "2 tool calls, 1 not ok");
    }

    #[test]
    fn each_entry_reads_as_app_user_resource() {
        let e = exchange(2, 1100, "r1", "gmail", Outcome::Ok);
        assert_eq!(
            chain(&e),
            "plan-my-today → dana@example.com → urn:pmt:gmail"
        );
        assert_eq!(source_label(&e), Some("Gmail"));
        assert_eq!(
            scopes(&e).as_deref(),
            Some("scopes asked: gmail.read; granted: gmail.read")
        );
        assert_eq!(reason(&e), None);
        let refused = exchange(4, 1300, "r1", "slack", Outcome::Refused);
        assert_eq!(
            scopes(&refused).as_deref(),
            Some("scopes asked: slack.read; granted: none")
        );
        assert_eq!(
            reason(&refused),
            Some("invalid_grant: the grant was revoked")
        );
        let c = call(6, 6000, "t1", "dismiss_task", Confirmation::Denied);
        assert_eq!(
            chain(&c),
            "plan-my-today → dana@example.com → tool dismiss_task"
        );
        assert_eq!(scopes(&c), None);
        assert_eq!(reason(&c), Some("the user denied it"));
        assert_eq!(
            confirmation_label(Confirmation::Denied),
            Some("denied by you")
        );
        assert_eq!(confirmation_label(Confirmation::NotNeeded), None);
    }

    #[test]
    fn mcp_clients_are_named_by_their_id() {
        assert_eq!(
            actor_label(Actor::Mcp, "claude-desktop"),
            "MCP client claude-desktop"
        );
        assert_eq!(actor_label(Actor::Ui, "plan-my-today"), "You");
        assert_eq!(kind_label(GroupKind::Mcp), "MCP request");
        assert_eq!(kind_label(GroupKind::Action), "Dashboard action");
    }

    #[test]
    fn a_group_split_across_pages_is_merged_when_the_next_page_arrives() {
        let all = page();
        let mut shown = all[..3].to_vec();
        assert_eq!(next_before(&shown), Some(4));
        // The next page overlaps by one (an entry written between the two calls).
        merge(&mut shown, all[2..].to_vec());
        assert_eq!(shown, all);
        let groups = group(&shown);
        assert_eq!(groups.len(), 3);
        assert_eq!(groups[1].entries.len(), 3);
    }

    /// A new event kind in the wire crate breaks this match (and so the build of these
    /// tests) until [`FlatEntry`] knows it.
    fn kind(e: &ActivityEntry) -> &'static str {
        match e.event {
            ActivityEvent::Exchange { .. } => "exchange",
            ActivityEvent::ToolCall { .. } => "tool_call",
        }
    }

    #[test]
    fn a_page_reads_as_the_wire_crate_writes_it() {
        let mut entries = page();
        entries.push(call(0, 10, "m1", "plan_my_day", Confirmation::Allowed));
        entries[0].actor = Actor::Mcp;
        entries[0].group_kind = GroupKind::Mcp;
        if let ActivityEvent::Exchange { source, .. } = &mut entries[3].event {
            *source = None;
        }
        let kinds: std::collections::BTreeSet<&str> = entries.iter().map(kind).collect();
        assert_eq!(kinds.len(), 2, "both kinds");
        let json = serde_json::to_string(&pmt_wire::activity::ActivityPage {
            entries: entries.clone(),
        })
        .unwrap();
        let read: Page = serde_json::from_str(&json).unwrap();
        assert_eq!(read.len(), entries.len());
        assert_eq!(read.into_entries(), entries);
        let unknown = r#"{"entries":[{"id":1,"at_ms":1,"client":"c","user":"u","actor":"ui","group_kind":"action","group_id":"g","outcome":"ok","type":"teleport"}]}"#;
        let read: Page = serde_json::from_str(unknown).unwrap();
        assert_eq!(read.len(), 1);
        assert!(
            read.into_entries().is_empty(),
            "an unknown kind is left out"
        );
    }

    #[test]
    fn durations_are_short() {
        assert_eq!(millis(85), "85 ms");
        assert_eq!(millis(1000), "1.0 s");
        assert_eq!(millis(1234), "1.3 s");
    }
}
