//! The full OAuth flow of a desktop MCP client against demo mode, as the MCP
//! authorization spec has a client do it: 401 → protected resource metadata →
//! authorization server metadata → authorization code + PKCE with a loopback redirect
//! and `resource` = the MCP server → a token that `/mcp` accepts and `/api` refuses.

use crate::demo_as_support;
use crate::mcp_support;

use demo_as_support::{decode_unverified, expect_error, location, pkce, query_value, request_id};
use mcp_support::{challenge, Mcp};
use serde_json::{json, Value};

const CLIENT: &str = "pmt-mcp-desktop";
const REDIRECT: &str = "http://127.0.0.1:53682/oauth/callback";

/// Authorizes the desktop client through the consent page; (code, verifier).
async fn authorize(mcp: &Mcp, resource: &str) -> (String, String) {
    let demo = &mcp.session.demo;
    let (verifier, challenge) = pkce();
    let response = demo
        .authorize(&[
            ("response_type", "code".to_owned()),
            ("client_id", CLIENT.to_owned()),
            ("redirect_uri", REDIRECT.to_owned()),
            ("scope", "plan.read plan.write".to_owned()),
            ("state", "desktop-state".to_owned()),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256".to_owned()),
            ("resource", resource.to_owned()),
        ])
        .await;
    assert_eq!(response.status(), 200, "consent page");
    let html = response.text().await.expect("html");
    assert!(html.contains("An MCP client on this computer"), "{html}");
    let decided = demo.decide(&request_id(&html), "allow").await;
    assert_eq!(decided.status(), 303);
    let back = location(&decided);
    assert!(back.as_str().starts_with(REDIRECT), "{back}");
    assert_eq!(
        query_value(&back, "state").as_deref(),
        Some("desktop-state")
    );
    assert_eq!(
        query_value(&back, "iss").as_deref(),
        Some(demo.issuer.as_str())
    );
    (query_value(&back, "code").expect("code"), verifier)
}

/// The public client's token request: no client authentication, `client_id` in the body.
async fn redeem(mcp: &Mcp, form: &[(&str, &str)]) -> reqwest::Response {
    let demo = &mcp.session.demo;
    demo.http
        .post(demo.url("/as/token"))
        .form(form)
        .send()
        .await
        .expect("token request")
}

#[tokio::test]
async fn a_desktop_client_discovers_authorizes_and_uses_an_mcp_token() {
    let mcp = Mcp::start().await;
    let demo = &mcp.session.demo;

    // 1. The 401 points at the metadata, the metadata at the authorization server.
    let refused = mcp
        .post(None, &mcp_support::request("tools/list", json!({})))
        .await;
    assert_eq!(refused.status(), 401);
    let pointer = challenge(&refused)
        .split("resource_metadata=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("resource_metadata")
        .to_owned();
    let resource_doc: Value = demo
        .http
        .get(&pointer)
        .send()
        .await
        .expect("PRM")
        .json()
        .await
        .expect("json");
    let issuer = resource_doc["authorization_servers"][0]
        .as_str()
        .expect("issuer")
        .to_owned();
    let resource = resource_doc["resource"]
        .as_str()
        .expect("resource")
        .to_owned();
    let issuer_url = url::Url::parse(&issuer).expect("issuer URL");
    let as_doc: Value = demo
        .http
        .get(demo.url(&format!(
            "/.well-known/oauth-authorization-server{}",
            issuer_url.path()
        )))
        .send()
        .await
        .expect("AS metadata")
        .json()
        .await
        .expect("json");
    assert_eq!(as_doc["issuer"], issuer);
    assert_eq!(as_doc["code_challenge_methods_supported"], json!(["S256"]));
    let methods = as_doc["token_endpoint_auth_methods_supported"]
        .as_array()
        .expect("methods");
    assert!(methods.iter().any(|m| m == "none"), "{methods:?}");

    // 2. Authorization code + PKCE, loopback redirect, resource = the MCP server.
    let (code, verifier) = authorize(&mcp, &resource).await;
    let response = redeem(
        &mcp,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", CLIENT),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
            ("resource", &resource),
        ],
    )
    .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("token json");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], "plan.read plan.write");
    assert!(body.get("refresh_token").is_none());
    let token = body["access_token"].as_str().expect("token").to_owned();
    let (_, claims) = decode_unverified(&token);
    assert_eq!(claims["aud"], resource);
    assert_eq!(claims["client_id"], CLIENT);
    assert_eq!(claims["sub"], "demo-user");

    // 3. /mcp accepts it, and a source read through it is exchanged by the backend.
    let message = mcp
        .rpc_with(
            &token,
            "tools/call",
            json!({ "name": "read_github", "arguments": {} }),
        )
        .await;
    assert_eq!(message["result"]["isError"], false, "{message}");
    let page: Value = mcp
        .session
        .request(reqwest::Method::GET, "/api/activity")
        .send()
        .await
        .expect("activity")
        .json()
        .await
        .expect("json");
    let entries = page["entries"].as_array().expect("entries");
    assert!(entries.iter().any(|e| e["type"] == "exchange"
        && e["resource"] == "urn:pmt:github"
        && e["client"] == CLIENT
        && e["actor"] == "mcp"));

    // 4. /api does not.
    let api = demo
        .http
        .get(demo.url("/api/tasks"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("GET /api/tasks");
    assert_eq!(api.status(), 401);
}

#[tokio::test]
async fn the_public_client_cannot_exchange_tokens_or_authenticate_with_a_secret() {
    let mcp = Mcp::start().await;
    let response = redeem(
        &mcp,
        &[
            ("grant_type", demo_as_support::EXCHANGE_GRANT),
            ("client_id", CLIENT),
            ("subject_token", &mcp.token),
            ("subject_token_type", demo_as_support::ACCESS_TOKEN_TYPE),
            ("resource", "urn:pmt:gmail"),
        ],
    )
    .await;
    expect_error(response, 400, "unauthorized_client").await;

    let (code, verifier) = authorize(&mcp, &mcp.mcp_resource()).await;
    let with_secret = redeem(
        &mcp,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", CLIENT),
            ("client_secret", "guess"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    expect_error(with_secret, 401, "invalid_client").await;
}

#[tokio::test]
async fn the_desktop_clients_code_needs_its_verifier_and_is_its_own() {
    let mcp = Mcp::start().await;
    let demo = &mcp.session.demo;
    let (code, _) = authorize(&mcp, &mcp.mcp_resource()).await;
    let wrong = redeem(
        &mcp,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", CLIENT),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &"x".repeat(43)),
        ],
    )
    .await;
    expect_error(wrong, 400, "invalid_grant").await;

    // The backend cannot redeem a code issued to the desktop client.
    let (code, verifier) = authorize(&mcp, &mcp.mcp_resource()).await;
    let stolen = demo
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
        ])
        .await;
    expect_error(stolen, 400, "invalid_grant").await;
}

#[tokio::test]
async fn a_non_loopback_redirect_or_another_resource_is_refused() {
    let mcp = Mcp::start().await;
    let demo = &mcp.session.demo;
    let (_, challenge) = pkce();
    let base = |redirect: &str, resource: &str| {
        vec![
            ("response_type", "code".to_owned()),
            ("client_id", CLIENT.to_owned()),
            ("redirect_uri", redirect.to_owned()),
            ("state", "s".to_owned()),
            ("code_challenge", challenge.clone()),
            ("code_challenge_method", "S256".to_owned()),
            ("resource", resource.to_owned()),
        ]
    };
    let remote = demo
        .authorize(&base("https://evil.example/cb", &mcp.mcp_resource()))
        .await;
    assert_eq!(remote.status(), 400, "never redirected to a remote URI");
    assert!(remote.headers().get(reqwest::header::LOCATION).is_none());

    let api = demo.authorize(&base(REDIRECT, &demo.resource)).await;
    assert_eq!(api.status(), 303);
    let back = location(&api);
    assert!(back.as_str().starts_with(REDIRECT), "{back}");
    assert_eq!(
        query_value(&back, "error").as_deref(),
        Some("invalid_target")
    );
}
