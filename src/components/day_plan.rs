//! The day plan (`GET /api/plan`): fetched with the tasks and again whenever what it
//! depends on changes (a refresh, a decision), shown by the timeline as focus, prep and
//! break blocks beside the meetings, with the "Not today" list under it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use pmt_wire::dayplan::DayPlan;
use pmt_wire::TaskId;

use crate::api::CallError;
use crate::dashboard_data::DashboardData;
use crate::model::dayplan::inputs_key;
use crate::session::Session;

/// The plan, when the backend made one.
#[derive(Clone, Copy, Debug)]
pub struct PlanState {
    /// The latest plan.
    pub plan: RwSignal<Option<DayPlan>>,
    /// Why it could not be made (not shown when the server simply has no plan).
    pub error: RwSignal<Option<String>>,
    /// A plan is being asked for and none has been answered yet: the timeline waits
    /// for it rather than drawing the meetings alone and then rearranging them under
    /// the user when the plan's blocks arrive (CLS). False offline, once answered, and
    /// after [`FIRST_PLAN_WAIT`] (a slow server must not hide the day's meetings).
    pub first_pending: Memo<bool>,
}

/// How long the timeline waits for the first plan before it draws the meetings alone.
pub const FIRST_PLAN_WAIT: std::time::Duration = std::time::Duration::from_millis(1500);

impl PlanState {
    /// Follows the board: fetches the plan for each new set of inputs; answers that
    /// arrive out of order are dropped.
    pub fn follow(data: DashboardData, session: Session) -> PlanState {
        let key = Memo::new(move |_| {
            let live = data.loaded.get() && !data.is_offline() && session.signed_in();
            data.board
                .with(|b| (live && b.snapshot().generated_at > 0).then(|| inputs_key(b.snapshot())))
        });
        // Set by the first answer or by the end of the wait, whichever comes first.
        let done_waiting = RwSignal::new(false);
        let state = PlanState {
            plan: RwSignal::new(None),
            error: RwSignal::new(None),
            first_pending: Memo::new(move |_| key.with(Option::is_some) && !done_waiting.get()),
        };
        let generation = StoredValue::new(0u32);
        Effect::new(move || {
            if key.get().is_none() {
                return;
            }
            generation.update_value(|g| *g += 1);
            let mine = generation.get_value();
            if mine == 1 {
                // The wait counts from the first ask. try_set: the dashboard may be gone.
                set_timeout(
                    move || {
                        let _ = done_waiting.try_set(true);
                    },
                    FIRST_PLAN_WAIT,
                );
            }
            spawn_local(async move {
                let answer = session.get_json::<DayPlan>("/api/plan").await;
                if generation.get_value() != mine {
                    return;
                }
                done_waiting.set(true);
                match answer {
                    Ok(plan) => {
                        state.plan.set(Some(plan));
                        state.error.set(None);
                    }
                    // No plan on this server (yet), or unreachable: the meetings alone.
                    Err(CallError::Failed { status: 404, .. })
                    | Err(CallError::Unreachable)
                    | Err(CallError::Unauthorized(_)) => {}
                    Err(e) => state.error.set(Some(e.to_string())),
                }
            });
        });
        state
    }
}

/// "Not today": what did not fit, with the reason.
#[component]
pub fn NotToday(
    plan: RwSignal<Option<DayPlan>>,
    link: fn(TaskId, String) -> AnyView,
) -> impl IntoView {
    let items = move || {
        plan.with(|p| {
            p.as_ref()
                .map(|p| {
                    p.not_today
                        .iter()
                        .map(|n| (n.task.clone(), n.title.clone(), n.reason.clone()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    move || {
        let items = items();
        (!items.is_empty()).then(|| {
            view! {
                <section class="not-today" aria-labelledby="not-today-heading">
                    <h3 id="not-today-heading">"Not today"</h3>
                    <ul>
                        {items
                            .into_iter()
                            .map(|(id, title, reason)| {
                                let key = id.as_str().to_owned();
                                view! {
                                    <li data-task=key>
                                        {link(id, title)}
                                        <span class="reason">{reason}</span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </section>
            }
        })
    }
}
