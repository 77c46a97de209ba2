//! Quick add of a task of the user's own (title, optional due time today, priority),
//! and the same form for editing one.

use leptos::prelude::*;
use leptos::task::spawn_local;
use pmt_wire::decisions::check_title;
use pmt_wire::{AdHocPatch, NewAdHocTask, Priority, Task};

use crate::clock;
use crate::components::card_focus::{dom_id, focus_task, settled};
use crate::dashboard_data::DashboardData;
use crate::model::names::{parse_priority, priority_key};

/// The add form (no `editing`) or the edit form of an ad-hoc task.
#[component]
pub fn AdHocForm(
    /// The task being edited; without it the form adds a new one.
    #[prop(optional)]
    editing: Option<Task>,
    /// Called after a save or a cancel (edit mode).
    #[prop(optional)]
    on_done: Option<Callback<()>>,
) -> impl IntoView {
    let data = expect_context::<DashboardData>();
    let now = data.now.get_untracked();
    let prefix = editing
        .as_ref()
        .map_or_else(|| "adhoc".to_owned(), |t| format!("edit-{}", dom_id(&t.id)));
    let title = RwSignal::new(
        editing
            .as_ref()
            .map(|t| t.title.clone())
            .unwrap_or_default(),
    );
    let due = RwSignal::new(
        editing
            .as_ref()
            .and_then(|t| t.signals.due)
            .map(clock::hhmm)
            .unwrap_or_default(),
    );
    let priority = RwSignal::new(
        editing
            .as_ref()
            .and_then(|t| t.priority_override)
            .map(|p| priority_key(p).to_owned())
            .unwrap_or_default(),
    );
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let original = editing.clone();
    let is_edit = editing.is_some();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let text = title.get_untracked().trim().to_owned();
        if let Err(e) = check_title(&text) {
            error.set(Some(e.message()));
            return;
        }
        let due_at = clock::parse_time_today(&due.get_untracked(), now);
        let level: Option<Priority> = parse_priority(&priority.get_untracked());
        error.set(None);
        busy.set(true);
        let original = original.clone();
        spawn_local(async move {
            let result = match &original {
                None => {
                    data.add_adhoc(NewAdHocTask {
                        title: text,
                        due: due_at,
                        priority: level,
                        notes: None,
                    })
                    .await
                }
                Some(t) => {
                    let patch = AdHocPatch {
                        title: (text != t.title).then_some(text),
                        due: (due_at != t.signals.due).then_some(due_at),
                        priority: (level != t.priority_override).then_some(level),
                        notes: None,
                    };
                    data.edit_adhoc(t.id.clone(), patch).await
                }
            };
            busy.set(false);
            match result {
                Ok(()) => {
                    if original.is_none() {
                        title.set(String::new());
                        due.set(String::new());
                        priority.set(String::new());
                    }
                    if let Some(done) = on_done {
                        done.run(());
                    }
                    if let Some(t) = original {
                        settled().await;
                        focus_task(&t.id);
                    }
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let field = |name: &str| format!("{prefix}-{name}");
    let error_id = field("error");
    view! {
        <form class="adhoc-form" on:submit=on_submit novalidate>
            <div class="field grow">
                <label for=field("title")>{if is_edit { "Title" } else { "New task" }}</label>
                <input
                    id=field("title")
                    type="text"
                    maxlength="200"
                    autocomplete="off"
                    required
                    aria-describedby=error_id.clone()
                    prop:value=move || title.get()
                    on:input=move |ev| title.set(event_target_value(&ev))
                />
            </div>
            <div class="field">
                <label for=field("due")>"Due today at"</label>
                <input
                    id=field("due")
                    type="time"
                    prop:value=move || due.get()
                    on:input=move |ev| due.set(event_target_value(&ev))
                />
            </div>
            <div class="field">
                <label for=field("priority")>"Priority"</label>
                <select
                    id=field("priority")
                    on:change=move |ev| priority.set(event_target_value(&ev))
                >
                    <option value="" prop:selected=move || priority.with(String::is_empty)>
                        "Automatic"
                    </option>
                    {Priority::ALL
                        .into_iter()
                        .map(|p| {
                            let key = priority_key(p);
                            view! {
                                <option value=key prop:selected=move || priority.with(|v| v == key)>
                                    {p.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="form-actions">
                {if is_edit {
                    view! {
                        <button
                            type="submit"
                            class="primary adhoc-save"
                            disabled=Signal::derive(move || busy.get() || data.is_offline())
                        >
                            "Save"
                        </button>
                        <button
                            type="button"
                            class="adhoc-cancel"
                            on:click=move |_| {
                                if let Some(done) = on_done {
                                    done.run(());
                                }
                            }
                        >
                            "Cancel"
                        </button>
                    }
                        .into_any()
                } else {
                    view! {
                        <button
                            id="adhoc-add"
                            type="submit"
                            class="primary"
                            disabled=Signal::derive(move || busy.get() || data.is_offline())
                        >
                            "Add"
                        </button>
                    }
                        .into_any()
                }}
            </div>
            <p id=error_id class="form-error" role="alert">
                {move || error.get()}
            </p>
        </form>
    }
}

/// The "Add a task" panel.
#[component]
pub fn AdHocPanel() -> impl IntoView {
    view! {
        <section class="panel adhoc" aria-labelledby="adhoc-heading">
            <h2 id="adhoc-heading">"Add a task"</h2>
            <AdHocForm />
        </section>
    }
}
