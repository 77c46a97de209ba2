//! `GET /api/openapi.json` describes exactly the API the router serves: every route
//! under `/api` (found in the source, its methods found by asking the router) is in
//! the document, and every documented operation is served.

use std::collections::BTreeSet;
use std::path::Path;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use pmt_server::config::{Config, Overrides};
use tower::ServiceExt;

fn app() -> axum::Router {
    let config = Config::demo(&Overrides {
        port: Some(0),
        static_dir: Some("/nonexistent".into()),
        ..Overrides::default()
    })
    .expect("demo config");
    let store = pmt_server::store::Store::open_in_memory().expect("store");
    pmt_server::app(pmt_server::AppState::new(config, store), None)
}

/// The path literals of `.route("…", …)` calls in the modules mounted under `/api`.
fn route_paths_in_source() -> BTreeSet<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for dir in ["api", "auth"] {
        for entry in std::fs::read_dir(src.join(dir)).expect("source dir") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut paths = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("source file");
        for piece in text.split(".route(").skip(1) {
            let literal = piece
                .trim_start()
                .strip_prefix('"')
                .and_then(|rest| rest.split('"').next());
            if let Some(path) = literal {
                paths.insert(format!("/api{path}"));
            }
        }
    }
    paths
}

/// Asks the router which methods it serves at `path` (a `{param}` gets a sample
/// value): anything but 404/405 means "routed".
async fn served_methods(app: &axum::Router, path: &str) -> Vec<Method> {
    let concrete: String = path
        .split('/')
        .map(|seg| if seg.starts_with('{') { "x" } else { seg })
        .collect::<Vec<_>>()
        .join("/");
    let mut served = Vec::new();
    for method in [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
    ] {
        let request = Request::builder()
            .method(method.clone())
            .uri(&concrete)
            .header("content-type", "application/json")
            .body(Body::from("{}"))
            .expect("request");
        let status = app
            .clone()
            .oneshot(request)
            .await
            .expect("response")
            .status();
        if status != StatusCode::NOT_FOUND && status != StatusCode::METHOD_NOT_ALLOWED {
            served.push(method);
        }
    }
    served
}

async fn served_document(app: &axum::Router) -> serde_json::Value {
    let request = Request::get("/api/openapi.json")
        .body(Body::empty())
        .expect("request");
    let response = app.clone().oneshot(request).await.expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    serde_json::from_slice(&body).expect("json")
}

#[tokio::test]
async fn every_api_route_is_documented_and_every_documented_operation_is_served() {
    let app = app();
    let doc = served_document(&app).await;
    assert_eq!(doc["openapi"], "3.1.0");
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .expect("operations")
                .keys()
                .map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect();
    let source_paths = route_paths_in_source();
    assert!(source_paths.contains("/api/tasks"), "{source_paths:?}");
    assert!(source_paths.contains("/api/refresh/stream"));
    let mut served = BTreeSet::new();
    for path in &source_paths {
        let methods = served_methods(&app, path).await;
        assert!(
            !methods.is_empty(),
            "{path} is in the source but not served"
        );
        for m in methods {
            served.insert((m.to_string(), path.clone()));
        }
    }
    let undocumented: Vec<_> = served.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "not in openapi.json: {undocumented:?}"
    );
    let unserved: Vec<_> = documented.difference(&served).collect();
    assert!(
        unserved.is_empty(),
        "documented but not served: {unserved:?}"
    );
}

#[tokio::test]
async fn protected_operations_declare_the_session_requirement() {
    let app = app();
    let doc = served_document(&app).await;
    let public = ["/api/auth/config", "/api/session", "/api/openapi.json"];
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for (method, op) in ops.as_object().expect("ops") {
            let secured = op.get("security").is_some();
            assert_eq!(
                secured,
                !public.contains(&path.as_str()),
                "{method} {path}: security declaration"
            );
            if secured {
                assert!(op["responses"].get("401").is_some(), "{method} {path}");
            }
        }
    }
}
