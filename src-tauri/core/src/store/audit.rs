//! The audit log: every lock, unlock, reset, deletion, submission, import
//! and staff change, append-only, each entry chained to the one before by
//! SHA-256 so that an edited, removed or reordered entry is found by
//! [`Store::verify_audit`].

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};
use ts_rs::TS;

use super::{Store, now_rfc3339};
use crate::{Error, Result};

/// `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AuditEntry {
    /// Serialised as a JSON number, which the window reads as a `number`.
    #[ts(type = "number")]
    pub seq: i64,
    /// RFC 3339 with the station's offset.
    pub at: String,
    /// Username of the staff member, or `station` for the station's own acts.
    pub actor: String,
    /// Action name, such as `lock`, `unlock` or `draft_delete`.
    pub action: String,
    /// Subject of the action: a student number, a draft id, a file name.
    pub subject: String,
    /// Further facts as a JSON object.
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Result of a successful verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCheck {
    pub entries: u64,
    /// Hash of the last entry, or the genesis hash for an empty log. Writing
    /// it down lets a later check prove that no entry was cut off the end.
    pub head: String,
}

/// Hash of an entry: its fields and the previous hash, each on its own
/// line, so no two different entries hash the same text.
fn entry_hash(
    prev_hash: &str,
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    subject: &str,
    details: &str,
) -> String {
    let mut hasher = Sha256::new();
    for part in [
        prev_hash,
        &seq.to_string(),
        at,
        actor,
        action,
        subject,
        details,
    ] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Appends an entry inside the caller's transaction, so the act and its
/// record commit together.
pub(super) fn append(
    conn: &Connection,
    actor: &str,
    action: &str,
    subject: &str,
    details: &serde_json::Value,
) -> Result<()> {
    let last: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let at = now_rfc3339();
    let details = details.to_string();
    let hash = entry_hash(&prev_hash, seq, &at, actor, action, subject, &details);
    conn.execute(
        "INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![seq, at, actor, action, subject, details, prev_hash, hash],
    )?;
    tracing::info!(seq, actor, action, subject, "audit entry");
    Ok(())
}

impl Store {
    /// Appends one entry to the audit log in its own transaction.
    pub fn audit(
        &mut self,
        actor: &str,
        action: &str,
        subject: &str,
        details: &serde_json::Value,
    ) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        append(&tx, actor, action, subject, details)?;
        tx.commit()?;
        Ok(())
    }

    /// Returns the newest `limit` entries, newest first.
    pub fn audit_entries(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        let mut statement = self.conn.prepare(
            "SELECT seq, at, actor, action, subject, details, prev_hash, hash
             FROM audit_log ORDER BY seq DESC LIMIT ?1",
        )?;
        let entries = statement
            .query_map([limit], |row| {
                Ok(AuditEntry {
                    seq: row.get(0)?,
                    at: row.get(1)?,
                    actor: row.get(2)?,
                    action: row.get(3)?,
                    subject: row.get(4)?,
                    details: row.get(5)?,
                    prev_hash: row.get(6)?,
                    hash: row.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(entries)
    }

    /// Walks the whole log and checks that the entries are numbered 1, 2, 3
    /// without gaps, that each names the hash of the one before, and that
    /// each hash matches the entry's fields.
    ///
    /// Fails with `Error::Conflict` naming the first entry that breaks the
    /// chain and how.
    pub fn verify_audit(&self) -> Result<AuditCheck> {
        let mut statement = self.conn.prepare(
            "SELECT seq, at, actor, action, subject, details, prev_hash, hash
             FROM audit_log ORDER BY seq",
        )?;
        let mut rows = statement.query([])?;
        let mut expected_prev = GENESIS_HASH.to_owned();
        let mut expected_seq = 1i64;
        while let Some(row) = rows.next()? {
            let seq: i64 = row.get(0)?;
            let broken = |why: String| {
                Error::Conflict(format!(
                    "audit log broken at entry {seq}: {why}; keep this database file as \
                     evidence and tell the school's IT staff"
                ))
            };
            if seq != expected_seq {
                return Err(broken(format!(
                    "expected entry {expected_seq}, an entry is missing"
                )));
            }
            let prev: String = row.get(6)?;
            if prev != expected_prev {
                return Err(broken("it does not follow the entry before it".into()));
            }
            let stored: String = row.get(7)?;
            let computed = entry_hash(
                &prev,
                seq,
                &row.get::<_, String>(1)?,
                &row.get::<_, String>(2)?,
                &row.get::<_, String>(3)?,
                &row.get::<_, String>(4)?,
                &row.get::<_, String>(5)?,
            );
            if computed != stored {
                return Err(broken(
                    "its fields were changed after it was written".into(),
                ));
            }
            expected_prev = stored;
            expected_seq += 1;
        }
        drop(rows);
        if expected_seq == 1 {
            // Importing a roster and adding staff write entries, so a store
            // with either and no entry lost them all.
            let (students, staff): (i64, i64) = self.conn.query_row(
                "SELECT (SELECT COUNT(*) FROM students), (SELECT COUNT(*) FROM staff)",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?;
            if students > 0 || staff > 0 {
                return Err(Error::Conflict(format!(
                    "audit log broken: it has no entries, but the store holds {students} \
                     students and {staff} staff, whose import and creation write entries; \
                     keep this database file as evidence and tell the school's IT staff"
                )));
            }
        }
        Ok(AuditCheck {
            entries: (expected_seq - 1) as u64,
            head: expected_prev,
        })
    }
}

impl Store {
    /// Checks the whole log as [`Store::verify_audit`] does, and that it
    /// still contains the entry whose hash is `last_hash`, the head printed
    /// by an earlier check. A log cut after that entry still forms an
    /// intact chain, so only this comparison finds the cut.
    ///
    /// Fails with `Error::Conflict` when the entry is missing.
    pub fn verify_audit_through(&self, last_hash: &str) -> Result<AuditCheck> {
        let check = self.verify_audit()?;
        let found = self
            .conn
            .query_row(
                "SELECT 1 FROM audit_log WHERE hash = ?1",
                [last_hash.trim().to_ascii_lowercase()],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if !found {
            return Err(Error::Conflict(format!(
                "audit log broken: it no longer contains the entry with the hash {last_hash} \
                 from an earlier check, so entries after it were removed or the hash was \
                 mistyped. Keep this database file as evidence and tell the school's IT staff"
            )));
        }
        Ok(check)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use serde_json::json;

    use crate::ErrorKind;
    use crate::store::test_support::{TestResult, sample_store};

    fn three_entries(store: &mut Store) -> crate::Result<()> {
        store.audit("alice", "lock", "2023010001", &json!({"kind": "failures"}))?;
        store.audit(
            "bob",
            "unlock",
            "2023010001",
            &json!({"reason": "light fixed"}),
        )?;
        store.audit("station", "draft_delete", "d-1", &json!({}))
    }

    #[test]
    fn empty_log_verifies() -> TestResult {
        let dir = tempfile::TempDir::new()?;
        let store = Store::open(dir.path())?;

        let check = store.verify_audit()?;

        assert_eq!(check.entries, 0);
        assert_eq!(check.head, GENESIS_HASH);
        Ok(())
    }

    #[test]
    fn chain_verifies_and_links() -> TestResult {
        let (_dir, mut store, _) = sample_store()?;
        three_entries(&mut store)?;

        let check = store.verify_audit()?;
        let entries = store.audit_entries(10)?;

        // The sample roster's import is entry 1.
        assert_eq!(check.entries, 4);
        assert_eq!(entries[3].action, "roster_import");
        assert_eq!(entries[0].seq, 4);
        assert_eq!(entries[0].hash, check.head);
        assert_eq!(entries[0].prev_hash, entries[1].hash);
        assert_eq!(entries[3].prev_hash, GENESIS_HASH);
        Ok(())
    }

    #[test]
    fn update_and_delete_refused() -> TestResult {
        let (_dir, mut store, _) = sample_store()?;
        three_entries(&mut store)?;

        let update = store
            .conn
            .execute("UPDATE audit_log SET actor = 'mallory'", []);
        let delete = store
            .conn
            .execute("DELETE FROM audit_log WHERE seq = 2", []);

        assert!(update.unwrap_err().to_string().contains("append-only"));
        assert!(delete.unwrap_err().to_string().contains("append-only"));
        Ok(())
    }

    /// Drops the triggers, as someone with the file and a SQLite shell could.
    fn tamper(store: &Store, sql: &str) -> rusqlite::Result<()> {
        store.conn.execute_batch(&format!(
            "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; {sql}"
        ))
    }

    #[test]
    fn edited_entry_found() -> TestResult {
        let (_dir, mut store, _) = sample_store()?;
        three_entries(&mut store)?;
        tamper(
            &store,
            "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3",
        )?;

        let error = store.verify_audit().unwrap_err();

        assert_eq!(error.kind(), ErrorKind::Conflict);
        assert!(error.to_string().contains("entry 3"), "{error}");
        assert!(error.to_string().contains("changed"), "{error}");
        Ok(())
    }

    #[test]
    fn removed_entry_found() -> TestResult {
        let (_dir, mut store, _) = sample_store()?;
        three_entries(&mut store)?;
        tamper(&store, "DELETE FROM audit_log WHERE seq = 3")?;

        let error = store.verify_audit().unwrap_err();

        assert!(error.to_string().contains("entry 4"), "{error}");
        assert!(error.to_string().contains("missing"), "{error}");
        Ok(())
    }

    #[test]
    fn rewritten_chain_found_by_hash() -> TestResult {
        let (_dir, mut store, _) = sample_store()?;
        three_entries(&mut store)?;
        // Renumbering after a removal keeps the sequence but not the links.
        tamper(
            &store,
            "DELETE FROM audit_log WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 4",
        )?;

        let error = store.verify_audit().unwrap_err();

        assert!(error.to_string().contains("entry 3"), "{error}");
        assert!(error.to_string().contains("does not follow"), "{error}");
        Ok(())
    }
}
