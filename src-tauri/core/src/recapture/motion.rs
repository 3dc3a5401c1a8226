//! Cues across the preview frames before a capture: whether the face and
//! the textured background around it move as one rigid plane, as a print
//! or a screen in a hand does, and whether the eyes' opening changes.
//!
//! A person moves the head against a background that stays still, so the
//! affine motion of the face does not carry over to the background. A
//! print or a screen carries its own background, and the corners of the
//! paper or the bezel, along with the face.

use image::RgbImage;

use super::{Cue, CueWeight, RecentFrame, grow, luma};
use crate::text::Text;
use crate::vision::{PersonMask, Rect};

/// Share of the textured background blocks that move with the face at or
/// above which face and background move as one plane.
pub const PLANAR_THRESHOLD: f32 = 0.4;
/// Change of mean eye opening (lid distance over eye width) across the
/// history at or above which the eyes moved.
pub const EYE_CHANGE_THRESHOLD: f32 = 0.05;
/// Side of a matched block, in history pixels.
const BLOCK: i64 = 12;
/// Largest displacement searched, in history pixels.
const SEARCH: i64 = 6;
/// Smallest face motion between two frames that can be judged, in history
/// pixels (about 1.2 camera pixels at 960 px).
const MIN_FACE_MOTION: f32 = 0.4;
/// Fewest textured background blocks for a measurement.
const MIN_BACKGROUND_BLOCKS: usize = 4;
/// Smallest eigenvalue of the gradient structure tensor, per pixel, for a
/// block textured in both directions (an edge alone cannot be tracked
/// along itself).
const MIN_TEXTURE: f32 = 6.0;
const MIN_FRAMES: usize = 3;

/// One block's displacement from one frame to the next.
#[derive(Debug, Clone, Copy)]
struct Vector {
    x: f32,
    y: f32,
    dx: f32,
    dy: f32,
    face: bool,
}

/// Luma of a frame as a flat array.
struct Luma {
    values: Vec<f32>,
    width: i64,
    height: i64,
}

impl Luma {
    fn new(image: &RgbImage) -> Self {
        Self {
            values: image.pixels().map(luma).collect(),
            width: image.width() as i64,
            height: image.height() as i64,
        }
    }

    fn at(&self, x: i64, y: i64) -> f32 {
        self.values[(y * self.width + x) as usize]
    }
}

fn planar_title() -> Text {
    Text::new("整体平面运动", "Rigid planar motion")
}

pub fn planar_cue(
    history: &[RecentFrame],
    face: Option<Rect>,
    mask: Option<&PersonMask>,
    frame_size: (u32, u32),
) -> Cue {
    let (name, weight, t) = ("planar_motion", CueWeight::Strong, PLANAR_THRESHOLD);
    if history.len() < MIN_FRAMES {
        return Cue::unmeasured(
            name,
            planar_title(),
            weight,
            t,
            "fewer than 3 preview frames",
        );
    }
    let (Some(face), Some(mask)) = (face, mask) else {
        return Cue::unmeasured(name, planar_title(), weight, t, "no single face");
    };
    match planar_share(history, &face, mask, frame_size) {
        Ok(share) => Cue::above(name, planar_title(), weight, share, t),
        Err(why) => Cue::unmeasured(name, planar_title(), weight, t, why),
    }
}

/// Returns the share of textured background blocks, over the pairs of
/// consecutive frames where the face moved, whose motion matches the
/// face's affine motion extended to them.
pub(super) fn planar_share(
    history: &[RecentFrame],
    face: &Rect,
    mask: &PersonMask,
    frame_size: (u32, u32),
) -> Result<f32, &'static str> {
    let (mut moving, mut total) = (0usize, 0usize);
    let mut why = "the face did not move";
    for pair in history.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if a.image.dimensions() != b.image.dimensions() {
            continue;
        }
        let vectors = block_vectors(a, b, face, mask, frame_size);
        let (faces, background): (Vec<Vector>, Vec<Vector>) = vectors.iter().partition(|v| v.face);
        if faces.len() < 6 || background.len() < MIN_BACKGROUND_BLOCKS {
            why = "too little texture in the background";
            continue;
        }
        let motion = median(faces.iter().map(|v| v.dx).collect())
            .hypot(median(faces.iter().map(|v| v.dy).collect()));
        let Some(model) = fit_affine(&faces) else {
            continue;
        };
        if motion < MIN_FACE_MOTION {
            continue;
        }
        // A block moves with the face when it lands where the face's
        // motion would carry it, within a share of that motion.
        let tolerance = 0.4 * motion + 0.3;
        total += background.len();
        moving += background
            .iter()
            .filter(|v| {
                let (px, py) = model.predict(v.x, v.y);
                (v.dx - px).hypot(v.dy - py) <= tolerance && v.dx.hypot(v.dy) >= 0.5 * motion
            })
            .count();
    }
    if total == 0 {
        return Err(why);
    }
    Ok(moving as f32 / total as f32)
}

/// Matches the textured blocks of the face and of the background around it
/// from frame `a` to frame `b`.
fn block_vectors(
    a: &RecentFrame,
    b: &RecentFrame,
    face: &Rect,
    mask: &PersonMask,
    frame_size: (u32, u32),
) -> Vec<Vector> {
    let (la, lb) = (Luma::new(&a.image), Luma::new(&b.image));
    let s = a.scale;
    let area = grow(face, 3.0, frame_size.0, frame_size.1);
    let face_box = grow(face, 0.8, frame_size.0, frame_size.1);
    let x_end = ((area.right() * s) as i64).min(la.width - SEARCH - 1) - BLOCK;
    let y_end = ((area.bottom() * s) as i64).min(la.height - SEARCH - 1) - BLOCK;
    let mut vectors = Vec::new();
    let mut y = ((area.y * s) as i64).max(SEARCH + 1);
    while y <= y_end {
        let mut x = ((area.x * s) as i64).max(SEARCH + 1);
        while x <= x_end {
            let (cx, cy) = ((x + BLOCK / 2) as f32 / s, (y + BLOCK / 2) as f32 / s);
            let in_face = cx > face_box.x
                && cx < face_box.right()
                && cy > face_box.y
                && cy < face_box.bottom();
            let background = clear_of_person(mask, cx, cy, 1.5 * BLOCK as f32 / s, frame_size);
            if (in_face || background)
                && textured(&la, x, y)
                && let Some((dx, dy)) = match_block(&la, &lb, x, y)
            {
                vectors.push(Vector {
                    x: cx * s,
                    y: cy * s,
                    dx,
                    dy,
                    face: in_face,
                });
            }
            x += BLOCK;
        }
        y += BLOCK;
    }
    vectors
}

/// True when the person mask is under 0.1 all over the square of half-side
/// `reach` frame pixels around (x, y): a block on the person's outline, or
/// next to it, would move with the person.
fn clear_of_person(mask: &PersonMask, x: f32, y: f32, reach: f32, frame_size: (u32, u32)) -> bool {
    let steps = [-1.0, -0.5, 0.0, 0.5, 1.0];
    steps.iter().all(|&sy| {
        steps.iter().all(|&sx| {
            let px = (x + sx * reach).clamp(0.0, frame_size.0 as f32 - 1.0);
            let py = (y + sy * reach).clamp(0.0, frame_size.1 as f32 - 1.0);
            mask.at(px as u32, py as u32) < 0.1
        })
    })
}

/// True when the block's smallest structure-tensor eigenvalue per pixel
/// reaches `MIN_TEXTURE`.
fn textured(l: &Luma, x0: i64, y0: i64) -> bool {
    let (mut sxx, mut syy, mut sxy) = (0f32, 0f32, 0f32);
    for y in y0..y0 + BLOCK {
        for x in x0..x0 + BLOCK {
            let gx = (l.at(x + 1, y) - l.at(x - 1, y)) / 2.0;
            let gy = (l.at(x, y + 1) - l.at(x, y - 1)) / 2.0;
            sxx += gx * gx;
            syy += gy * gy;
            sxy += gx * gy;
        }
    }
    let half_trace = (sxx + syy) / 2.0;
    let smallest = half_trace - (((sxx - syy) / 2.0).powi(2) + sxy * sxy).sqrt();
    smallest / (BLOCK * BLOCK) as f32 >= MIN_TEXTURE
}

/// Finds the block's displacement by the least sum of squared differences
/// over ±6 pixels, refined to a fraction of a pixel by a parabola through
/// the best cost and its neighbours. `None` when the best lies on the edge
/// of the search, where the true motion may be larger.
fn match_block(a: &Luma, b: &Luma, x0: i64, y0: i64) -> Option<(f32, f32)> {
    let size = (2 * SEARCH + 1) as usize;
    let mut costs = vec![f32::INFINITY; size * size];
    let mut best = (0, 0, f32::INFINITY);
    for dy in -SEARCH..=SEARCH {
        for dx in -SEARCH..=SEARCH {
            if x0 + dx < 0 || y0 + dy < 0 || x0 + dx + BLOCK > b.width || y0 + dy + BLOCK > b.height
            {
                continue;
            }
            let mut cost = 0.0;
            for y in y0..y0 + BLOCK {
                for x in x0..x0 + BLOCK {
                    let d = a.at(x, y) - b.at(x + dx, y + dy);
                    cost += d * d;
                }
            }
            costs[((dy + SEARCH) as usize) * size + (dx + SEARCH) as usize] = cost;
            if cost < best.2 {
                best = (dx, dy, cost);
            }
        }
    }
    let (bx, by, _) = best;
    if bx.abs() == SEARCH || by.abs() == SEARCH {
        return None;
    }
    let cost = |dx: i64, dy: i64| costs[((dy + SEARCH) as usize) * size + (dx + SEARCH) as usize];
    let refine = |minus: f32, centre: f32, plus: f32| {
        let curvature = minus - 2.0 * centre + plus;
        if curvature <= f32::EPSILON {
            0.0
        } else {
            (0.5 * (minus - plus) / curvature).clamp(-0.5, 0.5)
        }
    };
    let fx = refine(cost(bx - 1, by), cost(bx, by), cost(bx + 1, by));
    let fy = refine(cost(bx, by - 1), cost(bx, by), cost(bx, by + 1));
    Some((bx as f32 + fx, by as f32 + fy))
}

/// An affine motion field: dx = a0 + a1 (x - cx) + a2 (y - cy), and the
/// same with b for dy.
struct Affine {
    a: [f64; 3],
    b: [f64; 3],
    center: (f64, f64),
}

impl Affine {
    fn predict(&self, x: f32, y: f32) -> (f32, f32) {
        let row = [
            1.0,
            f64::from(x) - self.center.0,
            f64::from(y) - self.center.1,
        ];
        let dx: f64 = (0..3).map(|i| self.a[i] * row[i]).sum();
        let dy: f64 = (0..3).map(|i| self.b[i] * row[i]).sum();
        (dx as f32, dy as f32)
    }
}

/// Fits an affine motion to the vectors by least squares; `None` for
/// fewer than 6 vectors or vectors on one line.
fn fit_affine(vectors: &[Vector]) -> Option<Affine> {
    if vectors.len() < 6 {
        return None;
    }
    let n = vectors.len() as f64;
    let cx = vectors.iter().map(|v| f64::from(v.x)).sum::<f64>() / n;
    let cy = vectors.iter().map(|v| f64::from(v.y)).sum::<f64>() / n;
    let mut normal = [[0f64; 3]; 3];
    let (mut rhs_x, mut rhs_y) = ([0f64; 3], [0f64; 3]);
    for v in vectors {
        let row = [1.0, f64::from(v.x) - cx, f64::from(v.y) - cy];
        for i in 0..3 {
            for j in 0..3 {
                normal[i][j] += row[i] * row[j];
            }
            rhs_x[i] += row[i] * f64::from(v.dx);
            rhs_y[i] += row[i] * f64::from(v.dy);
        }
    }
    Some(Affine {
        a: solve3(normal, rhs_x)?,
        b: solve3(normal, rhs_y)?,
        center: (cx, cy),
    })
}

/// Solves a 3x3 linear system by Cramer's rule; `None` when singular.
fn solve3(m: [[f64; 3]; 3], b: [f64; 3]) -> Option<[f64; 3]> {
    let det = |m: &[[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let d = det(&m);
    if d.abs() < 1e-9 {
        return None;
    }
    let mut out = [0f64; 3];
    for (k, value) in out.iter_mut().enumerate() {
        let mut replaced = m;
        for i in 0..3 {
            replaced[i][k] = b[i];
        }
        *value = det(&replaced) / d;
    }
    Some(out)
}

fn median(mut values: Vec<f32>) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    let middle = values.len() / 2;
    *values.select_nth_unstable_by(middle, f32::total_cmp).1
}

pub fn eye_change_cue(history: &[RecentFrame]) -> Cue {
    let title = Text::new("眼睛开合变化", "Change of eye opening");
    let (name, weight) = ("eye_opening_change", CueWeight::Liveness);
    let openings: Vec<f32> = history
        .iter()
        .filter_map(|f| f.eye_openings)
        .map(|(right, left)| (right + left) / 2.0)
        .collect();
    if openings.len() < MIN_FRAMES {
        return Cue::unmeasured(
            name,
            title,
            weight,
            EYE_CHANGE_THRESHOLD,
            "fewer than 3 preview frames with eyes measured",
        );
    }
    let max = openings.iter().copied().fold(f32::MIN, f32::max);
    let min = openings.iter().copied().fold(f32::MAX, f32::min);
    Cue::above(name, title, weight, max - min, EYE_CHANGE_THRESHOLD)
}
