//! The draft box: passing captures kept for each student, up to a limit,
//! each as a rendered JPEG in the database and a full-resolution original
//! PNG on disk, until one is submitted to the provincial centre.

use std::fmt;
use std::path::PathBuf;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rusqlite::{OptionalExtension, Row, Transaction, TransactionBehavior, params};
use uuid::Uuid;

use super::captures::capture_facts;
use super::{Store, files, now_rfc3339};
use crate::{Error, Result};

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const JPEG_SIGNATURE: &[u8] = &[0xFF, 0xD8, 0xFF];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftState {
    /// Kept in the box and not yet sent.
    Draft,
    /// Sent to the provincial centre. Demo drafts never reach this state.
    Submitted,
}

impl DraftState {
    /// Value in the `drafts.state` column.
    pub fn as_str(self) -> &'static str {
        match self {
            DraftState::Draft => "draft",
            DraftState::Submitted => "submitted",
        }
    }
}

impl ToSql for DraftState {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for DraftState {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value.as_str()? {
            "draft" => Ok(DraftState::Draft),
            "submitted" => Ok(DraftState::Submitted),
            other => Err(FromSqlError::Other(
                format!("unknown draft state {other:?}").into(),
            )),
        }
    }
}

/// One row of the `drafts` table.
///
/// `Debug` shows the size of the rendered JPEG, not its bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Draft {
    /// A UUID v7.
    pub id: String,
    pub capture_id: String,
    pub student_id: i64,
    /// RFC 3339 with offset.
    pub created_at: String,
    /// Taken on the demo camera, so it can never be submitted.
    pub demo: bool,
    /// Path of the original PNG relative to the data folder, with `/`
    /// separators. [`Store::original_path`] resolves it.
    pub original_path: String,
    /// SHA-256 of the original PNG, lowercase hex.
    pub original_sha256: String,
    pub rendered_jpeg: Vec<u8>,
    pub state: DraftState,
}

impl fmt::Debug for Draft {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Draft")
            .field("id", &self.id)
            .field("capture_id", &self.capture_id)
            .field("student_id", &self.student_id)
            .field("created_at", &self.created_at)
            .field("demo", &self.demo)
            .field("original_path", &self.original_path)
            .field("original_sha256", &self.original_sha256)
            .field("rendered_jpeg_bytes", &self.rendered_jpeg.len())
            .field("state", &self.state)
            .finish()
    }
}

const DRAFT_COLUMNS: &str = "id, capture_id, student_id, created_at, demo, original_path, \
                             original_sha256, rendered_jpeg, state";

fn draft_from_row(row: &Row<'_>) -> rusqlite::Result<Draft> {
    Ok(Draft {
        id: row.get(0)?,
        capture_id: row.get(1)?,
        student_id: row.get(2)?,
        created_at: row.get(3)?,
        demo: row.get(4)?,
        original_path: row.get(5)?,
        original_sha256: row.get(6)?,
        rendered_jpeg: row.get(7)?,
        state: row.get(8)?,
    })
}

impl Store {
    /// Keeps the passing capture `capture_id` as a new draft of the student.
    ///
    /// The original is written to `originals/<student_number>/<draft_id>.png`
    /// and flushed to disk before the row is inserted, so a row never names a
    /// partial file. If the insert fails, the file is removed again.
    ///
    /// Fails with `Error::Conflict` when the student already has `limit`
    /// drafts (writing no file), when the capture failed its checks or when
    /// it already is a draft. Fails with `Error::NotFound` for an unknown
    /// student or capture, and with `Error::Invalid` when the capture belongs
    /// to another student, its demo flag differs from `demo`, or the bytes
    /// are not a PNG and a JPEG.
    pub fn save_draft(
        &mut self,
        capture_id: &str,
        student_id: i64,
        demo: bool,
        original_png: &[u8],
        rendered_jpeg: &[u8],
        limit: u32,
    ) -> Result<Draft> {
        check_signature("original", original_png, PNG_SIGNATURE, "PNG")?;
        check_signature("rendered photo", rendered_jpeg, JPEG_SIGNATURE, "JPEG")?;

        // IMMEDIATE takes the write lock now, so no other connection can add
        // a draft between the limit check and the insert.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let student_number = student_number(&tx, student_id)?;
        check_capture(&tx, capture_id, student_id, demo)?;
        check_room(&tx, student_id, &student_number, limit)?;

        let id = Uuid::now_v7().to_string();
        let written = files::write_original(&self.data_dir, &student_number, &id, original_png)?;
        let draft = Draft {
            id,
            capture_id: capture_id.to_string(),
            student_id,
            created_at: now_rfc3339(),
            demo,
            original_path: written.relative,
            original_sha256: written.sha256,
            rendered_jpeg: rendered_jpeg.to_vec(),
            state: DraftState::Draft,
        };

        #[cfg(feature = "failpoints")]
        fail::fail_point!("draft-original-renamed");
        let saved = insert_draft(&tx, &draft).and_then(|()| tx.commit().map_err(Error::from));
        if let Err(e) = saved {
            tracing::error!(
                draft_id = %draft.id,
                capture_id,
                student_id,
                error = %e,
                "draft not saved, removing its original"
            );
            files::remove_original(&written.path);
            return Err(e);
        }
        #[cfg(feature = "failpoints")]
        fail::fail_point!("draft-row-committed");

        tracing::info!(
            draft_id = %draft.id,
            capture_id,
            student_id,
            demo,
            original_bytes = original_png.len(),
            "draft saved"
        );
        Ok(draft)
    }

    /// Returns the student's drafts, newest first.
    pub fn drafts(&self, student_id: i64) -> Result<Vec<Draft>> {
        // The rowid follows insertion order, which unlike `created_at` does
        // not depend on the clock or its UTC offset.
        let sql =
            format!("SELECT {DRAFT_COLUMNS} FROM drafts WHERE student_id = ?1 ORDER BY rowid DESC");
        let mut statement = self.conn.prepare(&sql)?;
        let drafts = statement
            .query_map([student_id], draft_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(drafts)
    }

    /// Returns the draft `draft_id`, or `Error::NotFound`.
    pub fn draft(&self, draft_id: &str) -> Result<Draft> {
        let sql = format!("SELECT {DRAFT_COLUMNS} FROM drafts WHERE id = ?1");
        self.conn
            .query_row(&sql, [draft_id], draft_from_row)
            .optional()?
            .ok_or_else(|| Error::NotFound {
                what: "draft",
                value: draft_id.to_string(),
            })
    }

    /// Counts the student's drafts, submitted ones included.
    pub fn draft_count(&self, student_id: i64) -> Result<u32> {
        count_drafts(&self.conn, student_id)
    }

    /// Absolute path of a draft's original PNG.
    pub fn original_path(&self, draft: &Draft) -> PathBuf {
        files::resolve(&self.data_dir, &draft.original_path)
    }

    /// When a draft may be deleted without a supervisor: `wait` after its
    /// creation.
    pub fn deletable_at(
        draft: &Draft,
        wait: chrono::Duration,
    ) -> Result<chrono::DateTime<chrono::FixedOffset>> {
        let created = chrono::DateTime::parse_from_rfc3339(&draft.created_at).map_err(|e| {
            Error::Store(format!(
                "draft {} has an unreadable creation time: {e}",
                draft.id
            ))
        })?;
        Ok(created + wait)
    }

    /// Deletes a draft that is not submitted, then its original file, and
    /// records the deletion in the audit log under `actor`.
    ///
    /// A draft younger than `wait` is deleted only when `early` is true (a
    /// supervisor approved). Fails with `Error::Conflict` for a draft still
    /// waiting, naming the time it may be deleted, and for a submitted
    /// draft, which stays as the record of what was sent; with
    /// `Error::NotFound` for an unknown draft. A file that cannot be removed
    /// is logged and left behind.
    pub fn delete_draft(
        &mut self,
        draft_id: &str,
        actor: &str,
        wait: chrono::Duration,
        early: bool,
    ) -> Result<()> {
        let draft = self.draft(draft_id)?;
        if draft.state == DraftState::Submitted {
            return Err(Error::Conflict(format!(
                "draft {draft_id} is submitted and is kept as the record of what was sent"
            )));
        }
        let from = Store::deletable_at(&draft, wait)?;
        let too_soon = chrono::Local::now().fixed_offset() < from;
        if too_soon && !early {
            return Err(Error::Conflict(format!(
                "draft {draft_id} can be deleted from {}; a supervisor can delete it earlier",
                from.format("%H:%M")
            )));
        }

        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let deleted = tx.execute(
            "DELETE FROM drafts WHERE id = ?1 AND state = 'draft'",
            [draft_id],
        )?;
        if deleted == 0 {
            return Err(Error::Conflict(format!(
                "draft {draft_id} changed while it was being deleted, try again"
            )));
        }
        let student_number = student_number(&tx, draft.student_id)?;
        super::audit::append(
            &tx,
            actor,
            "draft_delete",
            draft_id,
            &serde_json::json!({
                "student": student_number,
                "early": too_soon,
                "sha256": draft.original_sha256,
            }),
        )?;
        tx.commit()?;
        files::remove_original(&self.original_path(&draft));
        tracing::info!(
            draft_id,
            student_id = draft.student_id,
            early = too_soon,
            "draft deleted"
        );
        Ok(())
    }
}

fn check_signature(what: &str, bytes: &[u8], signature: &[u8], format: &str) -> Result<()> {
    if bytes.starts_with(signature) {
        return Ok(());
    }
    Err(Error::Invalid(format!(
        "{what} is not a {format} file ({} bytes)",
        bytes.len()
    )))
}

fn student_number(tx: &Transaction<'_>, student_id: i64) -> Result<String> {
    tx.query_row(
        "SELECT student_number FROM students WHERE id = ?1",
        [student_id],
        |row| row.get(0),
    )
    .optional()?
    .ok_or_else(|| Error::NotFound {
        what: "student",
        value: student_id.to_string(),
    })
}

/// Checks that the capture exists, passed, belongs to the student, has the
/// same demo flag and is not a draft yet.
fn check_capture(
    tx: &Transaction<'_>,
    capture_id: &str,
    student_id: i64,
    demo: bool,
) -> Result<()> {
    let capture = capture_facts(tx, capture_id)?.ok_or_else(|| Error::NotFound {
        what: "capture",
        value: capture_id.to_string(),
    })?;

    if capture.student_id != student_id {
        return Err(Error::Invalid(format!(
            "capture {capture_id} belongs to student id {}, not {student_id}",
            capture.student_id
        )));
    }
    if !capture.passed {
        return Err(Error::Conflict(format!(
            "capture {capture_id} failed its checks, only a passing capture can be kept as a draft"
        )));
    }
    if capture.demo != demo {
        return Err(Error::Invalid(format!(
            "capture {capture_id} has demo = {}, but the draft was requested with demo = {demo}",
            capture.demo
        )));
    }

    let existing: Option<String> = tx
        .query_row(
            "SELECT id FROM drafts WHERE capture_id = ?1",
            [capture_id],
            |row| row.get(0),
        )
        .optional()?;
    if let Some(draft_id) = existing {
        return Err(Error::Conflict(format!(
            "capture {capture_id} is already kept as draft {draft_id}"
        )));
    }
    Ok(())
}

/// Rejects the save when the student's draft box already has `limit` drafts.
fn check_room(
    tx: &Transaction<'_>,
    student_id: i64,
    student_number: &str,
    limit: u32,
) -> Result<()> {
    let count = count_drafts(tx, student_id)?;
    if count < limit {
        return Ok(());
    }

    tracing::warn!(student_id, count, limit, "draft box full, draft not saved");
    Err(Error::Conflict(format!(
        "the draft box of student {student_number} is full ({count} of {limit}), \
         delete a draft first"
    )))
}

fn count_drafts(conn: &rusqlite::Connection, student_id: i64) -> Result<u32> {
    let count = conn.query_row(
        "SELECT count(*) FROM drafts WHERE student_id = ?1",
        [student_id],
        |row| row.get(0),
    )?;
    Ok(count)
}

fn insert_draft(tx: &Transaction<'_>, draft: &Draft) -> Result<()> {
    tx.execute(
        "INSERT INTO drafts (id, capture_id, student_id, created_at, demo, original_path,
                             original_sha256, rendered_jpeg, state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            draft.id,
            draft.capture_id,
            draft.student_id,
            draft.created_at,
            draft.demo,
            draft.original_path,
            draft.original_sha256,
            draft.rendered_jpeg,
            draft.state,
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::ErrorKind;
    use crate::store::ORIGINALS_DIR;
    use crate::store::files::sha256_hex;
    use crate::store::test_support::{
        self, LIMIT, TestResult, file_names, jpeg_bytes, passing_capture, png_bytes,
        save_passing_draft,
    };

    #[test]
    fn save_writes_file_and_row() -> TestResult {
        let (_dir, mut store, student) = test_support::sample_store()?;
        let capture_id = passing_capture(&mut store, student.id, false)?;
        let png = png_bytes();

        let draft = store.save_draft(&capture_id, student.id, false, &png, &jpeg_bytes(), LIMIT)?;

        let on_disk = std::fs::read(store.original_path(&draft))?;
        assert_eq!(
            draft.original_path,
            format!("originals/2023010001/{}.png", draft.id)
        );
        assert_eq!(on_disk, png);
        assert_eq!(sha256_hex(&on_disk), draft.original_sha256);
        assert_eq!(store.draft(&draft.id)?, draft);
        assert_eq!(draft.state, DraftState::Draft);
        assert_eq!(Uuid::parse_str(&draft.id)?.get_version_num(), 7);
        Ok(())
    }

    #[test]
    fn save_leaves_no_temp_files() -> TestResult {
        let (dir, mut store, student) = test_support::sample_store()?;

        let first = save_passing_draft(&mut store, student.id, false)?;
        let second = save_passing_draft(&mut store, student.id, false)?;

        let mut names = file_names(&dir.path().join(ORIGINALS_DIR))?;
        names.sort();
        let mut expected = vec![format!("{}.png", first.id), format!("{}.png", second.id)];
        expected.sort();
        assert_eq!(names, expected);
        Ok(())
    }

    #[test]
    fn seventh_draft_rejected() -> TestResult {
        let (dir, mut store, student) = test_support::sample_store()?;
        for _ in 0..6 {
            save_passing_draft(&mut store, student.id, false)?;
        }
        let capture_id = passing_capture(&mut store, student.id, false)?;

        let error = store
            .save_draft(
                &capture_id,
                student.id,
                false,
                &png_bytes(),
                &jpeg_bytes(),
                6,
            )
            .unwrap_err();

        assert_eq!(error.kind(), ErrorKind::Conflict);
        assert!(error.to_string().contains("full (6 of 6)"), "{error}");
        assert!(
            error.to_string().contains("delete a draft first"),
            "{error}"
        );
        assert_eq!(store.draft_count(student.id)?, 6);
        assert_eq!(file_names(&dir.path().join(ORIGINALS_DIR))?.len(), 6);
        Ok(())
    }

    #[test]
    fn drafts_newest_first() -> TestResult {
        let (_dir, mut store, student) = test_support::sample_store()?;
        let first = save_passing_draft(&mut store, student.id, false)?;
        let second = save_passing_draft(&mut store, student.id, false)?;

        let drafts = store.drafts(student.id)?;

        assert_eq!(drafts, vec![second, first]);
        Ok(())
    }

    #[test]
    fn demo_submit_rejected() -> TestResult {
        let (_dir, mut store, student) = test_support::sample_store()?;
        let draft = save_passing_draft(&mut store, student.id, true)?;

        let error = store.submit_draft(&draft.id, "test", false).unwrap_err();

        assert_eq!(error.kind(), ErrorKind::Conflict);
        assert_eq!(store.draft(&draft.id)?.state, DraftState::Draft);
        Ok(())
    }

    #[test]
    fn demo_raw_update_aborts() -> TestResult {
        let (_dir, mut store, student) = test_support::sample_store()?;
        let draft = save_passing_draft(&mut store, student.id, true)?;

        let result = store.conn.execute(
            "UPDATE drafts SET state = 'submitted' WHERE id = ?1",
            [&draft.id],
        );

        let message = result.expect_err("the trigger should abort").to_string();
        assert!(
            message.contains("demo drafts cannot be submitted"),
            "{message}"
        );
        assert_eq!(store.draft(&draft.id)?.state, DraftState::Draft);
        Ok(())
    }

    #[test]
    fn demo_flag_clear_aborts() -> TestResult {
        let (_dir, mut store, student) = test_support::sample_store()?;
        let draft = save_passing_draft(&mut store, student.id, true)?;

        let cleared = store
            .conn
            .execute("UPDATE drafts SET demo = 0 WHERE id = ?1", [&draft.id]);
        let both = store.conn.execute(
            "UPDATE drafts SET demo = 0, state = 'submitted' WHERE id = ?1",
            [&draft.id],
        );

        assert!(cleared.is_err());
        assert!(both.is_err());
        assert!(store.draft(&draft.id)?.demo);
        Ok(())
    }

    #[test]
    fn demo_raw_insert_aborts() -> TestResult {
        let (_dir, mut store, student) = test_support::sample_store()?;
        let capture_id = passing_capture(&mut store, student.id, true)?;
        let insert =
            "INSERT INTO drafts (id, capture_id, student_id, created_at, demo, original_path,
                                          original_sha256, rendered_jpeg, state)
                      VALUES ('d1', ?1, ?2, 'now', ?3, 'p', 's', x'00', 'submitted')";

        let submitted_demo = store
            .conn
            .execute(insert, params![capture_id, student.id, true]);
        let flag_cleared = store
            .conn
            .execute(insert, params![capture_id, student.id, false]);

        assert!(
            submitted_demo.is_err(),
            "a submitted demo draft was inserted"
        );
        assert!(
            flag_cleared.is_err(),
            "a non-demo draft of a demo capture was inserted"
        );
        Ok(())
    }

    #[test]
    fn submit_real_draft() -> TestResult {
        let (_dir, mut store, student) = test_support::sample_store()?;
        let draft = save_passing_draft(&mut store, student.id, false)?;

        store.submit_draft(&draft.id, "test", false)?;

        assert_eq!(store.draft(&draft.id)?.state, DraftState::Submitted);
        assert_eq!(
            store
                .submit_draft(&draft.id, "test", false)
                .unwrap_err()
                .kind(),
            ErrorKind::Conflict
        );
        Ok(())
    }

    #[test]
    fn submit_unknown_not_found() -> TestResult {
        let (_dir, mut store, _student) = test_support::sample_store()?;

        let error = store
            .submit_draft("no-such-draft", "test", false)
            .unwrap_err();

        assert_eq!(error.kind(), ErrorKind::NotFound);
        Ok(())
    }

    #[test]
    fn failed_capture_rejected() -> TestResult {
        let (_dir, mut store, student) = test_support::sample_store()?;
        let capture_id = store.record_capture(&crate::store::NewCapture {
            student_id: student.id,
            passed: false,
            demo: false,
            report_json: "{}".to_string(),
            recapture: false,
            frame_width: 640,
            frame_height: 480,
        })?;

        let error = store
            .save_draft(
                &capture_id,
                student.id,
                false,
                &png_bytes(),
                &jpeg_bytes(),
                LIMIT,
            )
            .unwrap_err();

        assert_eq!(error.kind(), ErrorKind::Conflict);
        assert_eq!(store.draft_count(student.id)?, 0);
        Ok(())
    }

    #[test]
    fn capture_reuse_rejected() -> TestResult {
        let (_dir, mut store, student) = test_support::sample_store()?;
        let draft = save_passing_draft(&mut store, student.id, false)?;

        let error = store
            .save_draft(
                &draft.capture_id,
                student.id,
                false,
                &png_bytes(),
                &jpeg_bytes(),
                LIMIT,
            )
            .unwrap_err();

        assert_eq!(error.kind(), ErrorKind::Conflict);
        Ok(())
    }

    #[test]
    fn other_students_capture_rejected() -> TestResult {
        let (_dir, mut store, student) = test_support::sample_store()?;
        let other = store.find_student("TC2026A0002")?;
        let capture_id = passing_capture(&mut store, other.id, false)?;

        let error = store
            .save_draft(
                &capture_id,
                student.id,
                false,
                &png_bytes(),
                &jpeg_bytes(),
                LIMIT,
            )
            .unwrap_err();

        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        Ok(())
    }

    #[test]
    fn demo_mismatch_rejected() -> TestResult {
        let (_dir, mut store, student) = test_support::sample_store()?;
        let capture_id = passing_capture(&mut store, student.id, true)?;

        let error = store
            .save_draft(
                &capture_id,
                student.id,
                false,
                &png_bytes(),
                &jpeg_bytes(),
                LIMIT,
            )
            .unwrap_err();

        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        Ok(())
    }

    #[test]
    fn non_png_rejected() -> TestResult {
        let (dir, mut store, student) = test_support::sample_store()?;
        let capture_id = passing_capture(&mut store, student.id, false)?;

        let error = store
            .save_draft(
                &capture_id,
                student.id,
                false,
                &jpeg_bytes(),
                &jpeg_bytes(),
                LIMIT,
            )
            .unwrap_err();

        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert!(file_names(&dir.path().join(ORIGINALS_DIR))?.is_empty());
        Ok(())
    }

    #[test]
    fn delete_waits_unless_early() -> TestResult {
        let (_dir, mut store, student) = test_support::sample_store()?;
        let draft = save_passing_draft(&mut store, student.id, false)?;
        let wait = chrono::Duration::minutes(30);

        let refused = store
            .delete_draft(&draft.id, "op", wait, false)
            .unwrap_err();
        let from = Store::deletable_at(&draft, wait)?;

        assert_eq!(refused.kind(), ErrorKind::Conflict);
        assert!(
            refused
                .to_string()
                .contains(&from.format("%H:%M").to_string()),
            "{refused}"
        );
        assert!(refused.to_string().contains("supervisor"), "{refused}");
        assert_eq!(store.draft_count(student.id)?, 1);

        store.delete_draft(&draft.id, "wang.li", wait, true)?;

        assert_eq!(store.draft_count(student.id)?, 0);
        let entry = &store.audit_entries(1)?[0];
        assert_eq!(
            (entry.action.as_str(), entry.actor.as_str()),
            ("draft_delete", "wang.li")
        );
        assert!(
            entry.details.contains("\"early\":true"),
            "{}",
            entry.details
        );
        Ok(())
    }

    #[test]
    fn delete_removes_row_and_file() -> TestResult {
        let (_dir, mut store, student) = test_support::sample_store()?;
        let draft = save_passing_draft(&mut store, student.id, false)?;
        let path = store.original_path(&draft);

        store.delete_draft(&draft.id, "test", chrono::Duration::zero(), false)?;

        assert_eq!(store.draft_count(student.id)?, 0);
        assert!(!path.exists());
        Ok(())
    }

    #[test]
    fn delete_submitted_rejected() -> TestResult {
        let (_dir, mut store, student) = test_support::sample_store()?;
        let draft = save_passing_draft(&mut store, student.id, false)?;
        store.submit_draft(&draft.id, "test", false)?;

        let error = store
            .delete_draft(&draft.id, "test", chrono::Duration::zero(), false)
            .unwrap_err();

        assert_eq!(error.kind(), ErrorKind::Conflict);
        assert!(store.original_path(&draft).exists());
        Ok(())
    }
}
