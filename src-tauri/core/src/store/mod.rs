//! The station's records: the roster of students, every capture attempt and
//! each student's draft box, kept in one SQLite file beside a folder of
//! original photos.
//!
//! Layout of the data folder:
//!
//! ```text
//! tucai.sqlite3                              the database (WAL mode)
//! station-key                                the station's Ed25519 signing key (mode 0600)
//! originals/<student_number>/<draft_id>.png  the full-resolution original of each draft
//! ```

mod audit;
mod captures;
mod drafts;
mod export;
mod files;
mod import;
mod locks;
mod recovery;
mod retention;
mod roster;
mod schema;
mod sheet;
mod staff;
mod students;
mod submissions;
#[cfg(test)]
mod test_support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{Local, SecondsFormat};
use rusqlite::Connection;

use crate::{Error, Result, explain};

pub use audit::{AuditCheck, AuditEntry, GENESIS_HASH};
pub use captures::NewCapture;
pub use drafts::{Draft, DraftState};
pub use export::ExportSummary;
pub use import::ImportSummary;
pub use locks::{AttemptStanding, Lock, LockKind, LockPolicy};
pub use recovery::{RecoveryReport, UNREFERENCED_DIR};
pub use retention::RetentionSummary;
pub use roster::{Column, RosterError, RosterErrors, RosterRow, id_check_char, parse_roster};
pub use sheet::parse_roster_sheet;
pub use staff::{MIN_PASSWORD_CHARS, Role, StaffMember};
pub use students::{Student, mask_id};
pub use submissions::{Enrolment, OutboxEntry, Submission, SubmissionState};

/// File name of the database inside the data folder.
pub const DB_FILE: &str = "tucai.sqlite3";

/// Folder inside the data folder that contains the original photos.
pub const ORIGINALS_DIR: &str = "originals";

/// How long a statement waits for another connection's lock before it fails
/// with `SQLITE_BUSY`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// An open data folder: the database connection and the folder's path.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    data_dir: PathBuf,
}

impl Store {
    /// Opens the store in `data_dir`, creating the folder, the database and
    /// the originals folder when they are missing, and migrates the schema
    /// to the latest version.
    ///
    /// Fails with `Error::Invalid` when a folder cannot be created. When the
    /// file is not a database or is corrupt, fails with an explained `Store`
    /// error naming the file and the way to recover. Fails with
    /// `Error::Store` when the database cannot be opened or migrated
    /// otherwise, such as a file written by a newer version of the station.
    pub fn open(data_dir: &Path) -> Result<Store> {
        let unusable = |path: &Path, e: std::io::Error| {
            Error::Invalid(format!(
                "cannot use {} as the station's data folder: {e}; choose another folder with --data-dir or TUCAI_DATA_DIR",
                path.display()
            ))
        };
        std::fs::create_dir_all(data_dir).map_err(|e| unusable(data_dir, e))?;
        let originals = data_dir.join(ORIGINALS_DIR);
        std::fs::create_dir_all(&originals).map_err(|e| unusable(&originals, e))?;

        let db_path = data_dir.join(DB_FILE);
        let mut conn = Connection::open(&db_path).map_err(|e| damage_or(&db_path, e))?;
        check_readable(&conn, &db_path)?;
        configure(&conn, &db_path)?;
        schema::migrations().to_latest(&mut conn)?;

        tracing::info!(path = %db_path.display(), "store opened");
        Ok(Store {
            conn,
            data_dir: data_dir.to_path_buf(),
        })
    }

    /// Same as [`Store::open`].
    pub fn open_in(data_dir: &Path) -> Result<Store> {
        Store::open(data_dir)
    }

    /// Path of the SQLite file.
    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join(DB_FILE)
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }
}

/// Reads the schema, the first read of the file, so that a file that is
/// not a database or whose schema is corrupt fails with the file's path
/// and the way to recover. Corruption elsewhere in the file fails the
/// first read of the damaged page, with the same advice but without the
/// path (see `From<rusqlite::Error>`).
fn check_readable(conn: &Connection, db_path: &Path) -> Result<()> {
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |row| {
        row.get::<_, i64>(0)
    })
    .map(drop)
    .map_err(|e| damage_or(db_path, e))
}

/// Converts `e` to the damaged-store error naming `db_path` when SQLite
/// reports damage, to the read-only-store error when it refuses a write,
/// and to `Error::Store` otherwise.
fn damage_or(db_path: &Path, e: rusqlite::Error) -> Error {
    if explain::is_damage(&e) {
        explain::damaged_store(Some(db_path), &e.to_string())
    } else if explain::is_read_only(&e) {
        explain::read_only_store(Some(db_path))
    } else {
        Error::from(e)
    }
}

/// Sets the per-connection options that the schema and the draft box rely on.
fn configure(conn: &Connection, db_path: &Path) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;

    // The first write: a store the user may not write fails here.
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .map_err(|e| damage_or(db_path, e))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::Store(format!(
            "cannot switch {db_path:?} to WAL mode, it stays in {mode:?} mode: \
             move the data folder to a local disk"
        )));
    }

    // FULL syncs the WAL at every commit, so a committed draft survives a
    // power cut. NORMAL, the usual choice with WAL, may roll back the last
    // commits, which would leave the original photo of a draft without its row.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    Ok(())
}

/// Current time as RFC 3339 text with the station's UTC offset, such as
/// `2026-06-18T09:30:12.345+08:00`.
pub fn now_rfc3339() -> String {
    Local::now().to_rfc3339_opts(SecondsFormat::Millis, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    use tempfile::TempDir;

    use crate::store::test_support::TestResult;

    #[test]
    fn open_creates_layout() -> TestResult {
        let dir = TempDir::new()?;
        let data_dir = dir.path().join("station");

        let store = Store::open(&data_dir)?;

        assert!(store.db_path().is_file());
        assert!(data_dir.join(ORIGINALS_DIR).is_dir());
        assert_eq!(store.data_dir(), data_dir.as_path());
        Ok(())
    }

    #[test]
    fn open_sets_pragmas() -> TestResult {
        let dir = TempDir::new()?;
        let store = Store::open(dir.path())?;

        let mode: String = store
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        let foreign_keys: i64 = store
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
        let busy_ms: i64 = store
            .conn
            .query_row("PRAGMA busy_timeout", [], |r| r.get(0))?;
        let synchronous: i64 = store
            .conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))?;

        assert_eq!(mode, "wal");
        assert_eq!(foreign_keys, 1);
        assert_eq!(busy_ms, 5000);
        assert_eq!(synchronous, 2, "2 is FULL");
        Ok(())
    }

    #[test]
    fn reopen_keeps_data() -> TestResult {
        let dir = TempDir::new()?;
        let mut store = Store::open(dir.path())?;
        store.import_roster(&crate::assets_dir().join("roster/sample-roster.csv"))?;
        drop(store);

        let store = Store::open_in(dir.path())?;

        assert_eq!(store.student_count()?, 40);
        Ok(())
    }

    /// Asserts that `error` is the damaged-store error naming `db` and the
    /// way to recover.
    fn assert_damaged(error: &Error, db: &Path) {
        let text = error.text().expect("bilingual text");
        let path = db.display().to_string();
        assert_eq!(error.kind(), crate::ErrorKind::Store);
        assert!(
            text.en.contains(&format!("database {path} is damaged")),
            "{}",
            text.en
        );
        assert!(text.en.contains("makes no backup"), "{}", text.en);
        assert!(text.en.contains("-wal and -shm"), "{}", text.en);
        assert!(text.en.contains("roster is imported again"), "{}", text.en);
        assert!(
            text.zh.contains(&format!("数据库文件 {path} 已损坏")),
            "{}",
            text.zh
        );
    }

    #[test]
    fn not_a_database_names_file() -> TestResult {
        let dir = TempDir::new()?;
        let db = dir.path().join(DB_FILE);
        std::fs::write(&db, b"these bytes are not a SQLite database, 1234567890")?;

        let error = Store::open(dir.path()).unwrap_err();

        assert_damaged(&error, &db);
        assert_eq!(
            std::fs::read(&db)?,
            b"these bytes are not a SQLite database, 1234567890",
            "the damaged file is left as it was"
        );
        Ok(())
    }

    #[test]
    fn corrupt_schema_names_file() -> TestResult {
        let dir = TempDir::new()?;
        drop(Store::open(dir.path())?);
        let db = dir.path().join(DB_FILE);
        let mut bytes = std::fs::read(&db)?;
        // Page 1 contains the schema's b-tree after the 100-byte file header.
        bytes[100..4096].fill(0xA5);
        std::fs::write(&db, &bytes)?;

        let error = Store::open(dir.path()).unwrap_err();

        assert_damaged(&error, &db);
        Ok(())
    }

    #[test]
    fn now_has_offset() -> TestResult {
        let text = now_rfc3339();

        let parsed = chrono::DateTime::parse_from_rfc3339(&text);

        assert!(parsed.is_ok(), "{text:?} is not RFC 3339");
        assert!(!text.ends_with('Z'), "{text:?} has no numeric offset");
        Ok(())
    }
}
