//! "Connect an MCP client" (demo mode): asks the backend for a token whose audience is
//! the MCP server (`POST /api/mcp/token`) and shows it once, with the server's URL, its
//! expiry and a Claude Desktop configuration. The token is never stored: closing the
//! dialog forgets it. Outside demo mode the endpoint answers 404 and the button goes.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use pmt_wire::agent::McpToken;

use crate::api::CallError;
use crate::clock;
use crate::dashboard_data::DashboardData;
use crate::session::{now_secs, Session};

/// `npx mcp-remote <url> --header "Authorization: Bearer <token>"`.
pub fn command_line(t: &McpToken) -> String {
    format!(
        "npx mcp-remote {} --header \"Authorization: Bearer {}\"",
        t.mcp_url, t.access_token
    )
}

/// The `mcpServers` entry of Claude Desktop's `claude_desktop_config.json`.
pub fn claude_desktop_config(t: &McpToken) -> String {
    // A JSON string literal (escaped by serde_json) without pulling in `Value`.
    let quoted = |s: &str| serde_json::to_string(s).unwrap_or_default();
    format!(
        "{{\n  \"mcpServers\": {{\n    \"plan-my-today\": {{\n      \"command\": \"npx\",\n      \"args\": [\n        \"mcp-remote\",\n        {},\n        \"--header\",\n        {}\n      ]\n    }}\n  }}\n}}",
        quoted(&t.mcp_url),
        quoted(&format!("Authorization: Bearer {}", t.access_token)),
    )
}

/// Puts `text` on the clipboard; `false` when the browser refused.
async fn copy(text: String) -> bool {
    let clipboard = window().navigator().clipboard();
    wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text))
        .await
        .is_ok()
}

/// A read-only field with a Copy button; empty while no token is shown.
#[component]
fn CopyField(
    id: &'static str,
    label: &'static str,
    value: Signal<String>,
    #[prop(optional)] rows: u32,
    copied: RwSignal<String>,
) -> impl IntoView {
    let on_copy = move |_| {
        let text = value.get_untracked();
        spawn_local(async move {
            copied.set(if copy(text).await {
                format!("{label}: copied.")
            } else {
                format!("{label}: copying was refused by the browser; select the text and copy it.")
            });
        });
    };
    let field = if rows > 0 {
        view! { <textarea id=id readonly rows=rows spellcheck="false" prop:value=value></textarea> }
            .into_any()
    } else {
        view! { <input id=id readonly spellcheck="false" prop:value=value /> }.into_any()
    };
    view! {
        <div class="field copy-field">
            <label for=id>{label}</label>
            <div class="copy-row">
                {field}
                <button type="button" id=format!("{id}-copy") on:click=on_copy>
                    "Copy"
                </button>
            </div>
        </div>
    }
}

/// The button and its dialog.
#[component]
pub fn McpConnect() -> impl IntoView {
    let session = expect_context::<Session>();
    let data = expect_context::<DashboardData>();
    let unavailable = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let token = RwSignal::new(None::<(McpToken, i64)>);
    let copied = RwSignal::new(String::new());
    let dialog = NodeRef::<html::Dialog>::new();
    let open = move |_| {
        busy.set(true);
        spawn_local(async move {
            let answer = session
                .call_for::<(), McpToken>(gloo_net::http::Method::POST, "/api/mcp/token", None)
                .await;
            busy.set(false);
            match answer {
                Ok(Some(t)) => {
                    copied.set(String::new());
                    token.set(Some((t, now_secs())));
                    if let Some(d) = dialog.get_untracked() {
                        let _ = d.show_modal();
                    }
                }
                Ok(None) => data.announce("The server's answer held no token."),
                Err(CallError::Failed { status: 404, .. }) => {
                    unavailable.set(true);
                    data.announce(
                        "Connecting an MCP client from here is only offered in demo mode; see the README.",
                    );
                }
                Err(CallError::Unauthorized(_)) => {}
                Err(e) => data.announce(format!("No MCP token: {e}")),
            }
        });
    };
    let shown = move |f: fn(&McpToken) -> String| {
        Signal::derive(move || token.with(|t| t.as_ref().map(|(t, _)| f(t)).unwrap_or_default()))
    };
    let expiry = move || {
        token.with(|t| {
            t.as_ref().map(|(t, issued)| {
                format!(
                    "Expires in {} min, at {}. Get a new one here when it does.",
                    t.expires_in.div_ceil(60),
                    clock::hhmm(issued + t.expires_in as i64)
                )
            })
        })
    };
    view! {
        <button
            type="button"
            id="mcp-connect"
            aria-haspopup="dialog"
            hidden=move || unavailable.get()
            disabled=move || busy.get() || data.is_offline()
            on:click=open
        >
            "Connect an MCP client"
        </button>
        <dialog
            id="mcp-dialog"
            class="dialog wide"
            node_ref=dialog
            aria-labelledby="mcp-title"
            on:close=move |_| token.set(None)
        >
            <h2 id="mcp-title">"Connect an MCP client"</h2>
            <p>
                "Claude Desktop, IDEs and other MCP clients can use Todaygent's tools with this token. "
                "It is accepted only by the MCP server (not by this dashboard's API), and this page does not keep it: copy it now."
            </p>
            <CopyField id="mcp-url" label="MCP server URL" value=shown(|t| t.mcp_url.clone()) copied />
            <CopyField id="mcp-token" label="Access token" value=shown(|t| t.access_token.clone()) copied />
            <p id="mcp-expiry">{expiry}</p>
            <CopyField
                id="mcp-config"
                label="Claude Desktop: add to claude_desktop_config.json"
                value=shown(claude_desktop_config)
                rows=10
                copied
            />
            <CopyField id="mcp-command" label="Or run the bridge yourself" value=shown(command_line) copied />
            <p class="copy-status" role="status">{move || copied.get()}</p>
            <form method="dialog">
                <button id="mcp-close" class="primary">"Close"</button>
            </form>
        </dialog>
    }
}
