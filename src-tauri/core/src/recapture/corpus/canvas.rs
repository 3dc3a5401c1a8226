//! Floating-point RGB pictures for building the corpus: blurring,
//! sampling, projecting a plane through a homography, and the camera's
//! noise and compression.

use image::{Rgb, RgbImage};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// An RGB picture with channels in 0-1 (gamma-encoded, as the camera's
/// output is), allowed to exceed 1 until it is quantised.
#[derive(Debug, Clone)]
pub struct Canvas {
    pub width: usize,
    pub height: usize,
    pub data: Vec<[f32; 3]>,
}

impl Canvas {
    pub fn filled(width: usize, height: usize, colour: [f32; 3]) -> Self {
        Self {
            width,
            height,
            data: vec![colour; width * height],
        }
    }

    pub fn from_rgb(image: &RgbImage) -> Self {
        Self {
            width: image.width() as usize,
            height: image.height() as usize,
            data: image
                .pixels()
                .map(|p| p.0.map(|c| f32::from(c) / 255.0))
                .collect(),
        }
    }

    pub fn to_rgb(&self) -> RgbImage {
        RgbImage::from_fn(self.width as u32, self.height as u32, |x, y| {
            let p = self.data[y as usize * self.width + x as usize];
            Rgb(p.map(|c| (c * 255.0).round().clamp(0.0, 255.0) as u8))
        })
    }

    pub fn at(&self, x: usize, y: usize) -> [f32; 3] {
        self.data[y * self.width + x]
    }

    pub fn set(&mut self, x: usize, y: usize, value: [f32; 3]) {
        self.data[y * self.width + x] = value;
    }

    /// Samples at (x, y) in pixel-centre coordinates with bilinear
    /// interpolation; `None` outside the picture.
    pub fn sample(&self, x: f32, y: f32) -> Option<[f32; 3]> {
        let (fx, fy) = (x - 0.5, y - 0.5);
        if fx < 0.0 || fy < 0.0 || fx > (self.width - 1) as f32 || fy > (self.height - 1) as f32 {
            return None;
        }
        let (x0, y0) = (fx.floor() as usize, fy.floor() as usize);
        let (x1, y1) = ((x0 + 1).min(self.width - 1), (y0 + 1).min(self.height - 1));
        let (tx, ty) = (fx - x0 as f32, fy - y0 as f32);
        let (a, b, c, d) = (
            self.at(x0, y0),
            self.at(x1, y0),
            self.at(x0, y1),
            self.at(x1, y1),
        );
        Some(std::array::from_fn(|i| {
            let top = a[i] + (b[i] - a[i]) * tx;
            let bottom = c[i] + (d[i] - c[i]) * tx;
            top + (bottom - top) * ty
        }))
    }

    /// Returns a copy blurred by a Gaussian of `sigma` pixels (separable,
    /// edges extended).
    pub fn blurred(&self, sigma: f32) -> Canvas {
        if sigma < 0.05 {
            return self.clone();
        }
        let radius = (3.0 * sigma).ceil() as i64;
        let kernel: Vec<f32> = (-radius..=radius)
            .map(|i| (-(i * i) as f32 / (2.0 * sigma * sigma)).exp())
            .collect();
        let total: f32 = kernel.iter().sum();
        let kernel: Vec<f32> = kernel.iter().map(|k| k / total).collect();
        let (w, h) = (self.width as i64, self.height as i64);
        let pass = |source: &Canvas, horizontal: bool| {
            let mut out = Canvas::filled(source.width, source.height, [0.0; 3]);
            for y in 0..h {
                for x in 0..w {
                    let mut sum = [0f32; 3];
                    for (k, weight) in kernel.iter().enumerate() {
                        let offset = k as i64 - radius;
                        let (sx, sy) = if horizontal {
                            ((x + offset).clamp(0, w - 1), y)
                        } else {
                            (x, (y + offset).clamp(0, h - 1))
                        };
                        let p = source.data[(sy * w + sx) as usize];
                        for c in 0..3 {
                            sum[c] += weight * p[c];
                        }
                    }
                    out.data[(y * w + x) as usize] = sum;
                }
            }
            out
        };
        pass(&pass(self, true), false)
    }

    /// Adds Gaussian noise of `sigma` (in 0-1 units) to every channel.
    pub fn add_noise(&mut self, rng: &mut ChaCha8Rng, sigma: f32) {
        for p in &mut self.data {
            for c in p.iter_mut() {
                *c += sigma * gaussian(rng);
            }
        }
    }

    pub fn map(&mut self, f: impl Fn([f32; 3]) -> [f32; 3]) {
        for p in &mut self.data {
            *p = f(*p);
        }
    }
}

/// A standard normal draw by the Box-Muller transform.
pub fn gaussian(rng: &mut ChaCha8Rng) -> f32 {
    let u: f32 = rng.random_range(f32::EPSILON..1.0);
    let v: f32 = rng.random_range(0.0..1.0);
    (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos()
}

/// A plane-to-image projective map.
#[derive(Debug, Clone, Copy)]
pub struct Homography(pub [[f64; 3]; 3]);

impl Homography {
    pub fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let m = &self.0;
        let w = m[2][0] * x + m[2][1] * y + m[2][2];
        (
            (m[0][0] * x + m[0][1] * y + m[0][2]) / w,
            (m[1][0] * x + m[1][1] * y + m[1][2]) / w,
        )
    }

    pub fn inverse(&self) -> Homography {
        let m = &self.0;
        let cofactor = |r0: usize, r1: usize, c0: usize, c1: usize| {
            m[r0][c0] * m[r1][c1] - m[r0][c1] * m[r1][c0]
        };
        let adjugate = [
            [
                cofactor(1, 2, 1, 2),
                -cofactor(0, 2, 1, 2),
                cofactor(0, 1, 1, 2),
            ],
            [
                -cofactor(1, 2, 0, 2),
                cofactor(0, 2, 0, 2),
                -cofactor(0, 1, 0, 2),
            ],
            [
                cofactor(1, 2, 0, 1),
                -cofactor(0, 2, 0, 1),
                cofactor(0, 1, 0, 1),
            ],
        ];
        // The adjugate is the inverse up to scale, and scale does not
        // change a projective map.
        Homography(adjugate)
    }
}

/// Pose of a flat medium (a sheet or a screen) in front of the camera.
#[derive(Debug, Clone, Copy)]
pub struct Pose {
    /// Where the medium's centre lands in the frame, in pixels.
    pub center: (f64, f64),
    /// Width the medium would have seen square-on, in frame pixels.
    pub width: f64,
    /// Turn about the vertical and horizontal axes and in the image plane,
    /// in degrees.
    pub yaw: f64,
    pub pitch: f64,
    pub roll: f64,
}

/// Focal length of the simulated camera, in pixels (about a 55° field of
/// view across 720 pixels).
const FOCAL: f64 = 700.0;

impl Pose {
    /// Maps medium pixels (`medium_w` x `medium_h`) to frame pixels.
    pub fn homography(&self, medium_w: usize, medium_h: usize) -> Homography {
        let k = self.width / medium_w as f64;
        let (sy, cy) = self.yaw.to_radians().sin_cos();
        let (sp, cp) = self.pitch.to_radians().sin_cos();
        let (sr, cr) = self.roll.to_radians().sin_cos();
        // R = Rz(roll) * Ry(yaw) * Rx(pitch); only its first two columns
        // act on points of the plane z = 0.
        let ry = [[cy, 0.0, sy], [0.0, 1.0, 0.0], [-sy, 0.0, cy]];
        let rx = [[1.0, 0.0, 0.0], [0.0, cp, -sp], [0.0, sp, cp]];
        let rz = [[cr, -sr, 0.0], [sr, cr, 0.0], [0.0, 0.0, 1.0]];
        let r = multiply(&rz, &multiply(&ry, &rx));
        let plane = [
            [r[0][0], r[0][1], 0.0],
            [r[1][0], r[1][1], 0.0],
            [r[2][0], r[2][1], FOCAL],
        ];
        let camera = [
            [FOCAL, 0.0, self.center.0],
            [0.0, FOCAL, self.center.1],
            [0.0, 0.0, 1.0],
        ];
        let to_plane = [
            [k, 0.0, -k * medium_w as f64 / 2.0],
            [0.0, k, -k * medium_h as f64 / 2.0],
            [0.0, 0.0, 1.0],
        ];
        Homography(multiply(&camera, &multiply(&plane, &to_plane)))
    }
}

fn multiply(a: &[[f64; 3]; 3], b: &[[f64; 3]; 3]) -> [[f64; 3]; 3] {
    std::array::from_fn(|i| std::array::from_fn(|j| (0..3).map(|k| a[i][k] * b[k][j]).sum()))
}

/// Draws `medium` into `frame` through `pose`: each frame pixel whose
/// centre maps inside the medium takes the medium's colour there.
/// `medium` should already be blurred to the frame's sampling, as a camera
/// pixel averages everything it sees.
pub fn project(frame: &mut Canvas, medium: &Canvas, pose: &Pose) {
    let forward = pose.homography(medium.width, medium.height);
    let inverse = forward.inverse();
    let corners = [
        (0.0, 0.0),
        (medium.width as f64, 0.0),
        (0.0, medium.height as f64),
        (medium.width as f64, medium.height as f64),
    ]
    .map(|(u, v)| forward.apply(u, v));
    let x0 = corners
        .iter()
        .map(|c| c.0)
        .fold(f64::MAX, f64::min)
        .max(0.0) as usize;
    let y0 = corners
        .iter()
        .map(|c| c.1)
        .fold(f64::MAX, f64::min)
        .max(0.0) as usize;
    let x1 =
        (corners.iter().map(|c| c.0).fold(f64::MIN, f64::max).ceil() as usize).min(frame.width);
    let y1 =
        (corners.iter().map(|c| c.1).fold(f64::MIN, f64::max).ceil() as usize).min(frame.height);
    for y in y0..y1 {
        for x in x0..x1 {
            let (u, v) = inverse.apply(x as f64 + 0.5, y as f64 + 0.5);
            if let Some(colour) = medium.sample(u as f32, v as f32) {
                frame.set(x, y, colour);
            }
        }
    }
}

/// Quantises the frame to 8 bits and, when `jpeg_quality` is set, passes it
/// through JPEG as a camera's MJPEG stream does.
pub fn quantise(frame: &Canvas, jpeg_quality: Option<u8>) -> RgbImage {
    let image = frame.to_rgb();
    let Some(quality) = jpeg_quality else {
        return image;
    };
    let mut bytes = Vec::new();
    let encoded = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality)
        .encode_image(&image);
    match encoded
        .ok()
        .and_then(|()| image::load_from_memory(&bytes).ok())
    {
        Some(decoded) => decoded.to_rgb8(),
        None => image,
    }
}
