//! Calls to the backend: JSON in and out, the session token as a bearer token.
//!
//! A 401 is its own error variant so the caller can end the session and send the
//! user back to sign-in; every other failure carries a message a person can read.

use gloo_net::http::{Request, Response};
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

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, CallError> {
    let status = response.status();
    if (200..300).contains(&status) {
        return response
            .json::<T>()
            .await
            .map_err(|e| CallError::Unreadable(e.to_string()));
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
