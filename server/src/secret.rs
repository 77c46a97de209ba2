//! Newtypes for secrets: they never print, never serialize, and compare in constant time.

use subtle::ConstantTimeEq;

/// Defines a secret string newtype whose `Debug` prints `[redacted]`.
macro_rules! secret_string {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The secret itself, for the one place that must send it on the wire.
            pub fn expose(&self) -> &str {
                &self.0
            }

            /// Constant-time equality, so comparing never leaks how much matched.
            pub fn ct_eq(&self, other: &str) -> bool {
                self.0.as_bytes().ct_eq(other.as_bytes()).into()
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

secret_string!(
    /// The backend's OAuth client secret; only ever from the environment.
    ClientSecret
);
secret_string!(
    /// A bearer token presented by a caller (the session JWT).
    BearerToken
);
secret_string!(
    /// A token issued by RFC 8693 exchange for one resource; lives for one call.
    ExchangedToken
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_prints_the_secret() {
        let s = ClientSecret::new("hunter2-very-secret");
        assert_eq!(format!("{s:?}"), "ClientSecret([redacted])");
        let t = BearerToken::new("eyJhbGciOi.x.y");
        assert!(!format!("{t:?}").contains("eyJ"));
    }

    #[test]
    fn ct_eq_matches_only_the_same_value() {
        let s = ClientSecret::new("abc");
        assert!(s.ct_eq("abc"));
        assert!(!s.ct_eq("abd"));
        assert!(!s.ct_eq("ab"));
    }
}
