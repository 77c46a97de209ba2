//! The SQLite store: each user's latest snapshot, local decisions and ad-hoc tasks.
//!
//! One file in the data directory, opened once at start-up and shared by every handler
//! through a cloneable [`Store`] handle. Everything is keyed by the user's `sub`, so one
//! user never sees another's rows. No method takes a token: the store has nowhere to
//! put one.
//!
//! Durability: the database runs in WAL mode with `synchronous=FULL`. In WAL mode
//! `NORMAL` only syncs at checkpoints, so a commit acknowledged to the user could be
//! lost on power failure; `FULL` syncs the WAL on every commit. Writes here are few
//! and small (a click, a refresh), so the price is negligible and "an acknowledged
//! decision survives a crash" holds. Every write runs in one transaction.
//!
//! - [`schema`]: the migration list and `PRAGMA user_version` bookkeeping.
//! - `snapshots`, `decisions`, `adhoc`, `activity`, `switches`: the methods on
//!   [`Store`] for each table.

mod activity;
mod adhoc;
mod decisions;
pub mod schema;
mod snapshots;
mod switches;

pub use activity::NewActivity;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use pmt_wire::Priority;
use rusqlite::Connection;

/// The store's file name inside the data directory.
pub const FILE_NAME: &str = "plan-my-today.sqlite";

/// How long a write waits for another connection's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file or its directory could not be created or secured.
    #[error("cannot prepare the database file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// SQLite refused an operation.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The file system refused write-ahead logging (e.g. some network file systems);
    /// without it readers would block writers.
    #[error("the database refused WAL mode (journal mode is {0:?}); use a local data directory")]
    NoWal(String),
    /// The file was written by a newer version of Plan My Today; opening it with this
    /// one could corrupt it.
    #[error(
        "the database has schema version {found}, newer than this program supports \
         ({supported}); upgrade Plan My Today or use another data directory"
    )]
    NewerSchema {
        /// The file's `user_version`.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// The item does not exist for this user.
    #[error("{0} not found")]
    NotFound(String),
    /// A stored JSON value could not be decoded (or a value could not be encoded).
    #[error("stored data is unreadable: {0}")]
    Corrupt(#[from] serde_json::Error),
    /// An ad-hoc task's fields were refused; nothing was written.
    #[error("{}", .0.message())]
    Invalid(pmt_wire::decisions::AdHocInvalid),
    /// The blocking task running the query panicked or was cancelled.
    #[error("the store task failed: {0}")]
    Task(String),
}

/// A handle on the store; cheap to clone, safe to share between tasks.
///
/// One connection behind a mutex: SQLite serializes writers anyway, and the queries
/// are tiny. Async callers never block the runtime: each call runs on the blocking
/// pool.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path`, readable by the owner only,
    /// and brings its schema up to date.
    ///
    /// # Errors
    /// When the file cannot be created or secured, SQLite fails, or the file comes
    /// from a newer version ([`StoreError::NewerSchema`]).
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        secure_file(path)?;
        let conn = Connection::open(path)?;
        Self::prepare(conn, true)
    }

    /// A private in-memory database (tests and tools that need a store but no file).
    ///
    /// # Errors
    /// When SQLite fails.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Self::prepare(Connection::open_in_memory()?, false)
    }

    fn prepare(mut conn: Connection, wal: bool) -> Result<Store, StoreError> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        if wal {
            // journal_mode answers with the mode in force; WAL persists in the file.
            let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::NoWal(mode));
            }
        }
        conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")?;
        schema::migrate(&mut conn)?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` with the connection on the blocking pool.
    async fn with<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = lock(&conn);
            f(&mut guard)
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
    }

    /// The journal mode in force (`wal` for a file store).
    ///
    /// # Errors
    /// When SQLite fails.
    pub async fn journal_mode(&self) -> Result<String, StoreError> {
        self.with(|c| Ok(c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?))
            .await
    }

    /// The schema version of the open database.
    ///
    /// # Errors
    /// When SQLite fails.
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        self.with(|c| Ok(schema::user_version(c)?)).await
    }
}

/// Locks the connection; a panic in an earlier holder rolled its transaction back
/// (the `Transaction` was dropped), so the connection is still sound to use.
fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    conn.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Creates the file with mode 0600 (or tightens an existing one) before SQLite opens
/// it; SQLite gives its `-wal` and `-shm` files the same mode.
fn secure_file(path: &Path) -> Result<(), StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(io)?;
    }
    drop(file);
    Ok(())
}

/// The stored form of a level (the wire's snake_case name).
fn priority_to_sql(p: Priority) -> &'static str {
    match p {
        Priority::Critical => "critical",
        Priority::High => "high",
        Priority::Medium => "medium",
        Priority::Low => "low",
    }
}

/// Reads a stored level; the table's CHECK constraint keeps other values out.
fn priority_from_sql(value: &str) -> rusqlite::Result<Priority> {
    Priority::ALL
        .into_iter()
        .find(|p| priority_to_sql(*p) == value)
        .ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                0,
                rusqlite::types::Type::Text,
                format!("unknown priority {value:?}").into(),
            )
        })
}

/// Now, Unix seconds.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
