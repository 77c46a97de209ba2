//! Local time through the browser's `Date` (the user's time zone, DST included),
//! without a date-time crate in the bundle.

use wasm_bindgen::JsValue;

fn date(secs: i64) -> js_sys::Date {
    js_sys::Date::new(&JsValue::from_f64(secs as f64 * 1000.0))
}

fn secs_of(d: &js_sys::Date) -> i64 {
    (d.get_time() / 1000.0) as i64
}

/// `HH:MM`, local.
pub fn hhmm(secs: i64) -> String {
    let d = date(secs);
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}

/// `HH:MM` when `secs` is on the same local day as `now`, else `21 Nov HH:MM`.
pub fn hhmm_or_date(secs: i64, now: i64) -> String {
    if same_day(secs, now) {
        return hhmm(secs);
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let d = date(secs);
    let month = MONTHS.get(d.get_month() as usize).copied().unwrap_or("");
    format!("{} {month} {}", d.get_date(), hhmm(secs))
}

/// Whether two instants fall on the same local day.
pub fn same_day(a: i64, b: i64) -> bool {
    start_of_day(a) == start_of_day(b)
}

/// Local midnight at the start of `secs`'s day.
pub fn start_of_day(secs: i64) -> i64 {
    at(secs, 0, 0)
}

/// `HH:MM` on `secs`'s local day, as Unix seconds.
pub fn at(secs: i64, hour: u32, minute: u32) -> i64 {
    let d = date(secs);
    d.set_hours(hour);
    d.set_minutes(minute);
    d.set_seconds(0);
    d.set_milliseconds(0);
    secs_of(&d)
}

/// The start of the next local day (DST-safe: set the date, not +24 h).
pub fn start_of_next_day(secs: i64) -> i64 {
    let d = date(start_of_day(secs));
    d.set_date(d.get_date() + 1);
    secs_of(&d)
}

/// Parses an `<input type="time">` value (`HH:MM`) as that time on `today`'s day.
pub fn parse_time_today(value: &str, today: i64) -> Option<i64> {
    let (h, m) = value.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.get(..2)?.parse().ok()?);
    (h < 24 && m < 60).then(|| at(today, h, m))
}
