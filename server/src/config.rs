//! Configuration: one TOML file for the shape, the environment for secrets.
//!
//! With no file the backend runs in **demo mode**: it serves its own authorization
//! server and the provider simulators on the same loopback listener, generates a client
//! secret for the run, and points all seven sources at the simulators.
//!
//! Sources are `[[sources]]` entries (one per kind): the resource and scope to ask the
//! authorization server for (RFC 8693/8707), the API base URL, a time budget and
//! connector options. The hosts of the configured base URLs are the only hosts a
//! connector may call (each source only its own).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use pmt_wire::Source;
use serde::Deserialize;

use crate::agent::settings::{LlmFile, LlmSettings};
use crate::dayplan::{PlanningFile, PlanningSettings};
use crate::plan::scoring::ScoringWeights;
use crate::secret::ClientSecret;
use crate::sources::Today;

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
    time_zone: Option<String>,
    auth: FileAuth,
    #[serde(default)]
    sources: Vec<FileSource>,
    #[serde(default)]
    scoring: ScoringWeights,
    #[serde(default)]
    planning: PlanningFile,
    llm: Option<LlmFile>,
}

/// One `[[sources]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSource {
    kind: String,
    #[serde(default = "default_true")]
    enabled: bool,
    resource: String,
    #[serde(default)]
    scope: String,
    base_url: Option<String>,
    #[serde(default = "default_timeout_ms")]
    timeout_ms: u64,
    #[serde(default)]
    options: BTreeMap<String, String>,
}

fn default_true() -> bool {
    true
}

fn default_timeout_ms() -> u64 {
    DEFAULT_SOURCE_TIMEOUT_MS
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAuth {
    issuer: String,
    client_id: String,
    resource: String,
    #[serde(default = "default_scope")]
    scope: String,
    mcp_resource: Option<String>,
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
    /// The MCP endpoint's resource identifier: its canonical URI (RFC 8707, RFC 9728),
    /// the audience every MCP access token must carry. Distinct from [`Self::resource`],
    /// so a session token is never accepted at `/mcp` and an MCP token never at `/api`.
    /// Defaults to `{public_url}/mcp`.
    pub mcp_resource: String,
}

/// Time budget of one source (exchange + fetch) when the file names none.
pub const DEFAULT_SOURCE_TIMEOUT_MS: u64 = 8_000;
/// Time budget of one source in demo mode.
pub const DEMO_SOURCE_TIMEOUT_MS: u64 = 5_000;
/// Longest time budget a source may be given.
pub const MAX_SOURCE_TIMEOUT_MS: u64 = 60_000;

/// One configured source: where its API is and how to get a token for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceConfig {
    /// Which provider (one entry per kind).
    pub kind: Source,
    /// Whether refreshes fetch it; a disabled source is reported as disabled.
    pub enabled: bool,
    /// The resource identifier to exchange the session token for (RFC 8707).
    pub resource: String,
    /// The scope to ask for (least privilege: the read scope).
    pub scope: String,
    /// The API origin (plus path prefix) the connector's paths are relative to.
    pub base_url: url::Url,
    /// Budget for exchange + fetch together.
    pub timeout: Duration,
    /// Connector options (e.g. Slack `user_id`, GitHub `login`, Drive `activity_base_url`).
    pub options: BTreeMap<String, String>,
}

impl SourceConfig {
    /// The `host:port` pairs this source's connector may call: its base URL's and those
    /// of its `*_base_url` options (e.g. Drive Activity's separate origin).
    pub fn allowed_hosts(&self) -> Arc<[String]> {
        let mut hosts = vec![host_port(&self.base_url)];
        for url in self
            .option_urls()
            .filter_map(|(_, v)| url::Url::parse(v).ok())
        {
            let host = host_port(&url);
            if !hosts.contains(&host) {
                hosts.push(host);
            }
        }
        hosts.into()
    }

    fn option_urls(&self) -> impl Iterator<Item = (&String, &String)> {
        self.options
            .iter()
            .filter(|(k, _)| k.ends_with("_base_url"))
    }

    /// The production API origin of a provider, used when an entry names no `base_url`.
    pub fn default_base_url(kind: Source) -> Option<&'static str> {
        match kind {
            Source::GoogleCalendar | Source::GoogleDrive => Some("https://www.googleapis.com"),
            Source::Gmail => Some("https://gmail.googleapis.com"),
            Source::Linear => Some("https://api.linear.app"),
            Source::Github => Some("https://api.github.com"),
            Source::Slack => Some("https://slack.com"),
            Source::Granola => Some("https://public-api.granola.ai"),
            Source::AdHoc => None,
        }
    }
}

/// `host:port` with the scheme's default port made explicit (the allow-list's form).
pub fn host_port(url: &url::Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or_default()
    )
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
    /// The user's IANA time zone: what "today" means.
    pub time_zone: String,
    /// The sources, in configuration order.
    pub sources: Vec<SourceConfig>,
    /// Scoring weights (`[scoring]`; defaults for what the file leaves out).
    pub scoring: ScoringWeights,
    /// The day plan's working hours, breaks and durations (`[planning]`).
    pub planning: PlanningSettings,
    /// Todaygent's model (`[llm]`; demo mode: `PMT_LLM_*`). `None`: the chat runs
    /// without an LLM.
    pub llm: Option<LlmSettings>,
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
/// Where the MCP server is mounted on the backend's origin.
pub const MCP_PATH: &str = "/mcp";

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
        let mut config = Config {
            listen,
            auth: AuthSettings {
                issuer: format!("{public_url}{DEMO_ISSUER_PATH}"),
                client_id: DEMO_CLIENT_ID.to_owned(),
                client_secret: secret,
                resource: DEMO_RESOURCE.to_owned(),
                scope: default_scope(),
                mcp_resource: format!("{public_url}{MCP_PATH}"),
            },
            public_url,
            data_dir: overrides.data_dir.clone().unwrap_or_else(default_data_dir),
            static_dir: overrides
                .static_dir
                .clone()
                .unwrap_or_else(|| PathBuf::from("dist")),
            demo: true,
            time_zone: machine_time_zone(),
            sources: Vec::new(),
            scoring: ScoringWeights::default(),
            planning: PlanningSettings::default(),
            llm: crate::agent::settings::from_env(|name| std::env::var(name).ok())
                .map_err(|e| ConfigError::Invalid(e.to_string()))?,
        };
        config.sources = config.demo_sources()?;
        config.check()?;
        Ok(config)
    }

    /// Moves a demo configuration to another origin (the listener's real port): the
    /// public URL, the issuer and every source's simulator URL follow; the sources'
    /// other settings (enabled, timeout, options) are kept.
    ///
    /// # Errors
    /// When the origin is not a usable URL.
    pub fn set_demo_origin(&mut self, public_url: &str) -> Result<(), ConfigError> {
        self.public_url = public_url.trim_end_matches('/').to_owned();
        self.auth.issuer = format!("{}{DEMO_ISSUER_PATH}", self.public_url);
        self.auth.mcp_resource = format!("{}{MCP_PATH}", self.public_url);
        for source in &mut self.sources {
            source.base_url = demo_base_url(&self.public_url, source.kind)?;
        }
        self.check()
    }

    /// The seven sources pointed at the simulators on this origin, with the demo
    /// authorization server's resources and scopes and the demo user's options.
    fn demo_sources(&self) -> Result<Vec<SourceConfig>, ConfigError> {
        Source::PROVIDERS
            .into_iter()
            .map(|kind| {
                Ok(SourceConfig {
                    kind,
                    enabled: true,
                    resource: crate::simulators::demo_resource(kind).to_owned(),
                    scope: crate::simulators::demo_scope(kind).to_owned(),
                    base_url: demo_base_url(&self.public_url, kind)?,
                    timeout: Duration::from_millis(DEMO_SOURCE_TIMEOUT_MS),
                    options: crate::simulators::day::demo_options(kind),
                })
            })
            .collect()
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
        let mcp_resource = file
            .auth
            .mcp_resource
            .unwrap_or_else(|| format!("{public_url}{MCP_PATH}"));
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
                mcp_resource,
            },
            demo: false,
            time_zone: file.time_zone.unwrap_or_else(machine_time_zone),
            sources: parse_sources(file.sources)?,
            scoring: file.scoring,
            planning: PlanningSettings::from_file(file.planning)
                .map_err(|e| ConfigError::Invalid(e.to_string()))?,
            llm: file
                .llm
                .map(|llm| llm.resolve(|name| std::env::var(name).ok()))
                .transpose()
                .map_err(|e| ConfigError::Invalid(e.to_string()))?,
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
        check_mcp_resource(&self.auth.mcp_resource, &self.auth.resource)?;
        Today::at(0, &self.time_zone)
            .map_err(|e| ConfigError::Invalid(format!("time_zone: {e}")))?;
        for source in &self.sources {
            check_source(source)?;
        }
        self.scoring
            .check()
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        self.planning
            .check()
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        Ok(())
    }

    /// The configuration of one source, if configured.
    pub fn source(&self, kind: Source) -> Option<&SourceConfig> {
        self.sources.iter().find(|s| s.kind == kind)
    }

    /// The sources a refresh fetches.
    pub fn enabled_sources(&self) -> impl Iterator<Item = &SourceConfig> {
        self.sources.iter().filter(|s| s.enabled)
    }
}

/// Where a source's simulator answers on a demo origin.
fn demo_base_url(public_url: &str, kind: Source) -> Result<url::Url, ConfigError> {
    let base = format!("{public_url}/sim/{}", kind.as_str());
    url::Url::parse(&base).map_err(|e| ConfigError::Invalid(format!("demo source URL {base}: {e}")))
}

/// Turns the file's entries into source configurations (kinds known, no duplicates).
fn parse_sources(entries: Vec<FileSource>) -> Result<Vec<SourceConfig>, ConfigError> {
    let mut sources: Vec<SourceConfig> = Vec::with_capacity(entries.len());
    for entry in entries {
        let kind = Source::parse(&entry.kind)
            .filter(|k| *k != Source::AdHoc)
            .ok_or_else(|| {
                ConfigError::Invalid(format!(
                    "sources: unknown kind {:?} (one of: {})",
                    entry.kind,
                    Source::PROVIDERS.map(Source::as_str).join(", ")
                ))
            })?;
        if sources.iter().any(|s| s.kind == kind) {
            return Err(ConfigError::Invalid(format!(
                "sources: {} is configured twice (one entry per kind)",
                kind.as_str()
            )));
        }
        let base = entry
            .base_url
            .as_deref()
            .or(SourceConfig::default_base_url(kind))
            .unwrap_or_default();
        let base_url = url::Url::parse(base).map_err(|e| {
            ConfigError::Invalid(format!(
                "sources.{}.base_url is not a URL: {e}",
                kind.as_str()
            ))
        })?;
        sources.push(SourceConfig {
            kind,
            enabled: entry.enabled,
            resource: entry.resource,
            scope: entry.scope,
            base_url,
            timeout: Duration::from_millis(entry.timeout_ms),
            options: entry.options,
        });
    }
    Ok(sources)
}

/// The rules every source configuration must meet.
fn check_source(source: &SourceConfig) -> Result<(), ConfigError> {
    let name = source.kind.as_str();
    let invalid = |what: String| Err(ConfigError::Invalid(format!("sources.{name}.{what}")));
    check_api_url(&source.base_url).or_else(|why| invalid(format!("base_url {why}")))?;
    for (key, value) in source.option_urls() {
        match url::Url::parse(value) {
            Ok(url) => {
                check_api_url(&url).or_else(|why| invalid(format!("options.{key} {why}")))?
            }
            Err(e) => return invalid(format!("options.{key} is not a URL: {e}")),
        }
    }
    if source.resource.trim().is_empty() {
        return invalid("resource must not be empty".to_owned());
    }
    if url::Url::parse(&source.resource).map_or(true, |u| u.fragment().is_some()) {
        return invalid("resource must be an absolute URI without fragment (RFC 8707)".to_owned());
    }
    let ms = source.timeout.as_millis();
    if ms == 0 || ms > u128::from(MAX_SOURCE_TIMEOUT_MS) {
        return invalid(format!(
            "timeout_ms must be between 1 and {MAX_SOURCE_TIMEOUT_MS}"
        ));
    }
    Ok(())
}

/// The MCP resource: an http(s) URL without query or fragment (it is the URL clients
/// connect to, RFC 9728 §3.3), and never the API's audience (RFC 8725 §3.12).
fn check_mcp_resource(mcp_resource: &str, api_resource: &str) -> Result<(), ConfigError> {
    let invalid = |why: &str| Err(ConfigError::Invalid(format!("auth.mcp_resource {why}")));
    let Ok(url) = url::Url::parse(mcp_resource) else {
        return invalid("is not a URL");
    };
    if check_api_url(&url).is_err() {
        return invalid("must be an http(s) URL without credentials, query or fragment");
    }
    if mcp_resource == api_resource {
        return invalid("must differ from auth.resource (distinct audiences)");
    }
    Ok(())
}

/// An API base URL: http(s), a host, no credentials, query or fragment.
fn check_api_url(url: &url::Url) -> Result<(), &'static str> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must be http(s)");
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("must name a host");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials");
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("must not have a query or fragment");
    }
    Ok(())
}

/// The machine's IANA time zone (`TZ`, then the system's), or `UTC` when unknown.
pub fn machine_time_zone() -> String {
    let usable = |name: &str| Today::at(0, name).is_ok();
    if let Ok(tz) = std::env::var("TZ") {
        let tz = tz.trim_start_matches(':');
        if !tz.is_empty() && usable(tz) {
            return tz.to_owned();
        }
    }
    jiff::tz::TimeZone::try_system()
        .ok()
        .and_then(|tz| tz.iana_name().map(str::to_owned))
        .filter(|name| usable(name))
        .unwrap_or_else(|| "UTC".to_owned())
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

    #[test]
    fn the_mcp_resource_follows_the_demo_origin_and_must_differ_from_the_api() {
        let mut c = Config::demo(&Overrides::default()).unwrap();
        c.set_demo_origin("http://127.0.0.1:8282/").unwrap();
        assert_eq!(c.auth.mcp_resource, "http://127.0.0.1:8282/mcp");
        let parsed = Config::parse(
            FILE,
            Path::new("x.toml"),
            ClientSecret::new("s"),
            &Overrides::default(),
        )
        .unwrap();
        assert_eq!(parsed.auth.mcp_resource, "http://127.0.0.1:9000/mcp");
        for bad in [
            "urn:pmt:api",
            "ftp://x/mcp",
            "http://x/mcp#f",
            "http://x/mcp?a=1",
        ] {
            let text = FILE.replace(
                "resource = \"urn:pmt:api\"",
                &format!("resource = \"urn:pmt:api\"\nmcp_resource = \"{bad}\""),
            );
            let err = Config::parse(
                &text,
                Path::new("x.toml"),
                ClientSecret::new("s"),
                &Overrides::default(),
            )
            .unwrap_err();
            assert!(err.to_string().contains("mcp_resource"), "{bad}: {err}");
        }
    }

    fn parse_with(extra: &str) -> Result<Config, ConfigError> {
        Config::parse(
            &format!("{FILE}\n{extra}"),
            Path::new("x.toml"),
            ClientSecret::new("s"),
            &Overrides::default(),
        )
    }

    const LINEAR: &str = r#"
        [[sources]]
        kind = "linear"
        resource = "https://api.linear.app"
        scope = "read"
    "#;

    #[test]
    fn a_source_entry_gets_its_provider_origin_and_defaults() {
        let c = parse_with(LINEAR).unwrap();
        let linear = c.source(Source::Linear).unwrap();
        assert!(linear.enabled);
        assert_eq!(linear.base_url.as_str(), "https://api.linear.app/");
        assert_eq!(linear.timeout, Duration::from_millis(8_000));
        assert_eq!(&*linear.allowed_hosts(), ["api.linear.app:443".to_owned()]);
        assert!(c.source(Source::Slack).is_none());
    }

    #[test]
    fn options_and_their_base_urls_extend_only_that_sources_allow_list() {
        let c = parse_with(
            r#"
            [[sources]]
            kind = "google_drive"
            resource = "https://www.googleapis.com/"
            timeout_ms = 3000
            options = { activity_base_url = "https://driveactivity.googleapis.com" }
            [[sources]]
            kind = "slack"
            enabled = false
            resource = "https://slack.com/"
            options = { user_id = "U1", marker_emoji = "eyes" }
            "#,
        )
        .unwrap();
        let drive = c.source(Source::GoogleDrive).unwrap();
        assert_eq!(
            &*drive.allowed_hosts(),
            [
                "www.googleapis.com:443".to_owned(),
                "driveactivity.googleapis.com:443".to_owned()
            ]
        );
        let slack = c.source(Source::Slack).unwrap();
        assert_eq!(&*slack.allowed_hosts(), ["slack.com:443".to_owned()]);
        assert_eq!(slack.options["user_id"], "U1");
        assert_eq!(
            c.enabled_sources().map(|s| s.kind).collect::<Vec<_>>(),
            [Source::GoogleDrive]
        );
    }

    fn refused(extra: &str) -> String {
        match parse_with(extra) {
            Ok(_) => panic!("accepted: {extra}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn refuses_an_unknown_source_kind() {
        let e = refused("[[sources]]\nkind = \"jira\"\nresource = \"urn:x\"\n");
        assert!(e.contains("unknown kind \"jira\""), "{e}");
        let e = refused("[[sources]]\nkind = \"ad_hoc\"\nresource = \"urn:x\"\n");
        assert!(e.contains("unknown kind"), "{e}");
    }

    #[test]
    fn refuses_the_same_kind_twice() {
        let e = refused(&format!("{LINEAR}\n{LINEAR}"));
        assert!(e.contains("linear is configured twice"), "{e}");
    }

    #[test]
    fn refuses_unknown_keys_in_a_source() {
        let e = refused(&format!("{LINEAR}\ntoken = \"lin_api_x\"\n"));
        assert!(e.contains("x.toml"), "{e}");
    }

    #[test]
    fn base_urls_must_be_plain_http_origins() {
        for (url, why) in [
            ("ftp://api.linear.app", "must be http(s)"),
            ("file:///etc/passwd", "must be http(s)"),
            ("https://user:pw@api.linear.app", "credentials"),
            ("https://api.linear.app/?key=x", "query"),
            ("not a url", "is not a URL"),
        ] {
            let e = refused(&format!("{LINEAR}\nbase_url = \"{url}\"\n"));
            assert!(
                e.contains("sources.linear.base_url") && e.contains(why),
                "{url}: {e}"
            );
        }
        let e = refused(
            "[[sources]]\nkind = \"google_drive\"\nresource = \"urn:x\"\noptions = { activity_base_url = \"gopher://x\" }\n",
        );
        assert!(
            e.contains("options.activity_base_url must be http(s)"),
            "{e}"
        );
    }

    #[test]
    fn resources_must_be_absolute_uris() {
        for bad in ["", "linear", "https://api.linear.app/#x"] {
            let entry = format!("[[sources]]\nkind = \"linear\"\nresource = \"{bad}\"\n");
            let e = refused(&entry);
            assert!(e.contains("sources.linear.resource"), "{bad}: {e}");
        }
    }

    #[test]
    fn timeouts_are_bounded() {
        for bad in [0, MAX_SOURCE_TIMEOUT_MS + 1] {
            let e = refused(&format!("{LINEAR}\ntimeout_ms = {bad}\n"));
            assert!(e.contains("timeout_ms"), "{bad}: {e}");
        }
    }

    #[test]
    fn the_time_zone_must_be_an_iana_name() {
        let c = Config::parse(
            &format!("time_zone = \"Asia/Tokyo\"\n{FILE}"),
            Path::new("x.toml"),
            ClientSecret::new("s"),
            &Overrides::default(),
        )
        .unwrap();
        assert_eq!(c.time_zone, "Asia/Tokyo");
        let e = Config::parse(
            &format!("time_zone = \"Mars/Olympus\"\n{FILE}"),
            Path::new("x.toml"),
            ClientSecret::new("s"),
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("Mars/Olympus"), "{e}");
    }

    #[test]
    fn the_machine_time_zone_is_usable() {
        assert!(Today::at(0, &machine_time_zone()).is_ok());
    }

    #[test]
    fn scoring_weights_are_read_with_defaults_for_the_rest() {
        let c = parse_with("[scoring]\noverdue = 50\n[scoring.base]\nlinear = 40\n").unwrap();
        assert_eq!(c.scoring.overdue, 50);
        assert_eq!(c.scoring.base.linear, 40);
        assert_eq!(c.scoring.due_today, ScoringWeights::default().due_today);
    }

    #[test]
    fn the_planning_table_is_read_and_checked() {
        let c = parse_with(
            "[planning]\nwork_start = \"08:00\"\nbreaks = []\n[planning.minutes]\nreview = 20\n",
        )
        .unwrap();
        assert_eq!(c.planning.work_start.to_string(), "08:00");
        assert_eq!(c.planning.work_end.to_string(), "17:30");
        assert!(c.planning.breaks.is_empty());
        assert_eq!(c.planning.minutes.review, 20);
        assert_eq!(
            parse_with("").unwrap().planning,
            PlanningSettings::default()
        );
        let e = refused("[planning]\nwork_end = \"5pm\"\n");
        assert!(
            e.contains("planning.work_end") && e.contains("HH:MM"),
            "{e}"
        );
        let e = refused("[planning]\nlunch = \"12:00\"\n");
        assert!(e.contains("lunch"), "{e}");
    }

    #[test]
    fn scoring_typos_and_impossible_thresholds_are_refused() {
        let e = refused("[scoring]\noverdeu = 50\n");
        assert!(e.contains("overdeu"), "{e}");
        let e = refused("[scoring.thresholds]\ncritical = 50\nhigh = 60\n");
        assert!(e.contains("thresholds"), "{e}");
    }

    #[test]
    fn the_readme_example_parses() {
        let readme = include_str!("../../README.md");
        let section = readme
            .split("## Sources and scoring")
            .nth(1)
            .expect("README section");
        let example = section
            .split("```toml")
            .nth(1)
            .and_then(|rest| rest.split("```").next())
            .expect("toml example");
        let text = format!(
            "{example}\n[auth]\nissuer = \"https://as.example.com\"\nclient_id = \"c\"\nresource = \"urn:pmt:api\"\n"
        );
        let c = Config::parse(
            &text,
            Path::new("README.md"),
            ClientSecret::new("s"),
            &Overrides::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.time_zone, "Europe/Paris");
        assert_eq!(c.sources.len(), 5);
        assert_eq!(c.enabled_sources().count(), 4);
        assert_eq!(c.scoring.base.slack, 20);
    }

    #[test]
    fn the_readme_planning_example_parses_to_the_defaults() {
        let readme = include_str!("../../README.md");
        let example = readme
            .split("## The day plan")
            .nth(1)
            .and_then(|s| s.split("```toml").nth(1))
            .and_then(|rest| rest.split("```").next())
            .expect("the planning example");
        let c = parse_with(example).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.planning, PlanningSettings::default());
    }

    #[test]
    fn the_readme_keycard_example_parses_as_a_whole() {
        let readme = include_str!("../../README.md");
        let example = readme
            .split("### Example: a Keycard-style deployment")
            .nth(1)
            .and_then(|s| s.split("```toml").nth(1))
            .and_then(|rest| rest.split("```").next())
            .expect("the Keycard example");
        let c = Config::parse(
            example,
            Path::new("README.md"),
            ClientSecret::new("s"),
            &Overrides::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(!c.demo);
        assert_eq!(c.redirect_uri(), "https://today.example.com/callback");
        assert_eq!(c.enabled_sources().count(), 7);
        assert_eq!(c.auth.resource, "https://today.example.com/api");
    }

    #[test]
    fn the_readme_llm_examples_parse() {
        let readme = include_str!("../../README.md");
        let section = readme.split("## Todaygent").nth(1).expect("README section");
        let mut examples = section
            .split("```toml")
            .skip(1)
            .filter_map(|rest| rest.split("```").next());
        let hosted = examples.next().expect("the [llm] example");
        let local = examples.next().expect("the local model example");
        // The hosted example needs its key from the environment: without one, its
        // checks stop exactly there.
        match parse_with(hosted) {
            Ok(c) => assert_eq!(c.llm.expect("[llm]").model, "claude-sonnet-4-5"),
            Err(e) => assert!(e.to_string().contains("ANTHROPIC_API_KEY"), "{e}"),
        }
        let c = parse_with(local).unwrap_or_else(|e| panic!("{e}"));
        let llm = c.llm.expect("[llm]");
        assert_eq!(llm.model, "qwen2.5:14b");
        assert!(llm.api_key.is_none());
        assert_eq!(llm.max_rounds, 10);
        assert!(parse_with("").unwrap().llm.is_none());
    }

    #[test]
    fn the_llm_key_is_never_read_from_the_file() {
        let e = refused("[llm]\nprovider = \"openai\"\nmodel = \"m\"\napi_key = \"sk-live-123\"\n");
        assert!(e.contains("api_key") && !e.contains("sk-live-123"), "{e}");
        let e = refused("[llm]\nprovider = \"gemini\"\nmodel = \"m\"\n");
        assert!(e.contains("llm.provider"), "{e}");
    }

    #[test]
    fn demo_mode_points_all_seven_sources_at_the_simulators() {
        let mut c = Config::demo(&Overrides {
            port: Some(8181),
            ..Overrides::default()
        })
        .unwrap();
        assert_eq!(c.sources.len(), 7);
        let slack = c.source(Source::Slack).unwrap();
        assert_eq!(slack.base_url.as_str(), "http://127.0.0.1:8181/sim/slack");
        assert_eq!(
            slack.resource,
            crate::simulators::demo_resource(Source::Slack)
        );
        assert_eq!(slack.scope, "slack.read");
        assert_eq!(slack.timeout, Duration::from_millis(DEMO_SOURCE_TIMEOUT_MS));
        assert_eq!(
            slack.options["user_id"],
            crate::simulators::day::SLACK_USER_ID
        );
        c.sources[0].timeout = Duration::from_millis(1234);
        c.set_demo_origin("http://127.0.0.1:9999").unwrap();
        assert_eq!(c.sources[0].timeout, Duration::from_millis(1234));
        assert_eq!(c.auth.issuer, "http://127.0.0.1:9999/as");
        assert!(c.sources.iter().all(|s| s
            .base_url
            .as_str()
            .starts_with("http://127.0.0.1:9999/sim/")));
    }
}
