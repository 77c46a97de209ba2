//! The demo authorization server's authorization endpoint and consent page, driven the
//! way a browser drives them (no redirects followed).

use crate::demo_as_support;

use demo_as_support::{location, pkce, query_value, request_id, start, without_query, Demo};

/// Asserts an error redirected to the registered redirect URI with state and iss.
fn assert_redirected_error(demo: &Demo, response: &reqwest::Response, error: &str) {
    assert_eq!(response.status(), 303, "redirected");
    let loc = location(response);
    assert_eq!(without_query(&loc), demo.redirect_uri);
    assert_eq!(query_value(&loc, "error").as_deref(), Some(error));
    assert!(query_value(&loc, "error_description").is_some());
    assert_eq!(query_value(&loc, "state").as_deref(), Some("state-123"));
    assert_eq!(
        query_value(&loc, "iss").as_deref(),
        Some(demo.issuer.as_str())
    );
    assert!(query_value(&loc, "code").is_none());
}

/// Asserts an HTML error page with no redirect at all.
async fn assert_error_page_without_redirect(response: reqwest::Response) {
    assert_eq!(response.status(), 400);
    assert!(response.headers().get(reqwest::header::LOCATION).is_none());
    let content_type = response.headers()[reqwest::header::CONTENT_TYPE]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let html = response.text().await.expect("html");
    assert!(html.contains("not sent back"), "{html}");
}

fn replace(params: &mut Vec<(&'static str, String)>, name: &str, value: Option<&str>) {
    let key = params
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(k, _)| *k)
        .expect("known parameter");
    params.retain(|(k, _)| *k != name);
    if let Some(v) = value {
        params.push((key, v.to_owned()));
    }
}

#[tokio::test]
async fn rejects_missing_code_challenge() {
    let demo = start().await;
    let mut params = demo.authorize_params(&pkce().1);
    replace(&mut params, "code_challenge", None);
    let response = demo.authorize(&params).await;
    assert_redirected_error(&demo, &response, "invalid_request");
}

#[tokio::test]
async fn rejects_plain_code_challenge_method() {
    let demo = start().await;
    let (verifier, _) = pkce();
    let mut params = demo.authorize_params(&verifier);
    replace(&mut params, "code_challenge_method", Some("plain"));
    let response = demo.authorize(&params).await;
    assert_redirected_error(&demo, &response, "invalid_request");
}

#[tokio::test]
async fn rejects_missing_code_challenge_method() {
    let demo = start().await;
    let mut params = demo.authorize_params(&pkce().1);
    replace(&mut params, "code_challenge_method", None);
    let response = demo.authorize(&params).await;
    assert_redirected_error(&demo, &response, "invalid_request");
}

#[tokio::test]
async fn rejects_non_exact_redirect_uri_without_redirecting() {
    let demo = start().await;
    let other_port = format!(
        "http://127.0.0.1:{}/callback",
        demo.server.addr.port().wrapping_add(1)
    );
    for bad in [
        format!("{}/", demo.redirect_uri),
        format!("{}?next=/", demo.redirect_uri),
        other_port,
        demo.redirect_uri.replace("127.0.0.1", "localhost"),
        "https://evil.example/callback".to_owned(),
    ] {
        let mut params = demo.authorize_params(&pkce().1);
        replace(&mut params, "redirect_uri", Some(&bad));
        assert_error_page_without_redirect(demo.authorize(&params).await).await;
    }
}

#[tokio::test]
async fn rejects_unknown_client_without_redirecting() {
    let demo = start().await;
    let mut params = demo.authorize_params(&pkce().1);
    replace(&mut params, "client_id", Some("someone-else"));
    assert_error_page_without_redirect(demo.authorize(&params).await).await;
}

#[tokio::test]
async fn rejects_response_type_token() {
    let demo = start().await;
    let mut params = demo.authorize_params(&pkce().1);
    replace(&mut params, "response_type", Some("token"));
    let response = demo.authorize(&params).await;
    assert_redirected_error(&demo, &response, "unsupported_response_type");
}

#[tokio::test]
async fn rejects_a_resource_other_than_the_backend_with_invalid_target() {
    let demo = start().await;
    let mut params = demo.authorize_params(&pkce().1);
    replace(&mut params, "resource", Some("urn:pmt:gmail"));
    let response = demo.authorize(&params).await;
    assert_redirected_error(&demo, &response, "invalid_target");
}

#[tokio::test]
async fn consent_page_names_the_app_the_user_and_the_scopes() {
    let demo = start().await;
    let response = demo.authorize(&demo.authorize_params(&pkce().1)).await;
    assert_eq!(response.status(), 200);
    let csp = response.headers()[reqwest::header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("csp")
        .to_owned();
    assert!(csp.contains("frame-ancestors 'none'"));
    let html = response.text().await.expect("html");
    for text in [
        "Plan My Today",
        "Dana Demo",
        "dana@example.com",
        "See your email address",
        r#"id="consent-allow""#,
        r#"id="consent-deny""#,
        r#"<form method="post" action="/as/consent">"#,
    ] {
        assert!(html.contains(text), "{text}");
    }
    for inline in ["<script", "style=", "<style"] {
        assert!(!html.contains(inline), "no inline {inline}");
    }
    let css = demo
        .http
        .get(demo.url("/as/consent.css"))
        .send()
        .await
        .expect("css");
    assert_eq!(css.status(), 200);
    assert!(css.headers()[reqwest::header::CONTENT_TYPE]
        .to_str()
        .expect("ascii")
        .starts_with("text/css"));
}

#[tokio::test]
async fn consent_allow_returns_code_state_and_iss() {
    let demo = start().await;
    let id = demo.consent_request_id(&pkce().1).await;
    let response = demo.decide(&id, "allow").await;
    assert_eq!(response.status(), 303);
    let loc = location(&response);
    assert_eq!(without_query(&loc), demo.redirect_uri);
    let code = query_value(&loc, "code").expect("code");
    assert!(code.len() >= 22, "at least 128 bits");
    assert_eq!(query_value(&loc, "state").as_deref(), Some("state-123"));
    assert_eq!(
        query_value(&loc, "iss").as_deref(),
        Some(demo.issuer.as_str())
    );
    assert!(query_value(&loc, "error").is_none());
}

#[tokio::test]
async fn consent_deny_returns_access_denied() {
    let demo = start().await;
    let id = demo.consent_request_id(&pkce().1).await;
    let response = demo.decide(&id, "deny").await;
    assert_redirected_error(&demo, &response, "access_denied");
    let loc = location(&response);
    assert_eq!(
        query_value(&loc, "error_description").as_deref(),
        Some("The user denied the request")
    );
}

#[tokio::test]
async fn consent_request_id_is_single_use() {
    let demo = start().await;
    let id = demo.consent_request_id(&pkce().1).await;
    assert_eq!(demo.decide(&id, "allow").await.status(), 303);
    let again = demo.decide(&id, "allow").await;
    assert_eq!(again.status(), 400);
    assert!(again.headers().get(reqwest::header::LOCATION).is_none());
}

#[tokio::test]
async fn consent_with_an_unknown_request_id_is_refused() {
    let demo = start().await;
    let response = demo.decide("made-up-id", "allow").await;
    assert_eq!(response.status(), 400);
    assert!(response.headers().get(reqwest::header::LOCATION).is_none());
}

#[tokio::test]
async fn cross_site_consent_post_is_refused() {
    let demo = start().await;
    let response = demo.authorize(&demo.authorize_params(&pkce().1)).await;
    let id = request_id(&response.text().await.expect("html"));
    let forged = demo
        .http
        .post(demo.url("/as/consent"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("request", id.as_str()), ("decision", "allow")])
        .send()
        .await
        .expect("post");
    assert_eq!(forged.status(), 403);
    // The refused post did not spend the request: the user can still answer it.
    assert_eq!(demo.decide(&id, "allow").await.status(), 303);
}
