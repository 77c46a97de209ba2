//! `AuthUser` through `GET /api/me`: RFC 6750 challenges, and no token in any answer.

use crate::auth_support;

use auth_support::{
    app, body_json, claims, now, FixtureAs, MetadataMode, TestKey, MCP_AUDIENCE, RESOURCE,
};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::response::Response;
use tower::ServiceExt;

async fn get_me(fixture: &FixtureAs, authorization: Option<&str>) -> Response {
    let mut request = Request::get("/api/me");
    if let Some(value) = authorization {
        request = request.header(header::AUTHORIZATION, value);
    }
    app(fixture.config())
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("response")
}

fn challenge(response: &Response) -> String {
    response
        .headers()
        .get(header::WWW_AUTHENTICATE)
        .expect("WWW-Authenticate")
        .to_str()
        .expect("ascii")
        .to_owned()
}

#[tokio::test]
async fn no_authorization_header_gets_a_bare_bearer_challenge() {
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    let response = get_me(&fixture, None).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(challenge(&response), "Bearer");
    assert_eq!(fixture.hits(), 0, "nothing to validate, nothing fetched");
}

#[tokio::test]
async fn another_scheme_is_an_invalid_request() {
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    let response = get_me(&fixture, Some("Basic xyz")).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(
        challenge(&response).starts_with("Bearer error=\"invalid_request\""),
        "{}",
        challenge(&response)
    );
    let (json, _) = body_json(response).await;
    assert_eq!(json["error"], "invalid_request");
}

#[tokio::test]
async fn a_garbage_bearer_token_is_invalid_and_never_echoed() {
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    let garbage = "c2VjcmV0LWdhcmJhZ2UtdG9rZW4tdmFsdWU";
    let response = get_me(&fixture, Some(&format!("Bearer {garbage}"))).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let header = challenge(&response);
    assert!(
        header.starts_with("Bearer error=\"invalid_token\""),
        "{header}"
    );
    assert!(!header.contains(garbage));
    let (json, text) = body_json(response).await;
    assert_eq!(json["error"], "invalid_token");
    assert!(!text.contains(garbage));
    assert_eq!(fixture.hits(), 0, "a malformed token causes no fetch");
}

#[tokio::test]
async fn a_valid_token_reveals_who_is_calling() {
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    let token = fixture.access_token();
    let response = get_me(&fixture, Some(&format!("Bearer {token}"))).await;
    assert_eq!(response.status(), StatusCode::OK);
    let (json, text) = body_json(response).await;
    let me: pmt_wire::Me = serde_json::from_value(json).expect("Me");
    assert_eq!(me.user.sub, "user-1");
    assert_eq!(me.user.name.as_deref(), Some("Dana Demo"));
    assert_eq!(me.issuer, fixture.issuer());
    assert!(!text.contains(&token));
}

#[tokio::test]
async fn an_expired_token_is_refused_in_plain_words_without_the_token() {
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    let mut c = claims(&fixture.issuer(), RESOURCE, now() - 3600);
    c["exp"] = serde_json::json!(now() - 600);
    let token = fixture.state.key.token(&c);
    let response = get_me(&fixture, Some(&format!("Bearer {token}"))).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenge(&response),
        "Bearer error=\"invalid_token\", error_description=\"the token has expired\""
    );
    let (json, text) = body_json(response).await;
    assert_eq!(json["error_description"], "the token has expired");
    for part in token.split('.') {
        assert!(!text.contains(part));
    }
}

#[tokio::test]
async fn a_token_for_the_mcp_audience_is_refused_by_the_api() {
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    let token = fixture
        .state
        .key
        .token(&claims(&fixture.issuer(), MCP_AUDIENCE, now()));
    let response = get_me(&fixture, Some(&format!("Bearer {token}"))).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let (json, _) = body_json(response).await;
    assert_eq!(
        json["error_description"],
        "the token was not issued for this service"
    );
}

#[tokio::test]
async fn a_token_signed_by_a_stranger_is_refused() {
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    let stranger = TestKey::generate("fixture-key-1");
    let token = stranger.token(&claims(&fixture.issuer(), RESOURCE, now()));
    let response = get_me(&fixture, Some(&format!("Bearer {token}"))).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let (json, _) = body_json(response).await;
    assert_eq!(json["error"], "invalid_token");
}

#[tokio::test]
async fn an_unreachable_authorization_server_is_a_502_not_a_sign_out() {
    let issuer = auth_support::unreachable_issuer().await;
    let key = TestKey::generate("k");
    let token = key.token(&claims(&issuer, RESOURCE, now()));
    let response = app(auth_support::config_for(&issuer))
        .oneshot(
            Request::get("/api/me")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
}
