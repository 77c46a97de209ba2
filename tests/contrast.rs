//! Both themes meet WCAG 2.x AA contrast: every text colour pair the stylesheet uses
//! is at least 4.5:1, focus rings and borders of controls at least 3:1. Reads the
//! variables straight from `style/main.css`, so a colour change is checked here.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

const CSS: &str = include_str!("../style/main.css");

/// The custom properties declared in the first block opened by `selector`.
fn variables(selector: &str) -> BTreeMap<String, String> {
    let start = CSS
        .find(&format!("{selector} {{"))
        .unwrap_or_else(|| panic!("no block for {selector}"));
    let body = &CSS[start..];
    let body = &body[body.find('{').unwrap() + 1..body.find('}').unwrap()];
    body.split(';')
        .filter_map(|decl| {
            let (k, v) = decl.split_once(':')?;
            let k = k.trim();
            k.starts_with("--")
                .then(|| (k.to_owned(), v.trim().to_ascii_lowercase()))
        })
        .collect()
}

fn channel(hex: &str) -> f64 {
    let c = f64::from(u8::from_str_radix(hex, 16).unwrap()) / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

fn luminance(colour: &str) -> f64 {
    let h = colour.trim_start_matches('#');
    assert_eq!(h.len(), 6, "use #rrggbb: {colour}");
    0.2126 * channel(&h[0..2]) + 0.7152 * channel(&h[2..4]) + 0.0722 * channel(&h[4..6])
}

fn ratio(a: &str, b: &str) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// (foreground, background) pairs that carry text.
const TEXT_PAIRS: &[(&str, &str)] = &[
    ("--fg", "--bg"),
    ("--fg", "--card"),
    ("--fg", "--subtle"),
    ("--muted", "--bg"),
    ("--muted", "--card"),
    ("--muted", "--subtle"),
    ("--accent", "--bg"),
    ("--accent", "--card"),
    ("--accent-fg", "--accent"),
    ("--danger-fg", "--danger-bg"),
    ("--danger-fg", "--card"),
    ("--danger-fg", "--bg"),
    ("--warn-fg", "--warn-bg"),
    ("--ok", "--card"),
    ("--ok", "--bg"),
    ("--p-critical", "--card"),
    ("--p-critical", "--bg"),
    ("--p-high", "--card"),
    ("--p-high", "--bg"),
    ("--p-medium", "--card"),
    ("--p-low", "--card"),
    ("--now", "--card"),
];

/// (element, background) pairs that must stand out as non-text (WCAG 1.4.11).
const UI_PAIRS: &[(&str, &str)] = &[("--accent", "--card"), ("--accent", "--bg")];

fn check(theme: &str, vars: &BTreeMap<String, String>) {
    let mut failures = Vec::new();
    for (fg, bg) in TEXT_PAIRS {
        let r = ratio(&vars[*fg], &vars[*bg]);
        if r < 4.5 {
            failures.push(format!("{theme}: {fg} on {bg} is {r:.2}:1"));
        }
    }
    for (fg, bg) in UI_PAIRS {
        let r = ratio(&vars[*fg], &vars[*bg]);
        if r < 3.0 {
            failures.push(format!("{theme}: {fg} on {bg} is {r:.2}:1 (needs 3:1)"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn light_theme_meets_wcag_aa() {
    check("light", &variables(":root"));
}

#[test]
fn dark_theme_meets_wcag_aa() {
    check("dark", &variables(":root[data-theme=\"dark\"]"));
}

#[test]
fn the_system_dark_fallback_matches_the_dark_theme() {
    assert_eq!(
        variables(":root:not([data-theme])"),
        variables(":root[data-theme=\"dark\"]")
    );
}

#[test]
fn both_themes_define_the_same_variables() {
    let light: Vec<String> = variables(":root").into_keys().collect();
    let dark: Vec<String> = variables(":root[data-theme=\"dark\"]")
        .into_keys()
        .collect();
    assert_eq!(light, dark);
}
