//! Straight edges around the face: the border of a sheet of paper or the
//! bezel of a phone or tablet runs as a long straight line beside or above
//! the face, where a person before a backdrop shows none.

use image::imageops;
use image::{GrayImage, RgbImage};
use imageproc::edges::canny;
use imageproc::hough::{LineDetectionOptions, PolarLine, detect_lines};

use super::{Cue, CueWeight};
use crate::resample::{Filter, resize};
use crate::text::Text;
use crate::vision::Rect;

/// Sides of the face (left, right, above) with a straight edge from which
/// the cue fires.
pub const THRESHOLD: f32 = 2.0;
/// Width the frame is scaled to before finding edges, in pixels.
const WORK_WIDTH: u32 = 360;
/// Canny hysteresis thresholds on the Sobel gradient of 8-bit luma.
const CANNY_LOW: f32 = 10.0;
const CANNY_HIGH: f32 = 28.0;
/// Share of the stretch beside the face along which a line must be an
/// edge to count as a straight border.
const MIN_SUPPORT: f32 = 0.8;
/// Largest tilt from vertical or horizontal, in degrees.
const MAX_TILT: u32 = 15;

fn title() -> Text {
    Text::new("照片边缘或屏幕边框", "Paper edge or screen bezel")
}

pub fn cue(image: &RgbImage, face: Option<Rect>) -> Cue {
    let (name, weight) = ("straight_border", CueWeight::Strong);
    let Some(face) = face else {
        return Cue::unmeasured(name, title(), weight, THRESHOLD, "no single face");
    };
    let sides = bordered_sides(image, &face);
    Cue::above(name, title(), weight, sides as f32, THRESHOLD).with_unit("sides")
}

/// A side of the face.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Left,
    Right,
    Above,
}

/// Counts the sides of the face (left, right, above) along which a long
/// straight edge runs at a distance of 0.1 to 2.5 face widths.
pub(super) fn bordered_sides(image: &RgbImage, face: &Rect) -> usize {
    let scale = (WORK_WIDTH as f32 / image.width() as f32).min(1.0);
    let (w, h) = (
        (image.width() as f32 * scale).round().max(1.0) as u32,
        (image.height() as f32 * scale).round().max(1.0) as u32,
    );
    let gray = imageops::grayscale(&resize(image, w, h, Filter::Bilinear));
    let edges = canny(&gray, CANNY_LOW, CANNY_HIGH);
    let lines = detect_lines(
        &edges,
        LineDetectionOptions {
            vote_threshold: (w.min(h) as f32 * 0.2) as u32,
            suppression_radius: 6,
        },
    );
    let face = Rect {
        x: face.x * scale,
        y: face.y * scale,
        width: face.width * scale,
        height: face.height * scale,
    };
    let mut found = Vec::new();
    for line in &lines {
        if let Some(side) = border_side(&edges, line, &face)
            && !found.contains(&side)
        {
            found.push(side);
        }
    }
    found.len()
}

/// Returns the side of the face this line borders, when it runs straight
/// and unbroken beside the face.
fn border_side(edges: &GrayImage, line: &PolarLine, face: &Rect) -> Option<Side> {
    let angle = line.angle_in_degrees;
    let (sin, cos) = (angle as f32).to_radians().sin_cos();
    let reach = 2.5 * face.width;
    let gap = 0.1 * face.width;
    if angle <= MAX_TILT || angle >= 180 - MAX_TILT {
        // Near-vertical: x = (r - y sin) / cos.
        let x_at = |y: f32| (line.r - y * sin) / cos;
        let (y0, y1) = (
            face.y - 0.5 * face.height,
            face.bottom() + 0.3 * face.height,
        );
        let x = x_at(face.center().y);
        let side = if x < face.x - gap && x > face.x - reach {
            Side::Left
        } else if x > face.right() + gap && x < face.right() + reach {
            Side::Right
        } else {
            return None;
        };
        let support = support(edges, y0, y1, |y| (x_at(y), y));
        (support >= MIN_SUPPORT).then_some(side)
    } else if (90 - MAX_TILT..=90 + MAX_TILT).contains(&angle) {
        // Near-horizontal: y = (r - x cos) / sin.
        let y_at = |x: f32| (line.r - x * cos) / sin;
        let y = y_at(face.center().x);
        let above = y < face.y - 0.3 * face.height && y > face.y - 2.0 * face.height;
        if !above {
            return None;
        }
        let (x0, x1) = (face.x - 0.3 * face.width, face.right() + 0.3 * face.width);
        let support = support(edges, x0, x1, |x| (x, y_at(x)));
        (support >= MIN_SUPPORT).then_some(Side::Above)
    } else {
        None
    }
}

/// Share of unit steps from `t0` to `t1` at which `point(t)` lies within
/// one pixel of an edge pixel; steps outside the image count as missing.
fn support(edges: &GrayImage, t0: f32, t1: f32, point: impl Fn(f32) -> (f32, f32)) -> f32 {
    let steps = (t1 - t0).max(0.0) as u32;
    if steps < 10 {
        return 0.0;
    }
    let (w, h) = (edges.width() as i64, edges.height() as i64);
    let near_edge = |x: f32, y: f32| {
        let (xi, yi) = (x.round() as i64, y.round() as i64);
        (-1..=1).any(|dy| {
            (-1..=1).any(|dx| {
                let (px, py) = (xi + dx, yi + dy);
                px >= 0
                    && py >= 0
                    && px < w
                    && py < h
                    && edges.get_pixel(px as u32, py as u32)[0] > 0
            })
        })
    };
    let hits = (0..steps)
        .filter(|&i| {
            let (x, y) = point(t0 + i as f32);
            near_edge(x, y)
        })
        .count();
    hits as f32 / steps as f32
}
