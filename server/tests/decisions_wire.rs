//! The decision and ad-hoc request bodies: what the API accepts and refuses.

use pmt_wire::decisions::{check_notes, check_title, AdHocInvalid};
use pmt_wire::{AdHocPatch, NewAdHocTask, Priority, SetPriorityRequest};

#[test]
fn patch_tells_null_from_absent() {
    let p: AdHocPatch = serde_json::from_str(r#"{"due": null}"#).unwrap();
    assert_eq!(p.due, Some(None), "null clears");
    assert_eq!(p.notes, None, "absent leaves unchanged");
    let p: AdHocPatch = serde_json::from_str(r#"{"due": 5, "priority": "high"}"#).unwrap();
    assert_eq!(p.due, Some(Some(5)));
    assert_eq!(p.priority, Some(Some(Priority::High)));
    assert!(serde_json::from_str::<AdHocPatch>(r#"{"titel": "typo"}"#).is_err());
}

#[test]
fn priority_request_takes_the_four_levels_or_null_only() {
    for level in ["critical", "high", "medium", "low"] {
        let body = format!(r#"{{"priority":"{level}"}}"#);
        assert!(
            serde_json::from_str::<SetPriorityRequest>(&body).is_ok(),
            "{level}"
        );
    }
    let r: SetPriorityRequest = serde_json::from_str(r#"{"priority":null}"#).unwrap();
    assert_eq!(r.priority, None);
    for bad in [
        r#"{"priority":"urgent"}"#,
        r#"{"priority":1}"#,
        r#"{}"#,
        "[]",
    ] {
        assert!(
            serde_json::from_str::<SetPriorityRequest>(bad).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn new_adhoc_task_needs_only_a_title() {
    let t: NewAdHocTask = serde_json::from_str(r#"{"title":"Call the bank"}"#).unwrap();
    assert_eq!((t.due, t.priority, t.notes), (None, None, None));
}

#[test]
fn title_and_notes_limits_count_characters_not_bytes() {
    assert_eq!(check_title("  "), Err(AdHocInvalid::EmptyTitle));
    assert_eq!(check_title(&"é".repeat(200)), Ok(()));
    assert_eq!(
        check_title(&"é".repeat(201)),
        Err(AdHocInvalid::TitleTooLong)
    );
    assert_eq!(check_notes(&"é".repeat(2000)), Ok(()));
    assert_eq!(
        check_notes(&"x".repeat(2001)),
        Err(AdHocInvalid::NotesTooLong)
    );
    assert!(AdHocInvalid::TitleTooLong.message().contains("200"));
}
