//! The station: one store, the models, the profile and the camera feed,
//! and one student's capture from lookup to draft.

mod capture;
mod open;
mod paint_gate;
mod preview;
mod records;
mod staff;
mod sync;

pub use capture::summary;
pub use open::{CameraChoice, StationOptions};
pub use paint_gate::{ACK_TIMEOUT, PreviewStats};
pub use preview::{
    LiveSink, PreviewFrame, PreviewHandle, PreviewSink, STAMP_BITS, encode_preview,
    stamp_frame_number,
};
pub use records::{Dashboard, LockView, RosterImportView};
pub use staff::{Approval, SessionView};

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard};

use crate::Result;
use crate::camera::{CameraFeed, Frame};
use crate::checks::Profile;
use crate::config::Settings;
use crate::recapture::FrameHistory;
use crate::store::{LockPolicy, Store, mask_id};
use crate::views::{CameraState, Outline, ProfileView, StationStatus, StudentView};
use crate::vision::Models;

pub struct Station {
    store: Mutex<Store>,
    models: Arc<Models>,
    profile: Arc<Profile>,
    /// The camera in use. A supervisor's change of the camera settings, or
    /// a request to detect cameras again, replaces it while the station runs.
    camera: RwLock<Arc<CameraFeed>>,
    /// The camera the station was started with; only `CameraChoice::Auto`
    /// follows the settings.
    camera_choice: CameraChoice,
    /// The frame the live checks saw last: a capture takes this frame, not
    /// a later one.
    last_checked: Arc<Mutex<Option<Frame>>>,
    /// Downsized copies of the frames the live checks saw in the last
    /// second, for the recapture cues across frames.
    history: Arc<Mutex<FrameHistory>>,
    settings: RwLock<Settings>,
    /// Settings file that changes are saved to. `None` keeps them in memory.
    settings_path: Option<PathBuf>,
    signed_in: Mutex<Option<staff::SignedIn>>,
    /// Findings of the start-up check on what a crash left half-done.
    recovery: crate::store::RecoveryReport,
    preview: Mutex<Option<PreviewHandle>>,
    /// CSV file that each preview run appends one row per painted frame
    /// to, with the frame number drawn into each frame; `None` turns both
    /// off.
    preview_trace: Option<PathBuf>,
    /// The sync worker, while a centre address is set.
    sync: Mutex<Option<sync::RunningSync>>,
}

impl Station {
    fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn settings(&self) -> RwLockReadGuard<'_, Settings> {
        self.settings.read().unwrap_or_else(|e| e.into_inner())
    }

    fn lock_policy(&self) -> LockPolicy {
        LockPolicy::from_settings(&self.settings())
    }

    pub fn recovery(&self) -> &crate::store::RecoveryReport {
        &self.recovery
    }

    /// Returns the camera in use.
    pub fn camera(&self) -> Arc<CameraFeed> {
        self.camera
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    pub fn status(&self) -> Result<StationStatus> {
        let camera = self.camera();
        let (width, height) = camera.size;
        let slot = camera.slot();
        let message = slot
            .lost_text()
            .map(|reason| {
                crate::text::Text::new(
                    format!("摄像头已断开：{}", reason.zh),
                    format!("camera lost: {}", reason.en),
                )
            })
            .or_else(|| slot.format_problem().map(|bad| bad.text()))
            .or_else(|| camera.note.clone());
        let store = self.store();
        Ok(StationStatus {
            camera: CameraState {
                source: camera.kind,
                name: camera.name.clone(),
                state: camera.state(),
                requested_fps: camera.requested_fps,
                facing: camera.facing,
                measured_fps: slot.measured_fps(),
                lockable_controls: slot.lockable_controls(),
                frame_width: width,
                frame_height: height,
                outline: outline(width, height, &self.profile),
                message,
            },
            profile: ProfileView {
                id: self.profile.id.clone(),
                title: self.profile.title(),
            },
            store_path: store.db_path().display().to_string(),
            student_count: store.student_count()?,
        })
    }

    /// Looks a student up by collection code or student number; needs a
    /// signed-in staff member.
    pub fn find_student(&self, query: &str) -> Result<StudentView> {
        self.require_staff()?;
        let student = self.store().find_student(query)?;
        self.student_view(&student)
    }

    /// Finds the student whose code (collection code or student number) is
    /// in a QR code held up to the camera, reading the newest frames for up
    /// to 3 seconds while the code is steadied.
    pub fn find_student_by_camera(&self) -> Result<StudentView> {
        self.require_staff()?;
        let slot = self.camera().slot().clone();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
        let mut seen = 0;
        let mut frame = slot.latest();
        loop {
            if let Some(current) = &frame {
                seen = current.number;
                if let Some(code) = crate::camera::read_qr(&current.image) {
                    tracing::info!(frame = seen, "student code read from a QR code");
                    return self.find_student(&code);
                }
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                break;
            }
            frame = slot.wait_newer(seen, left);
            if frame.is_none() {
                break;
            }
        }
        Err(crate::Error::NotFound {
            what: "QR code in the camera's view",
            value: "hold the slip's QR code flat, 20 to 40 cm from the camera, or type the code"
                .to_owned(),
        })
    }

    /// Looks students up by name and the last digits of the ID number.
    pub fn find_by_name(&self, name: &str, last_digits: &str) -> Result<Vec<StudentView>> {
        self.require_staff()?;
        let found = self.store().find_by_name(name, last_digits)?;
        found.iter().map(|s| self.student_view(s)).collect()
    }

    fn student_view(&self, student: &crate::store::Student) -> Result<StudentView> {
        let policy = self.lock_policy();
        let store = self.store();
        let standing = store.attempt_standing(student.id, &policy)?;
        Ok(StudentView {
            draft_count: store.draft_count(student.id)?,
            draft_limit: self.settings().draft_limit,
            masked_id: mask_id(&student.id_number),
            student_number: student.student_number.clone(),
            name: student.name.clone(),
            school: student.school.clone(),
            college: student.college.clone(),
            class_name: student.class_name.clone(),
            collection_code: student.collection_code.clone(),
            attempts_left: standing.failures_left,
            lock: standing.lock.as_ref().map(records::lock_view),
        })
    }
}

/// Computes where the head should sit in the largest centred 3:4 crop of the frame,
/// with each band at its middle.
pub fn outline(width: u32, height: u32, profile: &Profile) -> Outline {
    let (w, h) = (width.max(1) as f32, height.max(1) as f32);
    let (out_w, out_h) = (profile.output.width as f32, profile.output.height as f32);
    let scale = (w / out_w).min(h / out_h);
    let (crop_w, crop_h) = (out_w * scale, out_h * scale);
    let (left, top) = ((w - crop_w) / 2.0, (h - crop_h) / 2.0);
    let g = &profile.geometry;
    Outline {
        crop_left: left / w,
        crop_top: top / h,
        crop_width: crop_w / w,
        crop_height: crop_h / h,
        head_top: (top + g.top_of_head_px.middle() * scale) / h,
        eye_line: (top + g.eye_line_px.middle() * scale) / h,
        face_width: g.target_face_width_px * scale / w,
    }
}

#[cfg(test)]
mod tests;
