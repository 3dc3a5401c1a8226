//! The station's file locations: the data folder with the SQLite store
//! and the originals.

use std::path::{Path, PathBuf};

/// Environment variable that overrides the data folder.
pub const DATA_DIR_ENV: &str = "TUCAI_DATA_DIR";

/// Resolves the data folder: the flag first, then `TUCAI_DATA_DIR`, then
/// the operating system's data directory for the app (such as
/// `~/.local/share/tucai-station` on Linux).
pub fn data_dir(flag: Option<PathBuf>) -> crate::Result<PathBuf> {
    if let Some(dir) = flag {
        return Ok(dir);
    }
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return Ok(dir.into());
    }
    directories::ProjectDirs::from("cn", "tucai", "tucai-station")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .ok_or_else(|| {
            crate::Error::explained(
                crate::ErrorKind::InvalidInput,
                format!(
                    "找不到用户主目录，无处存放数据库：请用 --data-dir 目录 指定，或设置环境变量 \
                     {DATA_DIR_ENV}。"
                ),
                format!(
                    "no home directory to keep the store in: pass --data-dir DIR or set \
                     {DATA_DIR_ENV}"
                ),
            )
        })
}

/// Environment variable that overrides the log folder.
pub const LOG_DIR_ENV: &str = "TUCAI_LOG_DIR";

/// Resolves the log folder: `TUCAI_LOG_DIR`, then the operating system's
/// place for an app's logs (`~/.local/state/tucai-station/logs` on Linux,
/// `~/Library/Logs/tucai-station` on macOS, the local app data folder on
/// Windows). `None` when there is no home directory.
pub fn log_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(LOG_DIR_ENV).filter(|v| !v.is_empty()) {
        return Some(dir.into());
    }
    if cfg!(target_os = "macos") {
        return directories::BaseDirs::new()
            .map(|base| base.home_dir().join("Library/Logs/tucai-station"));
    }
    let dirs = directories::ProjectDirs::from("cn", "tucai", "tucai-station")?;
    Some(
        dirs.state_dir()
            .unwrap_or_else(|| dirs.data_local_dir())
            .join("logs"),
    )
}

/// Creates a new folder named `stem` inside `parent`, or `stem-2`,
/// `stem-3` and so on when that name is taken, such as by a second export
/// in the same second. Returns the folder made.
pub fn create_fresh_dir(parent: &Path, stem: &str) -> std::io::Result<PathBuf> {
    let mut folder = parent.join(stem);
    for n in 2..=100 {
        match std::fs::create_dir(&folder) {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                folder = parent.join(format!("{stem}-{n}"));
            }
            other => return other.map(|()| folder),
        }
    }
    std::fs::create_dir(&folder).map(|()| folder)
}

#[cfg(test)]
mod fresh_dir_tests {
    use super::*;

    #[test]
    fn taken_name_gets_a_number() -> std::io::Result<()> {
        let parent = tempfile::tempdir()?;

        let first = create_fresh_dir(parent.path(), "tucai-export-20260618-093012")?;
        let second = create_fresh_dir(parent.path(), "tucai-export-20260618-093012")?;
        let third = create_fresh_dir(parent.path(), "tucai-export-20260618-093012")?;

        assert_eq!(first, parent.path().join("tucai-export-20260618-093012"));
        assert_eq!(second, parent.path().join("tucai-export-20260618-093012-2"));
        assert_eq!(third, parent.path().join("tucai-export-20260618-093012-3"));
        assert!(third.is_dir());
        Ok(())
    }
}
