//! The day's export to a folder (such as a USB drive): today's capture
//! attempts, the originals of today's drafts with their SHA-256 sums, and
//! the roster's progress as a spreadsheet.

use std::path::{Path, PathBuf};

use chrono::Local;
use rust_xlsxwriter::{Format, Workbook};
use serde::Serialize;
use ts_rs::TS;

use super::{Store, audit, files};
use crate::explain;
use crate::station::Dashboard;
use crate::{Error, Result};

/// Progress of a student in the collection, as the progress sheet shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    NotSeen,
    NeedsRetake,
    Captured,
    Submitted,
}

impl Progress {
    fn label(self) -> (&'static str, &'static str) {
        match self {
            Progress::NotSeen => ("未采集", "not yet seen"),
            Progress::NeedsRetake => ("需重拍", "needs retake"),
            Progress::Captured => ("已采集", "captured"),
            Progress::Submitted => ("已提交", "submitted"),
        }
    }
}

/// Summary of an export: its folder and what it contains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ExportSummary {
    /// The folder made for this export inside the chosen one.
    pub folder: String,
    pub captures: u32,
    pub originals: u32,
    pub students: u32,
}

/// SQL giving each student's progress code: 0 not seen, 1 needs retake,
/// 2 captured, 3 submitted. Demo captures count as seen, as a person stood
/// at the camera.
const PROGRESS_SQL: &str = "
SELECT s.id, s.student_number, s.name, s.college, s.class_name, s.collection_code,
       (SELECT count(*) FROM captures c WHERE c.student_id = s.id) AS attempts,
       (SELECT count(*) FROM drafts d WHERE d.student_id = s.id) AS drafts,
       (SELECT count(*) FROM drafts d WHERE d.student_id = s.id AND d.state = 'submitted') AS sent
FROM students s ORDER BY s.student_number";

struct ProgressRow {
    student_number: String,
    name: String,
    college: String,
    class_name: String,
    collection_code: String,
    attempts: u32,
    drafts: u32,
    progress: Progress,
}

impl Store {
    fn progress_rows(&self) -> Result<Vec<ProgressRow>> {
        let mut statement = self.conn.prepare(PROGRESS_SQL)?;
        let rows = statement
            .query_map([], |row| {
                let attempts: u32 = row.get(6)?;
                let drafts: u32 = row.get(7)?;
                let sent: u32 = row.get(8)?;
                let progress = if sent > 0 {
                    Progress::Submitted
                } else if drafts > 0 {
                    Progress::Captured
                } else if attempts > 0 {
                    Progress::NeedsRetake
                } else {
                    Progress::NotSeen
                };
                Ok(ProgressRow {
                    student_number: row.get(1)?,
                    name: row.get(2)?,
                    college: row.get(3)?,
                    class_name: row.get(4)?,
                    collection_code: row.get(5)?,
                    attempts,
                    drafts,
                    progress,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Counts the day's figures for the dashboard.
    pub fn dashboard(&self) -> Result<Dashboard> {
        let rows = self.progress_rows()?;
        let count = |p: Progress| rows.iter().filter(|r| r.progress == p).count() as u32;
        let today = format!("{}%", Local::now().format("%Y-%m-%d"));
        let attempts_today = self.conn.query_row(
            "SELECT count(*) FROM captures WHERE taken_at LIKE ?1",
            [&today],
            |row| row.get(0),
        )?;
        let latest_in = |states: &str| -> Result<u32> {
            let sql = format!(
                "SELECT count(*) FROM submissions s WHERE s.state IN ({states})
                 AND NOT EXISTS (SELECT 1 FROM submissions t
                                 WHERE t.student_id = s.student_id AND t.rowid > s.rowid)"
            );
            Ok(self.conn.query_row(&sql, [], |row| row.get(0))?)
        };
        Ok(Dashboard {
            students: rows.len() as u32,
            captured: count(Progress::Captured) + count(Progress::Submitted),
            submitted: count(Progress::Submitted),
            needs_retake: count(Progress::NeedsRetake) + latest_in("'reset', 'rejected'")?,
            waiting_to_sync: self.outbox_len()?,
            finished: latest_in("'finished', 'final'")?,
            locked: self.locked_count()?,
            not_seen: count(Progress::NotSeen),
            attempts_today,
        })
    }

    /// Writes `tucai-export-<date>-<time>` inside `parent`: `captures.csv`
    /// with today's attempts, `originals/` with today's drafts and a
    /// `SHA256SUMS` file, and `progress.xlsx` with every student's progress.
    /// Each copied original is read back and checked against its hash.
    ///
    /// Fails with an explained `InvalidInput` error naming `parent` and the
    /// fix when it is not a folder or cannot be written (a read-only, full
    /// or removed drive). Fails with `Error::Io` when an original cannot be
    /// read, and `Error::Store` when a copy does not match its recorded hash.
    pub fn export(&mut self, parent: &Path, actor: &str) -> Result<ExportSummary> {
        if !parent.is_dir() {
            return Err(explain::missing_folder(parent));
        }
        let unwritable = |e: std::io::Error| explain::unwritable_folder(parent, &e);
        let now = Local::now();
        let stem = format!("tucai-export-{}", now.format("%Y%m%d-%H%M%S"));
        let folder = crate::paths::create_fresh_dir(parent, &stem).map_err(unwritable)?;
        let today = format!("{}%", now.format("%Y-%m-%d"));

        let captures = self.export_captures(&folder.join("captures.csv"), &today, parent)?;
        let originals = self.export_originals(&folder, &today, parent)?;
        let rows = self.progress_rows()?;
        write_progress(&folder.join("progress.xlsx"), &rows, parent)?;

        let summary = ExportSummary {
            folder: folder.display().to_string(),
            captures,
            originals,
            students: rows.len() as u32,
        };
        audit::append(
            &self.conn,
            actor,
            "export",
            &summary.folder,
            &serde_json::json!({
                "captures": captures,
                "originals": originals,
                "students": summary.students,
            }),
        )?;
        tracing::info!(folder = %summary.folder, captures, originals, "export written");
        Ok(summary)
    }

    fn export_captures(&self, path: &Path, today: &str, parent: &Path) -> Result<u32> {
        let csv_error = |e: csv::Error| match e.kind() {
            csv::ErrorKind::Io(io) => explain::unwritable_folder(parent, io),
            _ => Error::Internal(format!("cannot write {}: {e}", path.display())),
        };
        let mut writer = csv::Writer::from_path(path).map_err(csv_error)?;
        writer
            .write_record([
                "taken_at",
                "student_number",
                "name",
                "passed",
                "recapture",
                "demo",
                "failed_rules",
            ])
            .map_err(csv_error)?;
        let mut statement = self.conn.prepare(
            "SELECT c.taken_at, s.student_number, s.name, c.passed, c.recapture, c.demo, c.report_json
             FROM captures c JOIN students s ON s.id = c.student_id
             WHERE c.taken_at LIKE ?1 ORDER BY c.rowid",
        )?;
        let mut rows = statement.query([today])?;
        let mut count = 0;
        while let Some(row) = rows.next()? {
            let report: serde_json::Value =
                serde_json::from_str(&row.get::<_, String>(6)?).unwrap_or_default();
            let failed: Vec<&str> = report["rules"]
                .as_array()
                .map(|rules| {
                    rules
                        .iter()
                        .filter(|r| r["status"] == "fail")
                        .filter_map(|r| r["rule"].as_str())
                        .collect()
                })
                .unwrap_or_default();
            let flag = |b: bool| if b { "1" } else { "0" };
            writer
                .write_record([
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    flag(row.get(3)?).to_owned(),
                    flag(row.get(4)?).to_owned(),
                    flag(row.get(5)?).to_owned(),
                    failed.join(" "),
                ])
                .map_err(csv_error)?;
            count += 1;
        }
        writer
            .flush()
            .map_err(|e| explain::unwritable_folder(parent, &e))?;
        Ok(count)
    }

    fn export_originals(&self, folder: &Path, today: &str, parent: &Path) -> Result<u32> {
        let unwritable = |e: std::io::Error| explain::unwritable_folder(parent, &e);
        let mut statement = self.conn.prepare(
            "SELECT original_path, original_sha256 FROM drafts WHERE created_at LIKE ?1 ORDER BY rowid",
        )?;
        let drafts = statement
            .query_map([today], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut sums = String::new();
        for (relative, sha256) in &drafts {
            let source = files::resolve(&self.data_dir, relative);
            let target: PathBuf = folder.join(relative);
            if let Some(student_folder) = target.parent() {
                std::fs::create_dir_all(student_folder).map_err(unwritable)?;
            }
            // The original is read first, so that a failure names the side
            // at fault: the store's original or the chosen folder.
            let original = std::fs::read(&source).map_err(|e| Error::io(&source, e))?;
            std::fs::write(&target, &original).map_err(unwritable)?;
            let copied = std::fs::read(&target).map_err(|e| Error::io(&target, e))?;
            if files::sha256_hex(&copied) != *sha256 {
                return Err(Error::Store(format!(
                    "{} does not match the hash recorded for it; the original or the drive is damaged",
                    target.display()
                )));
            }
            sums.push_str(&format!("{sha256}  {relative}\n"));
        }
        let sums_path = folder.join("SHA256SUMS");
        std::fs::write(&sums_path, sums).map_err(unwritable)?;
        Ok(drafts.len() as u32)
    }
}

fn write_progress(path: &Path, rows: &[ProgressRow], parent: &Path) -> Result<()> {
    let failed = |e: rust_xlsxwriter::XlsxError| match e {
        rust_xlsxwriter::XlsxError::IoError(e) => explain::unwritable_folder(parent, &e),
        other => Error::Internal(format!("cannot write {}: {other}", path.display())),
    };
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("进度 progress").map_err(failed)?;
    let bold = Format::new().set_bold();
    let headers = [
        "学号 student number",
        "姓名 name",
        "学院 college",
        "班级 class",
        "采集码 collection code",
        "拍摄次数 attempts",
        "草稿 drafts",
        "状态 status",
        "status",
    ];
    for (c, header) in headers.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *header, &bold)
            .map_err(failed)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        let (zh, en) = row.progress.label();
        sheet
            .write_string(r, 0, &row.student_number)
            .map_err(failed)?;
        sheet.write_string(r, 1, &row.name).map_err(failed)?;
        sheet.write_string(r, 2, &row.college).map_err(failed)?;
        sheet.write_string(r, 3, &row.class_name).map_err(failed)?;
        sheet
            .write_string(r, 4, &row.collection_code)
            .map_err(failed)?;
        sheet
            .write_number(r, 5, f64::from(row.attempts))
            .map_err(failed)?;
        sheet
            .write_number(r, 6, f64::from(row.drafts))
            .map_err(failed)?;
        sheet.write_string(r, 7, zh).map_err(failed)?;
        sheet.write_string(r, 8, en).map_err(failed)?;
    }
    sheet.autofit();
    book.save(path).map_err(failed)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use calamine::{Reader, open_workbook_auto};
    use tempfile::TempDir;

    use crate::store::NewCapture;
    use crate::store::test_support::{
        TestResult, jpeg_bytes, passing_capture, png_bytes, sample_store,
    };

    #[test]
    fn export_writes_day_and_progress() -> TestResult {
        let (_dir, mut store, student) = sample_store()?;
        let second = store.find_student("2023010002")?;
        let capture = passing_capture(&mut store, student.id, false)?;
        store.save_draft(&capture, student.id, false, &png_bytes(), &jpeg_bytes(), 6)?;
        store.record_capture(&NewCapture {
            student_id: second.id,
            passed: false,
            demo: false,
            recapture: false,
            report_json: r#"{"rules":[{"rule":"sharpness","status":"fail"}]}"#.into(),
            frame_width: 640,
            frame_height: 480,
        })?;
        let usb = TempDir::new()?;

        let summary = store.export(usb.path(), "wang.li")?;

        assert_eq!(
            (summary.captures, summary.originals, summary.students),
            (2, 1, 40)
        );
        let folder = PathBuf::from(&summary.folder);
        let csv = std::fs::read_to_string(folder.join("captures.csv"))?;
        assert!(csv.contains("sharpness"), "{csv}");
        let sums = std::fs::read_to_string(folder.join("SHA256SUMS"))?;
        let (hash, relative) = sums.trim().split_once("  ").unwrap();
        assert_eq!(
            files::sha256_hex(&std::fs::read(folder.join(relative))?),
            hash
        );

        let mut book = open_workbook_auto(folder.join("progress.xlsx"))?;
        let range = book.worksheet_range_at(0).unwrap()?;
        let status_of = |number: &str| {
            range
                .rows()
                .find(|r| r[0] == number)
                .map(|r| r[8].to_string())
        };
        assert_eq!(status_of("2023010001").as_deref(), Some("captured"));
        assert_eq!(status_of("2023010002").as_deref(), Some("needs retake"));
        assert_eq!(status_of("2023010003").as_deref(), Some("not yet seen"));
        assert_eq!(store.audit_entries(1)?[0].action, "export");
        Ok(())
    }

    #[test]
    fn export_to_missing_folder_names_it() -> TestResult {
        let (dir, mut store, _) = sample_store()?;
        let missing = dir.path().join("no-usb-here");

        let error = store.export(&missing, "wang.li").unwrap_err();

        assert!(error.to_string().contains("no-usb-here"), "{error}");
        Ok(())
    }

    /// sysfs takes no new folders, even from root, so this holds on a CI
    /// machine that runs the tests as root, where a read-only mode does not.
    #[cfg(target_os = "linux")]
    #[test]
    fn export_to_unwritable_folder_explains() -> TestResult {
        let (_dir, mut store, _) = sample_store()?;

        let error = store.export(Path::new("/sys"), "wang.li").unwrap_err();

        let text = error.text().expect("bilingual text");
        assert_eq!(error.kind(), crate::ErrorKind::InvalidInput);
        assert!(
            text.en.starts_with("cannot write into the folder /sys:"),
            "{}",
            text.en
        );
        assert!(text.en.contains("Choose another folder"), "{}", text.en);
        assert!(!text.en.contains("os error"), "{}", text.en);
        assert!(text.zh.contains("/sys"), "{}", text.zh);
        Ok(())
    }

    #[test]
    fn dashboard_counts() -> TestResult {
        let (_dir, mut store, student) = sample_store()?;
        let capture = passing_capture(&mut store, student.id, false)?;
        store.save_draft(&capture, student.id, false, &png_bytes(), &jpeg_bytes(), 6)?;

        let dashboard = store.dashboard()?;

        assert_eq!(dashboard.students, 40);
        assert_eq!(dashboard.captured, 1);
        assert_eq!(dashboard.not_seen, 39);
        assert_eq!(dashboard.attempts_today, 1);
        Ok(())
    }
}
