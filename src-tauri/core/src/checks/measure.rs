//! Pixel measurements behind the rules: clipping, sharpness, background
//! evenness, CIELAB colour and JPEG blockiness, each over a region.

use image::imageops;
use image::{GrayImage, RgbImage};

use crate::resample::{Filter, Region, resize_region};
use crate::vision::{PersonMask, Rect};

/// Rec. 601 luma of an 8-bit RGB pixel.
pub fn luma(p: &image::Rgb<u8>) -> f32 {
    0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2])
}

/// Clamps `rect` to the image and returns integer bounds (x0, y0, x1, y1).
pub fn bounds(rect: &Rect, width: u32, height: u32) -> (u32, u32, u32, u32) {
    let x0 = rect.x.max(0.0).floor() as u32;
    let y0 = rect.y.max(0.0).floor() as u32;
    let x1 = (rect.right().ceil().max(0.0) as u32).min(width);
    let y1 = (rect.bottom().ceil().max(0.0) as u32).min(height);
    (x0.min(x1), y0.min(y1), x1, y1)
}

/// Shares (0-100 %) of pixels in `rect` whose luma is at least `high` and at
/// most `low`.
pub fn clipped_percent(image: &RgbImage, rect: &Rect, low: f32, high: f32) -> (f32, f32) {
    let (x0, y0, x1, y1) = bounds(rect, image.width(), image.height());
    let (mut bright, mut dark, mut total) = (0u32, 0u32, 0u32);
    for y in y0..y1 {
        for x in x0..x1 {
            let l = luma(image.get_pixel(x, y));
            bright += u32::from(l >= high);
            dark += u32::from(l <= low);
            total += 1;
        }
    }
    if total == 0 {
        return (0.0, 0.0);
    }
    (
        100.0 * bright as f32 / total as f32,
        100.0 * dark as f32 / total as f32,
    )
}

/// Width the face region is scaled to before measuring sharpness, so that
/// the figure does not depend on how large the face is in the frame.
pub const SHARPNESS_WIDTH: u32 = 256;

/// Sharpness of the region `rect`: the variance of the 4-neighbour
/// Laplacian of its luma divided by the variance of the luma itself, times
/// 1000, after scaling the region to 256 px wide. Dividing by the luma
/// variance keeps a dark or low-contrast face from reading as blurred.
pub fn sharpness(image: &RgbImage, rect: &Rect) -> f32 {
    let (x0, y0, x1, y1) = bounds(rect, image.width(), image.height());
    if x1 - x0 < 8 || y1 - y0 < 8 {
        return 0.0;
    }
    let height = ((y1 - y0) as f32 * SHARPNESS_WIDTH as f32 / (x1 - x0) as f32).round() as u32;
    let region = Region {
        x: f64::from(x0),
        y: f64::from(y0),
        width: f64::from(x1 - x0),
        height: f64::from(y1 - y0),
    };
    let gray: GrayImage = imageops::grayscale(&resize_region(
        image,
        region,
        SHARPNESS_WIDTH,
        height.max(8),
        Filter::Bilinear,
    ));

    let (w, h) = gray.dimensions();
    let at = |x: u32, y: u32| f32::from(gray.get_pixel(x, y)[0]);
    let mut laplacian = Vec::with_capacity((w * h) as usize);
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            laplacian
                .push(at(x - 1, y) + at(x + 1, y) + at(x, y - 1) + at(x, y + 1) - 4.0 * at(x, y));
        }
    }
    let luma: Vec<f32> = gray.pixels().map(|p| f32::from(p[0])).collect();
    let contrast = variance(&luma);
    if contrast < 1.0 {
        // A flat region has no detail to be sharp or blurred.
        return 0.0;
    }
    1000.0 * variance(&laplacian) / contrast
}

pub fn variance(values: &[f32]) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    let n = values.len() as f64;
    let mean = values.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let var = values
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / n;
    var as f32
}

/// Background statistics inside a region: the luma standard deviation over
/// background pixels, and the range between the brightest and darkest cells
/// of a grid (a gradient or a shadow shows there).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BackgroundStats {
    pub stddev: f32,
    pub cell_range: f32,
    /// Share (0-1) of the region seen as background.
    pub coverage: f32,
}

const GRID: u32 = 5;
/// Mask probability under which a pixel counts as background; well under
/// 0.5 so that hair edges stay out.
const BACKGROUND_BELOW: f32 = 0.1;

pub fn background_stats(image: &RgbImage, mask: &PersonMask, rect: &Rect) -> BackgroundStats {
    let (x0, y0, x1, y1) = bounds(rect, image.width(), image.height());
    let mut all = Vec::new();
    let mut cells = vec![(0f64, 0u32); (GRID * GRID) as usize];
    let (w, h) = ((x1 - x0).max(1), (y1 - y0).max(1));
    for y in y0..y1 {
        for x in x0..x1 {
            if mask.at(x, y) >= BACKGROUND_BELOW {
                continue;
            }
            let l = luma(image.get_pixel(x, y));
            all.push(l);
            let cell = ((y - y0) * GRID / h * GRID + (x - x0) * GRID / w) as usize;
            cells[cell].0 += f64::from(l);
            cells[cell].1 += 1;
        }
    }

    // A cell counts when at least a fifth of it is background.
    let cell_area = (w * h / (GRID * GRID)).max(1);
    let means: Vec<f32> = cells
        .iter()
        .filter(|(_, n)| *n >= cell_area / 5)
        .map(|(sum, n)| (*sum / f64::from(*n)) as f32)
        .collect();
    let cell_range = match (
        means.iter().copied().reduce(f32::max),
        means.iter().copied().reduce(f32::min),
    ) {
        (Some(max), Some(min)) => max - min,
        _ => 0.0,
    };
    BackgroundStats {
        stddev: variance(&all).sqrt(),
        cell_range,
        coverage: all.len() as f32 / (w * h) as f32,
    }
}

/// CIELAB (D65) of an 8-bit sRGB colour given as floats 0-255.
pub fn lab(rgb: [f32; 3]) -> [f32; 3] {
    let linear = rgb.map(|c| {
        let c = c / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    });
    let [r, g, b] = linear;
    let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
    let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
    let f = |t: f32| {
        if t > 0.008_856 {
            t.cbrt()
        } else {
            7.787 * t + 16.0 / 116.0
        }
    };
    let (fx, fy, fz) = (f(x), f(y), f(z));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

/// CIELAB distance (ΔE 1976) between two sRGB colours.
pub fn delta_e(a: [f32; 3], b: [f32; 3]) -> f32 {
    let (a, b) = (lab(a), lab(b));
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

/// Mean colour of the pixels in `rect` that `keep` accepts, with their
/// count; `None` when it accepts none.
pub fn mean_colour(
    image: &RgbImage,
    rect: &Rect,
    mut keep: impl FnMut(u32, u32) -> bool,
) -> Option<([f32; 3], u32)> {
    let (x0, y0, x1, y1) = bounds(rect, image.width(), image.height());
    let mut sum = [0f64; 3];
    let mut count = 0u32;
    for y in y0..y1 {
        for x in x0..x1 {
            if !keep(x, y) {
                continue;
            }
            let p = image.get_pixel(x, y);
            for c in 0..3 {
                sum[c] += f64::from(p[c]);
            }
            count += 1;
        }
    }
    (count > 0).then(|| (sum.map(|s| (s / f64::from(count)) as f32), count))
}

/// Luma values of the pixels in `rect`.
pub fn lumas(image: &RgbImage, rect: &Rect) -> Vec<f32> {
    let (x0, y0, x1, y1) = bounds(rect, image.width(), image.height());
    let mut out = Vec::with_capacity(((x1 - x0) * (y1 - y0)) as usize);
    for y in y0..y1 {
        for x in x0..x1 {
            out.push(luma(image.get_pixel(x, y)));
        }
    }
    out
}

pub fn mean(values: &[f32]) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    values.iter().sum::<f32>() / values.len() as f32
}

/// Blockiness of the luma in `rect`: the mean step between horizontal and
/// vertical neighbours that straddle an 8x8 block edge of the image grid,
/// over the mean step between neighbours inside a block. About 1 without
/// JPEG blocking, higher as blocks show.
pub fn blockiness(image: &RgbImage, rect: &Rect) -> f32 {
    let (x0, y0, x1, y1) = bounds(rect, image.width(), image.height());
    let (mut edge, mut edge_n, mut inner, mut inner_n) = (0f64, 0u32, 0f64, 0u32);
    let at = |x: u32, y: u32| f64::from(luma(image.get_pixel(x, y)));
    for y in y0.max(1)..y1 {
        for x in x0.max(1)..x1 {
            let here = at(x, y);
            let steps = [
                (x % 8 == 0, (here - at(x - 1, y)).abs()),
                (y % 8 == 0, (here - at(x, y - 1)).abs()),
            ];
            for (on_edge, step) in steps {
                if on_edge {
                    edge += step;
                    edge_n += 1;
                } else {
                    inner += step;
                    inner_n += 1;
                }
            }
        }
    }
    if edge_n == 0 || inner_n == 0 {
        return 1.0;
    }
    let inner = inner / f64::from(inner_n);
    if inner < 1e-3 {
        return 1.0;
    }
    ((edge / f64::from(edge_n)) / inner) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lab_of_white_is_100() {
        let [l, a, b] = lab([255.0; 3]);
        assert!((l - 100.0).abs() < 0.1, "{l}");
        assert!(a.abs() < 0.1, "{a}");
        assert!(b.abs() < 0.1, "{b}");
    }

    #[test]
    fn delta_e_of_black_and_white_is_100() {
        let d = delta_e([0.0; 3], [255.0; 3]);
        assert!((d - 100.0).abs() < 0.1, "{d}");
    }

    fn gradient() -> RgbImage {
        RgbImage::from_fn(128, 128, |x, y| {
            let v = ((x * 3 + y * 2) % 256) as u8 / 2 + 40;
            image::Rgb([v, v, v])
        })
    }

    fn jpeg_round_trip(image: &RgbImage, quality: u8) -> RgbImage {
        let jpeg = super::super::render::encode(image, quality, 72).unwrap();
        image::load_from_memory(&jpeg).unwrap().to_rgb8()
    }

    #[test]
    fn blockiness_rises_at_low_quality() {
        let whole = Rect {
            x: 0.0,
            y: 0.0,
            width: 128.0,
            height: 128.0,
        };
        let fine = blockiness(&jpeg_round_trip(&gradient(), 95), &whole);
        let coarse = blockiness(&jpeg_round_trip(&gradient(), 5), &whole);
        assert!(coarse > fine + 0.3, "{coarse} vs {fine}");
    }
}
