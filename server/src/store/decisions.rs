//! Local decisions: dismissed tasks and priority overrides, keyed by task id.

use pmt_wire::{Priority, TaskId};
use rusqlite::params;

use super::{now, priority_from_sql, priority_to_sql, Store, StoreError};
use crate::plan::Decisions;

impl Store {
    /// The user's decisions.
    ///
    /// # Errors
    /// When SQLite fails.
    pub async fn decisions(&self, sub: &str) -> Result<Decisions, StoreError> {
        let sub = sub.to_owned();
        self.with(move |c| {
            let tx = c.transaction()?;
            let mut decisions = Decisions::default();
            {
                let mut stmt = tx.prepare("SELECT task_id FROM dismissed WHERE sub = ?1")?;
                for id in stmt.query_map(params![sub], |r| r.get::<_, String>(0))? {
                    decisions.dismissed.insert(TaskId(id?));
                }
                let mut stmt =
                    tx.prepare("SELECT task_id, priority FROM priority_overrides WHERE sub = ?1")?;
                let rows = stmt.query_map(params![sub], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })?;
                for row in rows {
                    let (id, priority) = row?;
                    decisions
                        .overrides
                        .insert(TaskId(id), priority_from_sql(&priority)?);
                }
            }
            tx.commit()?;
            Ok(decisions)
        })
        .await
    }

    /// Dismisses (`true`) or restores (`false`) a task; idempotent.
    ///
    /// # Errors
    /// When SQLite fails.
    pub async fn set_dismissed(
        &self,
        sub: &str,
        task: &TaskId,
        dismissed: bool,
    ) -> Result<(), StoreError> {
        let (sub, task) = (sub.to_owned(), task.0.clone());
        self.with(move |c| {
            let tx = c.transaction()?;
            if dismissed {
                tx.execute(
                    "INSERT INTO dismissed (sub, task_id, at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (sub, task_id) DO NOTHING",
                    params![sub, task, now()],
                )?;
            } else {
                tx.execute(
                    "DELETE FROM dismissed WHERE sub = ?1 AND task_id = ?2",
                    params![sub, task],
                )?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// Sets the level shown for a task, or with `None` goes back to the computed one.
    ///
    /// # Errors
    /// When SQLite fails.
    pub async fn set_override(
        &self,
        sub: &str,
        task: &TaskId,
        priority: Option<Priority>,
    ) -> Result<(), StoreError> {
        let (sub, task) = (sub.to_owned(), task.0.clone());
        self.with(move |c| {
            let tx = c.transaction()?;
            match priority {
                Some(p) => tx.execute(
                    "INSERT INTO priority_overrides (sub, task_id, priority, at)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (sub, task_id) DO UPDATE SET priority = excluded.priority,
                                                              at = excluded.at",
                    params![sub, task, priority_to_sql(p), now()],
                )?,
                None => tx.execute(
                    "DELETE FROM priority_overrides WHERE sub = ?1 AND task_id = ?2",
                    params![sub, task],
                )?,
            };
            tx.commit()?;
            Ok(())
        })
        .await
    }
}
