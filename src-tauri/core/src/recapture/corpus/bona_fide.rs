//! Bona fide sequences: the person of a real photo, cut out with the
//! person mask, swaying a little in front of the photo's own background,
//! which stays still, under a light that drifts slightly.
//!
//! NOTE: the head moves as a flat cut-out (shifted, turned and scaled in
//! the image plane), not in depth, and the eyes never blink: a still photo
//! holds no other pose to draw them from.

use image::RgbImage;
use image::imageops::{self, FilterType};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::canvas::{Canvas, quantise};
use super::{FRAME_HEIGHT, FRAME_WIDTH, Source};

/// The person and the background of one photo at frame scale, ready to be
/// composited.
pub struct Stage {
    /// The background with the person filled in from around it.
    plate: Canvas,
    person: Canvas,
    /// Person opacity, 0-1, in the first channel.
    alpha: Canvas,
}

impl Stage {
    pub fn new(source: &Source) -> Self {
        let scale = (FRAME_WIDTH as f32 / source.photo.width() as f32)
            .max(FRAME_HEIGHT as f32 / source.photo.height() as f32);
        let (w, h) = (
            (source.photo.width() as f32 * scale).round() as u32,
            (source.photo.height() as f32 * scale).round() as u32,
        );
        let photo = imageops::resize(&source.photo, w, h, FilterType::Lanczos3);
        let mask = imageops::resize(&source.mask, w, h, FilterType::Triangle);
        // Centred across, resting on the bottom edge as a body does.
        let (left, top) = ((w - FRAME_WIDTH) / 2, h - FRAME_HEIGHT);
        let photo = imageops::crop_imm(&photo, left, top, FRAME_WIDTH, FRAME_HEIGHT).to_image();
        let mask = imageops::crop_imm(&mask, left, top, FRAME_WIDTH, FRAME_HEIGHT).to_image();

        let person = Canvas::from_rgb(&photo);
        let alpha = Canvas::from_rgb(&image::DynamicImage::ImageLuma8(mask).to_rgb8()).blurred(1.5);
        let plate = fill_person(&person, &alpha);
        Self {
            plate,
            person,
            alpha,
        }
    }

    /// Composites the person shifted by (dx, dy) pixels, turned by `turn`
    /// degrees and scaled by `zoom` about the frame centre, over the plate.
    pub fn compose(&self, dx: f32, dy: f32, turn: f32, zoom: f32) -> Canvas {
        let mut frame = self.plate.clone();
        let (cx, cy) = (FRAME_WIDTH as f32 / 2.0, FRAME_HEIGHT as f32 * 0.4);
        let (sin, cos) = turn.to_radians().sin_cos();
        for y in 0..frame.height {
            for x in 0..frame.width {
                // Inverse map: frame pixel to the person picture.
                let (px, py) = (x as f32 + 0.5 - cx - dx, y as f32 + 0.5 - cy - dy);
                let (u, v) = (
                    (cos * px + sin * py) / zoom + cx,
                    (-sin * px + cos * py) / zoom + cy,
                );
                let (Some(colour), Some(a)) = (self.person.sample(u, v), self.alpha.sample(u, v))
                else {
                    continue;
                };
                let a = a[0];
                let under = frame.at(x, y);
                frame.set(
                    x,
                    y,
                    std::array::from_fn(|c| under[c] * (1.0 - a) + colour[c] * a),
                );
            }
        }
        frame
    }
}

/// Fills the person's area of the photo with the background around it,
/// blurred (normalised convolution at an eighth of the size), so the
/// person can move over it.
fn fill_person(photo: &Canvas, alpha: &Canvas) -> Canvas {
    const STEP: usize = 8;
    let (w, h) = (photo.width.div_ceil(STEP), photo.height.div_ceil(STEP));
    let mut weighted = Canvas::filled(w, h, [0.0; 3]);
    let mut weights = Canvas::filled(w, h, [0.0; 3]);
    let keep_at = |i: usize| (1.0 - alpha.data[i][0] * 1.5).clamp(0.0, 1.0);
    for y in 0..photo.height {
        for x in 0..photo.width {
            let i = y * photo.width + x;
            let keep = keep_at(i);
            let j = (y / STEP) * w + x / STEP;
            for c in 0..3 {
                weighted.data[j][c] += photo.data[i][c] * keep;
                weights.data[j][c] += keep;
            }
        }
    }
    let (spread, weight) = (weighted.blurred(3.0), weights.blurred(3.0));
    let mut plate = photo.clone();
    for y in 0..photo.height {
        for x in 0..photo.width {
            let i = y * photo.width + x;
            let keep = keep_at(i);
            let (u, v) = (
                (x as f32 + 0.5) / STEP as f32,
                (y as f32 + 0.5) / STEP as f32,
            );
            let sum = spread.sample(u, v).unwrap_or(spread.at(x / STEP, y / STEP));
            let total = weight.sample(u, v).unwrap_or(weight.at(x / STEP, y / STEP));
            let fill = sum.map(|c| c / total[0].max(1e-3));
            let p = plate.data[i];
            plate.data[i] = std::array::from_fn(|c| p[c] * keep + fill[c] * (1.0 - keep));
        }
    }
    plate
}

/// Renders `count` frames of a person swaying by up to `sway` pixels
/// between frames, with the light drifting by up to 3 % and camera noise.
pub fn sequence(
    stage: &Stage,
    rng: &mut ChaCha8Rng,
    count: usize,
    sway: f32,
    jpeg_quality: Option<u8>,
) -> Vec<RgbImage> {
    let noise = rng.random_range(0.004..0.012);
    let (mut dx, mut dy, mut turn) = (0f32, 0f32, 0f32);
    let mut gain = 1.0f32;
    let tint: [f32; 3] = [
        rng.random_range(0.98..1.02),
        1.0,
        rng.random_range(0.98..1.02),
    ];
    (0..count)
        .map(|_| {
            dx += rng.random_range(-sway..=sway);
            dy += rng.random_range(-sway..=sway) * 0.6;
            turn += rng.random_range(-0.4..=0.4);
            gain = (gain + rng.random_range(-0.01..=0.01)).clamp(0.97, 1.03);
            let zoom = 1.0 + rng.random_range(-0.004..=0.004);
            let mut frame = stage.compose(dx, dy, turn, zoom);
            frame.map(|p| std::array::from_fn(|c| p[c] * gain * tint[c]));
            frame.add_noise(rng, noise);
            quantise(&frame, jpeg_quality)
        })
        .collect()
}
