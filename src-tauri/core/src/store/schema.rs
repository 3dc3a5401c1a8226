//! The database schema as an ordered list of migrations. rusqlite_migration
//! keeps the applied version in SQLite's `user_version`, so a migration once
//! released must never change: add a new one instead.

use rusqlite_migration::{M, Migrations};

/// Version 1: the roster, every capture attempt and the draft boxes.
///
/// Times are RFC 3339 text with a UTC offset. Booleans are 0 or 1.
const V1_INITIAL: &str = r#"
CREATE TABLE students (
    id              INTEGER PRIMARY KEY,
    student_number  TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    id_number       TEXT NOT NULL,
    school          TEXT NOT NULL,
    college         TEXT NOT NULL,
    class_name      TEXT NOT NULL,
    collection_code TEXT NOT NULL UNIQUE,
    imported_at     TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;

CREATE TABLE captures (
    id           TEXT PRIMARY KEY NOT NULL,
    student_id   INTEGER NOT NULL REFERENCES students (id),
    taken_at     TEXT NOT NULL,
    passed       INTEGER NOT NULL CHECK (passed IN (0, 1)),
    demo         INTEGER NOT NULL CHECK (demo IN (0, 1)),
    report_json  TEXT NOT NULL CHECK (json_valid(report_json)),
    frame_width  INTEGER NOT NULL CHECK (frame_width > 0),
    frame_height INTEGER NOT NULL CHECK (frame_height > 0)
) STRICT;

CREATE INDEX captures_by_student ON captures (student_id);

CREATE TABLE drafts (
    id              TEXT PRIMARY KEY NOT NULL,
    capture_id      TEXT NOT NULL UNIQUE REFERENCES captures (id),
    student_id      INTEGER NOT NULL REFERENCES students (id),
    created_at      TEXT NOT NULL,
    demo            INTEGER NOT NULL CHECK (demo IN (0, 1)),
    original_path   TEXT NOT NULL,
    original_sha256 TEXT NOT NULL,
    rendered_jpeg   BLOB NOT NULL,
    state           TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'submitted'))
) STRICT;

CREATE INDEX drafts_by_student ON drafts (student_id);

-- A demo draft shows a recorded face, not the graduate's, so it must never
-- reach the provincial centre. These triggers stop any code that writes to
-- this file from submitting a demo draft or clearing its demo flag. The
-- draft box checks the same rules first to return a clearer error.
CREATE TRIGGER demo_draft_insert_unsubmitted
BEFORE INSERT ON drafts
WHEN NEW.demo = 1 AND NEW.state <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'demo drafts cannot be submitted');
END;

CREATE TRIGGER demo_draft_stays_unsubmitted
BEFORE UPDATE ON drafts
WHEN (OLD.demo = 1 OR NEW.demo = 1) AND NEW.state <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'demo drafts cannot be submitted');
END;

-- Without these, clearing the flag first would let a demo draft through.
CREATE TRIGGER draft_demo_flag_fixed
BEFORE UPDATE OF demo ON drafts
WHEN NEW.demo IS NOT OLD.demo
BEGIN
    SELECT RAISE(ABORT, 'the demo flag of a draft cannot change');
END;

CREATE TRIGGER capture_demo_flag_fixed
BEFORE UPDATE OF demo ON captures
WHEN NEW.demo IS NOT OLD.demo
BEGIN
    SELECT RAISE(ABORT, 'the demo flag of a capture cannot change');
END;

CREATE TRIGGER draft_demo_matches_capture
BEFORE INSERT ON drafts
WHEN NEW.demo IS NOT (SELECT demo FROM captures WHERE id = NEW.capture_id)
BEGIN
    SELECT RAISE(ABORT, 'a draft must have the demo flag of its capture');
END;
"#;

/// Version 2: staff accounts, locks, the hash-chained audit log, the
/// recapture flag of a capture and the index for lookup by name.
const V2_RECORDS: &str = r#"
CREATE TABLE staff (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role          TEXT NOT NULL CHECK (role IN ('operator', 'supervisor')),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
) STRICT;

-- A lock with no `until` lasts until a supervisor lifts it.
CREATE TABLE locks (
    id            INTEGER PRIMARY KEY,
    student_id    INTEGER NOT NULL REFERENCES students (id),
    kind          TEXT NOT NULL CHECK (kind IN ('failures', 'recapture')),
    locked_at     TEXT NOT NULL,
    until         TEXT,
    lifted_at     TEXT,
    lifted_by     TEXT,
    lift_reason   TEXT
) STRICT;

CREATE INDEX locks_by_student ON locks (student_id);

ALTER TABLE captures ADD COLUMN recapture INTEGER NOT NULL DEFAULT 0 CHECK (recapture IN (0, 1));

CREATE INDEX students_by_name ON students (name);

-- Each entry's hash covers its fields and the hash of the entry before,
-- so removing, reordering or editing an entry breaks the chain, and the
-- triggers refuse updates and deletes outright.
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    details   TEXT NOT NULL CHECK (json_valid(details)),
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL UNIQUE
) STRICT;

CREATE TRIGGER audit_log_no_update
BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete
BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
"#;

/// Version 3: the outbox of submissions waiting for the centre, each submission's state
/// at the centre, and the station's enrolment with its change-feed cursor.
///
/// `submissions` keeps one row per submission ever made. `outbox` has a row
/// while the upload is not acknowledged. Both are written in the same
/// transaction that marks the draft as submitted.
const V3_SYNC: &str = r#"
CREATE TABLE submissions (
    id            TEXT PRIMARY KEY NOT NULL,
    draft_id      TEXT NOT NULL,
    student_id    INTEGER NOT NULL REFERENCES students (id),
    queued_at     TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'queued' CHECK (state IN
                      ('queued', 'received', 'in_production', 'finished', 'reset', 'final',
                       'rejected')),
    reason        TEXT,
    finished_jpeg BLOB,
    updated_at    TEXT NOT NULL,
    by_supervisor INTEGER NOT NULL DEFAULT 0 CHECK (by_supervisor IN (0, 1))
) STRICT;

CREATE INDEX submissions_by_student ON submissions (student_id);

CREATE TABLE outbox (
    submission_id TEXT PRIMARY KEY NOT NULL REFERENCES submissions (id),
    queued_at     TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error    TEXT
) STRICT;

CREATE TABLE centre_enrolment (
    centre_url  TEXT PRIMARY KEY NOT NULL,
    station_id  TEXT NOT NULL,
    credential  TEXT NOT NULL,
    school      TEXT NOT NULL,
    enrolled_at TEXT NOT NULL,
    feed_cursor TEXT NOT NULL DEFAULT '0'
) STRICT;

-- The same rule as for drafts: a demo photo never enters the outbox, and an
-- unknown draft cannot be submitted either.
CREATE TRIGGER demo_draft_not_queued
BEFORE INSERT ON submissions
WHEN (SELECT demo FROM drafts WHERE id = NEW.draft_id) IS NOT 0
BEGIN
    SELECT RAISE(ABORT, 'demo drafts cannot be submitted');
END;
"#;

/// Version 4: the time a draft's original was removed under the retention
/// setting (the row and its rendered photo stay), and an index of the
/// originals still kept that covers the start-up check's scan, so that the
/// scan reads the index instead of walking rows that hold rendered photos.
const V4_ORIGINALS: &str = r#"
ALTER TABLE drafts ADD COLUMN original_removed_at TEXT;

CREATE INDEX drafts_by_original ON drafts (original_path, id)
    WHERE original_removed_at IS NULL;
"#;

/// Version 5: a supervisor's reset of a student's attempts, from which the
/// failed captures and suspected recaptures that lock a student count again.
const V5_ATTEMPT_RESETS: &str = r#"
CREATE TABLE attempt_resets (
    id         INTEGER PRIMARY KEY,
    student_id INTEGER NOT NULL REFERENCES students (id),
    reset_at   TEXT NOT NULL,
    reset_by   TEXT NOT NULL,
    reason     TEXT NOT NULL
) STRICT;

CREATE INDEX attempt_resets_by_student ON attempt_resets (student_id);
"#;

const MIGRATIONS: &[M<'static>] = &[
    M::up(V1_INITIAL),
    M::up(V2_RECORDS),
    M::up(V3_SYNC),
    M::up(V4_ORIGINALS),
    M::up(V5_ATTEMPT_RESETS),
];

/// Builds the migration list, in the order the migrations apply.
pub(super) fn migrations() -> Migrations<'static> {
    Migrations::from_slice(MIGRATIONS)
}

#[cfg(test)]
mod tests {
    use super::*;

    use rusqlite::Connection;
    use tempfile::TempDir;

    use crate::store::Store;
    use crate::store::test_support::TestResult;

    fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
        conn.query_row("PRAGMA user_version", [], |row| row.get(0))
    }

    #[test]
    fn migrations_validate() {
        assert!(migrations().validate().is_ok());
    }

    #[test]
    fn migrations_apply_to_fresh_file() -> TestResult {
        let dir = TempDir::new()?;
        let mut conn = Connection::open(dir.path().join("fresh.sqlite3"))?;

        migrations().to_latest(&mut conn)?;

        assert_eq!(user_version(&conn)?, MIGRATIONS.len() as i64);
        let tables: i64 = conn.query_row(
            "SELECT count(*) FROM sqlite_schema
             WHERE type = 'table' AND name IN ('students', 'captures', 'drafts')",
            [],
            |row| row.get(0),
        )?;
        assert_eq!(tables, 3);
        Ok(())
    }

    #[test]
    fn migrations_reapply_idempotent() -> TestResult {
        let dir = TempDir::new()?;
        let path = dir.path().join("twice.sqlite3");
        migrations().to_latest(&mut Connection::open(&path)?)?;

        let mut conn = Connection::open(&path)?;
        let second = migrations().to_latest(&mut conn);

        assert!(second.is_ok(), "{second:?}");
        assert_eq!(user_version(&conn)?, MIGRATIONS.len() as i64);
        Ok(())
    }

    #[test]
    fn store_reopen_idempotent() -> TestResult {
        let dir = TempDir::new()?;
        drop(Store::open(dir.path())?);

        let store = Store::open(dir.path())?;

        assert_eq!(user_version(&store.conn)?, MIGRATIONS.len() as i64);
        Ok(())
    }

    #[test]
    fn newer_file_rejected() -> TestResult {
        let dir = TempDir::new()?;
        let mut conn = Connection::open(dir.path().join("newer.sqlite3"))?;
        conn.pragma_update(None, "user_version", 99)?;

        let result = migrations().to_latest(&mut conn);

        assert!(result.is_err());
        Ok(())
    }
}
