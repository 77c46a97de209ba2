//! RFC 8693 token exchange at the demo authorization server: one resource per request,
//! least scope, only for the confidential client, only from a valid session token.

use crate::demo_as_support;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use demo_as_support::{
    decode_unverified, expect_error, now, start, Demo, ACCESS_TOKEN_TYPE, EXCHANGE_GRANT,
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::pkcs8::EncodePrivateKey;

/// Session-token claims as the server would issue them, with `exp` chosen by the test.
fn session_claims(demo: &Demo, aud: &str, iat: i64, exp: i64) -> serde_json::Value {
    serde_json::json!({
        "iss": demo.issuer, "sub": "demo-user", "aud": aud, "iat": iat, "nbf": iat,
        "exp": exp, "jti": "test", "client_id": demo.client_id, "scope": "openid",
    })
}

fn at_jwt_header(kid: &str) -> Header {
    let mut header = Header::new(Algorithm::ES256);
    header.typ = Some("at+jwt".to_owned());
    header.kid = Some(kid.to_owned());
    header
}

#[tokio::test]
async fn exchange_issues_a_token_for_the_resource_with_act_and_five_minutes() {
    let demo = start().await;
    let session = demo.session_token().await;
    let response = demo
        .exchange(&session, "urn:pmt:google-calendar", Some("calendar.read"))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()[reqwest::header::CACHE_CONTROL],
        "no-store"
    );
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["issued_token_type"], ACCESS_TOKEN_TYPE);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 300);
    assert_eq!(body["scope"], "calendar.read");
    let token = body["access_token"].as_str().expect("token");

    let (header, claims) = decode_unverified(token);
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(header["alg"], "ES256");
    assert_eq!(header["kid"], demo.kid().await.as_str());
    assert_eq!(claims["aud"], "urn:pmt:google-calendar");
    assert_eq!(claims["sub"], "demo-user");
    assert_eq!(claims["iss"], demo.issuer.as_str());
    assert_eq!(claims["client_id"], "pmt-tmb");
    assert_eq!(claims["act"], serde_json::json!({"sub": "pmt-tmb"}));
    assert_eq!(claims["scope"], "calendar.read");
    let iat = claims["iat"].as_i64().expect("iat");
    assert_eq!(claims["exp"].as_i64(), Some(iat + 300));

    // Verifiable with the published keys, for that resource only.
    let jwks = demo
        .http
        .get(demo.url("/as/jwks.json"))
        .send()
        .await
        .expect("jwks")
        .text()
        .await
        .expect("text");
    let keys = pmt_server::auth::validate::KeySet::from_jwks_json(&jwks).expect("keys");
    let for_calendar = pmt_server::auth::validate::Expectations::new(
        demo.issuer.as_str(),
        "urn:pmt:google-calendar",
    );
    assert!(pmt_server::auth::validate::validate(token, &keys, &for_calendar, now()).is_ok());
    let for_backend =
        pmt_server::auth::validate::Expectations::new(demo.issuer.as_str(), "urn:pmt:api");
    assert!(pmt_server::auth::validate::validate(token, &keys, &for_backend, now()).is_err());
}

#[tokio::test]
async fn exchange_without_scope_gets_the_resource_scope() {
    let demo = start().await;
    let session = demo.session_token().await;
    let response = demo.exchange(&session, "urn:pmt:granola", None).await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["scope"], "granola.read");
}

#[tokio::test]
async fn exchange_without_client_authentication_is_refused() {
    let demo = start().await;
    let session = demo.session_token().await;
    let form = [
        ("grant_type", EXCHANGE_GRANT),
        ("client_id", demo.client_id.as_str()),
        ("subject_token", session.as_str()),
        ("subject_token_type", ACCESS_TOKEN_TYPE),
        ("resource", "urn:pmt:gmail"),
    ];
    let response = demo
        .http
        .post(demo.url("/as/token"))
        .form(&form)
        .send()
        .await
        .expect("token");
    expect_error(response, 401, "invalid_client").await;
}

#[tokio::test]
async fn exchange_for_an_unknown_resource_is_invalid_target() {
    let demo = start().await;
    let session = demo.session_token().await;
    let response = demo.exchange(&session, "urn:pmt:jira", None).await;
    expect_error(response, 400, "invalid_target").await;
}

#[tokio::test]
async fn exchange_for_the_backend_itself_is_invalid_target() {
    let demo = start().await;
    let session = demo.session_token().await;
    let response = demo.exchange(&session, "urn:pmt:api", None).await;
    expect_error(response, 400, "invalid_target").await;
}

#[tokio::test]
async fn scope_escalation_is_invalid_scope() {
    let demo = start().await;
    let session = demo.session_token().await;
    for scope in ["gmail.send", "gmail.read calendar.read", "calendar.read"] {
        let response = demo.exchange(&session, "urn:pmt:gmail", Some(scope)).await;
        expect_error(response, 400, "invalid_scope").await;
    }
}

#[tokio::test]
async fn two_resources_in_one_exchange_are_rejected() {
    let demo = start().await;
    let session = demo.session_token().await;
    let response = demo
        .token(&[
            ("grant_type", EXCHANGE_GRANT),
            ("subject_token", &session),
            ("subject_token_type", ACCESS_TOKEN_TYPE),
            ("resource", "urn:pmt:gmail"),
            ("resource", "urn:pmt:slack"),
        ])
        .await;
    expect_error(response, 400, "invalid_target").await;
}

#[tokio::test]
async fn exchange_without_a_resource_is_rejected() {
    let demo = start().await;
    let session = demo.session_token().await;
    let response = demo
        .token(&[
            ("grant_type", EXCHANGE_GRANT),
            ("subject_token", &session),
            ("subject_token_type", ACCESS_TOKEN_TYPE),
        ])
        .await;
    expect_error(response, 400, "invalid_request").await;
}

#[tokio::test]
async fn forged_subject_token_is_invalid_request() {
    let demo = start().await;
    // Signed by a key that is not ours, under our kid.
    let key = p256::SecretKey::random(&mut rand::rngs::OsRng);
    let der = key.to_pkcs8_der().expect("der");
    let iat = now();
    let forged = jsonwebtoken::encode(
        &at_jwt_header(&demo.kid().await),
        &session_claims(&demo, &demo.resource, iat, iat + 900),
        &EncodingKey::from_ec_der(der.as_bytes()),
    )
    .expect("sign");
    let response = demo.exchange(&forged, "urn:pmt:gmail", None).await;
    expect_error(response, 400, "invalid_request").await;
}

#[tokio::test]
async fn alg_none_subject_token_is_invalid_request() {
    let demo = start().await;
    let iat = now();
    let enc = |v: &serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let header = serde_json::json!({"alg": "none", "typ": "at+jwt", "kid": demo.kid().await});
    let claims = session_claims(&demo, &demo.resource, iat, iat + 900);
    for token in [
        format!("{}.{}.", enc(&header), enc(&claims)),
        format!("{}.{}", enc(&header), enc(&claims)),
    ] {
        let response = demo.exchange(&token, "urn:pmt:gmail", None).await;
        expect_error(response, 400, "invalid_request").await;
    }
}

#[tokio::test]
async fn tampered_subject_token_is_invalid_request() {
    let demo = start().await;
    let session = demo.session_token().await;
    let mut parts: Vec<String> = session.split('.').map(str::to_owned).collect();
    let (_, mut claims) = decode_unverified(&session);
    claims["sub"] = serde_json::json!("someone-else");
    parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
    let response = demo.exchange(&parts.join("."), "urn:pmt:gmail", None).await;
    expect_error(response, 400, "invalid_request").await;
}

#[tokio::test]
async fn expired_subject_token_is_invalid_request() {
    let demo = start().await;
    // Signed with the server's real key (read from its data dir), but long expired.
    let pem = std::fs::read(
        demo.data_dir
            .path()
            .join(pmt_server::demo_as::KEY_FILE_NAME),
    )
    .expect("key file");
    let iat = now() - 3_600;
    let expired = jsonwebtoken::encode(
        &at_jwt_header(&demo.kid().await),
        &session_claims(&demo, &demo.resource, iat, iat + 900),
        &EncodingKey::from_ec_pem(&pem).expect("key"),
    )
    .expect("sign");
    let response = demo.exchange(&expired, "urn:pmt:gmail", None).await;
    let body = expect_error(response, 400, "invalid_request").await;
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| d.contains("expired")),
        "{body}"
    );
}

#[tokio::test]
async fn subject_token_for_another_audience_is_invalid_request() {
    let demo = start().await;
    let session = demo.session_token().await;
    let response = demo.exchange(&session, "urn:pmt:gmail", None).await;
    let body: serde_json::Value = response.json().await.expect("json");
    let gmail_token = body["access_token"].as_str().expect("token");
    // A source token (aud = urn:pmt:gmail) cannot be exchanged again.
    let response = demo.exchange(gmail_token, "urn:pmt:slack", None).await;
    expect_error(response, 400, "invalid_request").await;
}

#[tokio::test]
async fn subject_token_of_another_type_is_invalid_request() {
    let demo = start().await;
    let session = demo.session_token().await;
    let response = demo
        .token(&[
            ("grant_type", EXCHANGE_GRANT),
            ("subject_token", &session),
            (
                "subject_token_type",
                "urn:ietf:params:oauth:token-type:id_token",
            ),
            ("resource", "urn:pmt:gmail"),
        ])
        .await;
    expect_error(response, 400, "invalid_request").await;
}

/// Dana revokes or restores a source on her grants page, as a browser would.
async fn set_grant(demo: &Demo, resource: &str, action: &str) {
    let response = demo
        .http
        .post(demo.url("/as/grants"))
        .form(&[("resource", resource), ("action", action)])
        .send()
        .await
        .expect("grants");
    assert_eq!(response.status(), 303, "{action} {resource}");
}

#[tokio::test]
async fn revoked_grant_is_refused_for_that_resource_while_others_still_work() {
    let demo = start().await;
    let session = demo.session_token().await;
    set_grant(&demo, "urn:pmt:slack", "revoke").await;

    let refused = demo.exchange(&session, "urn:pmt:slack", None).await;
    let body = expect_error(refused, 400, "invalid_target").await;
    assert_eq!(
        body["error_description"],
        "the user revoked access to urn:pmt:slack"
    );
    let other = demo.exchange(&session, "urn:pmt:github", None).await;
    assert_eq!(other.status(), 200);

    let page = demo
        .http
        .get(demo.url("/as/grants"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(page.contains("Access revoked"));

    set_grant(&demo, "urn:pmt:slack", "restore").await;
    assert_eq!(
        demo.exchange(&session, "urn:pmt:slack", None)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn cross_site_grant_changes_are_refused() {
    let demo = start().await;
    let response = demo
        .http
        .post(demo.url("/as/grants"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("resource", "urn:pmt:slack"), ("action", "revoke")])
        .send()
        .await
        .expect("grants");
    assert_eq!(response.status(), 403);
    let session = demo.session_token().await;
    assert_eq!(
        demo.exchange(&session, "urn:pmt:slack", None)
            .await
            .status(),
        200
    );
}
