//! RFC 8693 token exchange: a session token (audience = the backend) becomes a
//! short-lived token for exactly one source, with at most that source's scopes.
//!
//! The subject token may have one of two audiences, both served by the backend: its
//! API (a session token, which must have been issued to the exchanging client) or its
//! MCP endpoint (a token an MCP client presented there; the backend exchanges it as
//! that resource's server, so it is never passed upstream itself). A subject token for
//! any other audience is refused.
//!
//! Errors follow RFC 8693 §2.2.2: a bad request or an unacceptable subject token is
//! `invalid_request`; a resource we will not issue for is `invalid_target`, and so is a
//! resource whose grant the user revoked ("the user revoked access to <resource>") —
//! the grant to that one target is gone, while the subject token and the client are
//! fine, which is exactly what `invalid_target` describes. A scope beyond the
//! resource's is `invalid_scope`.

use super::access_token::{AccessTokenClaims, Actor, TokenSpec};
use super::client_auth::AuthenticatedClient;
use super::oauth_error::OAuthError;
use super::params::Params;
use super::token::{sign, TokenResponse};
use super::{AsState, ResourcePolicy, EXCHANGED_TOKEN_LIFETIME_SECS};
use crate::auth::validate::{validate, Claims, Expectations, TokenError};

/// The RFC 8693 token type of access tokens, the only type taken and issued here.
pub(super) const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

/// Subject tokens are ours and checked against our own clock, so no leeway is needed.
const SUBJECT_LEEWAY_SECS: i64 = 0;

/// A syntactically valid exchange request.
struct ExchangeRequest<'a> {
    subject_token: &'a str,
    resource: &'a str,
    scope: Option<&'a str>,
}

/// Reads an exchange request (pure): one subject access token, one resource.
fn parse_request(params: &Params) -> Result<ExchangeRequest<'_>, OAuthError> {
    let subject_token = params
        .single("subject_token")?
        .ok_or_else(|| OAuthError::missing("subject_token"))?;
    match params.single("subject_token_type")? {
        None => return Err(OAuthError::missing("subject_token_type")),
        Some(ACCESS_TOKEN_TYPE) => {}
        Some(_) => {
            return Err(OAuthError::invalid_request(
                "only access tokens can be exchanged here",
            ))
        }
    }
    if params.single("actor_token")?.is_some() || params.single("actor_token_type")?.is_some() {
        return Err(OAuthError::invalid_request(
            "actor tokens are not supported; the client is the actor",
        ));
    }
    if params
        .single("requested_token_type")?
        .is_some_and(|t| t != ACCESS_TOKEN_TYPE)
    {
        return Err(OAuthError::invalid_request(
            "only access tokens can be issued here",
        ));
    }
    if !params.all("audience").is_empty() {
        return Err(OAuthError::invalid_target(
            "name the target with resource (RFC 8707), not audience",
        ));
    }
    let resource = match params.all("resource").as_slice() {
        [] => return Err(OAuthError::missing("resource")),
        [one] => *one,
        _ => {
            return Err(OAuthError::invalid_target(
                "exactly one resource per token exchange",
            ))
        }
    };
    Ok(ExchangeRequest {
        subject_token,
        resource,
        scope: params.single("scope")?,
    })
}

/// The scopes to grant for a resource (pure): all of its scopes when none are asked
/// for, otherwise the requested ones, each of which must be allowed.
fn granted_scopes(
    requested: Option<&str>,
    policy: &ResourcePolicy,
) -> Result<Vec<String>, OAuthError> {
    let mut scopes: Vec<String> = Vec::new();
    for scope in requested.unwrap_or("").split_ascii_whitespace() {
        if !policy.scopes.iter().any(|s| s == scope) {
            return Err(OAuthError::invalid_scope(format!(
                "the scope for {} is limited to: {}",
                policy.resource,
                policy.scopes.join(" ")
            )));
        }
        if !scopes.iter().any(|s| s == scope) {
            scopes.push(scope.to_owned());
        }
    }
    if scopes.is_empty() {
        scopes.clone_from(&policy.scopes);
    }
    Ok(scopes)
}

/// Which of the backend's two audiences a subject token was issued for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SubjectAudience {
    /// The API: a session token.
    Api,
    /// The MCP endpoint: a token an MCP client presented there.
    Mcp,
}

/// Validates the subject token against our own keys for one of the backend's two
/// audiences (API first, then MCP), and checks the exchanging client may use it.
fn validate_subject(
    state: &AsState,
    client: &AuthenticatedClient,
    token: &str,
    now: i64,
) -> Result<Claims, OAuthError> {
    let settings = &state.settings;
    let expect = |audience: &str| Expectations {
        leeway_secs: SUBJECT_LEEWAY_SECS,
        ..Expectations::new(settings.issuer.as_str(), audience)
    };
    let refused = |e: TokenError| {
        OAuthError::invalid_request(format!("the subject token is not acceptable: {e}"))
    };
    let (subject, audience) =
        match validate(token, &state.own_keys, &expect(&settings.resource), now) {
            Ok(claims) => (claims, SubjectAudience::Api),
            Err(TokenError::WrongAudience) => {
                let claims = validate(token, &state.own_keys, &expect(&settings.mcp_resource), now)
                    .map_err(refused)?;
                (claims, SubjectAudience::Mcp)
            }
            Err(e) => return Err(refused(e)),
        };
    check_subject_client(
        audience,
        subject.client_id.as_deref(),
        &client.client_id,
        &settings.client_id,
    )?;
    Ok(subject)
}

/// Who may exchange a subject token (pure): a session token only the client it was
/// issued to; an MCP token only the backend, the MCP resource's own server (the token
/// names the MCP client it was issued to, which never exchanges anything).
fn check_subject_client(
    audience: SubjectAudience,
    issued_to: Option<&str>,
    exchanging: &str,
    backend: &str,
) -> Result<(), OAuthError> {
    let allowed = match audience {
        SubjectAudience::Api => issued_to == Some(exchanging),
        SubjectAudience::Mcp => exchanging == backend,
    };
    if allowed {
        Ok(())
    } else {
        Err(OAuthError::invalid_request(
            "the subject token was not issued to this client",
        ))
    }
}

/// Handles `grant_type=urn:ietf:params:oauth:grant-type:token-exchange` for an
/// authenticated (hence confidential) client.
///
/// # Errors
/// An [`OAuthError`] per RFC 8693 §2.2.2 (see the module documentation).
pub(super) fn exchange(
    state: &AsState,
    client: &AuthenticatedClient,
    params: &Params,
    now: i64,
) -> Result<TokenResponse, OAuthError> {
    let settings = &state.settings;
    let request = parse_request(params)?;
    let subject = validate_subject(state, client, request.subject_token, now)?;
    let policy = settings.resource_policy(request.resource).ok_or_else(|| {
        OAuthError::invalid_target("this server does not issue tokens for that resource")
    })?;
    let scopes = granted_scopes(request.scope, policy)?;
    if state.grants.is_revoked(&policy.resource) {
        return Err(OAuthError::invalid_target(format!(
            "the user revoked access to {}",
            policy.resource
        )));
    }
    let mut claims = AccessTokenClaims::new(
        &TokenSpec {
            issuer: &settings.issuer,
            subject: &subject.sub,
            audience: &policy.resource,
            client_id: &client.client_id,
            scopes: &scopes,
            lifetime_secs: EXCHANGED_TOKEN_LIFETIME_SECS,
        },
        now,
    );
    claims.act = Some(Actor {
        sub: client.client_id.clone(),
    });
    let access_token = sign(state, &claims)?;
    tracing::info!(
        client_id = %client.client_id,
        resource = %policy.resource,
        scope = %claims.scope,
        "exchanged a session token"
    );
    Ok(TokenResponse {
        access_token,
        issued_token_type: Some(ACCESS_TOKEN_TYPE),
        token_type: "Bearer",
        expires_in: EXCHANGED_TOKEN_LIFETIME_SECS,
        scope: claims.scope,
    })
}

#[cfg(test)]
mod tests {
    use super::super::oauth_error::ErrorCode;
    use super::*;

    const BASE: &str = "subject_token=t&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token";

    fn parse(extra: &str) -> Result<(), ErrorCode> {
        let body = format!("{BASE}{extra}");
        let params = Params::parse(body.as_bytes());
        parse_request(&params).map(|_| ()).map_err(|e| e.code)
    }

    #[test]
    fn one_resource_is_required() {
        assert_eq!(parse("&resource=urn:pmt:gmail"), Ok(()));
        assert_eq!(parse(""), Err(ErrorCode::InvalidRequest));
        assert_eq!(
            parse("&resource=urn:pmt:gmail&resource=urn:pmt:slack"),
            Err(ErrorCode::InvalidTarget)
        );
    }

    #[test]
    fn other_token_types_and_actor_tokens_are_invalid_requests() {
        let r = "&resource=urn:pmt:gmail";
        let jwt_type = format!(
            "subject_token=t&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Ajwt{r}"
        );
        assert_eq!(
            parse_request(&Params::parse(jwt_type.as_bytes()))
                .map(|_| ())
                .map_err(|e| e.code),
            Err(ErrorCode::InvalidRequest)
        );
        assert_eq!(
            parse(&format!("{r}&actor_token=x")),
            Err(ErrorCode::InvalidRequest)
        );
        assert_eq!(
            parse(&format!(
                "{r}&requested_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aid_token"
            )),
            Err(ErrorCode::InvalidRequest)
        );
        assert_eq!(
            parse(&format!("{r}&audience=gmail")),
            Err(ErrorCode::InvalidTarget)
        );
    }

    #[test]
    fn a_session_token_is_exchanged_only_by_its_client_and_an_mcp_token_only_by_the_backend() {
        use SubjectAudience::{Api, Mcp};
        assert!(check_subject_client(Api, Some("pmt-tmb"), "pmt-tmb", "pmt-tmb").is_ok());
        assert!(check_subject_client(Api, Some("other"), "pmt-tmb", "pmt-tmb").is_err());
        assert!(check_subject_client(Api, None, "pmt-tmb", "pmt-tmb").is_err());
        assert!(check_subject_client(Mcp, Some("pmt-mcp-local"), "pmt-tmb", "pmt-tmb").is_ok());
        assert!(check_subject_client(Mcp, Some("pmt-mcp-local"), "other", "pmt-tmb").is_err());
    }

    #[test]
    fn scopes_default_to_the_resource_and_never_exceed_it() {
        let policy = ResourcePolicy::new("urn:pmt:gmail", "Gmail", &["gmail.read"]);
        assert_eq!(granted_scopes(None, &policy).expect("ok"), ["gmail.read"]);
        assert_eq!(
            granted_scopes(Some("gmail.read gmail.read"), &policy).expect("ok"),
            ["gmail.read"]
        );
        for bad in ["gmail.send", "gmail.read calendar.read", "openid"] {
            assert_eq!(
                granted_scopes(Some(bad), &policy)
                    .expect_err("escalation")
                    .code,
                ErrorCode::InvalidScope,
                "{bad}"
            );
        }
    }
}
