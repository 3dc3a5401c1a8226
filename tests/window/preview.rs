//! The preview benchmark: the demo frames replayed at a set frame rate into
//! the live screen for a set time, with the station's preview trace on.
//! The station draws each frame's number into the frame and writes one CSV
//! row per painted frame. The window reads the number back from its canvas
//! and reports when it painted the frame. The test samples the station's
//! resident memory every 10 s, then prints the frames shown per second, the
//! capture-to-paint latency, the dropped frames and the memory as Markdown,
//! and saves them to `target/preview-benchmark.md`.
//!
//! It is ignored in normal runs because it takes 10 minutes:
//!
//! ```sh
//! xvfb-run -a -s "-screen 0 1280x800x24" cargo test -p tucai-tests --test window \
//!     -- --ignored preview_benchmark --nocapture
//! ```
//!
//! `TUCAI_BENCH_SECONDS` sets the run's length (600 by default) and
//! `TUCAI_BENCH_FPS` the replay's frame rate (30 by default).

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail, ensure};
use fantoccini::Client;
use tucai_core::station::STAMP_BITS;
use tucai_tests::repo_root;
use tucai_tests::window::{TestStation, identify, one_window_at_a_time, shot, sign_in, to_live};

use crate::{STUDENT_CODE, SUPERVISOR, SUPERVISOR_PASSWORD};

/// Time between two memory samples.
const SAMPLE_EVERY: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "takes 10 minutes; run it with --ignored preview_benchmark"]
async fn preview_benchmark() -> Result<()> {
    let seconds: u64 = env_number("TUCAI_BENCH_SECONDS", 600)?;
    let fps: u64 = env_number("TUCAI_BENCH_FPS", 30)?;
    let _one = one_window_at_a_time().await;
    // The run is longer than the default idle sign-out of 10 minutes.
    let station = TestStation::new("idle_sign_out_minutes = 240\n")?;
    station.import_sample_roster()?;
    station.add_staff(SUPERVISOR, "supervisor", SUPERVISOR_PASSWORD)?;
    let trace = station.data.path().join("preview-trace.csv");
    let frames = repo_root().join("assets/demo-camera");

    let (_driver, client) = station
        .open(&[
            "--replay",
            path_str(&frames)?,
            "--replay-fps",
            &fps.to_string(),
            "--preview-trace",
            path_str(&trace)?,
        ])
        .await?;
    let outcome = measure(&client, &trace, Duration::from_secs(seconds), fps).await;
    if outcome.is_err() {
        let _ = shot(&client, "failure-preview-benchmark").await;
    }
    client.close().await?;
    let report = outcome?;
    println!("{report}");
    std::fs::write(repo_root().join("target/preview-benchmark.md"), &report)?;
    Ok(())
}

async fn measure(client: &Client, trace: &Path, length: Duration, fps: u64) -> Result<String> {
    sign_in(client, SUPERVISOR, SUPERVISOR_PASSWORD).await?;
    identify(client, STUDENT_CODE).await?;
    to_live(client).await?;
    let pid = station_pid(trace)?;

    let started = Instant::now();
    let start_ms = epoch_ms(SystemTime::now());
    let mut samples = Vec::new();
    loop {
        samples.push(Sample::take(pid, started.elapsed())?);
        if started.elapsed() >= length {
            break;
        }
        tokio::time::sleep(SAMPLE_EVERY.min(length.saturating_sub(started.elapsed()))).await;
    }
    let end_ms = epoch_ms(SystemTime::now());
    shot(client, "preview-benchmark").await?;

    let rows = read_trace(trace)?;
    let measured: Vec<&Row> = rows
        .iter()
        .filter(|row| row.captured_ms >= start_ms && row.captured_ms < end_ms)
        .collect();
    ensure!(
        !measured.is_empty(),
        "no painted frame in the trace during the run"
    );
    Ok(report(
        &measured,
        &samples,
        (end_ms - start_ms) / 1000.0,
        fps,
    ))
}

/// One row of the station's preview trace.
struct Row {
    frame: u64,
    captured_ms: f64,
    encode_ms: f64,
    sent_ms: f64,
    received_ms: Option<f64>,
    decoded_ms: Option<f64>,
    painted_ms: Option<f64>,
    acknowledged_ms: Option<f64>,
    stamp: Option<u64>,
    dropped_total: u64,
}

fn read_trace(path: &Path) -> Result<Vec<Row>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the preview trace {}", path.display()))?;
    let mut rows = Vec::new();
    for (index, line) in text.lines().enumerate().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        ensure!(
            cells.len() == 10,
            "trace line {}: {} cells, expected 10",
            index + 1,
            cells.len()
        );
        let optional = |cell: &str| -> Result<Option<f64>> {
            Ok(if cell.is_empty() {
                None
            } else {
                Some(cell.parse()?)
            })
        };
        rows.push(Row {
            frame: cells[0].parse()?,
            captured_ms: cells[1].parse()?,
            encode_ms: cells[2].parse()?,
            sent_ms: cells[3].parse()?,
            received_ms: optional(cells[4])?,
            decoded_ms: optional(cells[5])?,
            painted_ms: optional(cells[6])?,
            acknowledged_ms: optional(cells[7])?,
            stamp: optional(cells[8])?.map(|stamp| stamp as u64),
            dropped_total: cells[9].parse()?,
        });
    }
    Ok(rows)
}

/// The station's resident memory, and that of its web content process,
/// at one moment of the run.
struct Sample {
    at: Duration,
    station_kib: u64,
    web_kib: Option<u64>,
    load: String,
}

impl Sample {
    fn take(pid: u32, at: Duration) -> Result<Self> {
        let load = std::fs::read_to_string("/proc/loadavg")?;
        Ok(Self {
            at,
            station_kib: rss_kib(pid)?,
            web_kib: web_process(pid).and_then(|web| rss_kib(web).ok()),
            load: load
                .split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" "),
        })
    }
}

/// Reads `VmRSS` from `/proc/PID/status`, in KiB.
fn rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .context("VmRSS missing from /proc/PID/status")?;
    Ok(line
        .split_whitespace()
        .nth(1)
        .context("VmRSS without a value")?
        .parse()?)
}

/// Finds the station's process: the one started with the trace file as an
/// argument.
fn station_pid(trace: &Path) -> Result<u32> {
    let expected = path_str(trace)?;
    for entry in std::fs::read_dir("/proc")? {
        let entry = entry?;
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let mut args = cmdline.split(|&b| b == 0);
        let is_station = args
            .next()
            .is_some_and(|exe| exe.ends_with(b"tucai-station"));
        if is_station && args.any(|arg| arg == expected.as_bytes()) {
            return Ok(pid);
        }
    }
    bail!("no tucai-station process with --preview-trace {expected}")
}

/// Finds the WebKit web content process that the station started.
fn web_process(station: u32) -> Option<u32> {
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // The name is in brackets and may hold spaces; the parent follows
        // the state after the closing bracket.
        let Some((name, rest)) = stat.split_once(") ") else {
            continue;
        };
        let parent = rest.split_whitespace().nth(1).and_then(|p| p.parse().ok());
        if name.ends_with("WebKitWebProces") && parent == Some(station) {
            return Some(pid);
        }
    }
    None
}

fn report(rows: &[&Row], samples: &[Sample], seconds: f64, fps: u64) -> String {
    let painted: Vec<&&Row> = rows.iter().filter(|r| r.painted_ms.is_some()).collect();
    let latency = |row: &&&Row| row.painted_ms.unwrap_or(row.sent_ms) - row.captured_ms;
    let latencies: Vec<f64> = painted.iter().map(latency).collect();
    let encode: Vec<f64> = rows.iter().map(|r| r.encode_ms).collect();
    let waiting: Vec<f64> = rows
        .iter()
        .map(|r| r.sent_ms - r.captured_ms - r.encode_ms)
        .collect();
    let part = |from: fn(&Row) -> Option<f64>, to: fn(&Row) -> Option<f64>| -> Vec<f64> {
        painted
            .iter()
            .filter_map(|r| Some(to(r)? - from(r)?))
            .collect()
    };
    let channel = part(|r| Some(r.sent_ms), |r| r.received_ms);
    let decode = part(|r| r.received_ms, |r| r.decoded_ms);
    let paint = part(|r| r.decoded_ms, |r| r.painted_ms);
    let to_ack: Vec<f64> = painted
        .iter()
        .filter_map(|r| Some(r.acknowledged_ms? - r.painted_ms?))
        .collect();
    let timed_out = rows.iter().filter(|r| r.acknowledged_ms.is_none()).count();
    let mask = (1u64 << STAMP_BITS) - 1;
    let wrong_stamps = painted
        .iter()
        .filter(|r| r.stamp != Some(r.frame & mask))
        .count();
    let first = rows.first().map_or(0, |r| r.frame);
    let last = rows.last().map_or(0, |r| r.frame);
    let dropped = rows.last().map_or(0, |r| r.dropped_total) - rows[0].dropped_total;

    let mut out = String::new();
    let _ = writeln!(
        out,
        "Replay at {fps} fps for {seconds:.0} s: camera frames {first} to {last}\n"
    );
    let _ = writeln!(out, "| measure | figure |\n|---|---|");
    let _ = writeln!(
        out,
        "| frames shown per second | {:.1} ({} painted) |",
        painted.len() as f64 / seconds,
        painted.len()
    );
    let _ = writeln!(
        out,
        "| camera frames per second | {:.1} |",
        (last - first + 1) as f64 / seconds
    );
    let _ = writeln!(out, "| capture-to-paint latency | {} |", spread(&latencies));
    let _ = writeln!(out, "| of which: encoding | {} |", spread(&encode));
    let _ = writeln!(
        out,
        "| of which: waiting for the window, besides encoding | {} |",
        spread(&waiting)
    );
    let _ = writeln!(
        out,
        "| of which: channel to the page | {} |",
        spread(&channel)
    );
    let _ = writeln!(
        out,
        "| of which: decoding (the <img> element's decode) | {} |",
        spread(&decode)
    );
    let _ = writeln!(
        out,
        "| of which: drawing to the next animation frame | {} |",
        spread(&paint)
    );
    let _ = writeln!(out, "| acknowledgement's return | {} |", spread(&to_ack));
    let _ = writeln!(out, "| camera frames dropped | {dropped} |");
    let _ = writeln!(
        out,
        "| frames sent | {} ({timed_out} not acknowledged within 1 s) |",
        rows.len()
    );
    let _ = writeln!(
        out,
        "| frames acknowledged without a paint | {} |",
        rows.len() - painted.len() - timed_out
    );
    let _ = writeln!(
        out,
        "| painted frames whose drawn number differs | {wrong_stamps} |"
    );

    memory_by_minute(&mut out, samples);
    let _ = writeln!(
        out,
        "\n| time | station RSS | web process RSS | load average |\n|---|---|---|---|"
    );
    for sample in samples {
        let web = sample.web_kib.map_or_else(
            || "-".to_owned(),
            |kib| format!("{:.1} MiB", kib as f64 / 1024.0),
        );
        let _ = writeln!(
            out,
            "| {} s | {:.1} MiB | {web} | {} |",
            sample.at.as_secs(),
            sample.station_kib as f64 / 1024.0,
            sample.load
        );
    }
    out
}

/// Writes each minute's lowest and highest resident memory, then the
/// least-squares slope of each process's memory over the samples after the
/// first minute, which contains the start-up's growth. A process whose
/// memory rises and falls with garbage collection shows a wide spread,
/// and one that leaks shows rising lowest figures and slope.
fn memory_by_minute(out: &mut String, samples: &[Sample]) {
    let mib = |kib: u64| kib as f64 / 1024.0;
    let range = |values: &[f64]| -> String {
        let low = values.iter().copied().fold(f64::INFINITY, f64::min);
        let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if values.is_empty() {
            "-".to_owned()
        } else {
            format!("{low:.1} to {high:.1} MiB")
        }
    };
    let _ = writeln!(
        out,
        "\n| minute | station RSS, lowest to highest | web process RSS, lowest to highest |\n|---|---|---|"
    );
    let minutes = samples.last().map_or(0, |s| s.at.as_secs().div_ceil(60));
    for minute in 0..minutes {
        let within: Vec<&Sample> = samples
            .iter()
            .filter(|s| s.at.as_secs() / 60 == minute || s.at.as_secs() == (minute + 1) * 60)
            .collect();
        let station: Vec<f64> = within.iter().map(|s| mib(s.station_kib)).collect();
        let web: Vec<f64> = within.iter().filter_map(|s| s.web_kib.map(mib)).collect();
        let _ = writeln!(
            out,
            "| {} to {} s | {} | {} |",
            minute * 60,
            (minute + 1) * 60,
            range(&station),
            range(&web)
        );
    }
    let settled: Vec<&Sample> = samples.iter().filter(|s| s.at.as_secs() >= 60).collect();
    let station: Vec<(f64, f64)> = settled
        .iter()
        .map(|s| (s.at.as_secs_f64() / 60.0, mib(s.station_kib)))
        .collect();
    let web: Vec<(f64, f64)> = settled
        .iter()
        .filter_map(|s| Some((s.at.as_secs_f64() / 60.0, mib(s.web_kib?))))
        .collect();
    let show = |slope: Option<f64>| {
        slope.map_or_else(|| "-".to_owned(), |v| format!("{v:+.2} MiB a minute"))
    };
    let _ = writeln!(
        out,
        "\nGrowth after the first minute (least-squares slope): station {}, web process {}.",
        show(slope(&station)),
        show(slope(&web))
    );
}

/// Returns the least-squares slope of `points` (x, y), or `None` for fewer
/// than two distinct x values.
fn slope(points: &[(f64, f64)]) -> Option<f64> {
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let covariance: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    let variance: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    (variance > 0.0).then(|| covariance / variance)
}

/// Formats the median and the 95th percentile of `values`, in milliseconds.
fn spread(values: &[f64]) -> String {
    if values.is_empty() {
        return "-".to_owned();
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    format!("p50 {:.1} ms, p95 {:.1} ms", at(0.5), at(0.95))
}

fn epoch_ms(time: SystemTime) -> f64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0.0, |since| since.as_secs_f64() * 1000.0)
}

fn env_number(name: &str, default: u64) -> Result<u64> {
    match std::env::var(name) {
        Ok(value) => value
            .parse()
            .with_context(|| format!("{name}={value}: expected a whole number")),
        Err(_) => Ok(default),
    }
}

fn path_str(path: &Path) -> Result<&str> {
    path.to_str()
        .with_context(|| format!("path {} is not UTF-8", path.display()))
}
