//! Google Drive: open comments assigned to me or mentioning me.
//!
//! Drive has no cross-file "comments for me" query, so this takes two steps:
//! 1. a Drive Activity query for comment activity since a week before today (every
//!    page; the page token travels in the request body) names the files where I was
//!    assigned a comment or mentioned (`knownUser.isCurrentUser`);
//! 2. `comments.list` on each of those files (every page, [`CONCURRENT_FILES`] files at
//!    a time) gives the comments as they are now. The activity only says where to look:
//!    a comment resolved since then is not a task.
//!
//! Kept: comments neither resolved nor deleted whose assignee is me (→ `waiting_on_me`)
//! or that mention me (→ `direct_mention`), as [`TaskKind::DocComment`] tasks titled
//! "Comment on <doc>: <text>", linking to the comment in the editor, with refs
//! `gdoc:<file id>` plus the keys in the text. A file whose comments cannot be read any
//! more (`404`: deleted, or access lost) is skipped and counted; a kept comment without
//! an id or text likewise.
//!
//! Hosts: the Activity API lives on `driveactivity.googleapis.com`, comments on
//! `www.googleapis.com`. The option `activity_base_url` sets the Activity origin; when it
//! is unset, a source based at `https://www.googleapis.com` uses
//! [`PRODUCTION_ACTIVITY_BASE`] and any other base (demo: the simulator) serves both.
//! The Activity host must be on the allow-list like any other.
//!
//! "Me" is `ctx.me.email`; without it, Drive's `about.get` says who the token is for.

use std::collections::HashSet;

use futures::{stream, StreamExt, TryStreamExt};
use jiff::tz::{Offset, TimeZone};
use jiff::Timestamp;
use pmt_wire::{Person, Signals, Source, Task, TaskKind};
use serde::{Deserialize, Serialize};

use super::gmail::text;
use super::{FetchContext, Fetched, SourceClient, SourceError, Today};
use crate::plan::refs;

/// The Activity API's production origin.
pub const PRODUCTION_ACTIVITY_BASE: &str = "https://driveactivity.googleapis.com";
/// `activity:query`, relative to the Activity origin.
pub const ACTIVITY_PATH: &str = "/v2/activity:query";
/// The comment fields a task needs (`comments.list` refuses a call without `fields`).
pub const COMMENT_FIELDS: &str = "nextPageToken,comments(id,createdTime,modifiedTime,resolved,deleted,author(displayName,me),content,quotedFileContent,assigneeEmailAddress,mentionedEmailAddresses)";
/// How many files' comments are read at once.
pub const CONCURRENT_FILES: usize = 4;
/// How far back comment activity is looked at, days before today's start.
pub const LOOKBACK_DAYS: i64 = 7;
/// Pages followed at most, per list; more is cut and counted as one skipped item.
const MAX_PAGES: usize = 10;
/// Activities asked for per page (a minimum for the API, which may send fewer).
const ACTIVITY_PAGE_SIZE: u32 = 100;
/// Comments asked for per page (the API's maximum).
const COMMENT_PAGE_SIZE: u32 = 100;

/// Finds the files with comment activity for me, reads their comments, normalizes.
///
/// # Errors
/// Any [`SourceError`] of the calls (except a file's `404`, which skips that file);
/// [`SourceError::Provider`] when no email is known for me and Drive does not say.
pub async fn fetch(ctx: &FetchContext) -> Result<Fetched, SourceError> {
    let me = match ctx.me.email.as_deref().filter(|e| !e.is_empty()) {
        Some(email) => email.to_owned(),
        None => my_email(&ctx.client).await?,
    };
    let (activities, activity_truncated) = query_activity(
        &ctx.client,
        &activity_url(ctx),
        &activity_filter(&ctx.today),
    )
    .await?;
    let files = files_for_me(&activities);
    let listed: Vec<Option<(FileComments, bool)>> = stream::iter(files)
        .map(|file| list_comments(&ctx.client, file))
        .buffered(CONCURRENT_FILES)
        .try_collect()
        .await?;
    let unreadable = listed.iter().filter(|f| f.is_none()).count();
    let comments_truncated = listed.iter().flatten().filter(|(_, cut)| *cut).count();
    let mut fetched = normalize(listed.into_iter().flatten().map(|(f, _)| f).collect(), &me);
    fetched.skipped += unreadable + comments_truncated + usize::from(activity_truncated);
    Ok(fetched)
}

/// Where `activity:query` is posted (see the module documentation).
fn activity_url(ctx: &FetchContext) -> String {
    match ctx.option("activity_base_url") {
        Some(base) => format!("{}{ACTIVITY_PATH}", base.trim_end_matches('/')),
        None if ctx.client.base().host_str() == Some("www.googleapis.com") => {
            format!("{PRODUCTION_ACTIVITY_BASE}{ACTIVITY_PATH}")
        }
        None => ACTIVITY_PATH.to_owned(),
    }
}

/// The Activity filter: comment activity since [`LOOKBACK_DAYS`] before today began.
pub fn activity_filter(today: &Today) -> String {
    let since = today.start - LOOKBACK_DAYS * 86_400;
    let zone = Offset::from_seconds(today.utc_offset_secs)
        .map(TimeZone::fixed)
        .unwrap_or(TimeZone::UTC);
    let since = Timestamp::from_second(since)
        .map(|t| {
            t.to_zoned(zone)
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string()
        })
        .unwrap_or_else(|_| today.start_rfc3339.clone());
    format!("time >= \"{since}\" AND detail.action_detail_case:COMMENT")
}

/// The body of `activity:query`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ActivityQuery<'a> {
    filter: &'a str,
    consolidation_strategy: serde_json::Value,
    page_size: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    page_token: Option<&'a str>,
}

async fn query_activity(
    client: &SourceClient,
    url: &str,
    filter: &str,
) -> Result<(Vec<DriveActivity>, bool), SourceError> {
    let mut activities = Vec::new();
    let mut page_token: Option<String> = None;
    let mut truncated = false;
    for page in 1..=MAX_PAGES {
        let body = ActivityQuery {
            filter,
            consolidation_strategy: serde_json::json!({ "none": {} }),
            page_size: ACTIVITY_PAGE_SIZE,
            page_token: page_token.as_deref(),
        };
        let response: ActivityPage = client.post_json(url, &body).await?;
        activities.extend(response.activities);
        page_token = response.next_page_token.filter(|t| !t.is_empty());
        if page_token.is_none() {
            break;
        }
        truncated = page == MAX_PAGES;
    }
    Ok((activities, truncated))
}

/// All open comments of one file (`None` when the file's comments are gone), and
/// whether the page cap cut them.
async fn list_comments(
    client: &SourceClient,
    file: DocFile,
) -> Result<Option<(FileComments, bool)>, SourceError> {
    let mut comments = Vec::new();
    let mut page_token: Option<String> = None;
    let mut truncated = false;
    for page in 1..=MAX_PAGES {
        let path = comments_query(&file.id, page_token.as_deref());
        let response: CommentList = match client.get_json(&path).await {
            Ok(r) => r,
            Err(SourceError::Status(404)) => return Ok(None),
            Err(e) => return Err(e),
        };
        comments.extend(response.comments);
        page_token = response.next_page_token.filter(|t| !t.is_empty());
        if page_token.is_none() {
            break;
        }
        truncated = page == MAX_PAGES;
    }
    Ok(Some((FileComments { file, comments }, truncated)))
}

/// The path and query of one `comments.list` page. `file_id` must be plain (see
/// [`files_for_me`]).
pub fn comments_query(file_id: &str, page_token: Option<&str>) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("fields", COMMENT_FIELDS)
        .append_pair("pageSize", &COMMENT_PAGE_SIZE.to_string())
        .append_pair("includeDeleted", "false");
    if let Some(token) = page_token {
        q.append_pair("pageToken", token);
    }
    format!("/drive/v3/files/{file_id}/comments?{}", q.finish())
}

async fn my_email(client: &SourceClient) -> Result<String, SourceError> {
    let about: About = client
        .get_json("/drive/v3/about?fields=user(displayName%2CemailAddress)")
        .await?;
    about
        .user
        .and_then(|u| u.email_address)
        .filter(|e| !e.is_empty())
        .ok_or_else(|| SourceError::Provider("Drive did not say which user this is".into()))
}

/// `about.get` with `fields=user(…)`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct About {
    user: Option<DriveUser>,
}

/// One page of `activity:query`. `activities` is absent when nothing matched.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ActivityPage {
    /// Activities, newest first.
    pub activities: Vec<DriveActivity>,
    /// Present when there is another page.
    pub next_page_token: Option<String>,
}

/// One Drive activity (possibly several actions on several targets).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DriveActivity {
    /// The most important action's detail.
    pub primary_action_detail: Option<ActionDetail>,
    /// Every action.
    pub actions: Vec<Action>,
    /// What was acted on.
    pub targets: Vec<Target>,
}

/// One action of an activity.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Action {
    /// What happened.
    pub detail: Option<ActionDetail>,
    /// On what, when it differs from the activity's targets.
    pub target: Option<Target>,
}

/// What happened (only comments matter here).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ActionDetail {
    /// A comment was posted, assigned, resolved, …
    pub comment: Option<CommentDetail>,
}

/// A comment action.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CommentDetail {
    /// Present for assignment actions.
    pub assignment: Option<Assignment>,
    /// Users @-mentioned.
    pub mentioned_users: Vec<User>,
}

/// A comment assignment.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Assignment {
    /// Who it is assigned to.
    pub assigned_user: Option<User>,
    /// `ADDED`, `REASSIGNED`, `RESOLVED`, … (any value is accepted).
    pub subtype: Option<String>,
}

/// A Drive Activity user: known, deleted or unknown. No email is given.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct User {
    /// Present for known users.
    pub known_user: Option<KnownUser>,
}

/// A known user.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct KnownUser {
    /// `people/<account id>`.
    pub person_name: Option<String>,
    /// Whether this is the user the token is for.
    pub is_current_user: bool,
}

impl User {
    fn is_me(&self) -> bool {
        self.known_user.as_ref().is_some_and(|k| k.is_current_user)
    }
}

/// What an action was on.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Target {
    /// A file or folder.
    pub drive_item: Option<DriveItem>,
    /// A comment on a file.
    pub file_comment: Option<FileComment>,
}

/// A comment target.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FileComment {
    /// The file the comment is on.
    pub parent: Option<DriveItem>,
}

/// A file or folder.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DriveItem {
    /// `items/<file id>`.
    pub name: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// MIME type.
    pub mime_type: Option<String>,
}

/// A file whose comments are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocFile {
    /// Drive file id.
    pub id: String,
    /// Title, when the activity named it.
    pub title: Option<String>,
    /// MIME type, when the activity named it (decides the editor link).
    pub mime_type: Option<String>,
}

/// The files of comment activities that assigned or mentioned me, each once, in the
/// order first seen. Items whose name is not a plain file id are ignored.
pub fn files_for_me(activities: &[DriveActivity]) -> Vec<DocFile> {
    let mut files: Vec<DocFile> = Vec::new();
    for activity in activities {
        let details = activity
            .primary_action_detail
            .iter()
            .chain(activity.actions.iter().filter_map(|a| a.detail.as_ref()));
        let for_me = details.filter_map(|d| d.comment.as_ref()).any(|c| {
            c.assignment
                .as_ref()
                .and_then(|a| a.assigned_user.as_ref())
                .is_some_and(User::is_me)
                || c.mentioned_users.iter().any(User::is_me)
        });
        if !for_me {
            continue;
        }
        let targets = activity
            .targets
            .iter()
            .chain(activity.actions.iter().filter_map(|a| a.target.as_ref()));
        for item in targets.filter_map(|t| {
            t.file_comment
                .as_ref()
                .and_then(|c| c.parent.as_ref())
                .or(t.drive_item.as_ref())
        }) {
            let Some(id) = item
                .name
                .as_deref()
                .and_then(|n| n.strip_prefix("items/"))
                .filter(|id| is_plain_id(id))
            else {
                continue;
            };
            match files.iter_mut().find(|f| f.id == id) {
                Some(known) => {
                    known.title = known.title.take().or_else(|| item.title.clone());
                    known.mime_type = known.mime_type.take().or_else(|| item.mime_type.clone());
                }
                None => files.push(DocFile {
                    id: id.to_owned(),
                    title: item.title.clone(),
                    mime_type: item.mime_type.clone(),
                }),
            }
        }
    }
    files
}

/// Ids go into URL paths and links: only letters, digits, `-` and `_` are accepted.
fn is_plain_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// One page of `comments.list`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CommentList {
    /// Comments.
    pub comments: Vec<Comment>,
    /// Present when there is another page.
    pub next_page_token: Option<String>,
}

/// A comment on a file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Comment {
    /// Comment id.
    pub id: Option<String>,
    /// Created, RFC 3339.
    pub created_time: Option<String>,
    /// Last change to it or a reply, RFC 3339.
    pub modified_time: Option<String>,
    /// Resolved.
    pub resolved: bool,
    /// Deleted.
    pub deleted: bool,
    /// Who wrote it (no email: Drive does not give one).
    pub author: Option<DriveUser>,
    /// Plain text.
    pub content: Option<String>,
    /// Who it is assigned to.
    pub assignee_email_address: Option<String>,
    /// Who it mentions.
    pub mentioned_email_addresses: Vec<String>,
}

/// A Drive user.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DriveUser {
    /// Display name.
    pub display_name: Option<String>,
    /// Email (given by `about.get`, not on comments).
    pub email_address: Option<String>,
    /// Whether this is the user the token is for.
    pub me: bool,
}

/// One file and its comments.
#[derive(Debug, Clone)]
pub struct FileComments {
    /// The file.
    pub file: DocFile,
    /// Its comments, as listed.
    pub comments: Vec<Comment>,
}

/// Open comments assigned to `me` (an email) or mentioning me, as tasks; with the count
/// of such comments that were unusable (no id, no text).
pub fn normalize(files: Vec<FileComments>, me: &str) -> Fetched {
    let mut fetched = Fetched::default();
    let mut seen = HashSet::new();
    for FileComments { file, comments } in files {
        for comment in comments {
            let same = |e: &String| e.trim().eq_ignore_ascii_case(me);
            let assigned = comment.assignee_email_address.as_ref().is_some_and(same);
            let mentioned = comment.mentioned_email_addresses.iter().any(same);
            if comment.resolved || comment.deleted || !(assigned || mentioned) {
                continue;
            }
            match to_task(&file, &comment, assigned, mentioned) {
                Some(task) => {
                    if seen.insert(task.id.clone()) {
                        fetched.tasks.push(task);
                    }
                }
                None => fetched.skipped += 1,
            }
        }
    }
    fetched
}

fn to_task(file: &DocFile, comment: &Comment, assigned: bool, mentioned: bool) -> Option<Task> {
    let comment_id = comment.id.as_deref().filter(|id| is_plain_id(id))?;
    let content = comment.content.as_deref().and_then(text::snippet)?;
    let doc_title = file
        .title
        .as_deref()
        .and_then(|t| text::one_line(t, 80))
        .unwrap_or_else(|| "a document".to_owned());
    let short = text::one_line(&content, 100).unwrap_or_default();
    let title = format!("Comment on {doc_title}: {short}");
    let url = comment_link(file, comment_id);
    let mut keys = vec![format!("gdoc:{}", file.id)];
    for key in refs::extract(&format!("{title}\n{content}\n{url}")) {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    let people = comment
        .author
        .as_ref()
        .filter(|a| !a.me)
        .and_then(|a| a.display_name.as_deref())
        .and_then(|n| text::one_line(n, 100))
        .map(|name| Person { name, handle: None })
        .into_iter()
        .collect();
    let updated_at = comment
        .modified_time
        .as_deref()
        .or(comment.created_time.as_deref())
        .and_then(|t| t.parse::<Timestamp>().ok())
        .map(|t| t.as_second());
    let kind = TaskKind::DocComment;
    Some(Task {
        snippet: Some(content),
        url: Some(url),
        people,
        signals: Signals {
            updated_at,
            waiting_on_me: assigned,
            direct_mention: mentioned,
            ..Signals::default()
        },
        refs: keys,
        ..Task::new(
            Source::GoogleDrive,
            &format!("{}:{comment_id}", file.id),
            kind,
            title,
        )
    })
}

/// The comment in its editor (Docs, Sheets, Slides; the Drive viewer for other files).
fn comment_link(file: &DocFile, comment_id: &str) -> String {
    let id = &file.id;
    match file.mime_type.as_deref() {
        Some("application/vnd.google-apps.spreadsheet") => {
            format!("https://docs.google.com/spreadsheets/d/{id}/edit?disco={comment_id}")
        }
        Some("application/vnd.google-apps.presentation") => {
            format!("https://docs.google.com/presentation/d/{id}/edit?disco={comment_id}")
        }
        Some(m) if !m.starts_with("application/vnd.google-apps.") => {
            format!("https://drive.google.com/file/d/{id}/view?disco={comment_id}")
        }
        _ => format!("https://docs.google.com/document/d/{id}/edit?disco={comment_id}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_looks_back_a_week_from_local_midnight() {
        // Monday 2026-11-23 09:30 in Paris.
        let today = Today::at(1_795_422_600, "Europe/Paris").unwrap();
        assert_eq!(
            activity_filter(&today),
            "time >= \"2026-11-16T00:00:00+01:00\" AND detail.action_detail_case:COMMENT"
        );
    }

    #[test]
    fn comment_links_follow_the_file_type() {
        let file = |m: Option<&str>| DocFile {
            id: "1abc".into(),
            title: None,
            mime_type: m.map(str::to_owned),
        };
        assert_eq!(
            comment_link(&file(None), "C1"),
            "https://docs.google.com/document/d/1abc/edit?disco=C1"
        );
        assert_eq!(
            comment_link(&file(Some("application/vnd.google-apps.spreadsheet")), "C1"),
            "https://docs.google.com/spreadsheets/d/1abc/edit?disco=C1"
        );
        assert_eq!(
            comment_link(&file(Some("application/pdf")), "C1"),
            "https://drive.google.com/file/d/1abc/view?disco=C1"
        );
    }

    #[test]
    fn the_comments_query_always_names_fields() {
        let q = comments_query("1abc", Some("next page"));
        assert!(q.starts_with("/drive/v3/files/1abc/comments?fields=nextPageToken%2Ccomments%28"));
        assert!(q.ends_with("&pageToken=next+page"));
    }
}
