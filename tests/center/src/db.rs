//! The centre's records in SQLite: enrolment tokens, stations, submissions
//! and the change feed.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

/// The whole schema. The reference centre keeps no history of schema
/// versions: a data folder from another version is started afresh.
const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS enrolment_tokens (
    token_sha256 TEXT PRIMARY KEY NOT NULL,
    school       TEXT NOT NULL,
    issued_at    TEXT NOT NULL,
    used_at      TEXT,
    station_id   TEXT
) STRICT;

CREATE TABLE IF NOT EXISTS stations (
    id                TEXT PRIMARY KEY NOT NULL,
    name              TEXT NOT NULL,
    school            TEXT NOT NULL,
    public_key        BLOB NOT NULL,
    credential_sha256 TEXT NOT NULL UNIQUE,
    enrolled_at       TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS submissions (
    id              TEXT PRIMARY KEY NOT NULL,
    station_id      TEXT NOT NULL REFERENCES stations (id),
    collection_code TEXT NOT NULL,
    captured_at     TEXT NOT NULL,
    original_sha256 TEXT NOT NULL,
    original_bytes  INTEGER NOT NULL,
    metadata_json   TEXT NOT NULL,
    signature       TEXT NOT NULL,
    received_at     TEXT NOT NULL,
    state           TEXT NOT NULL,
    reason          TEXT,
    finished_sha256 TEXT,
    updated_at      TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS changes (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id   TEXT NOT NULL REFERENCES submissions (id),
    station_id      TEXT NOT NULL,
    state           TEXT NOT NULL,
    reason          TEXT,
    finished_sha256 TEXT,
    at              TEXT NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS changes_by_station ON changes (station_id, seq);
"#;

pub fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.execute_batch(SCHEMA)?;
    Ok(conn)
}

/// A station as the centre recorded it at enrolment.
#[derive(Debug, Clone)]
pub struct StationRow {
    pub id: String,
    pub public_key: [u8; 32],
}

pub fn station_by_credential(
    conn: &Connection,
    credential_sha256: &str,
) -> rusqlite::Result<Option<StationRow>> {
    conn.query_row(
        "SELECT id, public_key FROM stations WHERE credential_sha256 = ?1",
        [credential_sha256],
        |row| {
            let key: Vec<u8> = row.get(1)?;
            Ok(StationRow {
                id: row.get(0)?,
                public_key: key.try_into().unwrap_or([0; 32]),
            })
        },
    )
    .optional()
}

/// A submission as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SubmissionRow {
    pub id: String,
    pub station_id: String,
    pub collection_code: String,
    pub original_sha256: String,
    pub received_at: String,
    pub state: String,
    pub reason: Option<String>,
    pub finished_sha256: Option<String>,
    pub updated_at: String,
}

const SUBMISSION_COLUMNS: &str = "id, station_id, collection_code, original_sha256, received_at, \
                                  state, reason, finished_sha256, updated_at";

fn submission_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<SubmissionRow> {
    Ok(SubmissionRow {
        id: row.get(0)?,
        station_id: row.get(1)?,
        collection_code: row.get(2)?,
        original_sha256: row.get(3)?,
        received_at: row.get(4)?,
        state: row.get(5)?,
        reason: row.get(6)?,
        finished_sha256: row.get(7)?,
        updated_at: row.get(8)?,
    })
}

pub fn submission(conn: &Connection, id: &str) -> rusqlite::Result<Option<SubmissionRow>> {
    let sql = format!("SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE id = ?1");
    conn.query_row(&sql, [id], submission_from_row).optional()
}

pub fn submissions(conn: &Connection) -> rusqlite::Result<Vec<SubmissionRow>> {
    let sql = format!("SELECT {SUBMISSION_COLUMNS} FROM submissions ORDER BY rowid");
    let mut statement = conn.prepare(&sql)?;
    statement
        .query_map([], submission_from_row)?
        .collect::<rusqlite::Result<_>>()
}

/// Appends a change to the feed and sets the submission's state to match.
pub fn record_change(
    conn: &Connection,
    submission_id: &str,
    state: &str,
    reason: Option<&str>,
    finished_sha256: Option<&str>,
    at: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE submissions
         SET state = ?2, reason = ?3, finished_sha256 = coalesce(?4, finished_sha256),
             updated_at = ?5
         WHERE id = ?1",
        params![submission_id, state, reason, finished_sha256, at],
    )?;
    conn.execute(
        "INSERT INTO changes (submission_id, station_id, state, reason, finished_sha256, at)
         SELECT id, station_id, state, reason, finished_sha256, ?2 FROM submissions WHERE id = ?1",
        params![submission_id, at],
    )?;
    Ok(())
}
