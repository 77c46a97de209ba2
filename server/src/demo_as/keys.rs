//! The signing key: ES256 (P-256), made once with the OS CSPRNG, kept as PKCS#8 PEM
//! (mode 0600) in the data directory, so tokens and cached JWKS survive a restart.
//!
//! The private key never leaves this module except into the file; its `Debug` shows
//! only the `kid`, and nothing here logs key material.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::DemoAsError;

/// The key file's name inside the data directory.
pub const KEY_FILE_NAME: &str = "demo-as-signing-key.pem";

/// The JWT `typ` of every token this server issues (RFC 9068 §2.1).
const ACCESS_TOKEN_TYP: &str = "at+jwt";

/// A public key as a JWK (RFC 7517/7518), as served in the JWKS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(super) struct PublicJwk {
    kty: &'static str,
    crv: &'static str,
    x: String,
    y: String,
    kid: String,
    #[serde(rename = "use")]
    use_: &'static str,
    alg: &'static str,
}

/// A JWK Set document.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Jwks {
    keys: Vec<PublicJwk>,
}

/// The loaded signing key.
pub(super) struct SigningKey {
    encoding: EncodingKey,
    jwk: PublicJwk,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.jwk.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Reads the key at `path`, or makes and stores a new one if there is none.
    ///
    /// A key file readable by others is narrowed to 0600 (with a warning).
    ///
    /// # Errors
    /// When the file cannot be read or written, or holds something other than a
    /// PKCS#8 P-256 private key.
    pub(super) fn load_or_create(path: &Path) -> Result<Self, DemoAsError> {
        match std::fs::read_to_string(path) {
            Ok(pem) => {
                restrict_permissions(path)?;
                Self::from_pem(&pem, path)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Self::create(path),
            Err(source) => Err(DemoAsError::KeyRead {
                path: path.to_owned(),
                source,
            }),
        }
    }

    /// Makes a new key and stores it without ever replacing an existing file: it is
    /// written to a private temporary file and hard-linked into place, so two servers
    /// starting together end up with the same key and nobody reads a half-written file.
    fn create(path: &Path) -> Result<Self, DemoAsError> {
        let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let pem = secret
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| DemoAsError::KeyUse(e.to_string()))?;
        let write_err = |source| DemoAsError::KeyWrite {
            path: path.to_owned(),
            source,
        };
        let tmp = temporary_path(path);
        write_private(&tmp, pem.as_bytes()).map_err(write_err)?;
        let linked = std::fs::hard_link(&tmp, path);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => {
                tracing::info!(path = %path.display(), "created the demo signing key");
                Self::from_secret(&secret)
            }
            // Someone else won the race: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Self::load_or_create(path),
            Err(source) => Err(write_err(source)),
        }
    }

    fn from_pem(pem: &str, path: &Path) -> Result<Self, DemoAsError> {
        let secret = p256::SecretKey::from_pkcs8_pem(pem).map_err(|_| DemoAsError::KeyParse {
            path: path.to_owned(),
        })?;
        Self::from_secret(&secret)
    }

    fn from_secret(secret: &p256::SecretKey) -> Result<Self, DemoAsError> {
        let der = secret
            .to_pkcs8_der()
            .map_err(|e| DemoAsError::KeyUse(e.to_string()))?;
        let point = secret.public_key().to_encoded_point(false);
        let (Some(x), Some(y)) = (point.x(), point.y()) else {
            return Err(DemoAsError::KeyUse(
                "public key has no affine coordinates".to_owned(),
            ));
        };
        let x = URL_SAFE_NO_PAD.encode(x);
        let y = URL_SAFE_NO_PAD.encode(y);
        Ok(Self {
            encoding: EncodingKey::from_ec_der(der.as_bytes()),
            jwk: PublicJwk {
                kty: "EC",
                crv: "P-256",
                kid: thumbprint(&x, &y),
                x,
                y,
                use_: "sig",
                alg: "ES256",
            },
        })
    }

    /// The key id: the RFC 7638 JWK thumbprint of the public key.
    pub(super) fn kid(&self) -> &str {
        &self.jwk.kid
    }

    /// The JWKS with this key's public half.
    pub(super) fn jwks(&self) -> Jwks {
        Jwks {
            keys: vec![self.jwk.clone()],
        }
    }

    /// Signs `claims` as an ES256 `at+jwt` with this key's `kid`.
    ///
    /// # Errors
    /// When the claims cannot be serialized or signing fails.
    pub(super) fn sign<C: Serialize>(
        &self,
        claims: &C,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let mut header = Header::new(Algorithm::ES256);
        header.typ = Some(ACCESS_TOKEN_TYP.to_owned());
        header.kid = Some(self.jwk.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding)
    }
}

/// RFC 7638 thumbprint of an EC key: SHA-256 over the required members in
/// lexicographic order, without whitespace, base64url.
fn thumbprint(x: &str, y: &str) -> String {
    let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

fn temporary_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| KEY_FILE_NAME.to_owned());
    path.with_file_name(format!(".{name}.{}.tmp", super::store::random_handle(9)))
}

/// Creates `path` (which must not exist) readable by the owner only, and syncs it.
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Narrows an existing key file to 0600 if group or others could read it.
fn restrict_permissions(path: &Path) -> Result<(), DemoAsError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let err = |source| DemoAsError::KeyWrite {
            path: path.to_owned(),
            source,
        };
        let mode = std::fs::metadata(path).map_err(err)?.permissions().mode();
        if mode & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "the demo signing key was readable by others; narrowing it to 0600");
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(err)?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7638 §3.1 uses an RSA key; this pins our EC serialization instead, checked
    /// against an independent computation of the same canonical JSON.
    #[test]
    fn thumbprint_hashes_the_canonical_members_in_order() {
        let t = thumbprint("AAAA", "BBBB");
        let expected = URL_SAFE_NO_PAD.encode(Sha256::digest(
            br#"{"crv":"P-256","kty":"EC","x":"AAAA","y":"BBBB"}"#,
        ));
        assert_eq!(t, expected);
        assert_eq!(t.len(), 43);
    }

    #[test]
    fn a_created_key_is_private_and_reloads_with_the_same_kid() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(KEY_FILE_NAME);
        let first = SigningKey::load_or_create(&path).expect("create");
        let again = SigningKey::load_or_create(&path).expect("load");
        assert_eq!(first.kid(), again.kid());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let leftovers = std::fs::read_dir(dir.path()).expect("dir").count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }

    #[test]
    fn a_garbage_key_file_is_refused_not_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(KEY_FILE_NAME);
        std::fs::write(&path, "not a key").expect("write");
        assert!(matches!(
            SigningKey::load_or_create(&path),
            Err(DemoAsError::KeyParse { .. })
        ));
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "not a key");
    }

    #[test]
    fn debug_shows_only_the_kid() {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = SigningKey::load_or_create(&dir.path().join(KEY_FILE_NAME)).expect("key");
        let debug = format!("{key:?}");
        assert!(debug.contains(key.kid()));
        assert!(!debug.contains("PRIVATE"));
    }

    #[test]
    fn signs_es256_at_jwt_with_the_kid() {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = SigningKey::load_or_create(&dir.path().join(KEY_FILE_NAME)).expect("key");
        let token = key.sign(&serde_json::json!({"sub": "x"})).expect("sign");
        let header = jsonwebtoken::decode_header(&token).expect("header");
        assert_eq!(header.alg, Algorithm::ES256);
        assert_eq!(header.typ.as_deref(), Some("at+jwt"));
        assert_eq!(header.kid.as_deref(), Some(key.kid()));
    }
}
