//! Roster import into the database: adds or updates the students of a
//! parsed roster file in one transaction, or imports nothing.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

use super::roster::{Column, RosterError, RosterErrors, RosterRow, parse_roster};
use super::sheet::parse_roster_sheet;
use super::{Store, now_rfc3339};
use crate::text::Text;
use crate::{Error, ErrorKind, Result, explain};

/// The roster file's name in messages, in Chinese and English.
const ROSTER_FILE: (&str, &str) = ("名单文件", "roster file");

/// Counts of students written by one roster import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub added: u32,
    pub updated: u32,
    pub unchanged: u32,
}

impl Store {
    /// Imports a roster file in one transaction: CSV (see
    /// [`parse_roster`]) or a spreadsheet, XLSX, XLS or ODS (see
    /// [`parse_roster_sheet`]), told apart by the file's extension.
    ///
    /// Rows are matched to students by student number: new ones are added
    /// and changed ones updated. Students missing from the file, their
    /// captures and their drafts are kept.
    ///
    /// Fails with an explained `InvalidInput` error, and imports nothing,
    /// when the file has any invalid row, gives a student a collection code
    /// that a student absent from the file has, or has an extension other
    /// than these. That error lists every problem one per line, in Chinese
    /// and then in English. Fails with an explained
    /// `NotFound` error when the file does not exist, and an explained
    /// `InvalidInput` one when it cannot be read.
    pub fn import_roster(&mut self, path: &Path) -> Result<ImportSummary> {
        self.import_roster_by(path, "station")
    }

    /// Same as [`Store::import_roster`], recording `actor` in the audit log
    /// entry written with the students.
    pub fn import_roster_by(&mut self, path: &Path, actor: &str) -> Result<ImportSummary> {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let unreadable = |e: std::io::Error| explain::unreadable_file(ROSTER_FILE, path, &e);
        let rows = match extension.as_str() {
            "csv" | "txt" => {
                let file = File::open(path).map_err(unreadable)?;
                if file.metadata().is_ok_and(|m| m.is_dir()) {
                    return Err(unreadable(std::io::ErrorKind::IsADirectory.into()));
                }
                let mut reader = BufReader::new(file);
                let start = reader.fill_buf().map_err(unreadable)?;
                if let Some(kind) = spreadsheet_signature(start) {
                    return Err(misnamed_spreadsheet(path, &extension, kind));
                }
                parse_roster(reader)
            }
            "xlsx" | "xlsm" | "xls" | "ods" => {
                // calamine's own error for a missing file does not name the cause.
                match std::fs::metadata(path) {
                    Ok(m) if m.is_dir() => {
                        return Err(unreadable(std::io::ErrorKind::IsADirectory.into()));
                    }
                    Ok(_) => {}
                    Err(e) => return Err(unreadable(e)),
                }
                parse_roster_sheet(path)
            }
            _ => {
                return Err(Error::explained(
                    ErrorKind::InvalidInput,
                    format!(
                        "名单 {path:?} 既不是 CSV 文件也不是电子表格。\
                         请把它另存为 .xlsx 或“CSV UTF-8”后重新导入。"
                    ),
                    format!(
                        "roster {path:?} is neither a CSV file nor a spreadsheet; save it as \
                         .xlsx or as CSV UTF-8 and import it again"
                    ),
                ));
            }
        }
        .map_err(|errors| rejected(path, errors))?;

        // IMMEDIATE takes the write lock before the reads, so a write by the
        // sync worker's connection in between cannot fail it with SQLITE_BUSY.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let conflicts = find_conflicts(&tx, &rows)?;
        if !conflicts.is_empty() {
            return Err(rejected(path, RosterErrors { errors: conflicts }));
        }
        let summary = write_rows(&tx, &rows)?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        super::audit::append(
            &tx,
            actor,
            "roster_import",
            &file_name,
            &serde_json::json!({
                "added": summary.added,
                "updated": summary.updated,
                "unchanged": summary.unchanged,
            }),
        )?;
        tx.commit()?;

        tracing::info!(
            path = %path.display(),
            added = summary.added,
            updated = summary.updated,
            unchanged = summary.unchanged,
            "roster imported"
        );
        Ok(summary)
    }
}

/// Names the spreadsheet format that `start`, the first bytes of a file,
/// belongs to: .xlsx and .ods files are ZIP archives, .xls files are OLE2
/// compound files.
fn spreadsheet_signature(start: &[u8]) -> Option<&'static str> {
    if start.starts_with(b"PK\x03\x04") {
        Some(".xlsx")
    } else if start.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Some(".xls")
    } else {
        None
    }
}

fn misnamed_spreadsheet(path: &Path, extension: &str, kind: &str) -> Error {
    Error::explained(
        ErrorKind::InvalidInput,
        format!(
            "名单 {path:?} 其实是电子表格（{kind} 格式），只是文件名以 .{extension} 结尾。\
             请把文件名的扩展名改为 {kind}（.ods 文件改为 .ods）后重新导入。"
        ),
        format!(
            "roster {path:?} is a spreadsheet ({kind} format) with a .{extension} name; rename it to \
             end in {kind} (or .ods for an OpenDocument sheet) and import it again"
        ),
    )
}

fn rejected(path: &Path, errors: RosterErrors) -> Error {
    let lines = errors.lines();
    tracing::warn!(path = %path.display(), errors = errors.errors.len(), ?lines, "roster rejected");
    let count = errors.errors.len();
    let problems = if count == 1 {
        "this problem".to_owned()
    } else {
        format!("these {count} problems")
    };
    Error::explained(
        ErrorKind::InvalidInput,
        format!(
            "名单 {path:?} 未导入，请改正以下 {count} 处错误后重新导入：\n{}",
            errors.chinese()
        ),
        format!("roster {path:?} not imported, fix {problems} and import it again:\n{errors}"),
    )
}

/// Finds rows whose collection code or ID number belongs to a stored
/// student who is not in the file. Codes and ID numbers of students in the
/// file may move between them, because the file's own are unique.
fn find_conflicts(tx: &Transaction<'_>, rows: &[RosterRow]) -> Result<Vec<RosterError>> {
    let in_file: HashSet<&str> = rows.iter().map(|r| r.student_number.as_str()).collect();
    let mut owner = tx.prepare("SELECT student_number FROM students WHERE collection_code = ?1")?;
    let mut errors = Vec::new();

    // ID numbers have no index, so they are read once: a few milliseconds
    // for a university's roster.
    let mut by_id_number = std::collections::HashMap::new();
    let mut stored = tx.prepare("SELECT id_number, student_number FROM students")?;
    for pair in stored.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (id_number, student_number) = pair?;
        by_id_number.insert(id_number, student_number);
    }
    for row in rows {
        if let Some(other) = by_id_number.get(&row.id_number)
            && *other != row.student_number
            && !in_file.contains(other.as_str())
        {
            let reason = Text::new(
                format!(
                    "已属于学号为 {other} 的学生，而该生不在本文件中；同一个人不能有两个学号。\
                     请核对这一行的学号和身份证号"
                ),
                format!(
                    "already belongs to student {other}, who is not in this file; one person \
                     cannot have two student numbers. Check this row's student number and ID \
                     number"
                ),
            );
            errors.push(RosterError::field(
                row.line,
                Column::IdNumber,
                &row.id_number,
                reason,
            ));
        }
    }

    for row in rows {
        let found: Option<String> = owner
            .query_row([&row.collection_code], |r| r.get(0))
            .optional()?;
        if let Some(other) = found
            && !in_file.contains(other.as_str())
        {
            let reason = Text::new(
                format!("已属于学号为 {other} 的学生，而该生不在本文件中"),
                format!("already belongs to student {other}, who is not in this file"),
            );
            errors.push(RosterError::field(
                row.line,
                Column::CollectionCode,
                &row.collection_code,
                reason,
            ));
        }
    }
    Ok(errors)
}

/// The values of a student that a roster row sets, apart from the student
/// number that identifies the row.
#[derive(PartialEq, Eq)]
struct Fields {
    name: String,
    id_number: String,
    school: String,
    college: String,
    class_name: String,
    collection_code: String,
}

impl Fields {
    fn of(row: &RosterRow) -> Fields {
        Fields {
            name: row.name.clone(),
            id_number: row.id_number.clone(),
            school: row.school.clone(),
            college: row.college.clone(),
            class_name: row.class_name.clone(),
            collection_code: row.collection_code.clone(),
        }
    }
}

/// A stored student matched to a roster row.
struct Stored {
    id: i64,
    fields: Fields,
}

/// Inserts new students and updates changed ones.
fn write_rows(tx: &Transaction<'_>, rows: &[RosterRow]) -> Result<ImportSummary> {
    let now = now_rfc3339();
    let stored = load_stored(tx, rows)?;

    // Two students may swap collection codes in one file. The UNIQUE index
    // is checked after each statement, so first move every changing code to
    // a placeholder that no valid code can equal, because "#" is not a letter
    // or digit.
    let mut park = tx.prepare("UPDATE students SET collection_code = '#' || id WHERE id = ?1")?;
    for (row, old) in rows.iter().zip(&stored) {
        if let Some(old) = old
            && old.fields.collection_code != row.collection_code
        {
            park.execute([old.id])?;
        }
    }

    let mut insert = tx.prepare(
        "INSERT INTO students (student_number, name, id_number, school, college, class_name,
                               collection_code, imported_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
    )?;
    let mut update = tx.prepare(
        "UPDATE students SET name = ?2, id_number = ?3, school = ?4, college = ?5,
                             class_name = ?6, collection_code = ?7, updated_at = ?8
         WHERE student_number = ?1",
    )?;
    let mut summary = ImportSummary::default();

    for (row, old) in rows.iter().zip(stored) {
        let values = params![
            row.student_number,
            row.name,
            row.id_number,
            row.school,
            row.college,
            row.class_name,
            row.collection_code,
            now
        ];
        match old {
            None => {
                insert.execute(values)?;
                summary.added += 1;
            }
            Some(old) if old.fields == Fields::of(row) => summary.unchanged += 1,
            Some(_) => {
                update.execute(values)?;
                tracing::debug!(
                    student_number = %row.student_number,
                    line = row.line,
                    "student updated"
                );
                summary.updated += 1;
            }
        }
    }
    Ok(summary)
}

/// Loads the stored student for each row, by student number.
fn load_stored(tx: &Transaction<'_>, rows: &[RosterRow]) -> Result<Vec<Option<Stored>>> {
    let mut select = tx.prepare(
        "SELECT id, name, id_number, school, college, class_name, collection_code
         FROM students WHERE student_number = ?1",
    )?;
    let mut stored = Vec::with_capacity(rows.len());
    for row in rows {
        let found = select
            .query_row([&row.student_number], |r| {
                let fields = Fields {
                    name: r.get(1)?,
                    id_number: r.get(2)?,
                    school: r.get(3)?,
                    college: r.get(4)?,
                    class_name: r.get(5)?,
                    collection_code: r.get(6)?,
                };
                Ok(Stored {
                    id: r.get(0)?,
                    fields,
                })
            })
            .optional()?;
        stored.push(found);
    }
    Ok(stored)
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::path::PathBuf;

    use tempfile::TempDir;

    use crate::ErrorKind;
    use crate::store::test_support::{self, TestResult};

    const HEADER: &str = "student_number,name,id_number,school,college,class,collection_code\n";
    /// A well-known sample ID number, whose check character is X.
    const VALID_ID: &str = "11010519491231002X";
    /// A second valid ID number, for rosters of two people.
    const OTHER_ID: &str = "110105194912310038";

    fn roster_path(name: &str) -> PathBuf {
        crate::assets_dir().join("roster").join(name)
    }

    #[test]
    fn sample_imports_40() -> TestResult {
        let dir = TempDir::new()?;
        let mut store = Store::open(dir.path())?;

        let summary = store.import_roster(&roster_path("sample-roster.csv"))?;

        assert_eq!(
            summary,
            ImportSummary {
                added: 40,
                updated: 0,
                unchanged: 0
            }
        );
        assert_eq!(store.student_count()?, 40);
        Ok(())
    }

    #[test]
    fn error_file_imports_nothing() -> TestResult {
        let dir = TempDir::new()?;
        let mut store = Store::open(dir.path())?;

        let error = store
            .import_roster(&roster_path("sample-roster-with-errors.csv"))
            .unwrap_err();

        let message = error.to_string();
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert_eq!(store.student_count()?, 0);
        assert!(message.contains("\nline 3, id_number"), "{message}");
        assert!(message.contains("\nline 5, name"), "{message}");
        assert!(message.contains("\nline 7, collection_code"), "{message}");
        assert!(!message.contains("line 2,"), "{message}");
        assert!(!message.contains("line 4,"), "{message}");
        assert!(!message.contains("line 6,"), "{message}");
        Ok(())
    }

    #[test]
    fn missing_file_not_found() -> TestResult {
        let dir = TempDir::new()?;
        let mut store = Store::open(dir.path())?;

        let error = store
            .import_roster(&dir.path().join("absent.csv"))
            .unwrap_err();

        assert_eq!(error.kind(), crate::ErrorKind::NotFound, "{error:?}");
        assert!(
            error.to_string().contains("absent.csv not found"),
            "{error}"
        );
        Ok(())
    }

    #[test]
    fn reimport_unchanged() -> TestResult {
        let dir = TempDir::new()?;
        let mut store = Store::open(dir.path())?;
        store.import_roster(&roster_path("sample-roster.csv"))?;

        let summary = store.import_roster(&roster_path("sample-roster.csv"))?;

        assert_eq!(
            summary,
            ImportSummary {
                added: 0,
                updated: 0,
                unchanged: 40
            }
        );
        Ok(())
    }

    #[test]
    fn reimport_updates_name_keeps_drafts() -> TestResult {
        let dir = TempDir::new()?;
        let mut store = Store::open(dir.path())?;
        store.import_roster(&roster_path("sample-roster.csv"))?;
        let before = store.find_student("TC2026A0001")?;
        let draft = test_support::save_passing_draft(&mut store, before.id, false)?;
        let changed =
            std::fs::read_to_string(roster_path("sample-roster.csv"))?.replace("赵小明", "赵晓明");
        let changed_path = dir.path().join("changed.csv");
        std::fs::write(&changed_path, changed)?;

        let summary = store.import_roster(&changed_path)?;

        let after = store.find_student("TC2026A0001")?;
        assert_eq!(
            summary,
            ImportSummary {
                added: 0,
                updated: 1,
                unchanged: 39
            }
        );
        assert_eq!(after.id, before.id);
        assert_eq!(after.name, "赵晓明");
        assert_eq!(after.imported_at, before.imported_at);
        assert_eq!(store.drafts(before.id)?, vec![draft]);
        Ok(())
    }

    #[test]
    fn reimport_swaps_codes() -> TestResult {
        let dir = TempDir::new()?;
        let mut store = Store::open(dir.path())?;
        let first =
            format!("{HEADER}S1,Li,{VALID_ID},U,C,K,CODE0001\nS2,Wu,{OTHER_ID},U,C,K,CODE0002\n");
        let swapped =
            format!("{HEADER}S1,Li,{VALID_ID},U,C,K,CODE0002\nS2,Wu,{OTHER_ID},U,C,K,CODE0001\n");
        let path = dir.path().join("roster.csv");
        std::fs::write(&path, first)?;
        store.import_roster(&path)?;
        std::fs::write(&path, swapped)?;

        let summary = store.import_roster(&path)?;

        assert_eq!(summary.updated, 2);
        assert_eq!(store.find_student("CODE0002")?.student_number, "S1");
        assert_eq!(store.find_student("CODE0001")?.student_number, "S2");
        Ok(())
    }

    #[test]
    fn code_of_absent_student_rejected() -> TestResult {
        let dir = TempDir::new()?;
        let mut store = Store::open(dir.path())?;
        let path = dir.path().join("roster.csv");
        std::fs::write(&path, format!("{HEADER}S1,Li,{VALID_ID},U,C,K,CODE0001\n"))?;
        store.import_roster(&path)?;
        std::fs::write(&path, format!("{HEADER}S2,Wu,{OTHER_ID},U,C,K,code0001\n"))?;

        let error = store.import_roster(&path).unwrap_err();

        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert!(
            error.to_string().contains("already belongs to student S1"),
            "{error}"
        );
        assert_eq!(store.student_count()?, 1);
        Ok(())
    }

    #[test]
    fn renamed_workbook_explained() -> TestResult {
        let dir = TempDir::new()?;
        let mut store = Store::open(dir.path())?;
        let path = dir.path().join("roster.csv");
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet().write_string(0, 0, "学号")?;
        book.save(&path)?;

        let error = store.import_roster(&path).unwrap_err();

        let text = error.text().expect("both languages");
        assert!(
            text.en
                .contains("is a spreadsheet (.xlsx format) with a .csv name"),
            "{}",
            text.en
        );
        assert!(text.zh.contains("扩展名改为 .xlsx"), "{}", text.zh);
        Ok(())
    }

    #[test]
    fn id_number_of_absent_student_rejected() -> TestResult {
        let dir = TempDir::new()?;
        let mut store = Store::open(dir.path())?;
        let path = dir.path().join("roster.csv");
        std::fs::write(&path, format!("{HEADER}S1,Li,{VALID_ID},U,C,K,CODE0001\n"))?;
        store.import_roster(&path)?;
        std::fs::write(&path, format!("{HEADER}S2,Li,{VALID_ID},U,C,K,CODE0002\n"))?;

        let error = store.import_roster(&path).unwrap_err();

        let text = error.text().expect("both languages");
        assert!(text.en.contains("line 2"), "{}", text.en);
        assert!(text.en.contains(VALID_ID), "names the value: {}", text.en);
        assert!(
            text.en.contains("already belongs to student S1"),
            "{}",
            text.en
        );
        assert!(text.zh.contains("同一个人不能有两个学号"), "{}", text.zh);
        assert_eq!(store.student_count()?, 1);

        // The same ID number may move to the other student of the file.
        std::fs::write(
            &path,
            format!("{HEADER}S1,Li,{OTHER_ID},U,C,K,CODE0001\nS2,Wu,{VALID_ID},U,C,K,CODE0002\n"),
        )?;
        assert_eq!(store.import_roster(&path)?.added, 1);
        Ok(())
    }
}
