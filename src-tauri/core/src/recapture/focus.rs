//! Focus of the face against its surroundings: a camera focused on a
//! person renders the face sharp and the backdrop behind softer, while a
//! print or a screen holds face and background on one plane, both blurred
//! twice, beside the sharp physical edge of the paper or the bezel.

use image::RgbImage;

use super::{Cue, CueWeight, grow, luma};
use crate::checks::measure::variance;
use crate::text::Text;
use crate::vision::{PersonMask, Rect};

/// Face sharpness over surround sharpness at or under which the face is
/// no sharper than what lies around it.
pub const THRESHOLD: f32 = 0.15;
const BLOCK: u32 = 32;
/// Luma standard deviation under which a block has too little detail to
/// judge its focus.
const MIN_DETAIL: f32 = 6.0;
/// Fewest detailed surround blocks for a measurement.
const MIN_BLOCKS: usize = 4;

fn title() -> Text {
    Text::new(
        "脸部与周围清晰度相同",
        "Face no sharper than its surroundings",
    )
}

pub fn cue(image: &RgbImage, face: Option<Rect>, mask: Option<&PersonMask>) -> Cue {
    let (name, weight) = ("focus_contrast", CueWeight::Supporting);
    let (Some(face), Some(mask)) = (face, mask) else {
        return Cue::unmeasured(name, title(), weight, THRESHOLD, "no single face");
    };
    match sharpness_ratio(image, &face, mask) {
        Some(ratio) => Cue::below(name, title(), weight, ratio, THRESHOLD),
        None => Cue::unmeasured(
            name,
            title(),
            weight,
            THRESHOLD,
            "too little detail around the face",
        ),
    }
}

/// Returns the 90th-percentile block sharpness inside the face over that
/// of the detailed background blocks within three face widths, or `None`
/// when fewer than 4 background blocks have detail.
pub(super) fn sharpness_ratio(image: &RgbImage, face: &Rect, mask: &PersonMask) -> Option<f32> {
    let area = grow(face, 3.0, image.width(), image.height());
    let inner = grow(face, 0.7, image.width(), image.height());
    let (mut face_blocks, mut around) = (Vec::new(), Vec::new());
    let mut y = area.y as u32;
    while y + BLOCK <= area.bottom() as u32 {
        let mut x = area.x as u32;
        while x + BLOCK <= area.right() as u32 {
            let (cx, cy) = ((x + BLOCK / 2) as f32, (y + BLOCK / 2) as f32);
            let in_face = cx > inner.x && cx < inner.right() && cy > inner.y && cy < inner.bottom();
            let background = mask.at(x + BLOCK / 2, y + BLOCK / 2) < 0.1;
            if (in_face || background)
                && let Some(s) = block_sharpness(image, x, y)
            {
                if in_face {
                    face_blocks.push(s);
                } else {
                    around.push(s);
                }
            }
            x += BLOCK;
        }
        y += BLOCK;
    }
    if around.len() < MIN_BLOCKS || face_blocks.is_empty() {
        return None;
    }
    let top = |values: &mut Vec<f32>| {
        values.sort_by(f32::total_cmp);
        values[(values.len() * 9 / 10).min(values.len() - 1)]
    };
    let surround = top(&mut around);
    (surround > 0.0).then(|| top(&mut face_blocks) / surround)
}

/// Variance of the Laplacian over the variance of luma in one block, or
/// `None` when the block is too flat to judge.
fn block_sharpness(image: &RgbImage, x0: u32, y0: u32) -> Option<f32> {
    let at = |x: u32, y: u32| luma(image.get_pixel(x0 + x, y0 + y));
    let values: Vec<f32> = (0..BLOCK)
        .flat_map(|y| (0..BLOCK).map(move |x| (x, y)))
        .map(|(x, y)| at(x, y))
        .collect();
    let contrast = variance(&values);
    if contrast.sqrt() < MIN_DETAIL {
        return None;
    }
    let mut laplacian = Vec::with_capacity(((BLOCK - 2) * (BLOCK - 2)) as usize);
    for y in 1..BLOCK - 1 {
        for x in 1..BLOCK - 1 {
            laplacian
                .push(at(x - 1, y) + at(x + 1, y) + at(x, y - 1) + at(x, y + 1) - 4.0 * at(x, y));
        }
    }
    Some(variance(&laplacian) / contrast)
}
