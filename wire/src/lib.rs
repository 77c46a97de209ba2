//! Wire types shared by the Plan My Today PWA and its backend.
//!
//! Both sides compile this crate, so the JSON contract between them cannot drift: a
//! field renamed here breaks the build of whichever side still uses the old name.
//!
//! - [`activity`]: the trail of token exchanges and tool calls.
//! - [`agent`]: Todaygent's chat events, confirmations, the source switch, MCP tokens.
//! - [`auth`]: what the PWA needs to start sign-in, the code redemption request and
//!   the session it gets back, the signed-in identity.
//! - [`dayplan`]: today's time-blocked schedule.
//! - [`decisions`]: local decisions (dismiss, priority override) and ad-hoc tasks.
//! - [`error`]: the JSON body of every error response.
//! - [`refresh`]: the events of a streamed refresh.
//! - [`task`]: tasks, sources, priorities, statuses and the snapshot.

pub mod activity;
pub mod agent;
pub mod auth;
pub mod dayplan;
pub mod decisions;
pub mod error;
pub mod refresh;
pub mod task;

pub use auth::{AuthConfig, Me, SessionRequest, SessionResponse, User};
pub use decisions::{AdHocPatch, AdHocTask, NewAdHocTask, SetPriorityRequest};
pub use error::ApiError;
pub use refresh::RefreshEvent;
pub use task::{
    Person, Priority, Signals, Snapshot, Source, SourceState, SourceStatus, Task, TaskId, TaskKind,
};
