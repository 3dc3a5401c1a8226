//! Rendering the output photo: the planned crop scaled to the profile's
//! size and encoded as JPEG inside the profile's file-size window.

use image::RgbImage;
use image::codecs::jpeg::{JpegEncoder, PixelDensity};
use image::imageops::{self, FilterType};

use super::crop::Crop;
use super::measure::bounds;
use super::profile::Profile;
use crate::{Error, Result};

/// A rendered photo and the JPEG quality it was encoded at.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub jpeg: Vec<u8>,
    pub quality: u8,
}

/// Scales the crop to the output size with Lanczos filtering; no other
/// change is made to the pixels.
pub fn render_pixels(image: &RgbImage, crop: &Crop, profile: &Profile) -> RgbImage {
    let (x0, y0, x1, y1) = bounds(&crop.rect, image.width(), image.height());
    let region = imageops::crop_imm(image, x0, y0, x1 - x0, y1 - y0).to_image();
    imageops::resize(
        &region,
        profile.output.width,
        profile.output.height,
        FilterType::Lanczos3,
    )
}

pub fn encode(pixels: &RgbImage, quality: u8, dpi: u16) -> Result<Vec<u8>> {
    let mut jpeg = Vec::new();
    let mut encoder = JpegEncoder::new_with_quality(&mut jpeg, quality);
    encoder.set_pixel_density(PixelDensity::dpi(dpi));
    encoder
        .encode_image(pixels)
        .map_err(|e| Error::Invalid(format!("cannot encode the output photo: {e}")))?;
    Ok(jpeg)
}

/// Renders the crop and searches the JPEG quality, from the profile's
/// minimum to 95, for the highest one whose file fits the size window.
/// When even the minimum quality is too large, or 95 too small, the photo
/// is encoded at that end and returned anyway: the size is reported, not
/// forced.
pub fn render(image: &RgbImage, crop: &Crop, profile: &Profile) -> Result<Rendered> {
    let pixels = render_pixels(image, crop, profile);
    let max_bytes = (profile.output.size_kb.max * 1024.0) as usize;
    let (mut low, mut high) = (
        profile.output.min_jpeg_quality,
        95u8.max(profile.output.min_jpeg_quality),
    );

    let mut best = Rendered {
        jpeg: encode(&pixels, low, profile.output.dpi)?,
        quality: low,
    };
    if best.jpeg.len() > max_bytes {
        return Ok(best);
    }
    // Binary search for the highest quality at or under the maximum size.
    while low < high {
        let mid = low + (high - low).div_ceil(2);
        let jpeg = encode(&pixels, mid, profile.output.dpi)?;
        if jpeg.len() <= max_bytes {
            best = Rendered { jpeg, quality: mid };
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    Ok(best)
}
