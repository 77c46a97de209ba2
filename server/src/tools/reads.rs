//! The read tools: today's list (stored), a refresh of every source, one source now,
//! and the day plan. None of them can change anything at a source; only
//! `refresh_all_sources` stores anything (the new snapshot, as a dashboard refresh
//! does).

use pmt_wire::{Snapshot, Source, SourceState, Task};
use serde_json::json;

use super::args::TaskFilter;
use super::{today, view, ToolError, ToolOutput};
use crate::activity::Trail;
use crate::auth::AuthUser;
use crate::dayplan;
use crate::plan::snapshot::assemble;
use crate::refresh::{self, run, RunContext};
use crate::sources::Me;
use crate::store::StoreError;
use crate::AppState;

/// Tasks `refresh_all_sources` returns (the list itself is `get_todays_tasks`'s job).
const TOP_AFTER_REFRESH: usize = 10;

/// A store failure, for the model: no details (they go to the log).
pub fn store_failed(e: &StoreError) -> ToolError {
    tracing::error!(error = %e, "tool: store");
    ToolError::Failed("the local store could not be read or written".to_owned())
}

/// `get_todays_tasks`.
pub async fn get_todays_tasks(
    state: &AppState,
    user: &AuthUser,
    filter: &TaskFilter,
) -> Result<ToolOutput, ToolError> {
    let list = today::snapshot(state, &user.claims.sub)
        .await
        .map_err(|e| store_failed(&e))?;
    let today = today::today(state);
    let matching: Vec<&Task> = list.tasks.iter().filter(|t| keeps(filter, t)).collect();
    let shown: Vec<serde_json::Value> = matching
        .iter()
        .take(filter.limit())
        .map(|t| view::task(t, &today))
        .collect();
    let summary = format!(
        "{} of {} matching tasks ({})",
        shown.len(),
        matching.len(),
        view::snapshot_age(&list, &today)
    );
    Ok(ToolOutput {
        content: json!({
            "snapshot": view::snapshot_age(&list, &today),
            "now": view::when(today.now, &today),
            "matching": matching.len(),
            "shown": shown.len(),
            "tasks": shown,
            "sources": view::statuses(&list.sources),
        }),
        summary,
    })
}

/// Whether `task` passes `filter`.
fn keeps(filter: &TaskFilter, task: &Task) -> bool {
    if task.dismissed && !filter.include_dismissed {
        return false;
    }
    if filter.source.is_some_and(|s| s != task.source) {
        return false;
    }
    if filter.min_priority.is_some_and(|p| task.priority > p) {
        return false;
    }
    if let Some(text) = &filter.search {
        let needle = text.trim().to_lowercase();
        let found = [
            Some(task.title.as_str()),
            task.snippet.as_deref(),
            Some(task.id.as_str()),
        ]
        .into_iter()
        .flatten()
        .chain(task.people.iter().map(|p| p.name.as_str()))
        .any(|hay| hay.to_lowercase().contains(&needle));
        if !found {
            return false;
        }
    }
    true
}

/// `refresh_all_sources`: a refresh recorded in `trail` (its exchanges join the
/// caller's group, e.g. the chat turn).
pub async fn refresh_all_sources(
    state: &AppState,
    user: &AuthUser,
    trail: &Trail,
) -> Result<ToolOutput, ToolError> {
    let snapshot = refresh::refresh_traced(state, user, None, trail.clone())
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "tool: refresh");
            ToolError::Failed("the refresh could not be completed".to_owned())
        })?;
    let today = today::today(state);
    let visible: Vec<&Task> = snapshot.tasks.iter().filter(|t| !t.dismissed).collect();
    let failed: Vec<&str> = snapshot
        .sources
        .iter()
        .filter(|s| matches!(s.state, SourceState::Failed { .. }))
        .map(|s| s.source.label())
        .collect();
    let summary = if failed.is_empty() {
        format!("Refreshed: {} tasks", visible.len())
    } else {
        format!(
            "Refreshed: {} tasks; failed: {}",
            visible.len(),
            failed.join(", ")
        )
    };
    Ok(ToolOutput {
        content: json!({
            "sources": view::statuses(&snapshot.sources),
            "tasks": visible.len(),
            "top": visible.iter().take(TOP_AFTER_REFRESH).map(|t| view::task(t, &today)).collect::<Vec<_>>(),
        }),
        summary,
    })
}

/// `read_<source>`: one exchange and one fetch of `source`, recorded in `trail`.
pub async fn read_source(
    state: &AppState,
    user: &AuthUser,
    trail: &Trail,
    source: Source,
) -> Result<ToolOutput, ToolError> {
    let label = source.label();
    let config = state.config.source(source).ok_or_else(|| {
        ToolError::Unavailable(format!("{label} is not configured on this server"))
    })?;
    if !config.enabled {
        return Err(ToolError::Unavailable(format!(
            "{label} is disabled in this server's configuration"
        )));
    }
    let sub = &user.claims.sub;
    let off = state
        .store
        .disabled_sources(sub)
        .await
        .map_err(|e| store_failed(&e))?;
    if off.contains(&source) {
        return Err(ToolError::Unavailable(format!(
            "the user turned {label} off; it is not read until they turn it back on in the dashboard"
        )));
    }
    let today = today::today(state);
    let ctx = RunContext {
        auth: state.auth.clone(),
        http: state.http.clone(),
        subject: user.token.clone(),
        today: today.clone(),
        me: Me {
            email: user.claims.email.clone(),
            name: user.claims.name.clone(),
        },
        trail: trail.clone(),
    };
    let ran = run::run(&ctx, config).await;
    let fetched = ran
        .result
        .map_err(|failure| ToolError::Failed(format!("{label}: {failure}")))?;
    let decisions = state
        .store
        .decisions(sub)
        .await
        .map_err(|e| store_failed(&e))?;
    let scored = assemble(
        Snapshot {
            generated_at: ran.finished_at,
            tasks: fetched.tasks,
            sources: Vec::new(),
        },
        &[],
        &decisions,
        &today,
        &state.config.scoring,
    );
    let visible: Vec<&Task> = scored.tasks.iter().filter(|t| !t.dismissed).collect();
    let summary = format!("{label}: {} tasks fetched now", visible.len());
    Ok(ToolOutput {
        content: json!({
            "source": source.as_str(),
            "fetched_at": view::when(ran.finished_at, &today),
            "tasks": visible.iter().map(|t| view::task(t, &today)).collect::<Vec<_>>(),
            "dismissed_not_shown": scored.tasks.len() - visible.len(),
            "skipped_unusable": fetched.skipped,
        }),
        summary,
    })
}

/// `plan_my_day`: the plan and its readable lines.
pub async fn plan_my_day(state: &AppState, user: &AuthUser) -> Result<ToolOutput, ToolError> {
    let (plan, today) = today::plan(state, &user.claims.sub)
        .await
        .map_err(|e| store_failed(&e))?;
    let count = |kind| plan.blocks.iter().filter(|b| b.kind == kind).count();
    use pmt_wire::dayplan::BlockKind;
    let summary = format!(
        "Day plan: {} meetings, {} focus blocks, {} prep blocks, {} not today",
        count(BlockKind::Meeting),
        count(BlockKind::Focus),
        count(BlockKind::Prep),
        plan.not_today.len()
    );
    Ok(ToolOutput {
        content: json!({
            "agenda": dayplan::summary(&plan, &today),
            "plan": plan,
        }),
        summary,
    })
}
