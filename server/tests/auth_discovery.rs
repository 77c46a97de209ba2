//! Discovery against a real local server: RFC 8414 for an issuer with a path, the
//! OpenID fallback, issuer mismatch, and an unreachable server mapped to 502.

use crate::auth_support;

use auth_support::{
    app, body_json, config_for, unreachable_issuer, FixtureAs, MetadataMode, RESOURCE,
};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use pmt_server::auth::discovery::{discover, DiscoveryError, MetadataCache};
use tower::ServiceExt;

#[tokio::test]
async fn rfc8414_metadata_is_found_for_an_issuer_with_a_path() {
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    let meta = discover(&reqwest::Client::new(), &fixture.issuer())
        .await
        .expect("metadata");
    assert_eq!(meta.issuer, fixture.issuer());
    assert_eq!(meta.token_endpoint, format!("{}/token", fixture.issuer()));
    assert_eq!(meta.jwks_uri, format!("{}/jwks", fixture.issuer()));
    assert!(meta.authorization_response_iss_parameter_supported);
    assert_eq!(fixture.hits(), 1, "the RFC 8414 location answered first");
}

#[tokio::test]
async fn openid_discovery_is_the_fallback() {
    let fixture = FixtureAs::start(MetadataMode::OidcOnly).await;
    let meta = discover(&reqwest::Client::new(), &fixture.issuer())
        .await
        .expect("metadata");
    assert_eq!(meta.issuer, fixture.issuer());
    assert_eq!(fixture.hits(), 2);
}

#[tokio::test]
async fn metadata_naming_another_issuer_is_rejected() {
    let fixture = FixtureAs::start(MetadataMode::WrongIssuer).await;
    let err = discover(&reqwest::Client::new(), &fixture.issuer())
        .await
        .expect_err("mismatch");
    assert!(
        matches!(err, DiscoveryError::IssuerMismatch { .. }),
        "{err}"
    );
}

#[tokio::test]
async fn an_unreachable_server_is_an_error_that_is_retried_not_cached() {
    let issuer = unreachable_issuer().await;
    let cache = MetadataCache::new();
    let http = reqwest::Client::new();
    assert_eq!(
        cache.get(&http, &issuer).await.err(),
        Some(DiscoveryError::Unreachable)
    );
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    let cache = MetadataCache::new();
    let err = cache
        .get(&http, &format!("{}x", fixture.issuer()))
        .await
        .expect_err("no metadata for that issuer");
    assert!(matches!(err, DiscoveryError::NotFound(404)), "{err}");
    assert!(
        cache.get(&http, &fixture.issuer()).await.is_ok(),
        "failure was not cached"
    );
    assert!(cache.get(&http, &fixture.issuer()).await.is_ok());
    assert_eq!(fixture.hits(), 3, "two misses, then one fetch kept");
}

#[tokio::test]
async fn the_auth_config_endpoint_answers_502_with_a_plain_reason_when_the_server_is_down() {
    let app = app(config_for(&unreachable_issuer().await));
    let response = app
        .oneshot(
            Request::get("/api/auth/config")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let (json, _) = body_json(response).await;
    assert_eq!(json["error"], "upstream_unavailable");
    assert_eq!(
        json["error_description"],
        "The sign-in service could not be reached. Please try again in a moment."
    );
}

#[tokio::test]
async fn the_auth_config_endpoint_serves_what_the_pwa_needs() {
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    let response = app(fixture.config())
        .oneshot(
            Request::get("/api/auth/config")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    let (json, text) = body_json(response).await;
    let config: pmt_wire::AuthConfig = serde_json::from_value(json).expect("AuthConfig");
    assert_eq!(config.issuer, fixture.issuer());
    assert_eq!(
        config.authorization_endpoint,
        format!("{}/authorize", fixture.issuer())
    );
    assert_eq!(config.resource, RESOURCE);
    assert!(config.iss_parameter_supported);
    assert!(!text.contains(auth_support::CLIENT_SECRET), "secret leaked");
}

#[tokio::test]
async fn a_mismatching_issuer_makes_the_api_answer_502() {
    let fixture = FixtureAs::start(MetadataMode::WrongIssuer).await;
    let response = app(fixture.config())
        .oneshot(
            Request::get("/api/auth/config")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
}
