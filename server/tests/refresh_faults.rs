//! The fault matrix: every source × {timeout, 500, 429 beyond the budget, garbage,
//! exchange refused}. Each time the other six sources' tasks all arrive, and the
//! failing one is reported failed with a reason that names the problem. An outage
//! keeps the tasks the source gave on the refresh before, marked with that fetch's
//! time; a refused exchange (a revoked grant) keeps nothing.

use crate::refresh_support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use pmt_server::simulators::{Fault, FaultMode};
use pmt_wire::{Snapshot, Source, SourceState, TaskId};
use refresh_support::{failure_reason, ids_by_source, status, Session};

/// Each source's budget in these tests (the demo default is 5 s).
const BUDGET: Duration = Duration::from_millis(2_500);

/// How to break one source.
#[derive(Clone, Copy, Debug)]
enum Breakage {
    Timeout,
    ServerError,
    RateLimited,
    Garbage,
    ExchangeRefused,
}

impl Breakage {
    fn apply(self, session: &Session, source: Source) {
        let fault = |mode| Fault {
            latency_ms: 0,
            mode,
        };
        match self {
            Breakage::Timeout => session.sims().set_fault(
                source,
                Fault {
                    latency_ms: BUDGET.as_millis() as u64 + 1_500,
                    mode: FaultMode::None,
                },
            ),
            Breakage::ServerError => session
                .sims()
                .set_fault(source, fault(FaultMode::Status { status: 500 })),
            Breakage::RateLimited => session.sims().set_fault(
                source,
                fault(FaultMode::RateLimited {
                    retry_after_secs: 120,
                    times: 0,
                }),
            ),
            Breakage::Garbage => session.sims().set_fault(source, fault(FaultMode::Garbage)),
            Breakage::ExchangeRefused => {
                assert!(session.handles().set_grant_revoked(source, true));
            }
        }
    }

    fn repair(self, session: &Session, source: Source) {
        session.sims().set_fault(source, Fault::default());
        if let Breakage::ExchangeRefused = self {
            assert!(session.handles().set_grant_revoked(source, false));
        }
    }

    /// Whether the source's earlier tasks stay on the list.
    fn keeps_earlier_tasks(self) -> bool {
        !matches!(self, Breakage::ExchangeRefused)
    }

    /// Words the reason must contain.
    fn names_the_problem(self, source: Source) -> Vec<String> {
        match self {
            Breakage::Timeout => vec!["timed out after 2.5 s".into()],
            Breakage::ServerError => vec!["HTTP 500".into()],
            Breakage::RateLimited => vec!["rate limited".into(), "120 s".into()],
            Breakage::Garbage => vec!["not the expected JSON".into()],
            Breakage::ExchangeRefused => vec![
                "access was refused".into(),
                "revoked".into(),
                pmt_server::simulators::demo_resource(source).into(),
            ],
        }
    }
}

async fn session() -> Session {
    Session::start_adjusted(|config| {
        for source in &mut config.sources {
            source.timeout = BUDGET;
        }
    })
    .await
}

/// Breaks each source in turn and checks the other six are untouched.
async fn matrix(breakage: Breakage) {
    let session = session().await;
    let baseline = session.refresh().await;
    for source in Source::PROVIDERS {
        assert!(
            matches!(status(&baseline, source).state, SourceState::Ok { .. }),
            "baseline {source:?}: {:?}",
            status(&baseline, source)
        );
    }
    let expected = ids_by_source(&baseline);
    let mut previous = baseline;
    for broken in Source::PROVIDERS {
        breakage.apply(&session, broken);
        let snapshot = session.refresh().await;
        breakage.repair(&session, broken);
        check(&snapshot, &previous, &expected, broken, breakage);
        previous = snapshot;
    }
}

fn check(
    snapshot: &Snapshot,
    previous: &Snapshot,
    expected: &BTreeMap<Source, BTreeSet<TaskId>>,
    broken: Source,
    breakage: Breakage,
) {
    let reason = failure_reason(snapshot, broken);
    for word in breakage.names_the_problem(broken) {
        assert!(
            reason.contains(&word),
            "{breakage:?} of {broken:?}: reason {reason:?} should name {word:?}"
        );
    }
    let got = ids_by_source(snapshot);
    let kept: Vec<_> = snapshot
        .tasks
        .iter()
        .filter(|t| t.source == broken)
        .collect();
    if breakage.keeps_earlier_tasks() {
        assert_eq!(
            got.get(&broken),
            expected.get(&broken),
            "{breakage:?}: the failed {broken:?} keeps the tasks it gave before"
        );
        let fetched_at = status(previous, broken).fetched_at;
        assert!(
            kept.iter().all(|t| t.kept_from == Some(fetched_at)),
            "{breakage:?} of {broken:?}: each kept task says it is from the fetch at {fetched_at}"
        );
    } else {
        assert!(
            kept.is_empty(),
            "{breakage:?}: tasks of the refused {broken:?} were returned"
        );
    }
    for source in Source::PROVIDERS.into_iter().filter(|s| *s != broken) {
        assert!(
            matches!(status(snapshot, source).state, SourceState::Ok { .. }),
            "{breakage:?} of {broken:?} hurt {source:?}: {:?}",
            status(snapshot, source)
        );
        // Task ids are stable across refreshes (refresh_demo checks that), so the
        // very same tasks must arrive, fresh.
        assert_eq!(
            got.get(&source),
            expected.get(&source),
            "{breakage:?} of {broken:?} changed {source:?}'s tasks"
        );
        assert!(
            snapshot
                .tasks
                .iter()
                .filter(|t| t.source == source)
                .all(|t| t.kept_from.is_none()),
            "{source:?} was fetched: none of its tasks is a kept one"
        );
    }
}

#[tokio::test]
async fn a_source_past_its_budget_does_not_hold_up_the_others() {
    matrix(Breakage::Timeout).await;
}

#[tokio::test]
async fn a_source_answering_500_fails_alone() {
    matrix(Breakage::ServerError).await;
}

#[tokio::test]
async fn a_source_rate_limited_beyond_the_budget_fails_alone() {
    matrix(Breakage::RateLimited).await;
}

#[tokio::test]
async fn a_source_sending_garbage_fails_alone() {
    matrix(Breakage::Garbage).await;
}

#[tokio::test]
async fn a_revoked_grant_fails_only_that_source() {
    matrix(Breakage::ExchangeRefused).await;
}

#[tokio::test]
async fn a_hanging_source_is_cut_at_its_budget() {
    let session = session().await;
    session.sims().set_fault(
        Source::Granola,
        Fault {
            latency_ms: 0,
            mode: FaultMode::Hang,
        },
    );
    let snapshot = session.refresh().await;
    assert!(failure_reason(&snapshot, Source::Granola).contains("timed out"));
    for source in Source::PROVIDERS
        .into_iter()
        .filter(|s| *s != Source::Granola)
    {
        assert!(
            matches!(status(&snapshot, source).state, SourceState::Ok { .. }),
            "{source:?}: {:?}",
            status(&snapshot, source)
        );
    }
}

#[tokio::test]
async fn the_grant_control_route_revokes_and_restores() {
    let session = session().await;
    let put = |revoked: bool| {
        session
            .demo
            .http
            .put(session.demo.url("/sim/control/linear/grant"))
            .json(&serde_json::json!({ "revoked": revoked }))
            .send()
    };
    assert_eq!(put(true).await.expect("put").status(), 204);
    let snapshot = session.refresh().await;
    assert!(failure_reason(&snapshot, Source::Linear).contains("revoked"));
    assert_eq!(put(false).await.expect("put").status(), 204);
    let snapshot = session.refresh().await;
    assert!(matches!(
        status(&snapshot, Source::Linear).state,
        SourceState::Ok { .. }
    ));
    let unknown = session
        .demo
        .http
        .put(session.demo.url("/sim/control/jira/grant"))
        .json(&serde_json::json!({ "revoked": true }))
        .send()
        .await
        .expect("put");
    assert_eq!(unknown.status(), 404);
}
