//! Google Drive connector: against the real simulator (Activity discovery, comments per
//! file, pagination on both, the Activity host option, faults) and its pure steps on
//! recorded Activity and comments bodies.

use crate::sim_support;

use std::collections::BTreeMap;

use pmt_server::sources::google_drive::{self, ActivityPage, CommentList, FileComments};
use pmt_server::sources::{Fetched, SourceError, Today};
use pmt_wire::{Source, Task, TaskKind};
use serde_json::{json, Value};
use sim_support::SimHarness;

const SOURCE: Source = Source::GoogleDrive;
const BUDGET_DOC: &str = "1BudgetQ3DocAcme00000000000";
const SYNC_DOC: &str = "1SyncV2DesignDoc0000000000000";

fn with_id<'a>(fetched: &'a Fetched, id: &str) -> &'a Task {
    fetched
        .tasks
        .iter()
        .find(|t| t.id.as_str() == id)
        .unwrap_or_else(|| panic!("no task {id} in {:#?}", ids(fetched)))
}

fn ids(fetched: &Fetched) -> Vec<&str> {
    fetched.tasks.iter().map(|t| t.id.as_str()).collect()
}

// ---- against the simulator ----

#[tokio::test]
async fn open_comments_assigned_to_me_or_mentioning_me_become_tasks() {
    let h = SimHarness::start_default().await;
    let fetched = google_drive::fetch(&h.context(SOURCE)).await.unwrap();
    assert_eq!(
        ids(&fetched),
        [
            "google_drive:1SyncV2DesignDoc0000000000000:AAABsyncV2c1",
            "google_drive:1BudgetQ3DocAcme00000000000:AAABbudgetC1",
            "google_drive:1OnboardingChecklistSheet000:AAABonboardC1",
        ],
        "resolved, deleted, other people's and my own comments are not tasks"
    );
    assert_eq!(
        fetched.skipped, 1,
        "the file deleted since its activity (404)"
    );
    assert!(fetched
        .tasks
        .iter()
        .all(|t| t.kind == TaskKind::DocComment && t.dismissible));

    let budget = with_id(&fetched, &format!("google_drive:{BUDGET_DOC}:AAABbudgetC1"));
    assert_eq!(
        budget.title,
        "Comment on Q3 budget draft: @dana@example.com please confirm these numbers"
    );
    assert!(budget.signals.waiting_on_me && budget.signals.direct_mention);
    assert_eq!(
        budget.url.as_deref(),
        Some("https://docs.google.com/document/d/1BudgetQ3DocAcme00000000000/edit?disco=AAABbudgetC1")
    );
    assert_eq!(budget.refs[0], format!("gdoc:{BUDGET_DOC}"));
    assert_eq!(budget.people[0].name, "Grace Hopper");
    assert_eq!(budget.signals.updated_at, Some(h.today.now - 120 * 60));

    let sync = with_id(&fetched, &format!("google_drive:{SYNC_DOC}:AAABsyncV2c1"));
    assert!(sync.signals.direct_mention && !sync.signals.waiting_on_me);
    assert_eq!(
        sync.refs,
        [format!("gdoc:{SYNC_DOC}"), "linear:ENG-142".to_owned()]
    );
    assert_eq!(sync.people[0].name, "Alan Turing");

    let onboarding = with_id(
        &fetched,
        "google_drive:1OnboardingChecklistSheet000:AAABonboardC1",
    );
    assert!(onboarding
        .url
        .as_deref()
        .unwrap()
        .starts_with("https://docs.google.com/spreadsheets/d/1OnboardingChecklistSheet000/edit"));
}

#[tokio::test]
async fn every_activity_page_and_every_comment_page_is_followed() {
    let h = SimHarness::start_default().await;
    let fetched = google_drive::fetch(&h.context(SOURCE)).await.unwrap();
    assert_eq!(fetched.tasks.len(), 3);
    // Activity: 7 matching over pages of 3 = 3 calls. Comments: design doc 1 page,
    // budget doc 3 live comments over pages of 2 = 2, onboarding sheet 1, the deleted
    // file 1 (its 404). Offsite, retro and edit-only files are never read.
    assert_eq!(h.sims.seen_tokens().len(), 3 + 1 + 2 + 1 + 1);
}

#[tokio::test]
async fn without_a_known_email_drive_says_who_i_am() {
    let h = SimHarness::start_default().await;
    let mut ctx = h.context(SOURCE);
    ctx.me.email = None;
    let fetched = google_drive::fetch(&ctx).await.unwrap();
    assert_eq!(fetched.tasks.len(), 3);
}

#[tokio::test]
async fn the_activity_origin_is_configurable_and_allow_listed() {
    let h = SimHarness::start_default().await;
    let mut ctx = h.context(SOURCE);
    ctx.options
        .insert("activity_base_url".into(), format!("{}/", h.base(SOURCE)));
    assert_eq!(google_drive::fetch(&ctx).await.unwrap().tasks.len(), 3);

    ctx.options.insert(
        "activity_base_url".into(),
        google_drive::PRODUCTION_ACTIVITY_BASE.into(),
    );
    assert_eq!(
        google_drive::fetch(&ctx).await.unwrap_err(),
        SourceError::HostNotAllowed("driveactivity.googleapis.com:443".into())
    );
}

#[tokio::test]
async fn no_comment_activity_this_week_is_an_empty_list_not_an_error() {
    let h = SimHarness::start_default().await;
    let mut ctx = h.context(SOURCE);
    ctx.today = Today::at(h.today.now + 30 * 86_400, "Europe/Paris").unwrap();
    let fetched = google_drive::fetch(&ctx).await.unwrap();
    assert!(fetched.tasks.is_empty());
    assert_eq!(fetched.skipped, 0);
}

async fn sim_call(h: &SimHarness, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let client = reqwest::Client::new();
    let url = format!("{}{path}", h.base(SOURCE));
    let request = match method {
        "POST" => client.post(url).json(&body.unwrap_or(json!({}))),
        _ => client.get(url),
    };
    let response = request
        .bearer_auth(h.token(SOURCE))
        .send()
        .await
        .expect("the simulator answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

#[tokio::test]
async fn the_simulator_requires_fields_and_knows_its_files_like_drive() {
    let h = SimHarness::start_default().await;
    let (status, body) = sim_call(
        &h,
        "GET",
        &format!("/drive/v3/files/{BUDGET_DOC}/comments"),
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["errors"][0]["reason"], "required");

    let (status, body) = sim_call(
        &h,
        "GET",
        "/drive/v3/files/1NoSuchFile000000000000000/comments?fields=comments(id)",
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["errors"][0]["reason"], "notFound");
}

#[tokio::test]
async fn the_simulator_evaluates_activity_filters_like_drive_activity() {
    let h = SimHarness::start_default().await;
    let (status, _) = sim_call(
        &h,
        "POST",
        "/v2/activity:query",
        Some(json!({"filter": "time >= yesterday"})),
    )
    .await;
    assert_eq!(status, 400);

    let (status, body) = sim_call(
        &h,
        "POST",
        "/v2/activity:query",
        Some(json!({"filter": "time >= \"2100-01-01T00:00:00Z\""})),
    )
    .await;
    assert_eq!((status, body), (200, json!({})), "an empty result is {{}}");

    let (status, body) = sim_call(
        &h,
        "POST",
        "/v2/activity:query",
        Some(json!({"filter": "detail.action_detail_case:EDIT"})),
    )
    .await;
    assert_eq!(status, 200);
    let page: ActivityPage = serde_json::from_value(body).unwrap();
    assert_eq!(page.activities.len(), 1);
}

// ---- the pure steps on recorded bodies ----

fn recorded_activity() -> ActivityPage {
    serde_json::from_str(include_str!("fixtures/google/drive_activity.json"))
        .expect("the fixture parses")
}

fn recorded_comments() -> Vec<FileComments> {
    let by_file: BTreeMap<String, CommentList> =
        serde_json::from_str(include_str!("fixtures/google/drive_comments.json"))
            .expect("the fixture parses");
    google_drive::files_for_me(&recorded_activity().activities)
        .into_iter()
        .map(|file| FileComments {
            comments: by_file
                .get(&file.id)
                .map(|l| l.comments.clone())
                .unwrap_or_default(),
            file,
        })
        .collect()
}

fn recorded() -> Fetched {
    google_drive::normalize(recorded_comments(), "dana@example.com")
}

#[test]
fn only_files_where_i_was_assigned_or_mentioned_are_read_each_once() {
    let files = google_drive::files_for_me(&recorded_activity().activities);
    let found: Vec<(&str, Option<&str>)> = files
        .iter()
        .map(|f| (f.id.as_str(), f.title.as_deref()))
        .collect();
    assert_eq!(
        found,
        [
            (BUDGET_DOC, Some("Q3 budget draft")),
            (SYNC_DOC, Some("Sync v2 design")),
            ("1LaunchChecklistSheet00000", Some("Launch checklist")),
            ("1SpecDeck000000000000000000", Some("Spec deck")),
        ],
        "other people's mentions and assignments, edits, and names that are not plain file ids are ignored"
    );
}

#[test]
fn open_comments_for_me_are_kept_and_unusable_ones_counted() {
    let fetched = recorded();
    assert_eq!(
        ids(&fetched),
        [
            "google_drive:1BudgetQ3DocAcme00000000000:AAABbudgetC1",
            "google_drive:1BudgetQ3DocAcme00000000000:AAABbudgetC6",
            "google_drive:1SyncV2DesignDoc0000000000000:AAABsyncV2c1",
            "google_drive:1LaunchChecklistSheet00000:AAABlaunchC1",
        ]
    );
    // Assigned to me without text, mentioning me without an id, an id with path
    // characters.
    assert_eq!(fetched.skipped, 3);
}

#[test]
fn assignment_means_waiting_on_me_and_a_mention_means_a_direct_mention() {
    let fetched = recorded();
    let assigned = with_id(
        &fetched,
        "google_drive:1BudgetQ3DocAcme00000000000:AAABbudgetC1",
    );
    assert!(
        assigned.signals.waiting_on_me,
        "the assignee matches in any case"
    );
    assert!(!assigned.signals.direct_mention);
    let mentioned = with_id(
        &fetched,
        "google_drive:1SyncV2DesignDoc0000000000000:AAABsyncV2c1",
    );
    assert!(mentioned.signals.direct_mention && !mentioned.signals.waiting_on_me);
}

#[test]
fn comment_text_stays_as_written_and_long_titles_are_cut() {
    let fetched = recorded();
    let sync = with_id(
        &fetched,
        "google_drive:1SyncV2DesignDoc0000000000000:AAABsyncV2c1",
    );
    assert_eq!(
        sync.snippet.as_deref(),
        Some("@dana@example.com is the ENG-142 fix in scope for v2? (p99 < 5 ms & no regressions)")
    );
    let long = with_id(
        &fetched,
        "google_drive:1BudgetQ3DocAcme00000000000:AAABbudgetC6",
    );
    assert!(long
        .title
        .starts_with("Comment on Q3 budget draft: Note for myself"));
    assert!(long.title.ends_with('…'));
    assert!(long
        .snippet
        .as_deref()
        .unwrap()
        .ends_with("published last week"));
    assert!(long.people.is_empty(), "my own comment names nobody");
    assert_eq!(long.signals.updated_at, Some(1_795_413_600));
}

#[test]
fn links_open_the_comment_in_the_right_editor() {
    let fetched = recorded();
    assert_eq!(
        with_id(&fetched, "google_drive:1LaunchChecklistSheet00000:AAABlaunchC1")
            .url
            .as_deref(),
        Some("https://docs.google.com/spreadsheets/d/1LaunchChecklistSheet00000/edit?disco=AAABlaunchC1")
    );
}

sim_support::standard_fault_tests!(Source::GoogleDrive);
