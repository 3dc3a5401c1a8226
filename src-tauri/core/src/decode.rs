//! Reading a photo file the way a photo viewer shows it: format from the
//! content, size limits checked before decoding, EXIF orientation applied
//! once, and 8-bit RGB out.
//!
//! Grey, palette, 16-bit and opaque alpha PNGs, and baseline, progressive,
//! grey and CMYK JPEGs all come out as 8-bit RGB. A photo with transparent
//! pixels is rejected, because filling them in would invent background.

use std::io::Cursor;
use std::path::Path;

use image::{ImageDecoder, ImageReader, Limits, RgbImage};

use crate::text::Text;
use crate::{Error, ErrorKind, Result};

/// Maximum side accepted, in pixels.
pub const MAX_SIDE: u32 = 16_384;
/// Maximum decoded buffer accepted, in bytes (about 60 megapixels of RGBA).
pub const MAX_ALLOC: u64 = 256 * 1024 * 1024;

/// Reads and decodes the photo at `path`. Fails with the reason and the
/// fix in both languages, naming the file.
pub fn load_photo(path: &Path) -> Result<RgbImage> {
    let bytes = std::fs::read(path).map_err(|e| {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => Text::new(
                "文件不存在，请检查路径和文件名",
                "there is no such file; check the path and the file name",
            ),
            std::io::ErrorKind::IsADirectory => Text::new(
                "这是一个文件夹，请指定其中的照片文件",
                "it is a folder; name a photo file inside it",
            ),
            std::io::ErrorKind::PermissionDenied => Text::new(
                "当前用户没有读取权限，请检查文件权限",
                "this user may not read it; check the file's permissions",
            ),
            _ => Text::new(
                format!("无法读取（{e}）"),
                format!("it cannot be read ({e})"),
            ),
        };
        unreadable_photo(path, reason)
    })?;
    decode_photo(&bytes).map_err(|reason| unreadable_photo(path, reason))
}

fn unreadable_photo(path: &Path, reason: Text) -> Error {
    Error::explained(
        ErrorKind::InvalidInput,
        format!("无法读取照片 {path:?}：{}", reason.zh),
        format!("cannot read photo {path:?}: {}", reason.en),
    )
}

/// Decodes an encoded photo, returning the reason and the fix in both
/// languages when it cannot.
pub fn decode_photo(bytes: &[u8]) -> std::result::Result<RgbImage, Text> {
    if bytes.is_empty() {
        return Err(Text::new(
            "文件是空的（0 字节），请重新复制或重新拍摄",
            "the file is empty (0 bytes); copy or capture the photo again",
        ));
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| Text::new(format!("无法识别格式（{e}）"), e.to_string()))?;
    if reader.format().is_none() {
        return Err(Text::new(
            "不是 JPEG 或 PNG 图片（文件开头的格式标记无法识别），请把照片存为 JPEG 或 PNG",
            "not a JPEG or PNG image (unknown file signature); save the photo as JPEG or PNG",
        ));
    }
    if reader.format() == Some(image::ImageFormat::Jpeg) && !ends_with_eoi(bytes) {
        // The decoder fills a cut-off JPEG with grey and reports no error,
        // and that grey would pass as an even background.
        return Err(Text::new(
            "JPEG 数据提前结束（文件不完整），请重新复制或重新拍摄",
            "the JPEG data ends early (the file is truncated); copy or capture it again",
        ));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);

    let mut decoder = reader.into_decoder().map_err(describe)?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(Text::new(
            format!("图片没有像素（{width}x{height}）"),
            format!("image has no pixels ({width}x{height})"),
        ));
    }
    let orientation = decoder.orientation().map_err(describe)?;
    let mut image = image::DynamicImage::from_decoder(decoder).map_err(describe)?;
    reject_transparency(&image)?;
    // The decoder reports the orientation and leaves the pixels as stored,
    // so turning them here applies it exactly once.
    image.apply_orientation(orientation);
    Ok(image.to_rgb8())
}

fn reject_transparency(image: &image::DynamicImage) -> std::result::Result<(), Text> {
    if !image.color().has_alpha() {
        return Ok(());
    }
    let transparent = image.to_rgba8().pixels().filter(|p| p[3] < 255).count();
    if transparent == 0 {
        return Ok(());
    }
    Err(Text::new(
        format!("图片有 {transparent} 个透明像素：请使用相机拍出的原图，不要带透明背景"),
        format!(
            "the image has {transparent} transparent pixels: save the camera's original without \
             transparency"
        ),
    ))
}

/// Checks that the JPEG ends with its end-of-image marker (FF D9), allowing
/// for 0x00 or 0xFF padding bytes after it.
fn ends_with_eoi(bytes: &[u8]) -> bool {
    let end = bytes
        .iter()
        .rposition(|&b| b != 0x00 && b != 0xff)
        .map_or(0, |i| i + 1);
    bytes[..end].ends_with(&[0xff, 0xd9])
}

fn describe(e: image::ImageError) -> Text {
    match e {
        image::ImageError::Limits(_) => {
            let mib = MAX_ALLOC / (1024 * 1024);
            Text::new(
                format!(
                    "图片超过本站能解码的大小（{MAX_SIDE}x{MAX_SIDE} 像素、{mib} MiB 像素数据）；\
                     请使用相机拍出的原图，或先缩小到这个范围内"
                ),
                format!(
                    "the image is larger than the station decodes ({MAX_SIDE}x{MAX_SIDE} px, \
                     {mib} MiB of pixels); use the camera's original or scale it down within \
                     that"
                ),
            )
        }
        other => Text::new(
            format!("图片数据损坏，无法解码（{other}）；请重新复制或重新拍摄"),
            format!(
                "the image data is damaged and cannot be decoded ({other}); copy or capture it again"
            ),
        ),
    }
}

/// Scales `image` down so that its longer side is at most `max_side`,
/// returning it unchanged (borrowed) when it already fits, with the scale
/// applied (1.0 or less).
pub fn shrink_to_fit(image: &RgbImage, max_side: u32) -> (std::borrow::Cow<'_, RgbImage>, f32) {
    let scale = (max_side as f32 / image.width().max(image.height()) as f32).min(1.0);
    if scale >= 1.0 {
        return (std::borrow::Cow::Borrowed(image), 1.0);
    }
    let width = ((image.width() as f32 * scale).round() as u32).max(1);
    let height = ((image.height() as f32 * scale).round() as u32).max(1);
    let small = crate::resample::resize(image, width, height, crate::resample::Filter::Bilinear);
    (std::borrow::Cow::Owned(small), scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_reads_jpeg_fixture() {
        let image = load_photo(&crate::assets_dir().join("fixtures/grace_hopper.jpg")).unwrap();
        assert_eq!(image.dimensions(), (512, 600));
    }

    #[test]
    fn decode_rejects_an_empty_file() {
        let err = decode_photo(&[]).unwrap_err().en;
        assert!(err.contains("empty"), "{err}");
    }

    #[test]
    fn decode_rejects_truncated_jpeg() {
        let path = crate::assets_dir().join("demo-camera/frame-00.jpg");
        let bytes = std::fs::read(path).unwrap();
        let err = decode_photo(&bytes[..bytes.len() / 2]).unwrap_err().en;
        assert!(err.contains("truncated"), "{err}");
    }

    #[test]
    fn decode_accepts_padding_after_jpeg_end() {
        let path = crate::assets_dir().join("demo-camera/frame-00.jpg");
        let mut bytes = std::fs::read(path).unwrap();
        bytes.extend_from_slice(&[0, 0, 0, 0]);
        assert!(decode_photo(&bytes).is_ok());
    }

    #[test]
    fn decode_rejects_text() {
        let err = decode_photo(b"hello, this is not a photo").unwrap_err().en;
        assert!(err.contains("unknown file signature"), "{err}");
    }

    #[test]
    fn decode_rejects_huge_dimensions_before_decoding() {
        // A valid PNG header that claims 100000x100000 pixels, with no data.
        let mut png = Vec::new();
        png.extend_from_slice(b"\x89PNG\r\n\x1a\n");
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(b"IHDR");
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        png.extend_from_slice(&13u32.to_be_bytes());
        png.extend_from_slice(&ihdr);
        png.extend_from_slice(&crc32(&ihdr).to_be_bytes());
        let err = decode_photo(&png).unwrap_err().en;
        assert!(err.contains("16384x16384"), "{err}");
    }

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(crate::assets_dir().join("fixtures").join(name)).unwrap()
    }

    fn mean_rgb(image: &RgbImage) -> [f32; 3] {
        let n = (image.width() * image.height()) as f32;
        std::array::from_fn(|c| image.pixels().map(|p| f32::from(p[c])).sum::<f32>() / n)
    }

    fn encode_png(image: &image::DynamicImage) -> Vec<u8> {
        let mut bytes = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
            .unwrap();
        bytes
    }

    fn small_photo() -> RgbImage {
        let photo = load_photo(&crate::assets_dir().join("fixtures/grace_hopper.jpg")).unwrap();
        image::imageops::resize(&photo, 96, 112, image::imageops::FilterType::Triangle)
    }

    #[test]
    fn decode_cmyk_jpeg_matches_rgb() {
        let cmyk = decode_photo(&fixture("decode/cmyk.jpg")).unwrap();
        let rgb = decode_photo(&fixture("decode/progressive.jpg")).unwrap();
        assert_eq!(cmyk.dimensions(), (96, 112));
        let (a, b) = (mean_rgb(&cmyk), mean_rgb(&rgb));
        for c in 0..3 {
            assert!((a[c] - b[c]).abs() < 12.0, "channel {c}: {a:?} vs {b:?}");
        }
    }

    #[test]
    fn decode_progressive_jpeg() {
        let image = decode_photo(&fixture("decode/progressive.jpg")).unwrap();
        assert_eq!(image.dimensions(), (96, 112));
    }

    #[test]
    fn decode_palette_png() {
        let image = decode_photo(&fixture("decode/palette.png")).unwrap();
        let reference = decode_photo(&fixture("decode/progressive.jpg")).unwrap();
        let (a, b) = (mean_rgb(&image), mean_rgb(&reference));
        for c in 0..3 {
            assert!((a[c] - b[c]).abs() < 12.0, "channel {c}: {a:?} vs {b:?}");
        }
    }

    #[test]
    fn decode_16_bit_png_to_8_bit() {
        let photo = small_photo();
        let wide = image::DynamicImage::ImageRgb8(photo.clone()).to_rgb16();
        let bytes = encode_png(&image::DynamicImage::ImageRgb16(wide));
        let decoded = decode_photo(&bytes).unwrap();
        assert_eq!(decoded, photo);
    }

    #[test]
    fn decode_grey_png_to_rgb() {
        let grey = image::DynamicImage::ImageRgb8(small_photo()).to_luma8();
        let bytes = encode_png(&image::DynamicImage::ImageLuma8(grey.clone()));
        let decoded = decode_photo(&bytes).unwrap();
        let p = decoded.get_pixel(40, 40);
        assert_eq!(p.0, [grey.get_pixel(40, 40)[0]; 3]);
    }

    #[test]
    fn decode_accepts_opaque_alpha() {
        let rgba = image::DynamicImage::ImageRgb8(small_photo()).to_rgba8();
        let decoded = decode_photo(&encode_png(&image::DynamicImage::ImageRgba8(rgba)));
        assert_eq!(decoded.unwrap(), small_photo());
    }

    #[test]
    fn decode_rejects_transparent_pixels() {
        let mut rgba = image::DynamicImage::ImageRgb8(small_photo()).to_rgba8();
        rgba.get_pixel_mut(0, 0)[3] = 0;
        let err = decode_photo(&encode_png(&image::DynamicImage::ImageRgba8(rgba)))
            .unwrap_err()
            .en;
        assert!(err.contains("1 transparent pixels"), "{err}");
    }

    /// A JPEG of `image` with an EXIF segment that sets `orientation`.
    fn jpeg_with_orientation(image: &RgbImage, orientation: u16) -> Vec<u8> {
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95)
            .encode_image(image)
            .unwrap();
        // TIFF header (big-endian), one IFD entry: Orientation (0x0112),
        // type SHORT, count 1, value, then no next IFD.
        let mut tiff = b"MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01".to_vec();
        tiff.extend_from_slice(&orientation.to_be_bytes());
        tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        let mut segment = b"Exif\0\0".to_vec();
        segment.extend_from_slice(&tiff);
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xff, 0xe1]);
        out.extend_from_slice(&(segment.len() as u16 + 2).to_be_bytes());
        out.extend_from_slice(&segment);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    #[test]
    fn decode_applies_exif_rotation_once() {
        // A dark left half: after a quarter turn clockwise (orientation 6)
        // the dark half is on top.
        let image = RgbImage::from_fn(64, 48, |x, _| {
            if x < 32 {
                image::Rgb([20, 20, 20])
            } else {
                image::Rgb([230, 230, 230])
            }
        });
        let decoded = decode_photo(&jpeg_with_orientation(&image, 6)).unwrap();
        assert_eq!(decoded.dimensions(), (48, 64));
        assert!(decoded.get_pixel(24, 8)[0] < 60, "top is not dark");
        assert!(decoded.get_pixel(24, 56)[0] > 200, "bottom is not light");
    }

    #[test]
    fn decode_keeps_normal_orientation() {
        let image = RgbImage::from_pixel(64, 48, image::Rgb([100, 100, 100]));
        let decoded = decode_photo(&jpeg_with_orientation(&image, 1)).unwrap();
        assert_eq!(decoded.dimensions(), (64, 48));
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &byte in data {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
}
