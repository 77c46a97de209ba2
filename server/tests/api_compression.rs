//! API answers are compressed for clients that accept it (the plan is tens of KB of
//! JSON), while event streams are never buffered by a compressor.

use crate::refresh_support;

use refresh_support::Session;
use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING};
use reqwest::Method;

#[tokio::test]
async fn the_plan_is_sent_compressed_and_refresh_progress_is_not() {
    let session = Session::start().await;
    session.refresh().await;
    let plain = session
        .request(Method::GET, "/api/tasks")
        .send()
        .await
        .expect("plain")
        .bytes()
        .await
        .expect("body");
    let br = session
        .request(Method::GET, "/api/tasks")
        .header(ACCEPT_ENCODING, "br")
        .send()
        .await
        .expect("br");
    assert_eq!(br.headers()[CONTENT_ENCODING], "br");
    let compressed = br.bytes().await.expect("body");
    assert!(
        compressed.len() * 3 < plain.len(),
        "{} → {} bytes",
        plain.len(),
        compressed.len()
    );

    let stream = session
        .request(Method::POST, "/api/refresh/stream")
        .header(ACCEPT_ENCODING, "br, gzip")
        .send()
        .await
        .expect("stream");
    assert_eq!(stream.status(), 200);
    assert!(stream.headers().get(CONTENT_ENCODING).is_none());
    let text = stream.text().await.expect("events");
    assert!(text.contains("event: done"), "{text}");
}
