//! The station's side of sync: submitting a draft, the sync worker's
//! status, and each student's submission as the centre reports it.

use std::sync::MutexGuard;

use super::Station;
use super::capture::data_url;
use crate::Result;
use crate::store::{self, Submission};
use crate::sync::protocol::CentreState;
use crate::sync::{SyncHandle, SyncSettings};
use crate::text::Text;
use crate::views::{SubmissionState, SubmissionView, SyncStatus};

impl Station {
    fn sync(&self) -> MutexGuard<'_, Option<SyncHandle>> {
        self.sync.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts the sync worker with `settings`, stopping the one that runs.
    ///
    /// Fails with `Error::Invalid` for a bad centre address, such as plain
    /// http to another computer.
    pub fn start_sync(&self, settings: SyncSettings) -> Result<()> {
        let data_dir = self.store().data_dir().to_path_buf();
        let mut sync = self.sync();
        // The old worker stops first, so two workers never share the outbox.
        sync.take();
        *sync = Some(SyncHandle::start(&data_dir, settings)?);
        Ok(())
    }

    /// Stops the sync worker, if one runs.
    pub fn stop_sync(&self) {
        self.sync().take();
    }

    /// Returns the connection to the centre and the size of the outbox.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        let waiting = self.store().outbox_len()?;
        let status = match self.sync().as_ref() {
            Some(handle) => {
                let state = handle.state();
                SyncStatus {
                    online: state.online,
                    waiting,
                    last_error: state.last_error,
                    last_success_at: state.last_success_at,
                }
            }
            None => SyncStatus {
                online: false,
                waiting,
                last_error: Some(Text::new(
                    "未配置省中心：请在设置中填写省中心地址和注册码。",
                    "sync is not set up: enter the centre's address and the enrolment token in the settings",
                )),
                last_success_at: None,
            },
        };
        Ok(status)
    }

    /// Submits a draft to the centre through the outbox and wakes the sync
    /// worker. `supervisor` allows replacing a final photo.
    ///
    /// Fails as [`store::Store::submit_draft`] does.
    pub fn submit_draft(&self, draft_id: &str, supervisor: bool) -> Result<SubmissionView> {
        let submission = self.store().submit_draft(draft_id, supervisor)?;
        if let Some(handle) = self.sync().as_ref() {
            handle.wake();
        }
        Ok(submission_view(&submission))
    }

    /// Returns the student's latest submission, or None before the first.
    pub fn submission(&self, student_number: &str) -> Result<Option<SubmissionView>> {
        let store = self.store();
        let student = store.find_student(student_number)?;
        let latest = store.latest_submission(student.id)?;
        Ok(latest.as_ref().map(submission_view))
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
            format!("省中心拒收：{reason}。请重新拍摄。"),
            format!("rejected by the centre: {reason}; capture again"),
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
    }
}
