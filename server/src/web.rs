//! The browser-facing edge: security headers on every response and the built PWA.

use std::path::Path;

use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

/// The Content-Security-Policy of every response.
///
/// No inline script (the Trunk loader is moved to a file at build time), wasm allowed to
/// compile via `'wasm-unsafe-eval'` only, the API and sign-in on our own origin only, and
/// no framing by anyone.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; \
form-action 'self'; frame-ancestors 'none'";

/// Adds the security headers to every response, whatever produced it.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let is_static_asset = is_hashed_asset(request.uri().path());
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    let fixed: [(HeaderName, &'static str); 5] = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        // Covers the callback page, whose URL carries the code until the app cleans it.
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    for (name, value) in fixed {
        h.insert(name, HeaderValue::from_static(value));
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        let policy = if is_static_asset {
            "public, max-age=31536000, immutable"
        } else {
            "no-store"
        };
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

/// Trunk names build outputs `<name>-<16 hex>.<ext>`; those never change content.
fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let stem = file.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, hash)| {
        (10..=20).contains(&hash.len()) && hash.chars().all(|c| c.is_ascii_hexdigit())
    })
}

/// Serves the built PWA; any path that is not a file gets `index.html` so the
/// client-side router can handle `/callback` and bookmarks.
pub fn pwa(static_dir: &Path) -> Router {
    let index = static_dir.join("index.html");
    // `fallback` (not `not_found_service`) keeps the 200 status for app routes.
    Router::new().fallback_service(
        ServeDir::new(static_dir)
            .precompressed_br()
            .precompressed_gzip()
            .fallback(
                ServeFile::new(index)
                    .precompressed_br()
                    .precompressed_gzip(),
            ),
    )
}

/// The JSON 404 for unknown `/api/*` paths (never the PWA's HTML).
pub async fn api_not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(pmt_wire::ApiError {
            error: "not_found".to_owned(),
            error_description: "No such API endpoint.".to_owned(),
        }),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_trunk_hashed_names() {
        assert!(is_hashed_asset("/plan-my-today-3f2a9c0d1e4b5a69_bg.wasm"));
        assert!(is_hashed_asset("/plan-my-today-3f2a9c0d1e4b5a69.js"));
        assert!(is_hashed_asset("/pmt-pwa-b80654dbc5ac89a.js"));
        assert!(is_hashed_asset("/style-0123456789abcdef.css"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/api/me"));
    }
}
