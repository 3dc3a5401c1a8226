//! Times the station's checks: the full check of a 1920x1080 and of a
//! 1280x720 capture, the live check of a 640x360 preview frame and of a
//! 1280x720 camera frame, and the steps inside them.
//!
//! Run with `scripts/bench-checks [RUNS]`, which also times OpenCV's YuNet
//! on the same frames, or alone with
//! `cargo run -p tucai-core --example bench_checks -- [RUNS] [--frames DIR]`.
//! With `--frames DIR` the frames are written to DIR as PNG, with the faces
//! the station's detector found in `DIR/detections.json`, for the
//! reference to compare. The figures go on docs/benchmarks.md.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use image::{Rgb, RgbImage};
use serde_json::json;
use tucai_core::checks::{self, DEFAULT_PROFILE, Profile};
use tucai_core::resample::{Filter, resize};
use tucai_core::station::encode_preview;
use tucai_core::vision::{CAPTURE_SIDE, Face, Models, PREVIEW_SIDE};

/// One frame of the benchmark and the detector's input size for it.
struct BenchFrame {
    name: &'static str,
    image: RgbImage,
    detector_side: u32,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut runs = 30usize;
    let mut frames_dir: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--frames" => frames_dir = Some(args.next().ok_or("--frames needs a folder")?.into()),
            n => {
                runs = n
                    .parse()
                    .map_err(|_| format!("not a number of runs: {n}"))?
            }
        }
    }
    let runs = runs.max(2);

    let started = Instant::now();
    let models = Models::load_bundled()?;
    println!(
        "models loaded in {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    let profile = Profile::named(DEFAULT_PROFILE)?;
    let photo = tucai_core::decode::load_photo(
        &tucai_core::assets_dir().join("fixtures/grace_hopper_uniform_bg.png"),
    )?;
    let capture_1080 = camera_frame(&photo, 1920, 1080);
    let capture_720 = camera_frame(&photo, 1280, 720);
    let preview_360 = camera_frame(&photo, 640, 360);

    println!("{runs} runs of each, median and p95");
    println!();
    println!("| work | median | p95 |");
    println!("|---|---|---|");
    report("full check of a 1920x1080 capture", runs, || {
        checks::check_photo(&capture_1080, &models, &profile).map(|_| ())
    })?;
    report("full check of a 1280x720 capture", runs, || {
        checks::check_photo(&capture_720, &models, &profile).map(|_| ())
    })?;
    report("live check of a 640x360 preview frame", runs, || {
        checks::live_status(&preview_360, &models, &profile, 1).map(|_| ())
    })?;
    report("live check of a 1280x720 camera frame", runs, || {
        checks::live_status(&capture_720, &models, &profile, 1).map(|_| ())
    })?;
    let (_, analysis) = checks::check_photo(&capture_720, &models, &profile)?;
    report("recapture cues of one 1280x720 capture", runs, || {
        tucai_core::recapture::frame_cues(&capture_720, &analysis);
        Ok(())
    })?;

    println!();
    println!("| step, on the 1280x720 capture | median | p95 |");
    println!("|---|---|---|");
    report("face detection at 640 px (captures)", runs, || {
        models
            .detector
            .detect_within(&capture_720, CAPTURE_SIDE)
            .map(|_| ())
    })?;
    report("face detection at 320 px (live)", runs, || {
        models
            .detector
            .detect_within(&capture_720, PREVIEW_SIDE)
            .map(|_| ())
    })?;
    let face = first_face(&models, &capture_720, CAPTURE_SIDE)?;
    report("face mesh", runs, || {
        models.mesh.landmarks(&capture_720, &face).map(|_| ())
    })?;
    report("person mask", runs, || {
        models.segmenter.segment(&capture_720).map(|_| ())
    })?;
    report("models (detection, mesh; mask beside them)", runs, || {
        checks::analyse(&capture_720, &models, &profile).map(|_| ())
    })?;
    report("rules on the analysis", runs, || {
        checks::report_for(&capture_720, &analysis, &profile);
        Ok(())
    })?;
    let crop = analysis
        .crop
        .ok_or("no face in the 1280x720 frame")?
        .map_err(|p| format!("no crop in the 1280x720 frame: {p:?}"))?;
    report("render the 480x640 JPEG", runs, || {
        checks::render(&capture_720, &crop, &profile).map(|_| ())
    })?;
    report("encode a preview frame for the window", runs, || {
        encode_preview(&capture_720).map(|_| ())
    })?;

    if let Some(dir) = frames_dir {
        let frames = [
            BenchFrame {
                name: "capture-1920x1080",
                image: capture_1080,
                detector_side: CAPTURE_SIDE,
            },
            BenchFrame {
                name: "capture-1280x720",
                image: capture_720,
                detector_side: CAPTURE_SIDE,
            },
            BenchFrame {
                name: "preview-640x360",
                image: preview_360,
                detector_side: PREVIEW_SIDE,
            },
        ];
        write_frames(&dir, &frames, &models, runs)?;
    }
    Ok(())
}

/// Places the photo of Grace Hopper on an even background into a
/// landscape camera frame, as a camera on a stand at a booth frames a
/// student: head and shoulders in the middle, the backdrop around them.
fn camera_frame(photo: &RgbImage, width: u32, height: u32) -> RgbImage {
    let backdrop = *photo.get_pixel(4, 4);
    // The same framing as the demo camera: the photo's height is 1.42
    // times 600 px in a 960 px tall frame.
    let scale = height as f32 * 1.42 / 960.0;
    let (w, h) = (
        (photo.width() as f32 * scale).round() as u32,
        (photo.height() as f32 * scale).round() as u32,
    );
    let scaled = resize(photo, w, h, Filter::Lanczos3);
    let mut frame = RgbImage::from_pixel(width, height, Rgb(backdrop.0));
    let left = (i64::from(width) - i64::from(w)) / 2;
    let top = i64::from(height) - i64::from(h);
    image::imageops::overlay(&mut frame, &scaled, left, top);
    frame
}

fn first_face(models: &Models, image: &RgbImage, side: u32) -> Result<Face, String> {
    models
        .detector
        .detect_within(image, side)
        .map_err(|e| e.to_string())?
        .into_iter()
        .next()
        .ok_or_else(|| "no face in the benchmark frame".to_owned())
}

/// Writes each frame as PNG and the station's detections and detection
/// times beside them, for the OpenCV reference.
fn write_frames(
    dir: &std::path::Path,
    frames: &[BenchFrame],
    models: &Models,
    runs: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(dir)?;
    let mut entries = Vec::new();
    for frame in frames {
        let file = format!("{}.png", frame.name);
        frame.image.save(dir.join(&file))?;
        let faces = models
            .detector
            .detect_within(&frame.image, frame.detector_side)?;
        let times = timings(runs, || {
            models
                .detector
                .detect_within(&frame.image, frame.detector_side)
                .map(|_| ())
        })?;
        entries.push(json!({
            "file": file,
            "detector_side": frame.detector_side,
            "median_ms": ms(times[times.len() / 2]),
            "p95_ms": ms(p95(&times)),
            "faces": faces.iter().map(|f| json!({
                "score": f.score,
                "box": [f.bbox.x, f.bbox.y, f.bbox.width, f.bbox.height],
                "landmarks": [
                    [f.right_eye.x, f.right_eye.y],
                    [f.left_eye.x, f.left_eye.y],
                    [f.nose.x, f.nose.y],
                    [f.mouth_right.x, f.mouth_right.y],
                    [f.mouth_left.x, f.mouth_left.y],
                ],
            })).collect::<Vec<_>>(),
        }));
    }
    let model = tucai_core::assets_dir().join("models/face_detection_yunet_2023mar.onnx");
    let out = json!({ "model": model, "runs": runs, "frames": entries });
    std::fs::write(
        dir.join("detections.json"),
        serde_json::to_vec_pretty(&out)?,
    )?;
    println!();
    println!("frames and detections written to {}", dir.display());
    Ok(())
}

fn timings(
    runs: usize,
    mut work: impl FnMut() -> tucai_core::Result<()>,
) -> Result<Vec<Duration>, Box<dyn std::error::Error>> {
    // The first run compiles the models' plans for the input size.
    work()?;
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        work()?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok(times)
}

fn report(
    what: &str,
    runs: usize,
    work: impl FnMut() -> tucai_core::Result<()>,
) -> Result<(), Box<dyn std::error::Error>> {
    let times = timings(runs, work)?;
    println!(
        "| {what} | {:.1} ms | {:.1} ms |",
        ms(times[times.len() / 2]),
        ms(p95(&times))
    );
    Ok(())
}

fn p95(sorted: &[Duration]) -> Duration {
    sorted[(sorted.len() * 95 / 100).min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
