//! Form and query parameters, read the way RFC 6749 §3.1 asks: a parameter sent
//! without a value counts as omitted, and one sent twice is an error (except where a
//! spec allows repeats, like RFC 8707 `resource`, which the caller reads with
//! [`Params::all`]).

/// The decoded `name=value` pairs of a query string or form body, in order.
#[derive(Clone, Default)]
pub(super) struct Params(Vec<(String, String)>);

/// A parameter that may appear once was sent more than once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Repeated(pub(super) &'static str);

impl Params {
    /// Parses `application/x-www-form-urlencoded` bytes (a query string or a body).
    pub(super) fn parse(raw: &[u8]) -> Self {
        Self(
            url::form_urlencoded::parse(raw)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The one non-empty value of `name`, if any.
    ///
    /// # Errors
    /// [`Repeated`] when `name` has more than one non-empty value.
    pub(super) fn single(&self, name: &'static str) -> Result<Option<&str>, Repeated> {
        let mut values = self.all(name).into_iter();
        let first = values.next();
        if values.next().is_some() {
            return Err(Repeated(name));
        }
        Ok(first)
    }

    /// Every non-empty value of `name`.
    pub(super) fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Names only: values may be codes, verifiers, secrets or tokens.
impl std::fmt::Debug for Params {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(k, _)| k))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_count_as_omitted() {
        let p = Params::parse(b"state=&scope=openid");
        assert_eq!(p.single("state"), Ok(None));
        assert_eq!(p.single("scope"), Ok(Some("openid")));
    }

    #[test]
    fn repeats_are_reported_by_name() {
        let p = Params::parse(b"code=a&code=b");
        assert_eq!(p.single("code"), Err(Repeated("code")));
        assert_eq!(p.all("code"), ["a", "b"]);
    }

    #[test]
    fn decodes_plus_and_percent_escapes() {
        let p = Params::parse(b"scope=openid+email&x=%2F");
        assert_eq!(p.single("scope"), Ok(Some("openid email")));
        assert_eq!(p.single("x"), Ok(Some("/")));
    }

    #[test]
    fn debug_prints_names_only() {
        let p = Params::parse(b"client_secret=hunter2");
        assert_eq!(format!("{p:?}"), "[\"client_secret\"]");
    }
}
