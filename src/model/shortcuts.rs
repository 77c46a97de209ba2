//! The keyboard map: one key per action, and `g` followed by `p`, `s` or `a` for views.

/// What a key asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// Focus the search field.
    Search,
    /// Focus the next task card.
    Next,
    /// Focus the previous task card.
    Previous,
    /// Open the focused task at its source.
    Open,
    /// Dismiss the focused task.
    Dismiss,
    /// Raise the focused task one level.
    Boost,
    /// Lower the focused task one level.
    Demote,
    /// Refresh every source.
    Refresh,
    /// Switch to the priority view.
    PriorityView,
    /// Switch to the source view.
    SourceView,
    /// Switch to the activity view.
    ActivityView,
    /// Open or close Todaygent's chat.
    Chat,
    /// Show the list of shortcuts.
    Help,
}

/// The list the `?` dialog shows: keys and what they do.
pub const HELP: [(&str, &str); 13] = [
    ("/", "Search"),
    ("j", "Next task"),
    ("k", "Previous task"),
    ("Enter", "Open the task at its source"),
    ("d", "Dismiss the task"),
    ("+", "Boost the task"),
    ("-", "Demote the task"),
    ("r", "Refresh all sources"),
    ("g then p", "Priority view"),
    ("g then s", "Source view"),
    ("g then a", "Activity: what was accessed for you"),
    ("c", "Open or close the chat with Todaygent"),
    ("?", "Show this list"),
];

/// Turns key presses (`KeyboardEvent.key` values) into commands, remembering a
/// pending `g`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Keymap {
    pending_g: bool,
}

impl Keymap {
    /// The command for `key`, if any. Any key after `g` ends the two-key sequence.
    pub fn press(&mut self, key: &str) -> Option<Command> {
        if std::mem::take(&mut self.pending_g) {
            return match key {
                "p" => Some(Command::PriorityView),
                "s" => Some(Command::SourceView),
                "a" => Some(Command::ActivityView),
                _ => None,
            };
        }
        match key {
            "/" => Some(Command::Search),
            "j" => Some(Command::Next),
            "k" => Some(Command::Previous),
            "Enter" => Some(Command::Open),
            "d" => Some(Command::Dismiss),
            "+" | "=" => Some(Command::Boost),
            "-" | "_" => Some(Command::Demote),
            "r" => Some(Command::Refresh),
            "?" => Some(Command::Help),
            "c" => Some(Command::Chat),
            "g" => {
                self.pending_g = true;
                None
            }
            _ => None,
        }
    }

    /// Whether a `g` waits for its second key.
    pub fn pending(&self) -> bool {
        self.pending_g
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_keys_map_to_commands() {
        let mut k = Keymap::default();
        assert_eq!(k.press("/"), Some(Command::Search));
        assert_eq!(k.press("j"), Some(Command::Next));
        assert_eq!(k.press("k"), Some(Command::Previous));
        assert_eq!(k.press("Enter"), Some(Command::Open));
        assert_eq!(k.press("d"), Some(Command::Dismiss));
        assert_eq!(k.press("+"), Some(Command::Boost));
        assert_eq!(k.press("="), Some(Command::Boost));
        assert_eq!(k.press("-"), Some(Command::Demote));
        assert_eq!(k.press("r"), Some(Command::Refresh));
        assert_eq!(k.press("?"), Some(Command::Help));
        assert_eq!(k.press("c"), Some(Command::Chat));
        assert_eq!(k.press("x"), None);
        assert_eq!(k.press("J"), None, "shifted letters are not shortcuts");
    }

    #[test]
    fn g_then_p_or_s_switches_views() {
        let mut k = Keymap::default();
        assert_eq!(k.press("g"), None);
        assert!(k.pending());
        assert_eq!(k.press("s"), Some(Command::SourceView));
        assert_eq!(k.press("g"), None);
        assert_eq!(k.press("p"), Some(Command::PriorityView));
        assert_eq!(k.press("g"), None);
        assert_eq!(k.press("a"), Some(Command::ActivityView));
    }

    #[test]
    fn another_key_after_g_cancels_it() {
        let mut k = Keymap::default();
        k.press("g");
        assert_eq!(k.press("j"), None, "g j is not a command");
        assert!(!k.pending());
        assert_eq!(k.press("j"), Some(Command::Next));
    }
}
