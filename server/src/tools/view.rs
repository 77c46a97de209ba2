//! Tasks and source statuses as a model reads them: compact JSON with local times
//! instead of Unix seconds, and only the fields that help (pure).

use pmt_wire::{Snapshot, SourceState, SourceStatus, Task};
use serde_json::{json, Map, Value};

use super::args::level_name;
use super::record::shorten;
use crate::sources::Today;

/// Longest snippet shown to a model.
const SNIPPET_CHARS: usize = 200;

/// `HH:MM` today, `YYYY-MM-DD HH:MM` on another day, in the user's zone.
pub fn when(at: i64, today: &Today) -> String {
    let Ok(ts) = jiff::Timestamp::from_second(at) else {
        return at.to_string();
    };
    let zoned = ts.to_zoned(today.zone());
    if at >= today.start && at < today.end {
        zoned.strftime("%H:%M").to_string()
    } else {
        zoned.strftime("%Y-%m-%d %H:%M").to_string()
    }
}

/// One task in compact form.
pub fn task(task: &Task, today: &Today) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(task.id.0));
    m.insert("source".into(), json!(task.source.as_str()));
    m.insert("kind".into(), json!(task.kind));
    m.insert("title".into(), json!(task.title));
    m.insert("priority".into(), json!(level_name(task.priority)));
    if let Some(p) = task.priority_override {
        m.insert("priority_set_by_user".into(), json!(level_name(p)));
    }
    if !task.why.is_empty() {
        m.insert("why".into(), json!(task.why));
    }
    if let Some(due) = task.signals.due {
        let text = if due <= today.now {
            format!("{} (overdue)", when(due, today))
        } else {
            when(due, today)
        };
        m.insert("due".into(), json!(text));
    }
    if let Some(start) = task.signals.starts_at {
        m.insert("starts".into(), json!(when(start, today)));
    }
    if let Some(end) = task.signals.ends_at {
        m.insert("ends".into(), json!(when(end, today)));
    }
    if !task.people.is_empty() {
        let people: Vec<&str> = task.people.iter().map(|p| p.name.as_str()).collect();
        m.insert("people".into(), json!(people));
    }
    if let Some(snippet) = &task.snippet {
        m.insert("snippet".into(), json!(shorten(snippet, SNIPPET_CHARS)));
    }
    if !task.links.is_empty() {
        let links: Vec<&str> = task.links.iter().map(|l| l.as_str()).collect();
        m.insert("related".into(), json!(links));
    }
    if let Some(url) = &task.url {
        m.insert("url".into(), json!(url));
    }
    m.insert("can_dismiss".into(), json!(task.dismissible));
    if task.dismissed {
        m.insert("dismissed".into(), json!(true));
    }
    if let Some(from) = task.kept_from {
        let text = format!(
            "{}: its source could not be fetched on the last refresh",
            when(from, today)
        );
        m.insert("as_of".into(), json!(text));
    }
    Value::Object(m)
}

/// Each source's status in one phrase, keyed by source.
pub fn statuses(sources: &[SourceStatus]) -> Value {
    let mut m = Map::new();
    for s in sources {
        let text = match &s.state {
            SourceState::Ok { count, .. } => format!("ok ({count} tasks)"),
            SourceState::Failed { reason } => format!("failed: {reason}"),
            SourceState::Disabled => "not configured".to_owned(),
            SourceState::Off => "turned off by the user".to_owned(),
            SourceState::Pending => "not fetched yet".to_owned(),
        };
        m.insert(s.source.as_str().to_owned(), json!(text));
    }
    Value::Object(m)
}

/// How old a snapshot is, in words ("fetched 09:30, 12 minutes ago", "never fetched").
pub fn snapshot_age(snapshot: &Snapshot, today: &Today) -> String {
    if snapshot.generated_at == 0 {
        return "never fetched: no refresh has run yet (refresh_all_sources fetches)".to_owned();
    }
    let minutes = (today.now - snapshot.generated_at).max(0) / 60;
    let ago = match minutes {
        0 => "just now".to_owned(),
        1 => "1 minute ago".to_owned(),
        m if m < 120 => format!("{m} minutes ago"),
        m => format!("{} hours ago", m / 60),
    };
    format!("fetched {}, {ago}", when(snapshot.generated_at, today))
}

#[cfg(test)]
mod tests {
    use pmt_wire::{Person, Priority, Signals, Source, TaskKind};

    use super::*;

    /// 2026-11-23 09:30 in Paris.
    const NOW: i64 = 1_795_422_600;

    #[test]
    fn a_task_reads_with_local_times_and_without_empty_fields() {
        let today = Today::at(NOW, "Europe/Paris").unwrap();
        let t = Task {
            url: Some("https://linear.app/acme/issue/ENG-130".into()),
            people: vec![Person {
                name: "Grace".into(),
                handle: None,
            }],
            signals: Signals {
                due: Some(NOW - 86_400),
                ..Signals::default()
            },
            score: 90,
            computed_priority: Priority::Critical,
            priority: Priority::High,
            why: vec!["overdue by 1 day".into()],
            priority_override: Some(Priority::High),
            dismissible: false,
            ..Task::new(
                Source::Linear,
                "ENG-130",
                TaskKind::Issue,
                "Migrate billing webhooks",
            )
        };
        let v = task(&t, &today);
        assert_eq!(v["id"], "linear:ENG-130");
        assert_eq!(v["kind"], "issue");
        assert_eq!(v["priority"], "high");
        assert_eq!(v["priority_set_by_user"], "high");
        assert_eq!(v["due"], "2026-11-22 09:30 (overdue)");
        assert_eq!(v["people"], json!(["Grace"]));
        assert_eq!(v["can_dismiss"], false);
        assert!(v.get("snippet").is_none() && v.get("dismissed").is_none());
        assert_eq!(when(NOW + 3_600, &today), "10:30");
        assert!(v.get("as_of").is_none(), "a fetched task is current");
        let kept = task(
            &Task {
                kept_from: Some(NOW - 1_800),
                ..t
            },
            &today,
        );
        assert_eq!(
            kept["as_of"],
            "09:00: its source could not be fetched on the last refresh"
        );
    }
}
