//! Today's meetings on a time axis: the current time marked, free blocks shown, and
//! prep items listed just before the meeting they belong to. With a day plan, its
//! focus, prep and break blocks sit between the meetings, and what did not fit is
//! listed under "Not today".

use leptos::prelude::*;
use pmt_wire::dayplan::BlockKind;
use pmt_wire::{TaskId, TaskKind};

use crate::clock;
use crate::components::card_focus::{dom_id, focus_task};
use crate::components::day_plan::{NotToday, PlanState};
use crate::dashboard_data::DashboardData;
use crate::model::dayplan::{self, RowKind};
use crate::model::duration;
use crate::model::timeline::{lay_out, Slot, Timeline as Layout};

/// Height on the axis: 4 rem per hour (1 rem per 15 minutes), clamped to stay
/// readable. Whole tenths of a rem, formatted as integers (no float formatting code).
fn height(start: i64, end: i64) -> String {
    let tenths = ((end - start) * 40 / 3600).clamp(25, 120);
    format!("{}.{}rem", tenths / 10, tenths % 10)
}

fn span(start: i64, end: i64) -> String {
    format!("{}–{}", clock::hhmm(start), clock::hhmm(end))
}

/// A link to a task's card on this page.
#[component]
fn CardLink(id: pmt_wire::TaskId, title: String) -> impl IntoView {
    let data = expect_context::<DashboardData>();
    let href = format!("#{}", dom_id(&id));
    view! {
        <a
            href=href
            on:click=move |ev| {
                ev.prevent_default();
                if !focus_task(&id) {
                    data.announce("That task is hidden by your search or filters.");
                }
            }
        >
            {title}
        </a>
    }
}

fn card_link(id: TaskId, title: String) -> AnyView {
    view! { <CardLink id title /> }.into_any()
}

/// The day's timeline.
#[component]
pub fn Timeline() -> impl IntoView {
    let data = expect_context::<DashboardData>();
    let plan_state = use_context::<PlanState>();
    let plan = plan_state.map(|p| p.plan);
    let plan_error = plan_state.map(|p| p.error);
    // The schedule (axis, all-day entries, the no-meetings note) is drawn once, with
    // what it will keep: the day's meetings (so not before the tasks are there) and
    // the plan's blocks (so not while the first plan is on its way). Rows that arrive
    // later would move what is drawn below them (CLS).
    let ready = move || data.loaded.get() && !plan_state.is_some_and(|p| p.first_pending.get());
    let layout = Memo::new(move |_| {
        let now = data.now.get();
        data.board.with(|b| {
            lay_out(
                &b.snapshot().tasks,
                clock::start_of_day(now),
                clock::start_of_next_day(now),
                clock::at(now, 9, 0),
                clock::at(now, 18, 0),
            )
        })
    });
    let meeting_view = move |slot: Slot, now: i64| {
        let Slot::Meeting {
            task,
            start,
            end,
            prep,
        } = slot
        else {
            return None;
        };
        let past = end <= now;
        let (t, preps) = data.board.with_untracked(|b| {
            (
                b.task(task).cloned(),
                prep.iter()
                    .filter_map(|&i| b.task(i).map(|p| (p.id.clone(), p.title.clone())))
                    .collect::<Vec<_>>(),
            )
        });
        let t = t?;
        let rsvp = t.kind == TaskKind::Rsvp || t.signals.rsvp_needed;
        Some(
            view! {
                <li class="slot meeting" class:past=past style:min-height=height(start, end)>
                    {(!preps.is_empty())
                        .then(|| {
                            view! {
                                <div class="prep">
                                    <span class="prep-label">"Before this:"</span>
                                    <ul>
                                        {preps
                                            .into_iter()
                                            .map(|(id, title)| view! { <li><CardLink id title /></li> })
                                            .collect_view()}
                                    </ul>
                                </div>
                            }
                        })}
                    <span class="slot-time">{span(start, end)}</span>
                    <span class="slot-title">
                        <CardLink id=t.id.clone() title=t.title.clone() />
                        {rsvp.then(|| view! { <span class="badge">"RSVP needed"</span> })}
                    </span>
                </li>
            }
            .into_any(),
        )
    };
    let free_view = |start: i64, end: i64, now: i64| {
        view! {
            <li class="slot free" class:past=end <= now style:min-height=height(start, end)>
                <span class="slot-time">{span(start, end)}</span>
                <span class="slot-title">{format!("Free · {}", duration::short(end - start))}</span>
            </li>
        }
        .into_any()
    };
    let block_view = move |index: usize, now: i64| {
        let b = plan?.with_untracked(|p| p.as_ref()?.blocks.get(index).cloned())?;
        let kind = dayplan::kind_label(b.kind);
        let title = match b.task.clone() {
            Some(id) if b.kind != BlockKind::Break => card_link(id, b.title.clone()),
            _ => b.title.clone().into_any(),
        };
        Some(
            view! {
                <li
                    class=format!("slot block {}", dayplan::kind_class(b.kind))
                    class:past=b.end <= now
                    data-block=kind.to_ascii_lowercase()
                    style:min-height=height(b.start, b.end)
                >
                    <span class="slot-time">{span(b.start, b.end)}</span>
                    <span class="slot-title">
                        <span class="block-kind">{kind} ": "</span>
                        {title}
                    </span>
                    {(!b.note.is_empty()).then(|| view! { <span class="slot-note">{b.note.clone()}</span> })}
                </li>
            }
            .into_any(),
        )
    };
    let axis = move || {
        if !ready() {
            return ().into_any();
        }
        let now = data.now.get();
        let rows = layout.with(|l| match plan {
            Some(p) => p.with(|p| dayplan::rows(l, p.as_ref())),
            None => dayplan::rows(l, None),
        });
        let marker = dayplan::now_index(&rows, now);
        let mut items = Vec::new();
        let count = rows.len();
        for (i, row) in rows.into_iter().enumerate() {
            if marker == i {
                items.push(now_marker(now).into_any());
            }
            let item = match row.kind {
                RowKind::Meeting(slot) => layout
                    .with(|l| l.slots.get(slot).cloned())
                    .and_then(|s| meeting_view(s, now)),
                RowKind::Block(b) => block_view(b, now),
                RowKind::Free => Some(free_view(row.start, row.end, now)),
            };
            items.extend(item);
        }
        if marker == count {
            items.push(now_marker(now).into_any());
        }
        items.collect_view().into_any()
    };
    let planned = move || plan.is_some_and(|p| p.with(Option::is_some));
    view! {
        <section class="panel timeline" aria-labelledby="timeline-heading">
            // Below the axis, not above: what arrives with the plan (all-day entries)
            // or goes with it (the no-meetings note) must not move the axis (CLS).
            <h2 id="timeline-heading">
                {move || if planned() { "Today's plan" } else { "Today's meetings" }}
            </h2>
            <ol class="axis" aria-label="Today's schedule">{axis}</ol>
            {move || {
                if !ready() {
                    return None;
                }
                let all_day: Vec<(pmt_wire::TaskId, String)> = layout
                    .with(|l| {
                        data.board
                            .with_untracked(|b| {
                                l.all_day
                                    .iter()
                                    .filter_map(|&i| b.task(i).map(|t| (t.id.clone(), t.title.clone())))
                                    .collect()
                            })
                    });
                (!all_day.is_empty())
                    .then(|| {
                        view! {
                            <p class="all-day">
                                "All day: "
                                {all_day
                                    .into_iter()
                                    .map(|(id, title)| view! { <CardLink id title /> })
                                    .collect_view()}
                            </p>
                        }
                    })
            }}
            <Show when=move || ready() && layout.with(Layout::no_meetings)>
                <p class="empty">
                    {move || {
                        if planned() {
                            "No meetings today."
                        } else {
                            "No meetings today: the whole day is free."
                        }
                    }}
                </p>
            </Show>
            {plan.map(|plan| view! { <NotToday plan link=card_link /> })}
            {move || {
                plan_error
                    .and_then(|e| e.get())
                    .map(|e| view! { <p class="plan-error">"No day plan: " {e}</p> })
            }}
        </section>
    }
}

fn now_marker(now: i64) -> impl IntoView {
    view! {
        <li class="now-marker" id="now-marker">
            <span>{format!("Now {}", clock::hhmm(now))}</span>
        </li>
    }
}
