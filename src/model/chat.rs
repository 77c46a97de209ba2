//! Todaygent's conversation as plain data: the user's messages and each turn's
//! [`ChatEvent`]s folded into a transcript the chat panel renders.
//!
//! [`Transcript::apply`] is the reducer. It also says what the panel's live region
//! should announce: a finished reply, a confirmation to answer, a failure — never each
//! streamed piece of text (a screen reader would read every token).

use pmt_wire::agent::ChatEvent;
use serde::Deserialize;

/// Every field any [`ChatEvent`] has, flat: decoding this and picking by `type` takes
/// a fraction of the code of serde's internally tagged enum (whose buffering of unknown
/// fields the bundle does not need). [`decode`] is tested against the wire crate's own
/// encoding of every event, so the two cannot drift apart unnoticed.
#[derive(Deserialize)]
struct FlatEvent {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    conversation: String,
    #[serde(default)]
    turn: String,
    #[serde(default)]
    delta: String,
    #[serde(default)]
    call_id: String,
    #[serde(default)]
    tool: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    write: bool,
    #[serde(default)]
    ok: bool,
    #[serde(default)]
    confirmation: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    allowed: bool,
    #[serde(default)]
    message: String,
}

/// A chat event from its SSE `data` (the JSON of [`ChatEvent`]); `None` for an unknown
/// type or a bad shape.
pub fn decode(data: &str) -> Option<ChatEvent> {
    let f: FlatEvent = serde_json::from_str(data).ok()?;
    Some(match f.kind.as_str() {
        "started" => ChatEvent::Started {
            conversation: f.conversation,
            turn: f.turn,
        },
        "text" => ChatEvent::Text { delta: f.delta },
        "tool_call" => ChatEvent::ToolCall {
            call_id: f.call_id,
            tool: f.tool,
            summary: f.summary,
            write: f.write,
        },
        "tool_result" => ChatEvent::ToolResult {
            call_id: f.call_id,
            ok: f.ok,
            summary: f.summary,
        },
        "confirm_request" => ChatEvent::ConfirmRequest {
            confirmation: f.confirmation,
            tool: f.tool,
            description: f.description,
        },
        "confirm_resolved" => ChatEvent::ConfirmResolved {
            confirmation: f.confirmation,
            allowed: f.allowed,
        },
        "notice" => ChatEvent::Notice { message: f.message },
        "error" => ChatEvent::Error { message: f.message },
        "done" => ChatEvent::Done,
        _ => return None,
    })
}

/// A tool call's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolResult {
    /// Whether it succeeded.
    pub ok: bool,
    /// One line about the result (or why it did not run).
    pub summary: String,
}

/// Where a confirmation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Waiting for Allow or Deny.
    Pending,
    /// The answer (`true` = Allow) is being sent.
    Sending(bool),
    /// The server took the answer; the turn goes on.
    Given(bool),
    /// The server said what happened: the write ran (`true`) or did not.
    Resolved(bool),
    /// The turn ended (stopped, broke off) before it was answered.
    Lapsed,
}

impl Answer {
    /// Whether Allow and Deny can still be pressed.
    pub fn open(self) -> bool {
        self == Answer::Pending
    }

    /// The outcome in words; `None` while it waits for the user.
    pub fn outcome(self) -> Option<&'static str> {
        match self {
            Answer::Pending => None,
            Answer::Sending(_) => Some("Sending your answer…"),
            Answer::Given(true) => Some("Allowed: running it…"),
            Answer::Given(false) | Answer::Resolved(false) => Some("Denied: nothing was changed."),
            Answer::Resolved(true) => Some("Allowed: done."),
            Answer::Lapsed => Some("Not answered: the turn ended, nothing was changed."),
        }
    }
}

/// One thing in the conversation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// What the user wrote.
    User(String),
    /// The agent's answer (markdown-ish text), growing while it streams.
    Agent(String),
    /// A tool the agent called, and its result once it came.
    Tool {
        /// The call's id (matches the result).
        call_id: String,
        /// The tool's name.
        tool: String,
        /// Its arguments, summarized.
        summary: String,
        /// Whether it writes.
        write: bool,
        /// The result, when it came.
        result: Option<ToolResult>,
    },
    /// A write the agent proposes, waiting for (or given) the user's answer.
    Confirm {
        /// Where to send the answer.
        confirmation: String,
        /// The tool.
        tool: String,
        /// What it would do, in words.
        description: String,
        /// Where the answer stands.
        answer: Answer,
    },
    /// Something the user should know that is not the agent speaking.
    Notice(String),
    /// Something failed; the message says what to do.
    Error(String),
}

/// An item and its revision (bumped on every change, so a keyed list re-renders
/// exactly the items that changed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Changes whenever `item` does.
    pub rev: u32,
    /// The item.
    pub item: Item,
}

/// The conversation: every item, the conversation id for follow-ups, and whether a
/// turn is running. Kept in memory only (never in storage).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Transcript {
    entries: Vec<Entry>,
    conversation: Option<String>,
    turn: Option<String>,
    busy: bool,
    turn_start: usize,
    next_rev: u32,
}

/// The longest reply read out whole when a turn ends; past it, the start is read and
/// the rest is on screen.
const ANNOUNCE_CHARS: usize = 280;

/// What the turn's end says when the stream broke off.
pub const CUT_OFF: &str =
    "The answer broke off before it was complete (the connection dropped). Ask again to continue.";
/// What the turn's end says when the user pressed Stop.
pub const STOPPED: &str = "Stopped. Nothing more will run for that message.";

impl Transcript {
    /// Every entry, oldest first.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The conversation id to continue (from the last `started`).
    pub fn conversation(&self) -> Option<&str> {
        self.conversation.as_deref()
    }

    /// The current (or last) turn's id: its group in the activity trail.
    pub fn turn(&self) -> Option<&str> {
        self.turn.as_deref()
    }

    /// Whether a turn is running.
    pub fn busy(&self) -> bool {
        self.busy
    }

    /// Whether nothing was said yet.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn push(&mut self, item: Item) {
        self.next_rev += 1;
        self.entries.push(Entry {
            rev: self.next_rev,
            item,
        });
    }

    fn edit(&mut self, index: usize, change: impl FnOnce(&mut Item)) {
        self.next_rev += 1;
        let rev = self.next_rev;
        if let Some(entry) = self.entries.get_mut(index) {
            change(&mut entry.item);
            entry.rev = rev;
        }
    }

    fn turn_items(&self) -> impl Iterator<Item = (usize, &Item)> {
        self.entries
            .iter()
            .enumerate()
            .skip(self.turn_start)
            .map(|(i, e)| (i, &e.item))
    }

    /// Starts a turn with the user's message. `false` (and nothing changes) while
    /// another turn runs or when the message is blank.
    pub fn ask(&mut self, message: &str) -> bool {
        let message = message.trim();
        if self.busy || message.is_empty() {
            return false;
        }
        self.turn_start = self.entries.len();
        self.push(Item::User(message.to_owned()));
        self.busy = true;
        true
    }

    /// Folds one event of the running turn in; returns what to announce, if anything.
    pub fn apply(&mut self, event: ChatEvent) -> Option<String> {
        match event {
            ChatEvent::Started { conversation, turn } => {
                self.conversation = Some(conversation);
                self.turn = Some(turn);
                None
            }
            ChatEvent::Text { delta } => {
                let last = self.entries.len().checked_sub(1);
                match last.filter(|&i| {
                    i >= self.turn_start && matches!(self.entries[i].item, Item::Agent(_))
                }) {
                    Some(i) => self.edit(i, |item| {
                        if let Item::Agent(text) = item {
                            text.push_str(&delta);
                        }
                    }),
                    None => self.push(Item::Agent(delta)),
                }
                None
            }
            ChatEvent::ToolCall {
                call_id,
                tool,
                summary,
                write,
            } => {
                self.push(Item::Tool {
                    call_id,
                    tool,
                    summary,
                    write,
                    result: None,
                });
                None
            }
            ChatEvent::ToolResult {
                call_id,
                ok,
                summary,
            } => {
                let found = self.turn_items().find_map(|(i, item)| {
                    matches!(item, Item::Tool { call_id: c, .. } if *c == call_id).then_some(i)
                });
                match found {
                    Some(i) => self.edit(i, |item| {
                        if let Item::Tool { result, .. } = item {
                            *result = Some(ToolResult { ok, summary });
                        }
                    }),
                    // A result without its call (should not happen): still show it.
                    None => self.push(Item::Tool {
                        call_id,
                        tool: String::new(),
                        summary: String::new(),
                        write: false,
                        result: Some(ToolResult { ok, summary }),
                    }),
                }
                None
            }
            ChatEvent::ConfirmRequest {
                confirmation,
                tool,
                description,
            } => {
                let said =
                    format!("Todaygent asks for your confirmation: {description}. Allow or Deny?");
                self.push(Item::Confirm {
                    confirmation,
                    tool,
                    description,
                    answer: Answer::Pending,
                });
                Some(said)
            }
            ChatEvent::ConfirmResolved {
                confirmation,
                allowed,
            } => {
                self.settle(&confirmation, Answer::Resolved(allowed));
                None
            }
            ChatEvent::Notice { message } => {
                self.push(Item::Notice(message.clone()));
                Some(message)
            }
            ChatEvent::Error { message } => {
                self.push(Item::Error(message.clone()));
                self.end();
                Some(message)
            }
            ChatEvent::Done => {
                let reply = self.reply();
                self.end();
                Some(if reply.is_empty() {
                    "Todaygent is done.".to_owned()
                } else if reply.chars().count() > ANNOUNCE_CHARS {
                    let start: String = reply.chars().take(ANNOUNCE_CHARS).collect();
                    format!("Todaygent replied: {start}… (the rest is in the chat)")
                } else {
                    format!("Todaygent replied: {reply}")
                })
            }
        }
    }

    /// The agent's text of the current turn, pieces joined.
    pub fn reply(&self) -> String {
        self.turn_items()
            .filter_map(|(_, item)| match item {
                Item::Agent(t) => Some(t.trim()),
                _ => None,
            })
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    /// Whether a tool ran successfully in the current turn (the tasks may have changed:
    /// a decision, a refresh).
    pub fn touched(&self) -> bool {
        self.turn_items().any(|(_, item)| {
            matches!(
                item,
                Item::Tool {
                    result: Some(ToolResult { ok: true, .. }),
                    ..
                }
            )
        })
    }

    /// Ends the turn: confirmations still open lapse.
    fn end(&mut self) {
        if !self.busy {
            return;
        }
        self.busy = false;
        let open: Vec<usize> = self
            .turn_items()
            .filter(|(_, item)| {
                matches!(
                    item,
                    Item::Confirm {
                        answer: Answer::Pending | Answer::Sending(_),
                        ..
                    }
                )
            })
            .map(|(i, _)| i)
            .collect();
        for i in open {
            self.edit(i, |item| {
                if let Item::Confirm { answer, .. } = item {
                    *answer = Answer::Lapsed;
                }
            });
        }
    }

    /// The stream closed without `done`.
    pub fn cut(&mut self) {
        if self.busy {
            self.push(Item::Error(CUT_OFF.to_owned()));
            self.end();
        }
    }

    /// The user pressed Stop.
    pub fn stop(&mut self) {
        if self.busy {
            self.push(Item::Notice(STOPPED.to_owned()));
            self.end();
        }
    }

    /// The turn could not start or failed on our side; `message` says why.
    pub fn fail(&mut self, message: &str) {
        self.push(Item::Error(message.to_owned()));
        self.end();
    }

    /// The confirmation with this id and where it stands.
    pub fn answer(&self, confirmation: &str) -> Option<Answer> {
        self.entries.iter().find_map(|e| match &e.item {
            Item::Confirm {
                confirmation: c,
                answer,
                ..
            } if c == confirmation => Some(*answer),
            _ => None,
        })
    }

    fn settle(&mut self, confirmation: &str, to: Answer) {
        let found = self.entries.iter().position(
            |e| matches!(&e.item, Item::Confirm { confirmation: c, .. } if c == confirmation),
        );
        if let Some(i) = found {
            self.edit(i, |item| {
                if let Item::Confirm { answer, .. } = item {
                    *answer = to;
                }
            });
        }
    }

    /// The user pressed Allow (`true`) or Deny: `false` (nothing changes) when the
    /// confirmation is not open any more.
    pub fn answering(&mut self, confirmation: &str, allow: bool) -> bool {
        if !self.busy || self.answer(confirmation) != Some(Answer::Pending) {
            return false;
        }
        self.settle(confirmation, Answer::Sending(allow));
        true
    }

    /// The server took the answer.
    pub fn answered(&mut self, confirmation: &str, allow: bool) {
        if self.answer(confirmation) == Some(Answer::Sending(allow)) {
            self.settle(confirmation, Answer::Given(allow));
        }
    }

    /// The server no longer waits for this confirmation (it expired, the turn ended):
    /// nothing will run.
    pub fn answer_lapsed(&mut self, confirmation: &str) {
        if matches!(self.answer(confirmation), Some(Answer::Sending(_))) {
            self.settle(confirmation, Answer::Lapsed);
        }
    }

    /// The server does not know the conversation any more (it restarted, the
    /// conversation expired): the next message starts a new one.
    pub fn forget_conversation(&mut self) {
        self.conversation = None;
    }

    /// Sending the answer failed: it can be given again.
    pub fn answer_failed(&mut self, confirmation: &str) {
        if matches!(self.answer(confirmation), Some(Answer::Sending(_))) && self.busy {
            self.settle(confirmation, Answer::Pending);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn started() -> ChatEvent {
        ChatEvent::Started {
            conversation: "conv-1".into(),
            turn: "turn-1".into(),
        }
    }

    fn text(t: &str) -> ChatEvent {
        ChatEvent::Text { delta: t.into() }
    }

    fn items(t: &Transcript) -> Vec<Item> {
        t.entries().iter().map(|e| e.item.clone()).collect()
    }

    /// One of every event, with every field set.
    fn every_event() -> Vec<ChatEvent> {
        vec![
            started(),
            text("hi"),
            ChatEvent::ToolCall {
                call_id: "c".into(),
                tool: "dismiss_task".into(),
                summary: "task_id=gmail:m1".into(),
                write: true,
            },
            ChatEvent::ToolResult {
                call_id: "c".into(),
                ok: true,
                summary: "done".into(),
            },
            ChatEvent::ConfirmRequest {
                confirmation: "k".into(),
                tool: "dismiss_task".into(),
                description: "Dismiss".into(),
            },
            ChatEvent::ConfirmResolved {
                confirmation: "k".into(),
                allowed: true,
            },
            ChatEvent::Notice {
                message: "n".into(),
            },
            ChatEvent::Error {
                message: "e".into(),
            },
            ChatEvent::Done,
        ]
    }

    /// The variant's place: a new variant in the wire crate breaks this match (and so
    /// the build of these tests) until [`decode`] and [`every_event`] know it.
    fn variant(e: &ChatEvent) -> usize {
        match e {
            ChatEvent::Started { .. } => 0,
            ChatEvent::Text { .. } => 1,
            ChatEvent::ToolCall { .. } => 2,
            ChatEvent::ToolResult { .. } => 3,
            ChatEvent::ConfirmRequest { .. } => 4,
            ChatEvent::ConfirmResolved { .. } => 5,
            ChatEvent::Notice { .. } => 6,
            ChatEvent::Error { .. } => 7,
            ChatEvent::Done => 8,
        }
    }

    #[test]
    fn decode_reads_every_event_as_the_wire_crate_writes_it() {
        let events = every_event();
        let variants: Vec<usize> = events.iter().map(variant).collect();
        assert_eq!(variants, (0..=8).collect::<Vec<_>>(), "every variant, once");
        for e in events {
            let data = e.data().unwrap();
            assert_eq!(decode(&data), Some(e.clone()), "{data}");
            assert_eq!(decode(&data), ChatEvent::from_data(&data));
        }
        assert_eq!(decode("{\"type\":\"telepathy\"}"), None);
        assert_eq!(decode("not json"), None);
        assert_eq!(decode("{\"delta\":\"x\"}"), None, "no type");
    }

    #[test]
    fn streamed_text_becomes_one_reply_and_only_the_end_is_announced() {
        let mut t = Transcript::default();
        assert!(t.ask("  What first?  "));
        assert!(t.busy());
        assert_eq!(t.apply(started()), None);
        assert_eq!(t.apply(text("Start with ")), None);
        assert_eq!(t.apply(text("the **deploy**.")), None);
        let said = t.apply(ChatEvent::Done).unwrap();
        assert_eq!(said, "Todaygent replied: Start with the **deploy**.");
        assert!(!t.busy());
        assert_eq!(t.conversation(), Some("conv-1"));
        assert_eq!(t.turn(), Some("turn-1"));
        assert_eq!(
            items(&t),
            vec![
                Item::User("What first?".into()),
                Item::Agent("Start with the **deploy**.".into())
            ]
        );
    }

    #[test]
    fn blank_messages_and_messages_during_a_turn_are_not_sent() {
        let mut t = Transcript::default();
        assert!(!t.ask("   "));
        assert!(t.ask("one"));
        assert!(!t.ask("two"), "one turn at a time");
        assert_eq!(t.entries().len(), 1);
    }

    #[test]
    fn tool_calls_get_their_results_and_split_the_text() {
        let mut t = Transcript::default();
        t.ask("refresh and tell me");
        t.apply(started());
        t.apply(text("Let me look."));
        t.apply(ChatEvent::ToolCall {
            call_id: "c1".into(),
            tool: "get_todays_tasks".into(),
            summary: "all tasks".into(),
            write: false,
        });
        t.apply(ChatEvent::ToolResult {
            call_id: "c1".into(),
            ok: true,
            summary: "42 tasks".into(),
        });
        t.apply(text("You have 42 tasks."));
        t.apply(ChatEvent::Done);
        assert_eq!(
            items(&t)[2],
            Item::Tool {
                call_id: "c1".into(),
                tool: "get_todays_tasks".into(),
                summary: "all tasks".into(),
                write: false,
                result: Some(ToolResult {
                    ok: true,
                    summary: "42 tasks".into()
                }),
            }
        );
        assert_eq!(items(&t)[3], Item::Agent("You have 42 tasks.".into()));
        assert_eq!(t.reply(), "Let me look.\n\nYou have 42 tasks.");
        assert!(t.touched());
    }

    #[test]
    fn a_changed_item_gets_a_new_revision_and_the_others_keep_theirs() {
        let mut t = Transcript::default();
        t.ask("hi");
        t.apply(text("a"));
        let before: Vec<u32> = t.entries().iter().map(|e| e.rev).collect();
        t.apply(text("b"));
        let after: Vec<u32> = t.entries().iter().map(|e| e.rev).collect();
        assert_eq!(before[0], after[0]);
        assert_ne!(before[1], after[1]);
    }

    #[test]
    fn a_new_turn_starts_a_new_reply_and_keeps_the_conversation() {
        let mut t = Transcript::default();
        t.ask("one");
        t.apply(started());
        t.apply(text("first"));
        t.apply(ChatEvent::Done);
        t.ask("two");
        t.apply(text("second"));
        t.apply(ChatEvent::Done);
        assert_eq!(t.entries().len(), 4);
        assert_eq!(t.reply(), "second");
        assert_eq!(t.conversation(), Some("conv-1"));
        assert!(!t.touched(), "no tool ran in the second turn");
    }

    fn confirm(t: &mut Transcript) -> Option<String> {
        t.apply(ChatEvent::ConfirmRequest {
            confirmation: "k1".into(),
            tool: "dismiss_task".into(),
            description: "Dismiss “Weekly digest” (Gmail)".into(),
        })
    }

    #[test]
    fn a_confirmation_is_announced_answered_once_and_resolved() {
        let mut t = Transcript::default();
        t.ask("dismiss the digest");
        let said = confirm(&mut t).unwrap();
        assert!(said.contains("Dismiss “Weekly digest” (Gmail)"), "{said}");
        assert_eq!(t.answer("k1"), Some(Answer::Pending));
        assert!(t.answering("k1", true));
        assert!(!t.answering("k1", false), "no second answer");
        assert_eq!(t.answer("k1"), Some(Answer::Sending(true)));
        t.answered("k1", true);
        assert_eq!(t.answer("k1"), Some(Answer::Given(true)));
        t.apply(ChatEvent::ConfirmResolved {
            confirmation: "k1".into(),
            allowed: true,
        });
        assert_eq!(t.answer("k1"), Some(Answer::Resolved(true)));
        assert_eq!(Answer::Resolved(true).outcome(), Some("Allowed: done."));
    }

    #[test]
    fn a_failed_answer_can_be_given_again() {
        let mut t = Transcript::default();
        t.ask("dismiss");
        confirm(&mut t);
        assert!(t.answering("k1", false));
        t.answer_failed("k1");
        assert_eq!(t.answer("k1"), Some(Answer::Pending));
        assert!(t.answering("k1", false));
    }

    #[test]
    fn a_confirmation_the_server_forgot_lapses_and_a_lost_conversation_is_dropped() {
        let mut t = Transcript::default();
        t.ask("dismiss");
        t.apply(started());
        confirm(&mut t);
        assert!(t.answering("k1", true));
        t.answer_lapsed("k1");
        assert_eq!(t.answer("k1"), Some(Answer::Lapsed));
        t.forget_conversation();
        assert_eq!(t.conversation(), None);
    }

    #[test]
    fn an_expired_confirmation_resolves_as_denied() {
        let mut t = Transcript::default();
        t.ask("dismiss");
        confirm(&mut t);
        t.apply(ChatEvent::ConfirmResolved {
            confirmation: "k1".into(),
            allowed: false,
        });
        assert!(!t.answering("k1", true));
        assert_eq!(
            t.answer("k1").and_then(Answer::outcome),
            Some("Denied: nothing was changed.")
        );
    }

    #[test]
    fn stopping_or_a_cut_stream_lapses_open_confirmations() {
        let mut t = Transcript::default();
        t.ask("dismiss");
        confirm(&mut t);
        t.stop();
        assert!(!t.busy());
        assert_eq!(t.answer("k1"), Some(Answer::Lapsed));
        assert_eq!(items(&t).last(), Some(&Item::Notice(STOPPED.into())));
        assert!(
            !t.answering("k1", true),
            "a lapsed confirmation cannot be allowed"
        );

        t.ask("again");
        t.apply(text("partial"));
        t.cut();
        assert_eq!(items(&t).last(), Some(&Item::Error(CUT_OFF.into())));
        t.cut();
        assert_eq!(
            items(&t)
                .iter()
                .filter(|i| **i == Item::Error(CUT_OFF.into()))
                .count(),
            1,
            "only once"
        );
    }

    #[test]
    fn errors_end_the_turn_and_are_announced() {
        let mut t = Transcript::default();
        t.ask("hi");
        let said = t.apply(ChatEvent::Error {
            message: "The model is busy (429). Try again in a minute.".into(),
        });
        assert_eq!(
            said.as_deref(),
            Some("The model is busy (429). Try again in a minute.")
        );
        assert!(!t.busy());
        t.fail("The server could not be reached.");
        assert_eq!(
            items(&t).last(),
            Some(&Item::Error("The server could not be reached.".into()))
        );
    }

    #[test]
    fn a_long_reply_is_announced_by_its_start() {
        let mut t = Transcript::default();
        t.ask("long");
        t.apply(text(&"word ".repeat(200)));
        let said = t.apply(ChatEvent::Done).unwrap();
        assert!(said.ends_with("… (the rest is in the chat)"), "{said}");
        assert!(said.chars().count() < 400);
    }

    #[test]
    fn notices_are_shown_and_announced() {
        let mut t = Transcript::default();
        t.ask("hello");
        let said = t.apply(ChatEvent::Notice {
            message: "No language model is configured.".into(),
        });
        assert_eq!(said.as_deref(), Some("No language model is configured."));
        assert_eq!(
            t.apply(ChatEvent::Done).as_deref(),
            Some("Todaygent is done.")
        );
    }
}
