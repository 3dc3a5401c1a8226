//! The commands the window calls: each a few lines over the station. Slow
//! ones run on a blocking thread so the window never freezes.

use std::sync::Arc;

use tauri::State;
use tauri::ipc::{Channel, InvokeResponseBody};
use tucai_core::config::Settings;
use tucai_core::station::{
    Approval, Dashboard, PreviewFrame, RosterImportView, SessionView, Station,
};
use tucai_core::store::{AuditEntry, ExportSummary, Role, StaffMember};
use tucai_core::views::{
    CameraOption, CaptureOutcome, DraftView, ErrorView, LiveStatus, PaintedFrame, StationStatus,
    StudentView, SubmissionView, SyncStatus,
};

type Shared<'a> = State<'a, Arc<Station>>;
type Reply<T> = Result<T, ErrorView>;

fn view(e: tucai_core::Error) -> ErrorView {
    if e.kind() == tucai_core::ErrorKind::InvalidInput {
        // Invalid input is the person's to fix and is shown to them. Its
        // message can quote a roster's ID numbers and names, which must not
        // reach the log file that a diagnostics bundle copies.
        tracing::warn!(
            lines = e.to_string().lines().count(),
            "command rejected its input"
        );
    } else {
        tracing::warn!(error = %e, kind = ?e.kind(), "command failed");
    }
    ErrorView {
        kind: e.kind(),
        message: e.to_string(),
        text: e.text().cloned(),
    }
}

/// Runs `work` on a blocking thread with a handle to the station.
async fn blocking<T: Send + 'static>(
    station: &Arc<Station>,
    work: impl FnOnce(&Station) -> tucai_core::Result<T> + Send + 'static,
) -> Reply<T> {
    let station = station.clone();
    tauri::async_runtime::spawn_blocking(move || work(&station))
        .await
        .map_err(|e| ErrorView {
            kind: tucai_core::ErrorKind::Internal,
            message: format!("the task stopped: {e}"),
            text: None,
        })?
        .map_err(view)
}

#[tauri::command]
pub async fn station_status(station: Shared<'_>) -> Reply<StationStatus> {
    blocking(&station, |s| s.status()).await
}

#[tauri::command]
pub async fn find_student(station: Shared<'_>, query: String) -> Reply<StudentView> {
    blocking(&station, move |s| s.find_student(&query)).await
}

#[tauri::command]
pub async fn scan_student_code(station: Shared<'_>) -> Reply<StudentView> {
    blocking(&station, |s| s.find_student_by_camera()).await
}

#[tauri::command]
pub async fn start_preview(
    station: Shared<'_>,
    on_frame: Channel<InvokeResponseBody>,
    on_live: Channel<LiveStatus>,
) -> Reply<()> {
    // The station sends the next frame only once the window has called
    // `preview_painted` for this one, or after a time-out.
    let frames = Box::new(move |frame: PreviewFrame| {
        on_frame
            .send(InvokeResponseBody::Raw(frame_message(frame)))
            .is_ok()
    });
    let live = Box::new(move |status: LiveStatus| on_live.send(status).is_ok());
    station.start_preview(frames, live).map_err(view)
}

/// Length of the header before a preview frame's JPEG bytes.
const FRAME_HEADER_LEN: usize = 9;

/// Lays out a preview frame for the window's channel: the frame number as a
/// little-endian u64, one flags byte (bit 0: the frame number is drawn into
/// the picture), then the JPEG bytes. `ui/src/frames.ts` reads it.
fn frame_message(frame: PreviewFrame) -> Vec<u8> {
    let mut message = Vec::with_capacity(FRAME_HEADER_LEN + frame.jpeg.len());
    message.extend_from_slice(&frame.number.to_le_bytes());
    message.push(u8::from(frame.stamped));
    message.extend_from_slice(&frame.jpeg);
    message
}

/// Takes the window's acknowledgement of a painted preview frame, so that
/// the station sends the next one.
#[tauri::command]
pub async fn preview_painted(station: Shared<'_>, painted: PaintedFrame) -> Reply<()> {
    station.preview_painted(&painted);
    Ok(())
}

#[tauri::command]
pub async fn stop_preview(station: Shared<'_>) -> Reply<()> {
    blocking(&station, |s| {
        s.stop_preview();
        Ok(())
    })
    .await
}

#[tauri::command]
pub async fn capture(station: Shared<'_>, student_number: String) -> Reply<CaptureOutcome> {
    blocking(&station, move |s| s.capture(&student_number)).await
}

#[tauri::command]
pub async fn list_drafts(station: Shared<'_>, student_number: String) -> Reply<Vec<DraftView>> {
    blocking(&station, move |s| s.drafts(&student_number)).await
}

#[tauri::command]
pub async fn find_by_name(
    station: Shared<'_>,
    name: String,
    last_digits: String,
) -> Reply<Vec<StudentView>> {
    blocking(&station, move |s| s.find_by_name(&name, &last_digits)).await
}

#[tauri::command]
pub async fn session(station: Shared<'_>) -> Reply<SessionView> {
    blocking(&station, |s| s.session()).await
}

#[tauri::command]
pub async fn sign_in(
    station: Shared<'_>,
    username: String,
    password: String,
) -> Reply<SessionView> {
    blocking(&station, move |s| s.sign_in(&username, &password)).await
}

#[tauri::command]
pub async fn sign_out(station: Shared<'_>) -> Reply<SessionView> {
    blocking(&station, |s| s.sign_out()).await
}

#[tauri::command]
pub async fn create_first_supervisor(
    station: Shared<'_>,
    username: String,
    password: String,
) -> Reply<SessionView> {
    blocking(&station, move |s| {
        s.create_first_supervisor(&username, &password)
    })
    .await
}

#[tauri::command]
pub async fn add_staff(
    station: Shared<'_>,
    username: String,
    password: String,
    role: Role,
    approval: Option<Approval>,
) -> Reply<StaffMember> {
    blocking(&station, move |s| {
        s.add_staff(&username, &password, role, approval.as_ref())
    })
    .await
}

#[tauri::command]
pub async fn unlock_student(
    station: Shared<'_>,
    student_number: String,
    reason: String,
    approval: Option<Approval>,
) -> Reply<()> {
    blocking(&station, move |s| {
        s.unlock(&student_number, &reason, approval.as_ref())
    })
    .await
}

/// Resets a student's attempts with a reason, lifting any lock.
#[tauri::command]
pub async fn reset_student(
    station: Shared<'_>,
    student_number: String,
    reason: String,
    approval: Option<Approval>,
) -> Reply<StudentView> {
    blocking(&station, move |s| {
        s.reset_student(&student_number, &reason, approval.as_ref())
    })
    .await
}

#[tauri::command]
pub async fn delete_draft(
    station: Shared<'_>,
    draft_id: String,
    approval: Option<Approval>,
) -> Reply<()> {
    blocking(&station, move |s| {
        s.delete_draft(&draft_id, approval.as_ref())
    })
    .await
}

/// Takes the roster's bytes, as the window reads them from a file input;
/// the web side has no file system access of its own.
#[tauri::command]
pub async fn import_roster(
    station: Shared<'_>,
    file_name: String,
    bytes: Vec<u8>,
    approval: Option<Approval>,
) -> Reply<RosterImportView> {
    blocking(&station, move |s| {
        s.import_roster_bytes(&file_name, &bytes, approval.as_ref())
    })
    .await
}

#[tauri::command]
pub async fn dashboard(station: Shared<'_>) -> Reply<Dashboard> {
    blocking(&station, |s| s.dashboard()).await
}

#[tauri::command]
pub async fn audit_entries(
    station: Shared<'_>,
    limit: u32,
    approval: Option<Approval>,
) -> Reply<Vec<AuditEntry>> {
    blocking(&station, move |s| s.audit_entries(limit, approval.as_ref())).await
}

#[tauri::command]
pub async fn export_day(
    station: Shared<'_>,
    folder: String,
    approval: Option<Approval>,
) -> Reply<ExportSummary> {
    blocking(&station, move |s| s.export(&folder, approval.as_ref())).await
}

#[tauri::command]
pub async fn export_diagnostics(
    station: Shared<'_>,
    folder: String,
    approval: Option<Approval>,
) -> Reply<tucai_core::views::DiagnosticsView> {
    blocking(&station, move |s| {
        s.export_diagnostics(&folder, approval.as_ref())
    })
    .await
}

/// Set once a supervisor has allowed the kiosk window to close.
#[derive(Default)]
pub struct KioskExit(pub std::sync::atomic::AtomicBool);

#[tauri::command]
pub async fn leave_kiosk(
    app: tauri::AppHandle,
    station: Shared<'_>,
    exit: State<'_, KioskExit>,
    approval: Option<Approval>,
) -> Reply<()> {
    blocking(&station, move |s| s.authorise_kiosk_exit(approval.as_ref())).await?;
    exit.0.store(true, std::sync::atomic::Ordering::SeqCst);
    app.exit(0);
    Ok(())
}

#[tauri::command]
pub async fn get_settings(station: Shared<'_>) -> Reply<Settings> {
    blocking(&station, |s| s.current_settings()).await
}

#[tauri::command]
pub async fn save_settings(
    station: Shared<'_>,
    settings: Settings,
    approval: Option<Approval>,
) -> Reply<Settings> {
    blocking(&station, move |s| {
        s.save_settings(settings, approval.as_ref())
    })
    .await
}

/// Lists the cameras the settings can choose.
#[tauri::command]
pub async fn list_cameras(station: Shared<'_>) -> Reply<Vec<CameraOption>> {
    blocking(&station, |s| s.list_cameras()).await
}

/// Opens the camera again as the settings choose it, after one is plugged in.
#[tauri::command]
pub async fn detect_cameras(station: Shared<'_>) -> Reply<()> {
    blocking(&station, |s| s.detect_cameras()).await
}

/// Queues a draft for the centre. Replacing a final photo needs a
/// supervisor's `approval` when an operator is signed in.
#[tauri::command]
pub async fn submit_draft(
    station: Shared<'_>,
    draft_id: String,
    approval: Option<Approval>,
) -> Reply<SubmissionView> {
    blocking(&station, move |s| {
        s.submit_draft(&draft_id, approval.as_ref())
    })
    .await
}

/// Returns the student's latest submission, or `null` before the first.
#[tauri::command]
pub async fn student_submission(
    station: Shared<'_>,
    student_number: String,
) -> Reply<Option<SubmissionView>> {
    blocking(&station, move |s| s.submission(&student_number)).await
}

#[tauri::command]
pub async fn sync_status(station: Shared<'_>) -> Reply<SyncStatus> {
    blocking(&station, |s| s.sync_status()).await
}

/// Enrols the station at the centre with the school's one-time token; the
/// request to the centre runs on the blocking thread.
#[tauri::command]
pub async fn enrol_station(
    station: Shared<'_>,
    token: String,
    approval: Option<Approval>,
) -> Reply<SyncStatus> {
    blocking(&station, move |s| {
        s.enrol_station(&token, approval.as_ref())
    })
    .await
}

/// Saves the student's finished photo into `folder` and returns its path.
#[tauri::command]
pub async fn export_finished_photo(
    station: Shared<'_>,
    student_number: String,
    folder: String,
) -> Reply<String> {
    blocking(&station, move |s| {
        s.export_finished_photo(&student_number, &folder)
    })
    .await
}
