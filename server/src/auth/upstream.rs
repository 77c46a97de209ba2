//! Reading the authorization server's answers: bounded bodies, failures sorted by kind.
//!
//! Every byte read from the authorization server goes through [`read_body`], so a
//! hostile or broken server cannot make this process buffer an unbounded answer.

/// The largest body accepted from the authorization server (metadata, JWKS, token).
pub(crate) const MAX_BODY_BYTES: usize = 256 * 1024;

/// Why an answer could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum UpstreamError {
    /// No answer: connection refused, DNS, TLS or a timeout.
    #[error("the authorization server could not be reached")]
    Unreachable,
    /// The answer was larger than [`MAX_BODY_BYTES`].
    #[error("the authorization server's answer was too large")]
    TooLarge,
}

/// Sends a request and reads its status and body, up to [`MAX_BODY_BYTES`].
pub(crate) async fn send(
    request: reqwest::RequestBuilder,
) -> Result<(reqwest::StatusCode, Vec<u8>), UpstreamError> {
    let response = request.send().await.map_err(|e| {
        // The URL is the authorization server's, never a token; the error kind helps
        // an operator tell DNS from TLS from a timeout.
        tracing::warn!(error = %e.without_url(), "authorization server request failed");
        UpstreamError::Unreachable
    })?;
    let status = response.status();
    let body = read_body(response).await?;
    Ok((status, body))
}

/// Reads a response body, refusing to hold more than [`MAX_BODY_BYTES`].
pub(crate) async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>, UpstreamError> {
    if response
        .content_length()
        .is_some_and(|len| len > MAX_BODY_BYTES as u64)
    {
        return Err(UpstreamError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|_| UpstreamError::Unreachable)?
    {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(UpstreamError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
