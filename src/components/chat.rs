//! Todaygent's chat panel: a drawer beside the dashboard with the conversation (user
//! and agent bubbles, tool chips, confirmation cards, notices), a message box, Stop,
//! and "Plan my day".
//!
//! The agent's text is rendered from [`crate::model::markdown`] blocks as text nodes:
//! never as HTML. The conversation list is not a live region (it would read every
//! streamed token); a separate polite region says when a reply is complete, when a
//! confirmation waits, and what failed.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::chat::{Chat, Llm, PLAN_MY_DAY};
use crate::dashboard_data::DashboardData;
use crate::model::chat::{Answer, Item, ToolResult, Transcript};
use crate::model::markdown::{self, Block, Inline};

/// The toolbar button that opens and closes the panel (`c`).
#[component]
pub fn ChatToggle() -> impl IntoView {
    let chat = expect_context::<Chat>();
    view! {
        <button
            type="button"
            id="chat-toggle"
            aria-expanded=move || chat.open.get().to_string()
            aria-controls=move || chat.open.get().then_some("chat-panel")
            aria-keyshortcuts="c"
            on:click=move |_| chat.toggle()
        >
            "Todaygent"
        </button>
    }
}

fn inline_view(inline: Inline) -> AnyView {
    match inline {
        Inline::Text(t) => t.into_any(),
        Inline::Strong(t) => view! { <strong>{t}</strong> }.into_any(),
        Inline::Code(t) => view! { <code>{t}</code> }.into_any(),
        Inline::Link { text, url } => view! {
            <a href=url target="_blank" rel="noopener noreferrer">
                {text}
            </a>
        }
        .into_any(),
        Inline::Break => view! { <br /> }.into_any(),
    }
}

fn inlines_view(inlines: Vec<Inline>) -> impl IntoView {
    inlines.into_iter().map(inline_view).collect_view()
}

/// The agent's text as paragraphs, headings and lists.
fn markdown_view(text: &str) -> impl IntoView {
    markdown::parse(text)
        .into_iter()
        .map(|block| match block {
            Block::Paragraph(i) => view! { <p>{inlines_view(i)}</p> }.into_any(),
            Block::Heading(i) => view! {
                <p class="md-heading">
                    <strong>{inlines_view(i)}</strong>
                </p>
            }
            .into_any(),
            Block::List { ordered, items } => {
                let items = items
                    .into_iter()
                    .map(|i| view! { <li>{inlines_view(i)}</li> })
                    .collect_view();
                if ordered {
                    view! { <ol>{items}</ol> }.into_any()
                } else {
                    view! { <ul>{items}</ul> }.into_any()
                }
            }
        })
        .collect_view()
}

/// A write the agent proposes, with Allow and Deny.
#[component]
fn ConfirmCard(
    confirmation: String,
    tool: String,
    description: String,
    answer: Answer,
) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let data = expect_context::<DashboardData>();
    let offline = data.read_only();
    let closed = move || !answer.open() || offline.get();
    let (allow_id, deny_id) = (confirmation.clone(), confirmation.clone());
    let label = format!("Todaygent asks to: {description}");
    view! {
        <li class="confirm-card" data-confirmation=confirmation.clone() data-tool=tool role="group" aria-label=label>
            <p class="confirm-title">"Todaygent wants to:"</p>
            <p class="confirm-desc">{description}</p>
            <p class="confirm-note">"This changes only your dashboard, never the source app."</p>
            <div class="confirm-actions">
                <button
                    type="button"
                    class="confirm-allow primary"
                    disabled=closed
                    on:click=move |_| chat.answer(allow_id.clone(), true)
                >
                    "Allow"
                </button>
                <button
                    type="button"
                    class="confirm-deny"
                    disabled=closed
                    on:click=move |_| chat.answer(deny_id.clone(), false)
                >
                    "Deny"
                </button>
            </div>
            {answer.outcome().map(|o| view! { <p class="confirm-outcome">{o}</p> })}
        </li>
    }
}

/// One item of the conversation.
fn item_view(item: Item) -> AnyView {
    match item {
        Item::User(text) => view! {
            <li class="msg user">
                <span class="visually-hidden">"You said: "</span>
                <p>{text}</p>
            </li>
        }
        .into_any(),
        Item::Agent(text) => view! {
            <li class="msg agent">
                <span class="visually-hidden">"Todaygent: "</span>
                {markdown_view(&text)}
            </li>
        }
        .into_any(),
        Item::Tool {
            tool,
            summary,
            write,
            result,
            ..
        } => {
            let (state, outcome) = match result {
                None => ("running", "running…".to_owned()),
                Some(ToolResult { ok: true, summary }) => ("ok", format!("✓ {summary}")),
                Some(ToolResult { ok: false, summary }) => ("failed", format!("✗ {summary}")),
            };
            let name = format!("{}{tool}", if write { "Change: " } else { "Read: " });
            view! {
                <li class="tool-chip" data-tool=tool data-state=state>
                    <span class="tool-name">{name}</span>
                    {(!summary.is_empty()).then(|| view! { <span class="tool-args">{summary}</span> })}
                    <span class="tool-outcome">{outcome}</span>
                </li>
            }
            .into_any()
        }
        Item::Confirm {
            confirmation,
            tool,
            description,
            answer,
        } => view! { <ConfirmCard confirmation tool description answer /> }.into_any(),
        Item::Notice(message) => view! { <li class="chat-notice">{message}</li> }.into_any(),
        Item::Error(message) => view! { <li class="chat-error">{message}</li> }.into_any(),
    }
}

/// Focuses an element by id (after the panel rendered it).
fn focus_id(id: &str) {
    if let Some(el) = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// The panel's body: shown while it is open.
#[component]
fn ChatBody() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let data = expect_context::<DashboardData>();
    let offline = data.read_only();
    let log = NodeRef::<html::Ol>::new();
    let input = NodeRef::<html::Textarea>::new();
    let entries = move || {
        chat.transcript.with(|t| {
            t.entries()
                .iter()
                .enumerate()
                .map(|(i, e)| (i, e.rev, e.item.clone()))
                .collect::<Vec<_>>()
        })
    };
    // Keep the newest message in view.
    Effect::new(move || {
        chat.transcript.track();
        if let Some(el) = log.get() {
            el.set_scroll_top(el.scroll_height());
        }
    });
    // Focus the message box when the panel opens.
    Effect::new(move || {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });
    let close = move || {
        chat.open.set(false);
        focus_id("chat-toggle");
    };
    let send = move || chat.send(chat.draft.get_untracked());
    let busy = move || chat.busy();
    let no_llm = move || chat.llm.with(|l| *l == Llm::None);
    view! {
        <aside
            id="chat-panel"
            class="chat-panel"
            aria-labelledby="chat-title"
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    ev.prevent_default();
                    ev.stop_propagation();
                    close();
                }
            }
        >
            <div class="chat-head">
                <h2 id="chat-title">"Todaygent"</h2>
                <button type="button" id="chat-close" on:click=move |_| close()>
                    "Close"
                </button>
            </div>
            <p class="chat-sub">
                {move || match chat.llm.get() {
                    Llm::Configured(m) => format!("Reads your tasks; changes nothing without your Allow. ({m})"),
                    _ => "Reads your tasks; changes nothing without your Allow.".to_owned(),
                }}
            </p>
            <p id="chat-no-llm" class="notice warn" hidden=move || !no_llm()>
                "No language model is configured on this server, so Todaygent cannot chat. "
                "It can still plan your day: press Plan my day."
            </p>
            <p class="chat-intro" hidden=move || !chat.transcript.with(Transcript::is_empty)>
                "Ask what to work on next, or have it plan your day. It can read every source, "
                "and dismiss, restore or re-prioritize a task only after you press Allow. "
                "It cannot change anything in your source apps."
            </p>
            <ol id="chat-log" class="chat-log" aria-label="Conversation" aria-busy=move || busy().to_string() node_ref=log>
                <For
                    each=entries
                    key=|(i, rev, _)| (*i, *rev)
                    children=|(_, _, item)| item_view(item)
                />
            </ol>
            <p id="chat-announcer" class="visually-hidden" role="status" aria-live="polite">
                {move || chat.said.get()}
            </p>
            <form
                class="chat-form"
                on:submit=move |ev| {
                    ev.prevent_default();
                    send();
                }
            >
                <label for="chat-input" class="visually-hidden">"Message to Todaygent"</label>
                <textarea
                    id="chat-input"
                    rows="2"
                    placeholder="Ask about your day… (Enter sends, Shift+Enter new line)"
                    node_ref=input
                    disabled=offline
                    prop:value=move || chat.draft.get()
                    on:input=move |ev| chat.draft.set(event_target_value(&ev))
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                            ev.prevent_default();
                            send();
                        }
                    }
                ></textarea>
                <div class="chat-actions">
                    <button
                        type="button"
                        id="chat-plan"
                        disabled=move || busy() || offline.get()
                        on:click=move |_| chat.send(PLAN_MY_DAY.to_owned())
                    >
                        "Plan my day"
                    </button>
                    <button type="submit" id="chat-send" class="primary" hidden=busy disabled=offline>
                        "Send"
                    </button>
                    <button type="button" id="chat-stop" hidden=move || !busy() on:click=move |_| chat.stop()>
                        "Stop"
                    </button>
                </div>
                <p class="chat-offline" hidden=move || !offline.get()>
                    "You are offline: Todaygent needs the server."
                </p>
            </form>
        </aside>
    }
}

/// The chat drawer (rendered only while open; the conversation stays in [`Chat`]).
#[component]
pub fn ChatPanel() -> impl IntoView {
    let chat = expect_context::<Chat>();
    move || chat.open.get().then(|| view! { <ChatBody /> })
}
