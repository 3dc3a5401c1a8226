//! What a crash can leave behind, found when the store opens.
//!
//! A draft is saved in three steps: the original goes to a temporary file,
//! the file is renamed to its final name, and the row commits. A crash
//! between the steps leaves a temporary file, or a complete original that
//! no row names. Neither is a draft, but the second is a real photo of a
//! student, so it is moved aside rather than deleted.

use std::collections::HashSet;
use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use super::{ORIGINALS_DIR, Store, files};
use crate::{Error, Result};

/// Folder inside `originals` that keeps originals no draft row names.
pub const UNREFERENCED_DIR: &str = ".unreferenced";

/// Findings and repairs of the start-up check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RecoveryReport {
    /// Temporary files of saves that never finished, removed.
    pub partial_removed: u32,
    /// Originals that no draft names (the save stopped before its row
    /// committed), moved to `originals/.unreferenced`.
    pub unreferenced_moved: Vec<String>,
    /// Drafts whose original file is missing.
    pub missing_originals: Vec<String>,
}

impl RecoveryReport {
    pub fn is_clean(&self) -> bool {
        self.partial_removed == 0
            && self.unreferenced_moved.is_empty()
            && self.missing_originals.is_empty()
    }
}

impl Store {
    /// Finds what an interrupted save left behind: removes temporary files,
    /// moves unreferenced originals aside and lists drafts whose original is
    /// missing. Run once when the station starts.
    pub fn recover(&self) -> Result<RecoveryReport> {
        let mut report = RecoveryReport::default();
        let mut statement = self.conn.prepare(
            "SELECT id, original_path FROM drafts INDEXED BY drafts_by_original \
             WHERE original_removed_at IS NULL",
        )?;
        let rows = statement
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;

        // One listing of the originals folder answers both questions: which
        // files no row refers to, and which rows have no file.
        let originals = self.data_dir.join(ORIGINALS_DIR);
        let aside = originals.join(UNREFERENCED_DIR);
        let mut present = HashSet::new();
        for student in read_dir(&originals)? {
            if !student.is_dir() || student == aside {
                continue;
            }
            for path in read_dir(&student)? {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if name.starts_with(files::TEMP_PREFIX) {
                    std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
                    report.partial_removed += 1;
                } else {
                    present.insert(path);
                }
            }
        }

        let mut referenced = HashSet::with_capacity(rows.len());
        for (id, relative) in rows {
            let path = files::resolve(&self.data_dir, &relative);
            if !present.contains(&path) {
                report.missing_originals.push(id);
            }
            referenced.insert(path);
        }
        for path in present.difference(&referenced) {
            if !path.is_file() {
                continue;
            }
            let student = path.parent().and_then(Path::file_name).unwrap_or_default();
            let folder = aside.join(student);
            std::fs::create_dir_all(&folder).map_err(|e| Error::io(&folder, e))?;
            let target = folder.join(path.file_name().unwrap_or_default());
            std::fs::rename(path, &target).map_err(|e| Error::io(&target, e))?;
            report.unreferenced_moved.push(
                target
                    .strip_prefix(&self.data_dir)
                    .unwrap_or(&target)
                    .display()
                    .to_string(),
            );
        }
        report.unreferenced_moved.sort();

        if report.is_clean() {
            tracing::debug!("store recovery: nothing left half-done");
        } else {
            tracing::warn!(
                partial_removed = report.partial_removed,
                unreferenced = report.unreferenced_moved.len(),
                missing = report.missing_originals.len(),
                "store recovery found what a crash left behind"
            );
        }
        Ok(report)
    }
}

fn read_dir(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    entries
        .map(|entry| entry.map(|e| e.path()).map_err(|e| Error::io(dir, e)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::store::test_support::{TestResult, sample_store, save_passing_draft};

    #[test]
    fn clean_store_reports_nothing() -> TestResult {
        let (_dir, mut store, student) = sample_store()?;
        save_passing_draft(&mut store, student.id, false)?;

        assert!(store.recover()?.is_clean());
        Ok(())
    }

    #[test]
    fn leftovers_found_and_handled() -> TestResult {
        let (dir, mut store, student) = sample_store()?;
        let kept = save_passing_draft(&mut store, student.id, false)?;
        let folder = dir.path().join(ORIGINALS_DIR).join(&student.student_number);
        std::fs::write(folder.join(".incoming-abc.tmp"), b"half a png")?;
        std::fs::write(folder.join("0191-orphan.png"), b"\x89PNG whole")?;
        let gone = save_passing_draft(&mut store, student.id, false)?;
        std::fs::remove_file(store.original_path(&gone))?;

        let report = store.recover()?;

        assert_eq!(report.partial_removed, 1);
        assert_eq!(report.unreferenced_moved.len(), 1);
        assert!(
            dir.path()
                .join(ORIGINALS_DIR)
                .join(UNREFERENCED_DIR)
                .join(&student.student_number)
                .join("0191-orphan.png")
                .is_file()
        );
        assert_eq!(report.missing_originals, vec![gone.id]);
        assert!(store.original_path(&kept).is_file());
        assert!(!folder.join(".incoming-abc.tmp").exists());
        Ok(())
    }
}
