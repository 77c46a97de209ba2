//! Single-use, expiring handles: pending consent requests and authorization codes.
//!
//! A handle is 256 random bits, base64url-encoded; the store keeps only its SHA-256,
//! so what sits in memory cannot be replayed. A taken entry leaves a tombstone until it
//! would have expired, so a second redemption is told apart from a guess (and can be
//! logged as a replay) — both are refused.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// How many live entries a store holds before refusing new ones (loopback-only demo,
/// but an unbounded map is still a memory leak waiting for a loop).
pub(super) const DEFAULT_CAPACITY: usize = 10_000;

/// `bytes` random bytes from the OS CSPRNG, base64url without padding.
pub(super) fn random_handle(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// Why a handle could not be taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TakeError {
    /// Never issued (or long gone).
    Unknown,
    /// Issued, but its lifetime is over.
    Expired,
    /// Already taken once: a replay.
    AlreadyUsed,
}

/// The store is full of live entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct StoreFull;

#[derive(Debug)]
struct Entry<T> {
    /// `None` once taken.
    value: Option<T>,
    expires_at: i64,
}

/// A map from random single-use handles to values, each with an expiry.
#[derive(Debug)]
pub(super) struct OneTimeStore<T> {
    entries: Mutex<HashMap<[u8; 32], Entry<T>>>,
    capacity: usize,
}

impl<T> OneTimeStore<T> {
    /// An empty store holding at most `capacity` entries.
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    /// Stores `value` for `ttl_secs` and returns its new handle.
    ///
    /// # Errors
    /// [`StoreFull`] when `capacity` entries are still alive.
    pub(super) fn insert(&self, value: T, now: i64, ttl_secs: i64) -> Result<String, StoreFull> {
        let handle = random_handle(32);
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= self.capacity {
            entries.retain(|_, e| e.expires_at > now);
            if entries.len() >= self.capacity {
                return Err(StoreFull);
            }
        }
        entries.insert(
            digest(&handle),
            Entry {
                value: Some(value),
                expires_at: now.saturating_add(ttl_secs),
            },
        );
        Ok(handle)
    }

    /// Takes the value behind `handle`; whatever the outcome, it cannot be taken again.
    ///
    /// # Errors
    /// [`TakeError`] says whether the handle was unknown, expired or already used.
    pub(super) fn take(&self, handle: &str, now: i64) -> Result<T, TakeError> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let key = digest(handle);
        let Some(entry) = entries.get_mut(&key) else {
            return Err(TakeError::Unknown);
        };
        if entry.expires_at <= now {
            entries.remove(&key);
            return Err(TakeError::Expired);
        }
        entry.value.take().ok_or(TakeError::AlreadyUsed)
    }
}

fn digest(handle: &str) -> [u8; 32] {
    Sha256::digest(handle.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_256_bit_and_distinct() {
        let a = random_handle(32);
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_handle(32));
    }

    #[test]
    fn a_value_can_be_taken_once() {
        let store = OneTimeStore::new(10);
        let h = store.insert("grant", 100, 60).expect("room");
        assert_eq!(store.take(&h, 110), Ok("grant"));
        assert_eq!(store.take(&h, 111), Err(TakeError::AlreadyUsed));
    }

    #[test]
    fn a_value_expires_at_its_lifetime() {
        let store = OneTimeStore::new(10);
        let h = store.insert(1, 100, 60).expect("room");
        assert_eq!(store.take(&h, 160), Err(TakeError::Expired));
        assert_eq!(store.take(&h, 161), Err(TakeError::Unknown));
    }

    #[test]
    fn unknown_handles_are_refused() {
        let store: OneTimeStore<u8> = OneTimeStore::new(10);
        assert_eq!(store.take("nope", 0), Err(TakeError::Unknown));
    }

    #[test]
    fn a_full_store_makes_room_only_by_dropping_expired_entries() {
        let store = OneTimeStore::new(2);
        store.insert(1, 0, 10).expect("room");
        store.insert(2, 0, 100).expect("room");
        assert_eq!(store.insert(3, 5, 10), Err(StoreFull));
        assert!(store.insert(3, 10, 10).is_ok());
    }
}
