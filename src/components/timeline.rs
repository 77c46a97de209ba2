//! Today's meetings on a time axis: the current time marked, free blocks shown, and
//! prep items listed just before the meeting they belong to.

use leptos::prelude::*;
use pmt_wire::TaskKind;

use crate::clock;
use crate::components::card_focus::{dom_id, focus_task};
use crate::dashboard_data::DashboardData;
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

/// The day's timeline.
#[component]
pub fn Timeline() -> impl IntoView {
    let data = expect_context::<DashboardData>();
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
    let slot_view = move |slot: Slot, now: i64| {
        let past = slot.end() <= now;
        match slot {
            Slot::Meeting {
                task,
                start,
                end,
                prep,
            } => {
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
            }
            Slot::Free { start, end } => Some(
                view! {
                    <li class="slot free" class:past=past style:min-height=height(start, end)>
                        <span class="slot-time">{span(start, end)}</span>
                        <span class="slot-title">
                            {format!("Free · {}", duration::short(end - start))}
                        </span>
                    </li>
                }
                .into_any(),
            ),
        }
    };
    let axis = move || {
        let now = data.now.get();
        let Layout { slots, .. } = layout.get();
        let marker = layout.with(|l| l.now_index(now));
        let mut items = Vec::new();
        let count = slots.len();
        for (i, slot) in slots.into_iter().enumerate() {
            if marker == i {
                items.push(now_marker(now).into_any());
            }
            if let Some(v) = slot_view(slot, now) {
                items.push(v);
            }
        }
        if marker == count {
            items.push(now_marker(now).into_any());
        }
        items.collect_view()
    };
    view! {
        <section class="panel timeline" aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">"Today's meetings"</h2>
            {move || {
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
            <Show when=move || layout.with(Layout::no_meetings)>
                <p class="empty">"No meetings today: the whole day is free."</p>
            </Show>
            <ol class="axis" aria-label="Today's schedule">{axis}</ol>
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
