//! Local decisions and ad-hoc tasks: the requests that change them and the stored
//! ad-hoc task.
//!
//! Decisions (dismiss, restore, priority override) and ad-hoc tasks live only in the
//! backend's store, never at a source: the app is read-only toward the sources.

use serde::{Deserialize, Deserializer, Serialize};

use crate::task::Priority;

/// The longest ad-hoc task title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;

/// The longest ad-hoc task notes, in characters.
pub const MAX_NOTES_CHARS: usize = 2000;

/// `PUT /api/tasks/{id}/priority`: set (or with `null`, clear) the user's override.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetPriorityRequest {
    /// The level to show instead of the computed one; `null` clears the override. The
    /// field is required: an empty body must not clear an override by accident.
    #[serde(deserialize_with = "required_nullable")]
    pub priority: Option<Priority>,
}

/// `POST /api/adhoc`: a task of the user's own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAdHocTask {
    /// One line, 1–200 characters.
    pub title: String,
    /// Due date/time, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<i64>,
    /// The level the user chose; acts as an override of the computed level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// Free text, at most 2000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// `PATCH /api/adhoc/{id}`: only the fields present change; `null` clears an optional
/// field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdHocPatch {
    /// A new title (cannot be cleared).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Absent: unchanged; `null`: no due date; a number: the new due date.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub due: Option<Option<i64>>,
    /// Absent: unchanged; `null`: no chosen level; a level: the new one.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub priority: Option<Option<Priority>>,
    /// Absent: unchanged; `null`: no notes; a string: the new notes.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub notes: Option<Option<String>>,
}

/// A field that must be present but may be `null` (`deserialize_with` turns off
/// serde's "missing `Option` means `None`").
fn required_nullable<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer)
}

/// Tells a field that is present (even as `null`) from one that is absent: serde calls
/// this only for present fields, and `default` gives `None` for absent ones.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A stored ad-hoc task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdHocTask {
    /// Its id in the store (the task id is `ad_hoc:<id>`).
    pub id: String,
    /// One line.
    pub title: String,
    /// Due date/time, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<i64>,
    /// The level the user chose, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// When it was created, Unix seconds.
    pub created_at: i64,
    /// When it last changed, Unix seconds.
    pub updated_at: i64,
}

/// Why an ad-hoc title or notes field was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdHocInvalid {
    /// The title is empty or only whitespace.
    EmptyTitle,
    /// The title is longer than [`MAX_TITLE_CHARS`].
    TitleTooLong,
    /// The notes are longer than [`MAX_NOTES_CHARS`].
    NotesTooLong,
}

impl AdHocInvalid {
    /// What to tell the user.
    pub fn message(&self) -> String {
        match self {
            AdHocInvalid::EmptyTitle => "The title cannot be empty.".to_owned(),
            AdHocInvalid::TitleTooLong => {
                format!("The title is too long: at most {MAX_TITLE_CHARS} characters.")
            }
            AdHocInvalid::NotesTooLong => {
                format!("The notes are too long: at most {MAX_NOTES_CHARS} characters.")
            }
        }
    }
}

/// Checks a title: not blank, at most [`MAX_TITLE_CHARS`] characters.
///
/// # Errors
/// [`AdHocInvalid::EmptyTitle`] or [`AdHocInvalid::TitleTooLong`].
pub fn check_title(title: &str) -> Result<(), AdHocInvalid> {
    if title.trim().is_empty() {
        Err(AdHocInvalid::EmptyTitle)
    } else if title.chars().count() > MAX_TITLE_CHARS {
        Err(AdHocInvalid::TitleTooLong)
    } else {
        Ok(())
    }
}

/// Checks notes: at most [`MAX_NOTES_CHARS`] characters.
///
/// # Errors
/// [`AdHocInvalid::NotesTooLong`].
pub fn check_notes(notes: &str) -> Result<(), AdHocInvalid> {
    if notes.chars().count() > MAX_NOTES_CHARS {
        Err(AdHocInvalid::NotesTooLong)
    } else {
        Ok(())
    }
}
