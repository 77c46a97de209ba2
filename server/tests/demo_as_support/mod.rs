//! Shared by the `demo_as_*` integration tests: a real server on a free loopback port
//! with a throw-away data directory, and the requests a browser and the backend make.

#![allow(dead_code)]

use std::path::Path;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use pmt_server::config::{Config, Overrides};
use pmt_server::RunningServer;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The RFC 8693 grant type.
pub(crate) const EXCHANGE_GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// The RFC 8693 access token type.
pub(crate) const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

/// A running demo server and what a test needs to talk to it.
pub(crate) struct Demo {
    pub(crate) server: RunningServer,
    pub(crate) base: String,
    pub(crate) issuer: String,
    pub(crate) client_id: String,
    pub(crate) secret: String,
    pub(crate) redirect_uri: String,
    pub(crate) resource: String,
    pub(crate) http: reqwest::Client,
    pub(crate) data_dir: tempfile::TempDir,
    _static_dir: tempfile::TempDir,
}

/// Starts a demo server with fresh directories.
pub(crate) async fn start() -> Demo {
    let data_dir = tempfile::tempdir().expect("data dir");
    start_with(data_dir).await
}

/// Starts a demo server whose data directory is `data_dir` (kept alive by the result).
pub(crate) async fn start_with(data_dir: tempfile::TempDir) -> Demo {
    let static_dir = tempfile::tempdir().expect("static dir");
    let server = spawn_in(data_dir.path(), static_dir.path()).await;
    let config = server.config.clone();
    Demo {
        base: config.public_url.clone(),
        issuer: config.auth.issuer.clone(),
        client_id: config.auth.client_id.clone(),
        secret: config.auth.client_secret.expose().to_owned(),
        redirect_uri: config.redirect_uri(),
        resource: config.auth.resource.clone(),
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        server,
        data_dir,
        _static_dir: static_dir,
    }
}

/// Starts a demo server with fresh directories after `adjust` changed its
/// configuration (e.g. shorter source timeouts, a fixed time zone).
pub(crate) async fn start_adjusted(adjust: impl FnOnce(&mut Config)) -> Demo {
    let data_dir = tempfile::tempdir().expect("data dir");
    let static_dir = tempfile::tempdir().expect("static dir");
    let mut config = Config::demo(&Overrides {
        port: Some(0),
        data_dir: Some(data_dir.path().to_owned()),
        static_dir: Some(static_dir.path().to_owned()),
        ..Overrides::default()
    })
    .expect("demo config");
    adjust(&mut config);
    let server = pmt_server::spawn(config).await.expect("server starts");
    Demo::around(server, data_dir, static_dir)
}

impl Demo {
    /// The handle on a server already spawned over these directories.
    pub(crate) fn around(
        server: RunningServer,
        data_dir: tempfile::TempDir,
        static_dir: tempfile::TempDir,
    ) -> Demo {
        let config = server.config.clone();
        Demo {
            base: config.public_url.clone(),
            issuer: config.auth.issuer.clone(),
            client_id: config.auth.client_id.clone(),
            secret: config.auth.client_secret.expose().to_owned(),
            redirect_uri: config.redirect_uri(),
            resource: config.auth.resource.clone(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            server,
            data_dir,
            _static_dir: static_dir,
        }
    }
}

/// Spawns a demo server on a free port over the given directories.
pub(crate) async fn spawn_in(data_dir: &Path, static_dir: &Path) -> RunningServer {
    let config = Config::demo(&Overrides {
        port: Some(0),
        data_dir: Some(data_dir.to_owned()),
        static_dir: Some(static_dir.to_owned()),
        ..Overrides::default()
    })
    .expect("demo config");
    pmt_server::spawn(config).await.expect("server starts")
}

/// A fresh PKCE pair: (verifier, S256 challenge).
pub(crate) fn pkce() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let verifier = URL_SAFE_NO_PAD.encode(bytes);
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

impl Demo {
    /// An absolute URL on the server.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The parameters of a good authorization request.
    pub(crate) fn authorize_params(&self, challenge: &str) -> Vec<(&'static str, String)> {
        vec![
            ("response_type", "code".to_owned()),
            ("client_id", self.client_id.clone()),
            ("redirect_uri", self.redirect_uri.clone()),
            ("scope", "openid profile email".to_owned()),
            ("state", "state-123".to_owned()),
            ("code_challenge", challenge.to_owned()),
            ("code_challenge_method", "S256".to_owned()),
            ("resource", self.resource.clone()),
        ]
    }

    /// `GET /as/authorize` with exactly these parameters.
    pub(crate) async fn authorize(&self, params: &[(&str, String)]) -> reqwest::Response {
        self.http
            .get(self.url("/as/authorize"))
            .query(params)
            .send()
            .await
            .expect("authorize request")
    }

    /// Shows the consent page for a good request and returns its pending-request id.
    pub(crate) async fn consent_request_id(&self, challenge: &str) -> String {
        let response = self.authorize(&self.authorize_params(challenge)).await;
        assert_eq!(response.status(), 200, "consent page");
        let html = response.text().await.expect("consent html");
        request_id(&html)
    }

    /// Answers the consent form like the browser does.
    pub(crate) async fn decide(&self, request_id: &str, decision: &str) -> reqwest::Response {
        self.http
            .post(self.url("/as/consent"))
            .form(&[("request", request_id), ("decision", decision)])
            .send()
            .await
            .expect("consent post")
    }

    /// Signs in through consent and returns the code from the callback.
    pub(crate) async fn code(&self, challenge: &str) -> String {
        let id = self.consent_request_id(challenge).await;
        let response = self.decide(&id, "allow").await;
        assert_eq!(response.status(), 303);
        query_value(&location(&response), "code").expect("code in the callback")
    }

    /// `POST /as/token` with Basic client authentication.
    pub(crate) async fn token(&self, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(self.url("/as/token"))
            .basic_auth(
                form_encode(&self.client_id),
                Some(form_encode(&self.secret)),
            )
            .form(form)
            .send()
            .await
            .expect("token request")
    }

    /// Redeems a code the way the backend does.
    pub(crate) async fn redeem(&self, code: &str, verifier: &str) -> reqwest::Response {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &self.redirect_uri),
            ("code_verifier", verifier),
        ])
        .await
    }

    /// A fresh session token (audience = the backend).
    pub(crate) async fn session_token(&self) -> String {
        let (verifier, challenge) = pkce();
        let code = self.code(&challenge).await;
        let response = self.redeem(&code, &verifier).await;
        assert_eq!(response.status(), 200, "code redemption");
        let body: serde_json::Value = response.json().await.expect("token json");
        body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    /// Token exchange for one resource, Basic client authentication.
    pub(crate) async fn exchange(
        &self,
        subject: &str,
        resource: &str,
        scope: Option<&str>,
    ) -> reqwest::Response {
        let mut form = vec![
            ("grant_type", EXCHANGE_GRANT),
            ("subject_token", subject),
            ("subject_token_type", ACCESS_TOKEN_TYPE),
            ("requested_token_type", ACCESS_TOKEN_TYPE),
            ("resource", resource),
        ];
        if let Some(scope) = scope {
            form.push(("scope", scope));
        }
        self.token(&form).await
    }

    /// The signing key's `kid`, from the JWKS.
    pub(crate) async fn kid(&self) -> String {
        let jwks: serde_json::Value = self
            .http
            .get(self.url("/as/jwks.json"))
            .send()
            .await
            .expect("jwks")
            .json()
            .await
            .expect("jwks json");
        jwks["keys"][0]["kid"].as_str().expect("kid").to_owned()
    }
}

/// RFC 6749 §2.3.1: id and secret are form-encoded before Basic encoding.
pub(crate) fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The pending-request id carried by the consent form.
pub(crate) fn request_id(html: &str) -> String {
    let marker = r#"name="request" value=""#;
    let start = html.find(marker).expect("request id field") + marker.len();
    let len = html[start..].find('"').expect("closing quote");
    html[start..start + len].to_owned()
}

/// The `Location` of a redirect, parsed.
pub(crate) fn location(response: &reqwest::Response) -> url::Url {
    let value = response
        .headers()
        .get(reqwest::header::LOCATION)
        .expect("Location header")
        .to_str()
        .expect("ascii Location");
    url::Url::parse(value).expect("absolute Location")
}

/// One query parameter of a URL.
pub(crate) fn query_value(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The URL without its query, for comparing with the redirect URI.
pub(crate) fn without_query(url: &url::Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.to_string()
}

/// A JWT's header and claims, decoded without verification (for assertions only).
pub(crate) fn decode_unverified(jwt: &str) -> (serde_json::Value, serde_json::Value) {
    let mut parts = jwt.split('.');
    let mut part = || {
        let bytes = URL_SAFE_NO_PAD
            .decode(parts.next().expect("jwt part"))
            .expect("base64url");
        serde_json::from_slice(&bytes).expect("json")
    };
    let header = part();
    let claims = part();
    (header, claims)
}

/// Asserts an OAuth JSON error with its status and code; returns the body.
pub(crate) async fn expect_error(
    response: reqwest::Response,
    status: u16,
    error: &str,
) -> serde_json::Value {
    assert_eq!(response.status(), status, "status for {error}");
    assert_eq!(
        response
            .headers()
            .get(reqwest::header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let body: serde_json::Value = response.json().await.expect("error json");
    assert_eq!(body["error"], error, "{body}");
    body
}

/// Seconds since the Unix epoch.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}
