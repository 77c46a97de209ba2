//! Short human durations for people: "45 min", "1 h 30 min", "2 days".

/// `secs` as a short phrase; negative counts as zero.
pub fn short(secs: i64) -> String {
    let mins = secs.max(0) / 60;
    match mins {
        0 => "less than a minute".to_owned(),
        1..=59 => format!("{mins} min"),
        60..=1439 => match (mins / 60, mins % 60) {
            (h, 0) => format!("{h} h"),
            (h, m) => format!("{h} h {m} min"),
        },
        _ => match mins / 1440 {
            1 => "1 day".to_owned(),
            d => format!("{d} days"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(short(-5), "less than a minute");
        assert_eq!(short(59), "less than a minute");
        assert_eq!(short(45 * 60), "45 min");
        assert_eq!(short(60 * 60), "1 h");
        assert_eq!(short(90 * 60), "1 h 30 min");
        assert_eq!(short(26 * 3600), "1 day");
        assert_eq!(short(72 * 3600), "3 days");
    }
}
