//! The day plan: a time-blocked schedule for today (pure).
