//! Calls to the backend: JSON in and out, the session token as a bearer token.
//!
//! A 401 is its own error variant so the caller can end the session and send the
//! user back to sign-in; every other failure carries a message a person can read.

use gloo_net::http::{Method, Request, RequestBuilder, Response};
use pmt_wire::ApiError;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Why a backend call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// The backend refused the session token: sign in again.
    #[error("Your session has ended ({0}). Sign in again to continue.")]
    Unauthorized(String),
    /// The backend answered with an error.
    #[error("{message}")]
    Failed {
        /// HTTP status.
        status: u16,
        /// The backend's `error` code.
        code: String,
        /// What it said, in plain words.
        message: String,
    },
    /// The backend could not be reached.
    #[error("The Plan My Today server could not be reached. Check your connection and try again.")]
    Unreachable,
    /// The backend answered with something we cannot read.
    #[error("The server's answer could not be read ({0}).")]
    Unreadable(String),
}

/// Passes a 2xx answer through; turns any other into the matching [`CallError`].
async fn check(response: Response) -> Result<Response, CallError> {
    let status = response.status();
    if (200..300).contains(&status) {
        return Ok(response);
    }
    let body = response.json::<ApiError>().await.ok();
    let (code, message) = match body {
        Some(b) => (b.error, b.error_description),
        None => (String::new(), String::new()),
    };
    if status == 401 {
        let reason = if message.is_empty() {
            "the server did not accept it".to_owned()
        } else {
            message.trim_end_matches('.').to_owned()
        };
        return Err(CallError::Unauthorized(reason));
    }
    let message = if message.is_empty() {
        format!("The server answered with status {status}.")
    } else {
        message
    };
    Err(CallError::Failed {
        status,
        code,
        message,
    })
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, CallError> {
    check(response)
        .await?
        .json::<T>()
        .await
        .map_err(|e| CallError::Unreadable(e.to_string()))
}

fn with_bearer(
    builder: gloo_net::http::RequestBuilder,
    token: Option<&str>,
) -> gloo_net::http::RequestBuilder {
    match token {
        Some(t) => builder.header("Authorization", &format!("Bearer {t}")),
        None => builder,
    }
}

/// `GET` a JSON resource.
///
/// # Errors
/// See [`CallError`].
pub async fn get<T: DeserializeOwned>(path: &str, token: Option<&str>) -> Result<T, CallError> {
    let response = with_bearer(Request::get(path), token)
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|_| CallError::Unreachable)?;
    decode(response).await
}

/// `POST` a JSON body, read a JSON answer.
///
/// # Errors
/// See [`CallError`].
pub async fn post<B: Serialize, T: DeserializeOwned>(
    path: &str,
    body: &B,
    token: Option<&str>,
) -> Result<T, CallError> {
    let request = with_bearer(Request::post(path), token)
        .header("Accept", "application/json")
        .json(body)
        .map_err(|e| CallError::Unreadable(e.to_string()))?;
    let response = request.send().await.map_err(|_| CallError::Unreachable)?;
    decode(response).await
}

/// Sends `method path` with an optional JSON body; a non-2xx answer is an error.
async fn send<B: Serialize>(
    method: Method,
    path: &str,
    body: Option<&B>,
    token: Option<&str>,
    accept: &str,
) -> Result<Response, CallError> {
    let builder =
        with_bearer(RequestBuilder::new(path).method(method), token).header("Accept", accept);
    let request = match body {
        Some(b) => builder.json(b),
        None => builder.build(),
    }
    .map_err(|e| CallError::Unreadable(e.to_string()))?;
    let response = request.send().await.map_err(|_| CallError::Unreachable)?;
    check(response).await
}

/// Any method, an optional JSON body, a JSON answer.
///
/// # Errors
/// See [`CallError`].
pub async fn call<B: Serialize, T: DeserializeOwned>(
    method: Method,
    path: &str,
    body: Option<&B>,
    token: Option<&str>,
) -> Result<T, CallError> {
    let response = send(method, path, body, token, "application/json").await?;
    response
        .json::<T>()
        .await
        .map_err(|e| CallError::Unreadable(e.to_string()))
}

/// Any method, an optional JSON body; the answer is read as `T` when it is one, and
/// is `None` when it is empty (204) or something else.
///
/// # Errors
/// See [`CallError`]; only the status decides success.
pub async fn call_maybe<B: Serialize, T: DeserializeOwned>(
    method: Method,
    path: &str,
    body: Option<&B>,
    token: Option<&str>,
) -> Result<Option<T>, CallError> {
    let response = send(method, path, body, token, "application/json").await?;
    let text = response.text().await.unwrap_or_default();
    Ok(serde_json::from_str(&text).ok())
}

/// `POST` with no body and keep the answer open for streaming (`text/event-stream`).
///
/// # Errors
/// See [`CallError`].
pub async fn open_stream(path: &str, token: Option<&str>) -> Result<Response, CallError> {
    send::<()>(Method::POST, path, None, token, "text/event-stream").await
}

/// `POST` a JSON body and keep the answer open for streaming (`text/event-stream`);
/// `abort` cancels the request and the reading of its answer.
///
/// # Errors
/// See [`CallError`]; an aborted request is [`CallError::Unreachable`].
pub async fn open_stream_json<B: Serialize>(
    path: &str,
    body: &B,
    token: Option<&str>,
    abort: Option<&web_sys::AbortSignal>,
) -> Result<Response, CallError> {
    let request = with_bearer(Request::post(path), token)
        .header("Accept", "text/event-stream")
        .abort_signal(abort)
        .json(body)
        .map_err(|e| CallError::Unreadable(e.to_string()))?;
    let response = request.send().await.map_err(|_| CallError::Unreachable)?;
    check(response).await
}
