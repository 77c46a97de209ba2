//! One source, start to finish: token exchange, fetch, and the status people see.
//!
//! The whole path runs under the source's own deadline, so a slow authorization
//! server or a hanging provider costs that source its budget and nothing more. The
//! exchanged token is moved into the call's [`SourceClient`] and dropped with it when
//! the connector returns: it is never stored, cached, logged or put in a reason.

use std::sync::Arc;
use std::time::Duration;

use pmt_wire::{Source, SourceState, SourceStatus};
use tokio::time::Instant;

use pmt_wire::activity::{ActivityEvent, Outcome};

use crate::activity::Trail;
use crate::auth::{Authenticator, ExchangeError};
use crate::config::SourceConfig;
use crate::secret::BearerToken;
use crate::sources::{self, FetchContext, Fetched, Me, SourceClient, SourceError, Today};

/// What one source's run produced.
#[derive(Debug)]
pub struct SourceRun {
    /// Which source.
    pub source: Source,
    /// The tasks, or why there are none.
    pub result: Result<Fetched, Failure>,
    /// Exchange + fetch, wall time.
    pub duration: Duration,
    /// When it finished, Unix seconds.
    pub finished_at: i64,
}

/// Why a source produced nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    /// No token for the source: the authorization server refused or could not answer.
    #[error("{}", exchange_reason(.0))]
    Exchange(ExchangeError),
    /// The connector failed.
    #[error("{0}")]
    Fetch(SourceError),
    /// The budget ran out (during exchange or fetch).
    #[error("timed out after {}", human_duration(*.0))]
    Timeout(Duration),
    /// The connector's task ended without an answer (a bug; the others are unaffected).
    #[error("the connector stopped unexpectedly")]
    Crashed,
}

/// A refusal says what the server said; anything else says the token could not be had.
fn exchange_reason(e: &ExchangeError) -> String {
    match e {
        ExchangeError::Refused {
            error, description, ..
        } if error == "invalid_target" || error == "invalid_grant" => {
            SourceError::Exchange(description.clone().unwrap_or_else(|| {
                "the sign-in service will not issue a token for this source".to_owned()
            }))
            .to_string()
        }
        other => format!("could not get a token for this source: {other}"),
    }
}

/// `5 s`, `2.5 s`, `800 ms`.
fn human_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// Everything a source run needs besides its configuration.
#[derive(Debug, Clone)]
pub struct RunContext {
    /// Exchanges the session token.
    pub auth: Arc<Authenticator>,
    /// The outbound HTTP client.
    pub http: reqwest::Client,
    /// The caller's session token: the subject of every exchange.
    pub subject: BearerToken,
    /// Today in the user's zone.
    pub today: Today,
    /// Who the user is at the providers.
    pub me: Me,
    /// Where each exchange is recorded.
    pub trail: Trail,
}

/// Exchanges, then fetches, within `source.timeout`.
pub async fn run(ctx: &RunContext, source: &SourceConfig) -> SourceRun {
    let started = Instant::now();
    let deadline = started + source.timeout;
    let work = async {
        let asked = Instant::now();
        let exchanged = ctx
            .auth
            .exchange_grant(&ctx.subject, &source.resource, &source.scope)
            .await;
        record_exchange(&ctx.trail, source, &exchanged, asked.elapsed()).await;
        let grant = exchanged.map_err(Failure::Exchange)?;
        let fetch = FetchContext {
            client: SourceClient::new(
                ctx.http.clone(),
                source.base_url.clone(),
                source.allowed_hosts(),
                grant.token,
                deadline,
            ),
            today: ctx.today.clone(),
            me: ctx.me.clone(),
            options: source.options.clone(),
        };
        sources::fetch(source.kind, &fetch)
            .await
            .map_err(|e| match e {
                SourceError::Timeout => Failure::Timeout(source.timeout),
                e => Failure::Fetch(e),
            })
    };
    let result = tokio::time::timeout_at(deadline, work)
        .await
        .unwrap_or(Err(Failure::Timeout(source.timeout)));
    let duration = started.elapsed();
    match &result {
        Ok(fetched) => tracing::info!(
            source = source.kind.as_str(),
            tasks = fetched.tasks.len(),
            skipped = fetched.skipped,
            ms = duration.as_millis() as u64,
            "source fetched"
        ),
        Err(failure) => tracing::warn!(
            source = source.kind.as_str(),
            reason = %failure,
            ms = duration.as_millis() as u64,
            "source failed"
        ),
    }
    SourceRun {
        source: source.kind,
        result,
        duration,
        finished_at: crate::auth::unix_now(),
    }
}

/// One activity entry per exchange: the resource, the scopes asked for and granted,
/// how long it took, and the server's reason on refusal — never the token.
async fn record_exchange(
    trail: &Trail,
    source: &SourceConfig,
    exchanged: &Result<crate::auth::ExchangedGrant, ExchangeError>,
    took: Duration,
) {
    let (outcome, granted_scope, reason) = match exchanged {
        Ok(grant) => (
            Outcome::Ok,
            grant.scope.clone().unwrap_or_else(|| source.scope.clone()),
            None,
        ),
        Err(e @ ExchangeError::Refused { .. }) => {
            (Outcome::Refused, String::new(), Some(e.to_string()))
        }
        Err(e) => (Outcome::Failed, String::new(), Some(e.to_string())),
    };
    let event = ActivityEvent::Exchange {
        resource: source.resource.clone(),
        source: Some(source.kind.as_str().to_owned()),
        requested_scope: source.scope.clone(),
        granted_scope,
        duration_ms: u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
        reason,
    };
    trail.record(outcome, event).await;
}

impl SourceRun {
    /// A run for a source whose task never reported back.
    pub fn crashed(source: Source, duration: Duration) -> Self {
        Self {
            source,
            result: Err(Failure::Crashed),
            duration,
            finished_at: crate::auth::unix_now(),
        }
    }

    /// The status people see.
    pub fn status(&self) -> SourceStatus {
        SourceStatus {
            source: self.source,
            state: match &self.result {
                Ok(f) => SourceState::Ok {
                    count: f.tasks.len(),
                    skipped: f.skipped,
                },
                Err(failure) => SourceState::Failed {
                    reason: failure.to_string(),
                },
            },
            duration_ms: u64::try_from(self.duration.as_millis()).unwrap_or(u64::MAX),
            fetched_at: self.finished_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The client a run builds for `source`, as [`run`] does.
    fn client_for(source: &SourceConfig) -> SourceClient {
        SourceClient::new(
            reqwest::Client::new(),
            source.base_url.clone(),
            source.allowed_hosts(),
            crate::secret::ExchangedToken::new("t"),
            Instant::now() + Duration::from_secs(1),
        )
    }

    fn source(kind: Source, base: &str, options: &[(&str, &str)]) -> SourceConfig {
        SourceConfig {
            kind,
            enabled: true,
            resource: "urn:x".into(),
            scope: String::new(),
            base_url: url::Url::parse(base).unwrap(),
            timeout: Duration::from_secs(1),
            options: options
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn a_connector_reaches_only_its_own_configured_hosts() {
        let github = client_for(&source(Source::Github, "https://api.github.com", &[]));
        assert!(github.url("/notifications").is_ok());
        for elsewhere in [
            "https://slack.com/api/search.messages",
            "https://www.googleapis.com/gmail/v1/users/me/messages",
            "http://169.254.169.254/latest/meta-data",
            "http://127.0.0.1:8080/api/tasks",
        ] {
            assert!(
                matches!(github.url(elsewhere), Err(SourceError::HostNotAllowed(_))),
                "{elsewhere}"
            );
        }
        let drive = client_for(&source(
            Source::GoogleDrive,
            "https://www.googleapis.com",
            &[("activity_base_url", "https://driveactivity.googleapis.com")],
        ));
        assert!(drive
            .url("https://driveactivity.googleapis.com/v2/activity:query")
            .is_ok());
        assert!(drive.url("https://api.github.com/user").is_err());
    }

    #[test]
    fn a_revoked_grant_reads_as_refused_access() {
        let f = Failure::Exchange(ExchangeError::Refused {
            status: 400,
            error: "invalid_target".into(),
            description: Some("the user revoked access to urn:pmt:gmail".into()),
        });
        assert_eq!(
            f.to_string(),
            "access was refused: the user revoked access to urn:pmt:gmail"
        );
        let f = Failure::Exchange(ExchangeError::Refused {
            status: 400,
            error: "invalid_grant".into(),
            description: None,
        });
        assert!(f.to_string().starts_with("access was refused: "), "{f}");
    }

    #[test]
    fn other_exchange_failures_say_no_token_could_be_had() {
        let f = Failure::Exchange(ExchangeError::Unreachable);
        assert_eq!(
            f.to_string(),
            "could not get a token for this source: the sign-in service could not be reached"
        );
    }

    #[test]
    fn timeouts_name_the_budget() {
        assert_eq!(
            Failure::Timeout(Duration::from_secs(5)).to_string(),
            "timed out after 5 s"
        );
        assert_eq!(
            Failure::Timeout(Duration::from_millis(2500)).to_string(),
            "timed out after 2.5 s"
        );
        assert_eq!(
            Failure::Timeout(Duration::from_millis(300)).to_string(),
            "timed out after 300 ms"
        );
    }

    #[test]
    fn statuses_carry_counts_or_reasons() {
        let ok = SourceRun {
            source: Source::Linear,
            result: Ok(Fetched {
                tasks: Vec::new(),
                skipped: 2,
            }),
            duration: Duration::from_millis(12),
            finished_at: 7,
        };
        assert_eq!(
            ok.status().state,
            SourceState::Ok {
                count: 0,
                skipped: 2
            }
        );
        assert_eq!(ok.status().duration_ms, 12);
        let failed = SourceRun {
            source: Source::Slack,
            result: Err(Failure::Fetch(SourceError::Status(500))),
            duration: Duration::ZERO,
            finished_at: 7,
        };
        assert_eq!(
            failed.status().state,
            SourceState::Failed {
                reason: "the provider answered HTTP 500".into()
            }
        );
    }
}
