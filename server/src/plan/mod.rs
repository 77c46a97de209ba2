//! From fetched items to today's list: reference keys, scoring, cross-references and
//! the snapshot with the user's decisions applied.
//!
//! - [`refs`]: reference keys found in task text.
//! - [`scoring`]: signals → score, level and "why"; the `[scoring]` weights.
//! - [`crossref`]: links between tasks naming the same thing; meeting prep.
//! - [`snapshot`]: builds the list, applies decisions, sorts.

pub mod crossref;
pub mod refs;
pub mod scoring;
pub mod snapshot;

pub use scoring::ScoringWeights;
pub use snapshot::Decisions;
