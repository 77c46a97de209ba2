//! Access-token (JWT) validation: pure, with the clock and the keys passed in.
//!
//! The rules are RFC 9068 §4 for JWT access tokens, hardened as RFC 8725 asks:
//!
//! - compact serialization only: exactly three strict base64url parts, no padding,
//!   no whitespace, bounded size;
//! - an algorithm allow-list of `ES256` and `RS256`, and every key bound to exactly one
//!   of them, so an `HS256` token "signed" with a public key's bytes never verifies;
//! - keys only from the [`KeySet`] (the issuer's pinned JWKS), selected by `kid`; a
//!   token carrying its own key or key location (`jwk`, `jku`, `x5u`, `x5c`) is refused;
//! - `typ` `at+jwt`, exact `iss`, `aud` containing this service, `exp` / `nbf` / `iat`
//!   against the injected `now` with at most [`MAX_LEEWAY_SECS`] of leeway.
//!
//! Signatures are checked by `jsonwebtoken`'s ring primitives; everything around them
//! (which algorithm, which key, which claims) is decided here, explicitly.

use std::collections::HashMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Deserializer, Serialize};

/// The most leeway [`Expectations::leeway_secs`] may grant (RFC 9068 asks for "a small
/// leeway"; this product's design caps it at one minute).
pub const MAX_LEEWAY_SECS: i64 = 60;
/// Leeway used by [`Expectations::new`].
pub const DEFAULT_LEEWAY_SECS: i64 = 30;
/// Tokens longer than this are refused before any decoding.
pub const MAX_TOKEN_LEN: usize = 16 * 1024;
/// Longest `kid` accepted, in a token or in a key set.
pub const MAX_KID_LEN: usize = 128;
/// Smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;
/// Largest RSA modulus the verifier supports, in bits.
const MAX_RSA_BITS: usize = 8192;

/// The signature algorithms this service accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// ECDSA on P-256 with SHA-256 (RFC 7518 §3.4).
    Es256,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3), keys of at least 2048 bits.
    Rs256,
}

impl Algorithm {
    /// The JOSE name (`"ES256"`, `"RS256"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Es256 => "ES256",
            Self::Rs256 => "RS256",
        }
    }

    /// The allow-list itself: the exact, case-sensitive JOSE name, or `None`.
    fn from_jose(name: &str) -> Option<Self> {
        match name {
            "ES256" => Some(Self::Es256),
            "RS256" => Some(Self::Rs256),
            _ => None,
        }
    }

    fn ring_name(self) -> jsonwebtoken::Algorithm {
        match self {
            Self::Es256 => jsonwebtoken::Algorithm::ES256,
            Self::Rs256 => jsonwebtoken::Algorithm::RS256,
        }
    }
}

/// One public verification key, bound to exactly one [`Algorithm`] (RFC 8725 §3.1).
#[derive(Clone)]
pub struct VerificationKey {
    algorithm: Algorithm,
    key: jsonwebtoken::DecodingKey,
}

impl VerificationKey {
    /// The only algorithm this key may verify.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Checks `signature` (base64url) over `signing_input` with this key's algorithm.
    fn verifies(&self, signing_input: &[u8], signature_b64: &str) -> bool {
        jsonwebtoken::crypto::verify(
            signature_b64,
            signing_input,
            &self.key,
            self.algorithm.ring_name(),
        )
        .unwrap_or(false)
    }
}

impl std::fmt::Debug for VerificationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerificationKey")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

/// Why a JWK Set could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwksError {
    /// The document is not JSON.
    #[error("the key set is not valid JSON")]
    NotJson,
    /// The document is JSON but has no `keys` array.
    #[error("the key set has no \"keys\" array")]
    NoKeys,
    /// A key of a supported type is broken.
    #[error("key {kid:?} in the key set is unusable: {reason}")]
    InvalidKey {
        /// The key's `kid`, when it has a usable one.
        kid: Option<String>,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Two usable keys share one `kid`, so a token could not name exactly one key.
    #[error("two keys in the key set share the kid {0:?}")]
    DuplicateKid(String),
}

/// The issuer's public verification keys, by `kid`.
#[derive(Clone, Default)]
pub struct KeySet {
    keys: HashMap<String, VerificationKey>,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut kids: Vec<&String> = self.keys.keys().collect();
        kids.sort();
        f.debug_struct("KeySet").field("kids", &kids).finish()
    }
}

impl KeySet {
    /// Parses an RFC 7517 JWK Set.
    ///
    /// Keeps EC P-256 keys (for `ES256`) and RSA keys of at least 2048 bits (for
    /// `RS256`). Skips, without error, keys this service cannot use: `use` other than
    /// `sig`, `key_ops` without `verify`, an `alg` other than the one the key type is
    /// bound to, other key types or curves (symmetric `oct` keys included), RSA keys that
    /// are too short, and keys without a sane `kid`.
    ///
    /// # Errors
    /// When the document is not a JWK Set, a usable-looking key is broken (bad
    /// base64url, an EC point not on the curve, an invalid RSA exponent, private key
    /// material published), or two usable keys share a `kid`.
    pub fn from_jwks_json(json: &str) -> Result<KeySet, JwksError> {
        let doc: serde_json::Value = serde_json::from_str(json).map_err(|_| JwksError::NotJson)?;
        let entries = doc
            .get("keys")
            .and_then(serde_json::Value::as_array)
            .ok_or(JwksError::NoKeys)?;
        let mut keys = HashMap::new();
        for entry in entries {
            if let Some((kid, key)) = parse_jwk(entry)? {
                if keys.contains_key(&kid) {
                    return Err(JwksError::DuplicateKid(kid));
                }
                keys.insert(kid, key);
            }
        }
        Ok(KeySet { keys })
    }

    /// The key with this `kid`, if the set has one.
    pub fn get(&self, kid: &str) -> Option<&VerificationKey> {
        self.keys.get(kid)
    }

    /// Whether the set has a key with this `kid`.
    pub fn contains(&self, kid: &str) -> bool {
        self.keys.contains_key(kid)
    }

    /// How many usable keys the set holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set holds no usable key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Reads one JWK: `Ok(None)` for a key this service does not use, an error for a broken one.
fn parse_jwk(entry: &serde_json::Value) -> Result<Option<(String, VerificationKey)>, JwksError> {
    let Some(obj) = entry.as_object() else {
        return Err(JwksError::InvalidKey {
            kid: None,
            reason: "it is not a JSON object",
        });
    };
    let kid = match obj.get("kid") {
        Some(serde_json::Value::String(k)) if is_sane_kid(k) => k.clone(),
        // A key no token can name is a key no token can use.
        _ => return Ok(None),
    };
    let invalid = |reason: &'static str| JwksError::InvalidKey {
        kid: Some(kid.clone()),
        reason,
    };
    let text = |name: &str| -> Result<Option<&str>, JwksError> {
        match obj.get(name) {
            None => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(invalid("a member that must be a string is not")),
        }
    };
    let kty = text("kty")?.ok_or_else(|| invalid("it has no \"kty\""))?;
    if text("use")?.is_some_and(|u| u != "sig") {
        return Ok(None);
    }
    if let Some(ops) = obj.get("key_ops") {
        let ops = ops
            .as_array()
            .ok_or_else(|| invalid("\"key_ops\" is not an array"))?;
        if !ops.iter().any(|op| op.as_str() == Some("verify")) {
            return Ok(None);
        }
    }
    let declared_alg = text("alg")?;
    let key = match kty {
        "EC" => {
            if text("crv")? != Some("P-256") || declared_alg.is_some_and(|a| a != "ES256") {
                return Ok(None);
            }
            reject_private_members(obj, &invalid)?;
            let x = text("x")?.ok_or_else(|| invalid("it has no \"x\""))?;
            let y = text("y")?.ok_or_else(|| invalid("it has no \"y\""))?;
            let point = p256_point(x, y).ok_or_else(|| invalid("its point is not on P-256"))?;
            VerificationKey {
                algorithm: Algorithm::Es256,
                // ring reads the uncompressed SEC1 point; the name is jsonwebtoken's.
                key: jsonwebtoken::DecodingKey::from_ec_der(&point),
            }
        }
        "RSA" => {
            if declared_alg.is_some_and(|a| a != "RS256") {
                return Ok(None);
            }
            reject_private_members(obj, &invalid)?;
            let n = text("n")?.ok_or_else(|| invalid("it has no \"n\""))?;
            let e = text("e")?.ok_or_else(|| invalid("it has no \"e\""))?;
            let n = strip_leading_zeros(
                b64url_decode(n).ok_or_else(|| invalid("\"n\" is not base64url"))?,
            );
            let e = strip_leading_zeros(
                b64url_decode(e).ok_or_else(|| invalid("\"e\" is not base64url"))?,
            );
            let bits = bit_length(&n);
            if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
                // Too weak (or too large to verify): not a key this service uses.
                return Ok(None);
            }
            let e_is_valid = !e.is_empty()
                && e.len() <= 4
                && e.last().is_some_and(|b| b & 1 == 1)
                && bit_length(&e) >= 2;
            if !e_is_valid {
                return Err(invalid("its public exponent is invalid"));
            }
            VerificationKey {
                algorithm: Algorithm::Rs256,
                key: jsonwebtoken::DecodingKey::from_rsa_raw_components(&n, &e),
            }
        }
        _ => return Ok(None),
    };
    Ok(Some((kid, key)))
}

/// A JWKS publishing a private key is a broken authorization server; refuse it loudly.
fn reject_private_members(
    obj: &serde_json::Map<String, serde_json::Value>,
    invalid: &dyn Fn(&'static str) -> JwksError,
) -> Result<(), JwksError> {
    if ["d", "p", "q", "dp", "dq", "qi", "k"]
        .iter()
        .any(|m| obj.contains_key(*m))
    {
        return Err(invalid("it contains private key material"));
    }
    Ok(())
}

/// The uncompressed SEC1 encoding of (x, y), only if it is a point on P-256.
fn p256_point(x: &str, y: &str) -> Option<Vec<u8>> {
    let x: [u8; 32] = b64url_decode(x)?.try_into().ok()?;
    let y: [u8; 32] = b64url_decode(y)?.try_into().ok()?;
    let encoded = p256::EncodedPoint::from_affine_coordinates(
        &p256::FieldBytes::from(x),
        &p256::FieldBytes::from(y),
        false,
    );
    let key = p256::PublicKey::from_sec1_bytes(encoded.as_bytes()).ok()?;
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    Some(key.to_encoded_point(false).as_bytes().to_vec())
}

fn strip_leading_zeros(mut bytes: Vec<u8>) -> Vec<u8> {
    let zeros = bytes.iter().take_while(|b| **b == 0).count();
    bytes.drain(..zeros);
    bytes
}

/// Bit length of a big-endian unsigned integer without leading zero bytes.
fn bit_length(bytes: &[u8]) -> usize {
    match bytes.first() {
        None => 0,
        Some(first) => (bytes.len() - 1) * 8 + (8 - first.leading_zeros() as usize),
    }
}

/// Strict base64url: the URL-safe alphabet only, no padding, canonical trailing bits.
fn b64url_decode(part: &str) -> Option<Vec<u8>> {
    if !part
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return None;
    }
    URL_SAFE_NO_PAD.decode(part).ok()
}

/// A `kid` is only ever a map key here, but it is still attacker-chosen text (RFC 8725
/// §3.10): bound its length and its characters so it cannot carry anything but a name.
/// The set covers JWK thumbprints, UUIDs and the base64 `kid`s some issuers use.
fn is_sane_kid(kid: &str) -> bool {
    !kid.is_empty()
        && kid.len() <= MAX_KID_LEN
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:+/=@".contains(&b))
}

/// How a missing `typ` header is treated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TypPolicy {
    /// `typ` must be present and be `at+jwt` / `application/at+jwt` (RFC 9068 §4).
    #[default]
    AtJwtRequired,
    /// `typ` may be absent, for an issuer known not to set it; when present it must
    /// still be `at+jwt` / `application/at+jwt`.
    AtJwtOrAbsent,
}

/// What a token must say to be accepted by this service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expectations {
    /// The issuer identifier; `iss` must equal it byte for byte.
    pub issuer: String,
    /// This service's resource identifier; `aud` must contain it.
    pub audience: String,
    /// Clock-skew allowance for `exp`, `nbf` and `iat`, in seconds; values outside
    /// `0..=`[`MAX_LEEWAY_SECS`] are clamped into it.
    pub leeway_secs: i64,
    /// Whether `typ` may be missing.
    pub accepted_typ: TypPolicy,
}

impl Expectations {
    /// Expectations for an issuer and audience, with [`DEFAULT_LEEWAY_SECS`] of leeway
    /// and `typ` required.
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            audience: audience.into(),
            leeway_secs: DEFAULT_LEEWAY_SECS,
            accepted_typ: TypPolicy::default(),
        }
    }

    fn leeway(&self) -> i64 {
        self.leeway_secs.clamp(0, MAX_LEEWAY_SECS)
    }
}

/// The claims of a validated access token.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Claims {
    /// Issuer (equal to [`Expectations::issuer`]).
    pub iss: String,
    /// Subject: the signed-in user.
    pub sub: String,
    /// Audiences (one of them is [`Expectations::audience`]).
    pub aud: Vec<String>,
    /// Expiry, seconds since the Unix epoch.
    pub exp: i64,
    /// Issued-at, when present.
    pub iat: Option<i64>,
    /// Not-before, when present.
    pub nbf: Option<i64>,
    /// Token identifier, when present.
    pub jti: Option<String>,
    /// Space-separated scopes, when present.
    pub scope: Option<String>,
    /// The client the token was issued to, when present.
    pub client_id: Option<String>,
    /// Display name, when present.
    pub name: Option<String>,
    /// Email address, when present.
    pub email: Option<String>,
    /// RFC 8693 actor claim, when present.
    pub act: Option<serde_json::Value>,
}

/// Why a token was refused. The texts are for a person and never contain the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a compact JWS: wrong number of parts, padding, bad base64url, too long,
    /// or a header that is not a JSON object.
    #[error("the token is not a well-formed JWT")]
    Malformed,
    /// The claims are not a JSON object of the expected types.
    #[error("the token's claims are not valid JSON of the expected shape")]
    InvalidClaims,
    /// `alg` is not on the allow-list (`none` and `HS*` included). Carries a sanitized,
    /// truncated copy of the name.
    #[error("the token is signed with an algorithm this service does not accept ({0})")]
    UnsupportedAlgorithm(String),
    /// The header carries its own key or key location (`jwk`, `jku`, `x5u`, `x5c`).
    #[error("the token names its own signing key, which this service never trusts")]
    EmbeddedKeyHeader,
    /// The header marks extensions as critical (`crit`), which this service does not support.
    #[error("the token requires header extensions this service does not support")]
    CriticalHeader,
    /// No `kid` in the header.
    #[error("the token does not say which key signed it")]
    MissingKid,
    /// A `kid` that is too long or has characters no key identifier needs.
    #[error("the token's key identifier is not acceptable")]
    InvalidKid,
    /// The `kid` is not in the issuer's key set.
    #[error("the token was signed with a key this service does not know")]
    UnknownKey,
    /// The key named by `kid` is bound to a different algorithm than `alg`.
    #[error("the token's algorithm does not match its signing key")]
    AlgorithmKeyMismatch,
    /// The signature does not verify.
    #[error("the token's signature is not valid")]
    BadSignature,
    /// `typ` is not `at+jwt` (or missing where it is required).
    #[error("the token is not an access token")]
    WrongType,
    /// `iss` is not exactly the expected issuer.
    #[error("the token was issued by an unexpected issuer")]
    WrongIssuer,
    /// `aud` does not contain this service.
    #[error("the token was not issued for this service")]
    WrongAudience,
    /// `exp` is past (beyond the leeway).
    #[error("the token has expired")]
    Expired,
    /// `nbf` is in the future (beyond the leeway).
    #[error("the token is not valid yet")]
    NotYetValid,
    /// `iat` is in the future (beyond the leeway).
    #[error("the token claims to be issued in the future")]
    IssuedInFuture,
    /// A required claim is absent.
    #[error("the token lacks the required \"{0}\" claim")]
    MissingClaim(&'static str),
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    typ: Option<String>,
    #[serde(default, deserialize_with = "present")]
    jwk: bool,
    #[serde(default, deserialize_with = "present")]
    jku: bool,
    #[serde(default, deserialize_with = "present")]
    x5u: bool,
    #[serde(default, deserialize_with = "present")]
    x5c: bool,
    #[serde(default, deserialize_with = "present")]
    crit: bool,
}

/// True for any value, `null` included: the member's presence is what matters.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    serde::de::IgnoredAny::deserialize(d).map(|_| true)
}

/// The claims as sent; serde's derive rejects duplicate members of these names.
#[derive(Deserialize)]
struct RawClaims {
    iss: Option<String>,
    sub: Option<String>,
    aud: Option<Audience>,
    exp: Option<serde_json::Number>,
    iat: Option<serde_json::Number>,
    nbf: Option<serde_json::Number>,
    jti: Option<String>,
    scope: Option<String>,
    client_id: Option<String>,
    name: Option<String>,
    email: Option<String>,
    act: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

/// A compact JWS split and decoded, before any key is involved.
struct Parsed<'a> {
    header: Header,
    algorithm: Algorithm,
    signing_input: &'a str,
    claims_json: Vec<u8>,
    signature_b64: &'a str,
}

/// The structural and header checks that need neither keys nor clock.
fn parse(token: &str) -> Result<Parsed<'_>, TokenError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(TokenError::Malformed);
    }
    let mut parts = token.split('.');
    let (Some(h), Some(c), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    if h.is_empty() || c.is_empty() || s.is_empty() {
        return Err(TokenError::Malformed);
    }
    let header_json = b64url_decode(h).ok_or(TokenError::Malformed)?;
    let claims_json = b64url_decode(c).ok_or(TokenError::Malformed)?;
    if b64url_decode(s).is_none() {
        return Err(TokenError::Malformed);
    }
    let header: Header = serde_json::from_slice(&header_json).map_err(|_| TokenError::Malformed)?;
    let algorithm = Algorithm::from_jose(&header.alg)
        .ok_or_else(|| TokenError::UnsupportedAlgorithm(printable(&header.alg)))?;
    if header.jwk || header.jku || header.x5u || header.x5c {
        return Err(TokenError::EmbeddedKeyHeader);
    }
    if header.crit {
        return Err(TokenError::CriticalHeader);
    }
    if let Some(kid) = &header.kid {
        if !is_sane_kid(kid) {
            return Err(TokenError::InvalidKid);
        }
    }
    let signing_input_len = h.len() + 1 + c.len();
    Ok(Parsed {
        header,
        algorithm,
        signing_input: &token[..signing_input_len],
        claims_json,
        signature_b64: s,
    })
}

/// A short, printable copy of an attacker-chosen algorithm name for error texts.
fn printable(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_' || *c == '+')
        .take(16)
        .collect()
}

/// The `kid` of a token whose header passes the structural, algorithm and key-source
/// checks: what the JWKS cache needs to decide whether to refresh.
///
/// # Errors
/// The same errors [`validate`] gives for the header alone; the claims are not looked at.
pub fn header_kid(token: &str) -> Result<Option<String>, TokenError> {
    parse(token).map(|p| p.header.kid)
}

/// Validates an access token against the issuer's keys and this service's expectations.
///
/// `now` is seconds since the Unix epoch (injected so tests control the clock).
///
/// # Errors
/// A [`TokenError`] naming the first rule the token breaks.
pub fn validate(
    token: &str,
    keys: &KeySet,
    expect: &Expectations,
    now: i64,
) -> Result<Claims, TokenError> {
    let parsed = parse(token)?;
    let kid = check_header(&parsed, expect)?;
    let key = keys.get(kid).ok_or(TokenError::UnknownKey)?;
    if key.algorithm() != parsed.algorithm {
        return Err(TokenError::AlgorithmKeyMismatch);
    }
    if !key.verifies(parsed.signing_input.as_bytes(), parsed.signature_b64) {
        return Err(TokenError::BadSignature);
    }
    check_claims(&parsed.claims_json, expect, now)
}

/// Every check that needs neither key nor clock; returns the `kid`. Run before any
/// key lookup so a token refused on its face never causes a JWKS refresh.
pub(crate) fn check_header_only(token: &str, expect: &Expectations) -> Result<String, TokenError> {
    let parsed = parse(token)?;
    check_header(&parsed, expect).map(str::to_owned)
}

fn check_header<'p>(parsed: &'p Parsed<'_>, expect: &Expectations) -> Result<&'p str, TokenError> {
    let kid = parsed.header.kid.as_deref().ok_or(TokenError::MissingKid)?;
    check_typ(parsed.header.typ.as_deref(), expect.accepted_typ)?;
    Ok(kid)
}

fn check_typ(typ: Option<&str>, policy: TypPolicy) -> Result<(), TokenError> {
    match typ {
        Some(t)
            if t.eq_ignore_ascii_case("at+jwt") || t.eq_ignore_ascii_case("application/at+jwt") =>
        {
            Ok(())
        }
        None if policy == TypPolicy::AtJwtOrAbsent => Ok(()),
        _ => Err(TokenError::WrongType),
    }
}

/// The claim rules, on the decoded (and already signature-checked) claims.
fn check_claims(json: &[u8], expect: &Expectations, now: i64) -> Result<Claims, TokenError> {
    // `from_slice` refuses non-UTF-8 input, and the struct refuses non-objects.
    let raw: RawClaims = serde_json::from_slice(json).map_err(|_| TokenError::InvalidClaims)?;
    let leeway = expect.leeway();

    let iss = raw.iss.ok_or(TokenError::MissingClaim("iss"))?;
    if iss != expect.issuer {
        return Err(TokenError::WrongIssuer);
    }
    let aud = match raw.aud.ok_or(TokenError::MissingClaim("aud"))? {
        Audience::One(a) => vec![a],
        Audience::Many(list) => list,
    };
    if !aud.contains(&expect.audience) {
        return Err(TokenError::WrongAudience);
    }
    let exp = numeric_date(raw.exp)?.ok_or(TokenError::MissingClaim("exp"))?;
    if now >= exp.saturating_add(leeway) {
        return Err(TokenError::Expired);
    }
    let nbf = numeric_date(raw.nbf)?;
    if nbf.is_some_and(|nbf| nbf > now.saturating_add(leeway)) {
        return Err(TokenError::NotYetValid);
    }
    let iat = numeric_date(raw.iat)?;
    if iat.is_some_and(|iat| iat > now.saturating_add(leeway)) {
        return Err(TokenError::IssuedInFuture);
    }
    let sub = raw
        .sub
        .filter(|s| !s.is_empty())
        .ok_or(TokenError::MissingClaim("sub"))?;
    Ok(Claims {
        iss,
        sub,
        aud,
        exp,
        iat,
        nbf,
        jti: raw.jti,
        scope: raw.scope,
        client_id: raw.client_id,
        name: raw.name,
        email: raw.email,
        act: raw.act,
    })
}

/// RFC 7519 NumericDate: an integer or a finite non-integer number of seconds (floored).
fn numeric_date(n: Option<serde_json::Number>) -> Result<Option<i64>, TokenError> {
    let Some(n) = n else { return Ok(None) };
    if let Some(i) = n.as_i64() {
        return Ok(Some(i));
    }
    match n.as_f64() {
        // ±2^53 keeps the conversion exact and far beyond any real date.
        Some(f) if f.is_finite() && f.abs() < 9_007_199_254_740_992.0 =>
        {
            #[allow(clippy::cast_possible_truncation)]
            Ok(Some(f.floor() as i64))
        }
        _ => Err(TokenError::InvalidClaims),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7515 Appendix A.2 (RS256) public key and signature: a vector this module did
    // not produce, checked through the same key parsing and verification path.
    const A2_N: &str = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
    const A2_INPUT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
    const A2_SIG: &str = "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
    // RFC 7515 Appendix A.3 (ES256).
    const A3_X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
    const A3_Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
    const A3_INPUT: &str = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
    const A3_SIG: &str =
        "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

    fn one_key(jwk: serde_json::Value) -> Result<KeySet, JwksError> {
        KeySet::from_jwks_json(&serde_json::json!({ "keys": [jwk] }).to_string())
    }

    #[test]
    fn rfc7515_a2_rs256_signature_verifies_and_a_tampered_one_does_not() {
        let keys = one_key(serde_json::json!({"kty":"RSA","kid":"a2","n":A2_N,"e":"AQAB"}))
            .expect("A.2 key set");
        let key = keys.get("a2").expect("A.2 key kept");
        assert_eq!(key.algorithm(), Algorithm::Rs256);
        assert!(key.verifies(A2_INPUT.as_bytes(), A2_SIG));
        assert!(!key.verifies(A3_INPUT.as_bytes(), A2_SIG));
    }

    #[test]
    fn rfc7515_a3_es256_signature_verifies_and_a_tampered_one_does_not() {
        let keys =
            one_key(serde_json::json!({"kty":"EC","crv":"P-256","kid":"a3","x":A3_X,"y":A3_Y}))
                .expect("A.3 key set");
        let key = keys.get("a3").expect("A.3 key kept");
        assert_eq!(key.algorithm(), Algorithm::Es256);
        assert!(key.verifies(A3_INPUT.as_bytes(), A3_SIG));
        assert!(!key.verifies(A2_INPUT.as_bytes(), A3_SIG));
    }

    #[test]
    fn an_rsa_key_cannot_verify_an_es256_signature_or_the_reverse() {
        let keys = KeySet::from_jwks_json(
            &serde_json::json!({"keys":[
                {"kty":"RSA","kid":"r","n":A2_N,"e":"AQAB"},
                {"kty":"EC","crv":"P-256","kid":"e","x":A3_X,"y":A3_Y}
            ]})
            .to_string(),
        )
        .expect("key set");
        assert!(!keys
            .get("r")
            .expect("r")
            .verifies(A3_INPUT.as_bytes(), A3_SIG));
        assert!(!keys
            .get("e")
            .expect("e")
            .verifies(A2_INPUT.as_bytes(), A2_SIG));
    }

    #[test]
    fn a_short_rsa_key_is_not_kept() {
        // 1024-bit modulus: a well-formed key the verifier must never use.
        let n = URL_SAFE_NO_PAD.encode([0xc3u8; 128]);
        let keys = one_key(serde_json::json!({"kty":"RSA","kid":"weak","n":n,"e":"AQAB"}))
            .expect("a weak key is skipped, not fatal");
        assert!(!keys.contains("weak"));
    }

    #[test]
    fn an_ec_point_off_the_curve_is_refused() {
        let y_off = URL_SAFE_NO_PAD.encode([7u8; 32]);
        let err =
            one_key(serde_json::json!({"kty":"EC","crv":"P-256","kid":"bad","x":A3_X,"y":y_off}))
                .expect_err("off-curve point");
        assert!(matches!(err, JwksError::InvalidKey { .. }), "{err}");
    }

    #[test]
    fn symmetric_encryption_and_foreign_curve_keys_are_skipped() {
        let keys = KeySet::from_jwks_json(
            &serde_json::json!({"keys":[
                {"kty":"oct","kid":"hmac","k":"c2VjcmV0"},
                {"kty":"EC","crv":"P-256","kid":"enc","use":"enc","x":A3_X,"y":A3_Y},
                {"kty":"EC","crv":"P-384","kid":"p384","x":A3_X,"y":A3_Y},
                {"kty":"RSA","kid":"pss","alg":"PS256","n":A2_N,"e":"AQAB"},
                {"kty":"EC","crv":"P-256","kid":"wrap","key_ops":["wrapKey"],"x":A3_X,"y":A3_Y},
                {"kty":"EC","crv":"P-256","kid":"ok","use":"sig","alg":"ES256","x":A3_X,"y":A3_Y}
            ]})
            .to_string(),
        )
        .expect("key set");
        assert_eq!(keys.len(), 1);
        assert!(keys.contains("ok"));
    }

    #[test]
    fn a_key_set_publishing_a_private_key_is_refused() {
        let err = one_key(serde_json::json!({"kty":"EC","crv":"P-256","kid":"leak","x":A3_X,"y":A3_Y,"d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}))
            .expect_err("private key in a JWKS");
        assert!(err.to_string().contains("private"), "{err}");
    }

    #[test]
    fn two_keys_with_one_kid_are_refused() {
        let err = KeySet::from_jwks_json(
            &serde_json::json!({"keys":[
                {"kty":"EC","crv":"P-256","kid":"k","x":A3_X,"y":A3_Y},
                {"kty":"RSA","kid":"k","n":A2_N,"e":"AQAB"}
            ]})
            .to_string(),
        )
        .expect_err("duplicate kid");
        assert_eq!(err, JwksError::DuplicateKid("k".to_owned()));
    }

    #[test]
    fn documents_that_are_not_key_sets_are_refused() {
        assert_eq!(
            KeySet::from_jwks_json("nope").err(),
            Some(JwksError::NotJson)
        );
        assert_eq!(KeySet::from_jwks_json("{}").err(), Some(JwksError::NoKeys));
        assert_eq!(KeySet::from_jwks_json("[]").err(), Some(JwksError::NoKeys));
    }

    #[test]
    fn kid_sanity_allows_real_identifiers_and_refuses_injection() {
        assert!(is_sane_kid("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"));
        assert!(is_sane_kid("2f4b1e3c-0a9d-4c1e-9a7b-1f2e3d4c5b6a"));
        assert!(is_sane_kid("abcdefghijklmnopqrsexample+/="));
        assert!(!is_sane_kid("' OR '1'='1"));
        assert!(!is_sane_kid("key\u{0}1"));
        assert!(!is_sane_kid(""));
        assert!(!is_sane_kid(&"a".repeat(MAX_KID_LEN + 1)));
    }

    #[test]
    fn leeway_is_clamped_to_one_minute() {
        let mut e = Expectations::new("i", "a");
        e.leeway_secs = 3600;
        assert_eq!(e.leeway(), MAX_LEEWAY_SECS);
        e.leeway_secs = -5;
        assert_eq!(e.leeway(), 0);
    }

    #[test]
    fn non_integer_numeric_dates_are_floored_and_absurd_ones_refused() {
        let n = |v: serde_json::Value| serde_json::from_value::<serde_json::Number>(v).ok();
        assert_eq!(numeric_date(n(serde_json::json!(1.9))), Ok(Some(1)));
        assert_eq!(
            numeric_date(n(serde_json::json!(1e300))),
            Err(TokenError::InvalidClaims)
        );
    }
}
