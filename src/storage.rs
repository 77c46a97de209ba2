//! This tab's `sessionStorage`: the session, the pending sign-in, the return address.
//!
//! Nothing here ever touches `localStorage`, cookies or IndexedDB with a token: the
//! session dies with the tab, and a new tab signs in again. (The only `localStorage`
//! key the app writes today is the device's theme, [`THEME_KEY`].)

use serde::de::DeserializeOwned;
use serde::Serialize;

/// The session (`{token, expires_at, user}`).
pub const SESSION_KEY: &str = "pmt.session";
/// The pending sign-in (verifier, state, issuer); removed when the callback reads it.
pub const PKCE_KEY: &str = "pmt.pkce";
/// Where to return after sign-in.
pub const RETURN_TO_KEY: &str = "pmt.return_to";
/// Prefix of every key the app writes, in any browser storage.
pub const KEY_PREFIX: &str = "pmt.";
/// The device's colour theme (`localStorage`): a device preference, not user data,
/// so it is the one key sign-out keeps.
pub const THEME_KEY: &str = "pmt.theme";

/// Browser storage is unavailable or full.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("this browser would not let the app keep the sign-in for this tab (storage unavailable or full)")]
pub struct StorageUnavailable;

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Reads and decodes a value; a value that does not decode is removed and ignored.
pub fn load<T: DeserializeOwned>(key: &str) -> Option<T> {
    let storage = session_storage()?;
    let raw = storage.get_item(key).ok().flatten()?;
    match serde_json::from_str(&raw) {
        Ok(v) => Some(v),
        Err(_) => {
            let _ = storage.remove_item(key);
            None
        }
    }
}

/// Encodes and stores a value.
///
/// # Errors
/// When storage is unavailable, full, or the value does not encode.
pub fn save<T: Serialize>(key: &str, value: &T) -> Result<(), StorageUnavailable> {
    let raw = serde_json::to_string(value).map_err(|_| StorageUnavailable)?;
    session_storage()
        .ok_or(StorageUnavailable)?
        .set_item(key, &raw)
        .map_err(|_| StorageUnavailable)
}

/// Removes a value.
pub fn remove(key: &str) {
    if let Some(s) = session_storage() {
        let _ = s.remove_item(key);
    }
}

/// Reads a value and removes it in the same step: for single-use values.
pub fn take<T: DeserializeOwned>(key: &str) -> Option<T> {
    let value = load(key);
    remove(key);
    value
}

/// Removes every key the app wrote, from `sessionStorage` and `localStorage`, except
/// the device's theme ([`THEME_KEY`]), which holds nothing about the user.
pub fn clear_user_data() {
    for storage in [session_storage(), local_storage()].into_iter().flatten() {
        let len = storage.length().unwrap_or(0);
        let keys: Vec<String> = (0..len)
            .filter_map(|i| storage.key(i).ok().flatten())
            .filter(|k| k.starts_with(KEY_PREFIX) && k != THEME_KEY)
            .collect();
        for k in keys {
            let _ = storage.remove_item(&k);
        }
    }
}
