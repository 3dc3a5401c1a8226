//! Rules on the face itself: pitch, centring, gaze, visible eyebrows and
//! ears, head covering, glasses and red eye, and other faces nearby.

use image::RgbImage;

use super::analysis::Analysis;
use super::measure::{self, delta_e, luma, mean, mean_colour};
use super::profile::Profile;
use super::regions;
use super::report::{RuleResult, RuleStatus};
use super::rules::{mesh_for, no_single_face, not_measured, pass_if, result};
use crate::text::Text;
use crate::vision::{Mesh, Rect};

macro_rules! mesh_or_return {
    ($a:expr, $rule:expr, $title:expr, $allowed:expr) => {
        match mesh_for($a, $rule, &$title, &$allowed) {
            Ok(mesh) => mesh,
            Err(unmeasured) => return *unmeasured,
        }
    };
}

pub fn pitch(a: &Analysis, p: &Profile) -> RuleResult {
    let title = Text::new("头部俯仰", "Head pitch");
    let max = p.pose.max_pitch_deg;
    let allowed = Text::same(format!("≤ {max:.0}°"));
    let mesh = mesh_or_return!(a, "head_pitch", title, allowed);
    let degrees = mesh.pitch_degrees();
    let ok = degrees.abs() <= max;
    let (zh, en) = if degrees > 0.0 {
        ("抬", "raised")
    } else {
        ("低", "lowered")
    };
    result(
        "head_pitch",
        title,
        pass_if(ok),
        Some(format!("{degrees:.1}°")),
        allowed,
        if ok {
            Text::new(
                "头部没有抬头或低头。",
                "the head is neither raised nor lowered",
            )
        } else {
            Text::new(
                format!("下巴{zh}起约 {:.0}°。", degrees.abs()),
                format!("the chin is {en} by about {:.0}°", degrees.abs()),
            )
        },
        Some(Text::new(
            "请平视镜头，下巴不要抬起或压低。",
            "look straight at the lens, with the chin neither raised nor tucked",
        )),
    )
}

pub fn centring(a: &Analysis, p: &Profile) -> RuleResult {
    let title = Text::new("左右居中", "Centring");
    let max = p.geometry.max_centre_offset_px;
    let allowed = Text::new(
        format!("脸部中心偏离照片中线 ≤ {max:.0} px"),
        format!("face centre ≤ {max:.0} px from the photo's middle"),
    );
    let (Some(head), Some(crop)) = (a.head.as_ref(), a.crop_or_nearest(p)) else {
        return not_measured("centring", title, allowed, no_single_face());
    };
    let offset = (head.center_x - crop.rect.x) * crop.scale - p.output.width as f32 / 2.0;
    let ok = offset.abs() <= max;
    result(
        "centring",
        title,
        pass_if(ok),
        Some(format!("{offset:+.0} px")),
        allowed,
        if ok {
            Text::new("脸部左右居中。", "the face is centred left-right")
        } else {
            Text::new(
                format!("脸部偏离照片中线 {:.0} 像素。", offset.abs()),
                format!("the face is {:.0} px off the photo's middle", offset.abs()),
            )
        },
        Some(Text::new(
            "请移到取景框中间。",
            "move to the middle of the outline",
        )),
    )
}

/// Centroid of the darkest quarter of the pixels in an eye's box: the
/// pupil and iris, on an open eye.
fn pupil(image: &RgbImage, eye: &regions::Eye) -> Option<(f32, f32)> {
    let (x0, y0, x1, y1) = measure::bounds(&eye.rect, image.width(), image.height());
    let mut pixels = Vec::new();
    for y in y0..y1 {
        for x in x0..x1 {
            pixels.push((luma(image.get_pixel(x, y)), x, y));
        }
    }
    if pixels.len() < 16 {
        return None;
    }
    pixels.sort_by(|l, r| l.0.total_cmp(&r.0));
    let dark = &pixels[..pixels.len() / 4];
    let n = dark.len() as f32;
    let cx = dark.iter().map(|p| p.1 as f32 + 0.5).sum::<f32>() / n;
    let cy = dark.iter().map(|p| p.2 as f32 + 0.5).sum::<f32>() / n;
    Some((cx, cy))
}

/// Returns the contrast inside each eye's box: the mean of the brightest
/// quarter minus that of the darkest quarter, over the brightest
/// quarter's mean. An open eye shows the white beside the iris, while a
/// closed lid is skin with a line of lashes.
pub fn eye_contrasts(image: &RgbImage, mesh: &Mesh) -> [f32; 2] {
    regions::eyes(mesh).map(|eye| {
        let mut values = measure::lumas(image, &eye.rect);
        if values.len() < 16 {
            return 0.0;
        }
        values.sort_by(f32::total_cmp);
        let quarter = values.len() / 4;
        let dark = mean(&values[..quarter]);
        let bright = mean(&values[values.len() - quarter..]);
        (bright - dark) / bright.max(1.0)
    })
}

/// Looking at the lens. The bundled mesh has no iris points, so the pupil
/// is found as the darkest part of each eye, and the result only warns.
pub fn gaze(image: &RgbImage, a: &Analysis, p: &Profile) -> RuleResult {
    let title = Text::new("目视镜头", "Looking at the lens");
    let max = p.expression.max_gaze_offset;
    let allowed = Text::new(
        format!("瞳孔偏离眼睛中心 ≤ {max:.2} 眼宽（建议）"),
        format!("pupil ≤ {max:.2} eye widths off the eye's centre (advisory)"),
    );
    let mesh = mesh_or_return!(a, "gaze", title, allowed);
    let eyes = regions::eyes(mesh);
    let offsets: Option<Vec<f32>> = eyes
        .iter()
        .map(|eye| pupil(image, eye).map(|(x, _)| (x - eye.center.x) / eye.width.max(1.0)))
        .collect();
    let Some(offsets) = offsets else {
        return not_measured(
            "gaze",
            title,
            allowed,
            Text::new(
                "眼睛太小，无法测量。",
                "not measured: the eyes are too small",
            ),
        );
    };
    // Both pupils move the same way when the eyes look aside.
    let offset = mean(&offsets);
    let ok = offset.abs() <= max;
    result(
        "gaze",
        title,
        if ok {
            RuleStatus::Pass
        } else {
            RuleStatus::Advisory
        },
        Some(format!("{offset:+.2}")),
        allowed,
        if ok {
            Text::new("眼睛看着镜头。", "the eyes look at the lens")
        } else {
            Text::new(
                "眼睛可能没有看镜头（估计值，请目视确认）。",
                "the eyes may be looking away from the lens (an estimate: check by eye)",
            )
        },
        Some(Text::new("请看着镜头。", "look at the lens")),
    )
}

fn skin_luma(image: &RgbImage, mesh: &Mesh) -> f32 {
    let cheeks = regions::cheeks(mesh);
    mean(&[
        mean(&measure::lumas(image, &cheeks[0])),
        mean(&measure::lumas(image, &cheeks[1])),
    ])
}

fn skin_colour(image: &RgbImage, mesh: &Mesh) -> Option<[f32; 3]> {
    let cheeks = regions::cheeks(mesh);
    let patches = [cheeks[0], cheeks[1], regions::forehead(mesh)];
    let colours: Vec<([f32; 3], u32)> = patches
        .iter()
        .filter_map(|r| mean_colour(image, r, |_, _| true))
        .collect();
    let total: u32 = colours.iter().map(|c| c.1).sum();
    (total > 0).then(|| {
        std::array::from_fn(|c| {
            colours.iter().map(|(m, n)| m[c] * *n as f32).sum::<f32>() / total as f32
        })
    })
}

/// Mean skin colour of the face (cheeks and forehead), for the colour rules.
pub fn face_skin_colour(image: &RgbImage, a: &Analysis) -> Option<[f32; 3]> {
    skin_colour(image, a.usable_mesh().filter(|_| a.face().is_some())?)
}

/// Eyebrows and ears visible. Hair and a dark brow look alike, so a miss
/// warns instead of rejecting.
pub fn eyebrows_ears(image: &RgbImage, a: &Analysis) -> RuleResult {
    let title = Text::new("眉毛和双耳可见", "Eyebrows and ears visible");
    let allowed = Text::new(
        "眉毛比上方皮肤暗；耳部为皮肤（建议）",
        "brows darker than the skin above; skin at the ears (advisory)",
    );
    let mesh = mesh_or_return!(a, "eyebrows_ears_visible", title, allowed);
    let Some(skin) = skin_colour(image, mesh) else {
        return not_measured("eyebrows_ears_visible", title, allowed, no_single_face());
    };
    let brows = regions::eyebrows(mesh);
    let above = regions::above_brows(mesh);
    let brow_contrast: Vec<f32> = (0..2)
        .map(|i| {
            let brow = mean(&measure::lumas(image, &brows[i]));
            let skin_above = mean(&measure::lumas(image, &above[i]));
            1.0 - brow / skin_above.max(1.0)
        })
        .collect();
    let brows_ok = brow_contrast.iter().all(|&c| c >= 0.05);

    let ears = regions::ears(mesh);
    let ear_delta: Vec<f32> = ears
        .iter()
        .map(|r| {
            let person = |x, y| a.mask.as_ref().is_none_or(|m| m.at(x, y) >= 0.5);
            mean_colour(image, r, person).map_or(f32::INFINITY, |(c, _)| delta_e(c, skin))
        })
        .collect();
    let ears_ok = ear_delta.iter().all(|&d| d <= 25.0);
    let ok = brows_ok && ears_ok;
    let reason = match (brows_ok, ears_ok) {
        (true, true) => Text::new("眉毛和双耳露出。", "the eyebrows and both ears show"),
        (false, _) => Text::new(
            "眉毛可能被头发遮住（估计值）。",
            "hair may cover the eyebrows (an estimate)",
        ),
        (true, false) => Text::new(
            "耳朵可能被头发遮住（估计值）。",
            "hair may cover an ear (an estimate)",
        ),
    };
    result(
        "eyebrows_ears_visible",
        title,
        if ok {
            RuleStatus::Pass
        } else {
            RuleStatus::Advisory
        },
        Some(format!(
            "{:.2}/{:.2}, ΔE {:.0}/{:.0}",
            brow_contrast[0], brow_contrast[1], ear_delta[0], ear_delta[1]
        )),
        allowed,
        reason,
        Some(Text::new(
            "请把头发拨到耳后，露出眉毛。",
            "brush the hair behind the ears and off the eyebrows",
        )),
    )
}

/// Judges head covering. A head that rises far above the forehead wears a
/// hat and fails. A cap that fits the head looks like hair to these
/// measures, so a forehead edge that is not skin only warns.
pub fn head_covering(image: &RgbImage, a: &Analysis, p: &Profile) -> RuleResult {
    let title = Text::new("未戴帽", "No head covering");
    let max = p.expression.max_crown_ratio;
    let allowed = Text::new(
        format!("头顶高出额头 ≤ {max:.2} 脸高"),
        format!("crown ≤ {max:.2} face heights above the forehead"),
    );
    let mesh = mesh_or_return!(a, "head_covering", title, allowed);
    let (Some(head), Some(skin)) = (a.head.as_ref(), skin_colour(image, mesh)) else {
        return not_measured("head_covering", title, allowed, no_single_face());
    };
    let face_height = (mesh.chin().y - mesh.forehead().y).max(1.0);
    let ratio = (mesh.forehead().y - head.top) / face_height;
    let edge = mean_colour(image, &regions::above_forehead(mesh), |_, _| true)
        .map_or(0.0, |(c, _)| delta_e(c, skin));
    let (status, reason) = if ratio > max {
        (
            RuleStatus::Fail,
            Text::new(
                "头顶过高，可能戴着帽子或头饰。",
                "the head rises too far above the forehead: a hat or headwear",
            ),
        )
    } else if edge > 30.0 {
        (
            RuleStatus::Advisory,
            Text::new(
                "额头上方不是皮肤：头发或帽子，无法区分，请目视确认。",
                "the forehead's top edge is not skin: hair or a cap, which cannot be told apart; check by eye",
            ),
        )
    } else {
        (
            RuleStatus::Pass,
            Text::new(
                "额头露出，没有头饰。",
                "the forehead is bare, with no headwear",
            ),
        )
    };
    result(
        "head_covering",
        title,
        status,
        Some(format!("{ratio:.2}, ΔE {edge:.0}")),
        allowed,
        reason,
        Some(Text::new(
            "请摘下帽子或头饰（宗教或医疗原因且不遮挡面部的除外）。",
            "take off any hat or headwear (religious or medical coverings that leave the face clear are allowed)",
        )),
    )
}

/// Share (0-100 %) of the lens areas at luma 245 or more.
fn glare_percent(image: &RgbImage, lenses: &[Rect; 2]) -> f32 {
    let values: Vec<f32> = lenses
        .iter()
        .flat_map(|r| measure::lumas(image, r))
        .collect();
    if values.is_empty() {
        return 0.0;
    }
    100.0 * values.iter().filter(|&&l| l >= 245.0).count() as f32 / values.len() as f32
}

pub fn glasses_glare(image: &RgbImage, a: &Analysis, p: &Profile) -> RuleResult {
    let title = Text::new("眼镜无反光", "No glare on glasses");
    let max = p.glasses.max_glare_pct;
    let allowed = Text::new(
        format!("眼周反光 ≤ {max:.1} %"),
        format!("glare around the eyes ≤ {max:.1} %"),
    );
    let mesh = mesh_or_return!(a, "glasses_glare", title, allowed);
    let share = glare_percent(image, &regions::lenses(mesh));
    let ok = share <= max;
    result(
        "glasses_glare",
        title,
        pass_if(ok),
        Some(format!("{share:.1} %")),
        allowed,
        if ok {
            Text::new("眼周没有反光。", "there is no glare around the eyes")
        } else {
            Text::new("镜片上有反光。", "light reflects on the lenses")
        },
        Some(Text::new(
            "请稍微低头或调整灯光角度；也可以摘下眼镜。",
            "tilt the glasses slightly or move the lamps; or take the glasses off",
        )),
    )
}

pub fn tinted_lenses(image: &RgbImage, a: &Analysis, p: &Profile) -> RuleResult {
    let title = Text::new("镜片无色", "Clear lenses");
    let min = p.glasses.min_lens_brightness;
    let allowed = Text::new(
        format!("眼周亮度 ≥ 脸颊的 {min:.2} 倍"),
        format!("around the eyes ≥ {min:.2} of the cheeks' luma"),
    );
    let mesh = mesh_or_return!(a, "tinted_lenses", title, allowed);

    let skin = skin_luma(image, mesh).max(1.0);
    let eyes = regions::eyes(mesh);
    let lenses = regions::lenses(mesh);
    // The eye itself is dark on everyone, so only the lens area below it,
    // over the upper cheek, is compared.
    let below: Vec<f32> = (0..2)
        .flat_map(|i| {
            let under = Rect {
                y: eyes[i].rect.bottom(),
                height: (lenses[i].bottom() - eyes[i].rect.bottom()).max(1.0),
                ..lenses[i]
            };
            measure::lumas(image, &under)
        })
        .collect();
    let ratio = mean(&below) / skin;
    let ok = ratio >= min;
    result(
        "tinted_lenses",
        title,
        pass_if(ok),
        Some(format!("{ratio:.2}")),
        allowed,
        if ok {
            Text::new("眼周没有深色镜片。", "no tinted lens darkens the eyes")
        } else {
            Text::new(
                "眼周明显偏暗：有色镜片？",
                "the eyes' surroundings are dark: tinted lenses?",
            )
        },
        Some(Text::new(
            "请摘下有色眼镜或太阳镜。",
            "take off tinted glasses or sunglasses",
        )),
    )
}

pub fn red_eye(image: &RgbImage, a: &Analysis, p: &Profile) -> RuleResult {
    let title = Text::new("无红眼", "No red eye");
    let max = p.colour.max_red_eye_pct;
    let allowed = Text::new(
        format!("瞳孔红色像素 ≤ {max:.0} %"),
        format!("red pupil pixels ≤ {max:.0} %"),
    );
    let mesh = mesh_or_return!(a, "red_eye", title, allowed);
    let (mut red, mut total) = (0u32, 0u32);
    for eye in regions::eyes(mesh) {
        let radius = eye.rect.height.max(2.0) / 2.0;
        let disc = Rect {
            x: eye.center.x - radius,
            y: eye.center.y - radius,
            width: 2.0 * radius,
            height: 2.0 * radius,
        };
        let (x0, y0, x1, y1) = measure::bounds(&disc, image.width(), image.height());
        for y in y0..y1 {
            for x in x0..x1 {
                let [r, g, b] = image.get_pixel(x, y).0.map(u32::from);
                // Red eye is saturated red: twice the green and blue at least.
                red += u32::from(r >= 120 && r > 2 * g + 20 && r > 2 * b + 20);
                total += 1;
            }
        }
    }
    let share = 100.0 * red as f32 / total.max(1) as f32;
    let ok = share <= max;
    result(
        "red_eye",
        title,
        pass_if(ok),
        Some(format!("{share:.0} %")),
        allowed,
        if ok {
            Text::new("没有红眼。", "there is no red eye")
        } else {
            Text::new(
                "瞳孔呈红色（闪光灯红眼）。",
                "the pupils are red (flash red eye)",
            )
        },
        Some(Text::new(
            "请关闭直射闪光，改用柔光灯。",
            "turn off direct flash and use soft lamps",
        )),
    )
}

/// Weaker detections (under the face score) near the face: another face
/// at the edge of the frame, a poster, or a person behind.
pub fn other_faces(a: &Analysis) -> RuleResult {
    let title = Text::new("附近无其他人脸", "No other face nearby");
    let allowed = Text::new(
        "主脸 3 个脸宽内无其他人脸",
        "no other face within 3 face widths",
    );
    let Some(face) = a.face() else {
        return not_measured("other_faces", title, allowed, no_single_face());
    };
    let reach = 3.0 * face.bbox.width;
    let near = a
        .weak_faces
        .iter()
        .filter(|f| f.bbox.center().distance(face.bbox.center()) <= reach)
        .count();
    result(
        "other_faces",
        title,
        pass_if(near == 0),
        Some(format!("{near}")),
        allowed,
        if near == 0 {
            Text::new("脸部附近没有其他人脸。", "no other face is near the face")
        } else {
            Text::new(
                format!("脸部附近还有 {near} 张可能的人脸。"),
                format!("{near} more possible faces are near the face"),
            )
        },
        Some(Text::new(
            "请移走背景中的照片、海报，其他人离开取景范围。",
            "remove photos and posters behind, and ask others to step out of view",
        )),
    )
}
