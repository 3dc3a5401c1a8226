//! The station's window: opens the station, then hands it to Tauri with
//! the commands the window may call.

use std::sync::Arc;

use tucai_core::station::{Station, StationOptions};

/// Opens the station and runs the window until it closes.
pub fn run_window(options: &StationOptions) -> tucai_core::Result<()> {
    let station = Arc::new(Station::open(options)?);
    tauri::Builder::default()
        .manage(station)
        .invoke_handler(tauri::generate_handler![
            crate::commands::station_status,
            crate::commands::find_student,
            crate::commands::start_preview,
            crate::commands::stop_preview,
            crate::commands::capture,
            crate::commands::list_drafts,
            crate::commands::find_by_name,
            crate::commands::session,
            crate::commands::sign_in,
            crate::commands::sign_out,
            crate::commands::create_first_supervisor,
            crate::commands::add_staff,
            crate::commands::unlock_student,
            crate::commands::delete_draft,
            crate::commands::import_roster,
            crate::commands::dashboard,
            crate::commands::audit_entries,
            crate::commands::export_day,
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
