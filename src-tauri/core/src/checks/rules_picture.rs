//! Rules on the picture: light on the face, grey levels, colour,
//! compression, the background's colour and shadow, the clothes, and the
//! rendered output file.

use image::RgbImage;

use super::analysis::Analysis;
use super::measure::{self, delta_e, lab, luma, mean, mean_colour};
use super::profile::Profile;
use super::regions;
use super::render::inspect;
use super::report::RuleResult;
use super::rules::{no_single_face, not_measured, pass_if, result};
use super::rules_face::face_skin_colour;
use crate::text::Text;

/// Mask probability under which a pixel counts as background.
const BACKGROUND_BELOW: f32 = 0.1;

pub fn illumination(image: &RgbImage, a: &Analysis, p: &Profile) -> RuleResult {
    let title = Text::new("面部光照均匀", "Even light on the face");
    let max = p.lighting.max_left_right_imbalance;
    let allowed = Text::new(
        format!("左右脸亮度差 ≤ {:.0} %", max * 100.0),
        format!("left-right luma difference ≤ {:.0} %", max * 100.0),
    );
    let Some(mesh) = a.usable_mesh().filter(|_| a.face().is_some()) else {
        return not_measured("illumination_uniformity", title, allowed, no_single_face());
    };
    let halves = regions::face_halves(mesh).map(|r| mean(&measure::lumas(image, &r)));
    let brighter = halves[0].max(halves[1]).max(1.0);
    let imbalance = (halves[0] - halves[1]).abs() / brighter;
    let ok = imbalance <= max;
    result(
        "illumination_uniformity",
        title,
        pass_if(ok),
        Some(format!("{:.0} %", imbalance * 100.0)),
        allowed,
        if ok {
            Text::new("面部左右光照均匀。", "the light is even across the face")
        } else {
            Text::new("半边脸偏暗（阴阳脸）。", "one half of the face is darker")
        },
        Some(Text::new(
            "请在两侧各放一盏灯，与脸部成 45°。",
            "light the face from both sides, one lamp at 45° on each",
        )),
    )
}

/// Hot spots: skin of the cheeks, forehead and nose brighter than its
/// median by more than 75 % of the headroom above it. Judging against the
/// skin's own median holds for dark and light skin alike.
pub fn hot_spots(image: &RgbImage, a: &Analysis, p: &Profile) -> RuleResult {
    let title = Text::new("无高光斑", "No hot spots");
    let max = p.lighting.max_hot_spot_pct;
    let allowed = Text::new(
        format!("高光斑 ≤ {max:.1} %"),
        format!("hot spots ≤ {max:.1} %"),
    );
    let Some(mesh) = a.usable_mesh().filter(|_| a.face().is_some()) else {
        return not_measured("hot_spots", title, allowed, no_single_face());
    };
    let mut values: Vec<f32> = regions::skin_patches(mesh)
        .iter()
        .flat_map(|r| measure::lumas(image, r))
        .collect();
    if values.is_empty() {
        return not_measured("hot_spots", title, allowed, no_single_face());
    }
    values.sort_by(f32::total_cmp);
    let median = values[values.len() / 2];
    let threshold = median + 0.75 * (255.0 - median);
    let share =
        100.0 * values.iter().filter(|&&l| l >= threshold).count() as f32 / values.len() as f32;
    let ok = share <= max;
    result(
        "hot_spots",
        title,
        pass_if(ok),
        Some(format!("{share:.1} %")),
        allowed,
        if ok {
            Text::new("皮肤上没有高光斑。", "the skin has no hot spots")
        } else {
            Text::new("皮肤上有反光高光斑。", "the skin shows shiny hot spots")
        },
        Some(Text::new(
            "请使用柔光、避免直射闪光，必要时吸去面部油光。",
            "use diffused light instead of direct flash, and blot shiny skin",
        )),
    )
}

pub fn grey_levels(image: &RgbImage, a: &Analysis, p: &Profile) -> RuleResult {
    let title = Text::new("灰度层次", "Grey levels");
    let min = p.exposure.min_grey_levels;
    let allowed = Text::new(
        format!("脸部 ≥ {min} 级灰度"),
        format!("≥ {min} grey levels in the face"),
    );
    let Some(region) = a.face_region() else {
        return not_measured("grey_levels", title, allowed, no_single_face());
    };
    let mut seen = [false; 256];
    for l in measure::lumas(image, &region) {
        seen[l.round().clamp(0.0, 255.0) as usize] = true;
    }
    let levels = seen.iter().filter(|&&s| s).count() as u32;
    let ok = levels >= min;
    result(
        "grey_levels",
        title,
        pass_if(ok),
        Some(format!("{levels}")),
        allowed,
        if ok {
            Text::new("脸部层次丰富。", "the face has enough tonal range")
        } else {
            Text::new(
                "脸部灰度层次不足（偏灰、过平或过度压缩）。",
                "the face has too few grey levels (washed out, flat or posterised)",
            )
        },
        Some(Text::new(
            "请调整曝光和灯光，使脸部明暗层次自然。",
            "adjust the exposure and lamps so the face shows its full range of tones",
        )),
    )
}

pub fn natural_colour(image: &RgbImage, a: &Analysis, p: &Profile) -> RuleResult {
    let title = Text::new("色彩自然", "Natural colour");
    let (ra, rb) = (p.colour.skin_a, p.colour.skin_b);
    let allowed = Text::new(
        format!(
            "肤色 a* {:.0}…{:.0}，b* {:.0}…{:.0}",
            ra.min, ra.max, rb.min, rb.max
        ),
        format!(
            "skin a* {:.0}…{:.0}, b* {:.0}…{:.0}",
            ra.min, ra.max, rb.min, rb.max
        ),
    );
    let Some(skin) = face_skin_colour(image, a) else {
        return not_measured("natural_colour", title, allowed, no_single_face());
    };
    let [_, sa, sb] = lab(skin);
    let ok = ra.contains(sa) && rb.contains(sb);
    result(
        "natural_colour",
        title,
        pass_if(ok),
        Some(format!("a* {sa:.0}, b* {sb:.0}")),
        allowed,
        if ok {
            Text::new(
                "肤色和白平衡自然。",
                "the skin colour and white balance look natural",
            )
        } else {
            Text::new(
                "肤色偏色（白平衡不正确）。",
                "the skin has a colour cast (wrong white balance)",
            )
        },
        Some(Text::new(
            "请将相机白平衡设为日光（5500 K），使用同一色温的灯。",
            "set the camera's white balance to daylight (5500 K) and use lamps of that colour",
        )),
    )
}

pub fn compression(image: &RgbImage, a: &Analysis, p: &Profile) -> RuleResult {
    let title = Text::new("无压缩失真", "No compression artefacts");
    let max = p.sharpness.max_blockiness;
    let allowed = Text::new(
        format!("块效应 ≤ {max:.2}"),
        format!("blockiness ≤ {max:.2}"),
    );
    let Some(region) = a.face_region() else {
        return not_measured("compression_artefacts", title, allowed, no_single_face());
    };
    let value = measure::blockiness(image, &region);
    let ok = value <= max;
    result(
        "compression_artefacts",
        title,
        pass_if(ok),
        Some(format!("{value:.2}")),
        allowed,
        if ok {
            Text::new(
                "没有可见的压缩块效应。",
                "no compression blocks are visible",
            )
        } else {
            Text::new(
                "画面有明显的压缩块效应。",
                "JPEG compression blocks are visible",
            )
        },
        Some(Text::new(
            "请提高相机的图像质量设置。",
            "raise the camera's image quality setting",
        )),
    )
}

fn background_colour_of(image: &RgbImage, a: &Analysis, p: &Profile) -> Option<[f32; 3]> {
    let (mask, crop) = (a.mask.as_ref()?, a.crop_or_nearest(p)?);
    let (colour, n) = mean_colour(image, &crop.rect, |x, y| mask.at(x, y) < BACKGROUND_BELOW)?;
    let area = crop.rect.area().max(1.0);
    (n as f32 / area >= 0.05).then_some(colour)
}

pub fn background_colour(image: &RgbImage, a: &Analysis, p: &Profile) -> RuleResult {
    let title = Text::new("背景颜色", "Background colour");
    let b = &p.background;
    let names: Vec<String> = b.colours.iter().map(|c| format!("{c:?}")).collect();
    let allowed = Text::new(
        format!(
            "与 {} 之一相差 ΔE ≤ {:.0}",
            names.join(" "),
            b.max_colour_delta_e
        ),
        format!(
            "within ΔE {:.0} of one of {}",
            b.max_colour_delta_e,
            names.join(" ")
        ),
    );
    let Some(colour) = background_colour_of(image, a, p) else {
        return not_measured("background_colour", title, allowed, no_single_face());
    };
    let nearest = b
        .colours
        .iter()
        .map(|c| delta_e(colour, c.map(f32::from)))
        .fold(f32::INFINITY, f32::min);
    let ok = nearest <= b.max_colour_delta_e;
    let shown = colour.map(|c| c.round() as u8);
    result(
        "background_colour",
        title,
        pass_if(ok),
        Some(format!("{shown:?}, ΔE {nearest:.0}")),
        allowed,
        if ok {
            Text::new("背景颜色符合要求。", "the background is an allowed colour")
        } else {
            Text::new(
                format!("背景颜色 {shown:?} 不是本方案允许的颜色。"),
                format!("the background colour {shown:?} is not one this profile allows"),
            )
        },
        Some(Text::new(
            "请换用本方案规定颜色的背景布，并均匀照亮。",
            "use a backdrop of the profile's colour and light it evenly",
        )),
    )
}

/// Darkening of the background beside the head compared with the
/// background further out, on the rows from the crown to the chin.
fn shadow_beside_head(image: &RgbImage, a: &Analysis, p: &Profile) -> Option<f32> {
    let (mask, crop, mesh) = (a.mask.as_ref()?, a.crop_or_nearest(p)?, a.usable_mesh()?);
    let head = a.head.as_ref()?;
    let reach = mesh.face_width() * 0.25;
    let (x0, _, x1, _) = measure::bounds(&crop.rect, image.width(), image.height());
    let (y0, y1) = (
        head.top.max(0.0) as u32,
        (mesh.chin().y as u32).min(image.height()),
    );
    let (mut near, mut far) = (Vec::new(), Vec::new());
    for y in y0..y1 {
        let person: Vec<u32> = (x0..x1).filter(|&x| mask.at(x, y) >= 0.5).collect();
        let (Some(&left), Some(&right)) = (person.first(), person.last()) else {
            continue;
        };
        for x in x0..x1 {
            if mask.at(x, y) >= BACKGROUND_BELOW {
                continue;
            }
            let gap = if x < left {
                left - x
            } else if x > right {
                x - right
            } else {
                continue;
            };
            let l = luma(image.get_pixel(x, y));
            if (gap as f32) <= reach {
                near.push(l);
            } else if (gap as f32) > 2.0 * reach {
                far.push(l);
            }
        }
    }
    if near.len() < 50 || far.len() < 50 {
        return None;
    }
    Some((1.0 - mean(&near) / mean(&far).max(1.0)).max(0.0))
}

pub fn background_shadow(image: &RgbImage, a: &Analysis, p: &Profile) -> RuleResult {
    let title = Text::new("背景无阴影", "No shadow behind the head");
    let max = p.lighting.max_background_shadow;
    let allowed = Text::new(
        format!("头部旁背景变暗 ≤ {:.0} %", max * 100.0),
        format!(
            "background beside the head darker by ≤ {:.0} %",
            max * 100.0
        ),
    );
    if a.face().is_none() {
        return not_measured("background_shadow", title, allowed, no_single_face());
    }
    let Some(shadow) = shadow_beside_head(image, a, p) else {
        return not_measured(
            "background_shadow",
            title,
            allowed,
            Text::new(
                "头部两侧可见背景太少，无法测量。",
                "not measured: too little background shows beside the head",
            ),
        );
    };
    let ok = shadow <= max;
    result(
        "background_shadow",
        title,
        pass_if(ok),
        Some(format!("{:.0} %", shadow * 100.0)),
        allowed,
        if ok {
            Text::new("头后没有阴影。", "there is no shadow behind the head")
        } else {
            Text::new(
                "头部后方背景有阴影。",
                "a shadow falls on the background behind the head",
            )
        },
        Some(Text::new(
            "请离背景远一点，或照亮背景。",
            "stand further from the backdrop, or light the backdrop",
        )),
    )
}

pub fn clothing(image: &RgbImage, a: &Analysis, p: &Profile) -> RuleResult {
    let title = Text::new("服装", "Clothing");
    let c = &p.clothing;
    let allowed = Text::new(
        format!("与背景 ΔE ≥ {:.0}，非禁用颜色", c.min_background_delta_e),
        format!(
            "ΔE ≥ {:.0} from the background, no banned colour",
            c.min_background_delta_e
        ),
    );
    let (Some(mesh), Some(mask), Some(crop)) = (
        a.usable_mesh().filter(|_| a.face().is_some()),
        a.mask.as_ref(),
        a.crop_or_nearest(p),
    ) else {
        return not_measured("clothing", title, allowed, no_single_face());
    };

    let area = regions::clothes(mesh, crop.rect.bottom());
    let clothes = mean_colour(image, &area, |x, y| mask.at(x, y) >= 0.5)
        .filter(|(_, n)| *n as f32 >= 0.1 * area.area());
    let (Some((clothes, _)), Some(background)) = (clothes, background_colour_of(image, a, p))
    else {
        return not_measured(
            "clothing",
            title,
            allowed,
            Text::new(
                "照片中看不到服装。",
                "not measured: the clothes do not show in the photo",
            ),
        );
    };

    let contrast = delta_e(clothes, background);
    let banned = c
        .banned_colours
        .iter()
        .find(|b| delta_e(clothes, b.map(f32::from)) <= c.banned_delta_e);
    let shown = clothes.map(|v| v.round() as u8);
    let (ok, reason) = match banned {
        Some(b) => (
            false,
            Text::new(
                format!("服装颜色 {shown:?} 接近禁用颜色 {b:?}。"),
                format!("the clothes' colour {shown:?} is close to the banned colour {b:?}"),
            ),
        ),
        None if contrast < c.min_background_delta_e => (
            false,
            Text::new(
                "服装颜色与背景太接近。",
                "the clothes are too close to the background's colour",
            ),
        ),
        None => (
            true,
            Text::new(
                "服装与背景有反差。",
                "the clothes contrast with the background",
            ),
        ),
    };
    result(
        "clothing",
        title,
        pass_if(ok),
        Some(format!("{shown:?}, ΔE {contrast:.0}")),
        allowed,
        reason,
        Some(Text::new(
            "请换一件与背景颜色反差明显的上衣。",
            "wear a top whose colour contrasts with the backdrop",
        )),
    )
}

/// Checks the rendered output file: pixel size, 24-bit colour, density,
/// quality and the file-size window.
pub fn output_photo(a: &Analysis, p: &Profile) -> RuleResult {
    let title = Text::new("成品照片文件", "Output photo file");
    let o = &p.output;
    let allowed = Text::new(
        format!(
            "{}x{} JPEG，24 位，{} dpi，质量 ≥ {}，{:.0}-{:.0} KB",
            o.width, o.height, o.dpi, o.min_jpeg_quality, o.size_kb.min, o.size_kb.max
        ),
        format!(
            "{}x{} JPEG, 24-bit, {} dpi, quality ≥ {}, {:.0}-{:.0} KB",
            o.width, o.height, o.dpi, o.min_jpeg_quality, o.size_kb.min, o.size_kb.max
        ),
    );
    let Some(rendered) = a.rendered.as_ref() else {
        return not_measured(
            "output_photo",
            title,
            allowed,
            Text::new(
                "没有可用的裁剪，未生成成品照片。",
                "not measured: without a crop no output photo is rendered",
            ),
        );
    };
    let kb = rendered.jpeg.len() as f32 / 1024.0;
    let measured = Some(format!("{kb:.1} KB, quality {}", rendered.quality));
    let problem = match inspect(&rendered.jpeg) {
        Err(reason) => Some(Text::new(format!("成品文件无效：{reason}"), reason)),
        Ok(info) if (info.width, info.height) != (o.width, o.height) => Some(Text::same(format!(
            "{}x{} ≠ {}x{}",
            info.width, info.height, o.width, o.height
        ))),
        Ok(info) if info.components != 3 || info.precision != 8 => Some(Text::new(
            "成品不是 24 位彩色。",
            "the output is not 24-bit colour",
        )),
        Ok(info) if info.dpi != Some(o.dpi) => Some(Text::new(
            format!("文件头分辨率为 {:?}，应为 {} dpi。", info.dpi, o.dpi),
            format!("the header density is {:?}, not {} dpi", info.dpi, o.dpi),
        )),
        Ok(_) if rendered.quality < o.min_jpeg_quality => Some(Text::same(format!(
            "quality {} < {}",
            rendered.quality, o.min_jpeg_quality
        ))),
        Ok(_) if !rendered.fits => {
            let (low, high) = rendered.achievable_kb;
            Some(Text::new(
                format!(
                    "这张照片在质量 {}-100 下只能压缩到 {low:.1}-{high:.1} KB，达不到 {:.0}-{:.0} KB。",
                    o.min_jpeg_quality, o.size_kb.min, o.size_kb.max
                ),
                format!(
                    "at quality {}-100 this photo encodes to {low:.1}-{high:.1} KB, outside the {:.0}-{:.0} KB window",
                    o.min_jpeg_quality, o.size_kb.min, o.size_kb.max
                ),
            ))
        }
        Ok(_) => None,
    };
    let ok = problem.is_none();
    result(
        "output_photo",
        title,
        pass_if(ok),
        measured,
        allowed,
        problem.unwrap_or_else(|| {
            Text::new(
                "成品照片符合文件要求。",
                "the output photo meets the file requirements",
            )
        }),
        Some(Text::new(
            "请检查方案的文件大小范围，或请管理员调整。",
            "check the profile's file-size window with a supervisor",
        )),
    )
}
