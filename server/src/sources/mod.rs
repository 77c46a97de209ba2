//! Source connectors: one module per provider, each with the same shape.
//!
//! `fetch` (I/O through [`SourceClient`]: pagination, rate limits, errors) →
//! `normalize` (pure, tested on recorded provider bodies) → [`Fetched`] tasks with
//! signals, refs and a stable id. Scoring, cross-references and local decisions are
//! applied later, by the aggregation, never here.
//!
//! The exchanged token a connector uses lives inside its [`SourceClient`] for this one
//! call and is dropped with it.

pub mod client;
pub mod github;
pub mod gmail;
pub mod google_calendar;
pub mod google_drive;
pub mod granola;
pub mod linear;
pub mod slack;

use std::collections::BTreeMap;

use pmt_wire::{Source, Task};

pub use client::SourceClient;

/// Why one source failed. The `Display` text is shown to the user as the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// The authorization server would not issue a token for this source (e.g. the
    /// user revoked the grant).
    #[error("access was refused: {0}")]
    Exchange(String),
    /// The provider rejected the token (401/403).
    #[error("the provider refused the access token (HTTP {0})")]
    Unauthorized(u16),
    /// Still rate limited after the retries the time budget allowed.
    #[error("rate limited by the provider (retry after {retry_after_secs} s)")]
    RateLimited {
        /// The provider's last `Retry-After`, seconds.
        retry_after_secs: u64,
    },
    /// Any other non-success status.
    #[error("the provider answered HTTP {0}")]
    Status(u16),
    /// The provider's answer could not be used.
    #[error("{0}")]
    Malformed(String),
    /// The provider reported an error in a 200 body (Slack `ok:false`, GraphQL `errors`).
    #[error("the provider reported an error: {0}")]
    Provider(String),
    /// The source's time budget ran out.
    #[error("timed out")]
    Timeout,
    /// The provider could not be reached.
    #[error("the provider could not be reached")]
    Unreachable,
    /// A URL outside the allow-list was about to be called.
    #[error("refused to call {0}: not an allowed host")]
    HostNotAllowed(String),
}

/// "Today" in the user's time zone, computed once per refresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Today {
    /// Now, Unix seconds.
    pub now: i64,
    /// Local midnight that started today, Unix seconds.
    pub start: i64,
    /// The next local midnight, Unix seconds.
    pub end: i64,
    /// Today's local date, `YYYY-MM-DD`.
    pub date: String,
    /// `start` as RFC 3339 with the local offset (e.g. `2026-11-23T00:00:00+01:00`).
    pub start_rfc3339: String,
    /// `end` as RFC 3339 with the local offset.
    pub end_rfc3339: String,
    /// The IANA time zone name.
    pub time_zone: String,
    /// The local UTC offset today, seconds (for date-only values).
    pub utc_offset_secs: i32,
}

/// Who "me" is at the providers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Me {
    /// Email address (Google, Granola, Drive assignee matching).
    pub email: Option<String>,
    /// Display name.
    pub name: Option<String>,
}

/// Everything one connector call gets.
#[derive(Debug, Clone)]
pub struct FetchContext {
    /// The HTTP client for this call (base URL, token, deadline, allow-list).
    pub client: SourceClient,
    /// Today.
    pub today: Today,
    /// Me.
    pub me: Me,
    /// Source-specific options from the config (e.g. Slack `user_id`, `marker_emoji`;
    /// GitHub `login`).
    pub options: BTreeMap<String, String>,
}

impl FetchContext {
    /// An option's value, if set and not empty.
    pub fn option(&self, key: &str) -> Option<&str> {
        self.options
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// What a connector returns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fetched {
    /// Normalized tasks (score/priority/why/links not yet set).
    pub tasks: Vec<Task>,
    /// Items skipped because they were unusable (missing fields, unknown values).
    pub skipped: usize,
}

/// Runs the connector for `source`.
///
/// # Errors
/// The connector's [`SourceError`].
pub async fn fetch(source: Source, ctx: &FetchContext) -> Result<Fetched, SourceError> {
    match source {
        Source::GoogleCalendar => google_calendar::fetch(ctx).await,
        Source::Gmail => gmail::fetch(ctx).await,
        Source::GoogleDrive => google_drive::fetch(ctx).await,
        Source::Linear => linear::fetch(ctx).await,
        Source::Github => github::fetch(ctx).await,
        Source::Slack => slack::fetch(ctx).await,
        Source::Granola => granola::fetch(ctx).await,
        Source::AdHoc => Ok(Fetched::default()),
    }
}

/// The time zone name is not in the bundled time zone database.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown time zone {0:?} (use an IANA name such as Europe/Paris)")]
pub struct UnknownTimeZone(pub String);

impl Today {
    /// Today at `now` (Unix seconds) in the IANA zone `time_zone`, with correct
    /// midnights on daylight-saving days.
    ///
    /// # Errors
    /// When the zone is unknown.
    pub fn at(now: i64, time_zone: &str) -> Result<Self, UnknownTimeZone> {
        let tz = jiff::tz::TimeZone::get(time_zone)
            .map_err(|_| UnknownTimeZone(time_zone.to_owned()))?;
        let ts =
            jiff::Timestamp::from_second(now).map_err(|_| UnknownTimeZone(time_zone.to_owned()))?;
        let zoned = ts.to_zoned(tz.clone());
        let date = zoned.date();
        let start = date
            .to_zoned(tz.clone())
            .map_err(|_| UnknownTimeZone(time_zone.to_owned()))?;
        let end = date
            .tomorrow()
            .and_then(|d| d.to_zoned(tz))
            .map_err(|_| UnknownTimeZone(time_zone.to_owned()))?;
        let rfc = |z: &jiff::Zoned| z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
        Ok(Today {
            now,
            start: start.timestamp().as_second(),
            end: end.timestamp().as_second(),
            date: date.to_string(),
            start_rfc3339: rfc(&start),
            end_rfc3339: rfc(&end),
            time_zone: time_zone.to_owned(),
            utc_offset_secs: zoned.offset().seconds(),
        })
    }

    /// The user's zone: the named one when known, else today's fixed offset.
    pub fn zone(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.time_zone).unwrap_or_else(|_| {
            jiff::tz::Offset::from_seconds(self.utc_offset_secs)
                .unwrap_or(jiff::tz::Offset::UTC)
                .to_time_zone()
        })
    }

    /// The last second of `date` in the user's zone (date-only due dates end then).
    pub fn end_of_local_day(&self, date: jiff::civil::Date) -> Option<i64> {
        let next_midnight = date.tomorrow().ok()?.to_zoned(self.zone()).ok()?;
        Some(next_midnight.timestamp().as_second() - 1)
    }

    /// Today at `now` in UTC.
    pub fn utc(now: i64) -> Self {
        let day = now.div_euclid(86_400) * 86_400;
        let date = jiff::Timestamp::from_second(day)
            .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date().to_string())
            .unwrap_or_default();
        Today {
            now,
            start: day,
            end: day + 86_400,
            start_rfc3339: format!("{date}T00:00:00+00:00"),
            end_rfc3339: jiff::Timestamp::from_second(day + 86_400)
                .map(|t| t.strftime("%Y-%m-%dT00:00:00+00:00").to_string())
                .unwrap_or_default(),
            date,
            time_zone: "UTC".to_owned(),
            utc_offset_secs: 0,
        }
    }
}

/// An RFC 3339 timestamp as Unix seconds.
pub fn parse_timestamp(value: &str) -> Option<i64> {
    value
        .parse::<jiff::Timestamp>()
        .ok()
        .map(jiff::Timestamp::as_second)
}

#[cfg(test)]
mod today_tests {
    use super::*;

    #[test]
    fn today_spans_local_midnight_to_midnight() {
        // 2026-11-23 10:00 UTC = 11:00 in Paris (UTC+1).
        let t = Today::at(1_795_428_000, "Europe/Paris").unwrap();
        assert_eq!(t.date, "2026-11-23");
        assert_eq!(t.start_rfc3339, "2026-11-23T00:00:00+01:00");
        assert_eq!(t.end_rfc3339, "2026-11-24T00:00:00+01:00");
        assert_eq!(t.end - t.start, 86_400);
        assert_eq!(t.utc_offset_secs, 3600);
    }

    #[test]
    fn late_evening_utc_is_already_tomorrow_in_tokyo() {
        // 2026-11-23 20:00 UTC = 2026-11-24 05:00 in Tokyo.
        let t = Today::at(1_795_464_000, "Asia/Tokyo").unwrap();
        assert_eq!(t.date, "2026-11-24");
    }

    #[test]
    fn a_dst_day_has_23_hours() {
        // 2026-03-29 is the spring-forward day in Paris.
        let t = Today::at(1_774_778_400, "Europe/Paris").unwrap();
        assert_eq!(t.date, "2026-03-29");
        assert_eq!(t.end - t.start, 23 * 3600);
    }

    #[test]
    fn unknown_zone_is_a_clear_error() {
        let e = Today::at(0, "Mars/Olympus").unwrap_err();
        assert!(e.to_string().contains("Mars/Olympus"));
    }

    #[test]
    fn utc_today() {
        let t = Today::utc(1_795_428_000);
        assert_eq!(t.date, "2026-11-23");
        assert_eq!(t.start_rfc3339, "2026-11-23T00:00:00+00:00");
        assert_eq!(t.end_rfc3339, "2026-11-24T00:00:00+00:00");
    }
}
