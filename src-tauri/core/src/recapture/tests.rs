//! Tests of the recapture cues, one by one on built pictures, then on the
//! demo camera, the real photos and the corpus built from them.

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use image::{Rgb, RgbImage};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::corpus::{Corpus, CorpusSize, Presentation, evaluate};
use super::*;
use crate::checks::{DEFAULT_PROFILE, Profile, RuleStatus};
use crate::decode::load_photo;
use crate::vision::{Models, PersonMask};

fn models() -> &'static Models {
    static MODELS: OnceLock<Models> = OnceLock::new();
    MODELS.get_or_init(|| Models::load_bundled().expect("bundled models load"))
}

fn profile() -> Profile {
    Profile::named(DEFAULT_PROFILE).unwrap()
}

/// Smooth random texture: noise blurred by a Gaussian of 1.5 px (which,
/// unlike a box blur, keeps the spectrum the same in every direction),
/// around mid grey.
fn texture(width: u32, height: u32, seed: u64) -> RgbImage {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let noise = RgbImage::from_fn(width, height, |_, _| {
        let v: u8 = rng.random_range(0..=255);
        Rgb([v, v, v])
    });
    let mut smooth = image::imageops::blur(&noise, 1.5);
    for p in smooth.pixels_mut() {
        // Stretch the blurred noise back to a useful contrast.
        let v = (128.0 + 3.0 * (f32::from(p[0]) - 128.0)).clamp(0.0, 255.0) as u8;
        *p = Rgb([v, v, v]);
    }
    smooth
}

fn luma_patch(image: &RgbImage) -> Vec<f32> {
    image.pixels().map(luma).collect()
}

fn rect(x: f32, y: f32, width: f32, height: f32) -> Rect {
    Rect {
        x,
        y,
        width,
        height,
    }
}

#[test]
fn spectrum_texture_has_no_peak() {
    let score = spectrum::peak_score(&luma_patch(&texture(128, 128, 1)), 128);
    assert!(score < spectrum::THRESHOLD, "{score:.1} dB");
}

#[test]
fn spectrum_grating_is_a_peak() {
    let mut image = texture(128, 128, 1);
    for (x, y, p) in image.enumerate_pixels_mut() {
        // A pixel grid of period 2.6 px, tilted as a screen seen askew.
        let phase = std::f32::consts::TAU * (x as f32 * 0.98 + y as f32 * 0.2) / 2.6;
        let v = f32::from(p[0]) + 12.0 * phase.cos();
        *p = Rgb([v.clamp(0.0, 255.0) as u8; 3]);
    }
    let score = spectrum::peak_score(&luma_patch(&image), 128);
    assert!(score >= spectrum::THRESHOLD, "{score:.1} dB");
}

#[test]
fn spectrum_ignores_jpeg_block_grid() {
    let mut image = texture(128, 128, 2);
    for (x, y, p) in image.enumerate_pixels_mut() {
        let edge = x % 8 == 0 || y % 8 == 0;
        let v = f32::from(p[0]) + if edge { 10.0 } else { 0.0 };
        *p = Rgb([v.clamp(0.0, 255.0) as u8; 3]);
    }
    let score = spectrum::peak_score(&luma_patch(&image), 128);
    assert!(score < spectrum::THRESHOLD, "{score:.1} dB");
}

/// Builds a 720x960 grey frame and a face box at (260, 300) of 200x240,
/// with a dark sheet's edge around the face when `border` is set.
fn framed(border: bool) -> (RgbImage, Rect) {
    let mut image = RgbImage::from_pixel(720, 960, Rgb([200, 200, 200]));
    if border {
        // A dark sheet edge 120 px left and right of the face and above it.
        for y in 120..960 {
            for x in 0..720 {
                let inside = (140..580).contains(&x) && y >= 150;
                if !inside {
                    image.put_pixel(x, y, Rgb([60, 60, 60]));
                }
            }
        }
    }
    (image, rect(260.0, 300.0, 200.0, 240.0))
}

#[test]
fn edges_find_sheet_border() {
    let (image, face) = framed(true);
    assert_eq!(edges::bordered_sides(&image, &face), 3);
}

#[test]
fn edges_plain_backdrop_has_none() {
    let (image, face) = framed(false);
    assert_eq!(edges::bordered_sides(&image, &face), 0);
}

#[test]
fn glare_counts_clipped_white() {
    let mut image = RgbImage::from_pixel(100, 100, Rgb([180, 140, 120]));
    for y in 0..10 {
        for x in 0..50 {
            image.put_pixel(x, y, Rgb([255, 252, 250]));
        }
    }
    let percent = glare::glare_percent(&image, &rect(0.0, 0.0, 100.0, 100.0));
    assert!((percent - 5.0).abs() < 1e-3, "{percent}");
}

#[test]
fn glare_ignores_bright_skin() {
    // Bright but coloured: clipped in red only, as lit skin is.
    let image = RgbImage::from_pixel(100, 100, Rgb([255, 220, 200]));
    let percent = glare::glare_percent(&image, &rect(0.0, 0.0, 100.0, 100.0));
    assert_eq!(percent, 0.0);
}

#[test]
fn black_level_of_compressed_print() {
    let image = RgbImage::from_fn(100, 100, |x, _| {
        let v = 40 + (x * 140 / 99) as u8;
        Rgb([v, v, v])
    });
    let (black, white) = colour::percentiles(&image, &rect(0.0, 0.0, 100.0, 100.0));
    assert!((black - 41.0).abs() <= 1.5, "{black}");
    assert!((white - 179.0).abs() <= 1.5, "{white}");
    assert!(black >= colour::BLACK_LEVEL_THRESHOLD);
}

#[test]
fn skin_tone_of_warm_and_blue_faces() {
    let region = rect(0.0, 0.0, 50.0, 50.0);
    let warm = RgbImage::from_pixel(50, 50, Rgb([200, 150, 125]));
    let blue = RgbImage::from_pixel(50, 50, Rgb([150, 150, 165]));
    let warm = colour::skin_redness(&warm, &region).unwrap();
    let blue = colour::skin_redness(&blue, &region).unwrap();
    assert!(warm > colour::SKIN_TONE_THRESHOLD, "{warm}");
    assert!(blue <= colour::SKIN_TONE_THRESHOLD, "{blue}");
}

/// Builds the person mask of a 720x960 frame with the person inside `person`.
fn mask_of(person: &Rect) -> PersonMask {
    let values = (0..256 * 256)
        .map(|i| {
            let (x, y) = (
                (i % 256) as f32 * 720.0 / 256.0,
                (i / 256) as f32 * 960.0 / 256.0,
            );
            let inside =
                x >= person.x && x < person.right() && y >= person.y && y < person.bottom();
            if inside { 1.0 } else { 0.0 }
        })
        .collect();
    PersonMask::from_values(values, 720, 960)
}

#[test]
fn focus_sharp_face_before_soft_room() {
    let sharp = texture(720, 960, 3);
    let soft = image::imageops::blur(&texture(720, 960, 4), 3.0);
    let face = rect(260.0, 300.0, 200.0, 240.0);
    let person = rect(200.0, 200.0, 320.0, 760.0);
    let image = RgbImage::from_fn(720, 960, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        if fx >= person.x && fx < person.right() && fy >= person.y {
            *sharp.get_pixel(x, y)
        } else {
            *soft.get_pixel(x, y)
        }
    });
    let ratio = focus::sharpness_ratio(&image, &face, &mask_of(&person)).unwrap();
    assert!(ratio > focus::THRESHOLD, "{ratio}");
}

#[test]
fn focus_flat_print_is_even() {
    let image = image::imageops::blur(&texture(720, 960, 5), 1.5);
    let face = rect(260.0, 300.0, 200.0, 240.0);
    let person = rect(200.0, 200.0, 320.0, 760.0);
    let ratio = focus::sharpness_ratio(&image, &face, &mask_of(&person)).unwrap();
    assert!(ratio < 1.5, "{ratio}");
}

/// Frames of a textured scene where the person box moves by `person_step`
/// pixels a frame and the background by `background_step`.
fn moving(person_step: i64, background_step: i64) -> Vec<RecentFrame> {
    let scene = texture(900, 1100, 6);
    let person_texture = texture(900, 1100, 7);
    let person = rect(200.0, 200.0, 320.0, 760.0);
    let start = Instant::now();
    (0..5)
        .map(|i| {
            let (p, b) = (person_step * i, background_step * i);
            let frame = RgbImage::from_fn(720, 960, |x, y| {
                let (fx, fy) = (x as f32, y as f32);
                let inside =
                    fx >= person.x + p as f32 && fx < person.right() + p as f32 && fy >= person.y;
                if inside {
                    *person_texture.get_pixel((x as i64 + 50 - p) as u32, y + 50)
                } else {
                    *scene.get_pixel((x as i64 + 50 - b) as u32, y + 50)
                }
            });
            RecentFrame::new(&frame, start + Duration::from_millis(200 * i as u64), None)
        })
        .collect()
}

#[test]
fn motion_rigid_plane_moves_background() {
    let face = rect(260.0, 300.0, 200.0, 240.0);
    let mask = mask_of(&rect(200.0, 200.0, 320.0, 760.0));
    let share = motion::planar_share(&moving(6, 6), &face, &mask, (720, 960)).unwrap();
    assert!(share >= motion::PLANAR_THRESHOLD, "{share}");
}

#[test]
fn motion_head_before_still_wall_does_not() {
    let face = rect(260.0, 300.0, 200.0, 240.0);
    let mask = mask_of(&rect(200.0, 200.0, 320.0, 760.0));
    let share = motion::planar_share(&moving(6, 0), &face, &mask, (720, 960)).unwrap();
    assert!(share < motion::PLANAR_THRESHOLD, "{share}");
}

#[test]
fn motion_still_frames_are_not_measured() {
    let face = rect(260.0, 300.0, 200.0, 240.0);
    let mask = mask_of(&rect(200.0, 200.0, 320.0, 760.0));
    assert!(motion::planar_share(&moving(0, 0), &face, &mask, (720, 960)).is_err());
}

fn with_eyes(openings: &[f32]) -> Vec<RecentFrame> {
    let frame = RgbImage::new(32, 32);
    let start = Instant::now();
    openings
        .iter()
        .enumerate()
        .map(|(i, &o)| {
            RecentFrame::new(
                &frame,
                start + Duration::from_millis(200 * i as u64),
                Some((o, o)),
            )
        })
        .collect()
}

#[test]
fn eye_change_fires_on_blink() {
    let cue = motion::eye_change_cue(&with_eyes(&[0.26, 0.25, 0.08, 0.24]));
    assert!(cue.fired, "{}", cue.describe());
}

#[test]
fn eye_change_quiet_on_still_eyes() {
    let cue = motion::eye_change_cue(&with_eyes(&[0.26, 0.25, 0.26, 0.255]));
    assert!(!cue.fired, "{}", cue.describe());
}

#[test]
fn history_drops_old_frames() {
    let mut history = FrameHistory::default();
    let frame = RgbImage::new(720, 960);
    let start = Instant::now();
    for i in 0..10 {
        history.push(RecentFrame::new(
            &frame,
            start + Duration::from_millis(200 * i),
            None,
        ));
    }
    // Frames 3 to 9 (0.6 s to 1.8 s) lie within 1.2 s of the newest.
    assert_eq!(history.len(), 7);
    assert_eq!(history.until(start + Duration::from_millis(1800)).len(), 7);
    assert_eq!(history.until(start + Duration::from_millis(1000)).len(), 3);
    assert!(history.until(start).is_empty());
}

#[test]
fn history_frames_are_downsized() {
    let entry = RecentFrame::new(&RgbImage::new(720, 960), Instant::now(), None);
    assert_eq!(entry.image.dimensions(), (240, 320));
    assert!((entry.scale - 240.0 / 720.0).abs() < 1e-6);
}

fn cue(weight: CueWeight, fired: bool) -> Cue {
    let title = Text::same("test");
    Cue::above("test", title, weight, if fired { 1.0 } else { 0.0 }, 0.5)
}

#[test]
fn verdict_strong_cue_alone_suspects() {
    let a = Assessment::from_cues(vec![cue(CueWeight::Strong, true)]);
    assert!(a.suspected);
}

#[test]
fn verdict_needs_two_supporting_cues() {
    let one = Assessment::from_cues(vec![
        cue(CueWeight::Supporting, true),
        cue(CueWeight::Supporting, false),
    ]);
    let two = Assessment::from_cues(vec![
        cue(CueWeight::Supporting, true),
        cue(CueWeight::Supporting, true),
    ]);
    assert!(!one.suspected);
    assert!(two.suspected);
}

#[test]
fn verdict_eye_change_clears_supporting_cues() {
    let a = Assessment::from_cues(vec![
        cue(CueWeight::Supporting, true),
        cue(CueWeight::Supporting, true),
        cue(CueWeight::Liveness, true),
    ]);
    assert!(!a.suspected);
}

#[test]
fn rule_fails_with_fired_cue() {
    let a = Assessment::from_cues(vec![
        Cue::above(
            "spectral_peak",
            Text::new("屏幕", "Screen"),
            CueWeight::Strong,
            31.0,
            20.0,
        ),
        cue(CueWeight::Supporting, false),
    ]);
    let result = rule(&a);
    assert_eq!(result.rule, RULE);
    assert_eq!(result.status, RuleStatus::Fail);
    let measured = result.measured.unwrap();
    assert!(measured.contains("spectral_peak 31.00"), "{measured}");
    assert!(!measured.contains("test"), "{measured}");
    assert!(result.reason.zh.contains("屏幕"));
    assert!(result.reason.en.contains("screen"));
    assert!(result.advice.is_some());
}

#[test]
fn rule_without_face_is_not_assessed() {
    let no_face = Cue::unmeasured(
        "spectral_peak",
        Text::same("x"),
        CueWeight::Strong,
        20.0,
        "no single face",
    );
    let result = rule(&Assessment::from_cues(vec![no_face]));
    assert_eq!(result.status, RuleStatus::NotAssessed);
}

#[test]
fn demo_camera_is_not_suspected() {
    let dir = crate::camera::demo_frames_dir();
    let frames: Vec<RgbImage> = (0..12)
        .map(|i| load_photo(&dir.join(format!("frame-{i:02}.jpg"))).unwrap())
        .collect();
    // The live checks run about every fifth frame of the 25 fps demo.
    let start = Instant::now();
    for end in [5, 11] {
        let mut history = Vec::new();
        for (n, i) in (0..=end)
            .rev()
            .step_by(5)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .enumerate()
        {
            let a = crate::checks::analyse(&frames[i], models(), &profile()).unwrap();
            let eyes = a.usable_mesh().map(|m| m.eye_openings());
            history.push(RecentFrame::new(
                &frames[i],
                start + Duration::from_millis(200 * n as u64),
                eyes,
            ));
        }
        let analysis = crate::checks::analyse(&frames[end], models(), &profile()).unwrap();
        let assessment = assess(&frames[end], &analysis, &history);
        let cues: Vec<String> = assessment.cues.iter().map(Cue::describe).collect();
        assert!(!assessment.suspected, "frame {end}: {cues:#?}");
    }
}

#[test]
fn real_photos_are_not_suspected() {
    for name in super::corpus::PHOTOS {
        let photo = load_photo(&crate::assets_dir().join("fixtures").join(name)).unwrap();
        let analysis = crate::checks::analyse(&photo, models(), &profile()).unwrap();
        let assessment = assess(&photo, &analysis, &[]);
        let cues: Vec<String> = assessment.cues.iter().map(Cue::describe).collect();
        assert!(!assessment.suspected, "{name}: {cues:#?}");
    }
}

/// The corpus the benchmark runs by default: 10 bona fide sequences and 4
/// attacks of each type per photo.
#[test]
fn corpus_meets_error_targets() {
    let corpus = Corpus::load(models()).unwrap();
    let specs = corpus.specs(
        2026,
        CorpusSize {
            bona_fide: 10,
            attacks: 4,
        },
    );
    let mut missed: BTreeMap<Presentation, Vec<String>> = BTreeMap::new();
    let mut counts: BTreeMap<Presentation, usize> = BTreeMap::new();
    for spec in &specs {
        let sample = corpus.render(spec);
        let evaluation = evaluate(&sample, models(), &profile()).unwrap();
        *counts.entry(sample.presentation).or_default() += 1;
        let attack = sample.presentation != Presentation::BonaFide;
        // As at the station, a capture without a single face makes no
        // draft, so such an attack is stopped and such a bona fide sample
        // is rejected.
        let rejected = evaluation.assessment.suspected || evaluation.analysis.face().is_none();
        if rejected != attack {
            missed
                .entry(sample.presentation)
                .or_default()
                .push(sample.name.clone());
        }
    }
    let errors = |p: Presentation| missed.get(&p).map_or(0, Vec::len);
    assert_eq!(errors(Presentation::Print), 0, "prints passed: {missed:#?}");
    assert_eq!(
        errors(Presentation::Screen),
        0,
        "screens passed: {missed:#?}"
    );
    assert_eq!(
        errors(Presentation::Replay),
        0,
        "replays passed: {missed:#?}"
    );
    let bpcer = errors(Presentation::BonaFide) as f32 / counts[&Presentation::BonaFide] as f32;
    assert!(bpcer < 0.02, "BPCER {:.1} %: {missed:#?}", bpcer * 100.0);
}
