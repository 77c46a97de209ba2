//! Token exchange with an MCP token as the subject, at the demo authorization server:
//! the backend may exchange it for one source (that is how MCP tool calls reach the
//! sources without passing the MCP token on), and the subject's audience must still be
//! one of the backend's two — nothing else.

use crate::demo_as_support;
use crate::mcp_support;

use demo_as_support::{decode_unverified, expect_error, now};
use mcp_support::Mcp;

#[tokio::test]
async fn the_backend_exchanges_an_mcp_token_for_one_source() {
    let mcp = Mcp::start().await;
    let demo = &mcp.session.demo;
    let response = demo.exchange(&mcp.token, "urn:pmt:gmail", None).await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["scope"], "gmail.read");
    let (_, claims) = decode_unverified(body["access_token"].as_str().expect("token"));
    assert_eq!(claims["aud"], "urn:pmt:gmail");
    assert_eq!(claims["sub"], "demo-user");
    assert_eq!(claims["client_id"], demo.client_id.as_str());
    assert_eq!(claims["act"], serde_json::json!({ "sub": demo.client_id }));
}

#[tokio::test]
async fn an_mcp_token_cannot_be_exchanged_into_a_session_or_another_mcp_token() {
    let mcp = Mcp::start().await;
    let demo = &mcp.session.demo;
    for target in [demo.resource.clone(), mcp.mcp_resource()] {
        let response = demo.exchange(&mcp.token, &target, None).await;
        expect_error(response, 400, "invalid_target").await;
    }
}

#[tokio::test]
async fn subject_tokens_for_any_other_audience_are_still_refused() {
    let mcp = Mcp::start().await;
    let demo = &mcp.session.demo;
    let exp = now() + 600;
    for aud in [
        format!("{}/", mcp.mcp_resource()),
        demo.url("/mcp2"),
        "urn:pmt:other".to_owned(),
        "urn:pmt:gmail".to_owned(),
    ] {
        let token = mcp.forge(&mcp.claims(&aud, "plan.read", exp)).await;
        let response = demo.exchange(&token, "urn:pmt:linear", None).await;
        let body = expect_error(response, 400, "invalid_request").await;
        assert!(
            body["error_description"]
                .as_str()
                .is_some_and(|d| d.contains("not issued for this service")),
            "{aud}: {body}"
        );
    }
}

#[tokio::test]
async fn an_expired_mcp_token_is_not_exchanged() {
    let mcp = Mcp::start().await;
    let expired = mcp
        .forge(&mcp.claims(&mcp.mcp_resource(), "plan.read", now() - 60))
        .await;
    let response = mcp
        .session
        .demo
        .exchange(&expired, "urn:pmt:linear", None)
        .await;
    let body = expect_error(response, 400, "invalid_request").await;
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| d.contains("expired")),
        "{body}"
    );
}
