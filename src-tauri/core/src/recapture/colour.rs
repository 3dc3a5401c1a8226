//! Colour gamut of the recaptured face: ink on paper cannot print a black
//! deeper than its own reflection, a screen glows in its blacks, and a
//! screen's backlight tints the skin blue against the room's lamps.

use image::RgbImage;

use super::{Cue, CueWeight, grow, luma};
use crate::checks::measure::bounds;
use crate::text::Text;
use crate::vision::Rect;

/// Luma of the darkest percent of the face and hair at or above which the
/// blacks count as raised.
pub const BLACK_LEVEL_THRESHOLD: f32 = 24.0;
/// Mean skin Cr minus Cb (BT.601, in 8-bit levels) at or under which the
/// skin counts as tinted away from the skin tones.
pub const SKIN_TONE_THRESHOLD: f32 = 6.0;

pub fn black_level_cue(image: &RgbImage, face: Option<Rect>) -> Cue {
    let title = Text::new("黑位偏高（墨色或屏幕发光）", "Raised black level");
    let (name, weight) = ("black_level", CueWeight::Supporting);
    let Some(face) = face else {
        return Cue::unmeasured(name, title, weight, BLACK_LEVEL_THRESHOLD, "no single face");
    };
    // Hair, pupils and nostrils give a live face its deepest shadows.
    let region = grow(&face, 1.6, image.width(), image.height());
    let (black, _) = percentiles(image, &region);
    Cue::above(name, title, weight, black, BLACK_LEVEL_THRESHOLD).with_unit("levels")
}

pub fn skin_tone_cue(image: &RgbImage, face: Option<Rect>) -> Cue {
    let title = Text::new("肤色偏色", "Skin tone cast");
    let (name, weight) = ("skin_tone", CueWeight::Supporting);
    let Some(face) = face else {
        return Cue::unmeasured(name, title, weight, SKIN_TONE_THRESHOLD, "no single face");
    };
    let inner = grow(&face, 0.5, image.width(), image.height());
    match skin_redness(image, &inner) {
        Some(value) => {
            Cue::below(name, title, weight, value, SKIN_TONE_THRESHOLD).with_unit("levels")
        }
        None => Cue::unmeasured(name, title, weight, SKIN_TONE_THRESHOLD, "face clipped"),
    }
}

/// Returns the 1st and 99th percentiles of luma in `region`.
pub(super) fn percentiles(image: &RgbImage, region: &Rect) -> (f32, f32) {
    let (x0, y0, x1, y1) = bounds(region, image.width(), image.height());
    let mut histogram = [0u32; 256];
    for y in y0..y1 {
        for x in x0..x1 {
            histogram[luma(image.get_pixel(x, y)).round().clamp(0.0, 255.0) as usize] += 1;
        }
    }
    let total: u32 = histogram.iter().sum();
    if total == 0 {
        return (0.0, 0.0);
    }
    let percentile = |share: f32| {
        let target = (share * total as f32) as u32;
        let mut seen = 0;
        for (level, &count) in histogram.iter().enumerate() {
            seen += count;
            if seen > target {
                return level as f32;
            }
        }
        255.0
    };
    (percentile(0.01), percentile(0.99))
}

/// Mean Cr minus mean Cb of the unclipped pixels in `region`, or `None`
/// when fewer than half of them are unclipped.
pub(super) fn skin_redness(image: &RgbImage, region: &Rect) -> Option<f32> {
    let (x0, y0, x1, y1) = bounds(region, image.width(), image.height());
    let (mut sum, mut count, mut total) = (0f64, 0u32, 0u32);
    for y in y0..y1 {
        for x in x0..x1 {
            total += 1;
            let p = image.get_pixel(x, y).0.map(f32::from);
            if p.iter().any(|&c| c >= 250.0 || c <= 5.0) {
                continue;
            }
            let cb = -0.1687 * p[0] - 0.3313 * p[1] + 0.5 * p[2];
            let cr = 0.5 * p[0] - 0.4187 * p[1] - 0.0813 * p[2];
            sum += f64::from(cr - cb);
            count += 1;
        }
    }
    (count > 0 && count * 2 >= total).then(|| (sum / f64::from(count)) as f32)
}
