//! The dashboard's data: the indexed snapshot as a signal, and every call that
//! changes it (load, refresh, decisions, ad-hoc tasks).
//!
//! Components read [`DashboardData`] from context and call its methods; tests
//! provide one with a snapshot already set, so rendering needs no backend.

use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use pmt_wire::{
    AdHocPatch, NewAdHocTask, RefreshEvent, SetPriorityRequest, Snapshot, Source, SourceState,
    SourceStatus, Task, TaskId,
};

use crate::api::CallError;
use crate::model::decision;
use crate::model::Board;
use crate::offline;
use crate::refresh::{self, StreamEnd};
use crate::session::{now_secs, Session};

/// One source's place in a running refresh.
#[derive(Clone, Debug, PartialEq)]
pub enum SourceProgress {
    /// Not started yet.
    Waiting,
    /// Being fetched.
    Running,
    /// Finished, with its status.
    Finished(SourceStatus),
}

/// A decision the user takes on one task, from a button or a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskAction {
    /// Hide it here (kinds the source cannot mark done).
    Dismiss,
    /// Bring it back.
    Restore,
    /// One level up.
    Boost,
    /// One level down.
    Demote,
    /// Back to the computed level.
    ClearOverride,
}

/// The snapshot and everything that changes it, provided as context.
#[derive(Clone, Copy, Debug)]
pub struct DashboardData {
    session: Session,
    /// The indexed snapshot.
    pub board: RwSignal<Board>,
    /// Whether a snapshot has arrived (first load done).
    pub loaded: RwSignal<bool>,
    /// Why the first load failed.
    pub load_error: RwSignal<Option<String>>,
    /// Per-source progress while a refresh runs; `None` when idle.
    pub progress: RwSignal<Option<Vec<(Source, SourceProgress)>>>,
    /// The last failed action, shown as an alert until the next one succeeds.
    pub error: RwSignal<Option<String>>,
    /// What the polite live region says.
    pub announcement: RwSignal<String>,
    /// The clock, Unix seconds, ticking while the dashboard is shown.
    pub now: RwSignal<i64>,
    /// `Some(generated_at)` while the server cannot be reached and the board shows the
    /// plan kept on this device (read-only); `None` when it is live.
    pub offline: RwSignal<Option<i64>>,
}

/// What an action that needs the server says while the plan is the kept one.
const OFFLINE_REFUSAL: &str =
    "You are offline: this plan is read-only until the server can be reached.";

/// A task id as one path segment (ids hold `:`, `/` and `#`).
fn segment(id: &TaskId) -> String {
    String::from(js_sys::encode_uri_component(id.as_str()))
}

impl DashboardData {
    /// Empty: nothing loaded yet.
    pub fn new(session: Session) -> DashboardData {
        DashboardData {
            session,
            board: RwSignal::new(Board::default()),
            loaded: RwSignal::new(false),
            load_error: RwSignal::new(None),
            progress: RwSignal::new(None),
            error: RwSignal::new(None),
            announcement: RwSignal::new(String::new()),
            now: RwSignal::new(now_secs()),
            offline: RwSignal::new(None),
        }
    }

    /// Whether the board shows the kept plan (read-only), tracked.
    pub fn is_offline(&self) -> bool {
        self.offline.with(Option::is_some)
    }

    /// [`DashboardData::is_offline`] as a signal, for `disabled=` on the actions that need
    /// the server (one signal type everywhere keeps the bundle small).
    pub fn read_only(&self) -> Signal<bool> {
        let offline = self.offline;
        Signal::derive(move || offline.with(Option::is_some))
    }

    /// Refuses an action that needs the server while offline (and says why).
    fn refused_offline(&self) -> bool {
        let offline = self.offline.with_untracked(Option::is_some);
        if offline {
            self.announce(OFFLINE_REFUSAL);
        }
        offline
    }

    /// The server cannot be reached: show the live board as read-only, or the plan kept
    /// on this device; `false` when there is neither.
    fn go_offline(&self) -> bool {
        if self.loaded.get_untracked() {
            let at = self.board.with_untracked(|b| b.snapshot().generated_at);
            self.offline.set(Some(at));
            return true;
        }
        let user = untrack(|| self.session.get()).map(|s| s.user.sub);
        let Some(plan) = user.as_deref().and_then(|u| offline::recall(Some(u))) else {
            return false;
        };
        self.offline.set(Some(plan.snapshot.generated_at));
        self.set_snapshot(plan.snapshot);
        true
    }

    /// Shows a snapshot (keeps unchanged cards in place).
    pub fn set_snapshot(&self, snapshot: Snapshot) {
        self.board.update(|b| *b = b.successor(snapshot));
        self.loaded.set(true);
        self.load_error.set(None);
    }

    /// Says something in the live region.
    pub fn announce(&self, text: impl Into<String>) {
        self.announcement.set(text.into());
    }

    fn fail(&self, e: &CallError) {
        if matches!(e, CallError::Unauthorized(_)) {
            return;
        }
        if offline::is_unreachable(e) && self.go_offline() {
            self.announce(OFFLINE_REFUSAL);
            return;
        }
        self.error.set(Some(e.to_string()));
        self.announce(e.to_string());
    }

    /// Loads the latest snapshot; starts a refresh when there has never been one.
    pub fn load(self) {
        if !untrack(|| self.session.signed_in()) {
            // A window without a session showing the kept plan: only see whether the
            // server answers again (then it offers sign-in).
            spawn_local(async move {
                match crate::api::get::<pmt_wire::AuthConfig>("/api/auth/config", None).await {
                    Err(e) if offline::is_unreachable(&e) => {}
                    _ => self.offline.set(None),
                }
            });
            return;
        }
        spawn_local(async move {
            match self.session.get_json::<Snapshot>("/api/tasks").await {
                Ok(s) => {
                    let never = s.generated_at == 0;
                    self.offline.set(None);
                    self.set_snapshot(s);
                    if never {
                        self.refresh();
                    }
                }
                Err(CallError::Unauthorized(_)) => {}
                Err(e) if offline::is_unreachable(&e) && self.go_offline() => {}
                Err(e) if !self.loaded.get_untracked() => self.load_error.set(Some(e.to_string())),
                Err(e) => self.fail(&e),
            }
        });
    }

    /// Whether a refresh is running, tracked.
    pub fn refreshing(&self) -> bool {
        self.progress.with(Option::is_some)
    }

    fn track(&self, event: &RefreshEvent) {
        self.progress.update(|list| {
            let Some(list) = list else { return };
            let (source, state) = match event {
                RefreshEvent::SourceStarted(s) => (s.source, SourceProgress::Running),
                RefreshEvent::SourceFinished(st) => {
                    (st.source, SourceProgress::Finished(st.clone()))
                }
                RefreshEvent::Done(_) => return,
            };
            match list.iter_mut().find(|(s, _)| *s == source) {
                Some(entry) => entry.1 = state,
                None => list.push((source, state)),
            }
        });
    }

    /// Refreshes every source: streamed with per-source progress, or in one call
    /// when streaming fails. The list stays on screen until the new one arrives.
    pub fn refresh(self) {
        if self.progress.with_untracked(Option::is_some) || self.refused_offline() {
            return;
        }
        let sources: Vec<(Source, SourceProgress)> = self.board.with_untracked(|b| {
            // A source the user turned off is not fetched: no progress to show for it.
            let present: Vec<Source> = b
                .sources_present()
                .iter()
                .copied()
                .filter(|s| *s != Source::AdHoc)
                .filter(|s| b.status(*s).is_none_or(|st| st.state != SourceState::Off))
                .collect();
            if present.is_empty() {
                Source::PROVIDERS.to_vec()
            } else {
                present
            }
            .into_iter()
            .map(|s| (s, SourceProgress::Waiting))
            .collect()
        });
        self.progress.set(Some(sources));
        self.announce("Refreshing your sources…");
        spawn_local(async move {
            let streamed = refresh::stream(&self.session, |event| {
                self.track(&event);
                if let RefreshEvent::Done(s) = event {
                    self.set_snapshot(*s);
                }
            })
            .await;
            let outcome = match streamed {
                Ok(StreamEnd::Done) => Ok(()),
                Ok(StreamEnd::Failed(message)) => Err(CallError::Failed {
                    status: 500,
                    code: "internal_error".to_owned(),
                    message,
                }),
                Err(e @ CallError::Unauthorized(_)) => Err(e),
                Ok(StreamEnd::Cut) | Err(_) => self
                    .session
                    .call_for::<(), Snapshot>(Method::POST, refresh::PLAIN_PATH, None)
                    .await
                    .and_then(|s| {
                        s.ok_or_else(|| {
                            CallError::Unreadable("the refresh answer had no tasks".to_owned())
                        })
                    })
                    .map(|s| self.set_snapshot(s)),
            };
            self.progress.set(None);
            match outcome {
                Ok(()) => {
                    self.error.set(None);
                    self.announce(self.board.with_untracked(Board::summary));
                }
                Err(e) => self.fail(&e),
            }
        });
    }

    /// The task with this id, untracked.
    pub fn task(&self, id: &TaskId) -> Option<Task> {
        self.board.with_untracked(|b| b.find(id).cloned())
    }

    /// Applies a decision's answer (the updated task) or, without one, the local
    /// version of the change.
    fn settle(&self, answer: Option<Task>, local: Task, message: String) {
        let task = answer.filter(|t| t.id == local.id).unwrap_or(local);
        self.board.update(|b| {
            b.replace_task(task);
        });
        self.error.set(None);
        self.announce(message);
    }

    async fn set_dismissed(self, id: TaskId, dismissed: bool) -> bool {
        if self.refused_offline() {
            return false;
        }
        let Some(task) = self.task(&id) else {
            return false;
        };
        let verb = if dismissed { "dismiss" } else { "restore" };
        let path = format!("/api/tasks/{}/{verb}", segment(&id));
        match self
            .session
            .call_for::<(), Task>(Method::POST, &path, None)
            .await
        {
            Ok(answer) => {
                let message = if dismissed {
                    format!(
                        "Dismissed “{}”. Turn on Show dismissed to restore it.",
                        task.title
                    )
                } else {
                    format!("Restored “{}”.", task.title)
                };
                let mut local = task;
                local.dismissed = dismissed;
                self.settle(answer, local, message);
                true
            }
            Err(e) => {
                self.fail(&e);
                false
            }
        }
    }

    /// Dismisses a task here (only for kinds the source cannot mark done).
    pub async fn dismiss(self, id: TaskId) -> bool {
        if !self.task(&id).is_some_and(|t| t.dismissible) {
            self.announce("This task cannot be dismissed here: act on it in its source app.");
            return false;
        }
        self.set_dismissed(id, true).await
    }

    /// Brings a dismissed task back.
    pub async fn restore(self, id: TaskId) -> bool {
        self.set_dismissed(id, false).await
    }

    /// Sets or clears the user's priority override.
    pub async fn set_priority(self, id: TaskId, request: SetPriorityRequest) -> bool {
        if self.refused_offline() {
            return false;
        }
        let Some(task) = self.task(&id) else {
            return false;
        };
        let path = format!("/api/tasks/{}/priority", segment(&id));
        match self
            .session
            .call_for::<_, Task>(Method::PUT, &path, Some(&request))
            .await
        {
            Ok(answer) => {
                let local = decision::applied(&task, &request);
                let message = match request.priority {
                    Some(p) => format!(
                        "“{}” is now {}.",
                        task.title,
                        p.label().to_ascii_lowercase()
                    ),
                    None => format!(
                        "“{}” is back to its computed priority, {}.",
                        task.title,
                        task.computed_priority.label().to_ascii_lowercase()
                    ),
                };
                self.settle(answer, local, message);
                true
            }
            Err(e) => {
                self.fail(&e);
                false
            }
        }
    }

    /// Raises a task one level.
    pub async fn boost(self, id: TaskId) -> bool {
        match self.task(&id).as_ref().and_then(decision::boost) {
            Some(request) => self.set_priority(id, request).await,
            None => {
                self.announce("This task is already critical.");
                false
            }
        }
    }

    /// Lowers a task one level.
    pub async fn demote(self, id: TaskId) -> bool {
        match self.task(&id).as_ref().and_then(decision::demote) {
            Some(request) => self.set_priority(id, request).await,
            None => {
                self.announce("This task is already low.");
                false
            }
        }
    }

    /// Takes a decision on a task; `true` when the backend accepted it.
    pub async fn act(self, id: TaskId, action: TaskAction) -> bool {
        match action {
            TaskAction::Dismiss => self.dismiss(id).await,
            TaskAction::Restore => self.restore(id).await,
            TaskAction::Boost => self.boost(id).await,
            TaskAction::Demote => self.demote(id).await,
            TaskAction::ClearOverride => {
                self.set_priority(id, SetPriorityRequest { priority: None })
                    .await
            }
        }
    }

    /// Sends an ad-hoc change; puts the task the backend answers with on the board
    /// (or, without one, reloads the list).
    async fn adhoc_call<B: serde::Serialize>(
        self,
        method: Method,
        path: &str,
        body: Option<&B>,
        done: String,
    ) -> Result<(), String> {
        if self.refused_offline() {
            return Err(OFFLINE_REFUSAL.to_owned());
        }
        match self.session.call_for::<B, Task>(method, path, body).await {
            Ok(answer) => {
                match answer {
                    Some(task) => self.board.update(|b| b.upsert_task(task)),
                    None => {
                        if let Ok(s) = self.session.get_json::<Snapshot>("/api/tasks").await {
                            self.set_snapshot(s);
                        }
                    }
                }
                self.error.set(None);
                self.announce(done);
                Ok(())
            }
            Err(e) => {
                self.announce(e.to_string());
                Err(e.to_string())
            }
        }
    }

    /// Adds a task of the user's own.
    ///
    /// # Errors
    /// What the backend said, for the form to show.
    pub async fn add_adhoc(self, task: NewAdHocTask) -> Result<(), String> {
        let done = format!("Added “{}”.", task.title);
        self.adhoc_call(Method::POST, "/api/adhoc", Some(&task), done)
            .await
    }

    /// Changes an ad-hoc task.
    ///
    /// # Errors
    /// What the backend said, for the form to show.
    pub async fn edit_adhoc(self, id: TaskId, patch: AdHocPatch) -> Result<(), String> {
        let path = format!("/api/adhoc/{}", adhoc_segment(&id));
        self.adhoc_call(
            Method::PATCH,
            &path,
            Some(&patch),
            "Saved your task.".to_owned(),
        )
        .await
    }

    /// Deletes an ad-hoc task.
    ///
    /// # Errors
    /// What the backend said.
    pub async fn delete_adhoc(self, id: TaskId) -> Result<(), String> {
        if self.refused_offline() {
            return Err(OFFLINE_REFUSAL.to_owned());
        }
        let title = self.task(&id).map(|t| t.title).unwrap_or_default();
        let path = format!("/api/adhoc/{}", adhoc_segment(&id));
        match self.session.delete(&path).await {
            Ok(()) => {
                self.board.update(|b| {
                    b.remove_task(&id);
                });
                self.error.set(None);
                self.announce(format!("Deleted “{title}”."));
                Ok(())
            }
            Err(e) => {
                self.fail(&e);
                Err(e.to_string())
            }
        }
    }
}

/// The store id of an ad-hoc task (`ad_hoc:<id>` → `<id>`), as a path segment.
fn adhoc_segment(id: &TaskId) -> String {
    let raw = id
        .as_str()
        .strip_prefix(Source::AdHoc.as_str())
        .and_then(|r| r.strip_prefix(':'))
        .unwrap_or(id.as_str());
    String::from(js_sys::encode_uri_component(raw))
}
