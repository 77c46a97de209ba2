//! The activity trail: one row per token exchange or tool call. The event is stored
//! as the JSON of [`ActivityEvent`], which has no field for a token.

use pmt_wire::activity::{ActivityEntry, ActivityEvent, Actor, GroupKind, Outcome};
use rusqlite::params;

use super::{Store, StoreError};

/// A row to append (the id is assigned by SQLite).
#[derive(Debug, Clone)]
pub struct NewActivity {
    /// The user (`sub`) whose trail it joins.
    pub sub: String,
    /// The entry; its `id` is ignored.
    pub entry: ActivityEntry,
}

impl Store {
    /// Appends one entry to the user's trail.
    ///
    /// # Errors
    /// When SQLite fails or the event cannot be encoded.
    pub async fn append_activity(&self, row: NewActivity) -> Result<i64, StoreError> {
        let event = serde_json::to_string(&row.entry.event)
            .map_err(|e| StoreError::Task(format!("activity event: {e}")))?;
        self.with(move |c| {
            let e = &row.entry;
            c.execute(
                "INSERT INTO activity
                   (sub, at_ms, client, user_label, actor, group_kind, group_id, outcome, event)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    row.sub,
                    e.at_ms,
                    e.client,
                    e.user,
                    actor_sql(e.actor),
                    group_sql(e.group_kind),
                    e.group_id,
                    outcome_sql(e.outcome),
                    event,
                ],
            )?;
            Ok(c.last_insert_rowid())
        })
        .await
    }

    /// The user's newest entries, newest first, at most `limit`, optionally only
    /// those older than `before` (an id, for paging).
    ///
    /// # Errors
    /// When SQLite fails or a stored row cannot be read.
    pub async fn list_activity(
        &self,
        sub: &str,
        limit: u32,
        before: Option<i64>,
    ) -> Result<Vec<ActivityEntry>, StoreError> {
        let sub = sub.to_owned();
        self.with(move |c| {
            let mut stmt = c.prepare(
                "SELECT id, at_ms, client, user_label, actor, group_kind, group_id, outcome, event
                 FROM activity WHERE sub = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![sub, before.unwrap_or(i64::MAX), limit], |r| {
                let event: String = r.get(8)?;
                Ok(ActivityEntry {
                    id: r.get(0)?,
                    at_ms: r.get(1)?,
                    client: r.get(2)?,
                    user: r.get(3)?,
                    actor: parse_sql(&r.get::<_, String>(4)?, 4)?,
                    group_kind: parse_sql(&r.get::<_, String>(5)?, 5)?,
                    group_id: r.get(6)?,
                    outcome: parse_sql(&r.get::<_, String>(7)?, 7)?,
                    event: serde_json::from_str::<ActivityEvent>(&event).map_err(|e| {
                        rusqlite::Error::FromSqlConversionFailure(
                            8,
                            rusqlite::types::Type::Text,
                            Box::new(e),
                        )
                    })?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }
}

/// The stored names are the wire's snake_case names.
fn wire_name<T: serde::Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn actor_sql(a: Actor) -> String {
    wire_name(a)
}

fn group_sql(g: GroupKind) -> String {
    wire_name(g)
}

fn outcome_sql(o: Outcome) -> String {
    wire_name(o)
}

fn parse_sql<T: serde::de::DeserializeOwned>(value: &str, column: usize) -> rusqlite::Result<T> {
    serde_json::from_value(serde_json::Value::String(value.to_owned())).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e))
    })
}
