//! Measures the sync of a full outbox: COUNT queued submissions (1,000 by
//! default) with originals of 1 to 2 MB, uploaded by the station's sync
//! worker to the reference centre on loopback.
//!
//! The centre and the worker run as child processes, so the worker's peak
//! memory is its own. Build them first, then run:
//!
//! ```sh
//! cargo build -p tucai-center --bins --examples
//! target/debug/examples/bench_sync [COUNT]
//! ```
//!
//! It prints the total time from the worker's start to an empty outbox,
//! the throughput, the worker's peak resident memory, and checks that the
//! centre stored every submission once with the station's hash.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Cursor, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use image::ImageEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use tucai_core::store::{NewCapture, Store, id_check_char};

const STAFF_KEY: &str = "bench-staff-key";

fn main() -> anyhow::Result<()> {
    let count: usize = match std::env::args().nth(1) {
        Some(text) => text
            .parse()
            .with_context(|| format!("COUNT {text:?} is not a whole number"))?,
        None => 1000,
    };
    ensure!(count > 0, "COUNT must be at least 1");
    let bin_dir = binaries_dir()?;
    let work = tempfile::TempDir::new()?;
    let station_dir = work.path().join("station");
    let centre_dir = work.path().join("centre");

    println!("preparing {count} submissions in {}", work.path().display());
    let expected = prepare_outbox(&station_dir, count)?;
    let total_bytes: u64 = expected.values().map(|(_, bytes)| *bytes).sum();

    let mut centre = ChildGuard(start_centre(&bin_dir, &centre_dir)?);
    let (url, token) = read_centre_banner(&mut centre.0)?;
    let settings = tucai_core::sync::SyncSettings::new(tucai_core::sync::CentreUrl::parse(&url)?);
    let enrolment = tucai_core::sync::enrol(&station_dir, &settings, &token)?;
    let store = Store::open(&station_dir)?;
    {
        let mut store = Store::open(&station_dir)?;
        store.save_enrolment(&enrolment, "bench")?;
    }

    let started = Instant::now();
    let worker = ChildGuard(
        Command::new(bin_dir.join("tucai-sync-worker"))
            .arg("--data-dir")
            .arg(&station_dir)
            .arg("--centre")
            .arg(&url)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start tucai-sync-worker")?,
    );
    let mut peak_rss_kib = 0;
    loop {
        if let Some(rss) = peak_rss(worker.0.id()) {
            peak_rss_kib = rss;
        }
        if store.outbox_len()? == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let elapsed = started.elapsed();
    if let Some(rss) = peak_rss(worker.0.id()) {
        peak_rss_kib = rss;
    }
    drop(worker);
    drop(centre);

    verify_centre(&centre_dir, &expected)?;
    let seconds = elapsed.as_secs_f64();
    let megabytes = total_bytes as f64 / 1e6;
    println!("submissions:      {count}, {megabytes:.1} MB of originals");
    println!("total time:       {seconds:.1} s");
    println!(
        "throughput:       {:.1} submissions/s, {:.1} MB/s",
        count as f64 / seconds,
        megabytes / seconds
    );
    println!(
        "worker peak RSS:  {:.1} MiB (VmHWM of the tucai-sync-worker process)",
        peak_rss_kib as f64 / 1024.0
    );
    println!("centre check:     {count} stored, none missing, none twice, every hash matches");
    Ok(())
}

/// Finds the binaries built beside this example: it runs from
/// `target/<profile>/examples`, and they are in `target/<profile>`.
fn binaries_dir() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .context("the example runs from no folder")?
        .to_path_buf();
    for name in ["tucai-center", "tucai-sync-worker"] {
        ensure!(
            dir.join(name).is_file(),
            "{} is missing: build it with `cargo build -p tucai-center --bins --examples`",
            dir.join(name).display()
        );
    }
    Ok(dir)
}

/// Fills a station's store with `count` students, each with one submitted
/// non-demo draft whose original is a PNG of random pixels of 1 to 2 MB.
/// Returns each submission id with its original's SHA-256 and size.
fn prepare_outbox(dir: &Path, count: usize) -> anyhow::Result<HashMap<String, (String, u64)>> {
    let mut store = Store::open(dir)?;
    let roster = dir.join("roster.csv");
    write_roster(&roster, count)?;
    store.import_roster(&roster)?;
    let jpeg = std::fs::read(tucai_core::assets_dir().join("demo-camera/frame-00.jpg"))?;

    let mut expected = HashMap::with_capacity(count);
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    for index in 0..count {
        // Sides from 580 to 820 pixels make 1.0 to 2.0 MB of RGB, and random
        // pixels do not compress.
        let side = 580 + (index * 240 / count.max(1)) as u32;
        let png = noise_png(side, &mut seed)?;
        let student = store.find_student(&collection_code(index))?;
        let capture_id = store.record_capture(&NewCapture {
            student_id: student.id,
            passed: true,
            demo: false,
            recapture: false,
            report_json: r#"{"passed":true,"profile":"bench"}"#.to_string(),
            frame_width: side,
            frame_height: side,
        })?;
        let draft = store.save_draft(&capture_id, student.id, false, &png, &jpeg, 6)?;
        let submission = store.submit_draft(&draft.id, "bench", false)?;
        expected.insert(submission.id, (draft.original_sha256, png.len() as u64));
    }
    Ok(expected)
}

fn collection_code(index: usize) -> String {
    format!("BENCH{index:06}")
}

fn write_roster(path: &Path, count: usize) -> anyhow::Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        file,
        "student_number,name,id_number,school,college,class,collection_code"
    )?;
    for index in 0..count {
        let first17 = format!("11010820000101{:03}", index % 1000);
        let id_number = format!("{first17}{}", id_check_char(&first17));
        writeln!(
            file,
            "B{index:06},Student {index},{id_number},Bench University,Bench College,Class 1,{}",
            collection_code(index)
        )?;
    }
    file.flush()?;
    Ok(())
}

/// Encodes a square of random pixels (xorshift64) as PNG.
fn noise_png(side: u32, seed: &mut u64) -> anyhow::Result<Vec<u8>> {
    let mut pixels = vec![0u8; (side * side * 3) as usize];
    for chunk in pixels.chunks_mut(8) {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        let bytes = seed.to_le_bytes();
        chunk.copy_from_slice(&bytes[..chunk.len()]);
    }
    let mut png = Vec::new();
    PngEncoder::new_with_quality(
        Cursor::new(&mut png),
        CompressionType::Fast,
        FilterType::NoFilter,
    )
    .write_image(&pixels, side, side, image::ExtendedColorType::Rgb8)?;
    Ok(png)
}

fn start_centre(bin_dir: &Path, data_dir: &Path) -> anyhow::Result<Child> {
    Command::new(bin_dir.join("tucai-center"))
        .args(["--port", "0", "--lazy-models", "--staff-key", STAFF_KEY])
        .args(["--issue-token", "Bench University"])
        .arg("--data-dir")
        .arg(data_dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start tucai-center")
}

/// Reads the enrolment token and the address the centre prints at start.
fn read_centre_banner(centre: &mut Child) -> anyhow::Result<(String, String)> {
    let stdout = centre.stdout.take().context("no standard output")?;
    let mut token = None;
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        if let Some((_, value)) = line.split_once("enrolment token for Bench University: ") {
            token = Some(value.trim().to_string());
        }
        if let Some(url) = line.strip_prefix("listening on ") {
            let token = token.context("the centre printed no enrolment token")?;
            return Ok((format!("{}/", url.trim()), token));
        }
    }
    bail!("the centre stopped before it listened")
}

/// Checks that the centre stored each expected submission exactly once,
/// with the station's hash and size, and announced it once in the feed.
fn verify_centre(
    centre_dir: &Path,
    expected: &HashMap<String, (String, u64)>,
) -> anyhow::Result<()> {
    let conn = rusqlite::Connection::open_with_flags(
        centre_dir.join("centre.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    let mut statement =
        conn.prepare("SELECT id, original_sha256, original_bytes FROM submissions")?;
    let stored = statement
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, i64>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    ensure!(
        stored.len() == expected.len(),
        "the centre stored {} submissions, the station queued {}",
        stored.len(),
        expected.len()
    );
    for (id, sha256, bytes) in &stored {
        let Some((want_sha, want_bytes)) = expected.get(id) else {
            bail!("the centre stored {id}, which the station never queued");
        };
        ensure!(sha256 == want_sha, "{id} has another hash at the centre");
        ensure!(*bytes as u64 == *want_bytes, "{id} has another size");
        let file = centre_dir.join("originals").join(format!("{id}.original"));
        ensure!(
            std::fs::metadata(&file)?.len() == *want_bytes,
            "{} is not complete",
            file.display()
        );
    }
    let received: i64 = conn.query_row(
        "SELECT count(*) FROM changes WHERE state = 'received'",
        [],
        |row| row.get(0),
    )?;
    ensure!(
        received as usize == expected.len(),
        "the feed announced {received} receipts for {} submissions",
        expected.len()
    );
    Ok(())
}

/// Peak resident memory of a process in KiB, from `/proc` (Linux only).
fn peak_rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Kills the child process when dropped, so a failed run leaves none behind.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
