//! Submissions to the provincial centre: submitting a draft puts it in the
//! outbox, the sync worker empties the outbox, and the centre's change feed
//! moves each submission on to its final state.

use std::fmt;
use std::path::PathBuf;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rusqlite::{OptionalExtension, Row, Transaction, TransactionBehavior, params};
use uuid::Uuid;

use super::{DraftState, Store, audit, files, now_rfc3339};
use crate::sync::protocol::{CentreState, Change};
use crate::{Error, Result};

/// A submission's state as the station last recorded it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmissionState {
    /// In the outbox, not yet acknowledged by the centre.
    Queued,
    /// A state the centre reported.
    Centre(CentreState),
    /// The centre rejected the upload for good (such as a damaged
    /// original): the student must capture again.
    Rejected,
}

impl SubmissionState {
    /// Value in the `submissions.state` column.
    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionState::Queued => "queued",
            SubmissionState::Centre(state) => state.as_str(),
            SubmissionState::Rejected => "rejected",
        }
    }

    /// Returns true while the submission is pending or done, so that the
    /// student may not submit another draft.
    pub fn is_live(self) -> bool {
        !matches!(
            self,
            SubmissionState::Rejected | SubmissionState::Centre(CentreState::Reset)
        )
    }
}

impl ToSql for SubmissionState {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for SubmissionState {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value.as_str()? {
            "queued" => Ok(SubmissionState::Queued),
            "rejected" => Ok(SubmissionState::Rejected),
            other => CentreState::parse(other)
                .map(SubmissionState::Centre)
                .ok_or_else(|| {
                    FromSqlError::Other(format!("unknown submission state {other:?}").into())
                }),
        }
    }
}

/// One row of the `submissions` table.
#[derive(Clone, PartialEq, Eq)]
pub struct Submission {
    /// The id sent to the centre, a UUID v7.
    pub id: String,
    pub draft_id: String,
    pub student_id: i64,
    /// RFC 3339 with offset.
    pub queued_at: String,
    pub state: SubmissionState,
    /// The school's reason for a reset, or the centre's reason for a rejection.
    pub reason: Option<String>,
    /// The finished 480x640 photo from the centre.
    pub finished_jpeg: Option<Vec<u8>>,
    pub updated_at: String,
}

impl fmt::Debug for Submission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Submission")
            .field("id", &self.id)
            .field("draft_id", &self.draft_id)
            .field("student_id", &self.student_id)
            .field("state", &self.state)
            .field("reason", &self.reason)
            .field("finished_bytes", &self.finished_jpeg.as_ref().map(Vec::len))
            .finish()
    }
}

/// Everything the sync worker needs to upload one outbox entry.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    pub submission_id: String,
    pub draft_id: String,
    pub demo: bool,
    /// Path of the original PNG.
    pub original_path: PathBuf,
    pub original_sha256: String,
    pub collection_code: String,
    /// Capture time, RFC 3339 with offset.
    pub captured_at: String,
    pub report_json: String,
    pub attempts: u32,
}

/// The station's enrolment at one centre.
#[derive(Clone, PartialEq, Eq)]
pub struct Enrolment {
    pub centre_url: String,
    pub station_id: String,
    pub credential: String,
    pub school: String,
    /// Position in the change feed after the last change applied.
    pub feed_cursor: String,
}

impl fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Enrolment")
            .field("centre_url", &self.centre_url)
            .field("station_id", &self.station_id)
            .field("credential", &"<hidden>")
            .field("school", &self.school)
            .field("feed_cursor", &self.feed_cursor)
            .finish()
    }
}

const SUBMISSION_COLUMNS: &str =
    "id, draft_id, student_id, queued_at, state, reason, finished_jpeg, updated_at";

fn submission_from_row(row: &Row<'_>) -> rusqlite::Result<Submission> {
    Ok(Submission {
        id: row.get(0)?,
        draft_id: row.get(1)?,
        student_id: row.get(2)?,
        queued_at: row.get(3)?,
        state: row.get(4)?,
        reason: row.get(5)?,
        finished_jpeg: row.get(6)?,
        updated_at: row.get(7)?,
    })
}

impl Store {
    /// Submits a draft: marks it submitted, puts a new submission in the
    /// outbox and records the act in the audit log under `actor`, all in one
    /// transaction, so a crash leaves either all three or none.
    ///
    /// `supervisor` is true when a supervisor approved, which alone allows
    /// replacing a final photo. Fails with `Error::Conflict` for a demo
    /// draft, a draft submitted before (a draft the school reset or the
    /// centre rejected is not sent again), and a student whose previous
    /// submission is still pending (queued, at the centre or finished); with
    /// `Error::Denied` for a student whose photo is final unless
    /// `supervisor` is set; with `Error::NotFound` for an unknown draft.
    /// Triggers in the schema reject a demo draft even if these checks are
    /// bypassed.
    pub fn submit_draft(
        &mut self,
        draft_id: &str,
        actor: &str,
        supervisor: bool,
    ) -> Result<Submission> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (student_id, demo, state) = draft_status(&tx, draft_id)?;
        if demo {
            tracing::warn!(draft_id, "rejected submission of a demo draft");
            return Err(Error::Conflict(format!(
                "draft {draft_id} was taken on the demo camera and cannot be submitted, \
                 take the photo again with a real camera"
            )));
        }
        if state == DraftState::Submitted {
            return Err(Error::Conflict(format!(
                "draft {draft_id} is already submitted"
            )));
        }
        check_not_sent_before(&tx, draft_id)?;
        let replaces_final = check_replaceable(&tx, student_id, supervisor)?;

        let now = now_rfc3339();
        let submission = Submission {
            id: Uuid::now_v7().to_string(),
            draft_id: draft_id.to_string(),
            student_id,
            queued_at: now.clone(),
            state: SubmissionState::Queued,
            reason: None,
            finished_jpeg: None,
            updated_at: now,
        };
        tx.execute(
            "UPDATE drafts SET state = ?2 WHERE id = ?1",
            params![draft_id, DraftState::Submitted],
        )?;
        insert_submission(&tx, &submission, supervisor)?;
        let action = if replaces_final {
            "submit_replacing_final"
        } else {
            "submit"
        };
        audit::append(
            &tx,
            actor,
            action,
            &student_number(&tx, student_id)?,
            &serde_json::json!({ "draft_id": draft_id, "submission_id": submission.id }),
        )?;
        tx.commit()?;

        tracing::info!(
            draft_id,
            submission_id = %submission.id,
            student_id,
            actor,
            replaces_final,
            "draft submitted to the outbox"
        );
        Ok(submission)
    }

    /// Returns the student's latest submission, if any.
    pub fn latest_submission(&self, student_id: i64) -> Result<Option<Submission>> {
        latest_submission(&self.conn, student_id)
    }

    /// Returns the submission `submission_id`, or `Error::NotFound`.
    pub fn submission(&self, submission_id: &str) -> Result<Submission> {
        let sql = format!("SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE id = ?1");
        self.conn
            .query_row(&sql, [submission_id], submission_from_row)
            .optional()?
            .ok_or_else(|| Error::NotFound {
                what: "submission",
                value: submission_id.to_string(),
            })
    }

    /// Returns up to `limit` outbox entries, oldest first.
    pub fn outbox(&self, limit: u32) -> Result<Vec<OutboxEntry>> {
        let mut statement = self.conn.prepare(
            "SELECT o.submission_id, s.draft_id, d.demo, d.original_path, d.original_sha256,
                    st.collection_code, c.taken_at, c.report_json, o.attempts
             FROM outbox o
             JOIN submissions s ON s.id = o.submission_id
             JOIN drafts d ON d.id = s.draft_id
             JOIN captures c ON c.id = d.capture_id
             JOIN students st ON st.id = s.student_id
             ORDER BY o.rowid
             LIMIT ?1",
        )?;
        let entries = statement
            .query_map([limit], |row| {
                Ok(OutboxEntry {
                    submission_id: row.get(0)?,
                    draft_id: row.get(1)?,
                    demo: row.get(2)?,
                    original_path: files::resolve(&self.data_dir, &row.get::<_, String>(3)?),
                    original_sha256: row.get(4)?,
                    collection_code: row.get(5)?,
                    captured_at: row.get(6)?,
                    report_json: row.get(7)?,
                    attempts: row.get(8)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(entries)
    }

    /// Counts the entries in the outbox.
    pub fn outbox_len(&self) -> Result<u32> {
        let count = self
            .conn
            .query_row("SELECT count(*) FROM outbox", [], |row| row.get(0))?;
        Ok(count)
    }

    /// Records a failed upload attempt that will be tried again.
    pub fn record_upload_failure(&mut self, submission_id: &str, error: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?2
             WHERE submission_id = ?1",
            params![submission_id, error],
        )?;
        Ok(())
    }

    /// Takes an acknowledged upload out of the outbox. The submission becomes
    /// `received` unless the change feed already moved it further.
    pub fn mark_uploaded(&mut self, submission_id: &str) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "DELETE FROM outbox WHERE submission_id = ?1",
            [submission_id],
        )?;
        tx.execute(
            "UPDATE submissions SET state = 'received', updated_at = ?2
             WHERE id = ?1 AND state = 'queued'",
            params![submission_id, now_rfc3339()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Takes an upload that can never succeed out of the outbox: the centre
    /// rejected it for good, or its original is missing. Marks the
    /// submission rejected with the reason, returns its draft to the draft
    /// box and records the rejection in the audit log.
    pub fn mark_rejected(&mut self, submission_id: &str, reason: &str) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "DELETE FROM outbox WHERE submission_id = ?1",
            [submission_id],
        )?;
        tx.execute(
            "UPDATE submissions SET state = 'rejected', reason = ?2, updated_at = ?3
             WHERE id = ?1",
            params![submission_id, reason, now_rfc3339()],
        )?;
        return_draft(&tx, submission_id)?;
        audit_act(
            &tx,
            "station",
            submission_id,
            "upload_rejected",
            Some(reason),
        )?;
        tx.commit()?;
        tracing::warn!(
            submission_id,
            reason,
            "submission rejected, the student captures again"
        );
        Ok(())
    }

    /// Returns the enrolment at `centre_url`, if the station has one.
    pub fn enrolment(&self, centre_url: &str) -> Result<Option<Enrolment>> {
        let enrolment = self
            .conn
            .query_row(
                "SELECT centre_url, station_id, credential, school, feed_cursor
                 FROM centre_enrolment WHERE centre_url = ?1",
                [centre_url],
                |row| {
                    Ok(Enrolment {
                        centre_url: row.get(0)?,
                        station_id: row.get(1)?,
                        credential: row.get(2)?,
                        school: row.get(3)?,
                        feed_cursor: row.get(4)?,
                    })
                },
            )
            .optional()?;
        Ok(enrolment)
    }

    /// Keeps a new enrolment at a centre, replacing an earlier one there,
    /// and records it in the audit log under `actor`. The feed cursor is
    /// kept when the centre returned the same station id, so that no change
    /// is applied twice; for a new station id it starts from the enrolment's.
    pub fn save_enrolment(&mut self, enrolment: &Enrolment, actor: &str) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO centre_enrolment
                 (centre_url, station_id, credential, school, enrolled_at, feed_cursor)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (centre_url) DO UPDATE SET
                 credential = excluded.credential,
                 school = excluded.school,
                 enrolled_at = excluded.enrolled_at,
                 feed_cursor = CASE WHEN station_id = excluded.station_id
                                    THEN feed_cursor ELSE excluded.feed_cursor END,
                 station_id = excluded.station_id",
            params![
                enrolment.centre_url,
                enrolment.station_id,
                enrolment.credential,
                enrolment.school,
                now_rfc3339(),
                enrolment.feed_cursor,
            ],
        )?;
        audit::append(
            &tx,
            actor,
            "station_enrol",
            &enrolment.centre_url,
            &serde_json::json!({ "station_id": enrolment.station_id, "school": enrolment.school }),
        )?;
        tx.commit()?;
        tracing::info!(
            centre = %enrolment.centre_url,
            station_id = %enrolment.station_id,
            "enrolment saved"
        );
        Ok(())
    }

    /// Applies a page of changes from the centre's feed, each with the
    /// finished photo it announced when one was downloaded, and moves the
    /// feed cursor past the last, in one transaction, so each change is
    /// applied exactly once.
    ///
    /// A reset returns the draft to the draft box, and a reset or a final
    /// is recorded in the audit log under the actor `centre`. A change for
    /// a submission this station does not have is skipped with a warning.
    pub fn apply_changes(
        &mut self,
        centre_url: &str,
        changes: &[(&Change, Option<&[u8]>)],
    ) -> Result<()> {
        let Some((last, _)) = changes.last() else {
            return Ok(());
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (change, finished_jpeg) in changes {
            apply_change(&tx, change, *finished_jpeg)?;
        }
        tx.execute(
            "UPDATE centre_enrolment SET feed_cursor = ?2 WHERE centre_url = ?1",
            params![centre_url, last.seq.to_string()],
        )?;
        tx.commit()?;
        Ok(())
    }
}

fn apply_change(tx: &Transaction<'_>, change: &Change, finished_jpeg: Option<&[u8]>) -> Result<()> {
    let id = change.submission_id.as_str();
    let updated = tx.execute(
        "UPDATE submissions
         SET state = ?2, reason = ?3, finished_jpeg = coalesce(?4, finished_jpeg),
             updated_at = ?5
         WHERE id = ?1",
        params![
            id,
            SubmissionState::Centre(change.state),
            change.reason,
            finished_jpeg,
            now_rfc3339(),
        ],
    )?;
    if updated == 0 {
        tracing::warn!(
            submission_id = id,
            seq = change.seq,
            "change for an unknown submission skipped"
        );
        return Ok(());
    }

    // The centre has the original, so an outbox entry left by a lost
    // acknowledgement is done.
    tx.execute("DELETE FROM outbox WHERE submission_id = ?1", [id])?;
    match change.state {
        CentreState::Reset => {
            return_draft(tx, id)?;
            audit_act(tx, "centre", id, "centre_reset", change.reason.as_deref())?;
        }
        CentreState::Final => audit_act(tx, "centre", id, "centre_final", None)?,
        _ => {}
    }
    tracing::info!(
        submission_id = id,
        state = change.state.as_str(),
        seq = change.seq,
        "centre change applied"
    );
    Ok(())
}

/// Records an act on a submission in the audit log, with the student
/// number as the subject.
fn audit_act(
    tx: &Transaction<'_>,
    actor: &str,
    submission_id: &str,
    action: &str,
    reason: Option<&str>,
) -> Result<()> {
    let student_number: String = tx.query_row(
        "SELECT st.student_number FROM submissions s
         JOIN students st ON st.id = s.student_id WHERE s.id = ?1",
        [submission_id],
        |row| row.get(0),
    )?;
    audit::append(
        tx,
        actor,
        action,
        &student_number,
        &serde_json::json!({ "submission_id": submission_id, "reason": reason }),
    )
}

fn student_number(tx: &Transaction<'_>, student_id: i64) -> Result<String> {
    let number = tx.query_row(
        "SELECT student_number FROM students WHERE id = ?1",
        [student_id],
        |row| row.get(0),
    )?;
    Ok(number)
}

fn draft_status(tx: &Transaction<'_>, draft_id: &str) -> Result<(i64, bool, DraftState)> {
    tx.query_row(
        "SELECT student_id, demo, state FROM drafts WHERE id = ?1",
        [draft_id],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )
    .optional()?
    .ok_or_else(|| Error::NotFound {
        what: "draft",
        value: draft_id.to_string(),
    })
}

/// Rejects a draft that was submitted before: a draft the school reset or
/// the centre rejected comes back to the draft box so that it can be
/// deleted, but the student must capture again.
fn check_not_sent_before(tx: &Transaction<'_>, draft_id: &str) -> Result<()> {
    let earlier: Option<(String, SubmissionState)> = tx
        .query_row(
            "SELECT id, state FROM submissions WHERE draft_id = ?1
             ORDER BY rowid DESC LIMIT 1",
            [draft_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    match earlier {
        None => Ok(()),
        Some((id, state)) => Err(Error::Conflict(format!(
            "draft {draft_id} was sent before as submission {id}, which is now {}; \
             capture a new photo and submit that",
            state.as_str()
        ))),
    }
}

/// Rejects a new submission while the student's previous one is pending,
/// and over a final photo unless a supervisor replaces it. Returns true when
/// the new submission replaces a final photo.
fn check_replaceable(tx: &Transaction<'_>, student_id: i64, supervisor: bool) -> Result<bool> {
    let Some(latest) = latest_submission(tx, student_id)? else {
        return Ok(false);
    };
    match latest.state {
        SubmissionState::Centre(CentreState::Final) if supervisor => {
            tracing::warn!(student_id, submission_id = %latest.id, "supervisor replaces a final photo");
            Ok(true)
        }
        SubmissionState::Centre(CentreState::Final) => Err(Error::Denied(format!(
            "the photo of submission {} is final, only a supervisor can replace it",
            latest.id
        ))),
        state if state.is_live() => Err(Error::Conflict(format!(
            "submission {} is {}, wait for the centre's result or ask the school to reset it",
            latest.id,
            state.as_str()
        ))),
        _ => Ok(false),
    }
}

fn latest_submission(conn: &rusqlite::Connection, student_id: i64) -> Result<Option<Submission>> {
    let sql = format!(
        "SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE student_id = ?1
         ORDER BY rowid DESC LIMIT 1"
    );
    let submission = conn
        .query_row(&sql, [student_id], submission_from_row)
        .optional()?;
    Ok(submission)
}

fn insert_submission(tx: &Transaction<'_>, s: &Submission, supervisor: bool) -> Result<()> {
    tx.execute(
        "INSERT INTO submissions (id, draft_id, student_id, queued_at, state, updated_at,
                                  by_supervisor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            s.id,
            s.draft_id,
            s.student_id,
            s.queued_at,
            s.state,
            s.updated_at,
            supervisor
        ],
    )?;
    tx.execute(
        "INSERT INTO outbox (submission_id, queued_at) VALUES (?1, ?2)",
        params![s.id, s.queued_at],
    )?;
    Ok(())
}

/// Puts the submission's draft back in the draft box, so that it may be
/// submitted again or deleted. A draft deleted since is skipped.
fn return_draft(tx: &Transaction<'_>, submission_id: &str) -> Result<()> {
    tx.execute(
        "UPDATE drafts SET state = 'draft'
         WHERE id = (SELECT draft_id FROM submissions WHERE id = ?1)",
        [submission_id],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::ErrorKind;
    use crate::store::test_support::{self, TestResult};

    const CENTRE: &str = "http://127.0.0.1:8787/";

    fn enrolled(store: &mut Store) -> crate::Result<()> {
        let enrolment = Enrolment {
            centre_url: CENTRE.to_string(),
            station_id: "station-1".to_string(),
            credential: "secret".to_string(),
            school: "示例大学".to_string(),
            feed_cursor: "0".to_string(),
        };
        store.save_enrolment(&enrolment, "wang.li")
    }

    fn change(seq: i64, submission_id: &str, state: CentreState) -> Change {
        Change {
            seq,
            submission_id: submission_id.to_string(),
            state,
            reason: None,
            finished_sha256: None,
            at: now_rfc3339(),
        }
    }

    #[test]
    fn submit_queues_and_audits() -> TestResult {
        let (_dir, mut store, student) = test_support::sample_store()?;
        let draft = test_support::save_passing_draft(&mut store, student.id, false)?;

        let submission = store.submit_draft(&draft.id, "zhao.op", false)?;

        let outbox = store.outbox(10)?;
        assert_eq!(outbox.len(), 1);
        assert_eq!(outbox[0].submission_id, submission.id);
        assert_eq!(outbox[0].collection_code, "TC2026A0001");
        assert_eq!(outbox[0].original_sha256, draft.original_sha256);
        assert!(outbox[0].original_path.is_file());
        assert_eq!(submission.state, SubmissionState::Queued);
        let entry = &store.audit_entries(1)?[0];
        assert_eq!(
            (
                entry.actor.as_str(),
                entry.action.as_str(),
                entry.subject.as_str()
            ),
            ("zhao.op", "submit", "2023010001")
        );
        assert!(entry.details.contains(&submission.id));
        Ok(())
    }

    #[test]
    fn second_submission_waits() -> TestResult {
        let (_dir, mut store, student) = test_support::sample_store()?;
        let first = test_support::save_passing_draft(&mut store, student.id, false)?;
        let second = test_support::save_passing_draft(&mut store, student.id, false)?;
        store.submit_draft(&first.id, "zhao.op", false)?;

        let error = store
            .submit_draft(&second.id, "zhao.op", false)
            .unwrap_err();

        assert_eq!(error.kind(), ErrorKind::Conflict);
        assert!(error.to_string().contains("queued"), "{error}");
        assert_eq!(store.outbox_len()?, 1);
        assert_eq!(store.draft(&second.id)?.state, DraftState::Draft);
        Ok(())
    }

    #[test]
    fn upload_ack_empties_outbox() -> TestResult {
        let (_dir, mut store, student) = test_support::sample_store()?;
        let draft = test_support::save_passing_draft(&mut store, student.id, false)?;
        let submission = store.submit_draft(&draft.id, "zhao.op", false)?;

        store.record_upload_failure(&submission.id, "centre not reachable")?;
        let attempts = store.outbox(1)?[0].attempts;
        store.mark_uploaded(&submission.id)?;

        assert_eq!(attempts, 1);
        assert_eq!(store.outbox_len()?, 0);
        assert_eq!(
            store.submission(&submission.id)?.state,
            SubmissionState::Centre(CentreState::Received)
        );
        Ok(())
    }

    #[test]
    fn reset_change_returns_draft() -> TestResult {
        let (_dir, mut store, student) = test_support::sample_store()?;
        enrolled(&mut store)?;
        let draft = test_support::save_passing_draft(&mut store, student.id, false)?;
        let submission = store.submit_draft(&draft.id, "zhao.op", false)?;
        let mut reset = change(7, &submission.id, CentreState::Reset);
        reset.reason = Some("背景有阴影".to_string());

        store.apply_changes(CENTRE, &[(&reset, None)])?;

        let after = store.submission(&submission.id)?;
        assert_eq!(after.state, SubmissionState::Centre(CentreState::Reset));
        assert_eq!(after.reason.as_deref(), Some("背景有阴影"));
        assert_eq!(store.draft(&draft.id)?.state, DraftState::Draft);
        assert_eq!(store.outbox_len()?, 0, "a lost acknowledgement is settled");
        assert_eq!(store.enrolment(CENTRE)?.expect("enrolled").feed_cursor, "7");
        let entry = &store.audit_entries(1)?[0];
        assert_eq!(
            (entry.actor.as_str(), entry.action.as_str()),
            ("centre", "centre_reset")
        );
        Ok(())
    }

    #[test]
    fn dashboard_counts_sync_states() -> TestResult {
        let (_dir, mut store, first) = test_support::sample_store()?;
        enrolled(&mut store)?;
        let mut ids = Vec::new();
        for student in [
            first,
            store.find_student("2023010002")?,
            store.find_student("2023010003")?,
        ] {
            let draft = test_support::save_passing_draft(&mut store, student.id, false)?;
            ids.push(store.submit_draft(&draft.id, "zhao.op", false)?.id);
        }
        let queued = store.dashboard()?;
        let jpeg = test_support::jpeg_bytes();
        let mut finished = change(1, &ids[0], CentreState::Finished);
        finished.finished_sha256 = Some(crate::sync::client::sha256_hex(&jpeg));
        let mut reset = change(2, &ids[1], CentreState::Reset);
        reset.reason = Some("背景有阴影".to_string());

        store.apply_changes(CENTRE, &[(&finished, Some(&jpeg)), (&reset, None)])?;
        let after = store.dashboard()?;

        assert_eq!(queued.waiting_to_sync, 3);
        assert_eq!(queued.finished, 0);
        assert_eq!(queued.needs_retake, 0);
        assert_eq!(after.waiting_to_sync, 1, "two results settle their uploads");
        assert_eq!(after.finished, 1);
        assert_eq!(
            after.needs_retake, 1,
            "the reset student must capture again"
        );
        Ok(())
    }

    #[test]
    fn reset_draft_not_resent() -> TestResult {
        let (_dir, mut store, student) = test_support::sample_store()?;
        enrolled(&mut store)?;
        let draft = test_support::save_passing_draft(&mut store, student.id, false)?;
        let submission = store.submit_draft(&draft.id, "zhao.op", false)?;
        store.apply_changes(
            CENTRE,
            &[(&change(1, &submission.id, CentreState::Reset), None)],
        )?;

        let error = store.submit_draft(&draft.id, "zhao.op", false).unwrap_err();
        let fresh = test_support::save_passing_draft(&mut store, student.id, false)?;

        assert_eq!(error.kind(), ErrorKind::Conflict);
        assert!(error.to_string().contains("capture a new photo"), "{error}");
        assert!(store.submit_draft(&fresh.id, "zhao.op", false).is_ok());
        Ok(())
    }

    #[test]
    fn final_needs_supervisor() -> TestResult {
        let (_dir, mut store, student) = test_support::sample_store()?;
        enrolled(&mut store)?;
        let draft = test_support::save_passing_draft(&mut store, student.id, false)?;
        let submission = store.submit_draft(&draft.id, "zhao.op", false)?;
        let jpeg = test_support::jpeg_bytes();
        let mut finished = change(1, &submission.id, CentreState::Finished);
        finished.finished_sha256 = Some(crate::sync::client::sha256_hex(&jpeg));
        let made_final = change(2, &submission.id, CentreState::Final);
        store.apply_changes(CENTRE, &[(&finished, Some(&jpeg)), (&made_final, None)])?;
        let replacement = test_support::save_passing_draft(&mut store, student.id, false)?;

        let by_operator = store
            .submit_draft(&replacement.id, "zhao.op", false)
            .unwrap_err();
        let by_supervisor = store.submit_draft(&replacement.id, "wang.li", true)?;

        assert_eq!(by_operator.kind(), ErrorKind::Denied);
        let held = store.submission(&submission.id)?;
        assert_eq!(held.state, SubmissionState::Centre(CentreState::Final));
        assert_eq!(held.finished_jpeg, Some(jpeg));
        assert_eq!(by_supervisor.state, SubmissionState::Queued);
        let actions: Vec<String> = store
            .audit_entries(2)?
            .into_iter()
            .map(|entry| entry.action)
            .collect();
        assert_eq!(actions, ["submit_replacing_final", "centre_final"]);
        Ok(())
    }

    #[test]
    fn unknown_change_moves_cursor() -> TestResult {
        let (_dir, mut store, _student) = test_support::sample_store()?;
        enrolled(&mut store)?;

        store.apply_changes(
            CENTRE,
            &[(&change(3, "not-ours", CentreState::Final), None)],
        )?;

        assert_eq!(store.enrolment(CENTRE)?.expect("enrolled").feed_cursor, "3");
        Ok(())
    }

    #[test]
    fn rejected_upload_returns_draft() -> TestResult {
        let (_dir, mut store, student) = test_support::sample_store()?;
        let draft = test_support::save_passing_draft(&mut store, student.id, false)?;
        let submission = store.submit_draft(&draft.id, "zhao.op", false)?;

        store.mark_rejected(&submission.id, "hash mismatch")?;

        let after = store.submission(&submission.id)?;
        assert_eq!(after.state, SubmissionState::Rejected);
        assert_eq!(after.reason.as_deref(), Some("hash mismatch"));
        assert_eq!(store.outbox_len()?, 0);
        assert_eq!(store.draft(&draft.id)?.state, DraftState::Draft);
        assert_eq!(store.audit_entries(1)?[0].action, "upload_rejected");
        assert!(store.verify_audit().is_ok());
        Ok(())
    }

    #[test]
    fn demo_insert_aborts() -> TestResult {
        let (_dir, mut store, student) = test_support::sample_store()?;
        let draft = test_support::save_passing_draft(&mut store, student.id, true)?;

        let result = store.conn.execute(
            "INSERT INTO submissions (id, draft_id, student_id, queued_at, updated_at)
             VALUES ('s1', ?1, ?2, 'now', 'now')",
            params![draft.id, student.id],
        );

        let message = result.unwrap_err().to_string();
        assert!(
            message.contains("demo drafts cannot be submitted"),
            "{message}"
        );
        Ok(())
    }

    #[test]
    fn reenrolment_keeps_cursor_of_same_station() -> TestResult {
        let (_dir, mut store, _student) = test_support::sample_store()?;
        enrolled(&mut store)?;
        store.apply_changes(
            CENTRE,
            &[(&change(9, "not-ours", CentreState::Received), None)],
        )?;
        let mut again = store.enrolment(CENTRE)?.expect("enrolled");
        again.credential = "new secret".to_string();
        again.feed_cursor = "0".to_string();

        store.save_enrolment(&again, "wang.li")?;
        let same_station = store.enrolment(CENTRE)?.expect("enrolled");
        again.station_id = "station-2".to_string();
        store.save_enrolment(&again, "wang.li")?;
        let new_station = store.enrolment(CENTRE)?.expect("enrolled");

        assert_eq!(same_station.credential, "new secret");
        assert_eq!(same_station.feed_cursor, "9");
        assert_eq!(new_station.station_id, "station-2");
        assert_eq!(new_station.feed_cursor, "0");
        Ok(())
    }

    #[test]
    fn enrolment_debug_hides_credential() -> TestResult {
        let (_dir, mut store, _student) = test_support::sample_store()?;
        enrolled(&mut store)?;

        let shown = format!("{:?}", store.enrolment(CENTRE)?);

        assert!(!shown.contains("secret"), "{shown}");
        assert_eq!(store.audit_entries(1)?[0].action, "station_enrol");
        Ok(())
    }
}
