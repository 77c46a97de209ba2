//! The sign-in flow's pure steps: the authorization request and the callback checks.
//!
//! Step 1 ([`PendingSignIn::start`]) makes a verifier and a state, remembers where the
//! sign-in goes and which issuer it trusts, and builds the authorization URL. Step 2
//! ([`PendingSignIn::accept`]) takes the callback's query and returns the code grant
//! only when `state` and `iss` (RFC 9207) check out; every refusal is a
//! [`CallbackError`] whose text a person can act on. No I/O here: the components
//! store and send what these functions return.

use pmt_wire::{AuthConfig, SessionRequest};
use serde::{Deserialize, Serialize};

use crate::pkce::{RandomUnavailable, State, Verifier};

/// A sign-in that has left for the authorization server and not come back yet.
///
/// Kept in this tab's `sessionStorage` only, and removed as soon as the callback
/// reads it: the state is single use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSignIn {
    /// The PKCE verifier.
    pub verifier: Verifier,
    /// The expected `state`.
    pub state: State,
    /// The exact redirect URI sent in the request.
    pub redirect_uri: String,
    /// The issuer the response must come from.
    pub issuer: String,
    /// Whether that issuer always sends `iss` (then a missing one is refused).
    pub iss_required: bool,
}

impl PendingSignIn {
    /// Starts a sign-in: fresh verifier and state, and the URL to navigate to.
    ///
    /// # Errors
    /// When the browser has no secure random source.
    pub fn start(
        config: &AuthConfig,
        redirect_uri: &str,
    ) -> Result<(Self, String), RandomUnavailable> {
        let pending = Self {
            verifier: Verifier::generate()?,
            state: State::generate()?,
            redirect_uri: redirect_uri.to_owned(),
            issuer: config.issuer.clone(),
            iss_required: config.iss_parameter_supported,
        };
        let url = pending.authorize_url(config);
        Ok((pending, url))
    }

    /// The authorization request (RFC 6749 §4.1.1 + PKCE + RFC 8707 `resource`).
    pub fn authorize_url(&self, config: &AuthConfig) -> String {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("response_type", "code")
            .append_pair("client_id", &config.client_id)
            .append_pair("redirect_uri", &self.redirect_uri)
            .append_pair("scope", &config.scope)
            .append_pair("state", self.state.as_str())
            .append_pair("code_challenge", self.verifier.challenge().as_str())
            .append_pair("code_challenge_method", "S256")
            .append_pair("resource", &config.resource)
            .finish();
        let sep = if config.authorization_endpoint.contains('?') {
            '&'
        } else {
            '?'
        };
        format!("{}{sep}{query}", config.authorization_endpoint)
    }

    /// Checks the callback and, if it is genuine, returns what to send to the backend.
    ///
    /// # Errors
    /// A [`CallbackError`] for an authorization-server error, a missing or mismatched
    /// `state`, a mismatched (or required but missing) `iss`, or a missing code.
    pub fn accept(&self, callback: &CallbackParams) -> Result<SessionRequest, CallbackError> {
        // State first: an error response with a forged state is not ours to show.
        let state = callback
            .state
            .as_deref()
            .ok_or(CallbackError::MissingState)?;
        if !self.state.matches(state) {
            return Err(CallbackError::StateMismatch);
        }
        match callback.iss.as_deref() {
            Some(iss) if iss != self.issuer => return Err(CallbackError::IssuerMismatch),
            None if self.iss_required => return Err(CallbackError::IssuerMissing),
            _ => {}
        }
        if let Some(error) = &callback.error {
            return Err(CallbackError::Denied {
                error: error.clone(),
                description: callback.error_description.clone(),
            });
        }
        let code = callback
            .code
            .clone()
            .filter(|c| !c.is_empty())
            .ok_or(CallbackError::MissingCode)?;
        Ok(SessionRequest {
            code,
            code_verifier: self.verifier.expose().to_owned(),
            redirect_uri: self.redirect_uri.clone(),
        })
    }
}

/// The query of the redirect back from the authorization server.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallbackParams {
    /// `code`.
    pub code: Option<String>,
    /// `state`.
    pub state: Option<String>,
    /// `iss` (RFC 9207).
    pub iss: Option<String>,
    /// `error`.
    pub error: Option<String>,
    /// `error_description`.
    pub error_description: Option<String>,
}

impl CallbackParams {
    /// Parses a query string (with or without the leading `?`). A repeated parameter
    /// makes the whole response suspect, so its value is dropped (then refused).
    pub fn parse(query: &str) -> Self {
        let mut p = Self::default();
        let mut seen: Vec<String> = Vec::new();
        for (k, v) in form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
            let slot = match k.as_ref() {
                "code" => &mut p.code,
                "state" => &mut p.state,
                "iss" => &mut p.iss,
                "error" => &mut p.error,
                "error_description" => &mut p.error_description,
                _ => continue,
            };
            if seen.iter().any(|s| s == k.as_ref()) {
                *slot = None;
            } else {
                *slot = Some(v.into_owned());
            }
            seen.push(k.into_owned());
        }
        p
    }
}

/// Why a callback was refused. The `Display` text is for the person at the screen.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    /// No sign-in was started in this tab (or it was already used).
    #[error(
        "This sign-in was not started in this tab, or it was already used. Please sign in again."
    )]
    NoPendingSignIn,
    /// The response has no `state`.
    #[error("The sign-in response is incomplete (no state). Please sign in again.")]
    MissingState,
    /// The `state` is not the one this tab sent: possibly a forged response.
    #[error("The sign-in response does not match the sign-in this tab started, so it was refused. Please sign in again.")]
    StateMismatch,
    /// The response came from another issuer (mix-up defence, RFC 9207).
    #[error("The sign-in response came from an unexpected authorization server, so it was refused. Please sign in again.")]
    IssuerMismatch,
    /// The issuer always names itself, and this response did not.
    #[error("The sign-in response did not say which authorization server sent it, so it was refused. Please sign in again.")]
    IssuerMissing,
    /// No code in a success response.
    #[error("The sign-in response has no authorization code. Please sign in again.")]
    MissingCode,
    /// The authorization server returned an error.
    #[error("{}", denied_text(error, description.as_deref()))]
    Denied {
        /// The OAuth `error` code.
        error: String,
        /// The server's `error_description`, if any.
        description: Option<String>,
    },
}

/// Plain words for OAuth error codes (RFC 6749 §4.1.2.1), with the server's own
/// description appended when it gave one.
fn denied_text(error: &str, description: Option<&str>) -> String {
    let plain = match error {
        "access_denied" => "Access was denied at the sign-in page, so you are not signed in.",
        "login_required" | "interaction_required" | "consent_required" => {
            "The authorization server needs you to sign in again."
        }
        "invalid_request" | "invalid_scope" | "invalid_target" | "unsupported_response_type" => {
            "The authorization server refused the sign-in request."
        }
        "server_error" | "temporarily_unavailable" => {
            "The authorization server had a problem. Try again in a moment."
        }
        _ => "The authorization server refused the sign-in.",
    };
    match description.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => format!("{plain} It said: “{}”", truncate(d, 300)),
        None => plain.to_owned(),
    }
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Where to go after sign-in: only a path on our own origin, never `/callback`.
///
/// Anything else (an absolute URL, `//host`, a backslash trick) becomes `/`, so a
/// stored return address can never turn the app into an open redirector.
pub fn safe_return_path(candidate: &str) -> String {
    let ok = candidate.starts_with('/')
        && !candidate.starts_with("//")
        && !candidate.contains('\\')
        && !candidate.chars().any(char::is_control)
        && !candidate.starts_with("/callback");
    if ok {
        candidate.to_owned()
    } else {
        "/".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_path_stays_on_our_origin() {
        assert_eq!(
            safe_return_path("/?view=source&q=review"),
            "/?view=source&q=review"
        );
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "/callback?code=x",
            "",
            "javascript:alert(1)",
        ] {
            assert_eq!(safe_return_path(bad), "/", "{bad}");
        }
    }

    fn config() -> AuthConfig {
        AuthConfig {
            issuer: "http://127.0.0.1:8080/as".into(),
            authorization_endpoint: "http://127.0.0.1:8080/as/authorize".into(),
            client_id: "pmt-tmb".into(),
            scope: "openid profile".into(),
            resource: "urn:pmt:api".into(),
            iss_parameter_supported: true,
        }
    }

    fn started() -> (PendingSignIn, String) {
        PendingSignIn::start(&config(), "http://127.0.0.1:8080/callback").unwrap()
    }

    fn callback_for(p: &PendingSignIn) -> CallbackParams {
        CallbackParams {
            code: Some("the-code".into()),
            state: Some(p.state.as_str().into()),
            iss: Some(p.issuer.clone()),
            ..CallbackParams::default()
        }
    }

    #[test]
    fn authorize_url_carries_every_required_parameter() {
        let (p, url) = started();
        let (base, query) = url.split_once('?').unwrap();
        assert_eq!(base, "http://127.0.0.1:8080/as/authorize");
        let q: std::collections::HashMap<_, _> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], "pmt-tmb");
        assert_eq!(q["redirect_uri"], "http://127.0.0.1:8080/callback");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["code_challenge"], p.verifier.challenge().as_str());
        assert_eq!(q["state"], p.state.as_str());
        assert_eq!(q["scope"], "openid profile");
        assert_eq!(q["resource"], "urn:pmt:api");
        assert!(
            !query.contains(p.verifier.expose()),
            "verifier must never leave the tab"
        );
    }

    #[test]
    fn authorize_url_keeps_an_existing_query() {
        let mut c = config();
        c.authorization_endpoint = "https://as.example/authorize?tenant=x".into();
        let (p, _) = started();
        assert!(p
            .authorize_url(&c)
            .starts_with("https://as.example/authorize?tenant=x&response_type=code"));
    }

    #[test]
    fn accepts_a_genuine_callback() {
        let (p, _) = started();
        let req = p.accept(&callback_for(&p)).unwrap();
        assert_eq!(req.code, "the-code");
        assert_eq!(req.code_verifier, p.verifier.expose());
        assert_eq!(req.redirect_uri, "http://127.0.0.1:8080/callback");
    }

    #[test]
    fn rejects_missing_state() {
        let (p, _) = started();
        let mut cb = callback_for(&p);
        cb.state = None;
        assert_eq!(p.accept(&cb), Err(CallbackError::MissingState));
    }

    #[test]
    fn rejects_tampered_state() {
        let (p, _) = started();
        let mut cb = callback_for(&p);
        cb.state = Some("forged".into());
        assert_eq!(p.accept(&cb), Err(CallbackError::StateMismatch));
    }

    #[test]
    fn rejects_wrong_issuer_by_exact_comparison() {
        let (p, _) = started();
        for iss in [
            "http://evil.example",
            "http://127.0.0.1:8080/as/",
            "HTTP://127.0.0.1:8080/as",
        ] {
            let mut cb = callback_for(&p);
            cb.iss = Some(iss.into());
            assert_eq!(p.accept(&cb), Err(CallbackError::IssuerMismatch), "{iss}");
        }
    }

    #[test]
    fn rejects_missing_issuer_when_the_server_always_sends_it() {
        let (p, _) = started();
        let mut cb = callback_for(&p);
        cb.iss = None;
        assert_eq!(p.accept(&cb), Err(CallbackError::IssuerMissing));
        let lenient = PendingSignIn {
            iss_required: false,
            ..p
        };
        assert!(lenient.accept(&cb).is_ok());
    }

    #[test]
    fn shows_the_servers_error_in_plain_words() {
        let (p, _) = started();
        let mut cb = callback_for(&p);
        cb.code = None;
        cb.error = Some("access_denied".into());
        cb.error_description = Some("The user denied the request".into());
        let err = p.accept(&cb).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("Access was denied"), "{text}");
        assert!(text.contains("The user denied the request"), "{text}");
    }

    #[test]
    fn an_error_with_a_forged_state_is_a_state_error() {
        let (p, _) = started();
        let cb = CallbackParams {
            state: Some("forged".into()),
            error: Some("access_denied".into()),
            iss: Some(p.issuer.clone()),
            ..CallbackParams::default()
        };
        assert_eq!(p.accept(&cb), Err(CallbackError::StateMismatch));
    }

    #[test]
    fn parses_a_callback_query_and_drops_repeated_parameters() {
        let cb = CallbackParams::parse("?code=a%2Bb&state=s&iss=http%3A%2F%2Fx&state=t");
        assert_eq!(cb.code.as_deref(), Some("a+b"));
        assert_eq!(cb.iss.as_deref(), Some("http://x"));
        assert_eq!(cb.state, None);
    }

    #[test]
    fn pending_sign_in_round_trips_through_json_but_debug_is_redacted() {
        let (p, _) = started();
        let json = serde_json::to_string(&p).unwrap();
        let back: PendingSignIn = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
        assert!(!format!("{p:?}").contains(p.verifier.expose()));
    }
}
