//! A source that could not be fetched keeps what it gave earlier today.
//!
//! A provider's outage (an error status, a timeout, a network failure) should not
//! take its tasks off the list: the refresh keeps the tasks that source gave in the
//! user's previous snapshot, each marked with the fetch it comes from
//! ([`Task::kept_from`]). A refusal is different: a revoked grant or a rejected token
//! is the user's (or an administrator's) kill switch for that source, so nothing of it
//! is kept. Nothing is kept across local midnight either: yesterday's meetings and
//! due dates are not today's plan.

use pmt_wire::{Snapshot, Source, SourceState, Task};

use crate::auth::ExchangeError;
use crate::sources::{SourceError, Today};

use super::Failure;

/// Whether `failure` leaves the source's earlier tasks on the list: an outage does;
/// a refusal (the authorization server would not issue a token, the provider rejected
/// it, or the call was stopped by the host allow-list) does not.
pub fn keeps_earlier_tasks(failure: &Failure) -> bool {
    match failure {
        Failure::Exchange(ExchangeError::Refused { status, .. }) => *status >= 500,
        Failure::Exchange(_) | Failure::Timeout(_) | Failure::Crashed => true,
        Failure::Fetch(e) => !matches!(
            e,
            SourceError::Exchange(_)
                | SourceError::Unauthorized(_)
                | SourceError::HostNotAllowed(_)
        ),
    }
}

/// The tasks `source` gave in `previous`, each marked with the time of the fetch it
/// comes from: those of a snapshot from today whose source was fetched then (or was
/// itself keeping tasks from earlier today). Empty otherwise.
pub fn earlier_tasks(previous: Option<&Snapshot>, source: Source, today: &Today) -> Vec<Task> {
    let Some(previous) = previous.filter(|p| p.generated_at >= today.start) else {
        return Vec::new();
    };
    let Some(status) = previous.sources.iter().find(|s| s.source == source) else {
        return Vec::new();
    };
    let fetched_at = match status.state {
        SourceState::Ok { .. } => Some(status.fetched_at),
        // Tasks kept by that refresh carry the time of their own fetch.
        SourceState::Failed { .. } => None,
        SourceState::Disabled | SourceState::Off | SourceState::Pending => return Vec::new(),
    };
    previous
        .tasks
        .iter()
        .filter(|t| t.source == source)
        .filter_map(|t| {
            let from = t.kept_from.or(fetched_at)?;
            (from >= today.start).then(|| Task {
                kept_from: Some(from),
                ..t.clone()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use pmt_wire::{Priority, SourceStatus, TaskKind};

    use super::*;
    use crate::test_fixtures;

    /// An email from Gmail or a mention from Slack.
    fn task(source: Source, id: &str) -> Task {
        let kind = match source {
            Source::Slack => TaskKind::Mention,
            _ => TaskKind::Email,
        };
        test_fixtures::task(id, kind, Priority::Medium)
    }

    /// 2026-12-07 10:00 in Paris.
    const NOW: i64 = 1_796_634_000;

    fn today() -> Today {
        Today::at(NOW, "Europe/Paris").unwrap()
    }

    fn status(source: Source, state: SourceState, fetched_at: i64) -> SourceStatus {
        SourceStatus {
            source,
            state,
            duration_ms: 10,
            fetched_at,
        }
    }

    fn ok() -> SourceState {
        SourceState::Ok {
            count: 2,
            skipped: 0,
        }
    }

    fn failed() -> SourceState {
        SourceState::Failed {
            reason: "the provider answered HTTP 500".into(),
        }
    }

    /// This morning's snapshot: Gmail fetched at 09:00, Slack too.
    fn morning() -> Snapshot {
        let at = NOW - 3600;
        Snapshot {
            generated_at: at,
            tasks: vec![
                task(Source::Gmail, "a"),
                task(Source::Slack, "s"),
                task(Source::Gmail, "b"),
            ],
            sources: vec![
                status(Source::Gmail, ok(), at),
                status(Source::Slack, ok(), at),
            ],
        }
    }

    fn ids(tasks: &[Task]) -> Vec<&str> {
        tasks.iter().map(|t| t.id.as_str()).collect()
    }

    #[test]
    fn an_outage_keeps_the_sources_tasks_and_a_refusal_does_not() {
        for kept in [
            Failure::Fetch(SourceError::Status(500)),
            Failure::Fetch(SourceError::RateLimited {
                retry_after_secs: 30,
            }),
            Failure::Fetch(SourceError::Unreachable),
            Failure::Fetch(SourceError::Malformed("not JSON".into())),
            Failure::Timeout(Duration::from_secs(5)),
            Failure::Crashed,
            Failure::Exchange(ExchangeError::Unreachable),
            Failure::Exchange(ExchangeError::Refused {
                status: 503,
                error: "temporarily_unavailable".into(),
                description: None,
            }),
        ] {
            assert!(keeps_earlier_tasks(&kept), "{kept:?} is an outage");
        }
        for dropped in [
            Failure::Exchange(ExchangeError::Refused {
                status: 400,
                error: "invalid_target".into(),
                description: Some("the grant was revoked".into()),
            }),
            Failure::Fetch(SourceError::Exchange("revoked".into())),
            Failure::Fetch(SourceError::Unauthorized(401)),
            Failure::Fetch(SourceError::HostNotAllowed("evil.example".into())),
        ] {
            assert!(!keeps_earlier_tasks(&dropped), "{dropped:?} is a refusal");
        }
    }

    #[test]
    fn the_kept_tasks_are_the_sources_own_marked_with_their_fetch() {
        let kept = earlier_tasks(Some(&morning()), Source::Gmail, &today());
        assert_eq!(ids(&kept), ["gmail:a", "gmail:b"]);
        assert!(kept.iter().all(|t| t.kept_from == Some(NOW - 3600)));
        assert!(earlier_tasks(None, Source::Gmail, &today()).is_empty());
        assert!(
            earlier_tasks(Some(&morning()), Source::Linear, &today()).is_empty(),
            "a source not in the previous snapshot has nothing to keep"
        );
    }

    #[test]
    fn a_second_failure_keeps_the_time_of_the_fetch_that_worked() {
        let mut noon = morning();
        noon.generated_at = NOW - 600;
        noon.sources[0] = status(Source::Gmail, failed(), NOW - 600);
        for t in noon.tasks.iter_mut().filter(|t| t.source == Source::Gmail) {
            t.kept_from = Some(NOW - 3600);
        }
        let kept = earlier_tasks(Some(&noon), Source::Gmail, &today());
        assert_eq!(ids(&kept), ["gmail:a", "gmail:b"]);
        assert!(kept.iter().all(|t| t.kept_from == Some(NOW - 3600)));
        // A failure with nothing kept before it has nothing to pass on.
        noon.tasks.retain(|t| t.source != Source::Gmail);
        assert!(earlier_tasks(Some(&noon), Source::Gmail, &today()).is_empty());
    }

    #[test]
    fn nothing_is_kept_from_before_local_midnight() {
        let today = today();
        let mut yesterday = morning();
        yesterday.generated_at = today.start - 60;
        yesterday.sources[0].fetched_at = today.start - 60;
        assert!(earlier_tasks(Some(&yesterday), Source::Gmail, &today).is_empty());
        // Kept since yesterday, through a snapshot of today: still not kept.
        let mut chained = morning();
        chained.sources[0] = status(Source::Gmail, failed(), NOW - 3600);
        for t in &mut chained.tasks {
            t.kept_from = Some(today.start - 60);
        }
        assert!(earlier_tasks(Some(&chained), Source::Gmail, &today).is_empty());
    }

    #[test]
    fn a_source_turned_off_or_never_fetched_keeps_nothing() {
        for state in [
            SourceState::Off,
            SourceState::Disabled,
            SourceState::Pending,
        ] {
            let mut s = morning();
            s.sources[0] = status(Source::Gmail, state.clone(), NOW - 3600);
            assert!(
                earlier_tasks(Some(&s), Source::Gmail, &today()).is_empty(),
                "{state:?}"
            );
        }
    }
}
