//! One capture: take the frame the live checks saw, run every rule and the
//! recapture assessment, record the attempt, and keep a passing capture as
//! a draft.

use std::io::Cursor;
use std::time::Duration;

use base64::Engine;

use super::Station;
use crate::camera::Frame;
use crate::checks::{self, Report};
use crate::recapture;
use crate::store::{Draft, DraftState, NewCapture, Store};
use crate::text::Text;
use crate::views::{CameraSourceKind, CaptureOutcome, DraftView};
use crate::{Error, Result};

/// A frame older than this is stale: the camera stopped, and no draft may
/// be made from what it showed before.
pub(super) const MAX_FRAME_AGE: Duration = Duration::from_secs(2);

impl Station {
    /// Captures the student's photo from the frame the live checks saw last
    /// (or the newest frame when they have not run), checks it in full, and
    /// saves it as a draft when every rule passes. A suspected recapture
    /// fails the rule `recapture`, so it makes no draft.
    pub fn capture(&self, student_number: &str) -> Result<CaptureOutcome> {
        self.require_staff()?;
        let student = self.store().find_student(student_number)?;
        if let Some(lock) = self.store().active_lock(student.id)? {
            return Err(locked_error(&lock));
        }
        let frame = self.capture_frame()?;
        let image = frame.image.as_ref();
        let (mut report, mut analysis) = checks::check_photo(image, &self.models, &self.profile)?;
        let history = self
            .history
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .until(frame.received);
        let assessment = recapture::assess(image, &analysis, &history);
        if assessment.suspected {
            let cues: Vec<String> = assessment.fired().map(|c| c.describe()).collect();
            tracing::warn!(
                student = %student.student_number,
                frame = frame.number,
                cues = %cues.join("; "),
                "recapture suspected"
            );
        }
        report.push(recapture::rule(&assessment));
        let recaptured = report
            .rule(recapture::RULE)
            .is_some_and(|r| r.status == checks::RuleStatus::Fail);

        // The full check has already rendered the output photo from its crop.
        let rendered = analysis.rendered.take();
        let demo = self.camera().kind == CameraSourceKind::Demo;
        let capture_id = self.store().record_capture(&NewCapture {
            student_id: student.id,
            passed: report.passed,
            demo,
            report_json: serde_json::to_string(&report)
                .map_err(|e| Error::Invalid(e.to_string()))?,
            recapture: recaptured,
            frame_width: image.width(),
            frame_height: image.height(),
        })?;
        tracing::info!(
            capture = %capture_id,
            student = %student.student_number,
            frame = frame.number,
            passed = report.passed,
            "capture checked"
        );

        let standing = self
            .store()
            .apply_lock_policy(student.id, &self.lock_policy())?;
        let preview = rendered.as_ref().map(|r| data_url(&r.jpeg));
        let draft_limit = self.settings().draft_limit;
        let mut outcome = CaptureOutcome {
            capture_id,
            report,
            draft: None,
            preview,
            not_saved: None,
            attempts_left: standing.failures_left,
            lock: standing.lock.as_ref().map(super::records::lock_view),
        };
        if let (true, Some(rendered)) = (outcome.report.passed, rendered) {
            let original = encode_png(image)?;
            let saved = self.store().save_draft(
                &outcome.capture_id,
                student.id,
                demo,
                &original,
                &rendered.jpeg,
                draft_limit,
            );
            match saved {
                Ok(draft) => outcome.draft = Some(self.draft_view(&draft)),
                Err(Error::Conflict(reason)) => {
                    outcome.not_saved = Some(box_full(&reason, draft_limit))
                }
                Err(e) => return Err(e),
            }
        }
        Ok(outcome)
    }

    /// Lists the student's drafts, newest first.
    pub fn drafts(&self, student_number: &str) -> Result<Vec<DraftView>> {
        self.require_staff()?;
        let drafts = {
            let store = self.store();
            let student = store.find_student(student_number)?;
            store.drafts(student.id)?
        };
        Ok(drafts.iter().map(|d| self.draft_view(d)).collect())
    }

    fn draft_view(&self, draft: &Draft) -> DraftView {
        let wait = chrono::Duration::minutes(i64::from(self.settings().draft_delete_after_minutes));
        let from = Store::deletable_at(draft, wait).ok();
        DraftView {
            id: draft.id.clone(),
            created_at: draft.created_at.clone(),
            demo: draft.demo,
            preview: data_url(&draft.rendered_jpeg),
            deletable_at: from.map(|t| t.to_rfc3339()).unwrap_or_default(),
            deletable_now: from.is_some_and(|t| chrono::Local::now().fixed_offset() >= t),
            submitted: draft.state == DraftState::Submitted,
        }
    }

    pub(super) fn capture_frame(&self) -> Result<Frame> {
        if let Some(reason) = self.camera().slot().lost_reason() {
            return Err(Error::Camera(format!(
                "the camera is lost ({reason}); reconnect it and try again"
            )));
        }
        if let Some(bad) = self.camera().slot().format_problem() {
            return Err(Error::Camera(format!(
                "{bad}; reconnect the camera or use another one, then try again"
            )));
        }
        let checked = self
            .last_checked
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let frame = checked
            .or_else(|| self.camera().slot().latest())
            .ok_or_else(|| {
                Error::Camera(
                    "the camera has not sent a frame yet; wait a moment and try again".into(),
                )
            })?;
        // The live checks' last frame may be from before the camera was lost
        // and came back, and the scene in front of it may have changed since.
        if self.camera().slot().predates_loss(&frame) {
            return Err(Error::Camera(
                "the camera was lost after the last checked frame; wait until the preview shows the student again and try again".into(),
            ));
        }
        let age = frame.received.elapsed();
        if age > MAX_FRAME_AGE {
            return Err(Error::Camera(format!(
                "the newest frame is {:.1} s old: the camera stopped sending frames; check its cable and try again",
                age.as_secs_f32()
            )));
        }
        Ok(frame)
    }
}

/// Encodes the original as PNG: lossless, so its pixels are exactly the
/// frame that was checked.
fn encode_png(image: &image::RgbImage) -> Result<Vec<u8>> {
    let mut png = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| Error::Store(format!("cannot encode the original as PNG: {e}")))?;
    Ok(png)
}

pub(super) fn data_url(jpeg: &[u8]) -> String {
    format!(
        "data:image/jpeg;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(jpeg)
    )
}

/// The error for a capture refused by a lock, with why and until when.
fn locked_error(lock: &crate::store::Lock) -> Error {
    let view = super::records::lock_view(lock);
    let until = match &lock.until {
        Some(until) => chrono::DateTime::parse_from_rfc3339(until)
            .map(|t| format!("until {}", t.format("%H:%M")))
            .unwrap_or_else(|_| format!("until {until}")),
        None => "until a supervisor unlocks".to_owned(),
    };
    Error::Locked(format!("{}, {until}: {}", view.reason.en, view.advice.en))
}

fn box_full(reason: &str, limit: u32) -> Text {
    Text::new(
        format!("照片合格，但草稿箱已满（最多 {limit} 张），未保存。请先删除一张草稿。"),
        format!("the photo passed but was not kept: {reason}"),
    )
}

/// Summarises a report in one line for logs and the command line.
pub fn summary(report: &Report) -> String {
    let failed: Vec<&str> = report.failed().map(|r| r.rule.as_str()).collect();
    if failed.is_empty() {
        "pass".into()
    } else {
        format!("fail: {}", failed.join(", "))
    }
}
