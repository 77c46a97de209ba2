//! The scopes the MCP server knows (RFC 6749 §3.3), and what a token's `scope` claim
//! grants (pure).
//!
//! A token needs [`READ`] for any use of `/mcp`, and [`WRITE`] as well to call a tool
//! that changes a local decision. Without them the request is refused with `403
//! insufficient_scope` (RFC 6750 §3.1), naming the scopes that would do.

/// Reading the plan: every read tool.
pub const READ: &str = "plan.read";
/// Changing local decisions (dismiss, restore, priority): the write tools.
pub const WRITE: &str = "plan.write";
/// Every scope, in the order the metadata and challenges list them.
pub const ALL: [&str; 2] = [READ, WRITE];

/// The scopes of [`ALL`], space-separated (the `scope` of a challenge).
pub fn all_joined() -> String {
    ALL.join(" ")
}

/// What a token's space-separated `scope` claim grants here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Granted {
    /// [`READ`] is among the scopes.
    pub read: bool,
    /// [`WRITE`] is among the scopes.
    pub write: bool,
}

impl Granted {
    /// Reads a `scope` claim; an absent claim grants nothing.
    pub fn from_claim(scope: Option<&str>) -> Self {
        let has = |wanted: &str| {
            scope
                .unwrap_or_default()
                .split_ascii_whitespace()
                .any(|s| s == wanted)
        };
        Self {
            read: has(READ),
            write: has(WRITE),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_matched_exactly_and_whole() {
        assert_eq!(
            Granted::from_claim(Some("plan.read plan.write")),
            Granted {
                read: true,
                write: true
            }
        );
        assert_eq!(
            Granted::from_claim(Some("openid  plan.read")),
            Granted {
                read: true,
                write: false
            }
        );
        for nothing in [None, Some(""), Some("plan.reader PLAN.WRITE plan")] {
            assert_eq!(
                Granted::from_claim(nothing),
                Granted::default(),
                "{nothing:?}"
            );
        }
    }
}
