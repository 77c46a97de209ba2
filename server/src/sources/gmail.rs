//! Connector stub, replaced by the real one.

use super::{FetchContext, Fetched, SourceError};

/// Fetches and normalizes.
///
/// # Errors
/// Always, until implemented.
pub async fn fetch(_ctx: &FetchContext) -> Result<Fetched, SourceError> {
    Err(SourceError::Provider("not implemented".into()))
}
