//! The user's own ad-hoc tasks.

use pmt_wire::decisions::{check_notes, check_title};
use pmt_wire::{AdHocPatch, AdHocTask, NewAdHocTask, Source, TaskId};
use rusqlite::{params, OptionalExtension, Row, Transaction};

use super::{now, priority_from_sql, priority_to_sql, Store, StoreError};

const COLUMNS: &str = "id, title, due, priority, notes, created_at, updated_at";

impl Store {
    /// Creates an ad-hoc task with a fresh id.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a blank or too long title or too long notes
    /// (nothing written), or SQLite's error.
    pub async fn create_adhoc(
        &self,
        sub: &str,
        new: NewAdHocTask,
    ) -> Result<AdHocTask, StoreError> {
        let created = now();
        let task = AdHocTask {
            id: uuid::Uuid::new_v4().simple().to_string(),
            title: valid_title(&new.title)?,
            due: new.due,
            priority: new.priority,
            notes: valid_notes(new.notes)?,
            created_at: created,
            updated_at: created,
        };
        let sub = sub.to_owned();
        self.with(move |c| {
            let tx = c.transaction()?;
            tx.execute(
                "INSERT INTO adhoc_tasks (sub, id, title, due, priority, notes, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    sub,
                    task.id,
                    task.title,
                    task.due,
                    task.priority.map(priority_to_sql),
                    task.notes,
                    task.created_at,
                    task.updated_at
                ],
            )?;
            tx.commit()?;
            Ok(task)
        })
        .await
    }

    /// Changes the fields present in `patch`.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the user has no such task, [`StoreError::Invalid`]
    /// for a bad title or notes (nothing written), or SQLite's error.
    pub async fn update_adhoc(
        &self,
        sub: &str,
        id: &str,
        patch: AdHocPatch,
    ) -> Result<AdHocTask, StoreError> {
        let title = patch.title.as_deref().map(valid_title).transpose()?;
        let notes = patch.notes.map(valid_notes).transpose()?;
        let (sub, id) = (sub.to_owned(), id.to_owned());
        self.with(move |c| {
            let tx = c.transaction()?;
            let mut task = find(&tx, &sub, &id)?
                .ok_or_else(|| StoreError::NotFound(format!("ad-hoc task {id}")))?;
            if let Some(title) = title {
                task.title = title;
            }
            if let Some(due) = patch.due {
                task.due = due;
            }
            if let Some(priority) = patch.priority {
                task.priority = priority;
            }
            if let Some(notes) = notes {
                task.notes = notes;
            }
            task.updated_at = now().max(task.updated_at);
            tx.execute(
                "UPDATE adhoc_tasks SET title = ?3, due = ?4, priority = ?5, notes = ?6,
                                        updated_at = ?7
                 WHERE sub = ?1 AND id = ?2",
                params![
                    sub,
                    id,
                    task.title,
                    task.due,
                    task.priority.map(priority_to_sql),
                    task.notes,
                    task.updated_at
                ],
            )?;
            tx.commit()?;
            Ok(task)
        })
        .await
    }

    /// Deletes an ad-hoc task and the decisions about it.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the user has no such task, or SQLite's error.
    pub async fn delete_adhoc(&self, sub: &str, id: &str) -> Result<(), StoreError> {
        let (sub, id) = (sub.to_owned(), id.to_owned());
        self.with(move |c| {
            let tx = c.transaction()?;
            let deleted = tx.execute(
                "DELETE FROM adhoc_tasks WHERE sub = ?1 AND id = ?2",
                params![sub, id],
            )?;
            if deleted == 0 {
                return Err(StoreError::NotFound(format!("ad-hoc task {id}")));
            }
            let task_id = TaskId::new(Source::AdHoc, &id).0;
            tx.execute(
                "DELETE FROM dismissed WHERE sub = ?1 AND task_id = ?2",
                params![sub, task_id],
            )?;
            tx.execute(
                "DELETE FROM priority_overrides WHERE sub = ?1 AND task_id = ?2",
                params![sub, task_id],
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// The user's ad-hoc tasks, oldest first.
    ///
    /// # Errors
    /// When SQLite fails.
    pub async fn list_adhoc(&self, sub: &str) -> Result<Vec<AdHocTask>, StoreError> {
        let sub = sub.to_owned();
        self.with(move |c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {COLUMNS} FROM adhoc_tasks WHERE sub = ?1 ORDER BY created_at, id"
            ))?;
            let tasks = stmt
                .query_map(params![sub], read)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(tasks)
        })
        .await
    }
}

fn find(tx: &Transaction<'_>, sub: &str, id: &str) -> rusqlite::Result<Option<AdHocTask>> {
    tx.query_row(
        &format!("SELECT {COLUMNS} FROM adhoc_tasks WHERE sub = ?1 AND id = ?2"),
        params![sub, id],
        read,
    )
    .optional()
}

fn read(row: &Row<'_>) -> rusqlite::Result<AdHocTask> {
    let priority: Option<String> = row.get(3)?;
    Ok(AdHocTask {
        id: row.get(0)?,
        title: row.get(1)?,
        due: row.get(2)?,
        priority: priority.as_deref().map(priority_from_sql).transpose()?,
        notes: row.get(4)?,
        created_at: row.get(5)?,
        updated_at: row.get(6)?,
    })
}

/// The title to store: checked, surrounding whitespace trimmed.
fn valid_title(title: &str) -> Result<String, StoreError> {
    check_title(title).map_err(StoreError::Invalid)?;
    Ok(title.trim().to_owned())
}

/// The notes to store: checked; blank notes are no notes.
fn valid_notes(notes: Option<String>) -> Result<Option<String>, StoreError> {
    match notes {
        Some(n) => {
            check_notes(&n).map_err(StoreError::Invalid)?;
            Ok(Some(n).filter(|n| !n.trim().is_empty()))
        }
        None => Ok(None),
    }
}
