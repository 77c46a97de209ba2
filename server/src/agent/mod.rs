//! Todaygent: the planning agent behind the dashboard's chat.
//!
//! A chat turn (`POST /api/chat`, [`crate::api::chat`]) runs here, in the backend:
//! the model is called with the registry's tools, the tool calls it makes run through
//! [`crate::tools`], their results go back to it, at most `max_rounds` times; then it
//! answers. Reads run freely. A write first asks the user (a `confirm_request` event)
//! and waits for their Allow or Deny; the registry itself refuses a write without
//! that consent, whatever the model says. Every call lands in the activity trail,
//! grouped by the turn.
//!
//! Modules:
//! - [`settings`]: `[llm]`, the key from the environment.
//! - [`llm`]: the provider clients (Anthropic Messages, OpenAI-compatible) and their
//!   stream decoders.
//! - [`prompt`]: the system prompt.
//! - [`turn`]: the loop of one turn.
//! - [`calls`]: one tool call of the model: checks, confirmation, the registry.
//! - [`confirm`]: confirmations waiting for the user.
//! - [`conversations`]: the per-user conversation memory.
//! - [`results`]: argument summaries and truncated results.
//! - [`fallback`]: the answers without an LLM (the day plan).

pub mod calls;
pub mod confirm;
pub mod conversations;
pub mod fallback;
pub mod llm;
pub mod prompt;
pub mod results;
pub mod settings;
pub mod turn;

use pmt_wire::activity::{Actor, GroupKind};
use pmt_wire::agent::{ChatEvent, ChatStatus};
use tokio::sync::mpsc;

use crate::activity::Trail;
use crate::auth::AuthUser;
use crate::config::Config;
use crate::AppState;
use confirm::Confirmations;
use conversations::{Conversations, Lease};
use llm::LlmClient;

/// The agent's long-lived parts: the model client, conversations, confirmations.
#[derive(Debug)]
pub struct Agent {
    llm: Option<LlmClient>,
    conversations: Conversations,
    confirmations: Confirmations,
}

impl Agent {
    /// The agent for a configuration (no `[llm]`: answers without a model).
    pub fn new(config: &Config) -> Self {
        Self {
            llm: config.llm.clone().map(LlmClient::new),
            conversations: Conversations::default(),
            confirmations: Confirmations::default(),
        }
    }

    /// The model client, when one is configured.
    pub fn llm(&self) -> Option<&LlmClient> {
        self.llm.as_ref()
    }

    /// `GET /api/chat/status`.
    pub fn status(&self) -> ChatStatus {
        let settings = self.llm.as_ref().map(LlmClient::settings);
        ChatStatus {
            provider: settings.map(|s| s.provider.as_str().to_owned()),
            model: settings.map(|s| s.model.clone()),
        }
    }

    /// The conversations.
    pub fn conversations(&self) -> &Conversations {
        &self.conversations
    }

    /// The confirmations waiting.
    pub fn confirmations(&self) -> &Confirmations {
        &self.confirmations
    }
}

/// Where a turn's events go: the chat's event stream. Sending never fails the turn;
/// a closed stream is noticed with [`Outlet::closed`] and cancels it.
#[derive(Debug, Clone)]
pub struct Outlet {
    tx: mpsc::Sender<ChatEvent>,
}

impl Outlet {
    /// An outlet into `tx`.
    pub fn new(tx: mpsc::Sender<ChatEvent>) -> Self {
        Self { tx }
    }

    /// Sends an event (dropped when the chat is gone).
    pub async fn send(&self, event: ChatEvent) {
        let _ = self.tx.send(event).await;
    }

    /// Resolves when the chat closed its stream.
    pub async fn closed(&self) {
        self.tx.closed().await;
    }
}

/// One turn's context: who, for which state, recorded where, streamed where.
#[derive(Debug)]
pub struct Turn {
    /// The application.
    pub state: AppState,
    /// The user the turn runs for.
    pub user: AuthUser,
    /// The activity trail of this turn (actor: agent; group: the turn).
    pub trail: Trail,
    /// The chat's events.
    pub out: Outlet,
}

/// Runs one chat turn to its end: `started`, the answer, `done`.
pub async fn run_turn(
    state: AppState,
    user: AuthUser,
    mut lease: Lease,
    message: String,
    tx: mpsc::Sender<ChatEvent>,
) {
    let turn_id = uuid::Uuid::new_v4().to_string();
    let trail = Trail::for_session(
        &state,
        &user,
        Actor::Agent,
        GroupKind::ChatTurn,
        turn_id.clone(),
    );
    let out = Outlet::new(tx);
    out.send(ChatEvent::Started {
        conversation: lease.id.clone(),
        turn: turn_id,
    })
    .await;
    let llm = state.agent.llm().cloned();
    let turn = Turn {
        state,
        user,
        trail,
        out,
    };
    match llm {
        Some(llm) => turn::converse(&turn, &llm, &mut lease, message).await,
        None => fallback::answer(&turn, &message).await,
    }
    turn.out.send(ChatEvent::Done).await;
}
