//! The window's views: plain serialisable views of the station's state,
//! exported as TypeScript types into `ui/src/bindings`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::checks::Report;
use crate::text::Text;

/// A roster entry as the window shows it, with the ID number masked.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct StudentView {
    pub student_number: String,
    pub name: String,
    /// The ID number with all but the first 3 and last 4 characters hidden.
    pub masked_id: String,
    pub school: String,
    pub college: String,
    pub class_name: String,
    pub collection_code: String,
    pub draft_count: u32,
    pub draft_limit: u32,
    /// Failed captures left before the student is locked.
    pub attempts_left: u32,
    /// The lock in force, if any.
    pub lock: Option<crate::station::LockView>,
}

/// One qualified capture kept in a student's draft box.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct DraftView {
    pub id: String,
    /// Capture time, RFC 3339 in the station's local offset.
    pub created_at: String,
    /// Taken on the demo camera: shown with a mark and never submitted.
    pub demo: bool,
    /// The rendered 480x640 photo as a `data:image/jpeg;base64,` URL.
    pub preview: String,
    /// When the draft may be deleted without a supervisor, RFC 3339.
    pub deletable_at: String,
    /// True once the waiting time has passed.
    pub deletable_now: bool,
    /// Sent, or queued to be sent, to the provincial centre.
    pub submitted: bool,
}

/// The result of one capture: the full report and, when every rule passed,
/// the draft it was saved as.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CaptureOutcome {
    pub capture_id: String,
    pub report: Report,
    pub draft: Option<DraftView>,
    /// The rendered 480x640 photo, when a crop plan exists.
    pub preview: Option<String>,
    /// Reason a passing capture was not kept (such as a full draft box).
    pub not_saved: Option<Text>,
    /// Failed captures left before a lock, after this capture.
    pub attempts_left: u32,
    /// The lock this capture set off, if any.
    pub lock: Option<crate::station::LockView>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CameraSourceKind {
    /// A real camera opened through the operating system.
    Device,
    /// Recorded frames replayed through the same pipeline; drafts are demo.
    Demo,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CameraRunState {
    Running,
    Stopped,
    Lost,
    /// Buffers arrive, but in a row none could be decoded: the camera sends
    /// another format or size than it claims.
    FormatProblem,
}

/// Head position the spec wants, as fractions of the camera frame, for the
/// outline drawn over the live preview.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Outline {
    /// The largest 3:4 crop centred in the frame.
    pub crop_left: f32,
    pub crop_top: f32,
    pub crop_width: f32,
    pub crop_height: f32,
    /// Middle of the top-of-head band.
    pub head_top: f32,
    /// Middle of the eye-line band.
    pub eye_line: f32,
    /// Middle of the face-width band.
    pub face_width: f32,
}

/// A camera the settings can choose, as the system lists it now.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CameraOption {
    /// The number the `camera` setting takes.
    pub index: u32,
    pub name: String,
    pub kind: crate::camera::CameraKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CameraState {
    pub source: CameraSourceKind,
    pub name: String,
    pub state: CameraRunState,
    /// Direction the device faces; `None` for the demo camera.
    pub facing: Option<crate::camera::CameraKind>,
    /// Frame rate the camera was opened at, as its backend reports it.
    pub requested_fps: Option<u32>,
    /// Delivered frames per second over the last 2 s, measured from frame
    /// arrivals, since backends misreport the rate.
    pub measured_fps: Option<f32>,
    /// Controls the camera lists that a student's session can lock; the
    /// settings screen shows a switch only for these.
    pub lockable_controls: Vec<crate::camera::LockableControl>,
    pub frame_width: u32,
    pub frame_height: u32,
    pub outline: Outline,
    /// Reason the camera is lost, the format problem with the bytes received
    /// and expected, or the reason the demo camera runs, with the fix.
    pub message: Option<Text>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ProfileView {
    pub id: String,
    pub title: Text,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct StationStatus {
    pub camera: CameraState,
    pub profile: ProfileView,
    pub store_path: String,
    pub student_count: u32,
}

/// A hint for the student during the live preview, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Hint {
    NoFace,
    ManyFaces,
    MoveCloser,
    MoveBack,
    MoveLeft,
    MoveRight,
    MoveUp,
    MoveDown,
    LevelHead,
    FaceCamera,
    OpenEyes,
    CloseMouth,
    TooDark,
    TooBright,
    Ready,
}

/// The result of the cheap checks on a recent preview frame.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct LiveStatus {
    /// Frame number of the checked frame, counted from the camera's start.
    #[ts(type = "number")]
    pub frame: u64,
    pub faces: u32,
    pub hints: Vec<Hint>,
}

/// The window's acknowledgement of a preview frame, which lets the station
/// send the next one.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[ts(export)]
pub struct PaintedFrame {
    /// Frame number from the frame's header, counted from the camera's start.
    #[ts(type = "number")]
    pub frame: u64,
    /// When the frame's message reached the window's script, in
    /// milliseconds since the Unix epoch.
    pub received_at_ms: f64,
    /// When the window had decoded the frame, in milliseconds since the
    /// Unix epoch; `null` when it could not decode the frame.
    pub decoded_at_ms: Option<f64>,
    /// When the window painted the frame, in milliseconds since the Unix
    /// epoch; `null` when it could not decode the frame.
    pub painted_at_ms: Option<f64>,
    /// Frame number read back from the blocks drawn into the painted frame,
    /// when the station draws them (the preview trace is on).
    #[ts(type = "number | null")]
    pub stamp: Option<u64>,
}

/// An error as the window receives it: the kind to branch on, the message to show.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ErrorView {
    pub kind: crate::ErrorKind,
    /// The message in English.
    pub message: String,
    /// The message in both languages, for errors that carry it; the window
    /// shows it in place of `message`.
    pub text: Option<Text>,
}

/// Summary of a diagnostics bundle, for the staff panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DiagnosticsView {
    /// The folder made for the bundle inside the chosen one.
    pub folder: String,
    pub log_files: u32,
    pub cameras: u32,
}

/// The connection to the provincial centre, for the status line.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SyncStatus {
    /// The centre's address from the settings; `None` while the station
    /// works offline.
    pub centre_url: Option<String>,
    /// The station holds an enrolment at that centre.
    pub enrolled: bool,
    /// Sync runs and its last round reached the centre.
    pub online: bool,
    /// Submissions in the outbox that the centre has not acknowledged yet.
    pub waiting: u32,
    /// Why the last round failed, with the fix. None after a success.
    pub last_error: Option<Text>,
    /// When a round last succeeded, RFC 3339.
    pub last_success_at: Option<String>,
}

/// Where a student's submission stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SubmissionState {
    /// Waiting in the outbox for the centre.
    Queued,
    /// Stored at the centre.
    Received,
    InProduction,
    /// The finished photo is back.
    Finished,
    /// The school reset it: the student captures again.
    Reset,
    /// The photo goes on the diploma. Only a supervisor can replace it.
    Final,
    /// The upload can never succeed (the centre rejected it for good, or
    /// its original is missing): the student captures again.
    Rejected,
}

/// A student's latest submission to the centre.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SubmissionView {
    pub submission_id: String,
    pub draft_id: String,
    pub state: SubmissionState,
    /// Why the school reset it or the centre rejected it, with what to do.
    pub reason: Option<Text>,
    /// The finished 480x640 photo as a `data:image/jpeg;base64,` URL.
    pub finished_preview: Option<String>,
    /// RFC 3339 with the station's offset.
    pub queued_at: String,
    pub updated_at: String,
    /// Staff may submit another draft of this student without a supervisor.
    pub can_submit: bool,
    /// Submitting another draft replaces a final photo, which needs a supervisor.
    pub final_photo: bool,
}
