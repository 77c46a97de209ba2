//! Shared by the `mcp_*` tests: a real demo server with Dana signed in (the PWA's
//! session), an MCP token got the way the dashboard gets one (`POST /api/mcp/token`),
//! and JSON-RPC over Streamable HTTP by hand with reqwest — what any MCP client sends.
//! Use with `mod demo_as_support; mod refresh_support; mod mcp_support;`.
#![allow(dead_code, unreachable_pub)]

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::refresh_support::Session;

/// The protocol version the hand-written requests speak.
pub const PROTOCOL_VERSION: &str = "2025-11-25";

/// A signed-in demo server and an MCP token for Dana.
pub struct Mcp {
    /// The server, the HTTP client and Dana's PWA session token.
    pub session: Session,
    /// Dana's MCP token (audience = the MCP resource).
    pub token: String,
}

impl Mcp {
    /// A demo server, signed in, with an MCP token.
    pub async fn start() -> Self {
        let session = Session::start().await;
        let token = mcp_token(&session).await["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned();
        Self { session, token }
    }

    /// `{public_url}/mcp`.
    pub fn mcp_url(&self) -> String {
        self.session.demo.url("/mcp")
    }

    /// The configured MCP resource.
    pub fn mcp_resource(&self) -> String {
        self.session.demo.server.config.auth.mcp_resource.clone()
    }

    /// The RFC 9728 metadata URL every challenge must point at.
    pub fn metadata_url(&self) -> String {
        self.session
            .demo
            .url("/.well-known/oauth-protected-resource/mcp")
    }

    /// POSTs one JSON-RPC message to `/mcp` with `token` (none: no `Authorization`).
    pub async fn post(&self, token: Option<&str>, message: &Value) -> reqwest::Response {
        let mut request = self
            .session
            .demo
            .http
            .post(self.mcp_url())
            .header(
                reqwest::header::ACCEPT,
                "application/json, text/event-stream",
            )
            .header("MCP-Protocol-Version", PROTOCOL_VERSION)
            .json(message);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("POST /mcp")
    }

    /// A JSON-RPC request with Dana's MCP token; the response message (checked 200).
    pub async fn rpc(&self, method: &str, params: Value) -> Value {
        self.rpc_with(&self.token, method, params).await
    }

    /// A JSON-RPC request with the given token; the response message (checked 200).
    pub async fn rpc_with(&self, token: &str, method: &str, params: Value) -> Value {
        let response = self.post(Some(token), &request(method, params)).await;
        let status = response.status();
        let message = message_of(response).await;
        assert_eq!(status, 200, "{method}: {message}");
        message
    }

    /// `initialize`, as a client opens a connection; the result.
    pub async fn initialize(&self) -> Value {
        let message = self
            .rpc(
                "initialize",
                json!({
                    "protocolVersion": PROTOCOL_VERSION,
                    "capabilities": {},
                    "clientInfo": { "name": "pmt-test", "version": "0" },
                }),
            )
            .await;
        message["result"].clone()
    }

    /// `tools/list`: the tools.
    pub async fn tools(&self) -> Vec<Value> {
        let message = self.rpc("tools/list", json!({})).await;
        message["result"]["tools"]
            .as_array()
            .unwrap_or_else(|| panic!("tools/list: {message}"))
            .clone()
    }

    /// `tools/call`: the whole response message (`result` or `error`).
    pub async fn call_tool(&self, name: &str, arguments: Value) -> Value {
        self.rpc(
            "tools/call",
            json!({ "name": name, "arguments": arguments }),
        )
        .await
    }

    /// Signs `claims` with the demo authorization server's own key (read from its data
    /// directory), as an `at+jwt` with its `kid`: a token only the test can make.
    pub async fn forge(&self, claims: &Value) -> String {
        let demo = &self.session.demo;
        let pem = std::fs::read(
            demo.data_dir
                .path()
                .join(pmt_server::demo_as::KEY_FILE_NAME),
        )
        .expect("key file");
        let mut header = Header::new(Algorithm::ES256);
        header.typ = Some("at+jwt".to_owned());
        header.kid = Some(demo.kid().await);
        jsonwebtoken::encode(
            &header,
            claims,
            &EncodingKey::from_ec_pem(&pem).expect("key"),
        )
        .expect("sign")
    }

    /// MCP-token claims as the server issues them, with audience, scope and `exp`
    /// chosen by the test.
    pub fn claims(&self, aud: &str, scope: &str, exp: i64) -> Value {
        let iat = crate::demo_as_support::now() - 10;
        json!({
            "iss": self.session.demo.issuer, "sub": "demo-user", "aud": aud,
            "iat": iat, "nbf": iat, "exp": exp, "jti": "forged",
            "client_id": "pmt-mcp-local", "scope": scope,
        })
    }
}

/// `POST /api/mcp/token` with the PWA session; the body (checked 200).
pub async fn mcp_token(session: &Session) -> Value {
    let response = session
        .request(reqwest::Method::POST, "/api/mcp/token")
        .send()
        .await
        .expect("POST /api/mcp/token");
    assert_eq!(response.status(), 200, "POST /api/mcp/token");
    assert_eq!(
        response.headers()[reqwest::header::CACHE_CONTROL],
        "no-store"
    );
    response.json().await.expect("McpToken json")
}

/// A JSON-RPC request with id 1.
pub fn request(method: &str, params: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params })
}

/// The JSON-RPC message of a response, whether sent as JSON or as one SSE event.
pub async fn message_of(response: reqwest::Response) -> Value {
    let is_sse = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    let body = response.text().await.expect("body");
    if is_sse {
        let data = crate::refresh_support::parse_sse(&body)
            .into_iter()
            .map(|(_, data)| data)
            .find(|d| d.contains("\"jsonrpc\""))
            .unwrap_or_else(|| panic!("no JSON-RPC message in {body}"));
        serde_json::from_str(&data).expect("SSE data is JSON")
    } else {
        serde_json::from_str(&body).unwrap_or_else(|_| json!({ "raw": body }))
    }
}

/// The `WWW-Authenticate` header of a response.
pub fn challenge(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(reqwest::header::WWW_AUTHENTICATE)
        .expect("WWW-Authenticate")
        .to_str()
        .expect("ascii challenge")
        .to_owned()
}

/// The text of a tool result's first content block.
pub fn result_text(message: &Value) -> String {
    message["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("no text content in {message}"))
        .to_owned()
}
