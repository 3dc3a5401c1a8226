//! The station's settings: one TOML file in the operating system's config
//! folder, parsed once into a validated [`Settings`]. A missing file means
//! the documented defaults; an invalid value stops the station with the key,
//! the line and the reason.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Error, Result};

/// Environment variable that overrides the settings file.
pub const SETTINGS_ENV: &str = "TUCAI_SETTINGS";

/// File name of the settings inside the config folder.
pub const SETTINGS_FILE: &str = "settings.toml";

/// Every setting of the station. Each field's comment is its documentation
/// in the README's table of settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default, deny_unknown_fields)]
#[ts(export)]
pub struct Settings {
    /// Spec profile the checks use, a file name in assets/profiles without `.toml`.
    pub profile: String,
    /// Language the window opens in: "zh-CN" or "en".
    pub language: String,
    /// Most drafts one student keeps (1 to 20).
    pub draft_limit: u32,
    /// Minutes after its capture before a draft may be deleted without a
    /// supervisor (0 to 10080).
    pub draft_delete_after_minutes: u32,
    /// Failed captures within `lock_window_minutes` that lock a student (1 to 100).
    pub lock_failures: u32,
    /// Window in which failed captures are counted (1 to 1440).
    pub lock_window_minutes: u32,
    /// Minutes a lock for failed captures lasts (1 to 1440).
    pub lock_minutes: u32,
    /// Suspected recaptures that lock a student until a supervisor unlocks (1 to 20).
    pub recapture_lock_count: u32,
    /// Minutes without input before staff are signed out (1 to 240).
    pub idle_sign_out_minutes: u32,
    /// Capture automatically once the live checks hold for `auto_capture_hold_ms`.
    pub auto_capture: bool,
    /// How long the live checks must hold before an automatic capture (500 to 10000).
    pub auto_capture_hold_ms: u32,
    /// Address of the provincial centre, empty while the station works
    /// offline: https:// for any host, http:// only for this computer.
    pub centre_url: String,
    /// Name the centre shows for this station, such as the booth's room (1 to 64 characters).
    pub station_name: String,
    /// Seconds one request to the centre may take, from connecting to the last byte (5 to 600).
    pub sync_timeout_seconds: u32,
    /// Seconds between reads of the centre's results while nothing waits to be sent (5 to 3600).
    pub sync_poll_seconds: u32,
    /// Seconds before the first retry after a failed sync; each later retry waits twice as long (1 to 600).
    pub sync_retry_min_seconds: u32,
    /// Maximum wait between retries, in seconds (1 to 86400, at least `sync_retry_min_seconds`).
    pub sync_retry_max_seconds: u32,
    /// Days to keep the originals of students whose photo is final (1 to 3650).
    pub retention_days: u32,
    /// Full screen without window controls; only a supervisor can close it.
    pub kiosk: bool,
    /// Camera to use: its number in `tucai-station cameras`, or empty to
    /// take the first external or rear camera.
    pub camera: String,
    /// Use a built-in user-facing camera when no external or rear one is
    /// attached. Off by default: at arm's height it makes the student raise
    /// the shoulders and tilt the head.
    pub allow_user_facing_camera: bool,
    /// Hold the camera's exposure at its automatic value while one student
    /// is in the live preview, where the camera lists the control.
    pub lock_exposure: bool,
    /// Hold the camera's white balance likewise.
    pub lock_white_balance: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            profile: crate::checks::DEFAULT_PROFILE.to_owned(),
            language: "zh-CN".to_owned(),
            draft_limit: 6,
            draft_delete_after_minutes: 30,
            lock_failures: 5,
            lock_window_minutes: 15,
            lock_minutes: 10,
            recapture_lock_count: 2,
            idle_sign_out_minutes: 10,
            auto_capture: false,
            auto_capture_hold_ms: 1500,
            centre_url: String::new(),
            station_name: "tucai-station".to_owned(),
            // An original of 10 MB takes 40 s at 2 Mbit/s.
            sync_timeout_seconds: 60,
            sync_poll_seconds: 30,
            sync_retry_min_seconds: 2,
            sync_retry_max_seconds: 300,
            retention_days: 90,
            kiosk: false,
            camera: String::new(),
            allow_user_facing_camera: false,
            lock_exposure: true,
            lock_white_balance: true,
        }
    }
}

/// Allowed range of each whole-number setting, checked at load and save.
const RANGES: &[(&str, u32, u32)] = &[
    ("draft_limit", 1, 20),
    ("draft_delete_after_minutes", 0, 10_080),
    ("lock_failures", 1, 100),
    ("lock_window_minutes", 1, 1440),
    ("lock_minutes", 1, 1440),
    ("recapture_lock_count", 1, 20),
    ("idle_sign_out_minutes", 1, 240),
    ("auto_capture_hold_ms", 500, 10_000),
    ("retention_days", 1, 3650),
    ("sync_timeout_seconds", 5, 600),
    ("sync_poll_seconds", 5, 3600),
    ("sync_retry_min_seconds", 1, 600),
    ("sync_retry_max_seconds", 1, 86_400),
];

impl Settings {
    /// Reads the settings file at `path`; a missing file gives the defaults.
    ///
    /// Fails with `Error::Invalid` naming the file, the line, the key and
    /// the reason for a value of the wrong type, an unknown key or a value
    /// out of its range.
    pub fn load(path: &Path) -> Result<Settings> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
            Err(e) => return Err(Error::io(path, e)),
        };
        Settings::parse(&text).map_err(|reason| {
            Error::Invalid(format!(
                "settings file {}: {reason}; correct it or delete the line to use the default",
                path.display()
            ))
        })
    }

    /// Parses settings text, returning the reason with its line on failure.
    pub fn parse(text: &str) -> std::result::Result<Settings, String> {
        let settings: Settings = toml::from_str(text).map_err(|e| {
            // An unknown key's span covers the whole table, so find its line.
            let unknown = e
                .message()
                .strip_prefix("unknown field `")
                .and_then(|rest| rest.split('`').next())
                .and_then(|key| key_line(text, key));
            let line = unknown.or_else(|| {
                e.span()
                    .map(|span| text[..span.start.min(text.len())].lines().count().max(1))
            });
            match line {
                Some(line) => format!("line {line}: {}", e.message()),
                None => e.message().to_owned(),
            }
        })?;
        settings.validate().map_err(|(key, reason)| {
            let line = key_line(text, key)
                .map(|n| format!("line {n}, "))
                .unwrap_or_default();
            format!("{line}{key}: {reason}")
        })?;
        Ok(settings)
    }

    /// Checks every value against its allowed range, returning the first
    /// key at fault and the reason.
    pub fn validate(&self) -> std::result::Result<(), (&'static str, String)> {
        for &(key, min, max) in RANGES {
            let value = self.number(key);
            if !(min..=max).contains(&value) {
                return Err((key, format!("{value} is outside {min} to {max}")));
            }
        }
        if !matches!(self.language.as_str(), "zh-CN" | "en") {
            return Err((
                "language",
                format!("{:?} is not \"zh-CN\" or \"en\"", self.language),
            ));
        }
        let profile_ok = !self.profile.is_empty()
            && self
                .profile
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !profile_ok {
            return Err((
                "profile",
                format!(
                    "{:?} is not a profile name such as \"chsi-diploma\"",
                    self.profile
                ),
            ));
        }
        if !self.centre_url.trim().is_empty() {
            crate::sync::CentreUrl::check(&self.centre_url)
                .map_err(|reason| ("centre_url", reason))?;
        }
        let name_chars = self.station_name.trim().chars().count();
        if !(1..=64).contains(&name_chars) {
            return Err((
                "station_name",
                format!("{:?} is not 1 to 64 characters", self.station_name),
            ));
        }
        if self.camera_index().is_err() {
            return Err((
                "camera",
                format!(
                    "{:?} is not a camera number; leave it empty to choose automatically, \
                     or give a number that `tucai-station cameras` lists",
                    self.camera
                ),
            ));
        }
        if self.sync_retry_max_seconds < self.sync_retry_min_seconds {
            return Err((
                "sync_retry_max_seconds",
                format!(
                    "{} is less than sync_retry_min_seconds ({})",
                    self.sync_retry_max_seconds, self.sync_retry_min_seconds
                ),
            ));
        }
        Ok(())
    }

    /// Returns the camera number that the `camera` setting names, `None`
    /// for automatic choice, or an error for text that is not a number.
    pub fn camera_index(&self) -> std::result::Result<Option<u32>, std::num::ParseIntError> {
        let text = self.camera.trim();
        if text.is_empty() {
            Ok(None)
        } else {
            text.parse().map(Some)
        }
    }

    fn number(&self, key: &str) -> u32 {
        match key {
            "draft_limit" => self.draft_limit,
            "draft_delete_after_minutes" => self.draft_delete_after_minutes,
            "lock_failures" => self.lock_failures,
            "lock_window_minutes" => self.lock_window_minutes,
            "lock_minutes" => self.lock_minutes,
            "recapture_lock_count" => self.recapture_lock_count,
            "idle_sign_out_minutes" => self.idle_sign_out_minutes,
            "auto_capture_hold_ms" => self.auto_capture_hold_ms,
            "retention_days" => self.retention_days,
            "sync_timeout_seconds" => self.sync_timeout_seconds,
            "sync_poll_seconds" => self.sync_poll_seconds,
            "sync_retry_min_seconds" => self.sync_retry_min_seconds,
            "sync_retry_max_seconds" => self.sync_retry_max_seconds,
            _ => 0,
        }
    }

    /// The settings as the text of a settings file.
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string_pretty(self)
            .map_err(|e| Error::Internal(format!("cannot write the settings: {e}")))
    }

    /// Writes the settings to `path` atomically (a temporary file renamed
    /// into place), after validating them.
    pub fn save(&self, path: &Path) -> Result<()> {
        self.validate()
            .map_err(|(key, reason)| Error::Invalid(format!("setting {key}: {reason}")))?;
        let text = self.to_toml()?;
        let folder = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(folder).map_err(|e| Error::io(folder, e))?;
        let mut temp = tempfile::NamedTempFile::new_in(folder).map_err(|e| Error::io(folder, e))?;
        std::io::Write::write_all(&mut temp, text.as_bytes())
            .map_err(|e| Error::io(temp.path(), e))?;
        temp.as_file()
            .sync_all()
            .map_err(|e| Error::io(temp.path(), e))?;
        temp.persist(path).map_err(|e| Error::io(path, e.error))?;
        tracing::info!(path = %path.display(), "settings saved");
        Ok(())
    }
}

/// Line (from 1) on which `key` is set.
fn key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
}

/// Resolves the settings file: the flag first, then `TUCAI_SETTINGS`, then
/// `settings.toml` in the operating system's config folder for the app
/// (such as `~/.config/tucai-station` on Linux).
pub fn settings_path(flag: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(path) = flag {
        return Ok(path);
    }
    if let Some(path) = std::env::var_os(SETTINGS_ENV).filter(|v| !v.is_empty()) {
        return Ok(path.into());
    }
    directories::ProjectDirs::from("cn", "tucai", "tucai-station")
        .map(|dirs| dirs.config_dir().join(SETTINGS_FILE))
        .ok_or_else(|| {
            Error::Invalid(format!(
                "no home directory to keep the settings in: pass --settings FILE or set {SETTINGS_ENV}"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    use tempfile::TempDir;

    #[test]
    fn missing_file_gives_defaults() -> Result<()> {
        let dir = TempDir::new().map_err(|e| Error::io(Path::new("."), e))?;

        let settings = Settings::load(&dir.path().join("settings.toml"))?;

        assert_eq!(settings, Settings::default());
        assert_eq!(settings.draft_limit, 6);
        Ok(())
    }

    #[test]
    fn partial_file_keeps_other_defaults() {
        let settings = Settings::parse("lock_failures = 3\nlanguage = \"en\"\n").unwrap();

        assert_eq!(settings.lock_failures, 3);
        assert_eq!(settings.language, "en");
        assert_eq!(settings.lock_minutes, Settings::default().lock_minutes);
    }

    #[test]
    fn out_of_range_names_key_and_line() {
        let reason = Settings::parse("language = \"en\"\ndraft_limit = 0\n").unwrap_err();

        assert_eq!(reason, "line 2, draft_limit: 0 is outside 1 to 20");
    }

    #[test]
    fn unknown_key_names_line() {
        let reason = Settings::parse("draft_limit = 6\ndraft_limt = 5\n").unwrap_err();

        assert!(reason.starts_with("line 2:"), "{reason}");
        assert!(reason.contains("draft_limt"), "{reason}");
    }

    #[test]
    fn wrong_type_names_line() {
        let reason = Settings::parse("\n\nlock_minutes = \"ten\"\n").unwrap_err();

        assert!(reason.starts_with("line 3:"), "{reason}");
    }

    #[test]
    fn bad_language_and_url() {
        assert!(
            Settings::parse("language = \"fr\"")
                .unwrap_err()
                .contains("language")
        );
        assert!(
            Settings::parse("centre_url = \"ftp://x\"")
                .unwrap_err()
                .contains("https://")
        );
        assert!(
            Settings::parse("profile = \"../etc\"")
                .unwrap_err()
                .contains("profile")
        );
    }

    #[test]
    fn remote_plain_http_names_url_and_fix() {
        let reason = Settings::parse("\ncentre_url = \"http://192.0.2.10:8787\"\n").unwrap_err();

        assert!(reason.starts_with("line 2, centre_url:"), "{reason}");
        assert!(reason.contains("\"http://192.0.2.10:8787\""), "{reason}");
        assert!(reason.contains("use https://192.0.2.10:8787"), "{reason}");
    }

    #[test]
    fn sync_retry_bounds_ordered() {
        let reason = Settings::parse("sync_retry_min_seconds = 60\nsync_retry_max_seconds = 10\n")
            .unwrap_err();

        assert!(
            reason.starts_with("line 2, sync_retry_max_seconds:"),
            "{reason}"
        );
    }

    #[test]
    fn empty_station_name_rejected() {
        let reason = Settings::parse("station_name = \" \"\n").unwrap_err();

        assert!(reason.contains("station_name"), "{reason}");
    }

    #[test]
    fn save_then_load_round_trips() -> Result<()> {
        let dir = TempDir::new().map_err(|e| Error::io(Path::new("."), e))?;
        let path = dir.path().join("nested/settings.toml");
        let settings = Settings {
            lock_failures: 4,
            centre_url: "http://127.0.0.1:8787".into(),
            ..Settings::default()
        };

        settings.save(&path)?;

        assert_eq!(Settings::load(&path)?, settings);
        Ok(())
    }

    #[test]
    fn load_error_names_file() -> Result<()> {
        let dir = TempDir::new().map_err(|e| Error::io(Path::new("."), e))?;
        let path = dir.path().join("settings.toml");
        std::fs::write(&path, "lock_minutes = 0\n").map_err(|e| Error::io(&path, e))?;

        let message = Settings::load(&path).unwrap_err().to_string();

        assert!(message.contains("settings.toml"), "{message}");
        assert!(message.contains("lock_minutes"), "{message}");
        Ok(())
    }
}
