//! One refresh per user at a time: a second request while one runs joins it.
//!
//! A running refresh keeps its whole event log in a `watch` channel; whoever joins
//! replays the log from the start and then follows it, so a late joiner still sees
//! one `source_finished` per source and the final snapshot, and no provider is called
//! twice. The refresh itself runs in its own task: a caller that goes away (a closed
//! browser tab) does not stop it, and the snapshot is still saved.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use pmt_wire::{RefreshEvent, Snapshot};
use tokio::sync::{mpsc, watch};

/// One entry of a refresh's log.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    /// Progress, or (`Done`) the result.
    Event(RefreshEvent),
    /// The refresh could not produce a snapshot; the reason is for the log and people.
    Failed(String),
}

/// The log of one running refresh.
pub(crate) type Log = watch::Sender<Vec<Step>>;

/// The refreshes running now, by user.
#[derive(Debug, Default)]
pub struct Flights {
    running: Mutex<HashMap<String, Arc<Log>>>,
}

/// What [`Flights::join_or_start`] found.
pub(crate) enum Joined {
    /// Nothing ran: the caller must drive this new refresh (and call [`Flights::land`]).
    Started(Arc<Log>, watch::Receiver<Vec<Step>>),
    /// One was running: follow it.
    Joined(watch::Receiver<Vec<Step>>),
}

impl Flights {
    /// Joins the user's running refresh, or registers a new one.
    pub(crate) fn join_or_start(&self, sub: &str) -> Joined {
        let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(log) = running.get(sub) {
            return Joined::Joined(log.subscribe());
        }
        let (log, rx) = watch::channel(Vec::new());
        let log = Arc::new(log);
        running.insert(sub.to_owned(), log.clone());
        Joined::Started(log, rx)
    }

    /// Unregisters a finished refresh (only if it is still the registered one).
    pub(crate) fn land(&self, sub: &str, log: &Arc<Log>) {
        let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        if running.get(sub).is_some_and(|l| Arc::ptr_eq(l, log)) {
            running.remove(sub);
        }
    }
}

/// Appends to a log.
pub(crate) fn publish(log: &Log, step: Step) {
    log.send_modify(|steps| steps.push(step));
}

/// Why following a refresh gave no snapshot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FollowError {
    /// The refresh reported a failure.
    #[error("{0}")]
    Failed(String),
    /// The refresh ended without a result.
    #[error("the refresh stopped unexpectedly")]
    Interrupted,
}

/// Replays and follows a refresh's log, forwarding progress, until its snapshot.
pub(crate) async fn follow(
    mut rx: watch::Receiver<Vec<Step>>,
    progress: Option<mpsc::Sender<RefreshEvent>>,
) -> Result<Snapshot, FollowError> {
    let mut seen = 0;
    loop {
        let fresh: Vec<Step> = {
            let steps = rx.borrow_and_update();
            steps.get(seen..).map(<[Step]>::to_vec).unwrap_or_default()
        };
        seen += fresh.len();
        for step in fresh {
            match step {
                Step::Failed(reason) => return Err(FollowError::Failed(reason)),
                Step::Event(event) => {
                    let done = match &event {
                        RefreshEvent::Done(snapshot) => Some((**snapshot).clone()),
                        _ => None,
                    };
                    if let Some(progress) = &progress {
                        // A gone listener (closed stream) does not stop the refresh.
                        let _ = progress.send(event).await;
                    }
                    if let Some(snapshot) = done {
                        return Ok(snapshot);
                    }
                }
            }
        }
        if rx.changed().await.is_err() {
            let steps = rx.borrow();
            if steps.len() == seen {
                return Err(FollowError::Interrupted);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pmt_wire::refresh::SourceStarted;
    use pmt_wire::Source;

    fn started(source: Source) -> Step {
        Step::Event(RefreshEvent::SourceStarted(SourceStarted { source }))
    }

    #[tokio::test]
    async fn a_second_caller_joins_and_replays_from_the_start() {
        let flights = Flights::default();
        let Joined::Started(log, _rx) = flights.join_or_start("u") else {
            panic!("first caller must start");
        };
        publish(&log, started(Source::Slack));
        let Joined::Joined(rx) = flights.join_or_start("u") else {
            panic!("second caller must join");
        };
        assert!(matches!(
            flights.join_or_start("other"),
            Joined::Started(..)
        ));
        let (tx, mut events) = mpsc::channel(16);
        let follower = tokio::spawn(follow(rx, Some(tx)));
        let done = Snapshot {
            generated_at: 42,
            ..Snapshot::default()
        };
        publish(
            &log,
            Step::Event(RefreshEvent::Done(Box::new(done.clone()))),
        );
        flights.land("u", &log);
        assert_eq!(follower.await.unwrap(), Ok(done));
        assert_eq!(
            events.recv().await.map(|e| e.name()),
            Some("source_started")
        );
        assert_eq!(events.recv().await.map(|e| e.name()), Some("done"));
        assert!(matches!(flights.join_or_start("u"), Joined::Started(..)));
    }

    #[tokio::test]
    async fn a_refresh_that_vanishes_is_an_error_not_a_hang() {
        let flights = Flights::default();
        let Joined::Started(log, rx) = flights.join_or_start("u") else {
            panic!("first caller must start");
        };
        publish(&log, started(Source::Gmail));
        flights.land("u", &log);
        drop(log);
        assert_eq!(follow(rx, None).await, Err(FollowError::Interrupted));
    }

    #[tokio::test]
    async fn a_failure_reaches_every_follower() {
        let flights = Flights::default();
        let Joined::Started(log, rx) = flights.join_or_start("u") else {
            panic!("first caller must start");
        };
        publish(&log, Step::Failed("store unavailable".into()));
        assert_eq!(
            follow(rx, None).await,
            Err(FollowError::Failed("store unavailable".into()))
        );
    }
}
