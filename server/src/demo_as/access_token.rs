//! The JWT access tokens this server signs (RFC 9068 profile, `typ: at+jwt`).
//!
//! They are stateless: nothing records which tokens exist, so none can be revoked
//! before it expires. That is why lifetimes are short and why a replayed code can only
//! be refused, not used to revoke what the first redemption issued (RFC 9700 §4.2.4's
//! SHOULD is not met by design).

use serde::Serialize;

use super::store::random_handle;

/// The acting party of a delegated token (RFC 8693 §4.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(super) struct Actor {
    /// The actor's subject: the client that exchanged the token.
    pub(super) sub: String,
}

/// The claims of an issued access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(super) struct AccessTokenClaims {
    /// Our issuer identifier.
    pub(super) iss: String,
    /// The user.
    pub(super) sub: String,
    /// Exactly one audience, serialized as a string.
    pub(super) aud: String,
    /// Expiry (seconds since the epoch).
    pub(super) exp: i64,
    /// Issued at.
    pub(super) iat: i64,
    /// Not before (= `iat`).
    pub(super) nbf: i64,
    /// A fresh random id.
    pub(super) jti: String,
    /// The client the token was issued to.
    pub(super) client_id: String,
    /// Space-separated granted scopes.
    pub(super) scope: String,
    /// The user's name (session tokens only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) name: Option<String>,
    /// The user's email (session tokens only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) email: Option<String>,
    /// Who acts for the user (exchanged tokens only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) act: Option<Actor>,
}

/// What varies between the tokens this server issues.
#[derive(Debug, Clone)]
pub(super) struct TokenSpec<'a> {
    /// Issuer.
    pub(super) issuer: &'a str,
    /// Subject.
    pub(super) subject: &'a str,
    /// Audience (one resource).
    pub(super) audience: &'a str,
    /// Client id.
    pub(super) client_id: &'a str,
    /// Granted scopes.
    pub(super) scopes: &'a [String],
    /// Lifetime in seconds.
    pub(super) lifetime_secs: i64,
}

impl AccessTokenClaims {
    /// Claims issued at `now` with a fresh `jti`, no profile and no actor.
    pub(super) fn new(spec: &TokenSpec<'_>, now: i64) -> Self {
        Self {
            iss: spec.issuer.to_owned(),
            sub: spec.subject.to_owned(),
            aud: spec.audience.to_owned(),
            exp: now.saturating_add(spec.lifetime_secs),
            iat: now,
            nbf: now,
            jti: random_handle(16),
            client_id: spec.client_id.to_owned(),
            scope: spec.scopes.join(" "),
            name: None,
            email: None,
            act: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_serialize_aud_as_a_string_and_omit_absent_members() {
        let scopes = ["gmail.read".to_owned()];
        let claims = AccessTokenClaims::new(
            &TokenSpec {
                issuer: "http://127.0.0.1:1/as",
                subject: "demo-user",
                audience: "urn:pmt:gmail",
                client_id: "pmt-tmb",
                scopes: &scopes,
                lifetime_secs: 300,
            },
            1_000,
        );
        let json = serde_json::to_value(&claims).expect("json");
        assert_eq!(json["aud"], "urn:pmt:gmail");
        assert_eq!(json["exp"], 1_300);
        assert_eq!(json["nbf"], 1_000);
        assert_eq!(json["scope"], "gmail.read");
        assert!(json.get("act").is_none() && json.get("name").is_none());
    }
}
