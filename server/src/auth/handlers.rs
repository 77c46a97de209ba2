//! The sign-in API: `GET /api/auth/config`, `POST /api/session`, `GET /api/me`.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::Json;
use pmt_wire::{AuthConfig, Me, SessionRequest, SessionResponse, User};

use super::extract::AuthUser;
use super::session::SessionInput;
use super::validate::Claims;
use super::AuthError;
use crate::error::AppError;
use crate::AppState;

/// What the PWA needs to start a sign-in, from discovery and configuration.
pub(crate) async fn auth_config(
    State(state): State<AppState>,
) -> Result<Json<AuthConfig>, AppError> {
    let meta = state.auth.metadata().await.map_err(AuthError::from)?;
    let auth = &state.config.auth;
    Ok(Json(AuthConfig {
        issuer: auth.issuer.clone(),
        authorization_endpoint: meta.authorization_endpoint.clone(),
        client_id: auth.client_id.clone(),
        scope: auth.scope.clone(),
        resource: auth.resource.clone(),
        iss_parameter_supported: meta.authorization_response_iss_parameter_supported,
    }))
}

/// Redeems the browser's code and verifier; answers with the validated session.
pub(crate) async fn create_session(
    State(state): State<AppState>,
    body: Result<Json<SessionRequest>, JsonRejection>,
) -> Result<Json<SessionResponse>, AppError> {
    let Json(request) = body.map_err(|_| {
        AppError::bad_request(
            "invalid_request",
            "The request body must be JSON with code, code_verifier and redirect_uri.",
        )
    })?;
    let input = SessionInput::check(request, &state.config.redirect_uri())?;
    let session = state.auth.redeem_code(&input.code, &input.verifier).await?;
    Ok(Json(SessionResponse {
        token: session.token.expose().to_owned(),
        expires_at: session.claims.exp,
        user: user_of(&session.claims),
    }))
}

/// The validated identity behind the bearer token.
pub(crate) async fn me(user: AuthUser) -> Json<Me> {
    Json(Me {
        user: user_of(&user.claims),
        expires_at: user.claims.exp,
        issuer: user.claims.iss.clone(),
    })
}

fn user_of(claims: &Claims) -> User {
    User {
        sub: claims.sub.clone(),
        name: claims.name.clone(),
        email: claims.email.clone(),
    }
}
