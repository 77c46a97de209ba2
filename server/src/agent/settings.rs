//! `[llm]`: which model Todaygent talks to, and the limits of its loop.
//!
//! The file names the provider, the model and where its API is; the API key only
//! ever comes from the environment (the variable named by `api_key_env`) and is held
//! in [`ApiKey`], whose `Debug` is redacted. A key may be absent when the endpoint is
//! a local model; the providers' own endpoints refuse to start without one.
//!
//! Demo mode has no file: there the same settings come from `PMT_LLM_PROVIDER`,
//! `PMT_LLM_MODEL` and (optionally) `PMT_LLM_BASE_URL` ([`from_env`]).

use std::time::Duration;

use serde::Deserialize;

/// Default and largest number of tool rounds in one turn.
pub const MAX_ROUNDS: u32 = 10;
/// Default size a tool result is cut to before the model sees it, in characters.
pub const DEFAULT_TOOL_RESULT_MAX_CHARS: usize = 6_000;
/// Default time the provider may stay silent, seconds.
pub const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 60;
/// Default time a confirmation waits for Allow or Deny, seconds.
pub const DEFAULT_CONFIRM_TIMEOUT_SECS: u64 = 300;
/// Default cap on the tokens of one model answer.
pub const DEFAULT_MAX_TOKENS: u32 = 4_096;

/// Which API the model speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// The Anthropic Messages API (`POST {base_url}/v1/messages`).
    Anthropic,
    /// Any OpenAI-compatible chat completions API (`POST {base_url}/chat/completions`),
    /// OpenAI's own or a local model server's.
    OpenAi,
}

impl Provider {
    /// The config name (`anthropic`, `openai`).
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Anthropic => "anthropic",
            Provider::OpenAi => "openai",
        }
    }

    /// The provider's own API, used when `base_url` is not set.
    pub fn default_base_url(self) -> &'static str {
        match self {
            Provider::Anthropic => "https://api.anthropic.com",
            Provider::OpenAi => "https://api.openai.com/v1",
        }
    }

    /// The environment variable holding the key when `api_key_env` is not set.
    pub fn default_key_env(self) -> &'static str {
        match self {
            Provider::Anthropic => "ANTHROPIC_API_KEY",
            Provider::OpenAi => "OPENAI_API_KEY",
        }
    }

    fn parse(name: &str) -> Option<Provider> {
        match name {
            "anthropic" => Some(Provider::Anthropic),
            "openai" => Some(Provider::OpenAi),
            _ => None,
        }
    }
}

/// An LLM provider's API key: sent in one header, never printed.
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The key itself, for the one header that carries it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

/// The LLM Todaygent uses and the limits of its loop.
#[derive(Debug, Clone)]
pub struct LlmSettings {
    /// Which API.
    pub provider: Provider,
    /// The model name as the provider knows it.
    pub model: String,
    /// Where the API is (Anthropic: the origin; OpenAI-compatible: up to `/v1`).
    pub base_url: url::Url,
    /// The key, when the environment had one.
    pub api_key: Option<ApiKey>,
    /// The variable the key was read from (named in error messages).
    pub api_key_env: String,
    /// Tool rounds per turn (1–10).
    pub max_rounds: u32,
    /// Longest tool result the model sees, in characters.
    pub tool_result_max_chars: usize,
    /// How long the provider may stay silent: before answering, or between two
    /// pieces of a streamed answer.
    pub request_timeout: Duration,
    /// How long a write waits for Allow or Deny before it counts as denied.
    pub confirm_timeout: Duration,
    /// Cap on the tokens of one answer.
    pub max_tokens: u32,
}

impl LlmSettings {
    /// Settings with every limit at its default.
    pub fn new(
        provider: Provider,
        model: impl Into<String>,
        base_url: url::Url,
        api_key: Option<ApiKey>,
    ) -> Self {
        Self {
            provider,
            model: model.into(),
            base_url,
            api_key,
            api_key_env: provider.default_key_env().to_owned(),
            max_rounds: MAX_ROUNDS,
            tool_result_max_chars: DEFAULT_TOOL_RESULT_MAX_CHARS,
            request_timeout: Duration::from_secs(DEFAULT_REQUEST_TIMEOUT_SECS),
            confirm_timeout: Duration::from_secs(DEFAULT_CONFIRM_TIMEOUT_SECS),
            max_tokens: DEFAULT_MAX_TOKENS,
        }
    }
}

/// Why `[llm]` cannot be used. The text names the setting, never the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct LlmConfigError(String);

fn invalid<T>(message: impl Into<String>) -> Result<T, LlmConfigError> {
    Err(LlmConfigError(message.into()))
}

/// The `[llm]` table of the config file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LlmFile {
    /// `anthropic` or `openai`.
    pub provider: String,
    /// The model name.
    pub model: String,
    /// The API's URL (defaults to the provider's).
    pub base_url: Option<String>,
    /// The environment variable holding the key.
    pub api_key_env: Option<String>,
    /// Tool rounds per turn.
    pub max_rounds: Option<u32>,
    /// Longest tool result the model sees, characters.
    pub tool_result_max_chars: Option<usize>,
    /// Provider silence allowed, seconds.
    pub request_timeout_secs: Option<u64>,
    /// Confirmation wait, seconds.
    pub confirm_timeout_secs: Option<u64>,
    /// Tokens per answer.
    pub max_tokens: Option<u32>,
}

impl LlmFile {
    /// Checks the table and reads the key with `env` (the process environment at
    /// start; a function so tests can pass their own).
    ///
    /// # Errors
    /// An unknown provider, an empty model, an unusable URL, a limit out of range, a
    /// key variable that is not a variable name, or no key for a provider's own API.
    pub fn resolve(
        self,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<LlmSettings, LlmConfigError> {
        let Some(provider) = Provider::parse(self.provider.trim()) else {
            return invalid(format!(
                "llm.provider must be \"anthropic\" or \"openai\", not {:?}",
                self.provider
            ));
        };
        let model = self.model.trim();
        if model.is_empty() {
            return invalid("llm.model must name a model");
        }
        let base = self
            .base_url
            .as_deref()
            .unwrap_or(provider.default_base_url());
        let base_url = match url::Url::parse(base) {
            Ok(url) => url,
            Err(e) => return invalid(format!("llm.base_url is not a URL: {e}")),
        };
        check_base_url(&base_url)?;
        let key_env = self
            .api_key_env
            .unwrap_or_else(|| provider.default_key_env().to_owned());
        if !is_env_name(&key_env) {
            return invalid(
                "llm.api_key_env must name an environment variable (letters, digits, _), \
                 not hold the key itself",
            );
        }
        let api_key = env(&key_env)
            .map(|k| k.trim().to_owned())
            .filter(|k| !k.is_empty())
            .map(ApiKey::new);
        if api_key.is_none() && is_providers_own(&base_url) {
            return invalid(format!(
                "llm: the API key for {} must be set in the environment variable {key_env}",
                provider.as_str()
            ));
        }
        if api_key.is_some() && base_url.scheme() != "https" && !is_loopback(&base_url) {
            return invalid(
                "llm.base_url must be https for a remote host (the API key would travel in clear)",
            );
        }
        let mut settings = LlmSettings::new(provider, model, base_url, api_key);
        settings.api_key_env = key_env;
        if let Some(n) = self.max_rounds {
            if !(1..=MAX_ROUNDS).contains(&n) {
                return invalid(format!("llm.max_rounds must be between 1 and {MAX_ROUNDS}"));
            }
            settings.max_rounds = n;
        }
        if let Some(n) = self.tool_result_max_chars {
            if !(500..=200_000).contains(&n) {
                return invalid("llm.tool_result_max_chars must be between 500 and 200000");
            }
            settings.tool_result_max_chars = n;
        }
        if let Some(s) = self.request_timeout_secs {
            if !(1..=600).contains(&s) {
                return invalid("llm.request_timeout_secs must be between 1 and 600");
            }
            settings.request_timeout = Duration::from_secs(s);
        }
        if let Some(s) = self.confirm_timeout_secs {
            if !(5..=3_600).contains(&s) {
                return invalid("llm.confirm_timeout_secs must be between 5 and 3600");
            }
            settings.confirm_timeout = Duration::from_secs(s);
        }
        if let Some(n) = self.max_tokens {
            if !(1..=128_000).contains(&n) {
                return invalid("llm.max_tokens must be between 1 and 128000");
            }
            settings.max_tokens = n;
        }
        Ok(settings)
    }
}

/// Demo mode's `[llm]`: `PMT_LLM_PROVIDER` (unset = no LLM), `PMT_LLM_MODEL`,
/// `PMT_LLM_BASE_URL`, `PMT_LLM_API_KEY_ENV`; the key as for the file.
///
/// # Errors
/// As [`LlmFile::resolve`], naming the variables.
pub fn from_env(
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<LlmSettings>, LlmConfigError> {
    let Some(provider) = env("PMT_LLM_PROVIDER").filter(|p| !p.trim().is_empty()) else {
        return Ok(None);
    };
    let file = LlmFile {
        provider,
        model: env("PMT_LLM_MODEL").unwrap_or_default(),
        base_url: env("PMT_LLM_BASE_URL").filter(|u| !u.trim().is_empty()),
        api_key_env: env("PMT_LLM_API_KEY_ENV").filter(|u| !u.trim().is_empty()),
        ..LlmFile::default()
    };
    file.resolve(env)
        .map(Some)
        .map_err(|e| LlmConfigError(format!("{e} (demo mode reads [llm] from PMT_LLM_*)")))
}

/// http(s), a host, no credentials, query or fragment.
fn check_base_url(url: &url::Url) -> Result<(), LlmConfigError> {
    if !matches!(url.scheme(), "http" | "https") {
        return invalid("llm.base_url must be http(s)");
    }
    if url.host_str().is_none_or(str::is_empty) {
        return invalid("llm.base_url must name a host");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return invalid("llm.base_url must not carry credentials");
    }
    if url.query().is_some() || url.fragment().is_some() {
        return invalid("llm.base_url must not have a query or fragment");
    }
    Ok(())
}

fn is_env_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && !name.as_bytes()[0].is_ascii_digit()
}

/// Whether the URL is one of the providers' own APIs (which always need a key).
fn is_providers_own(url: &url::Url) -> bool {
    matches!(url.host_str(), Some("api.anthropic.com" | "api.openai.com"))
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(provider: &str, model: &str) -> LlmFile {
        LlmFile {
            provider: provider.into(),
            model: model.into(),
            ..LlmFile::default()
        }
    }

    fn with_key(name: &str) -> Option<String> {
        (name == "ANTHROPIC_API_KEY" || name == "OPENAI_API_KEY" || name == "MY_KEY")
            .then(|| "sk-test-secret-value".to_owned())
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn anthropic_defaults_to_its_api_and_key_variable() {
        let s = file("anthropic", "claude-sonnet-4-5")
            .resolve(with_key)
            .unwrap();
        assert_eq!(s.provider, Provider::Anthropic);
        assert_eq!(s.base_url.as_str(), "https://api.anthropic.com/");
        assert_eq!(s.api_key_env, "ANTHROPIC_API_KEY");
        assert_eq!(s.api_key.unwrap().expose(), "sk-test-secret-value");
        assert_eq!(s.max_rounds, 10);
        assert_eq!(s.tool_result_max_chars, 6_000);
        assert_eq!(s.confirm_timeout, Duration::from_secs(300));
    }

    #[test]
    fn openai_defaults_to_its_v1_base() {
        let s = file("openai", "gpt-4.1").resolve(with_key).unwrap();
        assert_eq!(s.base_url.as_str(), "https://api.openai.com/v1");
        assert_eq!(s.api_key_env, "OPENAI_API_KEY");
    }

    #[test]
    fn a_local_model_needs_no_key() {
        let mut f = file("openai", "llama3.1");
        f.base_url = Some("http://127.0.0.1:11434/v1".into());
        let s = f.resolve(no_env).unwrap();
        assert!(s.api_key.is_none());
    }

    #[test]
    fn the_providers_own_api_needs_a_key_and_says_where() {
        let e = file("anthropic", "m").resolve(no_env).unwrap_err();
        assert!(e.to_string().contains("ANTHROPIC_API_KEY"), "{e}");
        let mut f = file("openai", "m");
        f.api_key_env = Some("MY_OTHER_KEY".into());
        let e = f.resolve(no_env).unwrap_err();
        assert!(e.to_string().contains("MY_OTHER_KEY"), "{e}");
    }

    #[test]
    fn a_key_pasted_into_api_key_env_is_refused_without_echoing_it() {
        let mut f = file("anthropic", "m");
        // Spelled in two parts so secret scanners do not flag the fixture.
        f.api_key_env = Some(format!("{}{}", "sk-ant-", "api03-abcdef"));
        let e = f.resolve(with_key).unwrap_err().to_string();
        assert!(e.contains("api_key_env"), "{e}");
        assert!(!e.contains("sk-ant"), "{e}");
    }

    #[test]
    fn the_key_never_prints() {
        let s = file("anthropic", "m").resolve(with_key).unwrap();
        assert!(!format!("{s:?}").contains("sk-test-secret-value"));
    }

    #[test]
    fn a_key_is_not_sent_in_clear_to_a_remote_host() {
        let mut f = file("openai", "m");
        f.base_url = Some("http://llm.example.com/v1".into());
        let e = f.clone().resolve(with_key).unwrap_err().to_string();
        assert!(e.contains("https"), "{e}");
        f.base_url = Some("http://localhost:8000/v1".into());
        assert!(f.resolve(with_key).is_ok());
    }

    #[test]
    fn bad_values_are_named() {
        let cases: Vec<(LlmFile, &str)> = vec![
            (file("gemini", "m"), "llm.provider"),
            (file("anthropic", " "), "llm.model"),
            (
                LlmFile {
                    base_url: Some("ftp://x".into()),
                    ..file("openai", "m")
                },
                "llm.base_url",
            ),
            (
                LlmFile {
                    base_url: Some("https://u:p@x.example".into()),
                    ..file("openai", "m")
                },
                "credentials",
            ),
            (
                LlmFile {
                    max_rounds: Some(11),
                    ..file("anthropic", "m")
                },
                "llm.max_rounds",
            ),
            (
                LlmFile {
                    max_rounds: Some(0),
                    ..file("anthropic", "m")
                },
                "llm.max_rounds",
            ),
            (
                LlmFile {
                    tool_result_max_chars: Some(10),
                    ..file("anthropic", "m")
                },
                "tool_result_max_chars",
            ),
            (
                LlmFile {
                    request_timeout_secs: Some(0),
                    ..file("anthropic", "m")
                },
                "request_timeout_secs",
            ),
            (
                LlmFile {
                    confirm_timeout_secs: Some(1),
                    ..file("anthropic", "m")
                },
                "confirm_timeout_secs",
            ),
            (
                LlmFile {
                    max_tokens: Some(0),
                    ..file("anthropic", "m")
                },
                "max_tokens",
            ),
        ];
        for (f, expected) in cases {
            let e = f.resolve(with_key).unwrap_err().to_string();
            assert!(e.contains(expected), "{expected}: {e}");
        }
    }

    #[test]
    fn demo_mode_reads_the_environment() {
        assert!(from_env(no_env).unwrap().is_none());
        let env = |name: &str| match name {
            "PMT_LLM_PROVIDER" => Some("openai".to_owned()),
            "PMT_LLM_MODEL" => Some("qwen2.5".to_owned()),
            "PMT_LLM_BASE_URL" => Some("http://127.0.0.1:8000/v1".to_owned()),
            _ => None,
        };
        let s = from_env(env).unwrap().unwrap();
        assert_eq!(s.model, "qwen2.5");
        assert_eq!(s.base_url.as_str(), "http://127.0.0.1:8000/v1");
        let env = |name: &str| (name == "PMT_LLM_PROVIDER").then(|| "anthropic".to_owned());
        let e = from_env(env).unwrap_err().to_string();
        assert!(e.contains("llm.model") && e.contains("PMT_LLM_"), "{e}");
    }
}
