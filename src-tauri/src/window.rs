//! The station's window: opens the station, then hands it to Tauri with
//! the commands the window may call.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use tauri::Manager;
use tucai_core::station::{Station, StationOptions};

use crate::commands::KioskExit;

/// Opens the station and runs the window until it closes. In kiosk mode
/// the window is full screen without controls, and a request to close it
/// (such as Alt+F4) is refused until a supervisor allows it.
pub fn run_window(options: &StationOptions) -> tucai_core::Result<()> {
    let station = Arc::new(Station::open(options)?);
    let kiosk = options.settings.kiosk;
    tauri::Builder::default()
        .manage(station)
        .manage(KioskExit::default())
        .setup(move |app| {
            if kiosk && let Some(window) = app.get_webview_window("main") {
                window.set_decorations(false)?;
                window.set_fullscreen(true)?;
                window.set_always_on_top(true)?;
                tracing::info!("kiosk mode: full screen, closing needs a supervisor");
            }
            Ok(())
        })
        .on_window_event(move |window, event| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                let allowed = window.state::<KioskExit>().0.load(Ordering::SeqCst);
                if kiosk && !allowed {
                    tracing::warn!("close refused in kiosk mode: a supervisor must allow it");
                    api.prevent_close();
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            crate::commands::station_status,
            crate::commands::find_student,
            crate::commands::scan_student_code,
            crate::commands::start_preview,
            crate::commands::stop_preview,
            crate::commands::preview_painted,
            crate::commands::list_cameras,
            crate::commands::detect_cameras,
            crate::commands::capture,
            crate::commands::list_drafts,
            crate::commands::find_by_name,
            crate::commands::session,
            crate::commands::sign_in,
            crate::commands::sign_out,
            crate::commands::create_first_supervisor,
            crate::commands::add_staff,
            crate::commands::unlock_student,
            crate::commands::reset_student,
            crate::commands::delete_draft,
            crate::commands::import_roster,
            crate::commands::dashboard,
            crate::commands::audit_entries,
            crate::commands::export_day,
            crate::commands::export_diagnostics,
            crate::commands::leave_kiosk,
            crate::commands::get_settings,
            crate::commands::save_settings,
            crate::commands::submit_draft,
            crate::commands::student_submission,
            crate::commands::sync_status,
            crate::commands::enrol_station,
            crate::commands::export_finished_photo,
        ])
        .run(tauri::generate_context!())
        .map_err(|e| tucai_core::Error::Internal(format!("the window failed: {e}")))
}
