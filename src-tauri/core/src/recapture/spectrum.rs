//! Periodic patterns on the face. A screen's pixel grid, its moiré with the
//! camera's sensor and the halftone dots of a print each show as an
//! isolated peak in the spectrum of the face. Skin and hair instead fall
//! off smoothly with frequency.

use image::RgbImage;
use rustfft::FftPlanner;
use rustfft::num_complex::Complex;

use super::{Cue, CueWeight, luma};
use crate::text::Text;
use crate::vision::Rect;

/// Peak height, in dB over the median power at the same frequency, from
/// which the cue fires.
pub const THRESHOLD: f32 = 20.0;
const LARGEST_PATCH: usize = 256;
const SMALLEST_PATCH: usize = 64;

fn title() -> Text {
    Text::new("屏幕像素或网点纹理", "Screen pixel grid or print halftone")
}

pub fn cue(image: &RgbImage, face: Option<Rect>) -> Cue {
    let (name, weight) = ("spectral_peak", CueWeight::Strong);
    let Some(face) = face else {
        return Cue::unmeasured(name, title(), weight, THRESHOLD, "no single face");
    };
    let Some(patch) = face_patch(image, &face) else {
        return Cue::unmeasured(name, title(), weight, THRESHOLD, "face too small");
    };
    Cue::above(
        name,
        title(),
        weight,
        peak_score(&patch.0, patch.1),
        THRESHOLD,
    )
    .with_unit("dB")
}

/// Cuts the largest square patch of luma, a power of two between 64 and
/// 256 pixels, centred on the face box at full resolution.
fn face_patch(image: &RgbImage, face: &Rect) -> Option<(Vec<f32>, usize)> {
    let fits = (face.width.min(face.height) * 0.8) as usize;
    let side = [256, 128, 64]
        .into_iter()
        .find(|&s| s <= fits.min(LARGEST_PATCH))?;
    if side < SMALLEST_PATCH || image.width() < side as u32 || image.height() < side as u32 {
        return None;
    }
    let center = face.center();
    let x0 = (center.x as i64 - side as i64 / 2).clamp(0, (image.width() as usize - side) as i64);
    let y0 = (center.y as i64 - side as i64 / 2).clamp(0, (image.height() as usize - side) as i64);
    let mut patch = Vec::with_capacity(side * side);
    for y in 0..side {
        for x in 0..side {
            patch.push(luma(
                image.get_pixel(x0 as u32 + x as u32, y0 as u32 + y as u32),
            ));
        }
    }
    Some((patch, side))
}

/// Returns the height in dB of the strongest spectral peak of a square
/// `n`x`n` patch over the median power of its ring of equal frequency.
///
/// Periods longer than n/16 pixels are left out (the face's own shape
/// lives there), and so are the harmonics of an 8-pixel grid, which
/// JPEG compression of the camera's stream leaves on every frame.
pub(super) fn peak_score(patch: &[f32], n: usize) -> f32 {
    let power = power_spectrum(patch, n);

    // Average each bin with its 8 neighbours: a window spreads a true peak
    // over them, and averaging steadies the noise of a single bin.
    let at = |u: usize, v: usize| power[v * n + u];
    let mut smooth = vec![0f32; n * n];
    for v in 0..n {
        for u in 0..n {
            let mut sum = 0.0;
            for dv in [n - 1, 0, 1] {
                for du in [n - 1, 0, 1] {
                    sum += at((u + du) % n, (v + dv) % n);
                }
            }
            smooth[v * n + u] = sum / 9.0;
        }
    }

    let signed = |k: usize| {
        if k > n / 2 {
            k as i64 - n as i64
        } else {
            k as i64
        }
    };
    let radius = |u: usize, v: usize| (signed(u) as f32).hypot(signed(v) as f32);
    let (low, high) = (n / 16, n / 2);
    let mut rings: Vec<Vec<f32>> = vec![Vec::new(); high + 1];
    for v in 0..n {
        for u in 0..n {
            let r = radius(u, v).round() as usize;
            if (low..=high).contains(&r) {
                rings[r].push(smooth[v * n + u]);
            }
        }
    }
    let medians: Vec<f32> = rings.iter_mut().map(|ring| median(ring)).collect();

    // The window spreads a harmonic over one bin either side and the
    // averaging over one more, so two bins either side are left out.
    let grid = (n / 8) as i64;
    let on_grid = |k: usize| {
        let rest = signed(k).rem_euclid(grid);
        rest <= 2 || rest >= grid - 2
    };
    let mut best = 0f32;
    for v in 0..n {
        for u in 0..n {
            let r = radius(u, v).round() as usize;
            if !(low..=high).contains(&r) || (on_grid(u) && on_grid(v)) {
                continue;
            }
            let floor = medians[r].max(f32::MIN_POSITIVE);
            best = best.max(smooth[v * n + u] / floor);
        }
    }
    10.0 * best.max(1.0).log10()
}

/// Power of the 2-D FFT of the patch after removing its mean and applying
/// a Hann window, so the patch's borders add no false frequencies.
fn power_spectrum(patch: &[f32], n: usize) -> Vec<f32> {
    let mean = patch.iter().sum::<f32>() / patch.len() as f32;
    let hann: Vec<f32> = (0..n)
        .map(|i| 0.5 - 0.5 * (std::f32::consts::TAU * i as f32 / n as f32).cos())
        .collect();
    let mut data: Vec<Complex<f32>> = patch
        .iter()
        .enumerate()
        .map(|(i, &v)| Complex::new((v - mean) * hann[i % n] * hann[i / n], 0.0))
        .collect();

    let fft = FftPlanner::new().plan_fft_forward(n);
    for row in data.chunks_exact_mut(n) {
        fft.process(row);
    }
    let mut column = vec![Complex::new(0.0, 0.0); n];
    for u in 0..n {
        for v in 0..n {
            column[v] = data[v * n + u];
        }
        fft.process(&mut column);
        for v in 0..n {
            data[v * n + u] = column[v];
        }
    }
    data.iter().map(|c| c.norm_sqr()).collect()
}

fn median(values: &mut [f32]) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    let middle = values.len() / 2;
    *values.select_nth_unstable_by(middle, f32::total_cmp).1
}
