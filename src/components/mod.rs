//! What the user sees, one module per screen or part of one.
//!
//! - [`sign_in`], [`callback`], [`home`]: signing in and the signed-in shell.
//! - [`dashboard`]: the dashboard, made of [`toolbar`], [`status_bar`],
//!   [`task_groups`] (the priority and source views), [`task_card`], [`timeline`],
//!   [`adhoc_form`] and [`shortcuts`]; [`card_focus`] moves keyboard focus between
//!   cards; [`near_screen`] tells a long list which groups the user can reach.
//! - [`chat`]: Todaygent's chat drawer and its toolbar button.
//! - [`activity`]: the Activity view (what was accessed on the user's behalf), with
//!   [`mcp_connect`], the "Connect an MCP client" dialog.
//! - [`source_switch`]: "Fetch <source>" in the source view's group headers.
//! - [`day_plan`]: the day plan the [`timeline`] shows, and "Not today".
//! - [`offline_plan`]: the kept plan in a window without a session that cannot reach
//!   the server (the installed app opened offline), shown by the signed-in view.
//! - [`pwa_banner`]: "Reload to update", "Install app", and the offline banner.

pub mod activity;
pub mod adhoc_form;
pub mod callback;
pub mod card_focus;
pub mod chat;
pub mod dashboard;
pub mod day_plan;
pub mod home;
pub mod mcp_connect;
pub mod near_screen;
pub mod offline_plan;
pub mod pwa_banner;
pub mod shortcuts;
pub mod sign_in;
pub mod source_switch;
pub mod status_bar;
pub mod task_card;
pub mod task_groups;
pub mod timeline;
pub mod toolbar;
