//! Checking and converting raw camera buffers (MJPEG, YUYV, NV12) to RGB.
//!
//! Every buffer is checked against its declared size before a pixel is
//! read, so a mislabelled or truncated buffer is an error, never a panic.
//! YUV is converted with the BT.601 limited-range matrix.
//! NOTE: a camera that sends full-range or BT.709 YUV gets slightly wrong
//! colours; the format does not say which it is.

use image::RgbImage;

use crate::{Error, Result};

/// Layout of a raw frame: size in pixels and the bytes per row of each
/// plane (at least the packed width; drivers may pad rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawLayout {
    pub width: u32,
    pub height: u32,
    /// Bytes per row of the packed YUYV plane or of NV12's luma plane.
    pub stride: usize,
    /// Bytes per row of NV12's interleaved chroma plane (unused for YUYV).
    pub chroma_stride: usize,
    /// Offset of NV12's chroma plane from the start of the buffer, which
    /// may exceed `stride * height` when the driver pads the luma plane.
    pub chroma_offset: usize,
}

impl RawLayout {
    /// Describes a YUYV frame without row padding.
    pub fn yuyv(width: u32, height: u32) -> Self {
        let stride = width as usize * 2;
        Self {
            width,
            height,
            stride,
            chroma_stride: 0,
            chroma_offset: 0,
        }
    }

    /// Describes an NV12 frame without row or plane padding.
    pub fn nv12(width: u32, height: u32) -> Self {
        let stride = width as usize;
        Self {
            width,
            height,
            stride,
            chroma_stride: stride,
            chroma_offset: stride * height as usize,
        }
    }
}

fn invalid(format: &str, detail: String) -> Error {
    Error::Camera(format!("invalid {format} frame: {detail}"))
}

/// Checks that an MJPEG frame starts with the JPEG start-of-image marker
/// and ends with the end-of-image marker (after any zero padding).
pub fn check_mjpeg(buffer: &[u8]) -> Result<()> {
    if !buffer.starts_with(&[0xff, 0xd8]) {
        let head: Vec<String> = buffer.iter().take(4).map(|b| format!("{b:02x}")).collect();
        return Err(invalid(
            "MJPEG",
            format!("starts with {} instead of ff d8", head.join(" ")),
        ));
    }
    let end = buffer.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    if !buffer[..end].ends_with(&[0xff, 0xd9]) {
        return Err(invalid(
            "MJPEG",
            format!(
                "{} bytes without the ff d9 end marker (truncated)",
                buffer.len()
            ),
        ));
    }
    Ok(())
}

/// Converts a packed YUYV (YUY2) frame to RGB.
pub fn yuyv_to_rgb(buffer: &[u8], layout: RawLayout) -> Result<RgbImage> {
    let (width, height) = (layout.width as usize, layout.height as usize);
    check_even("YUYV", layout.width)?;
    if layout.stride < width * 2 {
        return Err(invalid(
            "YUYV",
            format!("row stride {} is under 2 x width {width}", layout.stride),
        ));
    }
    let needed = layout.stride * (height.saturating_sub(1)) + width * 2;
    if height == 0 || buffer.len() < needed {
        return Err(invalid(
            "YUYV",
            format!(
                "{} bytes for {width}x{height} with stride {} (needs {needed})",
                buffer.len(),
                layout.stride
            ),
        ));
    }

    let mut rgb = RgbImage::new(layout.width, layout.height);
    for y in 0..height {
        let row = &buffer[y * layout.stride..y * layout.stride + width * 2];
        for (pair, quad) in row.chunks_exact(4).enumerate() {
            let (y0, u, y1, v) = (quad[0], quad[1], quad[2], quad[3]);
            rgb.put_pixel(2 * pair as u32, y as u32, yuv_to_rgb(y0, u, v));
            rgb.put_pixel(2 * pair as u32 + 1, y as u32, yuv_to_rgb(y1, u, v));
        }
    }
    Ok(rgb)
}

/// Converts an NV12 frame (a luma plane, then interleaved U and V at half
/// resolution) to RGB.
pub fn nv12_to_rgb(buffer: &[u8], layout: RawLayout) -> Result<RgbImage> {
    let (width, height) = (layout.width as usize, layout.height as usize);
    check_even("NV12", layout.width)?;
    check_even("NV12", layout.height)?;
    if layout.stride < width || layout.chroma_stride < width {
        return Err(invalid(
            "NV12",
            format!(
                "strides {} and {} must be at least the width {width}",
                layout.stride, layout.chroma_stride
            ),
        ));
    }
    let luma_end = layout.stride * (height.saturating_sub(1)) + width;
    if layout.chroma_offset < luma_end {
        return Err(invalid(
            "NV12",
            format!(
                "chroma offset {} overlaps the luma plane",
                layout.chroma_offset
            ),
        ));
    }
    let needed =
        layout.chroma_offset + layout.chroma_stride * (height / 2).saturating_sub(1) + width;
    if height == 0 || buffer.len() < needed {
        return Err(invalid(
            "NV12",
            format!(
                "{} bytes for {width}x{height} (needs {needed})",
                buffer.len()
            ),
        ));
    }

    let mut rgb = RgbImage::new(layout.width, layout.height);
    for y in 0..height {
        let chroma_row = layout.chroma_offset + (y / 2) * layout.chroma_stride;
        for x in 0..width {
            let luma = buffer[y * layout.stride + x];
            let u = buffer[chroma_row + (x / 2) * 2];
            let v = buffer[chroma_row + (x / 2) * 2 + 1];
            rgb.put_pixel(x as u32, y as u32, yuv_to_rgb(luma, u, v));
        }
    }
    Ok(rgb)
}

fn check_even(format: &str, value: u32) -> Result<()> {
    if value % 2 == 1 || value == 0 {
        return Err(invalid(
            format,
            format!("size {value} must be even and positive"),
        ));
    }
    Ok(())
}

/// BT.601 limited range: Y in 16-235, U and V in 16-240 around 128.
fn yuv_to_rgb(y: u8, u: u8, v: u8) -> image::Rgb<u8> {
    let c = 1.164 * (f32::from(y) - 16.0);
    let d = f32::from(u) - 128.0;
    let e = f32::from(v) - 128.0;
    let clamp = |x: f32| x.round().clamp(0.0, 255.0) as u8;
    image::Rgb([
        clamp(c + 1.596 * e),
        clamp(c - 0.392 * d - 0.813 * e),
        clamp(c + 2.017 * d),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The eight 100 % colour bars as BT.601 limited-range Y, U, V and the
    /// RGB each must give (white, yellow, cyan, green, magenta, red, blue,
    /// black), from the standard's matrix.
    const BARS: [([u8; 3], [u8; 3]); 8] = [
        ([235, 128, 128], [255, 255, 255]),
        ([210, 16, 146], [255, 255, 0]),
        ([170, 166, 16], [0, 255, 255]),
        ([145, 54, 34], [0, 255, 0]),
        ([106, 202, 222], [255, 0, 255]),
        ([81, 90, 240], [255, 0, 0]),
        ([41, 240, 110], [0, 0, 255]),
        ([16, 128, 128], [0, 0, 0]),
    ];

    fn close(actual: image::Rgb<u8>, expected: [u8; 3]) -> bool {
        actual
            .0
            .iter()
            .zip(expected)
            .all(|(&a, e)| (i16::from(a) - i16::from(e)).abs() <= 3)
    }

    /// Builds a 16x2 YUYV frame of the bars, two pixels per bar, with `pad`
    /// bytes after each row.
    fn yuyv_bars(pad: usize) -> (Vec<u8>, RawLayout) {
        let mut buffer = Vec::new();
        for _ in 0..2 {
            for ([y, u, v], _) in BARS {
                buffer.extend_from_slice(&[y, u, y, v]);
            }
            buffer.extend(std::iter::repeat_n(0xaa, pad));
        }
        let layout = RawLayout {
            stride: 32 + pad,
            ..RawLayout::yuyv(16, 2)
        };
        (buffer, layout)
    }

    fn nv12_bars(pad: usize, plane_gap: usize) -> (Vec<u8>, RawLayout) {
        let stride = 16 + pad;
        let mut buffer = Vec::new();
        for _ in 0..2 {
            for ([y, _, _], _) in BARS {
                buffer.extend_from_slice(&[y, y]);
            }
            buffer.extend(std::iter::repeat_n(0x55, pad));
        }
        buffer.extend(std::iter::repeat_n(0x77, plane_gap));
        let chroma_offset = buffer.len();
        for ([_, u, v], _) in BARS {
            buffer.extend_from_slice(&[u, v]);
        }
        buffer.extend(std::iter::repeat_n(0x33, pad));
        let layout = RawLayout {
            width: 16,
            height: 2,
            stride,
            chroma_stride: stride,
            chroma_offset,
        };
        (buffer, layout)
    }

    #[test]
    fn yuyv_bars_convert() {
        let (buffer, layout) = yuyv_bars(0);
        let rgb = yuyv_to_rgb(&buffer, layout).unwrap();
        for (i, (_, expected)) in BARS.iter().enumerate() {
            let pixel = *rgb.get_pixel(2 * i as u32 + 1, 1);
            assert!(
                close(pixel, *expected),
                "bar {i}: {pixel:?} vs {expected:?}"
            );
        }
    }

    #[test]
    fn yuyv_row_padding_is_skipped() {
        let (buffer, layout) = yuyv_bars(8);
        let rgb = yuyv_to_rgb(&buffer, layout).unwrap();
        assert!(close(*rgb.get_pixel(0, 1), BARS[0].1));
    }

    #[test]
    fn nv12_bars_convert_with_padding() {
        let (buffer, layout) = nv12_bars(16, 64);
        let rgb = nv12_to_rgb(&buffer, layout).unwrap();
        for (i, (_, expected)) in BARS.iter().enumerate() {
            let pixel = *rgb.get_pixel(2 * i as u32, 1);
            assert!(
                close(pixel, *expected),
                "bar {i}: {pixel:?} vs {expected:?}"
            );
        }
    }

    #[test]
    fn short_yuyv_is_rejected() {
        let (buffer, layout) = yuyv_bars(0);
        let err = yuyv_to_rgb(&buffer[..buffer.len() - 1], layout).unwrap_err();
        assert!(err.to_string().contains("needs 64"), "{err}");
    }

    #[test]
    fn short_nv12_is_rejected() {
        let (buffer, layout) = nv12_bars(0, 0);
        let err = nv12_to_rgb(&buffer[..buffer.len() - 2], layout).unwrap_err();
        assert!(err.to_string().contains("invalid NV12 frame"), "{err}");
    }

    #[test]
    fn odd_width_is_rejected() {
        let err = yuyv_to_rgb(&[0; 64], RawLayout::yuyv(15, 2)).unwrap_err();
        assert!(err.to_string().contains("even"), "{err}");
    }

    #[test]
    fn mjpeg_markers_are_checked() {
        let jpeg = std::fs::read(crate::assets_dir().join("demo-camera/frame-00.jpg")).unwrap();
        assert!(check_mjpeg(&jpeg).is_ok());
        assert!(check_mjpeg(&jpeg[..jpeg.len() / 2]).is_err());
        assert!(check_mjpeg(&jpeg[2..]).is_err());
    }
}
