//! Today's list and plan for one user as the dashboard shows them, from the store
//! only (no source is called): the stored snapshot, aligned with the configuration,
//! with the user's decisions, ad-hoc tasks and source switches applied.

use pmt_wire::dayplan::DayPlan;
use pmt_wire::Snapshot;

use crate::auth::unix_now;
use crate::dayplan;
use crate::refresh;
use crate::sources::Today;
use crate::store::StoreError;
use crate::AppState;

/// Today, now, in the configured zone.
pub fn today(state: &AppState) -> Today {
    let now = unix_now();
    Today::at(now, &state.config.time_zone).unwrap_or_else(|_| Today::utc(now))
}

/// The user's list as `GET /api/tasks` shows it.
///
/// # Errors
/// When the store cannot be read.
pub async fn snapshot(state: &AppState, sub: &str) -> Result<Snapshot, StoreError> {
    let stored = state.store.load_snapshot(sub).await?;
    let snapshot = match stored {
        Some(snapshot) => refresh::align_statuses(&state.config, snapshot),
        None => refresh::pending_snapshot(&state.config),
    };
    refresh::present(state, sub, snapshot).await
}

/// The user's day plan, built from [`snapshot`] for now, with the `Today` it was
/// built for (for rendering its times).
///
/// # Errors
/// When the store cannot be read.
pub async fn plan(state: &AppState, sub: &str) -> Result<(DayPlan, Today), StoreError> {
    let list = snapshot(state, sub).await?;
    let today = today(state);
    let plan = dayplan::build(&list.tasks, &today, &state.config.planning);
    Ok((plan, today))
}
