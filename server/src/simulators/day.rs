//! The demo day: one clock and one storyline that every simulator draws from, so the
//! providers' data cross-reference each other the way a real working day does.
//!
//! The demo user is Dana Demo (`dana@example.com`; Slack `U0DANA01`; GitHub
//! `dana-demo`) at Acme. Times are relative to "now" and to local midnight in the
//! configured time zone, so the demo always shows *today*.

use crate::sources::Today;

/// Dana's email at every provider.
pub const EMAIL: &str = "dana@example.com";
/// Dana's display name.
pub const NAME: &str = "Dana Demo";
/// Dana's Slack user id.
pub const SLACK_USER_ID: &str = "U0DANA01";
/// Dana's GitHub login.
pub const GITHUB_LOGIN: &str = "dana-demo";
/// The Slack emoji Dana marks to-dos with.
pub const MARKER_EMOJI: &str = "eyes";

/// The clock and zone the simulators serve "today" in.
#[derive(Debug, Clone)]
pub struct DemoDay {
    time_zone: String,
    /// Fixed "now" for tests (Unix seconds); `None` = the real clock.
    fixed_now: Option<i64>,
}

impl DemoDay {
    /// A demo day in `time_zone` (IANA), on the real clock.
    pub fn new(time_zone: impl Into<String>) -> Self {
        Self {
            time_zone: time_zone.into(),
            fixed_now: None,
        }
    }

    /// A demo day frozen at `now` (tests).
    pub fn frozen(time_zone: impl Into<String>, now: i64) -> Self {
        Self {
            time_zone: time_zone.into(),
            fixed_now: Some(now),
        }
    }

    /// Today as the connectors see it.
    pub fn today(&self) -> Today {
        let now = self.fixed_now.unwrap_or_else(crate::auth::unix_now);
        Today::at(now, &self.time_zone).unwrap_or_else(|_| Today::utc(now))
    }
}

/// The connector options that match the demo user at the simulators.
pub fn demo_options(source: pmt_wire::Source) -> std::collections::BTreeMap<String, String> {
    let pairs: &[(&str, &str)] = match source {
        pmt_wire::Source::Slack => &[("user_id", SLACK_USER_ID), ("marker_emoji", MARKER_EMOJI)],
        pmt_wire::Source::Github => &[("login", GITHUB_LOGIN)],
        _ => &[],
    };
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}
