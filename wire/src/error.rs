//! The JSON body of every error the backend returns.

use serde::{Deserialize, Serialize};

/// An error response body, shaped like OAuth's (`error`, `error_description`) so one
/// parser reads the backend's and the authorization server's errors alike.
///
/// The description says what was wrong in plain words; it never echoes a token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// A short machine-readable code, e.g. `invalid_token`.
    pub error: String,
    /// What went wrong, for a person.
    #[serde(default)]
    pub error_description: String,
}
