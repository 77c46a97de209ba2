//! Refusing cross-site form posts with Fetch Metadata (`Sec-Fetch-Site`).
//!
//! The consent and grants forms are the only state-changing browser requests here.
//! Their first defence is an unguessable single-use id (consent) or harmlessness
//! (grants); this is the second. `Origin` cannot be used instead: under our
//! `Referrer-Policy: no-referrer` browsers send `Origin: null` on every form post.
//! Clients that are not browsers send no `Sec-Fetch-Site` and are let through.

use axum::http::HeaderMap;

/// Whether a browser says this request came from another site (or origin).
pub(super) fn is_cross_site(headers: &HeaderMap) -> bool {
    headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|site| !matches!(site, "same-origin" | "none"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with_site(site: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("sec-fetch-site", HeaderValue::from_static(site));
        h
    }

    #[test]
    fn same_origin_and_direct_navigation_pass() {
        assert!(!is_cross_site(&with_site("same-origin")));
        assert!(!is_cross_site(&with_site("none")));
        assert!(!is_cross_site(&HeaderMap::new()));
    }

    #[test]
    fn cross_site_and_same_site_posts_are_refused() {
        assert!(is_cross_site(&with_site("cross-site")));
        assert!(is_cross_site(&with_site("same-site")));
    }
}
