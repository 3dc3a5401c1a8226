//! Photo checks against a spec profile: the full set on a capture, the
//! cheap live subset on preview frames, and the rendering of the output.

mod analysis;
mod crop;
pub(crate) mod measure;
mod profile;
mod regions;
mod render;
mod report;
mod rules;
mod rules_face;
mod rules_picture;
mod validate;

pub use analysis::{Analysis, FACE_SCORE, analyse, analyse_within};
pub use crop::{Crop, CropProblem, HeadGeometry};
pub use profile::{Band, DEFAULT_PROFILE, Profile, list_profiles, profiles_dir};
pub use render::{JpegInfo, Rendered, inspect, render};
pub use report::{CropPlan, Report, RuleResult, RuleStatus};
pub use validate::jpeg_size_limits;

use image::RgbImage;

use crate::Result;
use crate::views::{Hint, LiveStatus};
use crate::vision::Models;

/// Runs every rule on `image`, rendering the output photo when a crop
/// exists, and returns the report with the analysis (which keeps the
/// rendered photo).
pub fn check_photo(
    image: &RgbImage,
    models: &Models,
    profile: &Profile,
) -> Result<(Report, Analysis)> {
    let mut analysis = analyse(image, models, profile)?;
    // Rendering needs only the crop, and only the output photo's rule reads
    // the rendered file, so the photo is rendered beside the other rules and
    // that one rule is judged again once it is ready.
    let crop = analysis.crop.and_then(std::result::Result::ok);
    let (rendered, mut report) = std::thread::scope(|scope| {
        let rendering = crop.map(|crop| scope.spawn(move || render(image, &crop, profile)));
        let report = report_for(image, &analysis, profile);
        (rendering.map(|handle| handle.join()), report)
    });
    if let Some(rendered) = rendered {
        let rendered = rendered.map_err(|_| {
            crate::Error::Invalid("the output photo's rendering stopped unexpectedly".to_owned())
        })??;
        analysis.rendered = Some(rendered);
        report.replace(rules_picture::output_photo(&analysis, profile));
    }
    Ok((report, analysis))
}

/// Builds the report from an analysis already made.
pub fn report_for(image: &RgbImage, a: &Analysis, profile: &Profile) -> Report {
    let mut results = vec![
        rules::single_face(a, profile),
        rules_face::other_faces(a),
        rules::crop(a, profile),
        rules_picture::output_photo(a, profile),
    ];
    results.extend(rules::bands(a, profile));
    results.extend(rules::head_height(a, profile));
    results.push(rules_face::centring(a, profile));
    results.push(rules::inter_eye(a, profile));
    results.push(rules::roll(a, profile));
    results.push(rules::yaw(a, profile));
    results.push(rules_face::pitch(a, profile));
    results.push(rules::eyes_open(image, a, profile));
    results.push(rules::mouth_closed(a, profile));
    results.push(rules_face::gaze(image, a, profile));
    results.push(rules_face::eyebrows_ears(image, a));
    results.push(rules_face::head_covering(image, a, profile));
    results.push(rules_face::glasses_glare(image, a, profile));
    results.push(rules_face::tinted_lenses(image, a, profile));
    results.push(rules_face::red_eye(image, a, profile));
    results.push(rules::exposure(image, a, profile));
    results.push(rules_picture::grey_levels(image, a, profile));
    results.push(rules_picture::illumination(image, a, profile));
    results.push(rules_picture::hot_spots(image, a, profile));
    results.push(rules_picture::natural_colour(image, a, profile));
    results.push(rules::sharpness(image, a, profile));
    results.push(rules_picture::compression(image, a, profile));
    results.push(rules::background(image, a, profile));
    results.push(rules_picture::background_colour(image, a, profile));
    results.push(rules_picture::background_shadow(image, a, profile));
    results.push(rules_picture::clothing(image, a, profile));

    let mut report = Report::new(&profile.id, image.width(), image.height(), results);
    if let (Some(head), Some(Ok(crop))) = (a.head.as_ref(), a.crop) {
        let (top, eye, width) = crop.measure(head);
        report.crop = Some(CropPlan {
            x: crop.rect.x.round() as u32,
            y: crop.rect.y.round() as u32,
            width: crop.rect.width.round() as u32,
            height: crop.rect.height.round() as u32,
            top_of_head: top,
            eye_line: eye,
            face_width: width,
        });
    }
    report
}

/// Turns a report on a preview frame into hints for the student, most
/// urgent first; `Ready` when nothing fails.
pub fn hints(
    image: &RgbImage,
    report: &Report,
    analysis: &Analysis,
    profile: &Profile,
) -> Vec<Hint> {
    let mut hints = Vec::new();
    match analysis.faces.len() {
        0 => return vec![Hint::NoFace],
        1 => {}
        _ => return vec![Hint::ManyFaces],
    }
    if let Some(Err(problem)) = analysis.crop {
        hints.push(match problem {
            CropProblem::FaceTooSmall | CropProblem::FrameTooSmall => Hint::MoveCloser,
            CropProblem::FaceTooLarge => Hint::MoveBack,
            CropProblem::OffCentre { image_left: true } => Hint::MoveLeft,
            CropProblem::OffCentre { image_left: false } => Hint::MoveRight,
            CropProblem::HeadTooHigh | CropProblem::Proportions => Hint::MoveDown,
            CropProblem::HeadTooLow => Hint::MoveUp,
        });
    }
    let failed = |rule: &str| {
        report
            .rule(rule)
            .is_some_and(|r| r.status == RuleStatus::Fail)
    };
    let by_rule = [
        ("head_roll", Hint::LevelHead),
        ("head_yaw", Hint::FaceCamera),
        ("head_pitch", Hint::FaceCamera),
        ("eyes_open", Hint::OpenEyes),
        ("mouth_closed", Hint::CloseMouth),
    ];
    for (rule, hint) in by_rule {
        if failed(rule) {
            hints.push(hint);
        }
    }
    if failed("exposure") {
        let over = analysis.face_region().is_some_and(|region| {
            let (bright, _) =
                measure::clipped_percent(image, &region, rules::CLIP_LOW, rules::CLIP_HIGH);
            bright > profile.exposure.max_clipped_highlights_pct
        });
        hints.push(if over { Hint::TooBright } else { Hint::TooDark });
    }
    if hints.is_empty() && report.passed {
        hints.push(Hint::Ready);
    }
    hints
}

/// Runs the cheap checks on a preview frame, for hints while the student poses.
pub fn live_status(
    image: &RgbImage,
    models: &Models,
    profile: &Profile,
    frame: u64,
) -> Result<LiveStatus> {
    live_check(image, models, profile, frame).map(|(status, _)| status)
}

/// Runs the cheap checks on a preview frame and returns the hints with the
/// analysis they came from.
pub fn live_check(
    image: &RgbImage,
    models: &Models,
    profile: &Profile,
    frame: u64,
) -> Result<(LiveStatus, Analysis)> {
    let analysis = analyse_within(image, models, profile, crate::vision::PREVIEW_SIDE)?;
    let mut results = vec![
        rules::single_face(&analysis, profile),
        rules::crop(&analysis, profile),
    ];
    results.push(rules::roll(&analysis, profile));
    results.push(rules::yaw(&analysis, profile));
    results.push(rules_face::pitch(&analysis, profile));
    results.push(rules::eyes_open(image, &analysis, profile));
    results.push(rules::mouth_closed(&analysis, profile));
    results.push(rules::exposure(image, &analysis, profile));
    let report = Report::new(&profile.id, image.width(), image.height(), results);
    let status = LiveStatus {
        frame,
        faces: analysis.faces.len() as u32,
        hints: hints(image, &report, &analysis, profile),
    };
    Ok((status, analysis))
}

#[cfg(test)]
mod tests;
