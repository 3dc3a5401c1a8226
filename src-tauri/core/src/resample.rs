//! Scaling and JPEG encoding on the station's hot paths.
//!
//! Every preview frame is scaled for the face detector, the person mask and
//! the window, and every capture is cropped, scaled and encoded several
//! times while the output photo's quality is searched. The `image` crate's
//! generic resampler and encoder took most of a capture's check time, so
//! these go through SIMD code: fast_image_resize for scaling and
//! jpeg-encoder for JPEG.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::RgbImage;
use jpeg_encoder::{ColorType, Density, Encoder, SamplingFactor};

/// The resampling filter of a scaling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    /// A triangle filter widened to the scale factor: smooth and cheap, for
    /// the models' inputs and the preview.
    Bilinear,
    /// Lanczos with three lobes: sharp, for the output photo.
    Lanczos3,
}

/// A source rectangle in pixels, which may start and end between pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Region {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// Scales the whole of `image` to `width` x `height`.
pub fn resize(image: &RgbImage, width: u32, height: u32, filter: Filter) -> RgbImage {
    let whole = Region {
        x: 0.0,
        y: 0.0,
        width: f64::from(image.width()),
        height: f64::from(image.height()),
    };
    resize_region(image, whole, width, height, filter)
}

/// Scales `region` of `image` to `width` x `height`. The region is clamped
/// to the image; an empty image or an empty target gives an image of the
/// target size filled with black.
pub fn resize_region(
    image: &RgbImage,
    region: Region,
    width: u32,
    height: u32,
    filter: Filter,
) -> RgbImage {
    let (width, height) = (width.max(1), height.max(1));
    let mut out = Image::new(width, height, PixelType::U8x3);
    if image.width() > 0 && image.height() > 0 {
        let region = clamp(region, image.width(), image.height());
        let algorithm = ResizeAlg::Convolution(match filter {
            Filter::Bilinear => FilterType::Bilinear,
            Filter::Lanczos3 => FilterType::Lanczos3,
        });
        let options = ResizeOptions::new().resize_alg(algorithm).crop(
            region.x,
            region.y,
            region.width,
            region.height,
        );
        // An RgbImage always contains width x height x 3 bytes of U8x3 pixels
        // (no alignment beyond a byte), so neither call can fail.
        let source = ImageRef::new(
            image.width(),
            image.height(),
            image.as_raw(),
            PixelType::U8x3,
        )
        .expect("an RgbImage's buffer fits its size");
        Resizer::new()
            .resize(&source, &mut out, &options)
            .expect("source and target are both U8x3 with a region inside the source");
    }
    RgbImage::from_raw(width, height, out.into_vec()).expect("the buffer fits the target size")
}

fn clamp(region: Region, width: u32, height: u32) -> Region {
    let (w, h) = (f64::from(width), f64::from(height));
    let x = region.x.clamp(0.0, w - 1.0);
    let y = region.y.clamp(0.0, h - 1.0);
    Region {
        x,
        y,
        width: region.width.clamp(1.0, w - x),
        height: region.height.clamp(1.0, h - y),
    }
}

/// Encodes `image` as a baseline JPEG at `quality` (1-100) with 4:2:0
/// chroma at every quality, so that the file grows steadily with the
/// quality, and the density in dots per inch when `dpi` is given.
pub fn encode_jpeg(image: &RgbImage, quality: u8, dpi: Option<u16>) -> Result<Vec<u8>, String> {
    let (width, height) = (
        u16::try_from(image.width()).map_err(|_| too_large(image))?,
        u16::try_from(image.height()).map_err(|_| too_large(image))?,
    );
    let mut jpeg = Vec::with_capacity(image.as_raw().len() / 8);
    let mut encoder = Encoder::new(&mut jpeg, quality.clamp(1, 100));
    encoder.set_sampling_factor(SamplingFactor::F_2_2);
    if let Some(dpi) = dpi {
        encoder.set_density(Density::Inch { x: dpi, y: dpi });
    }
    encoder
        .encode(image.as_raw(), width, height, ColorType::Rgb)
        .map_err(|e| e.to_string())?;
    Ok(jpeg)
}

fn too_large(image: &RgbImage) -> String {
    format!(
        "a JPEG holds at most 65535 pixels a side, not {}x{}",
        image.width(),
        image.height()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    fn gradient(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| {
            Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 128])
        })
    }

    #[test]
    fn resize_keeps_a_flat_colour() {
        let flat = RgbImage::from_pixel(64, 48, Rgb([200, 100, 50]));
        for filter in [Filter::Bilinear, Filter::Lanczos3] {
            let small = resize(&flat, 17, 13, filter);
            assert_eq!(small.dimensions(), (17, 13));
            assert!(small.pixels().all(|p| p.0 == [200, 100, 50]), "{filter:?}");
        }
    }

    #[test]
    fn resize_region_takes_the_region_only() {
        // Left half black, right half white: the right half's region is white.
        let image = RgbImage::from_fn(
            100,
            50,
            |x, _| {
                if x < 50 { Rgb([0; 3]) } else { Rgb([255; 3]) }
            },
        );
        let region = Region {
            x: 60.0,
            y: 10.0,
            width: 30.0,
            height: 30.0,
        };
        let out = resize_region(&image, region, 10, 10, Filter::Lanczos3);
        assert!(out.pixels().all(|p| p.0 == [255; 3]));
    }

    #[test]
    fn resize_follows_the_gradient() {
        let small = resize(&gradient(400, 200), 40, 20, Filter::Bilinear);
        let left = small.get_pixel(2, 10)[0];
        let right = small.get_pixel(37, 10)[0];
        assert!(left < 30, "left {left}");
        assert!(right > 225, "right {right}");
    }

    #[test]
    fn region_outside_the_image_is_clamped() {
        let region = Region {
            x: -20.0,
            y: -20.0,
            width: 1000.0,
            height: 1000.0,
        };
        let out = resize_region(&gradient(40, 30), region, 8, 6, Filter::Bilinear);
        assert_eq!(out.dimensions(), (8, 6));
    }

    #[test]
    fn encoded_jpeg_decodes_to_the_same_picture() {
        let image = gradient(96, 64);
        let jpeg = encode_jpeg(&image, 90, Some(300)).unwrap();
        let back = image::load_from_memory(&jpeg).unwrap().to_rgb8();
        assert_eq!(back.dimensions(), (96, 64));
        let worst = image
            .pixels()
            .zip(back.pixels())
            .flat_map(|(a, b)| (0..3).map(move |c| a[c].abs_diff(b[c])))
            .max()
            .unwrap();
        assert!(worst < 24, "largest channel error {worst}");
    }

    #[test]
    fn jpeg_grows_with_quality() {
        let image = gradient(480, 640);
        let sizes: Vec<usize> = [60, 75, 90, 100]
            .iter()
            .map(|&q| encode_jpeg(&image, q, None).unwrap().len())
            .collect();
        assert!(sizes.windows(2).all(|w| w[0] < w[1]), "{sizes:?}");
    }
}
