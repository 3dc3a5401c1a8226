//! Reading a student's code from the camera: the QR code on an admission
//! slip or a phone screen, held up to the camera at the identify step.

use image::RgbImage;

/// Maximum length of a QR code's text taken as a student's code. A
/// collection code or student number is far shorter.
const MAX_CODE_CHARS: usize = 64;

/// Reads the first QR code in `image` that decodes to a plausible code:
/// trimmed, non-empty and at most 64 characters. `None` when there is no
/// such code in view.
pub fn read_qr(image: &RgbImage) -> Option<String> {
    let grey = image::imageops::grayscale(image);
    let mut prepared = rqrr::PreparedImage::prepare(grey);
    prepared.detect_grids().into_iter().find_map(|grid| {
        let (_, content) = grid.decode().ok()?;
        let code = content.trim();
        (!code.is_empty() && code.chars().count() <= MAX_CODE_CHARS).then(|| code.to_owned())
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use image::Rgb;

    /// Paints `text` as a QR code with `module` pixels per module and a
    /// quiet zone of four modules, its top-left corner at (`x`, `y`).
    pub(crate) fn paint_qr(image: &mut RgbImage, text: &str, x: u32, y: u32, module: u32) {
        let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
        let width = code.width() as u32;
        let colours = code.to_colors();
        let side = (width + 8) * module;
        for dy in 0..side {
            for dx in 0..side {
                image.put_pixel(x + dx, y + dy, Rgb([245, 245, 240]));
            }
        }
        for (i, colour) in colours.iter().enumerate() {
            if *colour == qrcode::Color::Dark {
                let (mx, my) = (i as u32 % width, i as u32 / width);
                for dy in 0..module {
                    for dx in 0..module {
                        let px = x + (mx + 4) * module + dx;
                        let py = y + (my + 4) * module + dy;
                        image.put_pixel(px, py, Rgb([20, 20, 25]));
                    }
                }
            }
        }
    }

    fn demo_frame() -> RgbImage {
        image::open(crate::camera::demo_frames_dir().join("frame-00.jpg"))
            .unwrap()
            .to_rgb8()
    }

    #[test]
    fn reads_a_code_held_up_beside_the_face() {
        let mut frame = demo_frame();
        paint_qr(&mut frame, "TC2026A0001", 20, 700, 5);
        assert_eq!(read_qr(&frame).as_deref(), Some("TC2026A0001"));
    }

    #[test]
    fn finds_nothing_in_a_frame_without_a_code() {
        assert_eq!(read_qr(&demo_frame()), None);
    }

    #[test]
    fn long_code_ignored() {
        let mut frame = demo_frame();
        let long = "https://example.edu.cn/".repeat(4);
        paint_qr(&mut frame, &long, 20, 560, 4);
        assert_eq!(read_qr(&frame), None);
    }
}
