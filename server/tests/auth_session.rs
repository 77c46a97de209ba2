//! `POST /api/session` against a fixture authorization server: input checks before any
//! network call, confidential-client redemption, plain-worded refusals.

use crate::auth_support;

use auth_support::{
    app, body_json, FixtureAs, MetadataMode, CLIENT_ID, CLIENT_SECRET, PUBLIC_URL, RESOURCE,
};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};
use tower::ServiceExt;

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

fn redirect_uri() -> String {
    format!("{PUBLIC_URL}/callback")
}

async fn post_session(app: axum::Router, body: Value) -> Response {
    app.oneshot(
        Request::post("/api/session")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("request"),
    )
    .await
    .expect("response")
}

#[tokio::test]
async fn a_code_and_verifier_become_a_validated_session() {
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    let code = fixture.issue_code(VERIFIER, &redirect_uri());
    let response = post_session(
        app(fixture.config()),
        json!({"code": code, "code_verifier": VERIFIER, "redirect_uri": redirect_uri()}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let (json, _) = body_json(response).await;
    let session: pmt_wire::SessionResponse = serde_json::from_value(json).expect("session");
    assert_eq!(session.user.sub, "user-1");
    assert_eq!(session.user.email.as_deref(), Some("dana@example.com"));
    assert!(session.expires_at > auth_support::now());
    assert_eq!(session.token.split('.').count(), 3);
}

#[tokio::test]
async fn the_token_request_is_a_confidential_client_request_with_pkce_and_resource() {
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    let code = fixture.issue_code(VERIFIER, &redirect_uri());
    let response = post_session(
        app(fixture.config()),
        json!({"code": code, "code_verifier": VERIFIER, "redirect_uri": redirect_uri()}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let forms = fixture.state.token_forms.lock().expect("forms").clone();
    let form: Vec<(String, String)> = url::form_urlencoded::parse(forms[0].as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(get("grant_type"), Some("authorization_code"));
    assert_eq!(get("code"), Some(code.as_str()));
    assert_eq!(get("redirect_uri"), Some(redirect_uri().as_str()));
    assert_eq!(get("code_verifier"), Some(VERIFIER));
    assert_eq!(get("resource"), Some(RESOURCE));
    assert_eq!(
        get("client_secret"),
        None,
        "the secret travels only in the header"
    );
    let auth = fixture.state.token_auth.lock().expect("auth").clone();
    assert_eq!(auth.len(), 1);
    assert!(auth[0].starts_with("Basic "));
    assert!(!auth[0].contains(CLIENT_SECRET) && !auth[0].contains(CLIENT_ID));
}

#[tokio::test]
async fn a_replayed_code_is_refused_in_plain_words() {
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    let app = app(fixture.config());
    let code = fixture.issue_code(VERIFIER, &redirect_uri());
    let body = json!({"code": code, "code_verifier": VERIFIER, "redirect_uri": redirect_uri()});
    let first = post_session(app.clone(), body.clone()).await;
    assert_eq!(first.status(), StatusCode::OK);
    let replay = post_session(app, body).await;
    assert_eq!(replay.status(), StatusCode::BAD_REQUEST);
    let (json, text) = body_json(replay).await;
    assert_eq!(json["error"], "invalid_grant");
    assert_eq!(
        json["error_description"],
        "The sign-in code was already used or has expired. Please sign in again."
    );
    assert!(!text.contains(&code) && !text.contains(VERIFIER));
}

#[tokio::test]
async fn a_wrong_verifier_is_refused() {
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    let code = fixture.issue_code(VERIFIER, &redirect_uri());
    let other = "a".repeat(43);
    let response = post_session(
        app(fixture.config()),
        json!({"code": code, "code_verifier": other, "redirect_uri": redirect_uri()}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let (json, _) = body_json(response).await;
    assert_eq!(json["error"], "invalid_grant");
}

#[tokio::test]
async fn a_foreign_redirect_uri_is_refused_before_any_network_call() {
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    for other in [
        "https://evil.example/callback".to_owned(),
        format!("{}/", redirect_uri()),
        format!("{PUBLIC_URL}/callback?next=x"),
    ] {
        let response = post_session(
            app(fixture.config()),
            json!({"code": "abc", "code_verifier": VERIFIER, "redirect_uri": other}),
        )
        .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{other}");
        let (json, _) = body_json(response).await;
        assert_eq!(json["error"], "invalid_request");
    }
    assert_eq!(fixture.hits(), 0);
}

#[tokio::test]
async fn a_malformed_verifier_is_refused_before_any_network_call() {
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    for verifier in ["short", &"a".repeat(129), &format!("{}%", "a".repeat(43))] {
        let response = post_session(
            app(fixture.config()),
            json!({"code": "abc", "code_verifier": verifier, "redirect_uri": redirect_uri()}),
        )
        .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let (json, text) = body_json(response).await;
        assert_eq!(json["error"], "invalid_request");
        assert!(!text.contains(verifier));
    }
    assert_eq!(fixture.hits(), 0);
}

#[tokio::test]
async fn a_body_that_is_not_a_session_request_is_a_400_json_error() {
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    let response = post_session(app(fixture.config()), json!({"code": 1})).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let (json, _) = body_json(response).await;
    assert_eq!(json["error"], "invalid_request");
    assert_eq!(fixture.hits(), 0);
}

#[tokio::test]
async fn an_unreachable_authorization_server_is_a_502() {
    let issuer = auth_support::unreachable_issuer().await;
    let response = post_session(
        app(auth_support::config_for(&issuer)),
        json!({"code": "abc", "code_verifier": VERIFIER, "redirect_uri": redirect_uri()}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let (json, _) = body_json(response).await;
    assert_eq!(json["error"], "upstream_unavailable");
}

#[tokio::test]
async fn a_token_issued_for_another_audience_is_not_handed_to_the_browser() {
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    *fixture.state.token_overrides.lock().expect("overrides") =
        json!({"aud": auth_support::MCP_AUDIENCE});
    let code = fixture.issue_code(VERIFIER, &redirect_uri());
    let response = post_session(
        app(fixture.config()),
        json!({"code": code, "code_verifier": VERIFIER, "redirect_uri": redirect_uri()}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let (_, text) = body_json(response).await;
    assert!(!text.contains("eyJ"), "no token in the error: {text}");
}
