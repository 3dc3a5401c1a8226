//! Locks: a student whose captures keep failing is locked for a while, and
//! one whose captures keep looking like photos of photos is locked until a
//! supervisor lifts it. Every lock and lift goes into the audit log in the
//! same transaction.

use chrono::{DateTime, Duration, FixedOffset, Local};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use ts_rs::TS;

use super::{Store, audit, now_rfc3339};
use crate::{Error, Result};

/// Reason a student is locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LockKind {
    /// Too many failed captures in a short time; lifts by itself.
    Failures,
    /// Repeated suspected recaptures; only a supervisor lifts it.
    Recapture,
}

impl LockKind {
    fn as_str(self) -> &'static str {
        match self {
            LockKind::Failures => "failures",
            LockKind::Recapture => "recapture",
        }
    }

    fn parse(text: &str) -> rusqlite::Result<LockKind> {
        match text {
            "failures" => Ok(LockKind::Failures),
            "recapture" => Ok(LockKind::Recapture),
            other => Err(rusqlite::Error::InvalidColumnType(
                0,
                format!("lock kind {other:?}"),
                rusqlite::types::Type::Text,
            )),
        }
    }
}

/// A lock on a student's captures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Lock {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub student_id: i64,
    pub kind: LockKind,
    pub locked_at: String,
    /// When the lock ends by itself; `None` until a supervisor lifts it.
    pub until: Option<String>,
}

/// The thresholds of the lock policy, from the settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockPolicy {
    /// Failed captures within `window` that lock the student.
    pub failures: u32,
    pub window: Duration,
    /// How long a lock for failures lasts.
    pub duration: Duration,
    /// Suspected recaptures that lock the student until a supervisor lifts it.
    pub recaptures: u32,
}

impl LockPolicy {
    pub fn from_settings(settings: &crate::config::Settings) -> LockPolicy {
        LockPolicy {
            failures: settings.lock_failures,
            window: Duration::minutes(i64::from(settings.lock_window_minutes)),
            duration: Duration::minutes(i64::from(settings.lock_minutes)),
            recaptures: settings.recapture_lock_count,
        }
    }
}

/// Standing of a student against the lock policy: failures so far and any lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AttemptStanding {
    /// Failed captures that count toward the next lock.
    pub failures: u32,
    /// Failed captures left before a lock.
    pub failures_left: u32,
    /// Suspected recaptures that count toward the next lock.
    pub recaptures: u32,
    pub lock: Option<Lock>,
}

fn parse_time(text: &str) -> Result<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(text)
        .map_err(|e| Error::Store(format!("stored time {text:?} is not RFC 3339: {e}")))
}

fn lock_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Lock> {
    Ok(Lock {
        id: row.get(0)?,
        student_id: row.get(1)?,
        kind: LockKind::parse(&row.get::<_, String>(2)?)?,
        locked_at: row.get(3)?,
        until: row.get(4)?,
    })
}

/// Returns the student's lock in force at `now`, if any.
fn active_lock(conn: &Connection, student_id: i64, now: DateTime<Local>) -> Result<Option<Lock>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, student_id, kind, locked_at, until FROM locks
         WHERE student_id = ?1 AND lifted_at IS NULL ORDER BY id DESC",
    )?;
    let locks = statement
        .query_map([student_id], lock_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for lock in locks {
        match &lock.until {
            None => return Ok(Some(lock)),
            Some(until) if parse_time(until)? > now => return Ok(Some(lock)),
            Some(_) => {}
        }
    }
    Ok(None)
}

/// When the student's counts start again: the end of the latest lock of
/// `kind`, whether it ran out or was lifted, or the latest reset of the
/// student's attempts, whichever is later.
fn counting_since(
    conn: &Connection,
    student_id: i64,
    kind: LockKind,
) -> Result<Option<DateTime<FixedOffset>>> {
    let reset: Option<String> = conn
        .prepare_cached("SELECT max(reset_at) FROM attempt_resets WHERE student_id = ?1")?
        .query_row([student_id], |row| row.get(0))?;
    let reset = reset.as_deref().map(parse_time).transpose()?;
    let ends: Vec<(Option<String>, Option<String>)> = conn
        .prepare_cached("SELECT until, lifted_at FROM locks WHERE student_id = ?1 AND kind = ?2")?
        .query_map(params![student_id, kind.as_str()], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut latest = None;
    for (until, lifted) in ends {
        // A lift before the lock ran out ends it early.
        let end = match (lifted, until) {
            (Some(lifted), _) => parse_time(&lifted)?,
            (None, Some(until)) => parse_time(&until)?,
            (None, None) => continue,
        };
        latest = latest.max(Some(end));
    }
    Ok(latest.max(reset))
}

fn standing(
    conn: &Connection,
    student_id: i64,
    policy: &LockPolicy,
    now: DateTime<Local>,
) -> Result<AttemptStanding> {
    let since_failures = counting_since(conn, student_id, LockKind::Failures)?;
    let since_recaptures = counting_since(conn, student_id, LockKind::Recapture)?;
    let window_start = now.fixed_offset() - policy.window;
    let mut statement = conn
        .prepare_cached("SELECT taken_at, passed, recapture FROM captures WHERE student_id = ?1")?;
    let captures = statement
        .query_map([student_id], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, bool>(1)?,
                row.get::<_, bool>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let (mut failures, mut recaptures) = (0u32, 0u32);
    for (taken_at, passed, recapture) in captures {
        let at = parse_time(&taken_at)?;
        if !passed && at >= window_start && since_failures.is_none_or(|s| at > s) {
            failures += 1;
        }
        if recapture && since_recaptures.is_none_or(|s| at > s) {
            recaptures += 1;
        }
    }
    Ok(AttemptStanding {
        failures,
        failures_left: policy.failures.saturating_sub(failures),
        recaptures,
        lock: active_lock(conn, student_id, now)?,
    })
}

impl Store {
    /// Resets the student's attempts: lifts the lock in force, if any, and
    /// starts the counts of failed captures and suspected recaptures again,
    /// with the reason in the audit log. Drafts and submissions stay.
    ///
    /// Fails with `Error::Invalid` for an empty reason.
    pub fn reset_attempts(&mut self, student_id: i64, actor: &str, reason: &str) -> Result<()> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::Invalid(
                "give the reason for the reset, such as \"new glasses, starts again\"".into(),
            ));
        }

        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let now = now_rfc3339();
        let lock = active_lock(&tx, student_id, Local::now())?;
        // Locks that ran out are marked lifted too, which changes nothing:
        // the counts start again from the reset either way.
        tx.execute(
            "UPDATE locks SET lifted_at = ?2, lifted_by = ?3, lift_reason = ?4
             WHERE student_id = ?1 AND lifted_at IS NULL",
            params![student_id, now, actor, reason],
        )?;

        tx.execute(
            "INSERT INTO attempt_resets (student_id, reset_at, reset_by, reason)
             VALUES (?1, ?2, ?3, ?4)",
            params![student_id, now, actor, reason],
        )?;

        let student_number: String = tx.query_row(
            "SELECT student_number FROM students WHERE id = ?1",
            [student_id],
            |row| row.get(0),
        )?;
        audit::append(
            &tx,
            actor,
            "reset_attempts",
            &student_number,
            &serde_json::json!({
                "reason": reason,
                "lock_lifted": lock.as_ref().map(|l| l.kind.as_str()),
            }),
        )?;
        tx.commit()?;
        tracing::info!(student = %student_number, actor, lock_lifted = lock.is_some(), "attempts reset");
        Ok(())
    }

    /// Returns the student's lock in force now, if any.
    pub fn active_lock(&self, student_id: i64) -> Result<Option<Lock>> {
        active_lock(&self.conn, student_id, Local::now())
    }

    /// Returns the student's standing against `policy` now.
    pub fn attempt_standing(
        &self,
        student_id: i64,
        policy: &LockPolicy,
    ) -> Result<AttemptStanding> {
        standing(&self.conn, student_id, policy, Local::now())
    }

    /// Applies the lock policy after a capture was recorded: locks the
    /// student when the counts reach a threshold and no lock is in force.
    /// Demo captures count too, so a rehearsal shows the real behaviour.
    /// Returns the standing afterwards.
    pub fn apply_lock_policy(
        &mut self,
        student_id: i64,
        policy: &LockPolicy,
    ) -> Result<AttemptStanding> {
        let now = Local::now();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut current = standing(&tx, student_id, policy, now)?;
        if current.lock.is_none() {
            let due = if current.recaptures >= policy.recaptures {
                Some((LockKind::Recapture, None))
            } else if current.failures >= policy.failures {
                let until =
                    (now + policy.duration).to_rfc3339_opts(chrono::SecondsFormat::Millis, false);
                Some((LockKind::Failures, Some(until)))
            } else {
                None
            };
            if let Some((kind, until)) = due {
                let locked_at = now_rfc3339();
                tx.execute(
                    "INSERT INTO locks (student_id, kind, locked_at, until) VALUES (?1, ?2, ?3, ?4)",
                    params![student_id, kind.as_str(), locked_at, until],
                )?;
                let lock = Lock {
                    id: tx.last_insert_rowid(),
                    student_id,
                    kind,
                    locked_at,
                    until,
                };
                let student_number: String = tx.query_row(
                    "SELECT student_number FROM students WHERE id = ?1",
                    [student_id],
                    |row| row.get(0),
                )?;
                audit::append(
                    &tx,
                    "station",
                    "lock",
                    &student_number,
                    &serde_json::json!({
                        "kind": kind.as_str(),
                        "until": lock.until,
                        "failures": current.failures,
                        "recaptures": current.recaptures,
                    }),
                )?;
                tracing::warn!(student = %student_number, kind = kind.as_str(), until = ?lock.until, "student locked");
                current.lock = Some(lock);
            }
        }
        tx.commit()?;
        Ok(current)
    }

    /// Lifts the student's lock in force, recording who lifted it and why.
    ///
    /// Fails with `Error::Invalid` for an empty reason and `Error::Conflict`
    /// when no lock is in force.
    pub fn lift_lock(&mut self, student_id: i64, actor: &str, reason: &str) -> Result<Lock> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::Invalid(
                "give the reason for unlocking, such as \"checked the student in person\"".into(),
            ));
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let lock = active_lock(&tx, student_id, Local::now())?
            .ok_or_else(|| Error::Conflict("the student is not locked".into()))?;
        let lifted: Option<i64> = tx
            .query_row(
                "UPDATE locks SET lifted_at = ?2, lifted_by = ?3, lift_reason = ?4
                 WHERE id = ?1 AND lifted_at IS NULL RETURNING id",
                params![lock.id, now_rfc3339(), actor, reason],
                |row| row.get(0),
            )
            .optional()?;
        if lifted.is_none() {
            return Err(Error::Conflict(
                "the lock changed meanwhile; try again".into(),
            ));
        }
        let student_number: String = tx.query_row(
            "SELECT student_number FROM students WHERE id = ?1",
            [student_id],
            |row| row.get(0),
        )?;
        audit::append(
            &tx,
            actor,
            "unlock",
            &student_number,
            &serde_json::json!({ "kind": lock.kind.as_str(), "reason": reason }),
        )?;
        tx.commit()?;
        tracing::info!(student = %student_number, actor, "lock lifted");
        Ok(lock)
    }

    /// Counts the locks in force now, for the day's dashboard.
    pub fn locked_count(&self) -> Result<u32> {
        let now = Local::now();
        let mut statement = self
            .conn
            .prepare("SELECT DISTINCT student_id FROM locks WHERE lifted_at IS NULL")?;
        let students = statement
            .query_map([], |row| row.get::<_, i64>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut count = 0;
        for student in students {
            if active_lock(&self.conn, student, now)?.is_some() {
                count += 1;
            }
        }
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::ErrorKind;
    use crate::store::NewCapture;
    use crate::store::test_support::{TestResult, sample_store};

    const POLICY: LockPolicy = LockPolicy {
        failures: 3,
        window: Duration::minutes(15),
        duration: Duration::minutes(10),
        recaptures: 2,
    };

    fn attempt(
        store: &mut Store,
        student_id: i64,
        passed: bool,
        recapture: bool,
        demo: bool,
    ) -> crate::Result<AttemptStanding> {
        store.record_capture(&NewCapture {
            student_id,
            passed,
            demo,
            recapture,
            report_json: "{}".into(),
            frame_width: 640,
            frame_height: 480,
        })?;
        store.apply_lock_policy(student_id, &POLICY)
    }

    #[test]
    fn failures_count_down_then_lock() -> TestResult {
        let (_dir, mut store, student) = sample_store()?;

        let first = attempt(&mut store, student.id, false, false, false)?;
        let second = attempt(&mut store, student.id, false, false, false)?;
        let third = attempt(&mut store, student.id, false, false, false)?;

        assert_eq!(first.failures_left, 2);
        assert_eq!(second.failures_left, 1);
        let lock = third.lock.expect("the third failure locks");
        assert_eq!(lock.kind, LockKind::Failures);
        let until = parse_time(lock.until.as_deref().unwrap())?;
        let minutes = (until - parse_time(&lock.locked_at)?).num_minutes();
        assert!((9..=10).contains(&minutes), "{minutes}");
        assert_eq!(store.active_lock(student.id)?, Some(lock));
        Ok(())
    }

    #[test]
    fn passes_do_not_count_demo_failures_do() -> TestResult {
        let (_dir, mut store, student) = sample_store()?;

        for _ in 0..3 {
            attempt(&mut store, student.id, true, false, false)?;
        }
        let after_passes = store.attempt_standing(student.id, &POLICY)?;
        let after_demo_failure = attempt(&mut store, student.id, false, false, true)?;

        assert_eq!(after_passes.failures, 0);
        assert!(after_passes.lock.is_none());
        assert_eq!(after_demo_failure.failures, 1);
        Ok(())
    }

    #[test]
    fn recaptures_lock_until_lifted() -> TestResult {
        let (_dir, mut store, student) = sample_store()?;

        attempt(&mut store, student.id, false, true, false)?;
        let standing = attempt(&mut store, student.id, false, true, false)?;

        let lock = standing.lock.expect("two recaptures lock");
        assert_eq!(lock.kind, LockKind::Recapture);
        assert_eq!(lock.until, None);
        Ok(())
    }

    #[test]
    fn lift_resets_counts_and_is_audited() -> TestResult {
        let (_dir, mut store, student) = sample_store()?;
        for _ in 0..3 {
            attempt(&mut store, student.id, false, false, false)?;
        }

        store.lift_lock(student.id, "wang.li", "moved the lamp")?;
        let after = store.attempt_standing(student.id, &POLICY)?;

        assert!(after.lock.is_none());
        assert_eq!(
            after.failures, 0,
            "failures before the lift no longer count"
        );
        let entries = store.audit_entries(10)?;
        assert_eq!(entries[0].action, "unlock");
        assert_eq!(entries[0].actor, "wang.li");
        assert_eq!(entries[1].action, "lock");
        assert_eq!(store.verify_audit()?.entries, 3, "import, lock, unlock");
        Ok(())
    }

    #[test]
    fn reset_clears_counts_and_lock() -> TestResult {
        let (_dir, mut store, student) = sample_store()?;
        attempt(&mut store, student.id, false, true, false)?;
        let locked = attempt(&mut store, student.id, false, true, false)?;

        store.reset_attempts(student.id, "wang.li", "new glasses, starts again")?;
        let after = store.attempt_standing(student.id, &POLICY)?;

        assert!(locked.lock.is_some(), "two recaptures lock");
        assert!(after.lock.is_none(), "the reset lifts the lock");
        assert_eq!(
            after.failures, 0,
            "failures before the reset no longer count"
        );
        assert_eq!(after.recaptures, 0, "nor do suspected recaptures");
        let entry = &store.audit_entries(1)?[0];
        assert_eq!(entry.action, "reset_attempts");
        assert_eq!(entry.actor, "wang.li");
        assert!(entry.details.contains("new glasses"), "{}", entry.details);
        assert!(entry.details.contains("recapture"), "{}", entry.details);
        Ok(())
    }

    #[test]
    fn reset_needs_reason() -> TestResult {
        let (_dir, mut store, student) = sample_store()?;

        let error = store
            .reset_attempts(student.id, "wang.li", "  ")
            .unwrap_err();

        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        Ok(())
    }

    #[test]
    fn lift_needs_reason_and_a_lock() -> TestResult {
        let (_dir, mut store, student) = sample_store()?;

        let no_lock = store
            .lift_lock(student.id, "wang.li", "why not")
            .unwrap_err();
        let no_reason = store.lift_lock(student.id, "wang.li", "  ").unwrap_err();

        assert_eq!(no_lock.kind(), ErrorKind::Conflict);
        assert_eq!(no_reason.kind(), ErrorKind::InvalidInput);
        Ok(())
    }

    #[test]
    fn expired_lock_not_in_force() -> TestResult {
        let (_dir, store, student) = sample_store()?;
        store.conn.execute(
            "INSERT INTO locks (student_id, kind, locked_at, until)
             VALUES (?1, 'failures', '2026-01-01T09:00:00.000+08:00', '2026-01-01T09:10:00.000+08:00')",
            [student.id],
        )?;

        assert_eq!(store.active_lock(student.id)?, None);
        assert_eq!(store.locked_count()?, 0);
        Ok(())
    }
}
