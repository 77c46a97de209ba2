//! The per-source switch: sources the user turned off are not exchanged for or fetched.

use pmt_wire::Source;
use rusqlite::params;

use super::{now, Store, StoreError};

impl Store {
    /// The sources this user turned off.
    ///
    /// # Errors
    /// When SQLite fails.
    pub async fn disabled_sources(&self, sub: &str) -> Result<Vec<Source>, StoreError> {
        let sub = sub.to_owned();
        self.with(move |c| {
            let mut stmt =
                c.prepare("SELECT source FROM source_switches WHERE sub = ?1 AND enabled = 0")?;
            let names = stmt
                .query_map(params![sub], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(names.iter().filter_map(|n| Source::parse(n)).collect())
        })
        .await
    }

    /// Turns a source on or off for this user; idempotent.
    ///
    /// # Errors
    /// When SQLite fails.
    pub async fn set_source_enabled(
        &self,
        sub: &str,
        source: Source,
        enabled: bool,
    ) -> Result<(), StoreError> {
        let sub = sub.to_owned();
        self.with(move |c| {
            c.execute(
                "INSERT INTO source_switches (sub, source, enabled, at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (sub, source) DO UPDATE SET enabled = excluded.enabled, at = excluded.at",
                params![sub, source.as_str(), i64::from(enabled), now()],
            )?;
            Ok(())
        })
        .await
    }
}
