//! The commands the window calls: each a few lines over the station. Slow
//! ones run on a blocking thread so the window never freezes.

use std::sync::Arc;

use tauri::State;
use tauri::ipc::{Channel, InvokeResponseBody};
use tucai_core::station::Station;
use tucai_core::views::{
    CaptureOutcome, DraftView, ErrorView, LiveStatus, StationStatus, StudentView,
};

type Shared<'a> = State<'a, Arc<Station>>;
type Reply<T> = Result<T, ErrorView>;

fn view(e: tucai_core::Error) -> ErrorView {
    tracing::warn!(error = %e, kind = ?e.kind(), "command failed");
    ErrorView {
        kind: e.kind(),
        message: e.to_string(),
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
pub async fn start_preview(
    station: Shared<'_>,
    on_frame: Channel<InvokeResponseBody>,
    on_live: Channel<LiveStatus>,
) -> Reply<()> {
    // NOTE: frames are sent without waiting for the window to take the last
    // one, so a window that stalls for long lets the webview's queue grow.
    let frames =
        Box::new(move |jpeg: Vec<u8>| on_frame.send(InvokeResponseBody::Raw(jpeg)).is_ok());
    let live = Box::new(move |status: LiveStatus| on_live.send(status).is_ok());
    station.start_preview(frames, live).map_err(view)
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
