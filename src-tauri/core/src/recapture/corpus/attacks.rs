//! Presentation attacks: a real photo printed or shown on a screen, held
//! in front of the booth's backdrop and photographed again by the camera,
//! with perspective, blur, glare and noise.

use image::RgbImage;
use image::imageops::{self, FilterType};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::bona_fide::{self, Stage};
use super::canvas::{Canvas, Pose, gaussian, project, quantise};
use super::{FRAME_HEIGHT, FRAME_WIDTH, Source};

/// The room behind the medium: a plain backdrop with a soft gradient or,
/// when `clutter` is given, that picture out of focus.
fn room(rng: &mut ChaCha8Rng, clutter: Option<&RgbImage>) -> Canvas {
    if let Some(picture) = clutter {
        let covered = imageops::resize(picture, FRAME_WIDTH, FRAME_HEIGHT, FilterType::Triangle);
        return Canvas::from_rgb(&covered).blurred(2.5);
    }
    let backdrops = [[0.55, 0.78, 0.95], [0.93, 0.93, 0.92], [0.86, 0.87, 0.88]];
    let base = backdrops[rng.random_range(0..backdrops.len())];
    let slope = rng.random_range(-0.04..0.04);
    let mut room = Canvas::filled(FRAME_WIDTH as usize, FRAME_HEIGHT as usize, base);
    for y in 0..room.height {
        let shade = 1.0 + slope * (y as f32 / room.height as f32 - 0.5);
        for x in 0..room.width {
            room.set(x, y, base.map(|c| c * shade));
        }
    }
    room
}

/// A pose a little off square-on, centred near the frame's upper middle.
fn held_pose(rng: &mut ChaCha8Rng, width: f64) -> Pose {
    Pose {
        center: (
            f64::from(FRAME_WIDTH) / 2.0 + rng.random_range(-25.0..25.0),
            f64::from(FRAME_HEIGHT) * 0.45 + rng.random_range(-30.0..30.0),
        ),
        width,
        yaw: rng.random_range(-15.0..15.0),
        pitch: rng.random_range(-10.0..10.0),
        roll: rng.random_range(-4.0..4.0),
    }
}

/// Moves a pose as a hand does between two frames: up to `shake` pixels
/// and a fraction of a degree.
fn shaken(pose: &Pose, rng: &mut ChaCha8Rng, shake: f64) -> Pose {
    if shake == 0.0 {
        return *pose;
    }
    Pose {
        center: (
            pose.center.0 + rng.random_range(-shake..=shake),
            pose.center.1 + rng.random_range(-shake..=shake),
        ),
        yaw: pose.yaw + rng.random_range(-0.4..=0.4),
        pitch: pose.pitch + rng.random_range(-0.4..=0.4),
        roll: pose.roll + rng.random_range(-0.3..=0.3),
        ..*pose
    }
}

/// Adds a soft specular highlight to the medium: white at its peak
/// `strength`, falling off over `radius` medium pixels, near the face.
fn add_glare(medium: &mut Canvas, rng: &mut ChaCha8Rng, strength: f32, radius: f32) {
    let cx = medium.width as f32 * rng.random_range(0.35..0.65);
    let cy = medium.height as f32 * rng.random_range(0.25..0.45);
    let stretch = rng.random_range(1.0..2.5);
    for y in 0..medium.height {
        for x in 0..medium.width {
            let (dx, dy) = ((x as f32 - cx) / stretch, y as f32 - cy);
            let light = strength * (-(dx * dx + dy * dy) / (2.0 * radius * radius)).exp();
            let p = medium.at(x, y);
            medium.set(x, y, p.map(|c| c + light));
        }
    }
}

/// Camera settings for one attack: optical blur, exposure, noise, JPEG.
struct Camera {
    blur: f32,
    gain: f32,
    noise: f32,
    jpeg: Option<u8>,
}

impl Camera {
    fn random(rng: &mut ChaCha8Rng, blur: std::ops::Range<f32>) -> Self {
        Self {
            blur: rng.random_range(blur),
            gain: rng.random_range(0.95..1.12),
            noise: rng.random_range(0.004..0.012),
            jpeg: rng.random_bool(0.5).then_some(90),
        }
    }

    fn shoot(&self, room: &Canvas, medium: &Canvas, pose: &Pose, rng: &mut ChaCha8Rng) -> RgbImage {
        let mut frame = room.clone();
        project(&mut frame, medium, pose);
        let mut frame = frame.blurred(self.blur);
        frame.map(|p| p.map(|c| c * self.gain));
        frame.add_noise(rng, self.noise);
        quantise(&frame, self.jpeg)
    }
}

/// The kinds of print in the corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintKind {
    /// Office laser or inkjet print: halftone dots, white margin, matte.
    Office,
    /// Photo-lab print: continuous tone, no margin, glossy with glare.
    Glossy,
}

/// Renders a printed photo held in front of the backdrop.
pub fn print_sequence(
    source: &Source,
    rng: &mut ChaCha8Rng,
    count: usize,
    kind: PrintKind,
    clutter: Option<&RgbImage>,
    shake: f64,
) -> Vec<RgbImage> {
    let room = room(rng, clutter);
    let width = rng.random_range(430.0..600.0);
    let density = rng.random_range(2.0..3.0);
    let margin = if kind == PrintKind::Office { 0.07 } else { 0.0 };
    let medium = print_medium(source, rng, (width * density) as usize, margin, kind);
    let medium = medium.blurred(0.45 * density as f32);
    let camera = Camera::random(rng, 0.7..1.3);
    let pose = held_pose(rng, width);
    (0..count)
        .map(|_| {
            let moved = shaken(&pose, rng, shake);
            camera.shoot(&room, &medium, &moved, rng)
        })
        .collect()
}

/// Lays the photo on paper `width` medium pixels wide: ink cannot reach
/// the paper's white nor a full black, colours lose saturation, paper has
/// grain, and an office print is screened into halftone dots.
fn print_medium(
    source: &Source,
    rng: &mut ChaCha8Rng,
    width: usize,
    margin: f32,
    kind: PrintKind,
) -> Canvas {
    let inner_w = (width as f32 * (1.0 - 2.0 * margin)) as u32;
    let inner_h =
        (inner_w as f32 * source.photo.height() as f32 / source.photo.width() as f32) as u32;
    let border = (width as f32 * margin) as usize;
    let height = inner_h as usize + 2 * border;
    let photo = imageops::resize(&source.photo, inner_w, inner_h, FilterType::Triangle);
    let paper = [0.94, 0.94, 0.91];
    let mut medium = Canvas::filled(width, height, paper);

    let (black, white) = (rng.random_range(0.08..0.14), rng.random_range(0.88..0.95));
    let saturation = rng.random_range(0.75..0.88);
    let period = rng.random_range(2.4..3.6) * width as f32 / 500.0;
    let angles = [15f32, 75.0, 0.0].map(|a| a.to_radians().sin_cos());
    for (x, y, p) in photo.enumerate_pixels() {
        let c = p.0.map(|v| f32::from(v) / 255.0);
        let l = 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
        let mut c: [f32; 3] = std::array::from_fn(|i| l + (c[i] - l) * saturation);
        if kind == PrintKind::Office {
            let (u, v) = (x as f32, y as f32);
            c = std::array::from_fn(|i| {
                let (sin, cos) = angles[i];
                let (ru, rv) = (u * cos - v * sin, u * sin + v * cos);
                let t = 0.5
                    + 0.5
                        * (std::f32::consts::TAU * ru / period).cos()
                        * (std::f32::consts::TAU * rv / period).cos();
                if 1.0 - c[i] > t { 0.0 } else { 1.0 }
            });
        }
        let toned = c.map(|v| black + (white - black) * v);
        medium.set(x as usize + border, y as usize + border, toned);
    }

    // Paper grain: a faint, fine, blotchy variation of reflectance.
    let mut grain = Canvas::filled(width, height, [0.0; 3]);
    for p in &mut grain.data {
        *p = [gaussian(rng); 3];
    }
    let grain = grain.blurred(1.2);
    for (p, g) in medium.data.iter_mut().zip(&grain.data) {
        *p = p.map(|c| c * (1.0 + 0.08 * g[0]));
    }
    if kind == PrintKind::Glossy {
        let radius = width as f32 * rng.random_range(0.08..0.16);
        let strength = rng.random_range(0.6..1.0);
        add_glare(&mut medium, rng, strength, radius);
    }
    medium
}

/// The kinds of screen in the corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreenKind {
    Phone,
    Tablet,
}

/// Renders a still photo, or with `video` a replayed video of the person,
/// on a screen held in front of the backdrop.
pub fn screen_sequence(
    source: &Source,
    stage: Option<&Stage>,
    rng: &mut ChaCha8Rng,
    count: usize,
    kind: ScreenKind,
    clutter: Option<&RgbImage>,
    shake: f64,
) -> Vec<RgbImage> {
    let room = room(rng, clutter);
    // Frame pixels per screen pixel: a phone's pixels are finer.
    let pitch = match kind {
        ScreenKind::Phone => rng.random_range(1.3..2.1),
        ScreenKind::Tablet => rng.random_range(1.9..3.2),
    };
    let width = rng.random_range(420.0..580.0);
    let screen = Screen {
        bezel: rng.random_range(0.05..0.10),
        pixels_across: (width / pitch) as usize,
        gains: [
            rng.random_range(0.88..0.95),
            rng.random_range(0.96..1.0),
            rng.random_range(1.04..1.10),
        ],
        glow: rng.random_range(0.03..0.07),
        glare: rng.random_bool(0.5).then(|| rng.random_range(0.15..0.4)),
    };
    let density = 3.0 / pitch;
    let camera = Camera::random(rng, 0.5..0.9);
    let pose = held_pose(rng, width);

    let video = stage.map(|stage| bona_fide::sequence(stage, rng, count, 2.0, None));
    // The reflection stays where it is while the video plays.
    let glare_rng = rng.clone();
    let sharpness = (0.45 * density as f32).max(0.3);
    let still = screen
        .medium(&source.photo, &mut glare_rng.clone())
        .blurred(sharpness);
    (0..count)
        .map(|i| {
            let medium = match &video {
                Some(frames) => screen
                    .medium(&frames[i], &mut glare_rng.clone())
                    .blurred(sharpness),
                None => still.clone(),
            };
            let moved = shaken(&pose, rng, shake);
            camera.shoot(&room, &medium, &moved, rng)
        })
        .collect()
}

/// One screen: its bezel, resolution, colour and reflection.
struct Screen {
    /// Bezel width as a share of the display's width.
    bezel: f32,
    pixels_across: usize,
    /// The backlight's gain per channel: screens are bluer than lamps.
    gains: [f32; 3],
    /// Light a black pixel still emits.
    glow: f32,
    /// Strength of a reflection on the glass, when there is one.
    glare: Option<f32>,
}

impl Screen {
    /// Draws `picture` on the screen, each screen pixel as three vertical
    /// red, green and blue stripes over three rows, the third row dark
    /// (the black matrix), inside a dark bezel.
    fn medium(&self, picture: &RgbImage, rng: &mut ChaCha8Rng) -> Canvas {
        let across = self.pixels_across as u32;
        let down = (across as f32 * picture.height() as f32 / picture.width() as f32) as u32;
        let shown = imageops::resize(picture, across, down, FilterType::Triangle);
        let bezel = (self.bezel * across as f32 * 3.0) as usize;
        let (width, height) = (
            across as usize * 3 + 2 * bezel,
            down as usize * 3 + 2 * bezel,
        );
        let mut medium = Canvas::filled(width, height, [0.05, 0.05, 0.06]);
        // Stripe rows: lit, lit, matrix at 30 %; the mean stays the pixel's.
        let rows = [1.0, 1.0, 0.3];
        let norm = 3.0 / rows.iter().sum::<f32>();
        for (x, y, p) in shown.enumerate_pixels() {
            let emitted: [f32; 3] = std::array::from_fn(|c| {
                self.glow + (1.0 - self.glow) * f32::from(p[c]) / 255.0 * self.gains[c]
            });
            for (row, lit) in rows.iter().enumerate() {
                for stripe in 0..3 {
                    let mut value = [0.0; 3];
                    value[stripe] = emitted[stripe] * 3.0 * lit * norm;
                    medium.set(
                        bezel + x as usize * 3 + stripe,
                        bezel + y as usize * 3 + row,
                        value,
                    );
                }
            }
        }
        if let Some(strength) = self.glare {
            let radius = width as f32 * rng.random_range(0.15..0.3);
            add_glare(&mut medium, rng, strength, radius);
        }
        medium
    }
}
