//! Conversations, kept in memory per user: bounded in number and length, forgotten
//! when idle.
//!
//! A conversation is found by the pair (user, id), so one user can never continue
//! (or even detect) another's. A turn holds a [`Lease`] on its conversation: a second
//! turn in the same conversation is refused until the first ends, and the history is
//! replaced only when the turn commits, so a failed or cancelled turn leaves it as it
//! was.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::llm::Message;

/// Conversations one user may keep (the least recently used goes first).
pub const MAX_PER_USER: usize = 20;
/// Conversations kept across all users.
pub const MAX_TOTAL: usize = 2_000;
/// Messages kept per conversation (older exchanges are dropped whole).
pub const MAX_MESSAGES: usize = 80;
/// Characters kept per conversation (older exchanges are dropped whole).
pub const MAX_CHARS: usize = 200_000;
/// How long an idle conversation is kept.
pub const IDLE_EXPIRY: Duration = Duration::from_secs(2 * 60 * 60);

type Key = (String, String);

#[derive(Debug)]
struct Conversation {
    messages: Vec<Message>,
    touched: Instant,
    busy: bool,
}

/// Every user's conversations.
#[derive(Debug, Clone, Default)]
pub struct Conversations {
    inner: Arc<Mutex<HashMap<Key, Conversation>>>,
}

/// Why a turn cannot use a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ConversationError {
    /// No such conversation for this user (never was, expired, or someone else's).
    #[error("This conversation is not known (it may have expired); start a new one.")]
    NotFound,
    /// A turn is already running in it.
    #[error("Todaygent is still answering in this conversation; wait for it to finish.")]
    Busy,
    /// Every conversation the user may keep has a turn running.
    #[error("Too many conversations are busy at once; wait for one to finish.")]
    TooMany,
}

/// A running turn's hold on its conversation.
#[derive(Debug)]
pub struct Lease {
    /// The conversation's id.
    pub id: String,
    /// The history before this turn.
    pub history: Vec<Message>,
    sub: String,
    owner: Conversations,
}

impl Lease {
    /// Replaces the history with `messages` (trimmed to the bounds).
    pub fn commit(&mut self, mut messages: Vec<Message>) {
        trim(&mut messages, MAX_MESSAGES, MAX_CHARS);
        if let Some(c) = self
            .owner
            .lock()
            .get_mut(&(self.sub.clone(), self.id.clone()))
        {
            c.messages = messages;
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(c) = self
            .owner
            .lock()
            .get_mut(&(self.sub.clone(), self.id.clone()))
        {
            c.busy = false;
            c.touched = Instant::now();
        }
    }
}

impl Conversations {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Conversation>> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts a turn in `sub`'s conversation `id`, or in a new one when `id` is `None`.
    ///
    /// # Errors
    /// See [`ConversationError`].
    pub fn begin(&self, sub: &str, id: Option<&str>) -> Result<Lease, ConversationError> {
        self.begin_at(sub, id, Instant::now())
    }

    fn begin_at(
        &self,
        sub: &str,
        id: Option<&str>,
        now: Instant,
    ) -> Result<Lease, ConversationError> {
        let mut map = self.lock();
        map.retain(|_, c| c.busy || now.saturating_duration_since(c.touched) < IDLE_EXPIRY);
        let (id, history) = match id {
            Some(id) => {
                let c = map
                    .get_mut(&(sub.to_owned(), id.to_owned()))
                    .ok_or(ConversationError::NotFound)?;
                if c.busy {
                    return Err(ConversationError::Busy);
                }
                c.busy = true;
                c.touched = now;
                (id.to_owned(), c.messages.clone())
            }
            None => {
                let mine = map.keys().filter(|(s, _)| s == sub).count();
                if mine >= MAX_PER_USER {
                    evict_oldest(&mut map, |(s, _)| s == sub)?;
                }
                if map.len() >= MAX_TOTAL {
                    evict_oldest(&mut map, |_| true)?;
                }
                let id = uuid::Uuid::new_v4().to_string();
                map.insert(
                    (sub.to_owned(), id.clone()),
                    Conversation {
                        messages: Vec::new(),
                        touched: now,
                        busy: true,
                    },
                );
                (id, Vec::new())
            }
        };
        Ok(Lease {
            id,
            history,
            sub: sub.to_owned(),
            owner: self.clone(),
        })
    }

    /// How many conversations `sub` has.
    pub fn count(&self, sub: &str) -> usize {
        self.lock().keys().filter(|(s, _)| s == sub).count()
    }
}

fn evict_oldest(
    map: &mut HashMap<Key, Conversation>,
    matches: impl Fn(&Key) -> bool,
) -> Result<(), ConversationError> {
    let oldest = map
        .iter()
        .filter(|(k, c)| matches(k) && !c.busy)
        .min_by_key(|(_, c)| c.touched)
        .map(|(k, _)| k.clone())
        .ok_or(ConversationError::TooMany)?;
    map.remove(&oldest);
    Ok(())
}

/// Drops the oldest exchanges (a user's message and everything up to the next one)
/// until the history fits; the newest exchange is always kept.
pub fn trim(messages: &mut Vec<Message>, max_messages: usize, max_chars: usize) {
    let size = |m: &[Message]| -> usize {
        m.iter()
            .flat_map(|m| m.content.iter())
            .map(super::llm::Block::len)
            .sum()
    };
    while messages.len() > max_messages || size(messages) > max_chars {
        let next = messages
            .iter()
            .enumerate()
            .skip(1)
            .find(|(_, m)| m.is_user_text())
            .map(|(i, _)| i);
        match next {
            Some(i) => {
                messages.drain(..i);
            }
            None => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::llm::{Block, Role};
    use super::*;

    fn exchange(n: usize) -> Vec<Message> {
        vec![
            Message::user_text(format!("question {n}")),
            Message {
                role: Role::Assistant,
                content: vec![Block::ToolUse {
                    id: format!("t{n}"),
                    name: "get_todays_tasks".into(),
                    input: serde_json::json!({}),
                }],
            },
            Message {
                role: Role::User,
                content: vec![Block::ToolResult {
                    id: format!("t{n}"),
                    content: "x".repeat(100),
                    is_error: false,
                }],
            },
            Message {
                role: Role::Assistant,
                content: vec![Block::Text(format!("answer {n}"))],
            },
        ]
    }

    #[test]
    fn a_new_conversation_is_continued_by_its_owner_only() {
        let c = Conversations::default();
        let mut lease = c.begin("alice", None).unwrap();
        let id = lease.id.clone();
        lease.commit(exchange(1));
        drop(lease);
        let lease = c.begin("alice", Some(&id)).unwrap();
        assert_eq!(lease.history.len(), 4);
        drop(lease);
        assert_eq!(
            c.begin("mallory", Some(&id)).unwrap_err(),
            ConversationError::NotFound
        );
        assert_eq!(
            c.begin("alice", Some("made-up")).unwrap_err(),
            ConversationError::NotFound
        );
    }

    #[test]
    fn one_turn_at_a_time_and_an_uncommitted_turn_changes_nothing() {
        let c = Conversations::default();
        let lease = c.begin("alice", None).unwrap();
        let id = lease.id.clone();
        assert_eq!(
            c.begin("alice", Some(&id)).unwrap_err(),
            ConversationError::Busy
        );
        drop(lease);
        let lease = c.begin("alice", Some(&id)).unwrap();
        assert!(lease.history.is_empty());
    }

    #[test]
    fn idle_conversations_expire() {
        let c = Conversations::default();
        let start = Instant::now();
        let lease = c.begin_at("alice", None, start).unwrap();
        let id = lease.id.clone();
        drop(lease);
        let later = Instant::now() + IDLE_EXPIRY + Duration::from_secs(1);
        assert_eq!(
            c.begin_at("alice", Some(&id), later).unwrap_err(),
            ConversationError::NotFound
        );
    }

    #[test]
    fn each_user_keeps_a_bounded_number() {
        let c = Conversations::default();
        let first = c.begin("alice", None).unwrap().id.clone();
        for _ in 0..MAX_PER_USER {
            drop(c.begin("alice", None).unwrap());
        }
        assert_eq!(c.count("alice"), MAX_PER_USER);
        assert_eq!(
            c.begin("alice", Some(&first)).unwrap_err(),
            ConversationError::NotFound,
            "the oldest went first"
        );
        let busy: Vec<_> = (0..MAX_PER_USER)
            .map(|_| c.begin("bob", None).unwrap())
            .collect();
        assert_eq!(
            c.begin("bob", None).unwrap_err(),
            ConversationError::TooMany
        );
        drop(busy);
    }

    #[test]
    fn trimming_drops_whole_exchanges_from_the_front() {
        let mut m: Vec<Message> = (0..5).flat_map(exchange).collect();
        trim(&mut m, 9, usize::MAX);
        assert_eq!(m.len(), 8);
        assert!(m[0].is_user_text());
        assert_eq!(m[0], Message::user_text("question 3"));
        let mut m: Vec<Message> = (0..5).flat_map(exchange).collect();
        trim(&mut m, 100, 150);
        assert_eq!(m.len(), 4, "only the newest exchange fits");
        let mut one = exchange(9);
        trim(&mut one, 1, 1);
        assert_eq!(one.len(), 4, "the newest exchange is always kept");
    }
}
