//! The MediaPipe face mesh: 468 points on a face found by the detector.
//!
//! The network takes a 1x3x192x192 RGB crop in 0-1 and returns x, y (crop
//! pixels) and a relative depth z for each point, plus a face-presence logit.

use image::{Rgb, RgbImage};
use tract_onnx::prelude::*;

use super::{Face, Plan, Point, model_error, planar_tensor};
use crate::Result;

const NAME: &str = "MediaPipe face mesh";
const SIZE: u32 = 192;
/// The crop is the detector's box grown by this factor around its centre,
/// as MediaPipe does when it starts the mesh from a detection.
const ROI_SCALE: f32 = 1.5;

/// Pitch the mesh reports on a frontal face: -7.6 to -10.2 degrees on the
/// bundled frontal photos (the demo frames, astronaut.png and
/// grace_hopper.jpg).
/// NOTE: calibrated on those photos alone, not on a reference set with
/// measured head poses.
const FRONTAL_PITCH_DEG: f32 = -9.0;

pub struct FaceMesh {
    plan: Plan,
}

/// 468 landmarks in image pixel coordinates.
#[derive(Debug, Clone)]
pub struct Mesh {
    pub points: Vec<[f32; 3]>,
    /// Probability that the crop contains a face.
    pub presence: f32,
}

impl Mesh {
    pub fn point(&self, index: usize) -> Point {
        let [x, y, _] = self.points[index];
        Point::new(x, y)
    }

    /// Cheek-to-cheek width across the face oval (points 234 and 454).
    pub fn face_width(&self) -> f32 {
        self.point(234).distance(self.point(454))
    }

    /// Lowest point of the chin (point 152).
    pub fn chin(&self) -> Point {
        self.point(152)
    }

    /// Top of the forehead on the face oval (point 10), below the hairline.
    pub fn forehead(&self) -> Point {
        self.point(10)
    }

    /// Opening of the right and left eyes: lid-to-lid distance over the
    /// corner-to-corner width (points 159/145 over 33/133, 386/374 over
    /// 362/263). About 0.25 for open eyes.
    pub fn eye_openings(&self) -> (f32, f32) {
        let ratio = |a, b, c, d| {
            self.point(a).distance(self.point(b)) / self.point(c).distance(self.point(d)).max(1e-3)
        };
        (ratio(159, 145, 33, 133), ratio(386, 374, 362, 263))
    }

    /// Opening of the mouth: lip-to-lip distance over the mouth's width
    /// (points 13/14 over 61/291). Near 0 for closed lips.
    pub fn mouth_opening(&self) -> f32 {
        self.point(13).distance(self.point(14)) / self.point(61).distance(self.point(291)).max(1e-3)
    }

    /// Yaw in degrees from the depth difference between the two cheek
    /// points (234 and 454); positive when the person turns to their left.
    pub fn yaw_degrees(&self) -> f32 {
        let (right, left) = (self.points[234], self.points[454]);
        (left[2] - right[2]).atan2(left[0] - right[0]).to_degrees()
    }

    /// Pitch in degrees from the depth difference between the forehead
    /// (point 10) and the chin (point 152); positive when the chin is
    /// raised. The mesh places a frontal face's chin about 9 degrees
    /// behind the forehead, which is subtracted.
    pub fn pitch_degrees(&self) -> f32 {
        let (top, chin) = (self.points[10], self.points[152]);
        (top[2] - chin[2]).atan2(chin[1] - top[1]).to_degrees() - FRONTAL_PITCH_DEG
    }

    /// Centres of the person's right and left eyes, from the eye corners.
    pub fn eye_centers(&self) -> (Point, Point) {
        let right = self.point(33).midpoint(self.point(133));
        let left = self.point(362).midpoint(self.point(263));
        (right, left)
    }
}

impl FaceMesh {
    pub fn load(bytes: &[u8]) -> Result<Self> {
        let plan = tract_onnx::onnx()
            .model_for_read(&mut &bytes[..])
            .and_then(|m| {
                m.with_input_fact(0, f32::fact([1, 3, SIZE as usize, SIZE as usize]).into())
            })
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(|e| model_error(NAME, e))?;
        Ok(Self { plan })
    }

    /// Runs the mesh on the region around `face`, turned by the detector's
    /// roll so that the network gets an upright face, as MediaPipe does.
    pub fn landmarks(&self, image: &RgbImage, face: &Face) -> Result<Mesh> {
        let roi = Roi {
            center: face.bbox.center(),
            side: face.bbox.width.max(face.bbox.height) * ROI_SCALE,
            angle: face.roll_degrees().to_radians(),
        };
        let crop = roi.sample(image);

        let side = SIZE as usize;
        let input = planar_tensor(&crop, side, side, [0, 1, 2], 1.0 / 255.0);
        let outputs = self
            .plan
            .run(tvec!(input.into()))
            .map_err(|e| model_error(NAME, e))?;
        let view = |i: usize| -> Result<Vec<f32>> {
            let array = outputs[i]
                .to_plain_array_view::<f32>()
                .map_err(|e| model_error(NAME, e))?;
            Ok(array.iter().copied().collect())
        };
        let raw = view(0)?;
        let logit = view(1)?.first().copied().unwrap_or(f32::NEG_INFINITY);

        let points = raw
            .chunks_exact(3)
            .map(|p| {
                let image_point = roi.to_image(p[0], p[1]);
                [image_point.x, image_point.y, p[2] * roi.side / SIZE as f32]
            })
            .collect();
        Ok(Mesh {
            points,
            presence: 1.0 / (1.0 + (-logit).exp()),
        })
    }
}

/// A square region of the image, turned by `angle` radians about its centre.
struct Roi {
    center: Point,
    side: f32,
    angle: f32,
}

impl Roi {
    /// Maps a point of the 192x192 crop to image coordinates.
    fn to_image(&self, u: f32, v: f32) -> Point {
        let scale = self.side / SIZE as f32;
        let dx = (u - SIZE as f32 / 2.0) * scale;
        let dy = (v - SIZE as f32 / 2.0) * scale;
        let (sin, cos) = self.angle.sin_cos();
        Point::new(
            self.center.x + dx * cos - dy * sin,
            self.center.y + dx * sin + dy * cos,
        )
    }

    /// Samples the region into a 192x192 crop with bilinear interpolation,
    /// black where it reaches past the image.
    fn sample(&self, image: &RgbImage) -> RgbImage {
        RgbImage::from_fn(SIZE, SIZE, |u, v| {
            let p = self.to_image(u as f32 + 0.5, v as f32 + 0.5);
            bilinear(image, p.x - 0.5, p.y - 0.5)
        })
    }
}

fn bilinear(image: &RgbImage, x: f32, y: f32) -> Rgb<u8> {
    let (w, h) = (image.width() as i64, image.height() as i64);
    let (x0, y0) = (x.floor() as i64, y.floor() as i64);
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let at = |xi: i64, yi: i64| -> [f32; 3] {
        if xi < 0 || yi < 0 || xi >= w || yi >= h {
            return [0.0; 3];
        }
        image.get_pixel(xi as u32, yi as u32).0.map(f32::from)
    };
    let (a, b, c, d) = (
        at(x0, y0),
        at(x0 + 1, y0),
        at(x0, y0 + 1),
        at(x0 + 1, y0 + 1),
    );
    Rgb(std::array::from_fn(|i| {
        let top = a[i] + (b[i] - a[i]) * fx;
        let bottom = c[i] + (d[i] - c[i]) * fx;
        (top + (bottom - top) * fy).round().clamp(0.0, 255.0) as u8
    }))
}
