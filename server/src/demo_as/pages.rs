//! The server's HTML: the consent page, the error page and the grants page.
//!
//! Plain HTML forms, no script and no inline style (the backend's CSP allows neither);
//! the look comes from one stylesheet route. Every interpolated value is escaped.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::metadata::Paths;
use super::{DemoAsSettings, DemoUser, ResourcePolicy};

/// The stylesheet of every page here.
const STYLESHEET: &str = r#":root { color-scheme: light dark; --accent: #3558d4; --muted: #667085; }
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: grid; place-items: center; padding: 1.5rem;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  background: Canvas; color: CanvasText; }
main { width: min(30rem, 100%); padding: 2rem; border-radius: 1rem;
  border: 1px solid color-mix(in srgb, CanvasText 15%, transparent);
  box-shadow: 0 0.5rem 2rem color-mix(in srgb, CanvasText 10%, transparent); }
.brand { margin: 0 0 1rem; font-size: 0.8rem; letter-spacing: 0.08em; text-transform: uppercase;
  color: var(--muted); }
h1 { font-size: 1.35rem; line-height: 1.3; margin: 0 0 1rem; }
h2 { font-size: 0.95rem; margin: 1.25rem 0 0.5rem; }
ul { margin: 0; padding-left: 1.25rem; }
li { margin: 0.2rem 0; }
.note { font-size: 0.85rem; color: var(--muted); margin-top: 1.5rem; }
.actions { display: flex; gap: 0.75rem; justify-content: flex-end; margin-top: 1.75rem; }
button { font: inherit; padding: 0.55rem 1.3rem; border-radius: 0.5rem; cursor: pointer;
  border: 1px solid color-mix(in srgb, CanvasText 25%, transparent); background: transparent;
  color: inherit; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button:focus-visible { outline: 3px solid color-mix(in srgb, var(--accent) 50%, transparent);
  outline-offset: 2px; }
table { width: 100%; border-collapse: collapse; }
td { padding: 0.4rem 0; }
td:last-child { text-align: right; }
.status { color: var(--muted); font-size: 0.85rem; }
@media (prefers-color-scheme: dark) { :root { --accent: #7b96ff; --muted: #98a2b3; }
  button.primary { color: #0b1020; } }
"#;

/// What the consent page shows.
#[derive(Debug)]
pub(super) struct ConsentView<'a> {
    /// The client's display name.
    pub(super) client_name: &'a str,
    /// The signed-in user.
    pub(super) user: &'a DemoUser,
    /// The scopes requested at sign-in.
    pub(super) scopes: &'a [String],
    /// The sources the client may later read on the user's behalf.
    pub(super) sources: Vec<&'a ResourcePolicy>,
    /// The opaque pending-request id the form carries.
    pub(super) request_id: &'a str,
    /// Where the form posts.
    pub(super) action: &'a str,
}

/// One row of the grants page.
#[derive(Debug)]
pub(super) struct GrantRow<'a> {
    /// The resource.
    pub(super) policy: &'a ResourcePolicy,
    /// Whether the user revoked it.
    pub(super) revoked: bool,
}

/// The consent page: who asks, for whom, for what, and Allow / Deny.
pub(super) fn consent_page(view: &ConsentView<'_>) -> String {
    let client = escape(view.client_name);
    let scopes: String = view
        .scopes
        .iter()
        .map(|s| format!("<li>{}</li>", escape(describe_scope(s))))
        .collect();
    let sources = if view.sources.is_empty() {
        String::new()
    } else {
        let items: String = view
            .sources
            .iter()
            .map(|r| format!("<li>{} (read-only)</li>", escape(&r.display_name)))
            .collect();
        format!("<h2>And read, on your behalf, from</h2><ul>{items}</ul>")
    };
    let body = format!(
        r#"<p class="brand">Demo sign-in</p>
<h1>{client} wants to access your account</h1>
<p>Signed in as <strong>{name}</strong> ({email})</p>
<h2>{client} will be able to</h2>
<ul>{scopes}</ul>
{sources}
<form method="post" action="{action}">
<input type="hidden" name="request" value="{request}">
<div class="actions">
<button type="submit" name="decision" value="deny" id="consent-deny">Deny</button>
<button type="submit" name="decision" value="allow" id="consent-allow" class="primary" autofocus>Allow</button>
</div>
</form>
<p class="note">This is the built-in demo authorization server of {client}. No password is needed: demo mode has one user.</p>"#,
        name = escape(&view.user.name),
        email = escape(&view.user.email),
        action = escape(view.action),
        request = escape(view.request_id),
    );
    document(&format!("Sign in to {client}"), &body)
}

/// A page for a request that cannot be answered by redirecting back.
pub(super) fn error_page(title: &str, message: &str) -> String {
    let body = format!(
        r#"<p class="brand">Demo sign-in</p>
<h1>{title}</h1>
<p>{message}</p>"#,
        title = escape(title),
        message = escape(message),
    );
    document(title, &body)
}

/// The user's connected sources, each with a Revoke or Restore button.
pub(super) fn grants_page(
    settings: &DemoAsSettings,
    rows: &[GrantRow<'_>],
    paths: &Paths,
) -> String {
    let rows: String = rows
        .iter()
        .map(|row| {
            let (status, action, label) = if row.revoked {
                ("Access revoked", "restore", "Restore")
            } else {
                ("Allowed", "revoke", "Revoke")
            };
            format!(
                r#"<tr><td>{name}<br><span class="status">{status}</span></td><td><form method="post" action="{path}"><input type="hidden" name="resource" value="{resource}"><button type="submit" name="action" value="{action}">{label}</button></form></td></tr>"#,
                name = escape(&row.policy.display_name),
                path = escape(&paths.grants),
                resource = escape(&row.policy.resource),
            )
        })
        .collect();
    let body = format!(
        r#"<p class="brand">Demo account of {user}</p>
<h1>Sources {client} can read</h1>
<table>{rows}</table>
<p class="note">Revoking a source makes the next token exchange for it fail; tokens already issued expire within five minutes.</p>"#,
        user = escape(&settings.user.name),
        client = escape(&settings.client_name),
    );
    document("Connected sources", &body)
}

/// Every page lives directly under the issuer path, as does the stylesheet, so a
/// relative reference finds it from all of them.
fn document(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{title}</title>
<link rel="stylesheet" href="consent.css">
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"#,
        title = escape(title),
    )
}

/// A human description of a scope.
fn describe_scope(scope: &str) -> &str {
    match scope {
        "openid" => "Confirm who you are",
        "profile" => "See your name",
        "email" => "See your email address",
        other => other,
    }
}

/// Escapes text for HTML element content and double-quoted attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An HTML response that is never cached.
pub(super) fn html_response(status: StatusCode, html: String) -> Response {
    let mut response = (status, html).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// 403 for a form post a browser says came from another site.
pub(super) fn forbidden_cross_site() -> Response {
    html_response(
        StatusCode::FORBIDDEN,
        error_page(
            "Request refused",
            "This form can only be submitted from this server's own pages.",
        ),
    )
}

/// `GET {issuer}/consent.css`.
pub(super) async fn get_stylesheet() -> Response {
    let mut response = STYLESHEET.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view<'a>(user: &'a DemoUser, scopes: &'a [String]) -> ConsentView<'a> {
        ConsentView {
            client_name: "Plan <My> Today",
            user,
            scopes,
            sources: Vec::new(),
            request_id: "abc\"def",
            action: "/as/consent",
        }
    }

    #[test]
    fn consent_page_has_the_two_buttons_and_the_request_id() {
        let user = DemoUser::dana();
        let scopes = ["openid".to_owned(), "email".to_owned()];
        let html = consent_page(&view(&user, &scopes));
        assert!(html.contains(r#"id="consent-allow""#));
        assert!(html.contains(r#"id="consent-deny""#));
        assert!(html.contains("Dana Demo"));
        assert!(html.contains("See your email address"));
        assert!(html.contains(r#"name="request" value="abc&quot;def""#));
        assert!(html.contains(r#"<form method="post" action="/as/consent">"#));
    }

    #[test]
    fn pages_carry_no_inline_script_or_style() {
        let user = DemoUser::dana();
        let scopes = ["openid".to_owned()];
        let html = consent_page(&view(&user, &scopes));
        for forbidden in ["<script", "style=", "<style", "onclick", "javascript:"] {
            assert!(!html.contains(forbidden), "{forbidden}");
        }
    }

    #[test]
    fn interpolated_text_is_escaped() {
        let user = DemoUser::dana();
        let scopes = ["<img src=x>".to_owned()];
        let html = consent_page(&view(&user, &scopes));
        assert!(html.contains("Plan &lt;My&gt; Today"));
        assert!(html.contains("&lt;img src=x&gt;"));
        assert!(!html.contains("<img"));
    }
}
