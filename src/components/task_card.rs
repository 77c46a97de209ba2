//! One task as a card: what it is, why it matters now, where it lives, and what the
//! user may do with it here.

use leptos::prelude::*;
use leptos::task::spawn_local;
use pmt_wire::{Priority, Source, Task, TaskId, TaskKind};

use crate::clock;
use crate::components::adhoc_form::AdHocForm;
use crate::components::card_focus::{dom_id, focus_task, keep_focus};
use crate::dashboard_data::{DashboardData, TaskAction};
use crate::model::names::priority_key;

/// When the task happens or is due, for people; `true` when the due time passed.
fn when(task: &Task, now: i64) -> Option<(String, bool)> {
    let s = &task.signals;
    if let (Some(start), TaskKind::Meeting | TaskKind::Rsvp) = (s.starts_at, task.kind) {
        // All-day events run from local midnight for (about) a day: no clock times.
        let all_day =
            s.ends_at.is_some_and(|e| e - start >= 23 * 3600) && clock::hhmm(start) == "00:00";
        if all_day {
            return Some(("All day".to_owned(), false));
        }
        let end = s
            .ends_at
            .map(|e| format!("–{}", clock::hhmm(e)))
            .unwrap_or_default();
        return Some((format!("{}{end}", clock::hhmm_or_date(start, now)), false));
    }
    s.due.map(|due| {
        let at = clock::hhmm_or_date(due, now);
        if due < now {
            (format!("overdue since {at}"), true)
        } else {
            (format!("due {at}"), false)
        }
    })
}

/// "Overridden: boosted from Medium".
fn override_note(task: &Task) -> Option<String> {
    let chosen = task.priority_override?;
    let verb = match chosen.cmp(&task.computed_priority) {
        std::cmp::Ordering::Less => "boosted from",
        std::cmp::Ordering::Greater => "demoted from",
        std::cmp::Ordering::Equal => "set, computed",
    };
    Some(format!(
        "Overridden: {verb} {}",
        task.computed_priority.label()
    ))
}

/// An optional line of text (one compiled view for all of them).
fn line(class: &'static str, text: Option<String>) -> impl IntoView {
    text.map(|t| view! { <p class=class>{t}</p> })
}

/// An optional span of the meta line.
fn span(class: &'static str, text: Option<String>) -> impl IntoView {
    text.map(|t| view! { <span class=class>{t}</span> })
}

/// A link that moves focus to another task's card.
#[component]
fn RelatedLink(id: TaskId) -> impl IntoView {
    let data = expect_context::<DashboardData>();
    let label = data.board.with_untracked(|b| {
        b.find(&id)
            .map(|t| format!("{} ({})", t.title, t.source.label()))
            .unwrap_or_else(|| id.as_str().to_owned())
    });
    let href = format!("#{}", dom_id(&id));
    let on_click = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        if !focus_task(&id) {
            data.announce("That task is hidden by your search or filters.");
        }
    };
    view! { <a class="related" href=href on:click=on_click>{label}</a> }
}

/// A button that takes a decision on its card's task and keeps focus sensible.
#[component]
fn ActionButton(
    id: TaskId,
    action: TaskAction,
    class: &'static str,
    label: &'static str,
    #[prop(optional)] disabled: bool,
) -> impl IntoView {
    let data = expect_context::<DashboardData>();
    let on_click = move |_| {
        spawn_local(keep_focus(
            id.clone(),
            Box::pin(data.act(id.clone(), action)),
        ))
    };
    view! {
        <button
            type="button"
            class=class
            disabled=disabled
            on:click=on_click
        >
            {label}
        </button>
    }
}

/// The card's content and its action buttons.
#[component]
fn CardBody(task: Task, on_edit: Callback<()>) -> impl IntoView {
    let data = expect_context::<DashboardData>();
    let confirm_delete = RwSignal::new(false);
    let id = task.id.clone();
    let title_id = format!("{}-title", dom_id(&id));
    let delete_id = id.clone();
    let on_delete = move |_| {
        if !confirm_delete.get_untracked() {
            confirm_delete.set(true);
            return;
        }
        let id = delete_id.clone();
        spawn_local(keep_focus(
            id.clone(),
            Box::pin(async move { data.delete_adhoc(id).await.is_ok() }),
        ));
    };
    let open_label = format!("(opens {} in a new tab)", task.source.label());
    let heading = match task.url.clone() {
        Some(url) => view! {
            <a class="task-open" href=url target="_blank" rel="noopener noreferrer">
                {task.title.clone()}
                <span class="visually-hidden">{open_label}</span>
            </a>
        }
        .into_any(),
        None => view! { <span>{task.title.clone()}</span> }.into_any(),
    };
    let prio = task.priority;
    let people = (!task.people.is_empty()).then(|| {
        let names: Vec<&str> = task.people.iter().map(|p| p.name.as_str()).collect();
        format!("People: {}", names.join(", "))
    });
    let now = data.now.get_untracked();
    // Its source could not be fetched on the last refresh: say how old this is.
    let kept = task
        .kept_from
        .map(|at| format!("not refreshed since {}", clock::hhmm_or_date(at, now)));
    let (time, late) = match when(&task, now) {
        Some((t, late)) => (Some(t), late),
        None => (None, false),
    };
    let dismiss = task.dismissible.then_some(if task.dismissed {
        (TaskAction::Restore, "task-restore", "Restore")
    } else {
        (TaskAction::Dismiss, "task-dismiss", "Dismiss")
    });
    view! {
        <h3 class="card-title" id=title_id.clone()>{heading}</h3>
        <p class="card-meta">
            <span class=format!("prio prio-{}", priority_key(prio))>{prio.label()}</span>
            <span class="source">{task.source.label()}</span>
            <span class="kind">{task.kind.label()}</span>
            {span(if late { "when overdue" } else { "when" }, time)}
            {span("badge override", override_note(&task))}
            {span("badge", task.dismissed.then(|| "Dismissed".to_owned()))}
            {span("badge kept", kept)}
        </p>
        {line("why", (!task.why.is_empty()).then(|| task.why.join("; ")))}
        {line("people", people)}
        {line("snippet", task.snippet.clone())}
        {(!task.links.is_empty())
            .then(|| {
                view! {
                    <p class="links">
                        "Related: "
                        {task
                            .links
                            .iter()
                            .map(|l| view! { <RelatedLink id=l.clone() /> })
                            .collect_view()}
                    </p>
                }
            })}
        // A fieldset (a group, like the card's title labels it) disables every action of
        // the card at once while the board is read-only: one reactive attribute per card
        // instead of one per button.
        <fieldset class="card-actions" aria-labelledby=title_id disabled=data.read_only()>
            {dismiss
                .map(|(action, class, label)| {
                    view! { <ActionButton id=id.clone() action class label /> }
                })}
            <ActionButton
                id=id.clone()
                action=TaskAction::Boost
                class="task-boost"
                label="Boost"
                disabled=prio == Priority::Critical
            />
            <ActionButton
                id=id.clone()
                action=TaskAction::Demote
                class="task-demote"
                label="Demote"
                disabled=prio == Priority::Low
            />
            {task
                .priority_override
                .is_some()
                .then(|| {
                    view! {
                        <ActionButton
                            id=id.clone()
                            action=TaskAction::ClearOverride
                            class="task-clear-override"
                            label="Clear override"
                        />
                    }
                })}
            {(task.source == Source::AdHoc)
                .then(|| {
                    view! {
                        <button type="button" class="task-edit" on:click=move |_| on_edit.run(())>
                            "Edit"
                        </button>
                        <button type="button" class="task-delete" on:click=on_delete>
                            {move || if confirm_delete.get() { "Confirm delete" } else { "Delete" }}
                        </button>
                    }
                })}
        </fieldset>
    }
}

/// A task card. `data-task-id` carries the id for keyboard handling and tests.
#[component]
pub fn TaskCard(task: Task) -> impl IntoView {
    let editing = RwSignal::new(false);
    let id = dom_id(&task.id);
    let data_id = task.id.as_str().to_owned();
    let dismissed = task.dismissed;
    let overridden = task.priority_override.is_some();
    let labelled_by = format!("{id}-title");
    view! {
        <article
            class="card"
            class:dismissed=dismissed
            class:overridden=overridden
            id=id
            data-task-id=data_id
            tabindex="0"
            aria-labelledby=labelled_by
        >
            // A plain closure, not <Show>: no memo per card (a 10,000-task search redraws
            // dozens of cards per keystroke).
            {move || {
                if editing.get() {
                    view! {
                        <AdHocForm
                            editing=task.clone()
                            on_done=Callback::new(move |()| editing.set(false))
                        />
                    }
                    .into_any()
                } else {
                    view! {
                        <CardBody
                            task=task.clone()
                            on_edit=Callback::new(move |()| editing.set(true))
                        />
                    }
                    .into_any()
                }
            }}
        </article>
    }
}
