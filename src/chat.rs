//! Todaygent's chat as reactive state: the transcript (folded by
//! [`crate::model::chat`]), whether the panel is open, whether an LLM is configured,
//! and the calls: `POST /api/chat` (a stream of `ChatEvent`s), `POST
//! /api/chat/confirm/{id}`, `GET /api/chat/status`.
//!
//! The conversation id lives here, in memory: a reload starts a new conversation.

use leptos::prelude::*;
use leptos::task::spawn_local;
use pmt_wire::agent::{ChatRequest, ChatStatus, ConfirmRequest, MAX_MESSAGE_CHARS};

use crate::api::CallError;
use crate::dashboard_data::DashboardData;
use crate::model::chat::Transcript;
use crate::session::Session;
use crate::stream::read_events;

/// The chat endpoint.
pub const CHAT_PATH: &str = "/api/chat";
/// What the chat says when the server no longer knows the conversation.
const LOST_CONVERSATION: &str =
    "The server no longer has this conversation (it may have restarted). Send your message again to start a new one.";
/// What the "Plan my day" quick action sends.
pub const PLAN_MY_DAY: &str = "Plan my day";

/// Whether an LLM answers the chat.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Llm {
    /// Not asked yet (or the server could not say).
    Unknown,
    /// Configured: provider and model.
    Configured(String),
    /// None configured: only "Plan my day" is answered.
    None,
}

/// The chat, provided as context by the dashboard.
#[derive(Clone, Copy, Debug)]
pub struct Chat {
    session: Session,
    data: DashboardData,
    /// Whether the panel is open.
    pub open: RwSignal<bool>,
    /// The conversation.
    pub transcript: RwSignal<Transcript>,
    /// What the user is typing (kept while the panel is closed).
    pub draft: RwSignal<String>,
    /// Whether an LLM is configured.
    pub llm: RwSignal<Llm>,
    /// What the panel's live region says.
    pub said: RwSignal<String>,
    abort: StoredValue<Option<web_sys::AbortController>, LocalStorage>,
}

impl Chat {
    /// A closed panel and an empty conversation.
    pub fn new(session: Session, data: DashboardData) -> Chat {
        Chat {
            session,
            data,
            open: RwSignal::new(false),
            transcript: RwSignal::new(Transcript::default()),
            draft: RwSignal::new(String::new()),
            llm: RwSignal::new(Llm::Unknown),
            said: RwSignal::new(String::new()),
            abort: StoredValue::new_local(None),
        }
    }

    /// Whether a turn is running, tracked.
    pub fn busy(&self) -> bool {
        self.transcript.with(Transcript::busy)
    }

    /// Opens the panel (and asks once whether an LLM is configured).
    pub fn show(self) {
        self.open.set(true);
        if self.llm.get_untracked() == Llm::Unknown {
            spawn_local(async move {
                if let Ok(status) = self
                    .session
                    .get_json::<ChatStatus>("/api/chat/status")
                    .await
                {
                    self.llm.set(match (status.provider, status.model) {
                        (Some(p), Some(m)) => Llm::Configured(format!("{p} · {m}")),
                        (Some(p), None) => Llm::Configured(p),
                        (None, _) => Llm::None,
                    });
                }
            });
        }
    }

    /// Opens or closes the panel.
    pub fn toggle(self) {
        if self.open.get_untracked() {
            self.open.set(false);
        } else {
            self.show();
        }
    }

    fn say(&self, text: String) {
        self.said.set(text);
    }

    /// Sends a message and reads the turn's stream into the transcript. Refused while
    /// a turn runs, offline, or when the message is blank or too long.
    pub fn send(self, message: String) {
        if self.data.is_offline() {
            self.say("You are offline: Todaygent needs the server.".to_owned());
            return;
        }
        if message.chars().count() > MAX_MESSAGE_CHARS {
            self.say(format!(
                "That message is too long: keep it under {MAX_MESSAGE_CHARS} characters."
            ));
            return;
        }
        let mut started = false;
        self.transcript.update(|t| started = t.ask(&message));
        if !started {
            return;
        }
        self.draft.set(String::new());
        self.say("Todaygent is working on it…".to_owned());
        let request = ChatRequest {
            conversation: self
                .transcript
                .with_untracked(|t| t.conversation().map(str::to_owned)),
            message: message.trim().to_owned(),
        };
        let controller = web_sys::AbortController::new().ok();
        let signal = controller.as_ref().map(web_sys::AbortController::signal);
        self.abort.set_value(controller);
        spawn_local(async move {
            let result = match self
                .session
                .post_stream_json(CHAT_PATH, &request, signal.as_ref())
                .await
            {
                Ok(response) => {
                    read_events(response, &mut |_, data| {
                        let Some(event) = crate::model::chat::decode(data) else {
                            return;
                        };
                        let mut said = None;
                        self.transcript.update(|t| {
                            if t.busy() {
                                said = t.apply(event);
                            }
                        });
                        if let Some(s) = said {
                            self.say(s);
                        }
                    })
                    .await
                }
                Err(e) => Err(e),
            };
            self.abort.set_value(None);
            let stopped = signal.as_ref().is_some_and(web_sys::AbortSignal::aborted);
            let mut touched = false;
            self.transcript.update(|t| {
                if !t.busy() {
                    touched = t.touched();
                    return;
                }
                match &result {
                    _ if stopped => t.stop(),
                    Ok(()) => t.cut(),
                    Err(CallError::Unauthorized(_)) => {
                        t.fail("Your session has ended: sign in again.")
                    }
                    Err(CallError::Failed { status: 404, .. }) => {
                        t.forget_conversation();
                        t.fail(LOST_CONVERSATION);
                    }
                    Err(e @ CallError::Failed { .. }) => t.fail(&e.to_string()),
                    Err(_) => t.cut(),
                }
                touched = t.touched();
            });
            if stopped {
                self.say(crate::model::chat::STOPPED.to_owned());
            } else if let Err(e) = &result {
                if !matches!(e, CallError::Unauthorized(_)) {
                    self.say(e.to_string());
                }
            }
            // A tool ran (a decision, a refresh): show the tasks as they are now.
            if touched {
                self.data.load();
            }
        });
    }

    /// Stops the running turn (the request is aborted; the server ends the turn).
    pub fn stop(self) {
        if let Some(controller) = self.abort.get_value() {
            controller.abort();
        }
    }

    /// Answers a confirmation: Allow (`true`) or Deny.
    pub fn answer(self, confirmation: String, allow: bool) {
        if self.data.is_offline() {
            self.say("You are offline: the answer cannot be sent.".to_owned());
            return;
        }
        let mut open = false;
        self.transcript
            .update(|t| open = t.answering(&confirmation, allow));
        if !open {
            return;
        }
        spawn_local(async move {
            let path = format!(
                "{CHAT_PATH}/confirm/{}",
                js_sys::encode_uri_component(&confirmation)
            );
            let sent = self
                .session
                .call_for::<_, serde_json::Value>(
                    gloo_net::http::Method::POST,
                    &path,
                    Some(&ConfirmRequest { allow }),
                )
                .await;
            match sent {
                Ok(_) => {
                    self.transcript.update(|t| t.answered(&confirmation, allow));
                    self.say(if allow {
                        "Allowed. Todaygent goes on.".to_owned()
                    } else {
                        "Denied. Todaygent goes on without it.".to_owned()
                    });
                }
                Err(CallError::Failed { status: 404, .. }) => {
                    self.transcript.update(|t| t.answer_lapsed(&confirmation));
                    self.say(
                        "That proposal is not waiting any more: nothing was changed.".to_owned(),
                    );
                }
                Err(e) => {
                    self.transcript.update(|t| t.answer_failed(&confirmation));
                    self.say(format!("Your answer was not sent: {e}"));
                }
            }
        });
    }
}
