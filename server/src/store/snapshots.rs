//! Each user's latest snapshot, stored as the refresh produced it, without decisions.

use pmt_wire::{Snapshot, Source};
use rusqlite::{params, OptionalExtension};

use super::{Store, StoreError};
use crate::plan::snapshot::without_decisions;

impl Store {
    /// Replaces the user's snapshot.
    ///
    /// What is stored is the fetched part only: decisions are stripped (they live in
    /// their own tables and are applied on every read, so a dismiss made after the
    /// refresh still shows) and ad-hoc tasks are left out (they have their own table).
    ///
    /// # Errors
    /// When encoding or SQLite fails.
    pub async fn save_snapshot(&self, sub: &str, snapshot: &Snapshot) -> Result<(), StoreError> {
        let mut stored = without_decisions(snapshot.clone());
        stored.tasks.retain(|t| t.source != Source::AdHoc);
        let body = serde_json::to_string(&stored)?;
        let sub = sub.to_owned();
        let generated_at = stored.generated_at;
        self.with(move |c| {
            let tx = c.transaction()?;
            tx.execute(
                "INSERT INTO snapshots (sub, generated_at, body) VALUES (?1, ?2, ?3)
                 ON CONFLICT (sub) DO UPDATE SET generated_at = excluded.generated_at,
                                                 body = excluded.body",
                params![sub, generated_at, body],
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// The user's latest stored snapshot (without decisions), if there is one.
    ///
    /// # Errors
    /// When SQLite fails or the stored JSON cannot be read.
    pub async fn load_snapshot(&self, sub: &str) -> Result<Option<Snapshot>, StoreError> {
        let sub = sub.to_owned();
        let body: Option<String> = self
            .with(move |c| {
                Ok(c.query_row(
                    "SELECT body FROM snapshots WHERE sub = ?1",
                    params![sub],
                    |r| r.get(0),
                )
                .optional()?)
            })
            .await?;
        body.map(|b| serde_json::from_str(&b))
            .transpose()
            .map_err(StoreError::from)
    }
}
