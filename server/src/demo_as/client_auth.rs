//! Client authentication at the token endpoint: `client_secret_basic` (RFC 6749
//! §2.3.1, id and secret form-urlencoded before base64) or `client_secret_post`.
//!
//! Exactly one method per request; the secret is compared in constant time; an unknown
//! client and a wrong secret get the same answer.

use axum::http::{header, HeaderMap};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::oauth_error::OAuthError;
use super::params::Params;
use super::DemoAsSettings;

/// A client that proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct AuthenticatedClient {
    /// Its client id.
    pub(super) client_id: String,
}

/// Credentials as presented, before checking.
struct Credentials {
    client_id: String,
    secret: String,
}

/// Authenticates the caller of the token endpoint (pure).
///
/// # Errors
/// `invalid_client` when no credentials were sent or they are wrong; `invalid_request`
/// when two methods were used at once or the body's `client_id` contradicts the header.
pub(super) fn authenticate(
    headers: &HeaderMap,
    params: &Params,
    settings: &DemoAsSettings,
) -> Result<AuthenticatedClient, OAuthError> {
    let basic = basic_credentials(headers)?;
    let form_id = params.single("client_id")?;
    let form_secret = params.single("client_secret")?;
    let credentials = match (basic, form_secret) {
        (Some(_), Some(_)) => {
            return Err(OAuthError::invalid_request(
                "use one client authentication method, not two",
            ))
        }
        (Some(basic), None) => {
            if form_id.is_some_and(|id| id != basic.client_id) {
                return Err(OAuthError::invalid_request(
                    "client_id does not match the authenticated client",
                ));
            }
            basic
        }
        (None, Some(secret)) => Credentials {
            client_id: form_id
                .ok_or_else(|| OAuthError::invalid_client("client_id is required"))?
                .to_owned(),
            secret: secret.to_owned(),
        },
        (None, None) => {
            return Err(OAuthError::invalid_client(
                "client authentication is required (client_secret_basic or client_secret_post)",
            ))
        }
    };
    let id_matches = credentials.client_id == settings.client_id;
    let secret_matches = settings.client_secret.ct_eq(&credentials.secret);
    if id_matches && secret_matches {
        Ok(AuthenticatedClient {
            client_id: credentials.client_id,
        })
    } else {
        Err(OAuthError::invalid_client("client authentication failed"))
    }
}

/// The credentials of an `Authorization: Basic` header, if there is one.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<Credentials>, OAuthError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed = || OAuthError::invalid_client("malformed Basic credentials");
    let value = value.to_str().map_err(|_| malformed())?;
    let Some((scheme, encoded)) = value.split_once(' ') else {
        return Err(malformed());
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(OAuthError::invalid_client(
            "the token endpoint accepts only Basic client authentication in the header",
        ));
    }
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| malformed())?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    Ok(Some(Credentials {
        client_id: form_decode(id).ok_or_else(malformed)?,
        secret: form_decode(secret).ok_or_else(malformed)?,
    }))
}

/// Undoes `application/x-www-form-urlencoded` encoding (`+` and `%XX`); `None` for a
/// broken escape or invalid UTF-8.
fn form_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = text.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Overrides};
    use crate::secret::ClientSecret;
    use axum::http::HeaderValue;

    use super::super::oauth_error::ErrorCode;

    fn settings() -> DemoAsSettings {
        let mut s =
            DemoAsSettings::for_config(&Config::demo(&Overrides::default()).expect("config"));
        s.client_secret = ClientSecret::new("s3cr=t +x");
        s
    }

    fn basic(id: &str, secret: &str) -> HeaderMap {
        let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let mut h = HeaderMap::new();
        let value = format!(
            "Basic {}",
            STANDARD.encode(format!("{}:{}", enc(id), enc(secret)))
        );
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&value).expect("header"),
        );
        h
    }

    fn code(r: Result<AuthenticatedClient, OAuthError>) -> ErrorCode {
        r.expect_err("should fail").code
    }

    #[test]
    fn accepts_basic_with_form_encoded_credentials() {
        let c = authenticate(
            &basic("pmt-tmb", "s3cr=t +x"),
            &Params::default(),
            &settings(),
        );
        assert_eq!(c.expect("ok").client_id, "pmt-tmb");
    }

    #[test]
    fn accepts_client_secret_post() {
        let p = Params::parse(b"client_id=pmt-tmb&client_secret=s3cr%3Dt+%2Bx");
        assert!(authenticate(&HeaderMap::new(), &p, &settings()).is_ok());
    }

    #[test]
    fn wrong_secret_or_unknown_client_is_invalid_client() {
        let s = settings();
        assert_eq!(
            code(authenticate(
                &basic("pmt-tmb", "nope"),
                &Params::default(),
                &s
            )),
            ErrorCode::InvalidClient
        );
        assert_eq!(
            code(authenticate(
                &basic("other", "s3cr=t +x"),
                &Params::default(),
                &s
            )),
            ErrorCode::InvalidClient
        );
    }

    #[test]
    fn no_credentials_or_id_only_is_invalid_client() {
        let s = settings();
        assert_eq!(
            code(authenticate(&HeaderMap::new(), &Params::default(), &s)),
            ErrorCode::InvalidClient
        );
        let public = Params::parse(b"client_id=pmt-tmb");
        assert_eq!(
            code(authenticate(&HeaderMap::new(), &public, &s)),
            ErrorCode::InvalidClient
        );
    }

    #[test]
    fn two_methods_at_once_are_refused() {
        let p = Params::parse(b"client_id=pmt-tmb&client_secret=s3cr%3Dt+%2Bx");
        assert_eq!(
            code(authenticate(
                &basic("pmt-tmb", "s3cr=t +x"),
                &p,
                &settings()
            )),
            ErrorCode::InvalidRequest
        );
    }

    #[test]
    fn a_contradicting_body_client_id_is_refused() {
        let p = Params::parse(b"client_id=someone-else");
        assert_eq!(
            code(authenticate(
                &basic("pmt-tmb", "s3cr=t +x"),
                &p,
                &settings()
            )),
            ErrorCode::InvalidRequest
        );
    }

    #[test]
    fn form_decode_handles_plus_percent_and_broken_escapes() {
        assert_eq!(form_decode("a+b%2Bc").as_deref(), Some("a b+c"));
        assert_eq!(form_decode("%zz"), None);
        assert_eq!(form_decode("%4"), None);
        assert_eq!(form_decode("%C3%A9").as_deref(), Some("é"));
    }
}
