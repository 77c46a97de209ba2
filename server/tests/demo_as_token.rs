//! The demo authorization server's token endpoint: client authentication and the
//! authorization code grant with PKCE, talked to the way the backend talks to it.

use crate::demo_as_support;

use demo_as_support::{decode_unverified, expect_error, form_encode, now, pkce, start};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};

#[tokio::test]
async fn issued_token_has_the_required_header_and_claims_and_verifies_against_the_jwks() {
    let demo = start().await;
    let (verifier, challenge) = pkce();
    let code = demo.code(&challenge).await;
    let response = demo.redeem(&code, &verifier).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()[reqwest::header::CACHE_CONTROL],
        "no-store"
    );
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["scope"], "openid profile email");
    assert!(body.get("refresh_token").is_none(), "no refresh token");
    let token = body["access_token"].as_str().expect("access_token");

    let jwks: JwkSet = demo
        .http
        .get(demo.url("/as/jwks.json"))
        .send()
        .await
        .expect("jwks")
        .json()
        .await
        .expect("jwks json");
    let header = jsonwebtoken::decode_header(token).expect("header");
    assert_eq!(header.alg, Algorithm::ES256);
    assert_eq!(header.typ.as_deref(), Some("at+jwt"));
    let kid = header.kid.expect("kid");
    let jwk = jwks.find(&kid).expect("kid is in the JWKS");
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_issuer(&[demo.issuer.as_str()]);
    validation.set_audience(&[demo.resource.as_str()]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub", "nbf"]);
    let verified = jsonwebtoken::decode::<serde_json::Value>(
        token,
        &DecodingKey::from_jwk(jwk).expect("decoding key"),
        &validation,
    )
    .expect("verifies against the JWKS");
    let c = verified.claims;
    assert_eq!(c["iss"], demo.issuer.as_str());
    assert_eq!(c["sub"], "demo-user");
    assert_eq!(c["aud"], "urn:pmt:api", "aud is a single string");
    assert_eq!(c["client_id"], "pmt-tmb");
    assert_eq!(c["scope"], "openid profile email");
    assert_eq!(c["name"], "Dana Demo");
    assert_eq!(c["email"], "dana@example.com");
    let iat = c["iat"].as_i64().expect("iat");
    assert!((iat - now()).abs() <= 5);
    assert_eq!(c["nbf"].as_i64(), Some(iat));
    assert_eq!(c["exp"].as_i64(), Some(iat + 900));
    assert!(c["jti"].as_str().is_some_and(|j| j.len() >= 16));
    assert!(c.get("act").is_none());

    // And through the backend's own validator, which is what production uses.
    let keys = pmt_server::auth::validate::KeySet::from_jwks_json(
        &serde_json::to_string(&jwks).expect("jwks"),
    )
    .expect("key set");
    let expect = pmt_server::auth::validate::Expectations::new(demo.issuer.as_str(), "urn:pmt:api");
    let claims = pmt_server::auth::validate::validate(token, &keys, &expect, now()).expect("valid");
    assert_eq!(claims.sub, "demo-user");
}

#[tokio::test]
async fn replayed_code_is_rejected() {
    let demo = start().await;
    let (verifier, challenge) = pkce();
    let code = demo.code(&challenge).await;
    assert_eq!(demo.redeem(&code, &verifier).await.status(), 200);
    let again = demo.redeem(&code, &verifier).await;
    expect_error(again, 400, "invalid_grant").await;
}

#[tokio::test]
async fn wrong_verifier_is_rejected() {
    let demo = start().await;
    let (_, challenge) = pkce();
    let (other_verifier, _) = pkce();
    let code = demo.code(&challenge).await;
    let response = demo.redeem(&code, &other_verifier).await;
    expect_error(response, 400, "invalid_grant").await;
}

#[tokio::test]
async fn a_code_spent_on_a_wrong_verifier_cannot_be_retried() {
    let demo = start().await;
    let (verifier, challenge) = pkce();
    let code = demo.code(&challenge).await;
    let (wrong, _) = pkce();
    expect_error(demo.redeem(&code, &wrong).await, 400, "invalid_grant").await;
    expect_error(demo.redeem(&code, &verifier).await, 400, "invalid_grant").await;
}

#[tokio::test]
async fn missing_verifier_is_rejected() {
    let demo = start().await;
    let (_, challenge) = pkce();
    let code = demo.code(&challenge).await;
    let response = demo
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &demo.redirect_uri),
        ])
        .await;
    expect_error(response, 400, "invalid_request").await;
}

#[tokio::test]
async fn redirect_uri_other_than_the_authorized_one_is_rejected() {
    let demo = start().await;
    let (verifier, challenge) = pkce();
    let code = demo.code(&challenge).await;
    let other = format!("{}/", demo.redirect_uri);
    let response = demo
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &other),
            ("code_verifier", &verifier),
        ])
        .await;
    expect_error(response, 400, "invalid_grant").await;
}

#[tokio::test]
async fn wrong_client_secret_is_invalid_client_with_401() {
    let demo = start().await;
    let (verifier, challenge) = pkce();
    let code = demo.code(&challenge).await;
    let response = demo
        .http
        .post(demo.url("/as/token"))
        .basic_auth(&demo.client_id, Some("not-the-secret"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &demo.redirect_uri),
            ("code_verifier", &verifier),
        ])
        .send()
        .await
        .expect("token");
    let challenge_header = response.headers()[reqwest::header::WWW_AUTHENTICATE]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(challenge_header.starts_with("Basic"), "{challenge_header}");
    expect_error(response, 401, "invalid_client").await;
}

#[tokio::test]
async fn missing_client_authentication_is_rejected() {
    let demo = start().await;
    let (verifier, challenge) = pkce();
    let code = demo.code(&challenge).await;
    // A public-client style request: client_id only, no secret.
    let response = demo
        .http
        .post(demo.url("/as/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", demo.client_id.as_str()),
            ("code", &code),
            ("redirect_uri", &demo.redirect_uri),
            ("code_verifier", &verifier),
        ])
        .send()
        .await
        .expect("token");
    assert!(response
        .headers()
        .contains_key(reqwest::header::WWW_AUTHENTICATE));
    expect_error(response, 401, "invalid_client").await;
}

#[tokio::test]
async fn client_secret_post_is_accepted() {
    let demo = start().await;
    let (verifier, challenge) = pkce();
    let code = demo.code(&challenge).await;
    let response = demo
        .http
        .post(demo.url("/as/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", demo.client_id.as_str()),
            ("client_secret", demo.secret.as_str()),
            ("code", &code),
            ("redirect_uri", &demo.redirect_uri),
            ("code_verifier", &verifier),
        ])
        .send()
        .await
        .expect("token");
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn basic_credentials_are_form_decoded() {
    let demo = start().await;
    // The demo secret is base64url; encoding it changes nothing, but the id and
    // secret still go through RFC 6749 §2.3.1 decoding on the server.
    assert_eq!(form_encode(&demo.secret), demo.secret);
    let token = demo.session_token().await;
    let (header, claims) = decode_unverified(&token);
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(claims["client_id"], demo.client_id.as_str());
}

#[tokio::test]
async fn unsupported_grant_types_are_refused() {
    let demo = start().await;
    for grant in [
        "password",
        "client_credentials",
        "refresh_token",
        "implicit",
    ] {
        let response = demo.token(&[("grant_type", grant)]).await;
        expect_error(response, 400, "unsupported_grant_type").await;
    }
}

#[tokio::test]
async fn a_body_that_is_not_a_form_is_refused() {
    let demo = start().await;
    let response = demo
        .http
        .post(demo.url("/as/token"))
        .basic_auth(&demo.client_id, Some(&demo.secret))
        .json(&serde_json::json!({"grant_type": "authorization_code"}))
        .send()
        .await
        .expect("token");
    expect_error(response, 400, "invalid_request").await;
}
