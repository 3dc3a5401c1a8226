//! Makes the demo camera's frames in `assets/demo-camera` from the bundled
//! photo of Grace Hopper on an even background.
//!
//! The photo is scaled to a 720x960 portrait frame (a camera turned on its
//! side, as photo booths mount them), with the plain background extended
//! above the head, and swayed by a few pixels from frame to frame so the
//! preview looks alive. Run with
//! `cargo run -p tucai-core --example make_demo_frames`.

use image::imageops::{self, FilterType};
use image::{Rgb, RgbImage};

const WIDTH: u32 = 720;
const HEIGHT: u32 = 960;
const SCALE: f32 = 1.42;
const FRAMES: u32 = 12;
/// Sway amplitude in pixels, horizontal and vertical.
const SWAY: f32 = 3.0;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let assets = tucai_core::assets_dir();
    let photo =
        tucai_core::decode::load_photo(&assets.join("fixtures/grace_hopper_uniform_bg.png"))?;
    let background = corner_colour(&photo);
    let width = (photo.width() as f32 * SCALE).round() as u32;
    let height = (photo.height() as f32 * SCALE).round() as u32;
    let scaled = imageops::resize(&photo, width, height, FilterType::Lanczos3);
    let spare = width - WIDTH;

    let out = assets.join("demo-camera");
    std::fs::create_dir_all(&out)?;
    for i in 0..FRAMES {
        let phase = std::f32::consts::TAU * i as f32 / FRAMES as f32;
        let dx = (spare as f32 / 2.0 + SWAY * phase.cos()).round() as i64;
        let dy = (SWAY * phase.sin()).round() as i64;
        let mut frame = RgbImage::from_pixel(WIDTH, HEIGHT, background);
        // The photo reaches the bottom edge whatever the sway, as a body does.
        let top = HEIGHT as i64 - height as i64 + SWAY as i64 + dy;
        imageops::overlay(&mut frame, &scaled, -dx, top);
        let path = out.join(format!("frame-{i:02}.jpg"));
        let file = std::fs::File::create(&path)?;
        let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(file, 92);
        encoder.encode_image(&frame)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

/// Mean colour of the top-left 16x16 corner, which is plain background.
fn corner_colour(photo: &RgbImage) -> Rgb<u8> {
    let mut sum = [0u32; 3];
    for y in 0..16 {
        for x in 0..16 {
            let p = photo.get_pixel(x, y);
            for c in 0..3 {
                sum[c] += u32::from(p[c]);
            }
        }
    }
    Rgb(sum.map(|s| (s / 256) as u8))
}
