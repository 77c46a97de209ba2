//! Who the demo user, the one client and the protected resources are.

use std::path::PathBuf;

use crate::config::Config;
use crate::secret::ClientSecret;

use super::grants::GrantRegistry;
use super::keys::KEY_FILE_NAME;

/// Lifetime of a session access token (audience = the backend), in seconds.
pub const SESSION_TOKEN_LIFETIME_SECS: i64 = 900;
/// Lifetime of a token issued by token exchange (audience = one source), in seconds.
pub const EXCHANGED_TOKEN_LIFETIME_SECS: i64 = 300;
/// Lifetime of an MCP access token (audience = the MCP server), in seconds.
///
/// One hour: long enough that a desktop client configured by hand with a pasted token
/// works through a session, short enough that a token left in a config file is soon
/// useless. Like every token here it is a stateless JWT that cannot be revoked, and
/// it is only ever accepted at `/mcp` (and as the subject of the backend's own token
/// exchanges), never at `/api`.
pub const MCP_TOKEN_LIFETIME_SECS: i64 = 3600;
/// The client id written into MCP tokens issued for local clients by
/// `POST /api/mcp/token` (the activity trail shows it as the acting app).
pub const LOCAL_MCP_CLIENT_ID: &str = "pmt-mcp-local";
/// The scopes of an MCP token: reading the plan and changing local decisions.
pub const MCP_SCOPES: [&str; 2] = [crate::mcp::scope::READ, crate::mcp::scope::WRITE];
/// Lifetime of an authorization code, in seconds.
pub const CODE_LIFETIME_SECS: i64 = 60;
/// How long a consent page can be answered, in seconds.
pub const CONSENT_LIFETIME_SECS: i64 = 600;

/// Scopes a sign-in may ask for (the configured scope is always added).
const SIGN_IN_SCOPES: [&str; 3] = ["openid", "profile", "email"];

/// The one person demo mode knows; always "signed in".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoUser {
    /// Subject identifier (`sub`).
    pub sub: String,
    /// Display name (`name` claim).
    pub name: String,
    /// Email address (`email` claim).
    pub email: String,
}

impl DemoUser {
    /// Dana Demo, the demo user.
    pub fn dana() -> Self {
        Self {
            sub: "demo-user".to_owned(),
            name: "Dana Demo".to_owned(),
            email: "dana@example.com".to_owned(),
        }
    }
}

/// A resource (RFC 8707) that token exchange may issue tokens for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePolicy {
    /// The resource identifier, e.g. `urn:pmt:gmail`; it becomes the token's `aud`.
    pub resource: String,
    /// A name for people (consent and grants pages).
    pub display_name: String,
    /// The scopes a token for this resource may carry; a request for any other is
    /// refused with `invalid_scope`.
    pub scopes: Vec<String>,
}

impl ResourcePolicy {
    /// A policy from string slices.
    pub fn new(resource: &str, display_name: &str, scopes: &[&str]) -> Self {
        Self {
            resource: resource.to_owned(),
            display_name: display_name.to_owned(),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// The seven demo sources, each with its one read-only scope.
    pub fn demo_sources() -> Vec<Self> {
        vec![
            Self::new(
                "urn:pmt:google-calendar",
                "Google Calendar",
                &["calendar.read"],
            ),
            Self::new("urn:pmt:gmail", "Gmail", &["gmail.read"]),
            Self::new("urn:pmt:google-drive", "Google Drive", &["drive.read"]),
            Self::new("urn:pmt:linear", "Linear", &["linear.read"]),
            Self::new("urn:pmt:github", "GitHub", &["github.read"]),
            Self::new("urn:pmt:slack", "Slack", &["slack.read"]),
            Self::new("urn:pmt:granola", "Granola", &["granola.read"]),
        ]
    }
}

/// Everything the demo authorization server is configured with.
#[derive(Debug, Clone)]
pub struct DemoAsSettings {
    /// Issuer identifier, e.g. `http://127.0.0.1:8080/as`; every endpoint lives under
    /// its path and `iss` equals it exactly.
    pub issuer: String,
    /// The one client: the backend's client id.
    pub client_id: String,
    /// The client's name, shown on the consent page.
    pub client_name: String,
    /// The client's secret (compared in constant time).
    pub client_secret: ClientSecret,
    /// The one registered redirect URI, compared by exact string match.
    pub redirect_uri: String,
    /// The backend's resource identifier: the audience of session tokens and the only
    /// `resource` an authorization request may name.
    pub resource: String,
    /// The MCP server's resource identifier: the audience of MCP tokens, and the only
    /// other audience a token-exchange subject token may carry.
    pub mcp_resource: String,
    /// Scope granted when an authorization request names none.
    pub default_scope: String,
    /// Where the PKCS#8 signing key is kept.
    pub key_path: PathBuf,
    /// The user.
    pub user: DemoUser,
    /// The resources token exchange may target, with their allowed scopes.
    pub resources: Vec<ResourcePolicy>,
    /// Revoked grants; share a clone to revoke from elsewhere at run time.
    pub grants: GrantRegistry,
}

impl DemoAsSettings {
    /// Derives the settings from the backend's demo configuration: the backend is the
    /// client, its redirect URI and resource are the registered ones, the key lives in
    /// the data directory, the resources are the seven demo sources.
    pub fn for_config(config: &Config) -> Self {
        Self {
            issuer: config.auth.issuer.clone(),
            client_id: config.auth.client_id.clone(),
            client_name: "Plan My Today".to_owned(),
            client_secret: config.auth.client_secret.clone(),
            redirect_uri: config.redirect_uri(),
            resource: config.auth.resource.clone(),
            mcp_resource: config.auth.mcp_resource.clone(),
            default_scope: config.auth.scope.clone(),
            key_path: config.data_dir.join(KEY_FILE_NAME),
            user: DemoUser::dana(),
            resources: ResourcePolicy::demo_sources(),
            grants: GrantRegistry::default(),
        }
    }

    /// Scopes an authorization request may ask for.
    pub fn sign_in_scopes(&self) -> Vec<String> {
        let mut scopes: Vec<String> = SIGN_IN_SCOPES.iter().map(|s| (*s).to_owned()).collect();
        for s in self.default_scope.split_ascii_whitespace() {
            if !scopes.iter().any(|known| known == s) {
                scopes.push(s.to_owned());
            }
        }
        scopes
    }

    /// Every scope this server can grant (sign-in scopes, the resources', then the
    /// MCP server's).
    pub fn all_scopes(&self) -> Vec<String> {
        let mut scopes = self.sign_in_scopes();
        let mcp = MCP_SCOPES.iter().map(|s| (*s).to_owned());
        for s in self
            .resources
            .iter()
            .flat_map(|r| r.scopes.clone())
            .chain(mcp)
        {
            if !scopes.contains(&s) {
                scopes.push(s);
            }
        }
        scopes
    }

    /// The policy for a resource, if token exchange may target it.
    pub fn resource_policy(&self, resource: &str) -> Option<&ResourcePolicy> {
        self.resources.iter().find(|r| r.resource == resource)
    }

    /// Whether token exchange may target `resource`.
    pub fn knows_resource(&self, resource: &str) -> bool {
        self.resource_policy(resource).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_scopes_include_the_configured_ones_once() {
        let mut s = DemoAsSettings::for_config(
            &Config::demo(&crate::config::Overrides::default()).expect("demo config"),
        );
        s.default_scope = "openid email offline_extra".to_owned();
        assert_eq!(
            s.sign_in_scopes(),
            ["openid", "profile", "email", "offline_extra"]
        );
        assert!(s.all_scopes().contains(&"granola.read".to_owned()));
    }

    #[test]
    fn demo_sources_are_the_seven_sources_with_one_scope_each() {
        let sources = ResourcePolicy::demo_sources();
        assert_eq!(sources.len(), 7);
        assert!(sources.iter().all(|r| r.scopes.len() == 1));
        assert!(sources
            .iter()
            .any(|r| r.resource == "urn:pmt:google-calendar" && r.scopes == ["calendar.read"]));
    }
}
