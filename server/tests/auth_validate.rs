//! The access-token validator against forged, replayed and malformed tokens.
//!
//! Keys are generated per run; nothing private is committed.

use crate::auth_support;

use auth_support::{b64, claims, jwks, TestKey, MCP_AUDIENCE, RESOURCE};
use pmt_server::auth::validate::{
    header_kid, validate, Expectations, KeySet, TokenError, TypPolicy,
};
use serde_json::{json, Value};

const ISSUER: &str = "https://as.example.com/tenant";
const NOW: i64 = 1_750_000_000;

struct Fixture {
    key: TestKey,
    keys: KeySet,
    expect: Expectations,
}

fn fixture() -> Fixture {
    let key = TestKey::generate("key-1");
    let keys = KeySet::from_jwks_json(&jwks(&[&key])).expect("key set");
    Fixture {
        key,
        keys,
        expect: Expectations::new(ISSUER, RESOURCE),
    }
}

impl Fixture {
    fn claims(&self) -> Value {
        claims(ISSUER, RESOURCE, NOW)
    }

    fn check(&self, token: &str) -> Result<pmt_server::auth::Claims, TokenError> {
        validate(token, &self.keys, &self.expect, NOW)
    }

    fn with_claim(&self, name: &str, value: Value) -> Result<pmt_server::auth::Claims, TokenError> {
        let mut c = self.claims();
        c[name] = value;
        self.check(&self.key.token(&c))
    }

    fn without_claim(&self, name: &str) -> Result<pmt_server::auth::Claims, TokenError> {
        let mut c = self.claims();
        c.as_object_mut().map(|o| o.remove(name));
        self.check(&self.key.token(&c))
    }

    fn with_header(&self, header: Value) -> Result<pmt_server::auth::Claims, TokenError> {
        self.check(&self.key.sign(&header, &self.claims()))
    }
}

/// A token with the given header and claims and a signature of junk bytes.
fn unsigned(header: &Value, claims: &Value, signature: &str) -> String {
    format!(
        "{}.{}.{signature}",
        b64(header.to_string()),
        b64(claims.to_string())
    )
}

#[test]
fn a_token_as_the_demo_authorization_server_issues_it_is_accepted() {
    let f = fixture();
    let c = f.check(&f.key.token(&f.claims())).expect("valid token");
    assert_eq!(c.iss, ISSUER);
    assert_eq!(c.sub, "user-1");
    assert_eq!(c.aud, [RESOURCE]);
    assert_eq!(c.exp, NOW + 300);
    assert_eq!(c.name.as_deref(), Some("Dana Demo"));
    assert_eq!(c.email.as_deref(), Some("dana@example.com"));
    assert_eq!(c.client_id.as_deref(), Some("pmt tmb"));
    assert_eq!(c.scope.as_deref(), Some("openid profile email"));
}

#[test]
fn an_oidc_provider_style_token_with_an_audience_array_is_accepted() {
    let f = fixture();
    let c = json!({
        "iss": ISSUER, "sub": "u", "aud": ["other", RESOURCE], "exp": NOW + 60,
        "iat": NOW, "jti": "j", "scope": "api", "client_id": "pmt",
    });
    let claims = f.check(&f.key.token(&c)).expect("valid token");
    assert_eq!(claims.aud, ["other", RESOURCE]);
    assert_eq!(claims.name, None);
}

#[test]
fn application_at_jwt_typ_in_any_case_is_accepted() {
    let f = fixture();
    for typ in ["application/at+jwt", "AT+JWT"] {
        let h = json!({"alg": "ES256", "typ": typ, "kid": "key-1"});
        assert!(f.with_header(h).is_ok(), "{typ}");
    }
}

#[test]
fn alg_none_is_rejected() {
    let f = fixture();
    let h = json!({"alg": "none", "typ": "at+jwt", "kid": "key-1"});
    let token = format!("{}.{}.", b64(h.to_string()), b64(f.claims().to_string()));
    assert_eq!(f.check(&token), Err(TokenError::Malformed));
    let token = unsigned(&h, &f.claims(), "AAAA");
    assert_eq!(
        f.check(&token),
        Err(TokenError::UnsupportedAlgorithm("none".to_owned()))
    );
}

#[test]
fn rfc7515_a5_unsecured_jws_is_rejected() {
    let f = fixture();
    let a5 = "eyJhbGciOiJub25lIn0.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.";
    assert!(f.check(a5).is_err());
    assert!(header_kid(a5).is_err());
}

#[test]
fn rfc7515_a1_hs256_token_is_rejected_as_hmac_and_as_expired() {
    let f = fixture();
    let a1 = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    assert_eq!(
        f.check(a1),
        Err(TokenError::UnsupportedAlgorithm("HS256".to_owned()))
    );
    // Its payload is also long expired: rebuilt as an ES256 token for our issuer with
    // the RFC's exp, the clock check refuses it on its own.
    let mut c = f.claims();
    c["exp"] = json!(1_300_819_380);
    assert_eq!(f.check(&f.key.token(&c)), Err(TokenError::Expired));
}

#[test]
fn hs256_signed_with_the_public_key_bytes_is_rejected() {
    let f = fixture();
    let header = json!({"alg": "HS256", "typ": "at+jwt", "kid": "key-1"});
    let input = format!(
        "{}.{}",
        b64(header.to_string()),
        b64(f.claims().to_string())
    );
    let secret = jsonwebtoken::EncodingKey::from_secret(&f.key.public_bytes());
    let sig = jsonwebtoken::crypto::sign(input.as_bytes(), &secret, jsonwebtoken::Algorithm::HS256)
        .expect("hmac");
    let forged = format!("{input}.{sig}");
    assert_eq!(
        f.check(&forged),
        Err(TokenError::UnsupportedAlgorithm("HS256".to_owned()))
    );
    // The JWK's x coordinate as the secret fares no better.
    let x = f.key.jwk()["x"].as_str().expect("x").to_owned();
    let secret = jsonwebtoken::EncodingKey::from_secret(x.as_bytes());
    let sig = jsonwebtoken::crypto::sign(input.as_bytes(), &secret, jsonwebtoken::Algorithm::HS256)
        .expect("hmac");
    assert!(f.check(&format!("{input}.{sig}")).is_err());
}

#[test]
fn algorithms_outside_the_allow_list_are_rejected() {
    let f = fixture();
    for alg in ["ES384", "PS256", "RS512", "EdDSA", "es256", "ES256 "] {
        let h = json!({"alg": alg, "typ": "at+jwt", "kid": "key-1"});
        assert!(
            matches!(f.with_header(h), Err(TokenError::UnsupportedAlgorithm(_))),
            "{alg}"
        );
    }
}

#[test]
fn rs256_naming_an_ec_key_is_rejected_as_a_key_mismatch() {
    let f = fixture();
    let h = json!({"alg": "RS256", "typ": "at+jwt", "kid": "key-1"});
    assert_eq!(f.with_header(h), Err(TokenError::AlgorithmKeyMismatch));
}

#[test]
fn an_unknown_kid_is_rejected() {
    let f = fixture();
    let h = json!({"alg": "ES256", "typ": "at+jwt", "kid": "key-2"});
    assert_eq!(f.with_header(h), Err(TokenError::UnknownKey));
}

#[test]
fn a_missing_kid_is_rejected() {
    let f = fixture();
    let h = json!({"alg": "ES256", "typ": "at+jwt"});
    assert_eq!(f.with_header(h), Err(TokenError::MissingKid));
}

#[test]
fn a_kid_with_path_traversal_or_sql_is_rejected() {
    let f = fixture();
    for kid in [
        "../../../../etc/passwd",
        "key-1' OR '1'='1",
        "key-1; DROP TABLE keys;--",
    ] {
        let h = json!({"alg": "ES256", "typ": "at+jwt", "kid": kid});
        let err = f.with_header(h).expect_err(kid);
        assert!(
            matches!(err, TokenError::InvalidKid | TokenError::UnknownKey),
            "{kid}: {err:?}"
        );
    }
    let h = json!({"alg": "ES256", "typ": "at+jwt", "kid": "' OR 1=1 --"});
    let token = f.key.sign(&h, &f.claims());
    assert_eq!(header_kid(&token), Err(TokenError::InvalidKid));
}

#[test]
fn an_embedded_jwk_header_is_rejected_even_when_it_verifies() {
    let f = fixture();
    let attacker = TestKey::generate("key-1");
    let h = json!({"alg": "ES256", "typ": "at+jwt", "kid": "key-1", "jwk": attacker.jwk()});
    assert_eq!(
        f.check(&attacker.sign(&h, &f.claims())),
        Err(TokenError::EmbeddedKeyHeader)
    );
    // Even signed by the real key, a token carrying a key is refused.
    assert_eq!(f.with_header(h), Err(TokenError::EmbeddedKeyHeader));
}

#[test]
fn jku_x5u_and_x5c_headers_are_rejected() {
    let f = fixture();
    for (name, value) in [
        ("jku", json!("https://attacker.example/jwks.json")),
        ("x5u", json!("https://attacker.example/cert.pem")),
        ("x5c", json!(["MIIB"])),
        ("jku", Value::Null),
    ] {
        let mut h = f.key.header();
        h[name] = value;
        assert_eq!(
            f.with_header(h),
            Err(TokenError::EmbeddedKeyHeader),
            "{name}"
        );
    }
}

#[test]
fn a_crit_header_is_rejected() {
    let f = fixture();
    let mut h = f.key.header();
    h["crit"] = json!(["b64"]);
    h["b64"] = json!(false);
    assert_eq!(f.with_header(h), Err(TokenError::CriticalHeader));
}

#[test]
fn a_wrong_issuer_is_rejected() {
    let f = fixture();
    assert_eq!(
        f.with_claim("iss", json!("https://evil.example.com/tenant")),
        Err(TokenError::WrongIssuer)
    );
    assert_eq!(f.without_claim("iss"), Err(TokenError::MissingClaim("iss")));
}

#[test]
fn an_issuer_with_a_trailing_slash_or_other_case_is_rejected() {
    let f = fixture();
    for iss in [
        "https://as.example.com/tenant/",
        "https://AS.example.com/tenant",
        "https://as.example.com/Tenant",
    ] {
        assert_eq!(
            f.with_claim("iss", json!(iss)),
            Err(TokenError::WrongIssuer),
            "{iss}"
        );
    }
}

#[test]
fn a_missing_audience_is_rejected() {
    let f = fixture();
    assert_eq!(f.without_claim("aud"), Err(TokenError::MissingClaim("aud")));
    assert_eq!(
        f.with_claim("aud", json!([])),
        Err(TokenError::WrongAudience)
    );
}

#[test]
fn a_token_for_the_mcp_audience_does_not_open_the_api_and_vice_versa() {
    let f = fixture();
    assert_eq!(
        f.with_claim("aud", json!(MCP_AUDIENCE)),
        Err(TokenError::WrongAudience)
    );
    let mcp = Expectations::new(ISSUER, MCP_AUDIENCE);
    let api_token = f.key.token(&f.claims());
    assert_eq!(
        validate(&api_token, &f.keys, &mcp, NOW),
        Err(TokenError::WrongAudience)
    );
}

#[test]
fn typ_jwt_or_a_missing_typ_is_rejected_by_default() {
    let f = fixture();
    let h = json!({"alg": "ES256", "typ": "JWT", "kid": "key-1"});
    assert_eq!(f.with_header(h), Err(TokenError::WrongType));
    let h = json!({"alg": "ES256", "kid": "key-1"});
    assert_eq!(f.with_header(h.clone()), Err(TokenError::WrongType));
    // Only an explicit policy lets a missing typ through, and never a wrong one.
    let mut lax = f.expect.clone();
    lax.accepted_typ = TypPolicy::AtJwtOrAbsent;
    assert!(validate(&f.key.sign(&h, &f.claims()), &f.keys, &lax, NOW).is_ok());
    let jwt = json!({"alg": "ES256", "typ": "JWT", "kid": "key-1"});
    assert_eq!(
        validate(&f.key.sign(&jwt, &f.claims()), &f.keys, &lax, NOW),
        Err(TokenError::WrongType)
    );
}

#[test]
fn an_expired_token_is_rejected() {
    let f = fixture();
    assert_eq!(
        f.with_claim("exp", json!(NOW - 3600)),
        Err(TokenError::Expired)
    );
    assert_eq!(f.without_claim("exp"), Err(TokenError::MissingClaim("exp")));
}

#[test]
fn expiry_within_the_leeway_is_accepted_and_just_beyond_it_rejected() {
    let f = fixture();
    let leeway = f.expect.leeway_secs;
    assert!(f.with_claim("exp", json!(NOW - leeway + 1)).is_ok());
    assert_eq!(
        f.with_claim("exp", json!(NOW - leeway)),
        Err(TokenError::Expired)
    );
}

#[test]
fn a_leeway_above_sixty_seconds_is_not_honoured() {
    let mut f = fixture();
    f.expect.leeway_secs = 3600;
    assert!(f.with_claim("exp", json!(NOW - 59)).is_ok());
    assert_eq!(
        f.with_claim("exp", json!(NOW - 61)),
        Err(TokenError::Expired)
    );
}

#[test]
fn a_not_before_in_the_future_is_rejected() {
    let f = fixture();
    assert_eq!(
        f.with_claim("nbf", json!(NOW + 3600)),
        Err(TokenError::NotYetValid)
    );
    let leeway = f.expect.leeway_secs;
    assert!(f.with_claim("nbf", json!(NOW + leeway)).is_ok());
}

#[test]
fn issued_at_far_in_the_future_is_rejected() {
    let f = fixture();
    assert_eq!(
        f.with_claim("iat", json!(NOW + 86_400)),
        Err(TokenError::IssuedInFuture)
    );
}

#[test]
fn a_token_signed_by_a_key_not_in_the_jwks_is_rejected() {
    let f = fixture();
    // Same kid, different key: a key rotated out, or an attacker guessing the kid.
    let impostor = TestKey::generate("key-1");
    assert_eq!(
        f.check(&impostor.token(&f.claims())),
        Err(TokenError::BadSignature)
    );
}

#[test]
fn a_tampered_payload_is_rejected() {
    let f = fixture();
    let token = f.key.token(&f.claims());
    let mut parts: Vec<&str> = token.split('.').collect();
    let mut c = f.claims();
    c["sub"] = json!("admin");
    let forged_claims = b64(c.to_string());
    parts[1] = &forged_claims;
    assert_eq!(f.check(&parts.join(".")), Err(TokenError::BadSignature));
}

#[test]
fn a_missing_subject_is_rejected() {
    let f = fixture();
    assert_eq!(f.without_claim("sub"), Err(TokenError::MissingClaim("sub")));
    assert_eq!(
        f.with_claim("sub", json!("")),
        Err(TokenError::MissingClaim("sub"))
    );
}

#[test]
fn garbage_strings_are_malformed() {
    let f = fixture();
    let good = f.key.token(&f.claims());
    let (h, rest) = good.split_once('.').expect("dot");
    let (c, s) = rest.split_once('.').expect("dot");
    let cases = [
        String::new(),
        "garbage".to_owned(),
        format!("{h}.{c}"),
        format!("{h}.{c}.{s}.{s}"),
        format!("{h}.{c}.{s}."),
        format!("{h}=.{c}.{s}"),
        format!("{h}.{c}.{s}=="),
        format!("{h}.{c}.+{}", &s[1..]),
        format!(" {good}"),
        format!("{good}\n"),
        format!("{h}.{c}!.{s}"),
        format!("{h}..{s}"),
        "a".repeat(20_000),
    ];
    for token in cases {
        let err = f.check(&token).expect_err("garbage accepted");
        assert!(
            matches!(err, TokenError::Malformed),
            "{err:?} for {:?}",
            token.get(..40)
        );
    }
}

#[test]
fn a_json_serialized_jws_is_malformed() {
    let f = fixture();
    let token = f.key.token(&f.claims());
    let parts: Vec<&str> = token.split('.').collect();
    let json_jws = json!({"protected": parts[0], "payload": parts[1], "signature": parts[2]});
    assert_eq!(f.check(&json_jws.to_string()), Err(TokenError::Malformed));
}

#[test]
fn claims_that_are_not_a_json_object_are_rejected() {
    let f = fixture();
    let header = f.key.header().to_string();
    for payload in [
        b"not json".to_vec(),
        b"[1,2,3]".to_vec(),
        b"\"a string\"".to_vec(),
        vec![b'{', 0xff, 0xfe, b'}'],
    ] {
        let input = format!("{}.{}", b64(&header), b64(&payload));
        // Sign properly so only the claims are at fault.
        let signed = sign_raw(&f.key, &input);
        assert_eq!(f.check(&signed), Err(TokenError::InvalidClaims));
    }
}

#[test]
fn duplicate_claims_are_rejected() {
    let f = fixture();
    let payload = format!(
        r#"{{"iss":"{ISSUER}","sub":"user-1","aud":"{RESOURCE}","exp":{},"sub":"admin"}}"#,
        NOW + 60
    );
    let input = format!("{}.{}", b64(f.key.header().to_string()), b64(payload));
    assert_eq!(
        f.check(&sign_raw(&f.key, &input)),
        Err(TokenError::InvalidClaims)
    );
}

#[test]
fn a_header_that_is_not_a_json_object_is_malformed() {
    let f = fixture();
    for header in [
        "[]",
        "\"ES256\"",
        "{\"alg\":null,\"kid\":\"key-1\"}",
        "{\"alg\":\"ES256\",\"alg\":\"none\",\"typ\":\"at+jwt\",\"kid\":\"key-1\"}",
    ] {
        let input = format!("{}.{}", b64(header), b64(f.claims().to_string()));
        assert_eq!(
            f.check(&sign_raw(&f.key, &input)),
            Err(TokenError::Malformed),
            "{header}"
        );
    }
}

#[test]
fn claim_types_must_match() {
    let f = fixture();
    assert_eq!(
        f.with_claim("exp", json!("tomorrow")),
        Err(TokenError::InvalidClaims)
    );
    assert_eq!(
        f.with_claim("aud", json!(42)),
        Err(TokenError::InvalidClaims)
    );
}

#[test]
fn error_texts_are_plain_and_never_contain_the_token() {
    let f = fixture();
    let mut c = f.claims();
    c["exp"] = json!(NOW - 3600);
    let token = f.key.token(&c);
    let err = f.check(&token).expect_err("expired");
    assert_eq!(err.to_string(), "the token has expired");
    let mut c = f.claims();
    c["aud"] = json!(MCP_AUDIENCE);
    let err = f.check(&f.key.token(&c)).expect_err("wrong audience");
    assert_eq!(err.to_string(), "the token was not issued for this service");
    for part in token.split('.') {
        assert!(!err.to_string().contains(part));
    }
    // An attacker-chosen alg name is shortened and stripped before it is shown.
    let h = json!({"alg": "<script>alert(1)</script>xxxxxxxxxxxxxxxxxxxxxxxx", "kid": "key-1"});
    let err = f.with_header(h).expect_err("bad alg");
    assert!(!err.to_string().contains('<'), "{err}");
}

fn sign_raw(key: &TestKey, input: &str) -> String {
    use p256::ecdsa::signature::Signer;
    let sig: p256::ecdsa::Signature = key.key.sign(input.as_bytes());
    format!("{input}.{}", b64(sig.to_bytes()))
}
