//! The rules: each turns a measurement into a status with the measured
//! value, the allowed range from the profile, the reason and the advice.

use image::RgbImage;

use super::analysis::Analysis;
use super::crop::CropProblem;
use super::measure;
use super::profile::{Band, Profile};
use super::report::{RuleResult, RuleStatus};
use crate::text::Text;

pub(super) fn result(
    rule: &str,
    title: Text,
    status: RuleStatus,
    measured: Option<String>,
    allowed: Text,
    reason: Text,
    advice: Option<Text>,
) -> RuleResult {
    let advice = if status == RuleStatus::Pass {
        None
    } else {
        advice
    };
    RuleResult {
        rule: rule.to_owned(),
        title,
        status,
        measured,
        allowed,
        reason,
        advice,
    }
}

pub(super) fn pass_if(ok: bool) -> RuleStatus {
    if ok {
        RuleStatus::Pass
    } else {
        RuleStatus::Fail
    }
}

pub(super) fn not_measured(rule: &str, title: Text, allowed: Text, why: Text) -> RuleResult {
    result(
        rule,
        title,
        RuleStatus::NotAssessed,
        None,
        allowed,
        why,
        None,
    )
}

pub(super) fn no_single_face() -> Text {
    Text::new(
        "未检测到唯一人脸，无法测量。",
        "not measured: there is no single face",
    )
}

pub fn single_face(a: &Analysis, p: &Profile) -> RuleResult {
    let n = a.faces.len();
    let title = Text::new("单一人脸", "Single face");
    if n == 0 && (a.width < p.output.width || a.height < p.output.height) {
        // The crop rule rejects such a photo as too small; a missed face
        // on it says nothing about the student.
        return not_measured(
            "single_face",
            title,
            Text::same("1"),
            Text::new(
                format!("照片只有 {}x{} 像素，太小，未找到人脸。", a.width, a.height),
                format!(
                    "the photo is only {}x{} px, too small to find a face in",
                    a.width, a.height
                ),
            ),
        );
    }
    let (reason, advice) = match n {
        1 => (
            Text::new(
                "画面中有且只有一张人脸。",
                "exactly one face is in the frame",
            ),
            None,
        ),
        0 => (
            Text::new("画面中没有检测到人脸。", "no face was found in the frame"),
            Some(Text::new(
                "请正对镜头站在取景框内，摘下遮挡面部的物品。",
                "stand inside the outline facing the lens, with nothing covering the face",
            )),
        ),
        _ => (
            Text::new(
                format!("画面中有 {n} 张人脸，只允许一人。"),
                format!("{n} faces are in the frame; only one is allowed"),
            ),
            Some(Text::new(
                "请其他人离开取景范围。",
                "ask everyone else to step out of view",
            )),
        ),
    };
    result(
        "single_face",
        title,
        pass_if(n == 1),
        Some(format!("{n}")),
        Text::same("1"),
        reason,
        advice,
    )
}

pub fn crop(a: &Analysis, p: &Profile) -> RuleResult {
    let title = Text::new("可裁剪为标准照片", "Crop to the output photo");
    let (w, h) = (p.output.width, p.output.height);
    let allowed = Text::new(
        format!("画面内可裁出 {w}x{h}，不补边、不旋转、不放大"),
        format!("a {w}x{h} crop inside the frame, without padding, rotation or upscaling"),
    );
    let Some(plan) = a.crop else {
        if a.width < p.output.width || a.height < p.output.height {
            return frame_too_small(a, p, title, allowed);
        }
        return not_measured("crop", title, allowed, no_single_face());
    };
    let measured = Some(format!("{}x{}", a.width, a.height));
    match plan {
        Ok(c) => result(
            "crop",
            title,
            RuleStatus::Pass,
            Some(format!(
                "{:.0}x{:.0} @ ({:.0}, {:.0})",
                c.rect.width, c.rect.height, c.rect.x, c.rect.y
            )),
            allowed,
            Text::new(
                "存在满足全部几何要求的裁剪区域。",
                "a crop that meets every geometry band exists",
            ),
            None,
        ),
        Err(CropProblem::FrameTooSmall) => frame_too_small(a, p, title, allowed),
        Err(problem) => {
            let (reason, advice) = crop_problem_text(problem);
            result(
                "crop",
                title,
                RuleStatus::Fail,
                measured,
                allowed,
                reason,
                Some(advice),
            )
        }
    }
}

fn frame_too_small(a: &Analysis, p: &Profile, title: Text, allowed: Text) -> RuleResult {
    result(
        "crop",
        title,
        RuleStatus::Fail,
        Some(format!("{}x{}", a.width, a.height)),
        allowed,
        Text::new(
            format!(
                "照片只有 {}x{} 像素，小于 {}x{} 的成品尺寸，不能放大。",
                a.width, a.height, p.output.width, p.output.height
            ),
            format!(
                "the photo is {}x{} px, smaller than the {}x{} output, and may not be upscaled",
                a.width, a.height, p.output.width, p.output.height
            ),
        ),
        Some(Text::new(
            "请使用分辨率更高的摄像头设置。",
            "set the camera to a higher resolution",
        )),
    )
}

fn crop_problem_text(problem: CropProblem) -> (Text, Text) {
    match problem {
        CropProblem::FrameTooSmall => unreachable!("handled by frame_too_small"),
        CropProblem::FaceTooSmall => (
            Text::new(
                "人脸在画面中太小，裁剪后需要放大。",
                "the face is too small in the frame: the crop would need upscaling",
            ),
            Text::new(
                "请靠近镜头，或将镜头拉近。",
                "move closer to the camera, or zoom in",
            ),
        ),
        CropProblem::FaceTooLarge => (
            Text::new(
                "人脸在画面中太大，放不进标准照片。",
                "the face is too large in the frame to fit the photo",
            ),
            Text::new(
                "请离镜头远一点，或将镜头拉远。",
                "step back from the camera, or zoom out",
            ),
        ),
        CropProblem::OffCentre { image_left } => (
            Text::new(
                "人脸离画面边缘太近，无法居中裁剪。",
                "the face is too close to the edge of the frame to be centred",
            ),
            if image_left {
                Text::new("请向您的左手边移动。", "move to your left")
            } else {
                Text::new("请向您的右手边移动。", "move to your right")
            },
        ),
        CropProblem::HeadTooHigh => (
            Text::new(
                "头顶离画面上边缘太近。",
                "the top of the head is too close to the top of the frame",
            ),
            Text::new(
                "请把摄像头调高一些，或坐低一些。",
                "raise the camera, or sit a little lower",
            ),
        ),
        CropProblem::HeadTooLow => (
            Text::new("头部在画面中太靠下。", "the head is too low in the frame"),
            Text::new(
                "请把摄像头调低一些，或坐高一些。",
                "lower the camera, or sit a little higher",
            ),
        ),
        CropProblem::Proportions => (
            Text::new(
                "头顶与眼睛的位置无法同时满足要求（头发或头饰过高？）。",
                "the top of the head and the eye line cannot both be placed (hair or headwear too tall?)",
            ),
            Text::new(
                "请整理头发，摘下帽子或头饰。",
                "flatten the hair and remove any hat or headwear",
            ),
        ),
    }
}

/// Returns the advice for one of the geometry bands, for the measured `value`. The
/// report drops it when the rule passes.
fn band_advice(rule: &str, value: f32, band: Band) -> Text {
    match rule {
        "top_of_head" => top_of_head_advice(value, band),
        "eye_line" => Text::new(
            "调整摄像头高度，使眼睛与取景框的眼线对齐。",
            "adjust the camera height so the eyes meet the outline's eye line",
        ),
        _ => Text::new(
            "调整与镜头的距离，使脸部与取景框同宽。",
            "adjust the distance to the camera so the face fills the outline",
        ),
    }
}

/// Returns the advice for the top-of-head rule, which measures the space between the
/// top edge of the output photo and the top of the head, in output pixels.
/// Too little space (`value` under the band) means the head is too high in
/// the camera's frame, and too much means too low, as for the crop rule's
/// `HeadTooHigh` and `HeadTooLow`.
pub(crate) fn top_of_head_advice(value: f32, band: Band) -> Text {
    let (min, max) = (band.min, band.max);
    let space_zh = format!("头顶与照片上边缘之间应留 {min:.0}-{max:.0} 像素");
    let space_en = format!(
        "leave {min:.0}-{max:.0} px between the top of the head and the top edge of the photo"
    );
    if value < min {
        Text::new(
            format!("{space_zh}：请把摄像头调高一些，或坐低一些。"),
            format!("{space_en}: raise the camera, or sit a little lower"),
        )
    } else if value > max {
        Text::new(
            format!("{space_zh}：请把摄像头调低一些，或坐高一些。"),
            format!("{space_en}: lower the camera, or sit a little higher"),
        )
    } else {
        Text::new(
            format!("{space_zh}，即头顶对齐取景框的顶线。"),
            format!("{space_en}, with the top of the head at the outline's top line"),
        )
    }
}

/// Measures the three geometry bands in the planned crop or, when none
/// meets every band, in the nearest crop inside the frame.
pub fn bands(a: &Analysis, p: &Profile) -> Vec<RuleResult> {
    let g = &p.geometry;
    let titles = [
        (
            "top_of_head",
            Text::new("头顶位置", "Top of head"),
            g.top_of_head_px,
        ),
        ("eye_line", Text::new("眼睛位置", "Eye line"), g.eye_line_px),
        (
            "face_width",
            Text::new("脸宽", "Face width"),
            g.face_width_px,
        ),
    ];
    let measured = a
        .head
        .as_ref()
        .zip(a.crop_or_nearest(p))
        .map(|(head, crop)| {
            let (top, eye, width) = crop.measure(head);
            [top, eye, width]
        });
    let mut out = titles.clone().map(|(rule, title, band)| {
        let allowed = Text::same(format!("{:.0}-{:.0} px", band.min, band.max));
        not_measured(rule, title, allowed, no_single_face())
    });
    let Some(values) = measured else {
        return out.into();
    };
    for (i, (rule, title, band)) in titles.into_iter().enumerate() {
        let value = values[i];
        let ok = band.contains(value);
        let reason = if ok {
            Text::new("在允许范围内。", "inside the allowed band")
        } else {
            Text::new(
                format!(
                    "成品照片中为 {value:.0} 像素，超出 {:.0}-{:.0} 像素。",
                    band.min, band.max
                ),
                format!(
                    "{value:.0} px in the output photo, outside {:.0}-{:.0} px",
                    band.min, band.max
                ),
            )
        };
        out[i] = result(
            rule,
            title,
            pass_if(ok),
            Some(format!("{value:.0} px")),
            Text::same(format!("{:.0}-{:.0} px", band.min, band.max)),
            reason,
            Some(band_advice(rule, value, band)),
        );
    }
    out.into()
}

/// The crown-to-chin band, for profiles that set one.
pub fn head_height(a: &Analysis, p: &Profile) -> Option<RuleResult> {
    let band = p.geometry.head_height_px?;
    let title = Text::new("头部高度（头顶到下巴）", "Head height (crown to chin)");
    let allowed = Text::same(format!("{:.0}-{:.0} px", band.min, band.max));
    let Some((head, crop)) = a.head.as_ref().zip(a.crop_or_nearest(p)) else {
        return Some(not_measured(
            "head_height",
            title,
            allowed,
            no_single_face(),
        ));
    };
    let value = crop.head_height(head);
    let ok = band.contains(value);
    Some(result(
        "head_height",
        title,
        pass_if(ok),
        Some(format!("{value:.0} px")),
        allowed,
        if ok {
            Text::new("在允许范围内。", "inside the allowed band")
        } else {
            Text::new(
                format!("成品照片中为 {value:.0} 像素，超出范围。"),
                format!("{value:.0} px in the output photo, outside the band"),
            )
        },
        Some(Text::new(
            "调整与镜头的距离，使头部与取景框同高。",
            "adjust the distance to the camera so the head fills the outline",
        )),
    ))
}

/// Distance between the eye centres in the output photo: under the
/// profile's minimum it fails, under the preferred distance it warns,
/// because the CHSI face-width band lets the smallest faces fall there.
pub fn inter_eye(a: &Analysis, p: &Profile) -> RuleResult {
    let title = Text::new("两眼间距", "Inter-eye distance");
    let (min, preferred) = (
        p.geometry.min_inter_eye_px,
        p.geometry.preferred_inter_eye_px,
    );
    let allowed = Text::new(
        format!("≥ {min:.0} px（建议 ≥ {preferred:.0} px）"),
        format!("≥ {min:.0} px (≥ {preferred:.0} px advised)"),
    );
    let (Some((right, left)), Some(crop)) = (a.eyes(), a.crop_or_nearest(p)) else {
        return not_measured("inter_eye_distance", title, allowed, no_single_face());
    };
    let distance = right.distance(left) * crop.scale;
    let status = if distance >= preferred {
        RuleStatus::Pass
    } else if distance >= min {
        RuleStatus::Advisory
    } else {
        RuleStatus::Fail
    };
    result(
        "inter_eye_distance",
        title,
        status,
        Some(format!("{distance:.0} px")),
        allowed,
        if status == RuleStatus::Pass {
            Text::new(
                "两眼间距足够用于人脸比对。",
                "the eyes are far enough apart for face matching",
            )
        } else {
            Text::new(
                "两眼间距偏小，人脸比对可能不够可靠。",
                "the eyes are close together in the photo, which weakens face matching",
            )
        },
        Some(Text::new(
            "请稍微靠近镜头。",
            "move a little closer to the camera",
        )),
    )
}

pub fn roll(a: &Analysis, p: &Profile) -> RuleResult {
    let title = Text::new("头部倾斜（滚转）", "Head roll");
    let (max, preferred) = (p.pose.max_roll_deg, p.pose.preferred_roll_deg);
    let allowed = Text::new(
        format!("≤ {max:.0}°（最好 ≤ {preferred:.0}°）"),
        format!("≤ {max:.0}° (≤ {preferred:.0}° preferred)"),
    );
    let Some((right, left)) = a.eyes() else {
        return not_measured("head_roll", title, allowed, no_single_face());
    };
    let degrees = (left.y - right.y).atan2(left.x - right.x).to_degrees();
    let size = degrees.abs();
    let status = if size <= p.pose.preferred_roll_deg {
        RuleStatus::Pass
    } else if size <= p.pose.max_roll_deg {
        RuleStatus::Advisory
    } else {
        RuleStatus::Fail
    };
    let reason = match status {
        RuleStatus::Pass => Text::new("头部端正。", "the head is level"),
        _ => Text::new(
            format!("双眼连线倾斜 {size:.1}°。照片不会被旋转校正。"),
            format!("the eye line is tilted by {size:.1}°; the photo is never rotated to fix it"),
        ),
    };
    result(
        "head_roll",
        title,
        status,
        Some(format!("{degrees:.1}°")),
        allowed,
        reason,
        Some(Text::new(
            "请保持头部端正，不要歪头。",
            "keep the head level, without tilting it",
        )),
    )
}

/// Luma at or above which a pixel is clipped white, and at or below which
/// it is clipped black.
pub const CLIP_HIGH: f32 = 250.0;
pub const CLIP_LOW: f32 = 5.0;

pub fn exposure(image: &RgbImage, a: &Analysis, p: &Profile) -> RuleResult {
    let title = Text::new("曝光（无过曝、欠曝）", "Exposure (no clipping)");
    let e = &p.exposure;
    let (high, low) = (e.max_clipped_highlights_pct, e.max_clipped_shadows_pct);
    let allowed = Text::new(
        format!("脸部过曝 ≤ {high:.1} % / 欠曝 ≤ {low:.1} %"),
        format!("face clipped white ≤ {high:.1} % / black ≤ {low:.1} %"),
    );
    let Some(region) = a.face_region() else {
        return not_measured("exposure", title, allowed, no_single_face());
    };
    let (bright, dark) = measure::clipped_percent(image, &region, CLIP_LOW, CLIP_HIGH);
    let over = bright > e.max_clipped_highlights_pct;
    let under = dark > e.max_clipped_shadows_pct;
    let (reason, advice) = if over {
        (
            Text::new(
                "脸部有过曝（纯白）区域。",
                "parts of the face are clipped to white",
            ),
            Text::new(
                "请减弱灯光或避免直射闪光。",
                "dim the lamps or avoid direct flash",
            ),
        )
    } else if under {
        (
            Text::new(
                "脸部有欠曝（纯黑）区域。",
                "parts of the face are clipped to black",
            ),
            Text::new("请增加正面柔光照明。", "add soft light from the front"),
        )
    } else {
        (
            Text::new(
                "脸部没有明显过曝或欠曝。",
                "the face has no clipped highlights or shadows",
            ),
            Text::new("", ""),
        )
    };
    result(
        "exposure",
        title,
        pass_if(!over && !under),
        Some(format!("{bright:.1} % / {dark:.1} %")),
        allowed,
        reason,
        Some(advice),
    )
}

pub fn sharpness(image: &RgbImage, a: &Analysis, p: &Profile) -> RuleResult {
    let title = Text::new("清晰度", "Sharpness");
    let min = p.sharpness.min_sharpness;
    let allowed = Text::new(
        format!("清晰度 ≥ {min:.0}"),
        format!("sharpness ≥ {min:.0}"),
    );
    let Some(region) = a.face_region() else {
        return not_measured("sharpness", title, allowed, no_single_face());
    };
    let value = measure::sharpness(image, &region);
    let ok = value >= min;
    result(
        "sharpness",
        title,
        pass_if(ok),
        Some(format!("{value:.0}")),
        allowed,
        if ok {
            Text::new("脸部对焦清晰。", "the face is in focus")
        } else {
            Text::new(
                "脸部模糊（对焦不准或晃动）。",
                "the face is blurred (out of focus or moving)",
            )
        },
        Some(Text::new(
            "请保持不动，并确认镜头对焦在脸部。",
            "hold still, and make sure the camera focuses on the face",
        )),
    )
}

pub fn background(image: &RgbImage, a: &Analysis, p: &Profile) -> RuleResult {
    let title = Text::new("背景均匀", "Background uniformity");
    let b = &p.background;
    let (spread, range) = (b.max_luma_stddev, b.max_cell_range);
    let allowed = Text::new(
        format!("亮度标准差 ≤ {spread:.0} / 分区亮度差 ≤ {range:.0}"),
        format!("luma spread ≤ {spread:.0} / cell range ≤ {range:.0}"),
    );
    let (Some(mask), Some(crop)) = (a.mask.as_ref(), a.crop_or_nearest(p)) else {
        return not_measured("background_uniformity", title, allowed, no_single_face());
    };
    let stats = measure::background_stats(image, mask, &crop.rect);
    if stats.coverage < 0.05 {
        return result(
            "background_uniformity",
            title,
            RuleStatus::NotAssessed,
            Some(format!("{:.0} %", stats.coverage * 100.0)),
            allowed,
            Text::new(
                "照片中几乎没有可见背景。",
                "almost no background is visible in the photo",
            ),
            None,
        );
    }
    let even = stats.stddev <= b.max_luma_stddev;
    let flat = stats.cell_range <= b.max_cell_range;
    let reason = match (even, flat) {
        (true, true) => Text::new("背景纯净均匀。", "the background is plain and even"),
        (false, _) => Text::new(
            "背景有图案、杂物或其他物体。",
            "the background has patterns, clutter or objects",
        ),
        (true, false) => Text::new(
            "背景明暗不均（渐变或阴影）。",
            "the background is uneven (a gradient or a shadow)",
        ),
    };
    result(
        "background_uniformity",
        title,
        pass_if(even && flat),
        Some(format!("{:.1} / {:.1}", stats.stddev, stats.cell_range)),
        allowed,
        reason,
        Some(Text::new(
            "请在纯色背景布前拍摄，均匀照亮背景，并与背景保持距离以免投影。",
            "stand before a plain backdrop, light it evenly, and keep a step away from it to avoid shadows",
        )),
    )
}

fn mesh_missing() -> Text {
    Text::new(
        "未能定位面部特征点，无法测量。",
        "not measured: the face mesh did not find the face",
    )
}

/// Returns the usable face mesh, or the not-assessed result that gives the
/// reason there is none.
pub(super) fn mesh_for<'a>(
    a: &'a Analysis,
    rule: &str,
    title: &Text,
    allowed: &Text,
) -> Result<&'a crate::vision::Mesh, Box<RuleResult>> {
    let why = if a.face().is_none() {
        no_single_face()
    } else {
        mesh_missing()
    };
    a.usable_mesh()
        .filter(|_| a.face().is_some())
        .ok_or_else(|| Box::new(not_measured(rule, title.clone(), allowed.clone(), why)))
}

pub fn yaw(a: &Analysis, p: &Profile) -> RuleResult {
    let title = Text::new("头部左右转动", "Head yaw");
    let max = p.pose.max_yaw_deg;
    let allowed = Text::same(format!("≤ {max:.0}°"));
    let mesh = match mesh_for(a, "head_yaw", &title, &allowed) {
        Ok(mesh) => mesh,
        Err(unmeasured) => return *unmeasured,
    };
    // NOTE: the yaw comes from the mesh's relative depths; its error on
    // real faces has not been measured against a reference.
    let degrees = mesh.yaw_degrees();
    let ok = degrees.abs() <= max;
    result(
        "head_yaw",
        title,
        pass_if(ok),
        Some(format!("{degrees:.1}°")),
        allowed,
        if ok {
            Text::new("脸部正对镜头。", "the face is turned to the lens")
        } else {
            Text::new(
                format!("头部向一侧转了约 {:.0}°。", degrees.abs()),
                format!("the head is turned about {:.0}° to one side", degrees.abs()),
            )
        },
        Some(Text::new(
            "请把脸正对镜头，肩膀放平。",
            "turn the face square to the lens, shoulders level",
        )),
    )
}

/// Judges the eyes open by two measures that must both hold: the mesh's
/// lid distance, and the contrast of white and iris inside each eye,
/// because the mesh can draw open lids over a closed eye.
pub fn eyes_open(image: &RgbImage, a: &Analysis, p: &Profile) -> RuleResult {
    let title = Text::new("睁眼", "Eyes open");
    let (min, min_contrast) = (p.expression.min_eye_opening, p.expression.min_eye_contrast);
    let allowed = Text::new(
        format!("睁眼程度 ≥ {min:.2}，眼内反差 ≥ {min_contrast:.2}"),
        format!("opening ≥ {min:.2}, contrast in the eye ≥ {min_contrast:.2}"),
    );
    let mesh = match mesh_for(a, "eyes_open", &title, &allowed) {
        Ok(mesh) => mesh,
        Err(unmeasured) => return *unmeasured,
    };

    let (right, left) = mesh.eye_openings();
    let [right_contrast, left_contrast] = super::rules_face::eye_contrasts(image, mesh);
    let ok = right >= min
        && left >= min
        && right_contrast >= min_contrast
        && left_contrast >= min_contrast;
    result(
        "eyes_open",
        title,
        pass_if(ok),
        Some(format!(
            "{right:.2} / {left:.2}, {right_contrast:.2} / {left_contrast:.2}"
        )),
        allowed,
        if ok {
            Text::new("双眼睁开。", "both eyes are open")
        } else {
            Text::new("眼睛闭上或眯着。", "an eye is closed or nearly closed")
        },
        Some(Text::new(
            "请自然睁大双眼，看着镜头。",
            "open both eyes naturally and look at the lens",
        )),
    )
}

pub fn mouth_closed(a: &Analysis, p: &Profile) -> RuleResult {
    let title = Text::new("闭嘴", "Mouth closed");
    let max = p.expression.max_mouth_opening;
    let allowed = Text::same(format!("≤ {max:.2}"));
    let mesh = match mesh_for(a, "mouth_closed", &title, &allowed) {
        Ok(mesh) => mesh,
        Err(unmeasured) => return *unmeasured,
    };
    let opening = mesh.mouth_opening();
    let ok = opening <= max;
    result(
        "mouth_closed",
        title,
        pass_if(ok),
        Some(format!("{opening:.2}")),
        allowed,
        if ok {
            Text::new("双唇闭合。", "the lips are closed")
        } else {
            Text::new(
                "嘴巴张开（说话或露齿笑）。",
                "the mouth is open (speaking or smiling with teeth)",
            )
        },
        Some(Text::new(
            "请闭上嘴，保持自然表情。",
            "close the lips and keep a neutral expression",
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The chsi-diploma profile's band of space above the head.
    const BAND: Band = Band {
        min: 50.0,
        max: 110.0,
    };

    #[test]
    fn top_of_head_too_little_space_says_raise() {
        let advice = top_of_head_advice(30.0, BAND);

        assert_eq!(
            advice.en,
            "leave 50-110 px between the top of the head and the top edge of the photo: \
             raise the camera, or sit a little lower"
        );
        assert_eq!(
            advice.zh,
            "头顶与照片上边缘之间应留 50-110 像素：请把摄像头调高一些，或坐低一些。"
        );
    }

    #[test]
    fn top_of_head_too_much_space_says_lower() {
        let advice = top_of_head_advice(140.0, BAND);

        assert_eq!(
            advice.en,
            "leave 50-110 px between the top of the head and the top edge of the photo: \
             lower the camera, or sit a little higher"
        );
        assert_eq!(
            advice.zh,
            "头顶与照片上边缘之间应留 50-110 像素：请把摄像头调低一些，或坐高一些。"
        );
    }

    #[test]
    fn top_of_head_inside_band_states_band() {
        let advice = top_of_head_advice(80.0, BAND);

        assert!(advice.en.contains("50-110 px"), "{}", advice.en);
        assert!(advice.en.contains("outline's top line"), "{}", advice.en);
        assert!(advice.zh.contains("50-110 像素"), "{}", advice.zh);
        assert!(advice.zh.contains("取景框的顶线"), "{}", advice.zh);
    }
}
