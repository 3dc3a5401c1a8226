//! The station's records as staff use them: locks and unlocks, draft
//! deletion, roster import, the day's dashboard, the audit log and the
//! export to a folder.

use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use super::Station;
use super::staff::Approval;
use crate::store::{AuditEntry, ImportSummary, Lock, LockKind};
use crate::text::Text;
use crate::views::StudentView;
use crate::{Error, Result};

/// A lock as the window shows it: why, until when, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct LockView {
    pub kind: LockKind,
    pub locked_at: String,
    /// When it ends by itself, RFC 3339; `None` until a supervisor unlocks.
    pub until: Option<String>,
    pub reason: Text,
    pub advice: Text,
}

pub(super) fn lock_view(lock: &Lock) -> LockView {
    let (reason, advice) = match lock.kind {
        LockKind::Failures => (
            Text::new(
                "短时间内多次拍摄不合格，已暂停拍摄。",
                "too many failed captures in a short time; capture is paused",
            ),
            Text::new(
                "请换一个光线均匀的位置，调整灯光、避免背景阴影，等待解锁后再拍。",
                "change place or fix the light (even light, no shadow on the background), then try again when the lock ends",
            ),
        ),
        LockKind::Recapture => (
            Text::new(
                "多次检测到翻拍（照片或屏幕），已锁定。",
                "a photo of a photo or of a screen was detected more than once; capture is locked",
            ),
            Text::new(
                "请本人站到镜头前，由管理员核对身份后解锁。",
                "the student must stand in front of the camera in person; a supervisor checks and unlocks",
            ),
        ),
    };
    LockView {
        kind: lock.kind,
        locked_at: lock.locked_at.clone(),
        until: lock.until.clone(),
        reason,
        advice,
    }
}

/// The outcome of a roster import, for the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RosterImportView {
    pub added: u32,
    pub updated: u32,
    pub unchanged: u32,
    pub students: u32,
}

/// The day's progress for the staff dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Dashboard {
    pub students: u32,
    /// Students with at least one draft.
    pub captured: u32,
    /// Students with a submitted draft.
    pub submitted: u32,
    /// Students who tried but have no draft yet, and students whose latest
    /// submission the school reset or the centre rejected.
    pub needs_retake: u32,
    /// Submissions in the outbox that the centre has not acknowledged yet.
    pub waiting_to_sync: u32,
    /// Students whose latest submission came back finished or final.
    pub finished: u32,
    pub locked: u32,
    /// Students with no capture at all.
    pub not_seen: u32,
    /// Capture attempts today, passed or failed.
    pub attempts_today: u32,
}

impl Station {
    /// Lifts a student's lock; needs a supervisor and a reason.
    pub fn unlock(
        &self,
        student_number: &str,
        reason: &str,
        approval: Option<&Approval>,
    ) -> Result<()> {
        let actor = self.require_supervisor(approval)?;
        let mut store = self.store();
        let student = store.find_student(student_number)?;
        store.lift_lock(student.id, &actor, reason)?;
        Ok(())
    }

    /// Resets a student's attempts (lifting any lock) with a reason; needs a
    /// supervisor. Returns the student as the card shows it afterwards.
    pub fn reset_student(
        &self,
        student_number: &str,
        reason: &str,
        approval: Option<&Approval>,
    ) -> Result<StudentView> {
        let actor = self.require_supervisor(approval)?;
        let student = self.store().find_student(student_number)?;
        self.store().reset_attempts(student.id, &actor, reason)?;
        self.find_student(student_number)
    }

    /// Deletes a draft. Before its waiting time has passed this needs a
    /// supervisor; after it, any signed-in staff member.
    pub fn delete_draft(&self, draft_id: &str, approval: Option<&Approval>) -> Result<()> {
        let staff = self.require_staff()?;
        let wait = chrono::Duration::minutes(i64::from(self.settings().draft_delete_after_minutes));
        let draft = self.store().draft(draft_id)?;
        let from = crate::store::Store::deletable_at(&draft, wait)?;
        let early = chrono::Local::now().fixed_offset() < from;
        let actor = if early {
            self.require_supervisor(approval)?
        } else {
            staff.username
        };
        self.store().delete_draft(draft_id, &actor, wait, early)
    }

    /// Imports a roster file sent by the window as bytes (the web side has
    /// no file system access); needs a supervisor. `file_name` gives the
    /// format by its extension.
    pub fn import_roster_bytes(
        &self,
        file_name: &str,
        bytes: &[u8],
        approval: Option<&Approval>,
    ) -> Result<RosterImportView> {
        let actor = self.require_supervisor(approval)?;
        let name = Path::new(file_name)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| Error::Invalid(format!("{file_name:?} is not a file name")))?;
        let folder = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
        let path = folder.path().join(&name);
        std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
        let mut store = self.store();
        let ImportSummary {
            added,
            updated,
            unchanged,
        } = store.import_roster_by(&path, &actor)?;
        Ok(RosterImportView {
            added,
            updated,
            unchanged,
            students: store.student_count()?,
        })
    }

    pub fn dashboard(&self) -> Result<Dashboard> {
        self.require_staff()?;
        self.store().dashboard()
    }

    /// The newest audit entries; needs a supervisor.
    pub fn audit_entries(
        &self,
        limit: u32,
        approval: Option<&Approval>,
    ) -> Result<Vec<AuditEntry>> {
        self.require_supervisor(approval)?;
        self.store().audit_entries(limit)
    }

    /// Exports the day's records and originals to `folder`; needs a supervisor.
    pub fn export(
        &self,
        folder: &str,
        approval: Option<&Approval>,
    ) -> Result<crate::store::ExportSummary> {
        let actor = self.require_supervisor(approval)?;
        let folder = folder.trim();
        if folder.is_empty() {
            return Err(Error::Invalid(
                "enter the folder to export to, such as the USB drive's folder".into(),
            ));
        }
        self.store().export(Path::new(folder), &actor)
    }
}

impl Station {
    /// Writes a diagnostics bundle (settings, versions, recent logs, the
    /// camera list) into a new folder inside `folder`; needs a supervisor.
    pub fn export_diagnostics(
        &self,
        folder: &str,
        approval: Option<&Approval>,
    ) -> Result<crate::views::DiagnosticsView> {
        let actor = self.require_supervisor(approval)?;
        let folder = folder.trim();
        if folder.is_empty() {
            return Err(Error::Invalid(
                "enter the folder to write the diagnostics to, such as the USB drive's folder"
                    .into(),
            ));
        }
        let settings = self.settings().clone();
        let bundle = crate::diagnostics::write_bundle(
            Path::new(folder),
            crate::diagnostics::BundleSettings::Loaded(&settings),
            crate::paths::log_dir().as_deref(),
            &crate::diagnostics::camera_lines(),
        )?;
        self.store().audit(
            &actor,
            "diagnostics_export",
            &bundle.folder.display().to_string(),
            &serde_json::json!({ "log_files": bundle.log_files, "cameras": bundle.cameras }),
        )?;
        Ok(crate::views::DiagnosticsView {
            folder: bundle.folder.display().to_string(),
            log_files: bundle.log_files as u32,
            cameras: bundle.cameras as u32,
        })
    }

    /// Lets a supervisor close the full-screen kiosk window; the student in
    /// front of it cannot. The exit goes into the audit log.
    pub fn authorise_kiosk_exit(&self, approval: Option<&Approval>) -> Result<()> {
        let actor = self.require_supervisor(approval)?;
        self.store()
            .audit(&actor, "kiosk_exit", "window", &serde_json::json!({}))
    }

    /// The settings in force.
    pub fn current_settings(&self) -> Result<crate::config::Settings> {
        self.require_staff()?;
        Ok(self.settings().clone())
    }

    /// Validates and saves new settings; needs a supervisor. Lock, draft,
    /// sign-out, sync and camera settings apply at once; the profile at the
    /// next start. A camera named in the settings that cannot run leaves
    /// the demo camera running, with the reason in the station's status.
    pub fn save_settings(
        &self,
        settings: crate::config::Settings,
        approval: Option<&Approval>,
    ) -> Result<crate::config::Settings> {
        let actor = self.require_supervisor(approval)?;
        settings
            .validate()
            .map_err(|(key, reason)| crate::config::invalid_setting(key, &reason))?;
        if let Some(path) = &self.settings_path {
            settings.save(path)?;
        }
        let before = std::mem::replace(
            &mut *self.settings.write().unwrap_or_else(|e| e.into_inner()),
            settings.clone(),
        );
        let changed = changed_keys(&before, &settings);
        self.store().audit(
            &actor,
            "settings_save",
            "settings",
            &serde_json::json!({ "changed": changed }),
        )?;
        let sync_changed = changed
            .iter()
            .any(|key| key == "centre_url" || key == "station_name" || key.starts_with("sync_"));
        if sync_changed {
            self.restart_sync()?;
        }
        let camera_changed = changed
            .iter()
            .any(|key| key == "camera" || key == "allow_user_facing_camera");
        if camera_changed && self.camera_choice == super::CameraChoice::Auto {
            self.reopen_camera()?;
        }
        Ok(settings)
    }
}

/// Names the settings that differ, for the audit log.
fn changed_keys(before: &crate::config::Settings, after: &crate::config::Settings) -> Vec<String> {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return Vec::new();
    };
    a.iter()
        .filter(|(key, value)| b.get(*key) != Some(*value))
        .map(|(key, _)| key.clone())
        .collect()
}
