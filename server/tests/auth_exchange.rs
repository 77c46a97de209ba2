//! RFC 8693 token exchange against a fixture authorization server.

use crate::auth_support;

use std::sync::Arc;

use auth_support::{FixtureAs, MetadataMode, REVOKED_RESOURCE};
use pmt_server::auth::exchange::{ExchangeError, ACCESS_TOKEN_TYPE, GRANT_TYPE};
use pmt_server::auth::Authenticator;
use pmt_server::secret::BearerToken;

fn authenticator(fixture: &FixtureAs) -> Authenticator {
    Authenticator::new(Arc::new(fixture.config()), reqwest::Client::new())
}

#[tokio::test]
async fn an_exchange_sends_one_resource_and_returns_the_downstream_token() {
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    let subject = BearerToken::new(fixture.access_token());
    let grant = authenticator(&fixture)
        .exchange_grant(&subject, "https://api.linear.app/", "read")
        .await
        .expect("exchanged");
    assert_eq!(
        grant.token.expose(),
        "downstream-token-for-https://api.linear.app/"
    );
    assert_eq!(grant.expires_in, Some(120));
    assert_eq!(grant.scope.as_deref(), Some("read"));

    let forms = fixture.state.token_forms.lock().expect("forms").clone();
    let form: Vec<(String, String)> = url::form_urlencoded::parse(forms[0].as_bytes())
        .into_owned()
        .collect();
    let all = |k: &str| {
        form.iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(all("grant_type"), [GRANT_TYPE]);
    assert_eq!(all("subject_token"), [subject.expose()]);
    assert_eq!(all("subject_token_type"), [ACCESS_TOKEN_TYPE]);
    assert_eq!(all("requested_token_type"), [ACCESS_TOKEN_TYPE]);
    assert_eq!(all("resource"), ["https://api.linear.app/"]);
    assert_eq!(all("scope"), ["read"]);
    assert!(all("client_secret").is_empty());
}

#[tokio::test]
async fn a_revoked_grant_comes_back_as_invalid_target_with_the_servers_words() {
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    let subject = BearerToken::new(fixture.access_token());
    let err = authenticator(&fixture)
        .exchange(&subject, REVOKED_RESOURCE, "read")
        .await
        .expect_err("revoked");
    assert!(err.is_invalid_target(), "{err}");
    assert_eq!(
        err,
        ExchangeError::Refused {
            status: 400,
            error: "invalid_target".to_owned(),
            description: Some("the grant for this resource was revoked".to_owned()),
        }
    );
}

#[tokio::test]
async fn an_error_echoing_the_subject_token_does_not_carry_it_on() {
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    let token = fixture.access_token();
    let subject = BearerToken::new(token.clone());
    let err = authenticator(&fixture)
        .exchange(&subject, "https://echo.example/", "read")
        .await
        .expect_err("refused");
    let shown = format!("{err} {err:?}");
    for part in token.split('.') {
        assert!(!shown.contains(part), "{shown}");
    }
}

#[tokio::test]
async fn a_response_that_is_not_an_access_token_is_refused() {
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    let subject = BearerToken::new(fixture.access_token());
    let err = authenticator(&fixture)
        .exchange(&subject, "https://jwt-type.example/", "read")
        .await
        .expect_err("wrong issued_token_type");
    assert!(matches!(err, ExchangeError::InvalidResponse(_)), "{err}");
    assert!(!format!("{err:?}").contains("downstream-token"));
}

#[tokio::test]
async fn a_resource_with_a_fragment_is_refused_before_any_request() {
    let fixture = FixtureAs::start(MetadataMode::Rfc8414).await;
    let subject = BearerToken::new(fixture.access_token());
    let err = authenticator(&fixture)
        .exchange(&subject, "https://api.example/#x", "read")
        .await
        .expect_err("fragment");
    assert_eq!(err, ExchangeError::InvalidResource);
    assert_eq!(fixture.hits(), 0);
}
