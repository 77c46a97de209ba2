//! What the user sees, one module per screen or part of one.
//!
//! - [`sign_in`], [`callback`], [`home`]: signing in and the signed-in shell.
//! - [`dashboard`]: the dashboard, made of [`toolbar`], [`status_bar`],
//!   [`task_groups`] (the priority and source views), [`task_card`], [`timeline`],
//!   [`adhoc_form`] and [`shortcuts`]; [`card_focus`] moves keyboard focus between
//!   cards.

pub mod adhoc_form;
pub mod callback;
pub mod card_focus;
pub mod dashboard;
pub mod home;
pub mod shortcuts;
pub mod sign_in;
pub mod status_bar;
pub mod task_card;
pub mod task_groups;
pub mod timeline;
pub mod toolbar;
