//! The checks on committed real photos and variants derived from them.

use std::sync::OnceLock;

use image::imageops::{self, FilterType};
use image::{Rgb, RgbImage};
use imageproc::geometric_transformations::{Interpolation, rotate_about_center};

use super::*;
use crate::decode::load_photo;
use crate::vision::Models;

fn models() -> &'static Models {
    static MODELS: OnceLock<Models> = OnceLock::new();
    MODELS.get_or_init(|| Models::load_bundled().expect("bundled models load"))
}

fn profile() -> Profile {
    Profile::named(DEFAULT_PROFILE).unwrap()
}

fn fixture(name: &str) -> RgbImage {
    load_photo(&crate::assets_dir().join("fixtures").join(name)).unwrap()
}

fn demo_frame() -> RgbImage {
    load_photo(&crate::camera::demo_frames_dir().join("frame-00.jpg")).unwrap()
}

fn check(image: &RgbImage) -> Report {
    check_photo(image, models(), &profile()).unwrap().0
}

fn status(report: &Report, rule: &str) -> RuleStatus {
    report
        .rule(rule)
        .unwrap_or_else(|| panic!("no rule {rule}"))
        .status
}

fn describe(report: &Report) -> String {
    report
        .rules
        .iter()
        .filter(|r| r.status != RuleStatus::NotAssessed)
        .map(|r| {
            format!(
                "{} {:?} {:?} ({})",
                r.rule, r.status, r.measured, r.reason.en
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn face_count(image: &RgbImage) -> usize {
    analyse(image, models(), &profile()).unwrap().faces.len()
}

#[test]
fn face_found_on_grace_hopper() {
    assert_eq!(face_count(&fixture("grace_hopper.jpg")), 1);
}

#[test]
fn face_found_on_astronaut() {
    assert_eq!(face_count(&fixture("astronaut.png")), 1);
}

#[test]
fn no_face_on_chelsea() {
    assert_eq!(face_count(&fixture("chelsea.png")), 0);
}

#[test]
fn no_face_on_coffee() {
    assert_eq!(face_count(&fixture("coffee.png")), 0);
}

#[test]
fn landmarks_sit_on_the_face() {
    let image = demo_frame();
    let a = analyse(&image, models(), &profile()).unwrap();
    let face = a.face().unwrap();
    let mesh = a.usable_mesh().expect("mesh finds the face");
    let (right, left) = mesh.eye_centers();
    // The mesh's eyes agree with the detector's to within a tenth of the
    // distance between the eyes.
    let tolerance = face.eye_distance() / 10.0;
    assert!(
        right.distance(face.right_eye) < tolerance,
        "{right:?} vs {:?}",
        face.right_eye
    );
    assert!(
        left.distance(face.left_eye) < tolerance,
        "{left:?} vs {:?}",
        face.left_eye
    );
}

#[test]
fn demo_frame_passes() {
    let report = check(&demo_frame());
    assert!(report.passed, "{}", describe(&report));
}

#[test]
fn demo_frame_crop_meets_bands() {
    let report = check(&demo_frame());
    let crop = report.crop.expect("a crop plan");
    let g = profile().geometry;
    assert!(g.top_of_head_px.contains(crop.top_of_head), "{crop:?}");
    assert!(g.eye_line_px.contains(crop.eye_line), "{crop:?}");
    assert!(g.face_width_px.contains(crop.face_width), "{crop:?}");
}

/// The demo frame with its top rows cut off, so that the head is too high
/// in the frame: the top-of-head rule fails, and its advice names the
/// profile's band and asks staff to raise the camera, in both languages.
#[test]
fn head_too_high_advice_names_band() {
    let frame = demo_frame();
    let cut = imageops::crop_imm(&frame, 0, 200, frame.width(), frame.height() - 200).to_image();

    let report = check(&cut);

    let rule = report.rule("top_of_head").expect("a top_of_head rule");
    assert_eq!(rule.status, RuleStatus::Fail, "{}", describe(&report));
    let advice = rule.advice.as_ref().expect("advice");
    let band = profile().geometry.top_of_head_px;
    let range = format!("{:.0}-{:.0}", band.min, band.max);
    assert!(
        advice.en.contains(&format!("leave {range} px")),
        "{}",
        advice.en
    );
    assert!(advice.en.contains("raise the camera"), "{}", advice.en);
    assert!(
        advice.zh.contains(&format!("应留 {range} 像素")),
        "{}",
        advice.zh
    );
    assert!(advice.zh.contains("把摄像头调高"), "{}", advice.zh);
}

#[test]
fn small_photo_is_too_small_not_faceless() {
    let report = check(&fixture("grace_hopper.jpg"));
    assert_eq!(status(&report, "single_face"), RuleStatus::Pass);
    assert_eq!(status(&report, "crop"), RuleStatus::Fail);
    assert!(
        report
            .rule("crop")
            .unwrap()
            .reason
            .en
            .contains("smaller than the 480x640")
    );
}

#[test]
fn cat_fails_single_face() {
    let cat = imageops::resize(&fixture("chelsea.png"), 960, 640, FilterType::Lanczos3);
    let report = check(&cat);
    assert_eq!(status(&report, "single_face"), RuleStatus::Fail);
    assert!(!report.passed);
}

#[test]
fn every_rule_has_reason_and_range() {
    for report in [check(&demo_frame()), check(&fixture("coffee.png"))] {
        for rule in &report.rules {
            assert!(
                !rule.reason.zh.is_empty(),
                "{} has no Chinese reason",
                rule.rule
            );
            assert!(
                !rule.reason.en.is_empty(),
                "{} has no English reason",
                rule.rule
            );
            assert!(
                !rule.allowed.zh.is_empty() && !rule.allowed.en.is_empty(),
                "{} has no allowed range",
                rule.rule
            );
        }
    }
}

#[test]
fn blurred_frame_fails_sharpness() {
    let blurred = imageops::blur(&demo_frame(), 4.0);
    let report = check(&blurred);
    assert_eq!(
        status(&report, "sharpness"),
        RuleStatus::Fail,
        "{}",
        describe(&report)
    );
}

#[test]
fn dark_frame_is_not_blurred() {
    let mut dark = demo_frame();
    for p in dark.pixels_mut() {
        *p = Rgb(p.0.map(|c| c / 4));
    }
    let report = check(&dark);
    assert_eq!(
        status(&report, "sharpness"),
        RuleStatus::Pass,
        "{}",
        describe(&report)
    );
}

#[test]
fn slightly_blurred_frame_fails_sharpness() {
    let report = check(&imageops::blur(&demo_frame(), 1.5));
    assert_eq!(
        status(&report, "sharpness"),
        RuleStatus::Fail,
        "{}",
        describe(&report)
    );
}

#[test]
fn overexposed_frame_fails_exposure() {
    let mut bright = demo_frame();
    for p in bright.pixels_mut() {
        *p = Rgb(p.0.map(|c| c.saturating_mul(2)));
    }
    let report = check(&bright);
    assert_eq!(
        status(&report, "exposure"),
        RuleStatus::Fail,
        "{}",
        describe(&report)
    );
}

#[test]
fn underexposed_frame_fails_exposure() {
    let mut dark = demo_frame();
    for p in dark.pixels_mut() {
        *p = Rgb(p.0.map(|c| c / 8));
    }
    let report = check(&dark);
    assert_eq!(
        status(&report, "exposure"),
        RuleStatus::Fail,
        "{}",
        describe(&report)
    );
}

fn roll_of(image: &RgbImage) -> f32 {
    let measured = check(image)
        .rule("head_roll")
        .unwrap()
        .measured
        .clone()
        .unwrap();
    measured.trim_end_matches('°').parse().unwrap()
}

/// The demo frame turned so that its eye line tilts by about `degrees`;
/// turning the image by +θ adds about θ to the measured roll.
fn tilted_to(degrees: f32) -> RgbImage {
    let frame = demo_frame();
    let turn = degrees - roll_of(&frame);
    rotate_about_center(
        &frame,
        turn.to_radians(),
        Interpolation::Bilinear,
        Rgb([225, 225, 222]),
    )
}

#[test]
fn tilted_head_fails_roll() {
    let report = check(&tilted_to(14.0));
    assert_eq!(
        status(&report, "head_roll"),
        RuleStatus::Fail,
        "{}",
        describe(&report)
    );
}

#[test]
fn slight_tilt_is_advisory() {
    let report = check(&tilted_to(6.5));
    assert_eq!(
        status(&report, "head_roll"),
        RuleStatus::Advisory,
        "{}",
        describe(&report)
    );
}

/// Grace Hopper's original photo with the flag behind her, framed like the
/// demo camera's frames.
fn flag_frame() -> RgbImage {
    let photo = fixture("grace_hopper.jpg");
    let scaled = imageops::resize(&photo, 727, 852, FilterType::Lanczos3);
    let mut frame = RgbImage::from_pixel(720, 960, *photo.get_pixel(2, 2));
    imageops::overlay(&mut frame, &scaled, -3, 108);
    frame
}

#[test]
fn flag_background_fails_uniformity() {
    let report = check(&flag_frame());
    assert_eq!(
        status(&report, "background_uniformity"),
        RuleStatus::Fail,
        "{}",
        describe(&report)
    );
}

#[test]
fn face_at_edge_cannot_be_centred() {
    let frame = demo_frame();
    let mut shifted = RgbImage::from_pixel(720, 960, Rgb([225, 225, 222]));
    imageops::overlay(&mut shifted, &frame, 260, 0);
    let report = check(&shifted);
    assert_eq!(
        status(&report, "crop"),
        RuleStatus::Fail,
        "{}",
        describe(&report)
    );
    let advice = report.rule("crop").unwrap().advice.clone().unwrap();
    assert!(advice.en.contains("right"), "{advice:?}");
}

#[test]
fn far_subject_is_too_small() {
    let frame = demo_frame();
    let small = imageops::resize(&frame, 360, 480, FilterType::Triangle);
    let mut far = RgbImage::from_pixel(720, 960, Rgb([225, 225, 222]));
    imageops::overlay(&mut far, &small, 180, 480);
    let report = check(&far);
    assert_eq!(
        status(&report, "crop"),
        RuleStatus::Fail,
        "{}",
        describe(&report)
    );
    assert_eq!(
        status(&report, "face_width"),
        RuleStatus::Fail,
        "{}",
        describe(&report)
    );
}

#[test]
fn rendered_photo_fits_profile() {
    let image = demo_frame();
    let (_, a) = check_photo(&image, models(), &profile()).unwrap();
    let crop = a.crop.unwrap().unwrap();
    let rendered = render(&image, &crop, &profile()).unwrap();
    let decoded = image::load_from_memory(&rendered.jpeg).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (480, 640));
    assert!(rendered.quality >= profile().output.min_jpeg_quality);
    assert!(
        rendered.jpeg.len() <= 40 * 1024,
        "{} bytes",
        rendered.jpeg.len()
    );
}

#[test]
fn live_hints_ready_on_demo_frame() {
    let status = live_status(&demo_frame(), models(), &profile(), 7).unwrap();
    assert_eq!(status.hints, vec![crate::views::Hint::Ready]);
    assert_eq!(status.frame, 7);
}

#[test]
fn live_hints_no_face_on_coffee() {
    let status = live_status(&fixture("coffee.png"), models(), &profile(), 1).unwrap();
    assert_eq!(status.hints, vec![crate::views::Hint::NoFace]);
}

#[test]
fn astronaut_smile_fails_mouth_closed() {
    let report = check(&fixture("astronaut.png"));
    assert_eq!(
        status(&report, "mouth_closed"),
        RuleStatus::Fail,
        "{}",
        describe(&report)
    );
}

#[test]
fn profile_view_fails_yaw() {
    let report = check(&fixture("camera.png"));
    assert_eq!(
        status(&report, "head_yaw"),
        RuleStatus::Fail,
        "{}",
        describe(&report)
    );
}

#[test]
fn demo_frame_eyes_open_mouth_closed() {
    let report = check(&demo_frame());
    assert_eq!(
        status(&report, "eyes_open"),
        RuleStatus::Pass,
        "{}",
        describe(&report)
    );
    assert_eq!(
        status(&report, "mouth_closed"),
        RuleStatus::Pass,
        "{}",
        describe(&report)
    );
    assert_eq!(
        status(&report, "head_yaw"),
        RuleStatus::Pass,
        "{}",
        describe(&report)
    );
}

/// Every rule the full check reports, in report order.
const RULES: [&str; 32] = [
    "single_face",
    "other_faces",
    "crop",
    "output_photo",
    "top_of_head",
    "eye_line",
    "face_width",
    "centring",
    "inter_eye_distance",
    "head_roll",
    "head_yaw",
    "head_pitch",
    "eyes_open",
    "mouth_closed",
    "gaze",
    "eyebrows_ears_visible",
    "head_covering",
    "glasses_glare",
    "tinted_lenses",
    "red_eye",
    "exposure",
    "grey_levels",
    "illumination_uniformity",
    "hot_spots",
    "natural_colour",
    "sharpness",
    "compression_artefacts",
    "background_uniformity",
    "background_colour",
    "background_shadow",
    "clothing",
    // Only in profiles with a head-height band.
    "head_height",
];

#[test]
fn report_lists_every_rule() {
    let report = check(&demo_frame());
    let names: Vec<&str> = report.rules.iter().map(|r| r.rule.as_str()).collect();
    for rule in RULES.iter().filter(|r| **r != "head_height") {
        assert!(names.contains(rule), "{rule} missing from {names:?}");
    }
    let icao = Profile::named("icao-passport").unwrap();
    let (report, _) = check_photo(&demo_frame(), models(), &icao).unwrap();
    assert!(report.rule("head_height").is_some());
}

#[test]
fn rule_names_are_unique() {
    let report = check(&demo_frame());
    let mut names: Vec<&str> = report.rules.iter().map(|r| r.rule.as_str()).collect();
    names.sort();
    let before = names.len();
    names.dedup();
    assert_eq!(names.len(), before);
}

#[test]
fn shipped_profiles_are_satisfiable() {
    let image = demo_frame();
    for name in list_profiles() {
        let profile = Profile::named(&name).unwrap();
        let a = analyse(&image, models(), &profile).unwrap();
        let head = a.head.unwrap();
        let crop = match a.crop.unwrap() {
            Ok(crop) => crop,
            Err(problem) => panic!("{name}: no crop for the demo frame: {problem:?}"),
        };
        let g = &profile.geometry;
        let (top, eye, width) = crop.measure(&head);
        assert!(g.top_of_head_px.contains(top), "{name}: top {top}");
        assert!(g.eye_line_px.contains(eye), "{name}: eye line {eye}");
        assert!(
            g.face_width_px.contains(width),
            "{name}: face width {width}"
        );
        if let Some(band) = g.head_height_px {
            let height = crop.head_height(&head);
            assert!(band.contains(height), "{name}: head height {height}");
        }
        let rendered = render(&image, &crop, &profile).unwrap();
        let kb = rendered.jpeg.len() as f32 / 1024.0;
        assert!(
            rendered.fits,
            "{name}: {kb:.1} KB at quality {}",
            rendered.quality
        );
        assert!(profile.output.size_kb.contains(kb), "{name}: {kb:.1} KB");
    }
}

#[test]
fn rendered_header_has_density_and_colour() {
    let image = demo_frame();
    let (_, a) = check_photo(&image, models(), &profile()).unwrap();
    let info = inspect(&a.rendered.unwrap().jpeg).unwrap();
    assert_eq!((info.width, info.height), (480, 640));
    assert_eq!(info.components, 3);
    assert_eq!(info.precision, 8);
    assert_eq!(info.dpi, Some(300));
}

#[test]
fn unreachable_window_gives_achievable_range() {
    let text = std::fs::read_to_string(profiles_dir().join("chsi-diploma.toml"))
        .unwrap()
        .replace("size_kb = [20, 40]", "size_kb = [250, 300]");
    let strict = Profile::parse(&text, std::path::Path::new("strict.toml")).unwrap();
    let (report, _) = check_photo(&demo_frame(), models(), &strict).unwrap();
    let rule = report.rule("output_photo").unwrap();
    assert_eq!(rule.status, RuleStatus::Fail, "{}", describe(&report));
    assert!(
        rule.reason.en.contains("outside the 250-300 KB window"),
        "{}",
        rule.reason.en
    );
}

#[test]
fn blue_profile_rejects_grey_background() {
    let blue = Profile::named("chsi-blue").unwrap();
    let (report, _) = check_photo(&demo_frame(), models(), &blue).unwrap();
    assert_eq!(
        status(&report, "background_colour"),
        RuleStatus::Fail,
        "{}",
        describe(&report)
    );
}

#[test]
fn tiny_photo_is_too_small_not_faceless() {
    let tiny = imageops::resize(&demo_frame(), 120, 160, FilterType::Triangle);
    let report = check(&tiny);
    assert_eq!(status(&report, "crop"), RuleStatus::Fail);
    assert_ne!(status(&report, "single_face"), RuleStatus::Fail);
    assert!(
        report
            .rule("crop")
            .unwrap()
            .reason
            .en
            .contains("smaller than")
    );
}

#[test]
fn demo_frame_head_covering_does_not_fail() {
    // The demo person wears a navy cap that fits the head, which the rule
    // cannot tell from hair; it warns instead of rejecting.
    let report = check(&demo_frame());
    assert_ne!(
        status(&report, "head_covering"),
        RuleStatus::Fail,
        "{}",
        describe(&report)
    );
}

#[test]
fn weak_face_nearby_fails_other_faces() {
    let image = demo_frame();
    let mut a = analyse(&image, models(), &profile()).unwrap();
    let mut poster = a.faces[0].clone();
    poster.score = 0.65;
    poster.bbox.x += poster.bbox.width * 1.5;
    a.weak_faces.push(poster);
    let report = report_for(&image, &a, &profile());
    assert_eq!(status(&report, "other_faces"), RuleStatus::Fail);
}

#[test]
fn weak_face_far_away_passes_other_faces() {
    let image = demo_frame();
    let mut a = analyse(&image, models(), &profile()).unwrap();
    let mut far = a.faces[0].clone();
    far.score = 0.65;
    far.bbox.x += far.bbox.width * 4.0;
    a.weak_faces.push(far);
    let report = report_for(&image, &a, &profile());
    assert_eq!(status(&report, "other_faces"), RuleStatus::Pass);
}

#[test]
fn live_status_passes_demo_under_every_profile() {
    for name in list_profiles() {
        let profile = Profile::named(&name).unwrap();
        let status = live_status(&demo_frame(), models(), &profile, 1).unwrap();
        assert_eq!(status.faces, 1, "{name}");
    }
}
