//! Writes waiting for the user's Allow or Deny.
//!
//! A turn that wants to run a write registers a confirmation and waits on it; `POST
//! /api/chat/confirm/{id}` resolves it. Only the user the turn runs for can resolve
//! it: for anyone else the id does not exist. A registration is removed when it is
//! answered, and when its [`Waiting`] handle is dropped (timeout, the chat closed, the
//! turn ended), so nothing waits forever and nothing can be answered late.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::oneshot;

/// Most confirmations one user can have waiting at once (one per running turn).
pub const MAX_PENDING_PER_USER: usize = 8;

#[derive(Debug)]
struct Pending {
    sub: String,
    answer: oneshot::Sender<bool>,
}

/// The confirmations waiting now, across users.
#[derive(Debug, Clone, Default)]
pub struct Confirmations {
    pending: Arc<Mutex<HashMap<String, Pending>>>,
}

/// Why an answer was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ConfirmError {
    /// No such confirmation waits for this user (wrong id, another user's, expired,
    /// already answered).
    #[error("no confirmation with that id is waiting for you (it may have expired)")]
    NotFound,
}

/// Why a registration was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many confirmations are already waiting")]
pub struct TooManyPending;

/// A registered confirmation: its id and the answer to wait for.
#[derive(Debug)]
pub struct Waiting {
    /// Send the answer to `/api/chat/confirm/{id}`.
    pub id: String,
    answer: oneshot::Receiver<bool>,
    owner: Confirmations,
}

impl Waiting {
    /// The user's answer; `false` when the registration went away unanswered.
    pub async fn answer(&mut self) -> bool {
        (&mut self.answer).await.unwrap_or(false)
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.owner.lock().remove(&self.id);
    }
}

impl Confirmations {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pending>> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers a confirmation for `sub` with a fresh, unguessable id.
    ///
    /// # Errors
    /// When the user already has [`MAX_PENDING_PER_USER`] waiting.
    pub fn register(&self, sub: &str) -> Result<Waiting, TooManyPending> {
        let (tx, rx) = oneshot::channel();
        let id = uuid::Uuid::new_v4().to_string();
        let mut pending = self.lock();
        if pending.values().filter(|p| p.sub == sub).count() >= MAX_PENDING_PER_USER {
            return Err(TooManyPending);
        }
        pending.insert(
            id.clone(),
            Pending {
                sub: sub.to_owned(),
                answer: tx,
            },
        );
        Ok(Waiting {
            id,
            answer: rx,
            owner: self.clone(),
        })
    }

    /// Delivers `sub`'s answer to confirmation `id`.
    ///
    /// # Errors
    /// [`ConfirmError::NotFound`] unless `id` waits for `sub`; another user's id is
    /// left waiting, untouched.
    pub fn resolve(&self, sub: &str, id: &str, allow: bool) -> Result<(), ConfirmError> {
        let mut pending = self.lock();
        match pending.get(id) {
            Some(p) if p.sub == sub => {}
            _ => return Err(ConfirmError::NotFound),
        }
        let p = pending.remove(id).ok_or(ConfirmError::NotFound)?;
        p.answer.send(allow).map_err(|_| ConfirmError::NotFound)
    }

    /// How many confirmations wait now (all users).
    pub fn waiting(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_owner_answers_once() {
        let c = Confirmations::default();
        let mut w = c.register("alice").unwrap();
        c.resolve("alice", &w.id, true).unwrap();
        assert!(w.answer().await);
        assert_eq!(
            c.resolve("alice", &w.id, false),
            Err(ConfirmError::NotFound)
        );
    }

    #[tokio::test]
    async fn another_user_cannot_answer_and_does_not_disturb_it() {
        let c = Confirmations::default();
        let mut w = c.register("alice").unwrap();
        assert_eq!(
            c.resolve("mallory", &w.id, true),
            Err(ConfirmError::NotFound)
        );
        assert_eq!(c.waiting(), 1);
        c.resolve("alice", &w.id, false).unwrap();
        assert!(!w.answer().await);
    }

    #[test]
    fn dropping_the_wait_removes_it() {
        let c = Confirmations::default();
        let w = c.register("alice").unwrap();
        let id = w.id.clone();
        drop(w);
        assert_eq!(c.waiting(), 0);
        assert_eq!(c.resolve("alice", &id, true), Err(ConfirmError::NotFound));
    }

    #[test]
    fn ids_are_unique_and_bounded_per_user() {
        let c = Confirmations::default();
        let held: Vec<_> = (0..MAX_PENDING_PER_USER)
            .map(|_| c.register("alice").unwrap())
            .collect();
        let ids: std::collections::HashSet<_> = held.iter().map(|w| w.id.clone()).collect();
        assert_eq!(ids.len(), MAX_PENDING_PER_USER);
        assert_eq!(c.register("alice").unwrap_err(), TooManyPending);
        assert!(c.register("bob").is_ok());
    }
}
