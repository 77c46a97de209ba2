//! The authorization endpoint and the consent decision.
//!
//! `GET {issuer}/authorize` checks the request (pure: [`check_authorization_request`]),
//! parks it server-side under a random single-use id and shows the consent page; the
//! page's form posts only that id and the decision to `POST {issuer}/consent`, so no
//! parameter is trusted twice. Allow issues a code bound to everything the request
//! said; Deny answers `access_denied`. Both go back to the registered redirect URI with
//! `state` and `iss` (RFC 9207).
//!
//! A request whose client or redirect URI is wrong is answered with a page and never
//! redirected: the server must not become an open redirector (RFC 9700 §4.11).
//!
//! Two clients may ask: the backend (its one registered redirect URI, the API as
//! resource, sign-in scopes) and desktop MCP clients (a loopback redirect on any port,
//! the MCP server as resource, MCP scopes; see [`super::mcp_client`]).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::fetch_metadata::is_cross_site;
use super::mcp_client::{self, ClientKind, DESKTOP_MCP_CLIENT_ID, DESKTOP_MCP_CLIENT_NAME};
use super::oauth_error::{ErrorCode, OAuthError};
use super::pages::{self, html_response, ConsentView};
use super::params::Params;
use super::pkce::CodeChallenge;
use super::store::TakeError;
use super::{now, AsState, DemoAsSettings, CODE_LIFETIME_SECS, CONSENT_LIFETIME_SECS};

/// A checked authorization request, waiting for the user's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct AuthorizationRequest {
    /// The client.
    pub(super) client_id: String,
    /// The (registered) redirect URI.
    pub(super) redirect_uri: String,
    /// Echoed back verbatim.
    pub(super) state: Option<String>,
    /// The granted scopes, deduplicated, in request order.
    pub(super) scopes: Vec<String>,
    /// The PKCE S256 challenge.
    pub(super) challenge: CodeChallenge,
    /// The resource the session token will be for (the backend).
    pub(super) resource: String,
}

/// What an authorization code stands for; checked again at redemption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CodeGrant {
    /// The client the code was issued to.
    pub(super) client_id: String,
    /// The redirect URI of the authorization request.
    pub(super) redirect_uri: String,
    /// The PKCE challenge the verifier must satisfy.
    pub(super) challenge: CodeChallenge,
    /// The audience of the token to issue.
    pub(super) resource: String,
    /// The granted scopes.
    pub(super) scopes: Vec<String>,
    /// The user who consented.
    pub(super) subject: String,
}

/// Why an authorization request was refused, and how to say so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Rejection {
    /// The client or redirect URI cannot be trusted: explain on a page, never redirect.
    Page(&'static str),
    /// Tell the client, at its (checked) redirect URI.
    Redirect {
        /// The error.
        error: OAuthError,
        /// The request's `state`, if it had a usable one.
        state: Option<String>,
        /// Where to send it.
        redirect_uri: String,
    },
}

/// Checks an authorization request against the settings (pure).
///
/// Client and redirect URI come first: until both are known good, every problem is a
/// [`Rejection::Page`]. After that, problems are redirected with the request's `state`.
///
/// # Errors
/// A [`Rejection`] saying what was wrong and how to report it.
pub(super) fn check_authorization_request(
    params: &Params,
    settings: &DemoAsSettings,
) -> Result<AuthorizationRequest, Rejection> {
    let client_id = match params.single("client_id") {
        Err(_) => return Err(Rejection::Page("The request repeats client_id.")),
        Ok(None) => {
            return Err(Rejection::Page(
                "The request does not say which app is asking (client_id is missing).",
            ))
        }
        Ok(Some(id)) => id.to_owned(),
    };
    let kind = if client_id == settings.client_id {
        ClientKind::Backend
    } else if client_id == DESKTOP_MCP_CLIENT_ID {
        ClientKind::McpDesktop
    } else {
        return Err(Rejection::Page(
            "The app that sent you here is not registered with this server.",
        ));
    };
    let redirect_uri = match params.single("redirect_uri") {
        Err(_) => return Err(Rejection::Page("The request repeats redirect_uri.")),
        Ok(None) => return Err(Rejection::Page("The request has no redirect_uri.")),
        Ok(Some(uri)) if kind == ClientKind::Backend && uri != settings.redirect_uri => {
            return Err(Rejection::Page(
                "The redirect_uri does not exactly match the one registered for this app.",
            ))
        }
        Ok(Some(uri))
            if kind == ClientKind::McpDesktop && !mcp_client::is_loopback_redirect(uri) =>
        {
            return Err(Rejection::Page(
                "An MCP client must use a loopback redirect_uri (http://127.0.0.1:<port>/…).",
            ))
        }
        Ok(Some(uri)) => uri.to_owned(),
    };
    let state = params.single("state").map_err(|r| Rejection::Redirect {
        error: r.into(),
        state: None,
        redirect_uri: redirect_uri.clone(),
    })?;
    let state = state.map(str::to_owned);
    let fail = |error: OAuthError| Rejection::Redirect {
        error,
        state: state.clone(),
        redirect_uri: redirect_uri.clone(),
    };

    match params.single("response_type").map_err(|r| fail(r.into()))? {
        None => return Err(fail(OAuthError::missing("response_type"))),
        Some("code") => {}
        Some(_) => {
            return Err(fail(OAuthError::new(
                ErrorCode::UnsupportedResponseType,
                "only response_type=code is supported",
            )))
        }
    }

    let challenge = params
        .single("code_challenge")
        .map_err(|r| fail(r.into()))?;
    let method = params
        .single("code_challenge_method")
        .map_err(|r| fail(r.into()))?;
    let Some(challenge) = challenge else {
        return Err(fail(OAuthError::invalid_request(
            "code_challenge is required (PKCE with S256)",
        )));
    };
    match method {
        Some("S256") => {}
        None => {
            return Err(fail(OAuthError::invalid_request(
                "code_challenge_method=S256 is required",
            )))
        }
        Some(_) => {
            return Err(fail(OAuthError::invalid_request(
                "only code_challenge_method=S256 is supported",
            )))
        }
    }
    let challenge = CodeChallenge::parse(challenge)
        .map_err(|e| fail(OAuthError::invalid_request(e.to_string())))?;

    let own_resource = match kind {
        ClientKind::Backend => &settings.resource,
        ClientKind::McpDesktop => &settings.mcp_resource,
    };
    let resource = match params.all("resource").as_slice() {
        [] => own_resource.clone(),
        [one] if one == own_resource => own_resource.clone(),
        [_] => {
            return Err(fail(OAuthError::invalid_target(match kind {
                ClientKind::Backend => "the only resource this app may sign in for is the backend",
                ClientKind::McpDesktop => "an MCP client may ask only for the MCP server",
            })))
        }
        _ => {
            return Err(fail(OAuthError::invalid_target(
                "only one resource may be requested",
            )))
        }
    };

    let requested = params.single("scope").map_err(|r| fail(r.into()))?;
    let scopes = match kind {
        ClientKind::Backend => {
            granted_scopes(requested.unwrap_or(&settings.default_scope), settings)
        }
        ClientKind::McpDesktop => mcp_client::granted_scopes(requested),
    }
    .map_err(fail)?;

    Ok(AuthorizationRequest {
        client_id,
        redirect_uri,
        state,
        scopes,
        challenge,
        resource,
    })
}

/// The scopes of a space-separated request, deduplicated, each one allowed at sign-in.
fn granted_scopes(requested: &str, settings: &DemoAsSettings) -> Result<Vec<String>, OAuthError> {
    let allowed = settings.sign_in_scopes();
    let mut scopes: Vec<String> = Vec::new();
    for scope in requested.split_ascii_whitespace() {
        if !allowed.iter().any(|a| a == scope) {
            return Err(OAuthError::invalid_scope(
                "the request asks for a scope this server does not grant at sign-in",
            ));
        }
        if !scopes.iter().any(|s| s == scope) {
            scopes.push(scope.to_owned());
        }
    }
    Ok(scopes)
}

/// The redirect URI with the response parameters appended (pure).
///
/// # Errors
/// When the redirect URI is not a URL (it is the registered one, so only on bad settings).
pub(super) fn response_url(
    redirect_uri: &str,
    pairs: &[(&str, &str)],
) -> Result<String, url::ParseError> {
    let mut url = url::Url::parse(redirect_uri)?;
    {
        let mut query = url.query_pairs_mut();
        for (k, v) in pairs {
            query.append_pair(k, v);
        }
    }
    Ok(url.into())
}

/// Sends an authorization error back to the client at its checked redirect URI.
fn redirect_error(
    settings: &DemoAsSettings,
    redirect_uri: &str,
    error: &OAuthError,
    state: Option<&str>,
) -> Response {
    let mut pairs = vec![
        ("error", error.code.as_str()),
        ("error_description", error.description.as_str()),
    ];
    if let Some(state) = state {
        pairs.push(("state", state));
    }
    pairs.push(("iss", settings.issuer.as_str()));
    redirect_to(redirect_uri, &pairs)
}

fn redirect_to(redirect_uri: &str, pairs: &[(&str, &str)]) -> Response {
    match response_url(redirect_uri, pairs) {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(_) => html_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            pages::error_page(
                "Sign-in is misconfigured",
                "The registered redirect URI is not a URL.",
            ),
        ),
    }
}

/// `GET {issuer}/authorize`.
pub(super) async fn get_authorize(
    State(state): State<Arc<AsState>>,
    RawQuery(query): RawQuery,
) -> Response {
    let settings = &state.settings;
    let params = Params::parse(query.as_deref().unwrap_or("").as_bytes());
    let request = match check_authorization_request(&params, settings) {
        Ok(request) => request,
        Err(Rejection::Page(why)) => {
            tracing::info!(why, "refused an authorization request without redirecting");
            return html_response(
                StatusCode::BAD_REQUEST,
                pages::error_page(
                    "This sign-in request cannot be completed",
                    &format!("{why} For your safety you were not sent back to the app."),
                ),
            );
        }
        Err(Rejection::Redirect {
            error,
            state: st,
            redirect_uri,
        }) => {
            tracing::info!(
                error = error.code.as_str(),
                "refused an authorization request"
            );
            return redirect_error(settings, &redirect_uri, &error, st.as_deref());
        }
    };
    let scopes = request.scopes.clone();
    let request_state = request.state.clone();
    let redirect_uri = request.redirect_uri.clone();
    let client_name = if request.client_id == DESKTOP_MCP_CLIENT_ID {
        DESKTOP_MCP_CLIENT_NAME
    } else {
        settings.client_name.as_str()
    };
    let Ok(request_id) = state.pending.insert(request, now(), CONSENT_LIFETIME_SECS) else {
        return redirect_error(
            settings,
            &redirect_uri,
            &OAuthError::new(
                ErrorCode::TemporarilyUnavailable,
                "too many sign-ins are waiting for consent",
            ),
            request_state.as_deref(),
        );
    };
    let sources = settings
        .resources
        .iter()
        .filter(|r| !state.grants.is_revoked(&r.resource))
        .collect();
    html_response(
        StatusCode::OK,
        pages::consent_page(&ConsentView {
            client_name,
            user: &settings.user,
            scopes: &scopes,
            sources,
            request_id: &request_id,
            action: &state.paths.consent,
        }),
    )
}

/// The user's answer on the consent page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    Allow,
    Deny,
}

/// `POST {issuer}/consent` with `request=<pending id>&decision=allow|deny`.
pub(super) async fn post_consent(
    State(state): State<Arc<AsState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if is_cross_site(&headers) {
        return pages::forbidden_cross_site();
    }
    let params = Params::parse(&body);
    let decision = match params.single("decision") {
        Ok(Some("allow")) => Decision::Allow,
        Ok(Some("deny")) => Decision::Deny,
        _ => return consent_error("The form was not answered with Allow or Deny."),
    };
    let Ok(Some(request_id)) = params.single("request") else {
        return consent_error("The form does not say which sign-in it answers.");
    };
    let now = now();
    let request = match state.pending.take(request_id, now) {
        Ok(request) => request,
        Err(TakeError::AlreadyUsed) => {
            return consent_error(
                "This sign-in was already answered. Go back to the app and sign in again.",
            )
        }
        Err(TakeError::Expired | TakeError::Unknown) => {
            return consent_error(
                "This sign-in request has expired. Go back to the app and sign in again.",
            )
        }
    };
    let settings = &state.settings;
    if decision == Decision::Deny {
        tracing::info!(client_id = %request.client_id, "the demo user denied a sign-in");
        let denied = OAuthError::new(ErrorCode::AccessDenied, "The user denied the request");
        return redirect_error(
            settings,
            &request.redirect_uri,
            &denied,
            request.state.as_deref(),
        );
    }
    let redirect_uri = request.redirect_uri.clone();
    let grant = CodeGrant {
        client_id: request.client_id,
        redirect_uri: request.redirect_uri,
        challenge: request.challenge,
        resource: request.resource,
        scopes: request.scopes,
        subject: settings.user.sub.clone(),
    };
    let scope = grant.scopes.join(" ");
    let Ok(code) = state.codes.insert(grant, now, CODE_LIFETIME_SECS) else {
        let busy = OAuthError::new(
            ErrorCode::TemporarilyUnavailable,
            "too many unredeemed codes",
        );
        return redirect_error(settings, &redirect_uri, &busy, request.state.as_deref());
    };
    tracing::info!(%scope, "the demo user allowed a sign-in; code issued");
    let mut pairs = vec![("code", code.as_str())];
    if let Some(st) = request.state.as_deref() {
        pairs.push(("state", st));
    }
    pairs.push(("iss", settings.issuer.as_str()));
    redirect_to(&redirect_uri, &pairs)
}

fn consent_error(message: &str) -> Response {
    html_response(
        StatusCode::BAD_REQUEST,
        pages::error_page("This sign-in cannot continue", message),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Overrides};

    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn settings() -> DemoAsSettings {
        let config = Config::demo(&Overrides {
            port: Some(8123),
            ..Overrides::default()
        })
        .expect("config");
        DemoAsSettings::for_config(&config)
    }

    fn good() -> Vec<(&'static str, String)> {
        vec![
            ("response_type", "code".to_owned()),
            ("client_id", "pmt-tmb".to_owned()),
            ("redirect_uri", "http://127.0.0.1:8123/callback".to_owned()),
            ("code_challenge", CHALLENGE.to_owned()),
            ("code_challenge_method", "S256".to_owned()),
            ("state", "st".to_owned()),
            ("scope", "openid email openid".to_owned()),
            ("resource", "urn:pmt:api".to_owned()),
        ]
    }

    fn check(pairs: &[(&str, String)]) -> Result<AuthorizationRequest, Rejection> {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        check_authorization_request(&Params::parse(query.as_bytes()), &settings())
    }

    fn with(name: &str, value: Option<&str>) -> Vec<(&'static str, String)> {
        let mut pairs: Vec<_> = good().into_iter().filter(|(k, _)| *k != name).collect();
        if let (Some(v), Some((k, _))) = (value, good().into_iter().find(|(k, _)| *k == name)) {
            pairs.push((k, v.to_owned()));
        }
        pairs
    }

    fn redirected_code(result: Result<AuthorizationRequest, Rejection>) -> ErrorCode {
        match result {
            Err(Rejection::Redirect { error, state, .. }) => {
                assert_eq!(state.as_deref(), Some("st"));
                error.code
            }
            other => panic!("expected a redirected error, got {other:?}"),
        }
    }

    #[test]
    fn a_good_request_binds_everything_and_dedupes_scopes() {
        let r = check(&good()).expect("good request");
        assert_eq!(r.scopes, ["openid", "email"]);
        assert_eq!(r.resource, "urn:pmt:api");
        assert_eq!(r.state.as_deref(), Some("st"));
    }

    #[test]
    fn resource_and_scope_default_when_absent() {
        let mut pairs = with("resource", None);
        pairs.retain(|(k, _)| *k != "scope");
        let r = check(&pairs).expect("good request");
        assert_eq!(r.resource, "urn:pmt:api");
        assert_eq!(r.scopes, ["openid", "profile", "email"]);
    }

    #[test]
    fn wrong_client_or_redirect_uri_is_never_redirected() {
        for (name, value) in [
            ("client_id", Some("evil")),
            ("client_id", None),
            ("redirect_uri", Some("http://127.0.0.1:8123/callback/")),
            ("redirect_uri", Some("http://127.0.0.1:8123/callback?x=1")),
            ("redirect_uri", Some("http://127.0.0.1:9999/callback")),
            ("redirect_uri", None),
        ] {
            assert!(
                matches!(check(&with(name, value)), Err(Rejection::Page(_))),
                "{name}={value:?}"
            );
        }
    }

    #[test]
    fn a_repeated_redirect_uri_is_never_redirected() {
        let mut pairs = good();
        pairs.push(("redirect_uri", "http://evil.example/cb".to_owned()));
        assert!(matches!(check(&pairs), Err(Rejection::Page(_))));
    }

    #[test]
    fn pkce_must_be_s256_with_a_wellformed_challenge() {
        for (name, value) in [
            ("code_challenge", None),
            ("code_challenge_method", None),
            ("code_challenge_method", Some("plain")),
            ("code_challenge", Some("short")),
        ] {
            assert_eq!(
                redirected_code(check(&with(name, value))),
                ErrorCode::InvalidRequest,
                "{name}={value:?}"
            );
        }
    }

    #[test]
    fn only_response_type_code_is_supported() {
        assert_eq!(
            redirected_code(check(&with("response_type", Some("token")))),
            ErrorCode::UnsupportedResponseType
        );
        assert_eq!(
            redirected_code(check(&with("response_type", None))),
            ErrorCode::InvalidRequest
        );
    }

    #[test]
    fn another_resource_is_an_invalid_target() {
        assert_eq!(
            redirected_code(check(&with("resource", Some("urn:pmt:gmail")))),
            ErrorCode::InvalidTarget
        );
        let mut two = good();
        two.push(("resource", "urn:pmt:gmail".to_owned()));
        assert_eq!(redirected_code(check(&two)), ErrorCode::InvalidTarget);
    }

    #[test]
    fn unknown_scopes_are_refused() {
        assert_eq!(
            redirected_code(check(&with("scope", Some("openid gmail.read")))),
            ErrorCode::InvalidScope
        );
    }

    /// A desktop MCP client's request: loopback redirect, the MCP resource.
    fn mcp_desktop() -> Vec<(&'static str, String)> {
        let mut pairs = with("client_id", Some(DESKTOP_MCP_CLIENT_ID));
        for (k, v) in [
            ("redirect_uri", "http://127.0.0.1:53682/oauth/callback"),
            ("resource", "http://127.0.0.1:8123/mcp"),
            ("scope", "plan.read plan.write"),
        ] {
            pairs.retain(|(name, _)| *name != k);
            pairs.push((k, v.to_owned()));
        }
        pairs
    }

    #[test]
    fn a_desktop_mcp_client_gets_the_mcp_resource_and_scopes_at_its_loopback_redirect() {
        let r = check(&mcp_desktop()).expect("good MCP request");
        assert_eq!(r.client_id, DESKTOP_MCP_CLIENT_ID);
        assert_eq!(r.redirect_uri, "http://127.0.0.1:53682/oauth/callback");
        assert_eq!(r.resource, "http://127.0.0.1:8123/mcp");
        assert_eq!(r.scopes, ["plan.read", "plan.write"]);
        let mut defaults = mcp_desktop();
        defaults.retain(|(k, _)| *k != "resource" && *k != "scope");
        let r = check(&defaults).expect("defaults");
        assert_eq!(r.resource, "http://127.0.0.1:8123/mcp");
        assert_eq!(r.scopes, ["plan.read", "plan.write"]);
    }

    #[test]
    fn a_desktop_mcp_client_is_held_to_loopback_the_mcp_resource_and_mcp_scopes() {
        let mut remote = mcp_desktop();
        remote.retain(|(k, _)| *k != "redirect_uri");
        remote.push(("redirect_uri", "https://evil.example/cb".to_owned()));
        assert!(matches!(check(&remote), Err(Rejection::Page(_))));
        for (name, value, code) in [
            ("resource", "urn:pmt:api", ErrorCode::InvalidTarget),
            ("resource", "urn:pmt:gmail", ErrorCode::InvalidTarget),
            ("scope", "openid plan.read", ErrorCode::InvalidScope),
        ] {
            let mut pairs = mcp_desktop();
            pairs.retain(|(k, _)| *k != name);
            pairs.push((name, value.to_owned()));
            let result = check(&pairs);
            assert!(
                matches!(&result, Err(Rejection::Redirect { redirect_uri, .. })
                    if redirect_uri == "http://127.0.0.1:53682/oauth/callback"),
                "{name}={value}: {result:?}"
            );
            assert_eq!(redirected_code(result), code, "{name}={value}");
        }
        // The backend cannot ask for the MCP resource either.
        assert_eq!(
            redirected_code(check(&with("resource", Some("http://127.0.0.1:8123/mcp")))),
            ErrorCode::InvalidTarget
        );
    }

    #[test]
    fn response_url_appends_encoded_parameters() {
        let url = response_url(
            "http://127.0.0.1:1/callback",
            &[("state", "a b&c"), ("iss", "http://127.0.0.1:1/as")],
        )
        .expect("url");
        assert_eq!(
            url,
            "http://127.0.0.1:1/callback?state=a+b%26c&iss=http%3A%2F%2F127.0.0.1%3A1%2Fas"
        );
    }
}
