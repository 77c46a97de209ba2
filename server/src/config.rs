//! Configuration: one TOML file for the shape, the environment for secrets.
//!
//! With no file the backend runs in **demo mode**: it serves its own authorization
//! server on the same loopback listener and generates a client secret for the run.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::secret::ClientSecret;

/// Environment variable that carries the client secret outside demo mode.
pub const CLIENT_SECRET_ENV: &str = "PMT_CLIENT_SECRET";

/// Why a configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML for this schema.
    #[error("invalid config file {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        message: String,
    },
    /// A value is present but unusable.
    #[error("invalid config: {0}")]
    Invalid(String),
    /// The client secret is not in the environment.
    #[error("the client secret must be set in the environment variable {CLIENT_SECRET_ENV}")]
    MissingSecret,
    /// Demo mode was asked to listen beyond loopback.
    #[error("demo mode only listens on loopback; refusing to bind {0}")]
    DemoNotLoopback(SocketAddr),
}

/// The file format (`plan-my-today.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<SocketAddr>,
    public_url: Option<String>,
    data_dir: Option<PathBuf>,
    static_dir: Option<PathBuf>,
    auth: FileAuth,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAuth {
    issuer: String,
    client_id: String,
    resource: String,
    #[serde(default = "default_scope")]
    scope: String,
}

fn default_scope() -> String {
    "openid profile email".to_owned()
}

/// The authorization server and how the backend is known to it.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// Issuer identifier; discovery starts from it and `iss` must equal it exactly.
    pub issuer: String,
    /// The backend's client id.
    pub client_id: String,
    /// The backend's client secret (environment only).
    pub client_secret: ClientSecret,
    /// The backend's resource identifier: the audience every session token must carry.
    pub resource: String,
    /// Scopes requested at sign-in.
    pub scope: String,
}

/// Everything the backend runs with.
#[derive(Debug, Clone)]
pub struct Config {
    /// Socket to listen on.
    pub listen: SocketAddr,
    /// The origin the browser uses, e.g. `http://127.0.0.1:8080`.
    pub public_url: String,
    /// Where persistent state (signing key, database) lives.
    pub data_dir: PathBuf,
    /// The built PWA (`dist/`).
    pub static_dir: PathBuf,
    /// Authorization server settings.
    pub auth: AuthSettings,
    /// True when the built-in authorization server and simulators are in use.
    pub demo: bool,
}

/// Overrides from the command line.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// Address to listen on (demo mode accepts loopback only).
    pub listen: Option<SocketAddr>,
    /// Port to listen on (keeps the configured host).
    pub port: Option<u16>,
    /// Data directory.
    pub data_dir: Option<PathBuf>,
    /// Static directory.
    pub static_dir: Option<PathBuf>,
}

/// The demo issuer path on the backend's own origin.
pub const DEMO_ISSUER_PATH: &str = "/as";
/// The backend's resource identifier in demo mode.
pub const DEMO_RESOURCE: &str = "urn:pmt:api";
/// The backend's client id in demo mode.
pub const DEMO_CLIENT_ID: &str = "pmt-tmb";

impl Config {
    /// Demo mode: loopback listener, built-in authorization server, a client secret
    /// generated for this run (or taken from the environment when set).
    pub fn demo(overrides: &Overrides) -> Result<Self, ConfigError> {
        let mut listen = overrides
            .listen
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
        if let Some(port) = overrides.port {
            listen.set_port(port);
        }
        let public_url = format!("http://{listen}");
        let secret = std::env::var(CLIENT_SECRET_ENV)
            .ok()
            .filter(|s| !s.is_empty())
            .map(ClientSecret::new)
            .unwrap_or_else(random_secret);
        let config = Config {
            listen,
            auth: AuthSettings {
                issuer: format!("{public_url}{DEMO_ISSUER_PATH}"),
                client_id: DEMO_CLIENT_ID.to_owned(),
                client_secret: secret,
                resource: DEMO_RESOURCE.to_owned(),
                scope: default_scope(),
            },
            public_url,
            data_dir: overrides.data_dir.clone().unwrap_or_else(default_data_dir),
            static_dir: overrides
                .static_dir
                .clone()
                .unwrap_or_else(|| PathBuf::from("dist")),
            demo: true,
        };
        config.check()?;
        Ok(config)
    }

    /// Reads a configuration file; the secret comes from [`CLIENT_SECRET_ENV`].
    pub fn from_file(path: &Path, overrides: &Overrides) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let secret = std::env::var(CLIENT_SECRET_ENV)
            .ok()
            .filter(|s| !s.is_empty())
            .map(ClientSecret::new)
            .ok_or(ConfigError::MissingSecret)?;
        Self::parse(&text, path, secret, overrides)
    }

    /// Parses file contents (pure; the secret is passed in).
    pub fn parse(
        text: &str,
        path: &Path,
        client_secret: ClientSecret,
        overrides: &Overrides,
    ) -> Result<Self, ConfigError> {
        let file: FileConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.message().to_owned(),
        })?;
        let mut listen = overrides
            .listen
            .or(file.listen)
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
        if let Some(port) = overrides.port {
            listen.set_port(port);
        }
        let public_url = file
            .public_url
            .unwrap_or_else(|| format!("http://{listen}"))
            .trim_end_matches('/')
            .to_owned();
        let config = Config {
            listen,
            public_url,
            data_dir: overrides
                .data_dir
                .clone()
                .or(file.data_dir)
                .unwrap_or_else(default_data_dir),
            static_dir: overrides
                .static_dir
                .clone()
                .or(file.static_dir)
                .unwrap_or_else(|| PathBuf::from("dist")),
            auth: AuthSettings {
                issuer: file.auth.issuer,
                client_id: file.auth.client_id,
                client_secret,
                resource: file.auth.resource,
                scope: file.auth.scope,
            },
            demo: false,
        };
        config.check()?;
        Ok(config)
    }

    /// The one redirect URI the PWA may use.
    pub fn redirect_uri(&self) -> String {
        format!("{}/callback", self.public_url)
    }

    fn check(&self) -> Result<(), ConfigError> {
        if self.demo && !self.listen.ip().is_loopback() {
            return Err(ConfigError::DemoNotLoopback(self.listen));
        }
        for (name, value) in [
            ("auth.issuer", &self.auth.issuer),
            ("public_url", &self.public_url),
        ] {
            let url = url::Url::parse(value)
                .map_err(|e| ConfigError::Invalid(format!("{name} is not a URL: {e}")))?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(ConfigError::Invalid(format!("{name} must be http(s)")));
            }
        }
        if self.auth.client_id.is_empty() || self.auth.resource.is_empty() {
            return Err(ConfigError::Invalid(
                "auth.client_id and auth.resource must not be empty".to_owned(),
            ));
        }
        Ok(())
    }
}

fn random_secret() -> ClientSecret {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    use base64::Engine;
    ClientSecret::new(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

fn default_data_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("plan-my-today")
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
        listen = "127.0.0.1:9000"
        [auth]
        issuer = "http://127.0.0.1:4010"
        client_id = "pmt-tmb"
        resource = "urn:pmt:api"
    "#;

    #[test]
    fn parses_a_file_and_applies_overrides() {
        let o = Overrides {
            port: Some(9100),
            ..Overrides::default()
        };
        let c = Config::parse(FILE, Path::new("x.toml"), ClientSecret::new("s"), &o).unwrap();
        assert_eq!(c.listen.port(), 9100);
        assert_eq!(c.public_url, "http://127.0.0.1:9100");
        assert_eq!(c.redirect_uri(), "http://127.0.0.1:9100/callback");
        assert!(!c.demo);
        assert_eq!(c.auth.scope, "openid profile email");
    }

    #[test]
    fn rejects_unknown_keys_with_the_file_name() {
        let bad = format!("{FILE}\nclient_secret = \"oops\"\n");
        let err = Config::parse(
            &bad,
            Path::new("x.toml"),
            ClientSecret::new("s"),
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("x.toml"), "{err}");
    }

    #[test]
    fn demo_mode_refuses_a_non_loopback_bind() {
        let o = Overrides {
            listen: Some("0.0.0.0:8080".parse().unwrap()),
            ..Overrides::default()
        };
        assert!(matches!(
            Config::demo(&o),
            Err(ConfigError::DemoNotLoopback(_))
        ));
    }

    #[test]
    fn demo_mode_issuer_is_on_the_backend_origin() {
        let c = Config::demo(&Overrides {
            port: Some(8181),
            ..Overrides::default()
        })
        .unwrap();
        assert_eq!(c.auth.issuer, "http://127.0.0.1:8181/as");
        assert!(c.listen.ip().is_loopback());
    }
}
