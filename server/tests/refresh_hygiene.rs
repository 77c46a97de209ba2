//! Token hygiene: the tokens the providers received (exchanged for one source each)
//! never leave the backend's memory: not in any API response, not in the SQLite file
//! (with its WAL), not in the logs, even at TRACE level.

mod demo_as_support;
mod refresh_support;

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use refresh_support::Session;

/// A `tracing` writer that keeps everything in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }
}

/// The pieces of a token worth searching for: the whole token and its signature (a
/// log line that printed only part of the token would still hold the signature).
fn pieces(token: &str) -> Vec<String> {
    let mut pieces = vec![token.to_owned()];
    if let Some(signature) = token.rsplit('.').next().filter(|s| s.len() >= 32) {
        pieces.push(signature.to_owned());
    }
    pieces
}

fn assert_absent(haystack: &[u8], tokens: &[String], place: &str) {
    let haystack = String::from_utf8_lossy(haystack);
    for token in tokens {
        for piece in pieces(token) {
            assert!(
                !haystack.contains(&piece),
                "a provider token appears in {place}"
            );
        }
    }
}

fn database_bytes(session: &Session) -> Vec<u8> {
    let mut bytes = Vec::new();
    let file = session
        .demo
        .data_dir
        .path()
        .join(pmt_server::store::FILE_NAME);
    for suffix in ["", "-wal", "-shm"] {
        let mut path = file.clone().into_os_string();
        path.push(suffix);
        if let Ok(b) = std::fs::read(&path) {
            bytes.extend(b);
        }
    }
    bytes
}

#[tokio::test]
async fn exchanged_tokens_appear_in_no_response_database_or_log() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // Also routes `log` records (reqwest's) into the capture.
    tracing_subscriber::util::SubscriberInitExt::try_init(subscriber).expect("one subscriber");

    let session = Session::start().await;
    let mut bodies: Vec<String> = Vec::new();
    bodies.push(session.refresh_raw().await.1);
    bodies.push(session.refresh_stream().await.1);
    bodies.push(session.tasks_raw().await.1);

    let tokens = session.sims().seen_tokens();
    let distinct: std::collections::BTreeSet<&String> = tokens.iter().collect();
    assert!(
        distinct.len() >= 14,
        "two refreshes exchange at least one token per source each, saw {}",
        distinct.len()
    );
    assert!(
        !tokens.contains(&session.token),
        "the session token itself must never reach a provider"
    );
    for (i, body) in bodies.iter().enumerate() {
        assert!(body.len() > 100, "response {i} is a real body");
        assert_absent(body.as_bytes(), &tokens, &format!("API response {i}"));
        assert_absent(
            body.as_bytes(),
            std::slice::from_ref(&session.token),
            "an API response",
        );
    }
    let db = database_bytes(&session);
    assert!(!db.is_empty(), "the database file exists");
    assert_absent(&db, &tokens, "the SQLite file");
    assert_absent(&db, std::slice::from_ref(&session.token), "the SQLite file");
    let log = logs.text();
    assert!(
        log.contains("source fetched"),
        "the refresh was logged at all"
    );
    assert_absent(log.as_bytes(), &tokens, "the logs");
    assert_absent(
        log.as_bytes(),
        std::slice::from_ref(&session.token),
        "the logs",
    );
}
