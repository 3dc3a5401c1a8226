//! The station's side of sync: the worker started from the settings,
//! enrolment, submitting a draft, the sync status, and each student's
//! submission as the centre reports it.

use std::path::Path;
use std::sync::MutexGuard;

use super::Station;
use super::capture::data_url;
use super::staff::Approval;
use crate::store::{self, Submission};
use crate::sync::protocol::CentreState;
use crate::sync::{SyncHandle, SyncSettings};
use crate::text::Text;
use crate::views::{SubmissionState, SubmissionView, SyncStatus};
use crate::{Error, Result};

/// The running sync worker and the settings it was started with.
pub(super) struct RunningSync {
    settings: SyncSettings,
    handle: SyncHandle,
}

impl Station {
    fn running_sync(&self) -> MutexGuard<'_, Option<RunningSync>> {
        self.sync.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts the sync worker from the settings in force, after stopping
    /// the one that runs. Leaves sync stopped while no centre address is set.
    ///
    /// Fails with `Error::Invalid` for a bad centre address, and with the
    /// key file's and the store's errors from [`SyncHandle::start`].
    pub fn restart_sync(&self) -> Result<()> {
        let settings = SyncSettings::from_settings(&self.settings())?;
        self.start_sync(settings)
    }

    /// Starts the sync worker with `settings`, after stopping the one that
    /// runs; `None` only stops it. Tests pass short timings here.
    pub fn start_sync(&self, settings: Option<SyncSettings>) -> Result<()> {
        let data_dir = self.store().data_dir().to_path_buf();
        let mut running = self.running_sync();
        // The old worker stops first, so two workers never share the outbox.
        running.take();
        if let Some(settings) = settings {
            let handle = SyncHandle::start(&data_dir, settings.clone())?;
            *running = Some(RunningSync { settings, handle });
        }
        Ok(())
    }

    /// Stops the sync worker, if one runs.
    pub fn stop_sync(&self) {
        self.running_sync().take();
    }

    /// Returns the connection to the centre and the size of the outbox.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        let running = self.running_sync();
        let store = self.store();
        let waiting = store.outbox_len()?;
        let Some(sync) = running.as_ref() else {
            return Ok(SyncStatus {
                centre_url: None,
                enrolled: false,
                online: false,
                waiting,
                last_error: Some(Text::new(
                    "未设置省中心地址，工作站离线工作；提交的照片在发件箱中等待。",
                    "no centre address is set, so the station works offline and \
                     submissions wait in the outbox; a supervisor sets centre_url in the settings",
                )),
                last_success_at: None,
            });
        };
        let centre_url = sync.settings.centre.as_str();
        let state = sync.handle.state();
        Ok(SyncStatus {
            centre_url: Some(centre_url.to_string()),
            enrolled: store.enrolment(centre_url)?.is_some(),
            online: state.online,
            waiting,
            last_error: state.last_error,
            last_success_at: state.last_success_at,
        })
    }

    /// Enrols the station at the centre with the one-time token the centre
    /// issued to the school; needs a supervisor. Blocks until the centre
    /// responds or the request times out.
    ///
    /// Fails with `Error::Conflict` while no centre address is set, and as
    /// [`crate::sync::enrol`] does.
    pub fn enrol_station(&self, token: &str, approval: Option<&Approval>) -> Result<SyncStatus> {
        let actor = self.require_supervisor(approval)?;
        let settings = self
            .running_sync()
            .as_ref()
            .map(|sync| sync.settings.clone())
            .ok_or_else(|| {
                Error::Conflict(
                    "no centre address is set: a supervisor sets centre_url in the settings \
                     before enrolling"
                        .into(),
                )
            })?;
        let data_dir = self.store().data_dir().to_path_buf();

        // The store stays unlocked during the request, so capture goes on.
        let enrolment = crate::sync::enrol(&data_dir, &settings, token)?;
        self.store().save_enrolment(&enrolment, &actor)?;
        if let Some(sync) = self.running_sync().as_ref() {
            sync.handle.wake();
        }
        self.sync_status()
    }

    /// Submits a draft to the centre through the outbox and wakes the sync
    /// worker. Replacing a student's final photo needs a supervisor, signed
    /// in or approving with `approval`.
    ///
    /// Fails with `Error::Denied` when staff are not signed in or a final
    /// photo would be replaced without a supervisor, and otherwise as
    /// [`store::Store::submit_draft`] does.
    pub fn submit_draft(
        &self,
        draft_id: &str,
        approval: Option<&Approval>,
    ) -> Result<SubmissionView> {
        let staff = self.require_staff()?;
        let replaces_final = {
            let store = self.store();
            let draft = store.draft(draft_id)?;
            store
                .latest_submission(draft.student_id)?
                .is_some_and(|s| s.state == store::SubmissionState::Centre(CentreState::Final))
        };
        let (actor, supervisor) = if replaces_final {
            (self.require_supervisor(approval)?, true)
        } else {
            (staff.username, false)
        };

        let submission = self.store().submit_draft(draft_id, &actor, supervisor)?;
        if let Some(sync) = self.running_sync().as_ref() {
            sync.handle.wake();
        }
        Ok(submission_view(&submission))
    }

    /// Returns the student's latest submission, or `None` before the first.
    pub fn submission(&self, student_number: &str) -> Result<Option<SubmissionView>> {
        self.require_staff()?;
        let store = self.store();
        let student = store.find_student(student_number)?;
        let latest = store.latest_submission(student.id)?;
        Ok(latest.as_ref().map(submission_view))
    }

    /// Writes the student's finished photo from the centre into `folder` as
    /// `<collection code>.jpg` and returns the file's path; needs a
    /// signed-in staff member. The export is recorded in the audit log.
    ///
    /// Fails with `Error::NotFound` when the centre has not sent a finished
    /// photo yet, with `Error::Invalid` for an empty folder name, and with
    /// `Error::Io` when the file cannot be written.
    pub fn export_finished_photo(&self, student_number: &str, folder: &str) -> Result<String> {
        let staff = self.require_staff()?;
        let folder = folder.trim();
        if folder.is_empty() {
            return Err(Error::Invalid(
                "enter the folder to save the finished photo in, such as the USB drive's folder"
                    .into(),
            ));
        }
        let mut store = self.store();
        let student = store.find_student(student_number)?;
        let jpeg = store
            .latest_submission(student.id)?
            .and_then(|s| s.finished_jpeg)
            .ok_or_else(|| Error::NotFound {
                what: "finished photo of student",
                value: student.student_number.clone(),
            })?;

        let path = Path::new(folder).join(format!("{}.jpg", student.collection_code));
        std::fs::write(&path, &jpeg).map_err(|e| Error::io(&path, e))?;
        let shown = path.display().to_string();
        store.audit(
            &staff.username,
            "finished_export",
            &student.student_number,
            &serde_json::json!({ "path": shown }),
        )?;
        Ok(shown)
    }
}

/// Builds the window's view of a submission.
pub fn submission_view(submission: &Submission) -> SubmissionView {
    let state = match submission.state {
        store::SubmissionState::Queued => SubmissionState::Queued,
        store::SubmissionState::Rejected => SubmissionState::Rejected,
        store::SubmissionState::Centre(state) => match state {
            CentreState::Received => SubmissionState::Received,
            CentreState::InProduction => SubmissionState::InProduction,
            CentreState::Finished => SubmissionState::Finished,
            CentreState::Reset => SubmissionState::Reset,
            CentreState::Final => SubmissionState::Final,
        },
    };
    let reason = submission.reason.as_deref().map(|reason| match state {
        SubmissionState::Rejected => Text::new(
            format!("提交失败：{reason}。请重新拍摄。"),
            format!("the submission failed: {reason}; capture again"),
        ),
        _ => Text::new(
            format!("学校已重置：{reason}。请重新拍摄。"),
            format!("reset by the school: {reason}; capture again"),
        ),
    });
    SubmissionView {
        submission_id: submission.id.clone(),
        draft_id: submission.draft_id.clone(),
        state,
        reason,
        finished_preview: submission.finished_jpeg.as_deref().map(data_url),
        queued_at: submission.queued_at.clone(),
        updated_at: submission.updated_at.clone(),
        can_submit: !submission.state.is_live(),
        final_photo: state == SubmissionState::Final,
    }
}
