//! Kills a process with SIGKILL in the middle of saving a draft, at each
//! step of the save, and checks what the store holds afterwards: no draft
//! names a missing or partial file, nothing half-written is read as a
//! draft, a complete original without its row is kept aside, and the store
//! takes new drafts again.
//!
//! The child is this same test binary, started with `TUCAI_CRASH_POINT`
//! set: it runs the ignored `crash_child` test, which saves one draft and
//! stops at the named point, printing a line so the parent knows where it
//! is before it kills it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use tucai_core::store::{NewCapture, ORIGINALS_DIR, Store, UNREFERENCED_DIR};

const POINT_ENV: &str = "TUCAI_CRASH_POINT";
const DATA_ENV: &str = "TUCAI_CRASH_DATA";
const REACHED: &str = "reached ";

fn png() -> Vec<u8> {
    let mut bytes = Vec::new();
    image_png(&mut bytes);
    bytes
}

/// A valid 1x1 PNG, so the draft box accepts it as an original.
fn image_png(out: &mut Vec<u8>) {
    out.extend_from_slice(&[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90,
        0x77, 0x53, 0xDE, 0x00, 0x00, 0x00, 0x0C, 0x49, 0x44, 0x41, 0x54, 0x08, 0xD7, 0x63, 0xF8,
        0xCF, 0xC0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xDD, 0x8D, 0xB0, 0x00, 0x00, 0x00,
        0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]);
}

const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0xFF, 0xD9];

/// Saves one passing draft for the first sample student.
fn save_one(store: &mut Store) -> Result<String> {
    let student = store.find_student("TC2026A0001")?;
    let capture = store.record_capture(&NewCapture {
        student_id: student.id,
        passed: true,
        demo: false,
        recapture: false,
        report_json: "{\"passed\":true}".into(),
        frame_width: 1280,
        frame_height: 960,
    })?;
    Ok(store
        .save_draft(&capture, student.id, false, &png(), JPEG, 6)?
        .id)
}

/// The child's side: run only when the parent starts this binary with the
/// crash point set.
#[test]
#[ignore = "started by the crash tests as their child process"]
fn crash_child() -> Result<()> {
    let point = std::env::var(POINT_ENV).context("run by the crash tests only")?;
    let data = std::env::var(DATA_ENV).context("run by the crash tests only")?;
    let scenario = fail::FailScenario::setup();
    let name = point.clone();
    fail::cfg_callback(point.clone(), move || {
        println!("{REACHED}{name}");
        let _ = std::io::Write::flush(&mut std::io::stdout());
        loop {
            std::thread::sleep(Duration::from_secs(60));
        }
    })
    .map_err(anyhow::Error::msg)?;
    let mut store = Store::open(Path::new(&data))?;
    save_one(&mut store)?;
    scenario.teardown();
    bail!("the crash point {point:?} was never reached")
}

/// Starts the child, waits until it stops at `point`, and kills it.
fn kill_at(point: &str, data: &Path) -> Result<()> {
    let mut child = Command::new(std::env::current_exe()?)
        .args([
            "--ignored",
            "--exact",
            "crash_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(POINT_ENV, point)
        .env(DATA_ENV, data)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let stdout = child.stdout.take().context("child stdout")?;
    let mut reached = false;
    for line in BufReader::new(stdout).lines() {
        if line?.contains(&format!("{REACHED}{point}")) {
            reached = true;
            break;
        }
    }
    // Child::kill sends SIGKILL on Unix: no destructor, no flush, no unwind.
    child.kill()?;
    let status = child.wait()?;
    ensure!(
        reached,
        "the child ended ({status}) before reaching {point}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        ensure!(
            status.signal() == Some(libc::SIGKILL),
            "child ended with {status}"
        );
    }
    Ok(())
}

struct After {
    store: Store,
    report: tucai_core::store::RecoveryReport,
    drafts: usize,
    captures: u32,
}

fn crash_then_open(point: &str) -> Result<(tempfile::TempDir, After)> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("station");
    let mut store = Store::open(&data)?;
    store.import_roster(&tucai_core::assets_dir().join("roster/sample-roster.csv"))?;
    drop(store);

    kill_at(point, &data)?;

    let store = Store::open(&data)?;
    let integrity: String = rusqlite::Connection::open(store.db_path())?.query_row(
        "PRAGMA integrity_check",
        [],
        |row| row.get(0),
    )?;
    ensure!(integrity == "ok", "integrity check: {integrity}");
    let report = store.recover()?;
    let student = store.find_student("TC2026A0001")?;
    let drafts = store.drafts(student.id)?;
    for draft in &drafts {
        let bytes = std::fs::read(store.original_path(draft))?;
        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
        ensure!(
            sha == draft.original_sha256,
            "draft {} original does not match its hash",
            draft.id
        );
    }
    let captures = store.capture_count(student.id)?;
    Ok((
        dir,
        After {
            store,
            report,
            drafts: drafts.len(),
            captures,
        },
    ))
}

fn leftovers(data: &Path) -> Result<Vec<String>> {
    let folder = data.join(ORIGINALS_DIR).join("2023010001");
    let mut names = Vec::new();
    if folder.is_dir() {
        for entry in std::fs::read_dir(folder)? {
            names.push(entry?.file_name().to_string_lossy().into_owned());
        }
    }
    Ok(names)
}

#[test]
fn killed_before_rename_leaves_no_draft() -> Result<()> {
    let (dir, mut after) = crash_then_open("draft-temp-written")?;

    assert_eq!(after.report.partial_removed, 1, "{:?}", after.report);
    assert!(after.report.unreferenced_moved.is_empty());
    assert_eq!(after.drafts, 0);
    assert_eq!(after.captures, 1, "the attempt itself was recorded");
    assert!(leftovers(&dir.path().join("station"))?.is_empty());
    save_one(&mut after.store)?;
    Ok(())
}

#[test]
fn killed_before_commit_keeps_original_aside() -> Result<()> {
    let (dir, mut after) = crash_then_open("draft-original-renamed")?;

    assert_eq!(after.report.partial_removed, 0);
    assert_eq!(
        after.report.unreferenced_moved.len(),
        1,
        "{:?}",
        after.report
    );
    assert_eq!(after.drafts, 0);
    let aside = dir
        .path()
        .join("station")
        .join(ORIGINALS_DIR)
        .join(UNREFERENCED_DIR)
        .join("2023010001");
    assert_eq!(std::fs::read_dir(aside)?.count(), 1);
    save_one(&mut after.store)?;
    Ok(())
}

#[test]
fn killed_after_commit_keeps_the_draft() -> Result<()> {
    let (_dir, mut after) = crash_then_open("draft-row-committed")?;

    assert!(after.report.is_clean(), "{:?}", after.report);
    assert_eq!(after.drafts, 1);
    save_one(&mut after.store)?;
    Ok(())
}
