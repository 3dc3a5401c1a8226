//! Raw camera buffers and the one function that decodes them to RGB, used
//! for a device's buffers and for recorded buffers alike.

use std::fmt;

use image::RgbImage;

use super::convert::{RawLayout, check_mjpeg, nv12_to_rgb, yuyv_to_rgb};
use crate::text::Text;

/// Pixel format of a raw camera buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixelFormat {
    /// One JPEG image per buffer (Motion JPEG).
    Mjpeg,
    /// Packed 4:2:2 YUV: Y0 U Y1 V for each pair of pixels.
    Yuyv,
    /// A luma plane, then interleaved U and V at half resolution.
    Nv12,
    /// One byte of luma per pixel.
    Gray,
    /// Three bytes per pixel, red first.
    Rgb,
    /// Three bytes per pixel, blue first.
    Bgr,
}

impl PixelFormat {
    /// Returns the format's usual name, as drivers and tools print it.
    pub fn name(self) -> &'static str {
        match self {
            PixelFormat::Mjpeg => "MJPEG",
            PixelFormat::Yuyv => "YUYV",
            PixelFormat::Nv12 => "NV12",
            PixelFormat::Gray => "GRAY",
            PixelFormat::Rgb => "RGB24",
            PixelFormat::Bgr => "BGR24",
        }
    }

    /// Returns the layout of a frame of this format without row or plane
    /// padding. MJPEG's strides are unused and zero.
    pub fn unpadded_layout(self, width: u32, height: u32) -> RawLayout {
        let packed = |bytes_per_pixel: usize| RawLayout {
            width,
            height,
            stride: width as usize * bytes_per_pixel,
            chroma_stride: 0,
            chroma_offset: 0,
        };
        match self {
            PixelFormat::Mjpeg => packed(0),
            PixelFormat::Yuyv => RawLayout::yuyv(width, height),
            PixelFormat::Nv12 => RawLayout::nv12(width, height),
            PixelFormat::Gray => packed(1),
            PixelFormat::Rgb | PixelFormat::Bgr => packed(3),
        }
    }
}

impl fmt::Display for PixelFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One buffer as a camera delivers it, with the layout it claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawBuffer {
    pub format: PixelFormat,
    pub layout: RawLayout,
    pub bytes: Vec<u8>,
}

/// A buffer that cannot be decoded: truncated, padded beyond its layout, or
/// not in the format it claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadBuffer {
    pub format: PixelFormat,
    /// Bytes received.
    pub received: usize,
    /// Bytes the layout calls for, for formats of a fixed size (not MJPEG).
    pub expected: Option<usize>,
    /// The decoder's error message, in English.
    pub reason: String,
}

impl BadBuffer {
    /// Describes the problem in both languages, for the camera's state.
    pub fn text(&self) -> Text {
        let (format, received) = (self.format, self.received);
        match self.expected {
            Some(expected) => Text::new(
                format!("摄像头格式问题：收到 {format} 帧 {received} 字节，应为 {expected} 字节。"),
                format!(
                    "camera format problem: received a {format} frame of {received} bytes, expected {expected} bytes"
                ),
            ),
            None => Text::new(
                format!(
                    "摄像头格式问题：收到 {format} 帧 {received} 字节，不是完整的 JPEG 图像（应以 ff d8 开始、以 ff d9 结束）。"
                ),
                format!(
                    "camera format problem: received a {format} frame of {received} bytes that is not a whole JPEG image (expected ff d8 at the start and ff d9 at the end): {}",
                    self.reason
                ),
            ),
        }
    }
}

impl fmt::Display for BadBuffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.text().en)
    }
}

/// Returns the byte counts a buffer of this layout may have: the smallest
/// (the last row without its padding) and the largest (every row padded).
/// MJPEG has no fixed size and returns `None`.
pub fn expected_len(format: PixelFormat, layout: RawLayout) -> Option<(usize, usize)> {
    let (width, height) = (layout.width as usize, layout.height as usize);
    match format {
        PixelFormat::Mjpeg => None,
        PixelFormat::Yuyv => Some((
            layout.stride * height.saturating_sub(1) + width * 2,
            layout.stride * height,
        )),
        PixelFormat::Nv12 => {
            let chroma_rows = height / 2;
            Some((
                layout.chroma_offset + layout.chroma_stride * chroma_rows.saturating_sub(1) + width,
                layout.chroma_offset + layout.chroma_stride * chroma_rows,
            ))
        }
        PixelFormat::Gray => Some((width * height, width * height)),
        PixelFormat::Rgb | PixelFormat::Bgr => Some((width * height * 3, width * height * 3)),
    }
}

/// Decodes one raw buffer to RGB, checking its size against its layout and
/// the decoded image against the layout's width and height first.
///
/// A buffer longer than its layout allows is rejected too: it is most often
/// another format under the wrong label, such as YUYV sent as NV12.
pub fn decode_buffer(buffer: &RawBuffer) -> Result<RgbImage, BadBuffer> {
    let RawBuffer {
        format,
        layout,
        bytes,
    } = buffer;
    let (format, layout) = (*format, *layout);
    let bad = |expected: Option<usize>, reason: String| BadBuffer {
        format,
        received: bytes.len(),
        expected,
        reason,
    };
    let range = expected_len(format, layout);
    if let Some((min, max)) = range
        && (bytes.len() < min || bytes.len() > max)
    {
        return Err(bad(
            Some(max),
            format!(
                "{} bytes for {}x{}, outside {min} to {max}",
                bytes.len(),
                layout.width,
                layout.height
            ),
        ));
    }
    let expected = range.map(|(_, max)| max);

    let image = match format {
        PixelFormat::Mjpeg => decode_mjpeg(bytes).map_err(|reason| bad(None, reason))?,
        PixelFormat::Yuyv => {
            yuyv_to_rgb(bytes, layout).map_err(|e| bad(expected, e.to_string()))?
        }
        PixelFormat::Nv12 => {
            nv12_to_rgb(bytes, layout).map_err(|e| bad(expected, e.to_string()))?
        }
        PixelFormat::Gray => {
            let rgb: Vec<u8> = bytes.iter().flat_map(|&luma| [luma; 3]).collect();
            packed_rgb(layout, rgb)
        }
        PixelFormat::Rgb => packed_rgb(layout, bytes.clone()),
        PixelFormat::Bgr => {
            let rgb: Vec<u8> = bytes
                .chunks_exact(3)
                .flat_map(|p| [p[2], p[1], p[0]])
                .collect();
            packed_rgb(layout, rgb)
        }
    };
    if image.dimensions() != (layout.width, layout.height) {
        return Err(bad(
            expected,
            format!(
                "decoded to {}x{} instead of {}x{}",
                image.width(),
                image.height(),
                layout.width,
                layout.height
            ),
        ));
    }
    Ok(image)
}

fn decode_mjpeg(bytes: &[u8]) -> Result<RgbImage, String> {
    check_mjpeg(bytes).map_err(|e| e.to_string())?;
    image::load_from_memory_with_format(bytes, image::ImageFormat::Jpeg)
        .map(|decoded| decoded.to_rgb8())
        .map_err(|e| format!("invalid MJPEG frame: {e}"))
}

/// Wraps packed RGB bytes whose length `expected_len` has already checked.
fn packed_rgb(layout: RawLayout, rgb: Vec<u8>) -> RgbImage {
    RgbImage::from_raw(layout.width, layout.height, rgb)
        .unwrap_or_else(|| RgbImage::new(layout.width, layout.height))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buffer(format: PixelFormat, layout: RawLayout, bytes: Vec<u8>) -> RawBuffer {
        RawBuffer {
            format,
            layout,
            bytes,
        }
    }

    #[test]
    fn short_yuyv_reports_sizes() {
        let raw = buffer(PixelFormat::Yuyv, RawLayout::yuyv(4, 2), vec![128; 15]);
        let bad = decode_buffer(&raw).unwrap_err();
        assert_eq!(bad.format, PixelFormat::Yuyv);
        assert_eq!(bad.received, 15);
        assert_eq!(bad.expected, Some(16));
    }

    #[test]
    fn long_nv12_is_rejected() {
        // A YUYV buffer of 4x2 is 16 bytes; NV12 of 4x2 is 12.
        let raw = buffer(PixelFormat::Nv12, RawLayout::nv12(4, 2), vec![128; 16]);
        let bad = decode_buffer(&raw).unwrap_err();
        assert_eq!(bad.received, 16);
        assert_eq!(bad.expected, Some(12));
    }

    #[test]
    fn mjpeg_without_markers_is_rejected() {
        let raw = buffer(
            PixelFormat::Mjpeg,
            PixelFormat::Mjpeg.unpadded_layout(4, 2),
            vec![0x12; 100],
        );
        let bad = decode_buffer(&raw).unwrap_err();
        assert_eq!(bad.expected, None);
        assert!(bad.reason.contains("ff d8"), "{}", bad.reason);
        assert!(bad.text().en.contains("100 bytes"), "{}", bad.text().en);
    }

    #[test]
    fn bad_buffer_text_names_sizes() {
        let raw = buffer(PixelFormat::Yuyv, RawLayout::yuyv(4, 2), vec![128; 10]);
        let text = decode_buffer(&raw).unwrap_err().text();
        assert!(text.en.contains("YUYV"), "{}", text.en);
        assert!(text.en.contains("10 bytes"), "{}", text.en);
        assert!(text.en.contains("expected 16 bytes"), "{}", text.en);
        assert!(text.zh.contains("10 字节"), "{}", text.zh);
        assert!(text.zh.contains("16 字节"), "{}", text.zh);
    }

    #[test]
    fn bgr_is_swapped() {
        let raw = buffer(
            PixelFormat::Bgr,
            PixelFormat::Bgr.unpadded_layout(2, 2),
            [1, 2, 3].repeat(4),
        );
        let image = decode_buffer(&raw).unwrap();
        assert_eq!(image.get_pixel(1, 1).0, [3, 2, 1]);
    }

    #[test]
    fn mjpeg_of_wrong_size_is_rejected() {
        let jpeg = std::fs::read(crate::assets_dir().join("demo-camera/frame-00.jpg")).unwrap();
        let raw = buffer(
            PixelFormat::Mjpeg,
            PixelFormat::Mjpeg.unpadded_layout(640, 480),
            jpeg,
        );
        let bad = decode_buffer(&raw).unwrap_err();
        assert!(bad.reason.contains("instead of 640x480"), "{}", bad.reason);
    }
}
