//! The station's settings: one TOML file in the operating system's config
//! folder, parsed once into a validated [`Settings`]. A missing file at the
//! default place means the documented defaults, but a file named by
//! `--settings` or `TUCAI_SETTINGS` must exist. An invalid value stops the
//! station with the file, the line, the key, the value found, what is
//! expected and the fix.

mod keys;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use keys::Problem;
use keys::{Expected, KEYS, key_line};

use crate::text::Text;
use crate::{Error, ErrorKind, Result};

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

impl Settings {
    /// Reads the settings file at `path`; a missing file gives the defaults,
    /// with a log line saying so.
    ///
    /// Fails with an explained `InvalidInput` error naming the file and,
    /// for each problem, the line, the key, the value found, what is
    /// expected and the fix. A problem is a value of the wrong type or out
    /// of range, an unknown key (with the known key it most resembles) or a
    /// line that is not TOML.
    pub fn load(path: &Path) -> Result<Settings> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                tracing::info!(path = %path.display(), "no settings file, so the defaults apply");
                return Ok(Settings::default());
            }
            Err(e) => return Err(Error::io(path, e)),
        };
        Settings::parse(&text).map_err(|problems| invalid_file(path, &problems))
    }

    /// Parses settings text, returning every problem with its line.
    pub fn parse(text: &str) -> std::result::Result<Settings, Vec<Problem>> {
        let table: toml::Table = toml::from_str(text).map_err(|e| vec![not_toml(text, &e)])?;
        let defaults = default_table();
        let problems = keys::check_table(text, &table, &defaults);
        if !problems.is_empty() {
            return Err(problems);
        }
        // Every key is known and of its type now, so only a bug in `KEYS`
        // fails here; serde's words then still name the key.
        let settings: Settings =
            toml::Value::Table(table)
                .try_into()
                .map_err(|e: toml::de::Error| {
                    vec![Problem {
                        line: None,
                        text: Text::same(e.message().to_owned()),
                    }]
                })?;
        settings.validate().map_err(|(key, reason)| {
            let default = defaults
                .get(key)
                .map(toml::Value::to_string)
                .unwrap_or_default();
            vec![Problem {
                line: key_line(text, key),
                text: Text::new(
                    format!(
                        "{key}：{}。请改正，或删除这一行以使用默认值 {default}。",
                        reason.zh
                    ),
                    format!(
                        "{key}: {}. Correct it, or delete the line to use the default, {default}.",
                        reason.en
                    ),
                ),
            }]
        })?;
        Ok(settings)
    }

    /// Checks every value against its allowed range, returning the first
    /// key at fault and the reason.
    pub fn validate(&self) -> std::result::Result<(), (&'static str, Text)> {
        for &(key, expected) in KEYS {
            if let Expected::Whole { min, max } = expected {
                let value = self.number(key);
                if !(min..=max).contains(&value) {
                    return Err((
                        key,
                        Text::new(
                            format!("{value} 超出允许范围 {min} 到 {max}"),
                            format!("{value} is outside {min} to {max}"),
                        ),
                    ));
                }
            }
        }
        if !matches!(self.language.as_str(), "zh-CN" | "en") {
            return Err((
                "language",
                Text::new(
                    format!("{:?} 不是 \"zh-CN\" 或 \"en\"", self.language),
                    format!("{:?} is not \"zh-CN\" or \"en\"", self.language),
                ),
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
                Text::new(
                    format!("{:?} 不是规格名称，应类似 \"chsi-diploma\"", self.profile),
                    format!(
                        "{:?} is not a profile name such as \"chsi-diploma\"",
                        self.profile
                    ),
                ),
            ));
        }
        if !self.centre_url.trim().is_empty() {
            crate::sync::CentreUrl::check(&self.centre_url).map_err(|reason| {
                (
                    "centre_url",
                    Text::new(
                        format!("中心地址无效，请使用中心提供给学校的 https:// 地址（{reason}）"),
                        reason,
                    ),
                )
            })?;
        }
        let name_chars = self.station_name.trim().chars().count();
        if !(1..=64).contains(&name_chars) {
            return Err((
                "station_name",
                Text::new(
                    format!("{:?} 不是 1 到 64 个字符", self.station_name),
                    format!("{:?} is not 1 to 64 characters", self.station_name),
                ),
            ));
        }
        if self.camera_index().is_err() {
            return Err((
                "camera",
                Text::new(
                    format!(
                        "{:?} 不是摄像头序号；留空表示自动选择，或填写 `tucai-station cameras` 列出的序号",
                        self.camera
                    ),
                    format!(
                        "{:?} is not a camera number; leave it empty to choose automatically, \
                         or give a number that `tucai-station cameras` lists",
                        self.camera
                    ),
                ),
            ));
        }
        if self.sync_retry_max_seconds < self.sync_retry_min_seconds {
            return Err((
                "sync_retry_max_seconds",
                Text::new(
                    format!(
                        "{} 小于 sync_retry_min_seconds（{}）",
                        self.sync_retry_max_seconds, self.sync_retry_min_seconds
                    ),
                    format!(
                        "{} is less than sync_retry_min_seconds ({})",
                        self.sync_retry_max_seconds, self.sync_retry_min_seconds
                    ),
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

    /// Returns the value of the whole-number setting `key`, 0 for any other key.
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
            .map_err(|(key, reason)| invalid_setting(key, &reason))?;
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

/// Converts the default settings to a TOML table, for the default that a
/// message offers.
fn default_table() -> toml::Table {
    toml::Value::try_from(Settings::default())
        .ok()
        .and_then(|value| value.as_table().cloned())
        .unwrap_or_default()
}

/// Builds the error for a settings value that the window or a caller set,
/// naming the key and the reason.
pub fn invalid_setting(key: &str, reason: &Text) -> Error {
    Error::explained(
        ErrorKind::InvalidInput,
        format!("设置项 {key}：{}", reason.zh),
        format!("setting {key}: {}", reason.en),
    )
}

/// Builds the error for a settings file with `problems`, one line each.
fn invalid_file(path: &Path, problems: &[Problem]) -> Error {
    let file = path.display();
    let line_zh = |p: &Problem| match p.line {
        Some(n) => format!("第 {n} 行：{}", p.text.zh),
        None => p.text.zh.clone(),
    };
    let line_en = |p: &Problem| match p.line {
        Some(n) => format!("line {n}: {}", p.text.en),
        None => p.text.en.clone(),
    };
    match problems {
        [one] => Error::explained(
            ErrorKind::InvalidInput,
            format!("设置文件 {file} {}", line_zh(one)),
            format!("settings file {file}, {}", line_en(one)),
        ),
        _ => Error::explained(
            ErrorKind::InvalidInput,
            format!(
                "设置文件 {file} 有 {} 处错误，请逐一改正：\n{}",
                problems.len(),
                problems.iter().map(line_zh).collect::<Vec<_>>().join("\n")
            ),
            format!(
                "settings file {file} has {} problems; correct each:\n{}",
                problems.len(),
                problems.iter().map(line_en).collect::<Vec<_>>().join("\n")
            ),
        ),
    }
}

/// Explains a line of the file that is not TOML, with toml's own reason.
fn not_toml(text: &str, error: &toml::de::Error) -> Problem {
    let line = error
        .span()
        .map(|span| text[..span.start.min(text.len())].lines().count().max(1));
    let reason = error.message().trim_end();
    Problem {
        line,
        text: Text::new(
            format!(
                "不是有效的 TOML（{reason}）。请检查引号、等号和方括号，例如 language = \"en\"。"
            ),
            format!(
                "not valid TOML ({reason}). Check the quotes, equals signs and brackets, such \
                 as language = \"en\"."
            ),
        ),
    }
}

/// Origin of the settings path, for the message when the file is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingsSource {
    /// The `--settings` option.
    Flag,
    /// The `TUCAI_SETTINGS` environment variable.
    Environment,
    /// `settings.toml` in the operating system's config folder.
    Default,
}

/// The settings file to read, and where its path came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsFile {
    pub path: PathBuf,
    pub source: SettingsSource,
}

impl SettingsFile {
    /// Reads the settings. A missing file at the default place gives the
    /// defaults, with a log line saying so. A missing file that
    /// `--settings` or `TUCAI_SETTINGS` named fails with an explained
    /// `NotFound` error naming it and the fix.
    pub fn load(&self) -> Result<Settings> {
        if self.source != SettingsSource::Default && !self.path.exists() {
            return Err(self.missing());
        }
        Settings::load(&self.path)
    }

    fn missing(&self) -> Error {
        let file = self.path.display();
        let (named_zh, named_en) = match self.source {
            SettingsSource::Flag => ("由 --settings 指定", "named by --settings"),
            _ => ("由环境变量 TUCAI_SETTINGS 指定", "named by TUCAI_SETTINGS"),
        };
        let option = match self.source {
            SettingsSource::Flag => "--settings",
            _ => SETTINGS_ENV,
        };
        Error::explained(
            ErrorKind::NotFound,
            format!(
                "找不到{named_zh}的设置文件 {file}。请检查路径；如要使用默认设置，请新建一个空文件，\
                 或去掉 {option}。"
            ),
            format!(
                "the settings file {file}, {named_en}, does not exist. Check the path; for the \
                 default settings, create it as an empty file or leave out {option}."
            ),
        )
    }
}

/// Resolves the settings file: the flag first, then `TUCAI_SETTINGS`, then
/// `settings.toml` in the operating system's config folder for the app
/// (such as `~/.config/tucai-station` on Linux).
pub fn settings_file(flag: Option<PathBuf>) -> Result<SettingsFile> {
    if let Some(path) = flag {
        return Ok(SettingsFile {
            path,
            source: SettingsSource::Flag,
        });
    }
    if let Some(path) = std::env::var_os(SETTINGS_ENV).filter(|v| !v.is_empty()) {
        return Ok(SettingsFile {
            path: path.into(),
            source: SettingsSource::Environment,
        });
    }
    directories::ProjectDirs::from("cn", "tucai", "tucai-station")
        .map(|dirs| SettingsFile {
            path: dirs.config_dir().join(SETTINGS_FILE),
            source: SettingsSource::Default,
        })
        .ok_or_else(|| {
            Error::explained(
                crate::ErrorKind::InvalidInput,
                format!(
                    "找不到用户主目录，无处存放设置：请用 --settings 文件 指定，或设置环境变量 \
                     {SETTINGS_ENV}。"
                ),
                format!(
                    "no home directory to keep the settings in: pass --settings FILE or set \
                     {SETTINGS_ENV}"
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    use tempfile::TempDir;

    /// Returns the only problem of `text`, which must be invalid.
    fn only_problem(text: &str) -> Problem {
        let problems = Settings::parse(text).expect_err("invalid settings");
        assert_eq!(problems.len(), 1, "{problems:?}");
        problems.into_iter().next().expect("one problem")
    }

    #[test]
    fn missing_file_gives_defaults() -> Result<()> {
        let dir = TempDir::new().map_err(|e| Error::io(Path::new("."), e))?;

        let settings = Settings::load(&dir.path().join("settings.toml"))?;

        assert_eq!(settings, Settings::default());
        assert_eq!(settings.draft_limit, 6);
        Ok(())
    }

    #[test]
    fn missing_default_file_gives_defaults() -> Result<()> {
        let dir = TempDir::new().map_err(|e| Error::io(Path::new("."), e))?;
        let file = SettingsFile {
            path: dir.path().join("settings.toml"),
            source: SettingsSource::Default,
        };

        assert_eq!(file.load()?, Settings::default());
        Ok(())
    }

    #[test]
    fn missing_named_file_is_an_error() -> Result<()> {
        let dir = TempDir::new().map_err(|e| Error::io(Path::new("."), e))?;
        let path = dir.path().join("statoin.toml");
        let named = [
            (
                SettingsSource::Flag,
                "named by --settings",
                "leave out --settings",
            ),
            (
                SettingsSource::Environment,
                "named by TUCAI_SETTINGS",
                "leave out TUCAI_SETTINGS",
            ),
        ];

        for (source, named_by, fix) in named {
            let file = SettingsFile {
                path: path.clone(),
                source,
            };

            let error = file.load().expect_err("a named file must exist");

            let text = error.text().expect("bilingual text");
            assert_eq!(error.kind(), ErrorKind::NotFound);
            assert!(text.en.contains(&path.display().to_string()), "{}", text.en);
            assert!(text.en.contains(named_by), "{}", text.en);
            assert!(
                text.en.contains("create it as an empty file"),
                "{}",
                text.en
            );
            assert!(text.en.contains(fix), "{}", text.en);
            assert!(text.zh.contains("找不到"), "{}", text.zh);
        }
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
    fn out_of_range_names_key_range_and_default() {
        let problem = only_problem("language = \"en\"\ndraft_limit = 0\n");

        assert_eq!(problem.line, Some(2));
        assert_eq!(
            problem.text.en,
            "draft_limit is 0, outside the allowed 1 to 20. Write a whole number from 1 to 20, \
             or delete the line to use the default, 6."
        );
        assert_eq!(
            problem.text.zh,
            "draft_limit 的值 0 超出允许范围 1 到 20。请填写 1 到 20 之间的整数，\
             或删除这一行以使用默认值 6。"
        );
    }

    #[test]
    fn negative_number_is_out_of_range() {
        let problem = only_problem("lock_minutes = -5\n");

        assert!(
            problem
                .text
                .en
                .starts_with("lock_minutes is -5, outside the allowed 1 to 1440."),
            "{}",
            problem.text.en
        );
    }

    #[test]
    fn unknown_key_suggests_known_key() {
        let problem = only_problem("draft_limit = 6\ndraft_limt = 5\n");

        assert_eq!(problem.line, Some(2));
        assert_eq!(
            problem.text.en,
            "draft_limt is not a setting. Did you mean draft_limit? Correct the name, or \
             delete the line."
        );
        assert!(
            problem.text.zh.contains("您是不是要写 draft_limit？"),
            "{}",
            problem.text.zh
        );
    }

    #[test]
    fn suggestions_for_misspellings() {
        let cases = [
            ("lang", Some("language")),
            ("lock_minute", Some("lock_minutes")),
            ("kisok", Some("kiosk")),
            ("centre_uri", Some("centre_url")),
            ("center_url", Some("centre_url")),
            ("colour", None),
        ];
        for (unknown, expected) in cases {
            assert_eq!(keys::suggest(unknown), expected, "{unknown}");
        }
    }

    #[test]
    fn unknown_key_without_match_lists_keys() {
        let problem = only_problem("colour = \"blue\"\n");

        assert!(
            problem.text.en.starts_with(
                "colour is not a setting. Correct the name to one of profile, language,"
            ),
            "{}",
            problem.text.en
        );
        assert!(
            problem
                .text
                .en
                .contains("lock_white_balance, or delete the line."),
            "{}",
            problem.text.en
        );
    }

    #[test]
    fn unknown_table_names_its_line() {
        let problem = only_problem("draft_limit = 6\n\n[webcam]\nindex = 1\n");

        assert_eq!(problem.line, Some(3));
        assert!(
            problem.text.en.starts_with("webcam is not a setting."),
            "{}",
            problem.text.en
        );
    }

    #[test]
    fn quoted_number_says_remove_quotes() {
        let problem = only_problem("\n\nlock_minutes = \"10\"\n");

        assert_eq!(problem.line, Some(3));
        assert_eq!(
            problem.text.en,
            "lock_minutes is \"10\", text in quotes, but it must be a whole number from 1 to \
             1440. Remove the quotes: lock_minutes = 10."
        );
        assert!(
            !problem.text.en.contains("invalid type"),
            "{}",
            problem.text.en
        );
    }

    #[test]
    fn wrong_type_names_value_expectation_and_fix() {
        let problem = only_problem("\n\nlock_minutes = \"ten\"\n");

        assert_eq!(problem.line, Some(3));
        assert_eq!(
            problem.text.en,
            "lock_minutes is \"ten\", text, but it must be a whole number from 1 to 1440, \
             without quotes, such as lock_minutes = 10. Correct it, or delete the line to use \
             the default, 10."
        );
        assert_eq!(
            problem.text.zh,
            "lock_minutes 的值 \"ten\" 是文本，应为 1 到 1440 之间的整数（不带引号），\
             例如 lock_minutes = 10；或删除这一行以使用默认值 10。"
        );
    }

    #[test]
    fn decimal_for_whole_number_rejected() {
        let problem = only_problem("draft_limit = 6.5\n");

        assert!(
            problem.text.en.starts_with(
                "draft_limit is 6.5, a decimal number, but it must be a whole number from 1 to 20"
            ),
            "{}",
            problem.text.en
        );
    }

    #[test]
    fn switch_types() {
        let quoted = only_problem("kiosk = \"true\"\n");
        let number = only_problem("kiosk = 1\n");

        assert_eq!(
            quoted.text.en,
            "kiosk is \"true\", text in quotes, but it must be true or false. Remove the \
             quotes: kiosk = true."
        );
        assert_eq!(
            number.text.en,
            "kiosk is 1, a whole number, but it must be true or false, without quotes. Write \
             kiosk = true or kiosk = false, or delete the line to use the default, false."
        );
    }

    #[test]
    fn text_key_given_number() {
        let problem = only_problem("language = 1\n");

        assert_eq!(
            problem.text.en,
            "language is 1, a whole number, but it must be text in double quotes: \"zh-CN\" or \
             \"en\". Write it such as language = \"zh-CN\", or delete the line to use the \
             default, \"zh-CN\"."
        );
    }

    #[test]
    fn every_problem_listed_by_line() {
        let problems = Settings::parse("kiosk = 1\ndraft_limt = 5\nlock_minutes = \"ten\"\n")
            .expect_err("three problems");

        let lines: Vec<Option<usize>> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(1), Some(2), Some(3)]);
    }

    #[test]
    fn not_toml_names_line() {
        let problem = only_problem("draft_limit = 6\nlanguage = en\n");

        assert_eq!(problem.line, Some(2));
        assert!(
            problem.text.en.starts_with("not valid TOML ("),
            "{}",
            problem.text.en
        );
        assert!(
            problem.text.en.contains("Check the quotes"),
            "{}",
            problem.text.en
        );
    }

    #[test]
    fn bad_language_and_url() {
        assert!(
            only_problem("language = \"fr\"")
                .text
                .en
                .contains("language: \"fr\" is not")
        );
        assert!(
            only_problem("centre_url = \"ftp://x\"")
                .text
                .en
                .contains("https://")
        );
        assert!(
            only_problem("profile = \"../etc\"")
                .text
                .en
                .contains("profile")
        );
    }

    #[test]
    fn remote_plain_http_names_url_and_fix() {
        let problem = only_problem("\ncentre_url = \"http://192.0.2.10:8787\"\n");

        assert_eq!(problem.line, Some(2));
        assert!(
            problem.text.en.starts_with("centre_url:"),
            "{}",
            problem.text.en
        );
        assert!(
            problem.text.en.contains("\"http://192.0.2.10:8787\""),
            "{}",
            problem.text.en
        );
        assert!(
            problem.text.en.contains("use https://192.0.2.10:8787"),
            "{}",
            problem.text.en
        );
    }

    #[test]
    fn sync_retry_bounds_ordered() {
        let problem = only_problem("sync_retry_min_seconds = 60\nsync_retry_max_seconds = 10\n");

        assert_eq!(problem.line, Some(2));
        assert!(
            problem.text.en.starts_with("sync_retry_max_seconds:"),
            "{}",
            problem.text.en
        );
    }

    #[test]
    fn empty_station_name_rejected() {
        let problem = only_problem("station_name = \" \"\n");

        assert!(
            problem.text.en.contains("station_name"),
            "{}",
            problem.text.en
        );
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
    fn load_error_names_file_line_and_key() -> Result<()> {
        let dir = TempDir::new().map_err(|e| Error::io(Path::new("."), e))?;
        let path = dir.path().join("settings.toml");
        std::fs::write(&path, "lock_minutes = 0\n").map_err(|e| Error::io(&path, e))?;

        let error = Settings::load(&path).unwrap_err();

        let text = error.text().expect("bilingual text");
        let file = path.display();
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert!(
            text.en
                .starts_with(&format!("settings file {file}, line 1: lock_minutes is 0")),
            "{}",
            text.en
        );
        assert!(
            text.zh
                .starts_with(&format!("设置文件 {file} 第 1 行：lock_minutes 的值 0")),
            "{}",
            text.zh
        );
        Ok(())
    }

    #[test]
    fn load_error_lists_each_problem() -> Result<()> {
        let dir = TempDir::new().map_err(|e| Error::io(Path::new("."), e))?;
        let path = dir.path().join("settings.toml");
        std::fs::write(&path, "kiosk = 1\nlang = \"en\"\n").map_err(|e| Error::io(&path, e))?;

        let error = Settings::load(&path).unwrap_err();

        let text = error.text().expect("bilingual text");
        let lines: Vec<&str> = text.en.lines().collect();
        assert_eq!(lines.len(), 3, "{}", text.en);
        assert!(
            lines[0].ends_with("has 2 problems; correct each:"),
            "{}",
            text.en
        );
        assert!(lines[1].starts_with("line 1: kiosk is 1"), "{}", text.en);
        assert!(
            lines[2].starts_with("line 2: lang is not a setting. Did you mean language?"),
            "{}",
            text.en
        );
        Ok(())
    }

    #[test]
    fn keys_match_settings_fields() {
        let defaults = default_table();
        let mut fields: Vec<&str> = defaults.keys().map(String::as_str).collect();
        let mut names: Vec<&str> = KEYS.iter().map(|(name, _)| *name).collect();
        fields.sort_unstable();
        names.sort_unstable();

        assert_eq!(names, fields);
    }
}
