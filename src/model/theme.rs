//! Light, dark, or whatever the system prefers.

/// The user's choice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    /// Follow `prefers-color-scheme`, live.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl Theme {
    /// Every choice, as the menu lists them.
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    /// The stored and form value.
    pub fn key(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// Parses [`Theme::key`]; anything else is the system theme.
    pub fn parse(s: &str) -> Theme {
        Self::ALL
            .into_iter()
            .find(|t| t.key() == s)
            .unwrap_or_default()
    }

    /// A name for people.
    pub fn label(self) -> &'static str {
        match self {
            Theme::System => "System",
            Theme::Light => "Light",
            Theme::Dark => "Dark",
        }
    }

    /// The theme actually shown (`light` or `dark`), the value of `data-theme`.
    pub fn effective(self, system_prefers_dark: bool) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::System if system_prefers_dark => "dark",
            Theme::System => "light",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Theme;

    #[test]
    fn system_follows_the_preference_and_explicit_choices_do_not() {
        assert_eq!(Theme::System.effective(true), "dark");
        assert_eq!(Theme::System.effective(false), "light");
        assert_eq!(Theme::Light.effective(true), "light");
        assert_eq!(Theme::Dark.effective(false), "dark");
    }

    #[test]
    fn stored_values_round_trip_and_junk_means_system() {
        for t in Theme::ALL {
            assert_eq!(Theme::parse(t.key()), t);
        }
        assert_eq!(Theme::parse("solarized"), Theme::System);
    }
}
