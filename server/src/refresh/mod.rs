//! Refresh: every enabled source at once, each within its own budget, into one
//! snapshot.
//!
//! For each enabled source, concurrently: exchange the caller's session token for a
//! token for that source alone (RFC 8693), fetch and normalize with the connector,
//! and report a [`SourceStatus`]; one slow or broken source never holds up the others
//! past its own deadline, and every source appears in the result (like
//! `Promise.allSettled`). Then the plan is built (scores, cross-references), stored as
//! the user's latest snapshot, and returned with the user's decisions applied.
//!
//! - [`run`]: one source, exchange → fetch → status.
//! - [`flight`]: one refresh per user at a time; a second request joins the first.
//! - [`keep`]: a source in an outage keeps what it gave earlier today.
//!
//! Progress is reported as [`RefreshEvent`]s (the SSE stream of `POST
//! /api/refresh/stream`).

pub mod flight;
pub mod keep;
pub mod run;

use std::sync::Arc;

use pmt_wire::activity::{Actor, GroupKind};
use pmt_wire::refresh::SourceStarted;
use pmt_wire::{RefreshEvent, Snapshot, Source, SourceState, SourceStatus, Task};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::activity::Trail;
use crate::auth::{unix_now, AuthUser};
use crate::config::{Config, SourceConfig};
use crate::plan;
use crate::sources::{Me, Today};
use crate::store::StoreError;
use crate::AppState;

use flight::{publish, Joined, Log, Step};
pub use flight::{Flights, FollowError};
pub use run::{Failure, RunContext, SourceRun};

/// How the sources of one refresh are scheduled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Schedule {
    /// All at once (what users get).
    #[default]
    Concurrent,
    /// One after another (the benchmark's baseline).
    Sequential,
}

/// Why a refresh gave no snapshot.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The refresh task failed or vanished.
    #[error(transparent)]
    Follow(#[from] FollowError),
}

/// Refreshes every enabled source for `user` and returns the new snapshot with the
/// user's decisions applied. Joins the user's running refresh if there is one.
///
/// `progress` receives every event of the refresh (replayed from the start when
/// joining), ending with [`RefreshEvent::Done`].
///
/// # Errors
/// When the user's decisions cannot be read or the refresh task dies.
pub async fn refresh(
    state: &AppState,
    user: &AuthUser,
    progress: Option<mpsc::Sender<RefreshEvent>>,
) -> Result<Snapshot, RefreshError> {
    let trail = ui_trail(state, user);
    refresh_with(state, user, progress, Schedule::Concurrent, trail).await
}

/// [`refresh`] recorded in `trail` (a chat turn's or an MCP request's group).
///
/// # Errors
/// As [`refresh`].
pub async fn refresh_traced(
    state: &AppState,
    user: &AuthUser,
    progress: Option<mpsc::Sender<RefreshEvent>>,
    trail: Trail,
) -> Result<Snapshot, RefreshError> {
    refresh_with(state, user, progress, Schedule::Concurrent, trail).await
}

/// A new refresh group asked for by the user in the dashboard.
pub fn ui_trail(state: &AppState, user: &AuthUser) -> Trail {
    let group = uuid::Uuid::new_v4().to_string();
    Trail::for_session(state, user, Actor::Ui, GroupKind::Refresh, group)
}

/// [`refresh`] with a chosen [`Schedule`] (the benchmark compares the two) and trail.
/// A refresh joined while running is recorded once, in the trail of whoever started it.
///
/// # Errors
/// As [`refresh`].
pub async fn refresh_with(
    state: &AppState,
    user: &AuthUser,
    progress: Option<mpsc::Sender<RefreshEvent>>,
    schedule: Schedule,
    trail: Trail,
) -> Result<Snapshot, RefreshError> {
    let sub = user.claims.sub.clone();
    let rx = match state.flights.join_or_start(&sub) {
        Joined::Joined(rx) => rx,
        Joined::Started(log, rx) => {
            let landing = Landing {
                flights: state.flights.clone(),
                sub,
                log: Some(log),
            };
            let state = state.clone();
            let user = user.clone();
            tokio::spawn(async move {
                let Some(log) = landing.log.clone() else {
                    return;
                };
                let outcome = drive(&state, &user, &log, schedule, trail).await;
                landing.finish(outcome);
            });
            rx
        }
    };
    Ok(flight::follow(rx, progress).await?)
}

/// Ends a refresh however its task ends: the flight is unregistered first (so a
/// request that arrives after the result starts a new refresh instead of replaying
/// this one), then the result is published; a task that panics publishes a failure.
struct Landing {
    flights: Arc<Flights>,
    sub: String,
    log: Option<Arc<Log>>,
}

impl Landing {
    fn finish(mut self, outcome: Step) {
        if let Some(log) = self.log.take() {
            self.flights.land(&self.sub, &log);
            publish(&log, outcome);
        }
    }
}

impl Drop for Landing {
    fn drop(&mut self) {
        if let Some(log) = self.log.take() {
            self.flights.land(&self.sub, &log);
            publish(
                &log,
                Step::Failed("the refresh stopped unexpectedly".to_owned()),
            );
        }
    }
}

/// The refresh itself: fetch (publishing progress), build, store. Returns the final
/// step: the snapshot with decisions applied, or why there is none.
async fn drive(
    state: &AppState,
    user: &AuthUser,
    log: &Log,
    schedule: Schedule,
    trail: Trail,
) -> Step {
    let config = &state.config;
    let now = unix_now();
    let today = Today::at(now, &config.time_zone).unwrap_or_else(|_| Today::utc(now));
    let ctx = RunContext {
        auth: state.auth.clone(),
        http: state.http.clone(),
        subject: user.token.clone(),
        today,
        me: Me {
            email: user.claims.email.clone(),
            name: user.claims.name.clone(),
        },
        trail,
    };
    let sub = &user.claims.sub;
    // Fail closed: a source the user turned off must not be exchanged for.
    let off = match state.store.disabled_sources(sub).await {
        Ok(off) => off,
        Err(e) => {
            tracing::error!(error = %e, "could not read the user's source switches");
            return Step::Failed("the source switches could not be read".to_owned());
        }
    };
    let enabled: Vec<SourceConfig> = config
        .enabled_sources()
        .filter(|s| !off.contains(&s.kind))
        .cloned()
        .collect();
    let runs = match schedule {
        Schedule::Concurrent => run_concurrently(&ctx, &enabled, log).await,
        Schedule::Sequential => run_sequentially(&ctx, &enabled, log).await,
    };
    let (decisions, adhoc) =
        match tokio::try_join!(state.store.decisions(sub), state.store.list_adhoc(sub)) {
            Ok(found) => found,
            Err(e) => {
                tracing::error!(error = %e, "could not read the user's decisions");
                return Step::Failed("the local decisions could not be read".to_owned());
            }
        };
    // Only a source in an outage needs the previous snapshot (a few ms to read and
    // decode at 1,000 tasks); an unreadable one keeps nothing.
    let outage = runs
        .iter()
        .any(|r| r.result.as_ref().is_err_and(keep::keeps_earlier_tasks));
    let previous = if outage {
        state.store.load_snapshot(sub).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "could not read the previous snapshot");
            None
        })
    } else {
        None
    };
    let fetched = fetched_by_source(config, runs, previous.as_ref(), &ctx.today);
    let snapshot = plan::snapshot::build(
        fetched,
        &adhoc,
        &decisions,
        &ctx.today,
        &config.scoring,
        unix_now(),
    );
    if let Err(e) = state.store.save_snapshot(sub, &snapshot).await {
        // The user still gets the fresh plan; the next read shows the previous one.
        tracing::error!(error = %e, "could not store the snapshot");
    }
    let snapshot = apply_switches(snapshot, &off);
    Step::Event(RefreshEvent::Done(Box::new(snapshot)))
}

fn started(log: &Log, source: Source) {
    publish(
        log,
        Step::Event(RefreshEvent::SourceStarted(SourceStarted { source })),
    );
}

fn finished(log: &Log, run: &SourceRun) {
    publish(log, Step::Event(RefreshEvent::SourceFinished(run.status())));
}

/// Every source in its own task; results in the order they finish.
async fn run_concurrently(ctx: &RunContext, sources: &[SourceConfig], log: &Log) -> Vec<SourceRun> {
    let started_at = tokio::time::Instant::now();
    let mut tasks = JoinSet::new();
    for source in sources {
        started(log, source.kind);
        let (ctx, source) = (ctx.clone(), source.clone());
        tasks.spawn(async move { run::run(&ctx, &source).await });
    }
    let mut runs: Vec<SourceRun> = Vec::with_capacity(sources.len());
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(run) => {
                finished(log, &run);
                runs.push(run);
            }
            Err(e) => tracing::error!(error = %e, "a connector task failed"),
        }
    }
    // A task that panicked reported nothing: its source still gets a status.
    for source in sources {
        if !runs.iter().any(|r| r.source == source.kind) {
            let run = SourceRun::crashed(source.kind, started_at.elapsed());
            finished(log, &run);
            runs.push(run);
        }
    }
    runs
}

/// One source after another (benchmark baseline only).
async fn run_sequentially(ctx: &RunContext, sources: &[SourceConfig], log: &Log) -> Vec<SourceRun> {
    let mut runs = Vec::with_capacity(sources.len());
    for source in sources {
        started(log, source.kind);
        let run = run::run(ctx, source).await;
        finished(log, &run);
        runs.push(run);
    }
    runs
}

/// Every provider's status in display order: the run's for enabled sources,
/// `Pending` for enabled ones that did not run, `Disabled` for the others.
pub fn statuses(config: &Config, runs: &[SourceRun]) -> Vec<SourceStatus> {
    Source::PROVIDERS
        .into_iter()
        .map(|source| match runs.iter().find(|r| r.source == source) {
            Some(run) => run.status(),
            None => idle_status(config, source, SourceState::Pending),
        })
        .collect()
}

/// Each provider's status with its tasks, in display order: the fetched ones, or for
/// a source that suffered an outage, what it gave earlier today in `previous` (see
/// [`keep`]); none otherwise.
fn fetched_by_source(
    config: &Config,
    mut runs: Vec<SourceRun>,
    previous: Option<&Snapshot>,
    today: &Today,
) -> Vec<(SourceStatus, Vec<Task>)> {
    let statuses = statuses(config, &runs);
    statuses
        .into_iter()
        .map(|status| {
            let run = runs
                .iter()
                .position(|r| r.source == status.source)
                .map(|i| runs.swap_remove(i));
            let tasks = match run.map(|r| r.result) {
                Some(Ok(fetched)) => fetched.tasks,
                Some(Err(failure)) if keep::keeps_earlier_tasks(&failure) => {
                    keep::earlier_tasks(previous, status.source, today)
                }
                _ => Vec::new(),
            };
            (status, tasks)
        })
        .collect()
}

/// The status of a source that did not run: `Disabled` unless it is enabled, in
/// which case `when_enabled`.
fn idle_status(config: &Config, source: Source, when_enabled: SourceState) -> SourceStatus {
    let enabled = config.source(source).is_some_and(|s| s.enabled);
    SourceStatus {
        source,
        state: if enabled {
            when_enabled
        } else {
            SourceState::Disabled
        },
        duration_ms: 0,
        fetched_at: 0,
    }
}

/// What the user sees before the first refresh: no tasks, every enabled source
/// pending.
pub fn pending_snapshot(config: &Config) -> Snapshot {
    Snapshot {
        generated_at: 0,
        tasks: Vec::new(),
        sources: statuses(config, &[]),
    }
}

/// Brings a stored snapshot's statuses in line with the configuration: a source
/// enabled since is pending, one disabled since is disabled.
pub fn align_statuses(config: &Config, mut snapshot: Snapshot) -> Snapshot {
    snapshot.sources = Source::PROVIDERS
        .into_iter()
        .map(|source| {
            let enabled = config.source(source).is_some_and(|s| s.enabled);
            match snapshot.sources.iter().find(|s| s.source == source) {
                Some(status) if enabled => status.clone(),
                _ => idle_status(config, source, SourceState::Pending),
            }
        })
        .collect();
    snapshot
}

/// A stored snapshot with the user's current decisions, ad-hoc tasks and source
/// switches applied, scored for now.
///
/// # Errors
/// When the store cannot be read.
pub async fn present(
    state: &AppState,
    sub: &str,
    snapshot: Snapshot,
) -> Result<Snapshot, StoreError> {
    let (decisions, adhoc, off) = tokio::try_join!(
        state.store.decisions(sub),
        state.store.list_adhoc(sub),
        state.store.disabled_sources(sub)
    )?;
    let now = unix_now();
    let today = Today::at(now, &state.config.time_zone).unwrap_or_else(|_| Today::utc(now));
    let snapshot =
        plan::snapshot::assemble(snapshot, &adhoc, &decisions, &today, &state.config.scoring);
    Ok(apply_switches(snapshot, &off))
}

/// The user's switches over a snapshot (pure): a source turned off shows
/// [`SourceState::Off`] and its tasks are hidden (links to them dropped), whatever
/// was fetched before. Only configured sources can be off; the stored snapshot keeps
/// its data, so turning a source back on shows the last fetch until the next refresh.
pub fn apply_switches(mut snapshot: Snapshot, off: &[Source]) -> Snapshot {
    if off.is_empty() {
        return snapshot;
    }
    for status in &mut snapshot.sources {
        if off.contains(&status.source) && status.state != SourceState::Disabled {
            status.state = SourceState::Off;
            status.duration_ms = 0;
        }
    }
    let hidden: Vec<Source> = snapshot
        .sources
        .iter()
        .filter(|s| s.state == SourceState::Off)
        .map(|s| s.source)
        .collect();
    let gone: std::collections::HashSet<pmt_wire::TaskId> = snapshot
        .tasks
        .iter()
        .filter(|t| hidden.contains(&t.source))
        .map(|t| t.id.clone())
        .collect();
    snapshot.tasks.retain(|t| !hidden.contains(&t.source));
    for task in &mut snapshot.tasks {
        task.links.retain(|l| !gone.contains(l));
    }
    snapshot
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Overrides;

    fn demo() -> Config {
        Config::demo(&Overrides {
            port: Some(0),
            ..Overrides::default()
        })
        .unwrap()
    }

    #[test]
    fn before_any_refresh_enabled_sources_are_pending_and_others_disabled() {
        let mut config = demo();
        config.sources.retain(|s| s.kind != Source::Granola);
        if let Some(slack) = config.sources.iter_mut().find(|s| s.kind == Source::Slack) {
            slack.enabled = false;
        }
        let snapshot = pending_snapshot(&config);
        assert_eq!(snapshot.generated_at, 0);
        assert!(snapshot.tasks.is_empty());
        assert_eq!(snapshot.sources.len(), 7);
        for status in &snapshot.sources {
            let expected = match status.source {
                Source::Granola | Source::Slack => SourceState::Disabled,
                _ => SourceState::Pending,
            };
            assert_eq!(status.state, expected, "{:?}", status.source);
        }
    }

    #[test]
    fn stored_statuses_follow_configuration_changes() {
        let config = demo();
        let stored = Snapshot {
            generated_at: 5,
            tasks: Vec::new(),
            sources: vec![SourceStatus {
                source: Source::Gmail,
                state: SourceState::Ok {
                    count: 3,
                    skipped: 0,
                },
                duration_ms: 10,
                fetched_at: 5,
            }],
        };
        let aligned = align_statuses(&config, stored);
        assert_eq!(aligned.sources.len(), 7);
        let gmail = aligned
            .sources
            .iter()
            .find(|s| s.source == Source::Gmail)
            .unwrap();
        assert_eq!(
            gmail.state,
            SourceState::Ok {
                count: 3,
                skipped: 0
            }
        );
        let slack = aligned
            .sources
            .iter()
            .find(|s| s.source == Source::Slack)
            .unwrap();
        assert_eq!(slack.state, SourceState::Pending);
    }
}
