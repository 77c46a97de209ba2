//! What the user sees, one module per screen.

pub mod callback;
pub mod home;
pub mod sign_in;
