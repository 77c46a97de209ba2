//! Schema migrations, tracked by `PRAGMA user_version`.
//!
//! [`MIGRATIONS`] is append-only: migration `n` (1-based) brings a database from
//! version `n - 1` to `n`. To change the schema, append a step; never edit a released
//! one. Pending steps run in one immediate transaction
//! together with the version bump, so a crash mid-migration leaves the old version,
//! and two processes opening the same file cannot both migrate it.

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// Every migration, oldest first.
pub const MIGRATIONS: &[&str] = &[
    // 1: snapshots, decisions, ad-hoc tasks.
    "CREATE TABLE snapshots (
        sub TEXT PRIMARY KEY NOT NULL,
        generated_at INTEGER NOT NULL,
        body TEXT NOT NULL
    ) STRICT;
    CREATE TABLE dismissed (
        sub TEXT NOT NULL,
        task_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (sub, task_id)
    ) STRICT;
    CREATE TABLE priority_overrides (
        sub TEXT NOT NULL,
        task_id TEXT NOT NULL,
        priority TEXT NOT NULL CHECK (priority IN ('critical', 'high', 'medium', 'low')),
        at INTEGER NOT NULL,
        PRIMARY KEY (sub, task_id)
    ) STRICT;
    CREATE TABLE adhoc_tasks (
        sub TEXT NOT NULL,
        id TEXT NOT NULL,
        title TEXT NOT NULL,
        due INTEGER,
        priority TEXT CHECK (priority IN ('critical', 'high', 'medium', 'low')),
        notes TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (sub, id)
    ) STRICT;",
    // 2: the activity trail (never a token value) and the per-source switch.
    "CREATE TABLE activity (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        sub TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        client TEXT NOT NULL,
        user_label TEXT NOT NULL,
        actor TEXT NOT NULL CHECK (actor IN ('ui', 'agent', 'mcp')),
        group_kind TEXT NOT NULL CHECK (group_kind IN ('refresh', 'chat_turn', 'mcp', 'action')),
        group_id TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'refused', 'failed')),
        event TEXT NOT NULL
    ) STRICT;
    CREATE INDEX activity_by_user ON activity (sub, id DESC);
    CREATE TABLE source_switches (
        sub TEXT NOT NULL,
        source TEXT NOT NULL,
        enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
        at INTEGER NOT NULL,
        PRIMARY KEY (sub, source)
    ) STRICT;",
];

/// The schema version this build writes.
pub fn supported_version() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

/// The database's `user_version`.
///
/// # Errors
/// When SQLite fails.
pub fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Applies every pending migration; a no-op on an up-to-date database.
///
/// # Errors
/// [`StoreError::NewerSchema`] for a file from a newer version (left untouched), or
/// SQLite's error (nothing applied).
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let supported = supported_version();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found = user_version(&tx)?;
    if found > supported {
        return Err(StoreError::NewerSchema { found, supported });
    }
    for (index, step) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(found).unwrap_or(0))
    {
        tx.execute_batch(step)?;
        // PRAGMA takes no bound parameters; the value is our own integer.
        tx.execute_batch(&format!("PRAGMA user_version = {}", index + 1))?;
    }
    tx.commit()?;
    Ok(())
}
