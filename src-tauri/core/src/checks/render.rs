//! Rendering the output photo: the planned crop scaled to the profile's
//! size and encoded as JPEG inside the profile's file-size window.

use image::RgbImage;

use super::crop::Crop;
use super::measure::bounds;
use super::profile::Profile;
use crate::resample::{Filter, Region, encode_jpeg, resize_region};
use crate::{Error, Result};

/// A rendered photo and the JPEG quality it was encoded at.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub jpeg: Vec<u8>,
    pub quality: u8,
    /// True when the file size lies inside the profile's window.
    pub fits: bool,
    /// Sizes in KB at the minimum quality and at quality 100, filled in
    /// when the window is missed, so that the report can give the range.
    pub achievable_kb: (f32, f32),
}

/// Header facts of a JPEG file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JpegInfo {
    pub width: u32,
    pub height: u32,
    pub components: u8,
    /// Bits per sample.
    pub precision: u8,
    /// Density from the JFIF header, when its unit is dots per inch and
    /// both directions agree.
    pub dpi: Option<u16>,
}

/// Reads the frame header (SOFn) and the JFIF density of a JPEG file.
pub fn inspect(jpeg: &[u8]) -> std::result::Result<JpegInfo, String> {
    if !jpeg.starts_with(&[0xff, 0xd8]) {
        return Err("not a JPEG file (no start-of-image marker)".to_owned());
    }
    let mut dpi = None;
    let mut at = 2;
    while at + 4 <= jpeg.len() {
        if jpeg[at] != 0xff {
            return Err(format!("no marker at byte {at}"));
        }
        let marker = jpeg[at + 1];
        let length = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
        let body = jpeg
            .get(at + 4..at + 2 + length)
            .ok_or_else(|| format!("segment at byte {at} runs past the end"))?;
        if marker == 0xe0 && body.starts_with(b"JFIF\0") && body.len() >= 12 && body[7] == 1 {
            let x = u16::from_be_bytes([body[8], body[9]]);
            let y = u16::from_be_bytes([body[10], body[11]]);
            dpi = (x == y).then_some(x);
        }
        // SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC).
        if (0xc0..=0xcf).contains(&marker) && ![0xc4, 0xc8, 0xcc].contains(&marker) {
            if body.len() < 6 {
                return Err("frame header too short".to_owned());
            }
            return Ok(JpegInfo {
                precision: body[0],
                height: u32::from(u16::from_be_bytes([body[1], body[2]])),
                width: u32::from(u16::from_be_bytes([body[3], body[4]])),
                components: body[5],
                dpi,
            });
        }
        at += 2 + length;
    }
    Err("no frame header before the end of the file".to_owned())
}

/// Scales the crop to the output size with Lanczos filtering; no other
/// change is made to the pixels.
pub fn render_pixels(image: &RgbImage, crop: &Crop, profile: &Profile) -> RgbImage {
    let (x0, y0, x1, y1) = bounds(&crop.rect, image.width(), image.height());
    let region = Region {
        x: f64::from(x0),
        y: f64::from(y0),
        width: f64::from(x1 - x0),
        height: f64::from(y1 - y0),
    };
    resize_region(
        image,
        region,
        profile.output.width,
        profile.output.height,
        Filter::Lanczos3,
    )
}

pub fn encode(pixels: &RgbImage, quality: u8, dpi: u16) -> Result<Vec<u8>> {
    encode_jpeg(pixels, quality, Some(dpi))
        .map_err(|e| Error::Invalid(format!("cannot encode the output photo: {e}")))
}

/// Renders the crop and searches the JPEG quality, from the profile's
/// minimum to 100, for the highest one whose file is at most the window's
/// maximum. When no quality lands inside the window, the nearest end is
/// returned with `fits` false and the achievable sizes: the size is
/// reported, not forced.
pub fn render(image: &RgbImage, crop: &Crop, profile: &Profile) -> Result<Rendered> {
    let pixels = render_pixels(image, crop, profile);
    let window = profile.output.size_kb;
    let max_bytes = (window.max * 1024.0) as usize;
    let min_bytes = (window.min * 1024.0).ceil() as usize;
    let dpi = profile.output.dpi;
    let (mut low, mut high) = (profile.output.min_jpeg_quality, 100u8);

    let mut best = Rendered {
        jpeg: encode(&pixels, low, dpi)?,
        quality: low,
        fits: false,
        achievable_kb: (0.0, 0.0),
    };
    let smallest = best.jpeg.len();
    if smallest <= max_bytes {
        // Binary search for the highest quality at or under the maximum size.
        while low < high {
            let mid = low + (high - low).div_ceil(2);
            let jpeg = encode(&pixels, mid, dpi)?;
            if jpeg.len() <= max_bytes {
                best.jpeg = jpeg;
                best.quality = mid;
                low = mid;
            } else {
                high = mid - 1;
            }
        }
    }
    best.fits = (min_bytes..=max_bytes).contains(&best.jpeg.len());
    if !best.fits {
        let largest = if best.quality == 100 {
            best.jpeg.len()
        } else {
            encode(&pixels, 100, dpi)?.len()
        };
        best.achievable_kb = (smallest as f32 / 1024.0, largest as f32 / 1024.0);
    }
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inspect_reads_encoded_header() {
        let pixels = RgbImage::from_pixel(32, 24, image::Rgb([10, 200, 30]));
        let info = inspect(&encode(&pixels, 80, 300).unwrap()).unwrap();
        assert_eq!((info.width, info.height), (32, 24));
        assert_eq!(info.components, 3);
        assert_eq!(info.precision, 8);
        assert_eq!(info.dpi, Some(300));
    }

    #[test]
    fn inspect_rejects_png() {
        let err = inspect(b"\x89PNG\r\n\x1a\n....").unwrap_err();
        assert!(err.contains("not a JPEG"), "{err}");
    }

    #[test]
    fn inspect_rejects_cut_segment() {
        let pixels = RgbImage::from_pixel(32, 24, image::Rgb([10, 200, 30]));
        let jpeg = encode(&pixels, 80, 300).unwrap();
        let err = inspect(&jpeg[..10]).unwrap_err();
        assert!(err.contains("past the end"), "{err}");
    }
}
