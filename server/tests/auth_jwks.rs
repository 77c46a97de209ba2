//! The JWKS cache against a real local server: unknown `kid`s cost at most one fetch per
//! window, rotation is picked up after it, and an outage does not drop cached keys.

use crate::auth_support;

use std::sync::atomic::Ordering;
use std::time::Duration;

use auth_support::{claims, jwks, now, FixtureAs, MetadataMode, TestKey, RESOURCE};
use pmt_server::auth::jwks::{JwksCache, JwksFetchError, RefreshPolicy};
use pmt_server::auth::validate::{validate, Expectations, TokenError};

fn policy(min_interval_ms: u64) -> RefreshPolicy {
    RefreshPolicy {
        min_interval: Duration::from_millis(min_interval_ms),
        max_age: Duration::from_secs(3600),
    }
}

fn jwks_uri(fixture: &FixtureAs) -> String {
    format!("{}/jwks", fixture.issuer())
}

#[tokio::test]
async fn known_kids_are_served_from_the_cache() {
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    let cache = JwksCache::with_policy(reqwest::Client::new(), policy(30_000));
    for _ in 0..5 {
        let keys = cache
            .keys_for(&jwks_uri(&fixture), "fixture-key-1")
            .await
            .expect("keys");
        assert!(keys.contains("fixture-key-1"));
    }
    assert_eq!(fixture.jwks_hits(), 1);
}

#[tokio::test]
async fn a_flood_of_unknown_kids_causes_no_fetch_within_the_window() {
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    let cache = JwksCache::with_policy(reqwest::Client::new(), policy(30_000));
    let uri = jwks_uri(&fixture);
    cache
        .keys_for(&uri, "fixture-key-1")
        .await
        .expect("initial load");
    assert_eq!(fixture.jwks_hits(), 1);

    let expect = Expectations::new(fixture.issuer(), RESOURCE);
    for i in 0..20 {
        let forged = TestKey::generate(&format!("made-up-{i}"));
        let token = forged.token(&claims(&fixture.issuer(), RESOURCE, now()));
        let keys = cache.keys_for(&uri, &forged.kid).await.expect("cached set");
        assert_eq!(
            validate(&token, &keys, &expect, now()),
            Err(TokenError::UnknownKey)
        );
    }
    assert_eq!(fixture.jwks_hits(), 1, "no fetch inside the window");
}

#[tokio::test]
async fn concurrent_unknown_kids_share_one_refresh() {
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    let cache = std::sync::Arc::new(JwksCache::with_policy(
        reqwest::Client::new(),
        policy(30_000),
    ));
    let uri = jwks_uri(&fixture);
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let (cache, uri) = (cache.clone(), uri.clone());
            tokio::spawn(async move { cache.keys_for(&uri, &format!("nope-{i}")).await })
        })
        .collect();
    for t in tasks {
        assert!(t.await.expect("task").is_ok());
    }
    assert_eq!(fixture.jwks_hits(), 1);
}

#[tokio::test]
async fn a_rotated_key_is_fetched_once_after_the_window_and_then_accepted() {
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    let cache = JwksCache::with_policy(reqwest::Client::new(), policy(300));
    let uri = jwks_uri(&fixture);
    cache
        .keys_for(&uri, "fixture-key-1")
        .await
        .expect("initial load");

    let rotated = TestKey::generate("fixture-key-2");
    *fixture.state.jwks.lock().expect("jwks") = jwks(&[&fixture.state.key, &rotated]);
    let token = rotated.token(&claims(&fixture.issuer(), RESOURCE, now()));
    let expect = Expectations::new(fixture.issuer(), RESOURCE);

    // Inside the window the new kid is refused without a fetch.
    let keys = cache.keys_for(&uri, &rotated.kid).await.expect("cached");
    assert_eq!(
        validate(&token, &keys, &expect, now()),
        Err(TokenError::UnknownKey)
    );
    assert_eq!(fixture.jwks_hits(), 1);

    tokio::time::sleep(Duration::from_millis(350)).await;
    let keys = cache.keys_for(&uri, &rotated.kid).await.expect("refreshed");
    assert!(validate(&token, &keys, &expect, now()).is_ok());
    assert_eq!(fixture.jwks_hits(), 2);

    // Now cached: more tokens with that kid cost nothing.
    for _ in 0..5 {
        cache.keys_for(&uri, &rotated.kid).await.expect("cached");
    }
    assert_eq!(fixture.jwks_hits(), 2);
}

#[tokio::test]
async fn after_the_window_an_unknown_kid_costs_exactly_one_more_fetch() {
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    let cache = JwksCache::with_policy(reqwest::Client::new(), policy(200));
    let uri = jwks_uri(&fixture);
    cache
        .keys_for(&uri, "fixture-key-1")
        .await
        .expect("initial load");
    tokio::time::sleep(Duration::from_millis(250)).await;
    for i in 0..10 {
        let keys = cache
            .keys_for(&uri, &format!("ghost-{i}"))
            .await
            .expect("set");
        assert!(!keys.contains(&format!("ghost-{i}")));
    }
    assert_eq!(fixture.jwks_hits(), 2);
}

#[tokio::test]
async fn an_outage_keeps_serving_cached_keys_but_reports_it_when_nothing_is_cached() {
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    let cache = JwksCache::with_policy(reqwest::Client::new(), policy(0));
    let uri = jwks_uri(&fixture);
    cache
        .keys_for(&uri, "fixture-key-1")
        .await
        .expect("initial load");
    *fixture.state.jwks.lock().expect("jwks") = "not json".to_owned();
    // A known kid still validates while the issuer serves garbage...
    let keys = cache.keys_for(&uri, "fixture-key-1").await.expect("cached");
    assert!(keys.contains("fixture-key-1"));
    // ...an unknown one reports the broken key set (a 502, not a 401).
    let err = cache
        .keys_for(&uri, "other")
        .await
        .expect_err("refresh failed");
    assert!(matches!(err, JwksFetchError::Invalid(_)), "{err}");

    let fresh = JwksCache::with_policy(reqwest::Client::new(), policy(30_000));
    let err = fresh
        .keys_for(&uri, "fixture-key-1")
        .await
        .expect_err("broken");
    assert!(matches!(err, JwksFetchError::Invalid(_)), "{err}");
    // And within the window it does not hammer the issuer to find out again.
    let before = fixture.state.jwks_hits.load(Ordering::SeqCst);
    assert_eq!(
        fresh
            .keys_for(&uri, "fixture-key-1")
            .await
            .expect_err("not loaded"),
        JwksFetchError::NotLoaded
    );
    assert_eq!(fixture.jwks_hits(), before);
}
