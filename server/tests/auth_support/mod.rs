//! Test fixtures for the `auth_*` tests: signing keys made at run time, token forging,
//! and a small authorization server on 127.0.0.1:0 (metadata, JWKS, token endpoint).
//!
//! Each test binary uses a different part of this module.
#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use pmt_server::config::{Config, Overrides};
use pmt_server::secret::ClientSecret;
use serde_json::{json, Value};
use sha2::Digest;

/// The backend's resource identifier in these tests.
pub const RESOURCE: &str = "urn:pmt:api";
/// The MCP endpoint's audience: a token for it must not open the API.
pub const MCP_AUDIENCE: &str = "https://pmt.example/mcp";
/// The backend's client id at the fixture.
pub const CLIENT_ID: &str = "pmt tmb";
/// The backend's client secret at the fixture (with characters Basic must form-encode).
pub const CLIENT_SECRET: &str = "s3cr:et+/%";
/// The backend's public URL in these tests.
pub const PUBLIC_URL: &str = "http://127.0.0.1:9";
/// A resource whose grant the fixture reports as revoked.
pub const REVOKED_RESOURCE: &str = "https://revoked.example/";

pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn now() -> i64 {
    pmt_server::auth::unix_now()
}

/// A P-256 signing key generated for this test run.
#[derive(Clone)]
pub struct TestKey {
    pub kid: String,
    pub key: SigningKey,
}

impl TestKey {
    pub fn generate(kid: &str) -> Self {
        Self {
            kid: kid.to_owned(),
            key: SigningKey::random(&mut rand::rngs::OsRng),
        }
    }

    /// The public JWK, as the demo authorization server publishes it.
    pub fn jwk(&self) -> Value {
        let point = self.key.verifying_key().to_encoded_point(false);
        json!({
            "kty": "EC",
            "crv": "P-256",
            "x": b64(point.x().expect("x")),
            "y": b64(point.y().expect("y")),
            "kid": self.kid,
            "use": "sig",
            "alg": "ES256",
        })
    }

    /// The uncompressed public point: the bytes an alg-confusion attacker would use.
    pub fn public_bytes(&self) -> Vec<u8> {
        self.key
            .verifying_key()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec()
    }

    /// Signs any header and claims with ES256 (whatever the header says).
    pub fn sign(&self, header: &Value, claims: &Value) -> String {
        let input = format!("{}.{}", b64(header.to_string()), b64(claims.to_string()));
        let sig: Signature = self.key.sign(input.as_bytes());
        format!("{input}.{}", b64(sig.to_bytes()))
    }

    /// The standard access-token header for this key.
    pub fn header(&self) -> Value {
        json!({"alg": "ES256", "typ": "at+jwt", "kid": self.kid})
    }

    /// A token with the standard header.
    pub fn token(&self, claims: &Value) -> String {
        self.sign(&self.header(), claims)
    }
}

/// A JWK Set of these keys.
pub fn jwks(keys: &[&TestKey]) -> String {
    json!({ "keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>() }).to_string()
}

/// Claims the demo authorization server would issue for the demo user.
pub fn claims(issuer: &str, audience: &str, now: i64) -> Value {
    json!({
        "iss": issuer,
        "sub": "user-1",
        "aud": audience,
        "exp": now + 300,
        "iat": now,
        "nbf": now,
        "jti": "jti-1",
        "client_id": CLIENT_ID,
        "scope": "openid profile email",
        "name": "Dana Demo",
        "email": "dana@example.com",
    })
}

/// How the fixture publishes its metadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetadataMode {
    /// At the RFC 8414 location only.
    Rfc8414,
    /// At the OpenID Connect location only.
    OidcOnly,
    /// At the RFC 8414 location, naming another issuer.
    WrongIssuer,
}

struct Pending {
    challenge: String,
    redirect_uri: String,
}

pub struct FixtureState {
    pub issuer: String,
    pub mode: MetadataMode,
    pub key: TestKey,
    pub jwks: Mutex<String>,
    pub jwks_hits: AtomicUsize,
    pub hits: AtomicUsize,
    codes: Mutex<HashMap<String, Pending>>,
    /// Raw form bodies received at the token endpoint.
    pub token_forms: Mutex<Vec<String>>,
    /// `Authorization` headers received at the token endpoint.
    pub token_auth: Mutex<Vec<String>>,
    /// Claims overrides merged into issued access tokens.
    pub token_overrides: Mutex<Value>,
}

/// A small authorization server on 127.0.0.1:0.
pub struct FixtureAs {
    pub addr: SocketAddr,
    pub state: Arc<FixtureState>,
}

impl FixtureAs {
    /// Starts a fixture whose issuer has the path `/tenant`.
    pub async fn start(mode: MetadataMode) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fixture");
        let addr = listener.local_addr().expect("fixture addr");
        let key = TestKey::generate("fixture-key-1");
        let state = Arc::new(FixtureState {
            issuer: format!("http://{addr}/tenant"),
            mode,
            jwks: Mutex::new(jwks(&[&key])),
            key,
            jwks_hits: AtomicUsize::new(0),
            hits: AtomicUsize::new(0),
            codes: Mutex::new(HashMap::new()),
            token_forms: Mutex::new(Vec::new()),
            token_auth: Mutex::new(Vec::new()),
            token_overrides: Mutex::new(json!({})),
        });
        let router = Router::new()
            .route(
                "/.well-known/oauth-authorization-server/tenant",
                get(rfc8414_metadata),
            )
            .route(
                "/tenant/.well-known/openid-configuration",
                get(oidc_metadata),
            )
            .route("/tenant/jwks", get(serve_jwks))
            .route("/tenant/token", post(token))
            .layer(axum::middleware::from_fn_with_state(state.clone(), count))
            .with_state(state.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { addr, state }
    }

    pub fn issuer(&self) -> String {
        self.state.issuer.clone()
    }

    pub fn hits(&self) -> usize {
        self.state.hits.load(Ordering::SeqCst)
    }

    pub fn jwks_hits(&self) -> usize {
        self.state.jwks_hits.load(Ordering::SeqCst)
    }

    /// Registers a code as `/authorize` would, bound to an S256 challenge of `verifier`.
    pub fn issue_code(&self, verifier: &str, redirect_uri: &str) -> String {
        let code = format!("code-{}", uuid::Uuid::new_v4());
        let challenge = b64(sha2::Sha256::digest(verifier.as_bytes()));
        self.state.codes.lock().expect("codes").insert(
            code.clone(),
            Pending {
                challenge,
                redirect_uri: redirect_uri.to_owned(),
            },
        );
        code
    }

    /// A valid access token for the backend, signed by the fixture's key.
    pub fn access_token(&self) -> String {
        self.state
            .key
            .token(&claims(&self.state.issuer, RESOURCE, now()))
    }

    /// A backend configuration pointing at this fixture.
    pub fn config(&self) -> Config {
        config_for(&self.issuer())
    }
}

/// A backend configuration for an issuer.
pub fn config_for(issuer: &str) -> Config {
    let toml = format!(
        "public_url = \"{PUBLIC_URL}\"\nstatic_dir = \"/nonexistent\"\n[auth]\nissuer = \"{issuer}\"\nclient_id = \"{CLIENT_ID}\"\nresource = \"{RESOURCE}\"\n"
    );
    Config::parse(
        &toml,
        Path::new("test.toml"),
        ClientSecret::new(CLIENT_SECRET),
        &Overrides::default(),
    )
    .expect("test config")
}

/// The backend application for a configuration (no demo authorization server).
pub fn app(config: Config) -> Router {
    let store = pmt_server::store::Store::open_in_memory().expect("in-memory store");
    pmt_server::app(pmt_server::AppState::new(config, store), None)
}

/// An issuer on a port where nothing listens.
pub async fn unreachable_issuer() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    format!("http://{addr}/tenant")
}

async fn count(State(state): State<Arc<FixtureState>>, request: Request, next: Next) -> Response {
    state.hits.fetch_add(1, Ordering::SeqCst);
    next.run(request).await
}

fn metadata(state: &FixtureState, issuer: &str) -> Value {
    let base = &state.issuer;
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "jwks_uri": format!("{base}/jwks"),
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": true,
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "grant_types_supported": ["authorization_code", "urn:ietf:params:oauth:grant-type:token-exchange"],
    })
}

async fn rfc8414_metadata(State(state): State<Arc<FixtureState>>) -> Response {
    match state.mode {
        MetadataMode::Rfc8414 => Json(metadata(&state, &state.issuer)).into_response(),
        MetadataMode::WrongIssuer => {
            Json(metadata(&state, &format!("{}/", state.issuer))).into_response()
        }
        MetadataMode::OidcOnly => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn oidc_metadata(State(state): State<Arc<FixtureState>>) -> Response {
    match state.mode {
        MetadataMode::OidcOnly => Json(metadata(&state, &state.issuer)).into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn serve_jwks(State(state): State<Arc<FixtureState>>) -> Response {
    state.jwks_hits.fetch_add(1, Ordering::SeqCst);
    let body = state.jwks.lock().expect("jwks").clone();
    ([("content-type", "application/jwk-set+json")], body).into_response()
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

fn form_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("v={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn basic_ok(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Some(encoded) = value.strip_prefix("Basic ") else {
        return false;
    };
    let Some(pair) = STANDARD
        .decode(encoded)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
    else {
        return false;
    };
    let Some((id, secret)) = pair.split_once(':') else {
        return false;
    };
    form_decode(id) == CLIENT_ID && form_decode(secret) == CLIENT_SECRET
}

async fn token(
    State(state): State<Arc<FixtureState>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    state.token_forms.lock().expect("forms").push(body.clone());
    if let Some(a) = headers.get("authorization").and_then(|v| v.to_str().ok()) {
        state.token_auth.lock().expect("auth").push(a.to_owned());
    }
    if !basic_ok(&headers) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client authentication failed",
        );
    }
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    match field("grant_type").as_str() {
        "authorization_code" => {
            let Some(pending) = state.codes.lock().expect("codes").remove(&field("code")) else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "grant request is invalid",
                );
            };
            let challenge = b64(sha2::Sha256::digest(field("code_verifier").as_bytes()));
            if challenge != pending.challenge || field("redirect_uri") != pending.redirect_uri {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "PKCE verification failed",
                );
            }
            let mut claims = claims(&state.issuer, &field("resource"), now());
            if let (Some(c), Some(o)) = (
                claims.as_object_mut(),
                state.token_overrides.lock().expect("overrides").as_object(),
            ) {
                for (k, v) in o {
                    c.insert(k.clone(), v.clone());
                }
            }
            Json(json!({
                "access_token": state.key.token(&claims),
                "token_type": "Bearer",
                "expires_in": 300,
                "scope": "openid profile email",
            }))
            .into_response()
        }
        "urn:ietf:params:oauth:grant-type:token-exchange" => {
            let resource = field("resource");
            if resource == REVOKED_RESOURCE {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_target",
                    "the grant for this resource was revoked",
                );
            }
            if resource == "https://echo.example/" {
                let echoed = format!("bad subject_token {}", field("subject_token"));
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", &echoed);
            }
            let issued_type = if resource == "https://jwt-type.example/" {
                "urn:ietf:params:oauth:token-type:jwt"
            } else {
                "urn:ietf:params:oauth:token-type:access_token"
            };
            Json(json!({
                "access_token": format!("downstream-token-for-{resource}"),
                "issued_token_type": issued_type,
                "token_type": "Bearer",
                "expires_in": 120,
                "scope": field("scope"),
            }))
            .into_response()
        }
        _ => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "unsupported grant type",
        ),
    }
}

/// Reads a response body as JSON (and as text, for "never contains" checks).
pub async fn body_json(response: Response) -> (Value, String) {
    use http_body_util::BodyExt;
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let text = String::from_utf8(bytes.to_vec()).expect("utf8 body");
    (serde_json::from_str(&text).unwrap_or(Value::Null), text)
}
