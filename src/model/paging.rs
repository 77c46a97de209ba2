//! How much of a long list is drawn. A normal day shows every card. Past
//! [`WHOLE_LIST`] matches, a group shows [`PAGE`] cards ("Show more" for the rest),
//! and only the groups near the screen draw their cards at all: the others keep
//! their heading and count, and hold their cards' place with an empty block of the
//! height those cards would take, so the scroll bar and everything below stay put.

/// Up to this many matching tasks, every card is shown.
pub const WHOLE_LIST: usize = 150;
/// Past that, how many cards a group shows before "Show more".
pub const PAGE: usize = 10;
/// A group's heading (and status line) before any was measured, in CSS px.
pub const HEADING_GUESS_PX: f64 = 56.0;
/// A card's height before any was measured, in CSS px.
pub const CARD_GUESS_PX: f64 = 150.0;

/// Whether every card of every group is drawn (`shown`: the tasks that match).
pub fn whole(shown: usize) -> bool {
    shown <= WHOLE_LIST
}

/// How many cards a group may draw: all of them in a whole list, else its first
/// page and the pages "Show more" added (`extra` cards).
pub fn limit(whole_list: bool, extra: usize) -> usize {
    if whole_list {
        usize::MAX
    } else {
        PAGE.saturating_add(extra)
    }
}

/// How many of a group's `in_group` cards it draws when it is drawn (see [`limit`]).
pub fn cards_drawn(in_group: usize, whole_list: bool, extra: usize) -> usize {
    in_group.min(limit(whole_list, extra))
}

/// Whether a group starts within `reach_px` of the list's top, guessing from the
/// groups above it (how many cards each draws, at `measured_per_card` px a card when
/// one was measured). Used when a group first appears, before the browser has said
/// where it is; a group guessed far that is near is drawn a frame later, so the
/// caller keeps the reach short (a guess too far only costs a frame off screen).
pub fn starts_near(
    cards_above: impl IntoIterator<Item = usize>,
    measured_per_card: Option<f64>,
    reach_px: f64,
) -> bool {
    let mut top = 0.0;
    for cards in cards_above {
        top += HEADING_GUESS_PX + held_height(cards, measured_per_card);
        if top >= reach_px {
            return false;
        }
    }
    true
}

/// The height an undrawn group's cards hold: `cards` times the height per card
/// measured when the group was last drawn, or the guess.
pub fn held_height(cards: usize, measured_per_card: Option<f64>) -> f64 {
    let per_card = measured_per_card
        .filter(|h| h.is_finite() && *h > 0.0)
        .unwrap_or(CARD_GUESS_PX);
    cards as f64 * per_card
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_normal_day_draws_every_card_and_a_long_list_a_page_per_group() {
        assert!(whole(WHOLE_LIST));
        assert!(!whole(WHOLE_LIST + 1));
        assert_eq!(cards_drawn(400, true, 0), 400);
        assert_eq!(cards_drawn(400, false, 0), PAGE);
        assert_eq!(cards_drawn(400, false, 40), PAGE + 40);
        assert_eq!(
            cards_drawn(3, false, 0),
            3,
            "a short group draws what it has"
        );
    }

    #[test]
    fn only_the_groups_within_reach_start_drawn() {
        // Nothing above: the first group is always near.
        assert!(starts_near([], None, 0.0));
        // One full page above (56 + 10 × 150 = 1556 px).
        assert!(starts_near([PAGE], None, 1600.0));
        assert!(!starts_near([PAGE], None, 1500.0));
        // Short groups above leave the next one near.
        assert!(starts_near([1, 0, 2], None, 900.0));
        assert!(!starts_near([PAGE, PAGE], None, 1800.0));
        // Measured cards count at their height: 56 + 10 × 190 = 1956 px.
        assert!(!starts_near([PAGE], Some(190.0), 1800.0));
        assert!(starts_near([PAGE], Some(100.0), 1800.0));
    }

    #[test]
    fn an_undrawn_group_holds_the_height_its_cards_had() {
        assert_eq!(held_height(4, Some(120.5)), 482.0);
        assert_eq!(held_height(4, None), 4.0 * CARD_GUESS_PX);
        // A measurement of nothing (a hidden list) is no measurement.
        assert_eq!(held_height(2, Some(0.0)), 2.0 * CARD_GUESS_PX);
        assert_eq!(held_height(2, Some(f64::NAN)), 2.0 * CARD_GUESS_PX);
        assert_eq!(held_height(0, Some(99.0)), 0.0);
    }
}
