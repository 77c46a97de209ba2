//! The SQLite store on a real file: durability across reopen, WAL, private file mode,
//! schema versions, concurrent writers, per-user isolation, ad-hoc tasks.

use std::path::PathBuf;

use pmt_server::plan::snapshot::adhoc_task;
use pmt_server::store::{schema, Store, StoreError, FILE_NAME};
use pmt_wire::{
    AdHocPatch, NewAdHocTask, Priority, Snapshot, Source, SourceState, SourceStatus, TaskId,
};

const DANA: &str = "demo|dana";
const ALAN: &str = "demo|alan";

fn db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(FILE_NAME);
    (dir, path)
}

fn id(s: &str) -> TaskId {
    TaskId(s.to_owned())
}

fn new_task(title: &str) -> NewAdHocTask {
    NewAdHocTask {
        title: title.to_owned(),
        due: None,
        priority: None,
        notes: None,
    }
}

#[tokio::test]
async fn decisions_survive_reopen() {
    let (_dir, path) = db();
    {
        let store = Store::open(&path).unwrap();
        store
            .set_dismissed(DANA, &id("slack:C1-1"), true)
            .await
            .unwrap();
        store
            .set_override(DANA, &id("linear:ENG-99"), Some(Priority::High))
            .await
            .unwrap();
        store
            .create_adhoc(DANA, new_task("Call the bank"))
            .await
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let d = store.decisions(DANA).await.unwrap();
    assert!(d.dismissed.contains(&id("slack:C1-1")));
    assert_eq!(d.overrides.get(&id("linear:ENG-99")), Some(&Priority::High));
    let tasks = store.list_adhoc(DANA).await.unwrap();
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].title, "Call the bank");
}

#[tokio::test]
async fn wal_mode_is_on_and_the_file_is_private() {
    let (_dir, path) = db();
    let store = Store::open(&path).unwrap();
    assert_eq!(store.journal_mode().await.unwrap(), "wal");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        store
            .set_dismissed(DANA, &id("slack:x"), true)
            .await
            .unwrap();
        for entry in std::fs::read_dir(path.parent().unwrap()).unwrap() {
            let entry = entry.unwrap();
            let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{:?} is readable by others", entry.file_name());
        }
    }
}

#[cfg(unix)]
#[tokio::test]
async fn an_existing_world_readable_file_is_tightened() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, path) = db();
    std::fs::write(&path, b"").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    Store::open(&path).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[tokio::test]
async fn a_newer_schema_version_is_refused_and_left_untouched() {
    let (_dir, path) = db();
    drop(Store::open(&path).unwrap());
    let future = schema::supported_version() + 1;
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(&format!("PRAGMA user_version = {future}"))
            .unwrap();
    }
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(err, StoreError::NewerSchema { found, supported }
            if found == future && supported == schema::supported_version()),
        "{err:?}"
    );
    assert!(err.to_string().contains("newer than this program supports"));
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, future);
}

#[tokio::test]
async fn migrations_run_once_and_reopening_is_a_no_op() {
    let (_dir, path) = db();
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.schema_version().await.unwrap(),
        schema::supported_version()
    );
    store
        .set_dismissed(DANA, &id("slack:a"), true)
        .await
        .unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.schema_version().await.unwrap(),
        schema::supported_version()
    );
    assert_eq!(store.decisions(DANA).await.unwrap().dismissed.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_lose_no_decision() {
    let (_dir, path) = db();
    // Two handles = two connections on the same file, as two processes would have.
    let stores = [Store::open(&path).unwrap(), Store::open(&path).unwrap()];
    let mut writers = tokio::task::JoinSet::new();
    for n in 0..50 {
        let store = stores[n % 2].clone();
        writers.spawn(async move {
            let level = Priority::ALL[n % 4];
            store
                .set_override(DANA, &id(&format!("linear:ENG-{n}")), Some(level))
                .await
        });
    }
    while let Some(result) = writers.join_next().await {
        result.unwrap().unwrap();
    }
    let overrides = Store::open(&path)
        .unwrap()
        .decisions(DANA)
        .await
        .unwrap()
        .overrides;
    assert_eq!(overrides.len(), 50);
    for n in 0..50 {
        assert_eq!(
            overrides[&id(&format!("linear:ENG-{n}"))],
            Priority::ALL[n % 4]
        );
    }
}

#[tokio::test]
async fn one_users_decisions_and_tasks_are_invisible_to_another() {
    let (_dir, path) = db();
    let store = Store::open(&path).unwrap();
    store
        .set_dismissed(DANA, &id("slack:a"), true)
        .await
        .unwrap();
    store
        .set_override(DANA, &id("linear:ENG-1"), Some(Priority::Low))
        .await
        .unwrap();
    let mine = store.create_adhoc(DANA, new_task("Mine")).await.unwrap();
    store.save_snapshot(DANA, &snapshot()).await.unwrap();

    assert_eq!(store.decisions(ALAN).await.unwrap(), Default::default());
    assert!(store.list_adhoc(ALAN).await.unwrap().is_empty());
    assert!(store.load_snapshot(ALAN).await.unwrap().is_none());
    let err = store
        .update_adhoc(ALAN, &mine.id, AdHocPatch::default())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert!(matches!(
        store.delete_adhoc(ALAN, &mine.id).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        store.list_adhoc(DANA).await.unwrap().len(),
        1,
        "still there"
    );
}

#[tokio::test]
async fn restore_and_clearing_an_override_remove_the_decision() {
    let store = Store::open_in_memory().unwrap();
    store
        .set_dismissed(DANA, &id("slack:a"), true)
        .await
        .unwrap();
    store
        .set_dismissed(DANA, &id("slack:a"), true)
        .await
        .unwrap();
    store
        .set_override(DANA, &id("slack:a"), Some(Priority::Critical))
        .await
        .unwrap();
    store
        .set_override(DANA, &id("slack:a"), Some(Priority::Low))
        .await
        .unwrap();
    let d = store.decisions(DANA).await.unwrap();
    assert_eq!(d.dismissed.len(), 1);
    assert_eq!(
        d.overrides[&id("slack:a")],
        Priority::Low,
        "last write wins"
    );
    store
        .set_dismissed(DANA, &id("slack:a"), false)
        .await
        .unwrap();
    store
        .set_override(DANA, &id("slack:a"), None)
        .await
        .unwrap();
    assert_eq!(store.decisions(DANA).await.unwrap(), Default::default());
}

fn snapshot() -> Snapshot {
    let mine = pmt_wire::AdHocTask {
        id: "old".to_owned(),
        title: "Old ad-hoc".to_owned(),
        due: None,
        priority: None,
        notes: None,
        created_at: 1,
        updated_at: 1,
    };
    let mut dismissed = adhoc_task(&mine);
    dismissed.id = TaskId::new(Source::Slack, "C1-1");
    dismissed.source = Source::Slack;
    dismissed.kind = pmt_wire::TaskKind::Mention;
    dismissed.dismissed = true;
    dismissed.computed_priority = Priority::Medium;
    dismissed.priority = Priority::Critical;
    dismissed.priority_override = Some(Priority::Critical);
    Snapshot {
        generated_at: 1_795_422_600,
        tasks: vec![dismissed, adhoc_task(&mine)],
        sources: vec![SourceStatus {
            source: Source::Slack,
            state: SourceState::Ok {
                count: 1,
                skipped: 0,
            },
            duration_ms: 12,
            fetched_at: 1_795_422_600,
        }],
    }
}

#[tokio::test]
async fn a_snapshot_is_stored_without_decisions_or_adhoc_tasks() {
    let store = Store::open_in_memory().unwrap();
    assert!(store.load_snapshot(DANA).await.unwrap().is_none());
    store.save_snapshot(DANA, &snapshot()).await.unwrap();
    let stored = store.load_snapshot(DANA).await.unwrap().unwrap();
    assert_eq!(stored.generated_at, 1_795_422_600);
    assert_eq!(stored.sources, snapshot().sources);
    assert_eq!(
        stored.tasks.len(),
        1,
        "ad-hoc tasks live in their own table"
    );
    let t = &stored.tasks[0];
    assert!(!t.dismissed);
    assert_eq!(t.priority_override, None);
    assert_eq!(t.priority, Priority::Medium);

    let mut next = snapshot();
    next.generated_at += 60;
    store.save_snapshot(DANA, &next).await.unwrap();
    let stored = store.load_snapshot(DANA).await.unwrap().unwrap();
    assert_eq!(stored.generated_at, 1_795_422_660, "replaced, not appended");
}

#[tokio::test]
async fn adhoc_tasks_are_created_edited_and_deleted() {
    let store = Store::open_in_memory().unwrap();
    let created = store
        .create_adhoc(
            DANA,
            NewAdHocTask {
                title: "  Book flights  ".to_owned(),
                due: Some(100),
                priority: Some(Priority::High),
                notes: Some("window seat".to_owned()),
            },
        )
        .await
        .unwrap();
    assert_eq!(created.title, "Book flights");
    assert_eq!(created.due, Some(100));

    let patch: AdHocPatch =
        serde_json::from_str(r#"{"title":"Book trains","due":null,"notes":null}"#).unwrap();
    let updated = store.update_adhoc(DANA, &created.id, patch).await.unwrap();
    assert_eq!(updated.title, "Book trains");
    assert_eq!(updated.due, None);
    assert_eq!(updated.notes, None);
    assert_eq!(
        updated.priority,
        Some(Priority::High),
        "absent field unchanged"
    );
    assert_eq!(store.list_adhoc(DANA).await.unwrap(), vec![updated.clone()]);

    let task_id = TaskId::new(Source::AdHoc, &created.id);
    store.set_dismissed(DANA, &task_id, true).await.unwrap();
    store.delete_adhoc(DANA, &created.id).await.unwrap();
    assert!(store.list_adhoc(DANA).await.unwrap().is_empty());
    assert!(
        store.decisions(DANA).await.unwrap().dismissed.is_empty(),
        "its decisions go with it"
    );
    assert!(matches!(
        store.delete_adhoc(DANA, &created.id).await,
        Err(StoreError::NotFound(_))
    ));
}

#[tokio::test]
async fn invalid_adhoc_fields_write_nothing() {
    let store = Store::open_in_memory().unwrap();
    for title in ["", "   ", &"x".repeat(201)] {
        let err = store.create_adhoc(DANA, new_task(title)).await.unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    }
    let mut long_notes = new_task("ok");
    long_notes.notes = Some("n".repeat(2001));
    assert!(matches!(
        store.create_adhoc(DANA, long_notes).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(store.list_adhoc(DANA).await.unwrap().is_empty());

    let created = store.create_adhoc(DANA, new_task("Keep me")).await.unwrap();
    let bad = AdHocPatch {
        title: Some(String::new()),
        due: Some(Some(5)),
        ..AdHocPatch::default()
    };
    assert!(matches!(
        store.update_adhoc(DANA, &created.id, bad).await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(store.list_adhoc(DANA).await.unwrap(), vec![created]);
}
