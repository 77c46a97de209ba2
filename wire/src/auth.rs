//! Sign-in: discovery for the browser, code redemption, the session and identity.

use serde::{Deserialize, Serialize};

/// Everything the PWA needs to start an authorization code + PKCE sign-in.
///
/// Served by `GET /api/auth/config`; the backend fills it from the authorization
/// server's discovered metadata and its own configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthConfig {
    /// The authorization server's issuer identifier, compared exactly with the
    /// `iss` of the authorization response (RFC 9207).
    pub issuer: String,
    /// Where the browser navigates to authorize.
    pub authorization_endpoint: String,
    /// The backend's (confidential) client id.
    pub client_id: String,
    /// Space-separated scopes requested at sign-in.
    pub scope: String,
    /// The backend's resource identifier (RFC 8707): the session token's audience.
    pub resource: String,
    /// Whether the server always sends `iss` in authorization responses
    /// (`authorization_response_iss_parameter_supported`); if so a missing `iss` is rejected.
    pub iss_parameter_supported: bool,
}

/// `POST /api/session`: the browser hands the backend the code and its PKCE verifier.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRequest {
    /// The authorization code from the callback.
    pub code: String,
    /// The PKCE verifier generated in this tab.
    pub code_verifier: String,
    /// The exact redirect URI used in the authorization request.
    pub redirect_uri: String,
}

impl std::fmt::Debug for SessionRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRequest")
            .field("code", &"[redacted]")
            .field("code_verifier", &"[redacted]")
            .field("redirect_uri", &self.redirect_uri)
            .finish()
    }
}

/// The session the browser keeps in `sessionStorage`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionResponse {
    /// The access token (JWT, audience = the backend), sent back as a bearer token.
    pub token: String,
    /// Expiry, seconds since the Unix epoch.
    pub expires_at: i64,
    /// Who signed in.
    pub user: User,
}

impl std::fmt::Debug for SessionResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionResponse")
            .field("token", &"[redacted]")
            .field("expires_at", &self.expires_at)
            .field("user", &self.user)
            .finish()
    }
}

/// The signed-in person, as far as the token says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Subject identifier at the authorization server.
    pub sub: String,
    /// Display name, when the token carries one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Email address, when the token carries one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// `GET /api/me`: the validated identity behind the bearer token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    /// The signed-in person.
    pub user: User,
    /// The token's expiry, seconds since the Unix epoch.
    pub expires_at: i64,
    /// The token's issuer.
    pub issuer: String,
}
