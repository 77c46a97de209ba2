//! Busy time and the search for free slots (pure).
//!
//! Times are Unix seconds; intervals are half-open `[start, end)`, so back-to-back
//! blocks do not overlap.

/// The grid focus and prep blocks start on: five minutes.
pub const GRID: i64 = 300;

/// `at` rounded up to the grid.
pub fn ceil_grid(at: i64) -> i64 {
    at.div_euclid(GRID) * GRID + if at.rem_euclid(GRID) == 0 { 0 } else { GRID }
}

/// `at` rounded down to the grid.
pub fn floor_grid(at: i64) -> i64 {
    at.div_euclid(GRID) * GRID
}

/// A half-open interval of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    /// Start, Unix seconds.
    pub start: i64,
    /// End, Unix seconds (after `start`).
    pub end: i64,
}

impl Span {
    /// `[start, end)`.
    pub fn new(start: i64, end: i64) -> Self {
        Self { start, end }
    }

    /// Whether the two share any time.
    pub fn overlaps(self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Length, seconds (not positive when empty).
    pub fn len(self) -> i64 {
        self.end - self.start
    }

    /// Whether it holds no time.
    pub fn is_empty(self) -> bool {
        self.end <= self.start
    }
}

/// The time already taken, kept sorted and without overlaps between what was added
/// through [`Busy::take`] (meetings may be added as they are; they are never
/// overlapped by what is found free).
#[derive(Debug, Clone, Default)]
pub struct Busy {
    spans: Vec<Span>,
}

impl Busy {
    /// Marks `span` as taken.
    pub fn take(&mut self, span: Span) {
        let at = self.spans.partition_point(|s| s.start <= span.start);
        self.spans.insert(at, span);
    }

    /// Whether `span` is entirely free.
    pub fn is_free(&self, span: Span) -> bool {
        !self.spans.iter().any(|s| s.overlaps(span))
    }

    /// The free parts of `window`, in time order.
    pub fn free_within(&self, window: Span) -> Vec<Span> {
        let mut free = Vec::new();
        let mut cursor = window.start;
        for s in &self.spans {
            if s.end <= cursor {
                continue;
            }
            if s.start >= window.end {
                break;
            }
            if s.start > cursor {
                free.push(Span::new(cursor, s.start.min(window.end)));
            }
            cursor = cursor.max(s.end);
            if cursor >= window.end {
                break;
            }
        }
        if cursor < window.end {
            free.push(Span::new(cursor, window.end));
        }
        free
    }

    /// The earliest free slot of `len` seconds inside `window` that starts on the
    /// grid.
    pub fn earliest_fit(&self, window: Span, len: i64) -> Option<Span> {
        self.free_within(window).into_iter().find_map(|gap| {
            let start = ceil_grid(gap.start);
            (start + len <= gap.end).then(|| Span::new(start, start + len))
        })
    }

    /// The latest free slot of `len` seconds inside `window`, ending as late as
    /// possible (at `window.end` when that is free). Its start is moved back onto the
    /// grid when there is room, so the block reads well ("09:55–10:12").
    pub fn latest_fit(&self, window: Span, len: i64) -> Option<Span> {
        self.free_within(window).into_iter().rev().find_map(|gap| {
            let end = gap.end;
            let exact = end - len;
            if exact < gap.start {
                return None;
            }
            let start = if floor_grid(exact) >= gap.start {
                floor_grid(exact)
            } else {
                exact
            };
            Some(Span::new(start, end))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600;
    const M: i64 = 60;

    #[test]
    fn grid_rounding() {
        assert_eq!(ceil_grid(0), 0);
        assert_eq!(ceil_grid(1), GRID);
        assert_eq!(ceil_grid(GRID), GRID);
        assert_eq!(floor_grid(GRID + 1), GRID);
        assert_eq!(ceil_grid(-1), 0);
    }

    fn busy(spans: &[(i64, i64)]) -> Busy {
        let mut b = Busy::default();
        for &(s, e) in spans {
            b.take(Span::new(s, e));
        }
        b
    }

    #[test]
    fn free_parts_skip_what_is_taken() {
        let b = busy(&[
            (10 * H, 11 * H),
            (9 * H, 9 * H + 15 * M),
            (10 * H + 30 * M, 12 * H),
        ]);
        let free = b.free_within(Span::new(9 * H, 13 * H));
        assert_eq!(
            free,
            vec![Span::new(9 * H + 15 * M, 10 * H), Span::new(12 * H, 13 * H)]
        );
        assert!(b.free_within(Span::new(10 * H, 11 * H)).is_empty());
        assert_eq!(
            busy(&[]).free_within(Span::new(0, 5)),
            vec![Span::new(0, 5)]
        );
    }

    #[test]
    fn earliest_fit_starts_on_the_grid_and_skips_small_gaps() {
        let b = busy(&[(9 * H + 7 * M, 9 * H + 20 * M), (9 * H + 40 * M, 10 * H)]);
        let window = Span::new(9 * H, 12 * H);
        assert_eq!(
            b.earliest_fit(window, 5 * M),
            Some(Span::new(9 * H, 9 * H + 5 * M))
        );
        // The 20-minute gap 09:20–09:40 takes a 20-minute block, not a 25-minute one.
        assert_eq!(
            b.earliest_fit(window, 20 * M),
            Some(Span::new(9 * H + 20 * M, 9 * H + 40 * M))
        );
        assert_eq!(
            b.earliest_fit(window, 25 * M),
            Some(Span::new(10 * H, 10 * H + 25 * M))
        );
        assert_eq!(
            b.earliest_fit(Span::new(9 * H, 9 * H + 30 * M), 25 * M),
            None
        );
    }

    #[test]
    fn latest_fit_ends_at_the_window_end_when_free() {
        let b = busy(&[(10 * H, 11 * H)]);
        let before_meeting = Span::new(9 * H, 10 * H + 12 * M);
        // 10:12 is taken from 10:00; the latest free end is 10:00.
        assert_eq!(
            b.latest_fit(before_meeting, 15 * M),
            Some(Span::new(9 * H + 45 * M, 10 * H))
        );
        let b = busy(&[]);
        assert_eq!(
            b.latest_fit(Span::new(9 * H, 10 * H + 12 * M), 15 * M),
            Some(Span::new(9 * H + 55 * M, 10 * H + 12 * M)),
            "the start goes back onto the grid"
        );
        assert_eq!(
            b.latest_fit(Span::new(9 * H + 59 * M, 10 * H + 12 * M), 13 * M),
            Some(Span::new(9 * H + 59 * M, 10 * H + 12 * M)),
            "no room to round: exact"
        );
        assert_eq!(b.latest_fit(Span::new(9 * H, 9 * H + 10 * M), 15 * M), None);
    }
}
