//! Times the station's per-frame work on a demo camera frame: the full
//! checks of a capture, the live checks of a preview frame, the rendering
//! of the output photo and the encoding of a preview frame.
//!
//! Run with `cargo run -p tucai-core --example bench_checks [RUNS]`; the
//! figures go on docs/benchmarks.md.

use std::time::{Duration, Instant};

use tucai_core::checks::{self, DEFAULT_PROFILE, Profile};
use tucai_core::decode::load_photo;
use tucai_core::station::encode_preview;
use tucai_core::vision::Models;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runs: usize = std::env::args().nth(1).map_or(Ok(30), |n| n.parse())?;
    let started = Instant::now();
    let models = Models::load_bundled()?;
    println!(
        "models loaded in {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );

    let profile = Profile::named(DEFAULT_PROFILE)?;
    let frame = load_photo(&tucai_core::camera::demo_frames_dir().join("frame-00.jpg"))?;
    let (_, analysis) = checks::check_photo(&frame, &models, &profile)?;
    let crop = analysis
        .crop
        .ok_or("no face")?
        .map_err(|p| format!("no crop: {p:?}"))?;

    println!(
        "{} runs each on a {}x{} frame",
        runs,
        frame.width(),
        frame.height()
    );
    let face = models
        .detector
        .detect(&frame)?
        .into_iter()
        .next()
        .ok_or("no face")?;
    report("face detection (YuNet)", runs, || {
        models.detector.detect(&frame).map(|_| ())
    })?;
    report("face mesh", runs, || {
        models.mesh.landmarks(&frame, &face).map(|_| ())
    })?;
    report("person mask", runs, || {
        models.segmenter.segment(&frame).map(|_| ())
    })?;
    report("full checks of a capture", runs, || {
        checks::check_photo(&frame, &models, &profile).map(|_| ())
    })?;
    report("live checks of a preview frame", runs, || {
        checks::live_status(&frame, &models, &profile, 1).map(|_| ())
    })?;
    report("render the 480x640 JPEG", runs, || {
        checks::render(&frame, &crop, &profile).map(|_| ())
    })?;
    report("encode a preview frame", runs, || {
        encode_preview(&frame).map(|_| ())
    })?;
    Ok(())
}

fn report(
    what: &str,
    runs: usize,
    mut work: impl FnMut() -> tucai_core::Result<()>,
) -> Result<(), Box<dyn std::error::Error>> {
    work()?;
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        work()?;
        times.push(started.elapsed());
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let p95 = times[(runs * 95 / 100).min(runs - 1)];
    println!(
        "{what:<32} median {:>6.1} ms   p95 {:>6.1} ms",
        ms(times[runs / 2]),
        ms(p95)
    );
    Ok(())
}
