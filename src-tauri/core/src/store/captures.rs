//! Capture attempts: one row for every photo the station checked, whether
//! it passed or failed, with the check report.

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use uuid::Uuid;

use super::{Store, now_rfc3339};
use crate::{Error, Result};

/// A capture attempt to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCapture {
    pub student_id: i64,
    /// Whether every check passed.
    pub passed: bool,
    /// Taken on the demo camera, so its drafts can never be submitted.
    pub demo: bool,
    /// The recapture check suspected a photo of a photo or a screen.
    pub recapture: bool,
    /// The check report, as a JSON document.
    pub report_json: String,
    /// Size of the camera frame in pixels.
    pub frame_width: u32,
    pub frame_height: u32,
}

/// The facts about a stored capture that the draft box checks.
pub(super) struct CaptureFacts {
    pub student_id: i64,
    pub passed: bool,
    pub demo: bool,
}

impl Store {
    /// Records a capture attempt, stamped with the current time, and returns
    /// its id (a UUID v7, so ids sort by time).
    ///
    /// Fails with `Error::Invalid` when the report is not JSON or a frame
    /// size is 0, and with `Error::NotFound` when the student does not exist.
    pub fn record_capture(&mut self, capture: &NewCapture) -> Result<String> {
        if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&capture.report_json) {
            return Err(Error::Invalid(format!(
                "capture report is not valid JSON: {e}"
            )));
        }
        if capture.frame_width == 0 || capture.frame_height == 0 {
            return Err(Error::Invalid(format!(
                "invalid capture frame size {}x{}, both sides must be at least 1 pixel",
                capture.frame_width, capture.frame_height
            )));
        }

        // IMMEDIATE takes the write lock first. A deferred transaction that
        // reads and then writes fails at once with SQLITE_BUSY, without
        // waiting, when the sync worker's connection wrote in between.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let known: Option<i64> = tx
            .query_row(
                "SELECT id FROM students WHERE id = ?1",
                [capture.student_id],
                |r| r.get(0),
            )
            .optional()?;
        if known.is_none() {
            return Err(Error::NotFound {
                what: "student",
                value: capture.student_id.to_string(),
            });
        }

        let id = Uuid::now_v7().to_string();
        tx.execute(
            "INSERT INTO captures (id, student_id, taken_at, passed, demo, report_json,
                                   frame_width, frame_height, recapture)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                id,
                capture.student_id,
                now_rfc3339(),
                capture.passed,
                capture.demo,
                capture.report_json,
                capture.frame_width,
                capture.frame_height,
                capture.recapture,
            ],
        )?;
        tx.commit()?;

        tracing::info!(
            capture_id = %id,
            student_id = capture.student_id,
            passed = capture.passed,
            demo = capture.demo,
            "capture recorded"
        );
        Ok(id)
    }

    /// Counts the capture attempts of a student, passed or failed.
    pub fn capture_count(&self, student_id: i64) -> Result<u32> {
        let count = self.conn.query_row(
            "SELECT count(*) FROM captures WHERE student_id = ?1",
            [student_id],
            |row| row.get(0),
        )?;
        Ok(count)
    }
}

/// Loads the facts about capture `id`, or `None` when it does not exist.
pub(super) fn capture_facts(conn: &rusqlite::Connection, id: &str) -> Result<Option<CaptureFacts>> {
    let facts = conn
        .query_row(
            "SELECT student_id, passed, demo FROM captures WHERE id = ?1",
            [id],
            |row| {
                Ok(CaptureFacts {
                    student_id: row.get(0)?,
                    passed: row.get(1)?,
                    demo: row.get(2)?,
                })
            },
        )
        .optional()?;
    Ok(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::ErrorKind;
    use crate::store::test_support::{self, TestResult};

    fn attempt(student_id: i64, passed: bool) -> NewCapture {
        NewCapture {
            student_id,
            passed,
            demo: false,
            report_json: r#"{"rules":[]}"#.to_string(),
            recapture: false,
            frame_width: 1920,
            frame_height: 1080,
        }
    }

    #[test]
    fn record_pass_and_fail() -> TestResult {
        let (_dir, mut store, student) = test_support::sample_store()?;

        store.record_capture(&attempt(student.id, true))?;
        store.record_capture(&attempt(student.id, false))?;

        assert_eq!(store.capture_count(student.id)?, 2);
        Ok(())
    }

    #[test]
    fn record_stores_row() -> TestResult {
        let (_dir, mut store, student) = test_support::sample_store()?;

        let id = store.record_capture(&attempt(student.id, false))?;

        let (taken_at, passed, report, width): (String, bool, String, u32) = store.conn.query_row(
            "SELECT taken_at, passed, report_json, frame_width FROM captures WHERE id = ?1",
            [&id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        assert_eq!(Uuid::parse_str(&id)?.get_version_num(), 7);
        assert!(
            chrono::DateTime::parse_from_rfc3339(&taken_at).is_ok(),
            "{taken_at}"
        );
        assert!(!passed);
        assert_eq!(report, r#"{"rules":[]}"#);
        assert_eq!(width, 1920);
        Ok(())
    }

    #[test]
    fn record_rejects_bad_json() -> TestResult {
        let (_dir, mut store, student) = test_support::sample_store()?;
        let capture = NewCapture {
            report_json: "{not json".to_string(),
            ..attempt(student.id, true)
        };

        let error = store.record_capture(&capture).unwrap_err();

        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert_eq!(store.capture_count(student.id)?, 0);
        Ok(())
    }

    #[test]
    fn record_rejects_empty_frame() -> TestResult {
        let (_dir, mut store, student) = test_support::sample_store()?;
        let capture = NewCapture {
            recapture: false,
            frame_width: 0,
            ..attempt(student.id, true)
        };

        let error = store.record_capture(&capture).unwrap_err();

        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        Ok(())
    }

    #[test]
    fn record_unknown_student() -> TestResult {
        let (_dir, mut store, _student) = test_support::sample_store()?;

        let error = store.record_capture(&attempt(9999, true)).unwrap_err();

        assert_eq!(error.kind(), ErrorKind::NotFound);
        Ok(())
    }

    #[test]
    fn capture_demo_flag_fixed() -> TestResult {
        let (_dir, mut store, student) = test_support::sample_store()?;
        let capture = NewCapture {
            demo: true,
            ..attempt(student.id, true)
        };
        let id = store.record_capture(&capture)?;

        let result = store
            .conn
            .execute("UPDATE captures SET demo = 0 WHERE id = ?1", [&id]);

        assert!(result.is_err());
        Ok(())
    }
}
