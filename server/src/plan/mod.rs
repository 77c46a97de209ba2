//! From fetched items to today's list: reference keys, scoring, cross-references.

pub mod refs;
