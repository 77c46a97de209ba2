//! `/mcp` as an OAuth resource server (MCP authorization spec, RFC 9728, RFC 6750):
//! its metadata, its challenges, and the wall between its audience and the API's.

use crate::demo_as_support;
use crate::mcp_support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use demo_as_support::now;
use mcp_support::{challenge, message_of, request, Mcp};
use serde_json::{json, Value};
use tower::ServiceExt;

fn initialize() -> Value {
    request(
        "initialize",
        json!({
            "protocolVersion": mcp_support::PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": { "name": "pmt-test", "version": "0" },
        }),
    )
}

/// Asserts a refusal of `/mcp`: status, the metadata pointer and scope in the
/// challenge, and the RFC 6750 error code (none when no token was sent).
fn assert_refused(mcp: &Mcp, response: &reqwest::Response, status: u16, error: Option<&str>) {
    assert_eq!(response.status(), status);
    let value = challenge(response);
    let expected = format!(
        "Bearer resource_metadata=\"{}\", scope=\"",
        mcp.metadata_url()
    );
    assert!(value.starts_with(&expected), "{value}");
    match error {
        Some(code) => assert!(value.contains(&format!("error=\"{code}\"")), "{value}"),
        None => assert!(!value.contains("error="), "{value}"),
    }
}

#[tokio::test]
async fn the_metadata_names_the_mcp_resource_its_issuer_and_scopes_at_both_well_known_paths() {
    let mcp = Mcp::start().await;
    let demo = &mcp.session.demo;
    assert_eq!(mcp.mcp_resource(), demo.url("/mcp"));
    for path in [
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-protected-resource",
    ] {
        let response = demo
            .http
            .get(demo.url(path))
            .send()
            .await
            .expect("metadata");
        assert_eq!(response.status(), 200, "{path}");
        let doc: Value = response.json().await.expect("json");
        // RFC 9728 §3.3: identical to the resource the well-known URL was built from.
        assert_eq!(doc["resource"], mcp.mcp_resource(), "{path}");
        assert_eq!(doc["authorization_servers"], json!([demo.issuer]));
        assert_eq!(doc["scopes_supported"], json!(["plan.read", "plan.write"]));
        assert_eq!(doc["bearer_methods_supported"], json!(["header"]));
        assert_eq!(doc["resource_name"], "Plan My Today");
    }
    // The authorization server it names is discoverable (RFC 8414).
    let as_meta: Value = demo
        .http
        .get(demo.url("/.well-known/oauth-authorization-server/as"))
        .send()
        .await
        .expect("AS metadata")
        .json()
        .await
        .expect("json");
    assert_eq!(as_meta["issuer"], demo.issuer);
}

#[tokio::test]
async fn a_request_without_a_token_gets_401_pointing_at_the_metadata() {
    let mcp = Mcp::start().await;
    let response = mcp.post(None, &initialize()).await;
    assert_refused(&mcp, &response, 401, None);
    let value = challenge(&response);
    assert!(value.contains("scope=\"plan.read plan.write\""), "{value}");
    let get = mcp
        .session
        .demo
        .http
        .get(mcp.mcp_url())
        .header(reqwest::header::ACCEPT, "text/event-stream")
        .send()
        .await
        .expect("GET /mcp");
    assert_refused(&mcp, &get, 401, None);
}

#[tokio::test]
async fn a_malformed_token_or_header_gets_401_with_the_challenge() {
    let mcp = Mcp::start().await;
    for token in ["not-a-jwt", "a.b.c", "eyJhbGciOiJub25lIn0.e30."] {
        let response = mcp.post(Some(token), &initialize()).await;
        assert_refused(&mcp, &response, 401, Some("invalid_token"));
        let value = challenge(&response);
        let body = response.text().await.expect("body");
        if token.len() > 8 {
            assert!(
                !body.contains(token) && !value.contains(token),
                "the token is echoed"
            );
        }
    }
    let basic = mcp
        .session
        .demo
        .http
        .post(mcp.mcp_url())
        .header(reqwest::header::AUTHORIZATION, "Basic ZGFuYTpwdw==")
        .json(&initialize())
        .send()
        .await
        .expect("POST /mcp");
    assert_refused(&mcp, &basic, 401, Some("invalid_request"));
}

#[tokio::test]
async fn an_expired_mcp_token_gets_401_invalid_token() {
    let mcp = Mcp::start().await;
    let expired = mcp
        .forge(&mcp.claims(&mcp.mcp_resource(), "plan.read plan.write", now() - 3_600))
        .await;
    let response = mcp.post(Some(&expired), &initialize()).await;
    assert_refused(&mcp, &response, 401, Some("invalid_token"));
    assert!(
        challenge(&response).contains("expired"),
        "{}",
        challenge(&response)
    );
}

#[tokio::test]
async fn a_pwa_session_token_is_refused_at_mcp() {
    let mcp = Mcp::start().await;
    let response = mcp.post(Some(&mcp.session.token), &initialize()).await;
    assert_refused(&mcp, &response, 401, Some("invalid_token"));
    assert!(
        challenge(&response).contains("not issued for this service"),
        "{}",
        challenge(&response)
    );
}

#[tokio::test]
async fn tokens_for_other_audiences_or_for_both_are_refused_at_mcp() {
    let mcp = Mcp::start().await;
    let demo = &mcp.session.demo;
    // A source token from a real exchange.
    let exchanged: Value = demo
        .exchange(&mcp.session.token, "urn:pmt:linear", None)
        .await
        .json()
        .await
        .expect("exchange json");
    let linear = exchanged["access_token"].as_str().expect("token");
    let response = mcp.post(Some(linear), &initialize()).await;
    assert_refused(&mcp, &response, 401, Some("invalid_token"));
    // The MCP URL with a trailing slash is another resource (exact match).
    let slash = format!("{}/", mcp.mcp_resource());
    let token = mcp
        .forge(&mcp.claims(&slash, "plan.read plan.write", now() + 600))
        .await;
    let response = mcp.post(Some(&token), &initialize()).await;
    assert_refused(&mcp, &response, 401, Some("invalid_token"));
    // A token for both the API and the MCP server: the audiences stay exclusive.
    let mut claims = mcp.claims("", "plan.read plan.write", now() + 600);
    claims["aud"] = json!([demo.resource, mcp.mcp_resource()]);
    let both = mcp.forge(&claims).await;
    let response = mcp.post(Some(&both), &initialize()).await;
    assert_refused(&mcp, &response, 401, Some("invalid_token"));
}

#[tokio::test]
async fn an_mcp_token_is_refused_at_the_api() {
    let mcp = Mcp::start().await;
    for path in ["/api/tasks", "/api/me", "/api/activity"] {
        let response = mcp
            .session
            .demo
            .http
            .get(mcp.session.demo.url(path))
            .bearer_auth(&mcp.token)
            .send()
            .await
            .expect("GET");
        assert_eq!(response.status(), 401, "{path}");
        assert!(
            challenge(&response).contains("invalid_token"),
            "{path}: {}",
            challenge(&response)
        );
    }
    // Nor can it mint more MCP tokens.
    let response = mcp
        .session
        .demo
        .http
        .post(mcp.session.demo.url("/api/mcp/token"))
        .bearer_auth(&mcp.token)
        .send()
        .await
        .expect("POST /api/mcp/token");
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn the_mcp_token_endpoint_issues_a_one_hour_mcp_audience_token_for_the_session_user() {
    let mcp = Mcp::start().await;
    let body = mcp_support::mcp_token(&mcp.session).await;
    assert_eq!(body["mcp_url"], mcp.mcp_resource());
    assert_eq!(body["expires_in"], 3600);
    let token = body["access_token"].as_str().expect("token");
    let (header, claims) = demo_as_support::decode_unverified(token);
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(header["alg"], "ES256");
    assert_eq!(claims["aud"], mcp.mcp_resource());
    assert_eq!(claims["iss"], mcp.session.demo.issuer);
    assert_eq!(claims["sub"], "demo-user");
    assert_eq!(claims["client_id"], "pmt-mcp-local");
    assert_eq!(claims["scope"], "plan.read plan.write");
    let iat = claims["iat"].as_i64().expect("iat");
    assert_eq!(claims["exp"].as_i64(), Some(iat + 3600));

    let anonymous = mcp
        .session
        .demo
        .http
        .post(mcp.session.demo.url("/api/mcp/token"))
        .send()
        .await
        .expect("POST");
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn outside_demo_mode_the_mcp_token_endpoint_is_404() {
    let mcp = Mcp::start().await;
    // The same configuration served without demo handles: sessions still validate
    // against the running issuer, but no MCP token is handed out.
    let store = pmt_server::store::Store::open_in_memory().expect("store");
    let state = pmt_server::AppState::new((*mcp.session.demo.server.config).clone(), store);
    let app = pmt_server::app(state, None);
    let response = app
        .oneshot(
            Request::post("/api/mcp/token")
                .header("authorization", format!("Bearer {}", mcp.session.token))
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_mcp_token_opens_a_session_and_lists_tools() {
    let mcp = Mcp::start().await;
    let result = mcp.initialize().await;
    assert_eq!(result["serverInfo"]["name"], "plan-my-today");
    assert!(result["capabilities"]["tools"].is_object(), "{result}");
    assert!(
        result["instructions"]
            .as_str()
            .is_some_and(|i| i.contains("get_todays_tasks")),
        "{result}"
    );
    assert!(result["protocolVersion"].is_string());
    // Stateless: no session to carry, every request stands alone.
    let response = mcp.post(Some(&mcp.token), &initialize()).await;
    assert!(response.headers().get("mcp-session-id").is_none());
    let listed = mcp.rpc("tools/list", json!({})).await;
    assert!(listed["result"]["tools"].is_array(), "{listed}");
}

#[tokio::test]
async fn a_token_without_the_read_scope_gets_403_insufficient_scope() {
    let mcp = Mcp::start().await;
    let token = mcp
        .forge(&mcp.claims(&mcp.mcp_resource(), "openid", now() + 600))
        .await;
    let response = mcp.post(Some(&token), &initialize()).await;
    assert_refused(&mcp, &response, 403, Some("insufficient_scope"));
    assert!(challenge(&response).contains("scope=\"plan.read\""));
}

#[tokio::test]
async fn a_cross_origin_browser_request_is_refused_even_with_a_token() {
    let mcp = Mcp::start().await;
    let response = mcp
        .session
        .demo
        .http
        .post(mcp.mcp_url())
        .bearer_auth(&mcp.token)
        .header(
            reqwest::header::ACCEPT,
            "application/json, text/event-stream",
        )
        .header(reqwest::header::ORIGIN, "https://evil.example")
        .json(&initialize())
        .send()
        .await
        .expect("POST /mcp");
    assert_eq!(response.status(), 403);
    let _ = message_of(response).await;
}
