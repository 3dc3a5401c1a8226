//! The diagnostics bundle a supervisor hands to IT: the settings without
//! secrets, the versions, the recent logs and the camera list, written to
//! a new folder so that nothing is sent anywhere by the station itself.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::config::Settings;
use crate::explain;
use crate::{Error, Result};

/// How many of the newest log files go into a bundle.
const LOG_FILES: usize = 7;

/// Summary of a written bundle, for the window and the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    pub folder: PathBuf,
    pub log_files: usize,
    pub cameras: usize,
}

/// The settings as a bundle records them.
#[derive(Debug, Clone, Copy)]
pub enum BundleSettings<'a> {
    /// Settings that loaded, written back as TOML.
    Loaded(&'a Settings),
    /// A settings file that failed to load, copied as found beside the
    /// reason, since a station that will not start is when IT needs it.
    Invalid { path: &'a Path, error: &'a str },
}

/// Writes a bundle into a new folder `tucai-diagnostics-<time>` inside
/// `parent`, which must exist. `cameras` is one line per video node the
/// operating system lists, each followed by indented lines of its formats;
/// `log_dir` may be missing or empty.
pub fn write_bundle(
    parent: &Path,
    settings: BundleSettings<'_>,
    log_dir: Option<&Path>,
    cameras: &[String],
) -> Result<Bundle> {
    if !parent.is_dir() {
        return Err(explain::missing_folder(parent));
    }
    let unwritable = |e: std::io::Error| explain::unwritable_folder(parent, &e);
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    let folder = crate::paths::create_fresh_dir(parent, &format!("tucai-diagnostics-{stamp}"))
        .map_err(unwritable)?;

    // The settings hold no secret: the station's signing key and the
    // centre's token stay in the store, which the bundle leaves out.
    let settings_file = folder.join("settings.toml");
    let settings_text = match settings {
        BundleSettings::Loaded(settings) => settings.to_toml()?,
        BundleSettings::Invalid { path, error } => {
            let problem_file = folder.join("settings-error.txt");
            std::fs::write(&problem_file, format!("{error}\n")).map_err(unwritable)?;
            std::fs::read_to_string(path)
                .unwrap_or_else(|e| format!("# {} could not be read: {e}\n", path.display()))
        }
    };
    std::fs::write(&settings_file, settings_text).map_err(unwritable)?;

    let mut versions = String::new();
    let _ = writeln!(versions, "tucai-core {}", env!("CARGO_PKG_VERSION"));
    let _ = writeln!(
        versions,
        "os {} {}",
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    let _ = writeln!(versions, "sqlite {}", rusqlite::version());
    let versions_file = folder.join("versions.txt");
    std::fs::write(&versions_file, versions).map_err(unwritable)?;

    let mut camera_text = String::new();
    if cameras.is_empty() {
        camera_text.push_str("no camera listed by the operating system\n");
    }
    for camera in cameras {
        let _ = writeln!(camera_text, "{camera}");
    }
    let cameras_file = folder.join("cameras.txt");
    std::fs::write(&cameras_file, camera_text).map_err(unwritable)?;

    let logs = match log_dir {
        Some(dir) => copy_recent_logs(dir, &folder.join("logs"))?,
        None => 0,
    };
    Ok(Bundle {
        folder,
        log_files: logs,
        cameras: cameras.iter().filter(|line| !line.starts_with(' ')).count(),
    })
}

/// Lists the video nodes the operating system reports, one line each
/// with its kind, or why it is skipped or cannot be opened, followed by an
/// indented line per format.
pub fn camera_lines() -> Vec<String> {
    crate::camera::probe_nodes()
        .iter()
        .flat_map(|node| crate::camera::describe_node(&crate::camera::classify_node(node)))
        .collect()
}

/// Copies the newest log files of `from` into `to`; a missing `from`
/// copies none.
fn copy_recent_logs(from: &Path, to: &Path) -> Result<usize> {
    let entries = match std::fs::read_dir(from) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(Error::io(from, e)),
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|entry| {
            let modified = entry.metadata().ok()?.modified().ok()?;
            Some((modified, entry.path()))
        })
        .collect();
    files.sort_by_key(|(modified, _)| std::cmp::Reverse(*modified));
    files.truncate(LOG_FILES);
    if files.is_empty() {
        return Ok(0);
    }
    std::fs::create_dir(to).map_err(|e| Error::io(to, e))?;
    for (_, path) in &files {
        let name = path.file_name().unwrap_or_default();
        let target = to.join(name);
        std::fs::copy(path, &target).map_err(|e| Error::io(&target, e))?;
    }
    Ok(files.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundle_holds_settings_versions_cameras_and_newest_logs() {
        let out = tempfile::tempdir().unwrap();
        let logs = tempfile::tempdir().unwrap();
        for day in 1..=9 {
            let path = logs
                .path()
                .join(format!("tucai-station.2026-11-{day:02}.log"));
            std::fs::write(&path, format!("log of day {day}\n")).unwrap();
            let when = std::time::SystemTime::UNIX_EPOCH
                + std::time::Duration::from_secs(1_800_000_000 + day * 86_400);
            std::fs::File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_modified(when)
                .unwrap();
        }
        let settings = Settings {
            lock_failures: 3,
            ..Settings::default()
        };
        let cameras = vec!["0: USB Camera (external)".to_owned()];
        let bundle = write_bundle(
            out.path(),
            BundleSettings::Loaded(&settings),
            Some(logs.path()),
            &cameras,
        )
        .unwrap();

        assert_eq!(bundle.log_files, LOG_FILES);
        let copied = std::fs::read_dir(bundle.folder.join("logs"))
            .unwrap()
            .count();
        assert_eq!(copied, LOG_FILES);
        assert!(
            bundle
                .folder
                .join("logs/tucai-station.2026-11-09.log")
                .exists()
        );
        assert!(
            !bundle
                .folder
                .join("logs/tucai-station.2026-11-01.log")
                .exists()
        );
        let written = std::fs::read_to_string(bundle.folder.join("settings.toml")).unwrap();
        assert_eq!(Settings::parse(&written).unwrap(), settings);
        let versions = std::fs::read_to_string(bundle.folder.join("versions.txt")).unwrap();
        assert!(versions.contains("sqlite 3."), "{versions}");
        let cameras_text = std::fs::read_to_string(bundle.folder.join("cameras.txt")).unwrap();
        assert!(cameras_text.contains("USB Camera"));
    }

    #[test]
    fn bundle_counts_cameras_not_formats() {
        let out = tempfile::tempdir().unwrap();
        let cameras = vec![
            "0: HD Pro Webcam C920 (external_or_rear)".to_owned(),
            "    MJPEG 1920x1080 30 fps".to_owned(),
            "    YUYV 1280x720 10 fps".to_owned(),
            "1: HD Pro Webcam C920 (skipped: lists no video format)".to_owned(),
        ];

        let bundle = write_bundle(
            out.path(),
            BundleSettings::Loaded(&Settings::default()),
            None,
            &cameras,
        )
        .unwrap();

        assert_eq!(bundle.cameras, 2);
        let text = std::fs::read_to_string(bundle.folder.join("cameras.txt")).unwrap();
        assert!(text.contains("    MJPEG 1920x1080 30 fps\n"), "{text}");
    }

    #[test]
    fn bundle_refuses_a_missing_folder() {
        let err = write_bundle(
            Path::new("/nonexistent/usb"),
            BundleSettings::Loaded(&Settings::default()),
            None,
            &[],
        )
        .unwrap_err();
        assert!(err.to_string().contains("/nonexistent/usb"), "{err}");
    }

    #[test]
    fn bundle_keeps_invalid_settings() {
        let out = tempfile::tempdir().unwrap();
        let path = out.path().join("settings.toml");
        std::fs::write(&path, "draft_limit = 50\n").unwrap();
        let error = "line 1, draft_limit: 50 is outside 1 to 20";

        let bundle = write_bundle(
            out.path(),
            BundleSettings::Invalid { path: &path, error },
            None,
            &[],
        )
        .unwrap();

        let copied = std::fs::read_to_string(bundle.folder.join("settings.toml")).unwrap();
        assert_eq!(copied, "draft_limit = 50\n");
        let reason = std::fs::read_to_string(bundle.folder.join("settings-error.txt")).unwrap();
        assert!(reason.contains("50 is outside 1 to 20"), "{reason}");
    }
}
