//! Test harness for connectors: the real provider simulators on 127.0.0.1:0, tokens
//! signed by a key made for this run, and a [`FetchContext`] pointing at them.
//!
//! Use from a test binary with `mod auth_support; mod sim_support;`.
#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::time::Duration;

use pmt_server::auth::validate::KeySet;
use pmt_server::secret::ExchangedToken;
use pmt_server::simulators::day::{self, DemoDay};
use pmt_server::simulators::{demo_resource, Fault, Simulators};
use pmt_server::sources::{FetchContext, Me, SourceClient, Today};
use pmt_wire::Source;

use crate::auth_support::{claims, jwks, TestKey};

/// The issuer the simulators trust in these tests.
pub const ISSUER: &str = "http://sim-test-issuer.invalid";

/// Running simulators and what a connector needs to call them.
pub struct SimHarness {
    /// `http://127.0.0.1:<port>`.
    pub origin: String,
    /// The simulators (set faults, read seen tokens).
    pub sims: Simulators,
    /// "Today" the simulators serve.
    pub today: Today,
    key: TestKey,
}

impl SimHarness {
    /// Starts the simulators frozen at `now` (Unix seconds) in `time_zone`.
    pub async fn start(now: i64, time_zone: &str) -> Self {
        let key = TestKey::generate("sim-test-key");
        let keys = KeySet::from_jwks_json(&jwks(&[&key])).expect("jwks");
        let demo_day = DemoDay::frozen(time_zone, now);
        let today = demo_day.today();
        let sims = Simulators::new(ISSUER, keys, demo_day);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let router = sims.router();
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self {
            origin: format!("http://{addr}"),
            sims,
            today,
            key,
        }
    }

    /// Starts the simulators at a fixed weekday morning: Monday 2026-11-23 09:30 in Paris.
    pub async fn start_default() -> Self {
        Self::start(1_795_422_600, "Europe/Paris").await
    }

    /// A valid exchanged-style token for `source` (aud = its resource, 5 minutes).
    pub fn token(&self, source: Source) -> String {
        self.key.token(&claims(
            ISSUER,
            demo_resource(source),
            pmt_server::auth::unix_now(),
        ))
    }

    /// A token for another source's audience (the simulator must refuse it).
    pub fn wrong_audience_token(&self, source: Source) -> String {
        let other = if source == Source::Slack {
            Source::Gmail
        } else {
            Source::Slack
        };
        self.token(other)
    }

    /// The base URL of one simulator.
    pub fn base(&self, source: Source) -> String {
        format!("{}/sim/{}", self.origin, source.as_str())
    }

    /// A fetch context for `source` with a valid token and a 5 s budget.
    pub fn context(&self, source: Source) -> FetchContext {
        self.context_with(source, self.token(source), Duration::from_secs(5))
    }

    /// A fetch context with a given token and time budget.
    pub fn context_with(&self, source: Source, token: String, budget: Duration) -> FetchContext {
        let host = self.origin.trim_start_matches("http://").to_owned();
        let client = SourceClient::new(
            reqwest::Client::new(),
            url::Url::parse(&self.base(source)).expect("base url"),
            Arc::from(vec![host]),
            ExchangedToken::new(token),
            tokio::time::Instant::now() + budget,
        );
        FetchContext {
            client,
            today: self.today.clone(),
            me: Me {
                email: Some(day::EMAIL.to_owned()),
                name: Some(day::NAME.to_owned()),
            },
            options: day::demo_options(source),
        }
    }

    /// Injects a fault into one simulator.
    pub fn fault(&self, source: Source, fault: Fault) {
        self.sims.set_fault(source, fault);
    }
}

/// The fault checks every connector must pass, run through the generic dispatch
/// (`sources::fetch`) against the real simulator of `source`.
#[allow(clippy::unwrap_used)]
pub mod faults {
    use std::time::{Duration, Instant};

    use pmt_server::simulators::{Fault, FaultMode};
    use pmt_server::sources::{self, SourceError};
    use pmt_wire::Source;

    use super::SimHarness;

    fn fault(mode: FaultMode) -> Fault {
        Fault {
            latency_ms: 0,
            mode,
        }
    }

    /// One `429` with `Retry-After: 1` is waited out and every task still arrives.
    pub async fn one_429_is_waited_out(source: Source) {
        let h = SimHarness::start_default().await;
        let baseline = sources::fetch(source, &h.context(source)).await.unwrap();
        h.fault(
            source,
            fault(FaultMode::RateLimited {
                retry_after_secs: 1,
                times: 1,
            }),
        );
        let started = Instant::now();
        let fetched = sources::fetch(source, &h.context(source)).await.unwrap();
        assert!(
            started.elapsed() >= Duration::from_secs(1),
            "the Retry-After was not honoured"
        );
        assert_eq!(fetched.tasks.len(), baseline.tasks.len());
    }

    /// A `429` that outlasts the time budget fails the source as rate limited.
    pub async fn a_429_beyond_the_budget_is_rate_limited(source: Source) {
        let h = SimHarness::start_default().await;
        h.fault(
            source,
            fault(FaultMode::RateLimited {
                retry_after_secs: 30,
                times: 0,
            }),
        );
        assert_eq!(
            sources::fetch(source, &h.context(source))
                .await
                .unwrap_err(),
            SourceError::RateLimited {
                retry_after_secs: 30
            }
        );
    }

    /// A token issued for another provider is refused like the provider would.
    pub async fn a_token_for_another_provider_is_refused(source: Source) {
        let h = SimHarness::start_default().await;
        let ctx = h.context_with(
            source,
            h.wrong_audience_token(source),
            Duration::from_secs(5),
        );
        assert_eq!(
            sources::fetch(source, &ctx).await.unwrap_err(),
            SourceError::Unauthorized(401)
        );
    }

    /// Garbage and empty bodies fail with a reason that quotes nothing of the body; an
    /// HTML error page is reported by its status.
    pub async fn unusable_bodies_fail_with_a_reason(source: Source) {
        let h = SimHarness::start_default().await;
        for (mode, expected) in [
            (FaultMode::Garbage, "not the expected JSON"),
            (FaultMode::Empty, "the response was empty"),
        ] {
            h.fault(source, fault(mode.clone()));
            let err = sources::fetch(source, &h.context(source))
                .await
                .unwrap_err();
            assert!(
                matches!(&err, SourceError::Malformed(reason) if reason.contains(expected)),
                "{mode:?} gave {err:?}"
            );
            assert!(
                !err.to_string().contains("summary"),
                "the body leaked: {err}"
            );
        }
        h.fault(source, fault(FaultMode::Html));
        assert_eq!(
            sources::fetch(source, &h.context(source))
                .await
                .unwrap_err(),
            SourceError::Status(502)
        );
    }

    /// A `500` is reported with its status.
    pub async fn a_server_error_is_reported_with_its_status(source: Source) {
        let h = SimHarness::start_default().await;
        h.fault(source, fault(FaultMode::Status { status: 500 }));
        assert_eq!(
            sources::fetch(source, &h.context(source))
                .await
                .unwrap_err(),
            SourceError::Status(500)
        );
    }
}

/// Generates the standard fault tests ([`faults`]) for one connector.
macro_rules! standard_fault_tests {
    ($source:expr) => {
        #[tokio::test]
        async fn one_429_is_waited_out() {
            sim_support::faults::one_429_is_waited_out($source).await;
        }

        #[tokio::test]
        async fn a_429_beyond_the_time_budget_is_reported_as_rate_limited() {
            sim_support::faults::a_429_beyond_the_budget_is_rate_limited($source).await;
        }

        #[tokio::test]
        async fn a_token_for_another_provider_is_refused() {
            sim_support::faults::a_token_for_another_provider_is_refused($source).await;
        }

        #[tokio::test]
        async fn unusable_bodies_fail_with_a_reason_that_quotes_nothing() {
            sim_support::faults::unusable_bodies_fail_with_a_reason($source).await;
        }

        #[tokio::test]
        async fn a_server_error_is_reported_with_its_status() {
            sim_support::faults::a_server_error_is_reported_with_its_status($source).await;
        }
    };
}
pub(crate) use standard_fault_tests;
