//! The dashboard's logic as plain data, tested natively (`cargo test -p plan-my-today`).
//!
//! Components only render what these produce and call their methods, the way
//! todomvc's `Todos` works: nothing here touches the DOM or the network.
//!
//! - [`names`]: the stable URL names of priorities and kinds.
//! - [`view_state`]: what the user chose to see (view, search, filters, sort), and
//!   its round trip through the address bar's query string.
//! - [`board`]: a snapshot indexed for search; [`Board::visible`] turns a
//!   [`ViewState`] into the groups to show.
//! - [`notices`]: what to tell the user when the list is not the usual one.
//! - [`decision`]: what boost and demote ask the backend for.
//! - [`timeline`]: today's meetings, free blocks and prep items on a time axis.
//! - [`shortcuts`]: the keyboard map, including two-key `g p` / `g s` / `g a`.
//! - [`theme`]: light, dark or system.
//! - [`sse`]: an incremental parser for the refresh progress stream.
//! - [`duration`]: short human durations ("1 h 30 min").
//! - [`chat`]: Todaygent's conversation, folded from the chat stream's events.
//! - [`markdown`]: the little markdown the agent writes, as data (never HTML).
//! - [`activity`]: the activity trail grouped by refresh, chat turn and MCP request.
//! - [`dayplan`]: the day plan's blocks placed between today's meetings.
//! - [`paging`]: how much of a long list is drawn (pages, and only near the screen).

pub mod activity;
pub mod board;
pub mod chat;
pub mod dayplan;
pub mod decision;
pub mod duration;
pub mod markdown;
pub mod names;
pub mod notices;
pub mod paging;
pub mod shortcuts;
pub mod sse;
pub mod theme;
pub mod timeline;
pub mod view_state;

pub use board::{Board, Group, GroupKey, Groups};
pub use view_state::{SortBy, View, ViewState};

/// Unicode lower case. In the browser this is `String.prototype.toLowerCase`, which
/// keeps std's case-conversion tables out of the wasm; natively it is std's.
pub fn lower(s: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        String::from(js_sys::JsString::from(s).to_lower_case())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        s.to_lowercase()
    }
}
