//! Data retention: once a student's photo is final at the centre, the
//! station has no more use for the originals of that student's drafts.
//! They are removed after the number of days the settings give, and each
//! removal is recorded in the audit log.

use chrono::{DateTime, Duration, FixedOffset, Local};
use rusqlite::{TransactionBehavior, params};

use super::{Store, audit, files, now_rfc3339};
use crate::Result;

/// Counts of what one retention pass removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionSummary {
    pub students: u32,
    pub originals: u32,
}

impl Store {
    /// Removes the originals of every student whose latest submission has
    /// been final for at least `days` days at `now`. The drafts' rows and
    /// rendered photos stay, marked with the removal time, so the draft
    /// box and the audit trail still show what was taken. A student with a
    /// submission still on its way (queued, received, in production)
    /// keeps every original.
    pub fn apply_retention(
        &mut self,
        days: u32,
        now: DateTime<Local>,
        actor: &str,
    ) -> Result<RetentionSummary> {
        let cutoff = now - Duration::days(i64::from(days));
        let candidates: Vec<(i64, String, String)> = {
            let mut statement = self.conn.prepare(
                "SELECT s.student_id, st.student_number, s.updated_at
                 FROM submissions s
                 JOIN students st ON st.id = s.student_id
                 WHERE s.state = 'final'
                   AND s.queued_at = (SELECT max(queued_at) FROM submissions
                                      WHERE student_id = s.student_id)
                   AND EXISTS (SELECT 1 FROM drafts d
                               WHERE d.student_id = s.student_id
                                 AND d.original_removed_at IS NULL)",
            )?;
            statement
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?
        };

        let mut summary = RetentionSummary::default();
        for (student_id, student_number, final_at) in candidates {
            let final_at = match DateTime::<FixedOffset>::parse_from_rfc3339(&final_at) {
                Ok(at) => at,
                Err(e) => {
                    tracing::warn!(student_number, final_at, error = %e,
                        "retention skipped a student: unreadable time");
                    continue;
                }
            };
            if final_at > cutoff {
                continue;
            }
            let originals: Vec<(String, String)> = {
                let mut statement = self.conn.prepare(
                    "SELECT id, original_path FROM drafts
                     WHERE student_id = ?1 AND original_removed_at IS NULL",
                )?;
                statement
                    .query_map([student_id], |row| Ok((row.get(0)?, row.get(1)?)))?
                    .collect::<rusqlite::Result<_>>()?
            };
            // The rows are marked first and the files removed after the
            // commit: a crash in between leaves files that the start-up
            // check moves aside, never a row pointing at nothing.
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let removed_at = now_rfc3339();
            for (id, _) in &originals {
                tx.execute(
                    "UPDATE drafts SET original_removed_at = ?2 WHERE id = ?1",
                    params![id, removed_at],
                )?;
            }
            audit::append(
                &tx,
                actor,
                "retention_remove",
                &student_number,
                &serde_json::json!({
                    "originals": originals.len(),
                    "final_at": final_at.to_rfc3339(),
                    "retention_days": days,
                }),
            )?;
            tx.commit()?;
            for (_, relative) in &originals {
                let path = files::resolve(&self.data_dir, relative);
                match std::fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => tracing::warn!(path = %path.display(), error = %e,
                        "retention could not remove an original; the start-up check moves it aside"),
                }
            }
            summary.students += 1;
            summary.originals += originals.len() as u32;
        }
        if summary.students > 0 {
            tracing::info!(
                students = summary.students,
                originals = summary.originals,
                days,
                "retention removed the originals of final photos"
            );
        }
        Ok(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::store::test_support::{TestResult, sample_store, save_passing_draft};

    fn make_final(store: &Store, submission_id: &str, at: DateTime<Local>) -> TestResult {
        store.conn.execute(
            "UPDATE submissions SET state = 'final', updated_at = ?2 WHERE id = ?1",
            params![submission_id, at.to_rfc3339()],
        )?;
        store.conn.execute(
            "DELETE FROM outbox WHERE submission_id = ?1",
            [submission_id],
        )?;
        Ok(())
    }

    #[test]
    fn originals_of_old_final_photos_removed_and_audited() -> TestResult {
        let (_dir, mut store, student) = sample_store()?;
        let chosen = save_passing_draft(&mut store, student.id, false)?;
        let other = save_passing_draft(&mut store, student.id, false)?;
        let submission = store.submit_draft(&chosen.id, "op", false)?;
        let now = Local::now();
        make_final(&store, &submission.id, now - Duration::days(91))?;

        let summary = store.apply_retention(90, now, "station")?;

        assert_eq!(
            summary,
            RetentionSummary {
                students: 1,
                originals: 2
            }
        );
        assert!(!store.original_path(&chosen).exists());
        assert!(!store.original_path(&other).exists());
        assert!(
            store.recover()?.is_clean(),
            "removed originals are not missing"
        );
        let entry = &store.audit_entries(1)?[0];
        assert_eq!(entry.action, "retention_remove");
        assert_eq!(entry.subject, student.student_number);
        assert!(store.verify_audit().is_ok());
        // A second pass finds nothing left to remove.
        assert_eq!(
            store.apply_retention(90, now, "station")?,
            RetentionSummary::default()
        );
        Ok(())
    }

    #[test]
    fn recent_final_and_unfinished_photos_kept() -> TestResult {
        let (_dir, mut store, student) = sample_store()?;
        let draft = save_passing_draft(&mut store, student.id, false)?;
        let submission = store.submit_draft(&draft.id, "op", false)?;
        let now = Local::now();

        // Still queued: kept whatever its age.
        assert_eq!(
            store
                .apply_retention(1, now + Duration::days(30), "station")?
                .students,
            0
        );
        // Final for 89 of 90 days: kept.
        make_final(&store, &submission.id, now - Duration::days(89))?;
        assert_eq!(store.apply_retention(90, now, "station")?.students, 0);
        assert!(store.original_path(&draft).exists());
        Ok(())
    }
}
