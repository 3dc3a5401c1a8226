//! YuNet face detection: a box and five landmarks per face.
//!
//! The network takes a 1x3xHxW BGR tensor in 0-255 with H and W multiples of
//! 32, and returns, at strides 8, 16 and 32, per-cell class and object
//! scores (already through a sigmoid), a box offset and five landmarks.

use std::collections::HashMap;
use std::sync::Mutex;

use image::RgbImage;
use tract_onnx::prelude::*;

use super::{Face, Plan, Point, Rect, model_error, planar_tensor};
use crate::Result;

const NAME: &str = "YuNet face detector";
const STRIDES: [usize; 3] = [8, 16, 32];
/// Maximum side of the network's input for a capture's full checks. The
/// network's finest stride is 8 px, so faces down to roughly 10 px in its
/// input (20 px in a 1280x720 capture) can be found: an estimate, not
/// measured. That lets a bystander near the student count.
pub const CAPTURE_SIDE: u32 = 640;
/// Maximum side of the network's input for the live checks of a preview
/// frame, a quarter of the work of 640 px. A face that can meet a
/// profile's face-width band (180 px or more in a 480x640 photo, from a
/// crop at least 640 px tall) is then at least 30 px wide in the input,
/// even from a 1920x1080 frame.
pub const PREVIEW_SIDE: u32 = 320;
const SCORE_THRESHOLD: f32 = 0.6;
const NMS_IOU: f32 = 0.3;
/// Detections that overlap the best one by this much are the same face
/// seen from a neighbouring cell, and are averaged into it.
const MERGE_IOU: f32 = 0.6;

pub struct Detector {
    model: InferenceModel,
    /// Compiled plans by padded input size: a camera has one frame size, so
    /// this contains one or two entries in practice.
    plans: Mutex<HashMap<(usize, usize), Plan>>,
}

impl Detector {
    pub fn load(bytes: &[u8]) -> Result<Self> {
        let model = tract_onnx::onnx()
            .with_ignore_output_shapes(true)
            .with_ignore_value_info(true)
            .model_for_read(&mut &bytes[..])
            .map_err(|e| model_error(NAME, e))?;
        Ok(Self {
            model,
            plans: Mutex::new(HashMap::new()),
        })
    }

    /// Finds the faces in `image`, highest score first, in its pixel
    /// coordinates, with the image scaled to fit `CAPTURE_SIDE`.
    pub fn detect(&self, image: &RgbImage) -> Result<Vec<Face>> {
        self.detect_within(image, CAPTURE_SIDE)
    }

    /// Finds the faces with the image scaled down, where it is larger, so
    /// that its longest side is at most `max_side` pixels.
    pub fn detect_within(&self, image: &RgbImage, max_side: u32) -> Result<Vec<Face>> {
        let (input_image, scale) = crate::decode::shrink_to_fit(image, max_side.max(32));
        let padded_w = (input_image.width() as usize).div_ceil(32) * 32;
        let padded_h = (input_image.height() as usize).div_ceil(32) * 32;
        let plan = self.plan(padded_h, padded_w)?;
        // Channel 0 is blue: the network was trained on OpenCV's BGR order.
        let input = planar_tensor(&input_image, padded_h, padded_w, [2, 1, 0], 1.0);
        let outputs = plan
            .run(tvec!(input.into()))
            .map_err(|e| model_error(NAME, e))?;

        let mut faces = decode(&outputs, padded_h, padded_w)?;
        for face in &mut faces {
            rescale(face, 1.0 / scale);
        }
        Ok(non_max_suppression(faces))
    }

    fn plan(&self, height: usize, width: usize) -> Result<Plan> {
        let mut plans = self.plans.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(plan) = plans.get(&(height, width)) {
            return Ok(plan.clone());
        }
        let plan = self
            .model
            .clone()
            .with_input_fact(0, f32::fact([1, 3, height, width]).into())
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(|e| model_error(NAME, e))?;
        tracing::debug!(height, width, "compiled face detector plan");
        plans.insert((height, width), plan.clone());
        Ok(plan)
    }
}

/// Output order of the ONNX file: cls, obj, bbox and kps, each at strides
/// 8, 16 and 32.
fn decode(outputs: &[TValue], height: usize, width: usize) -> Result<Vec<Face>> {
    let mut faces = Vec::new();
    for (level, stride) in STRIDES.iter().enumerate() {
        let view = |i: usize| {
            outputs[i]
                .to_plain_array_view::<f32>()
                .map_err(|e| model_error(NAME, e))
        };
        let cls = view(level)?;
        let obj = view(3 + level)?;
        let bbox = view(6 + level)?;
        let kps = view(9 + level)?;
        let cols = width / stride;
        let cells = cols * (height / stride);
        let s = *stride as f32;

        for cell in 0..cells {
            let score =
                (cls[[0, cell, 0]].clamp(0.0, 1.0) * obj[[0, cell, 0]].clamp(0.0, 1.0)).sqrt();
            if score < SCORE_THRESHOLD {
                continue;
            }
            let col = (cell % cols) as f32;
            let row = (cell / cols) as f32;
            let cx = (col + bbox[[0, cell, 0]]) * s;
            let cy = (row + bbox[[0, cell, 1]]) * s;
            let w = bbox[[0, cell, 2]].exp() * s;
            let h = bbox[[0, cell, 3]].exp() * s;
            let point = |n: usize| {
                Point::new(
                    (kps[[0, cell, 2 * n]] + col) * s,
                    (kps[[0, cell, 2 * n + 1]] + row) * s,
                )
            };
            faces.push(Face {
                score,
                bbox: Rect {
                    x: cx - w / 2.0,
                    y: cy - h / 2.0,
                    width: w,
                    height: h,
                },
                right_eye: point(0),
                left_eye: point(1),
                nose: point(2),
                mouth_right: point(3),
                mouth_left: point(4),
            });
        }
    }
    Ok(faces)
}

fn rescale(face: &mut Face, factor: f32) {
    let b = &mut face.bbox;
    b.x *= factor;
    b.y *= factor;
    b.width *= factor;
    b.height *= factor;
    for p in [
        &mut face.right_eye,
        &mut face.left_eye,
        &mut face.nose,
        &mut face.mouth_right,
        &mut face.mouth_left,
    ] {
        p.x *= factor;
        p.y *= factor;
    }
}

/// Keeps the best detection of each face, with its box and landmarks the
/// score-weighted mean of the detections that overlap it closely.
///
/// Neighbouring cells and strides report the same face with nearly equal
/// scores. With only the top one kept, a change of one grey level in the
/// frame could switch the box between them, so the mean is steadier.
fn non_max_suppression(mut faces: Vec<Face>) -> Vec<Face> {
    faces.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut groups: Vec<Vec<Face>> = Vec::new();
    for face in faces {
        match groups
            .iter_mut()
            .find(|group| group[0].bbox.iou(&face.bbox) >= NMS_IOU)
        {
            Some(group) if group[0].bbox.iou(&face.bbox) >= MERGE_IOU => group.push(face),
            Some(_) => {}
            None => groups.push(vec![face]),
        }
    }
    groups.iter().map(|group| weighted_mean(group)).collect()
}

fn weighted_mean(group: &[Face]) -> Face {
    let total: f32 = group.iter().map(|f| f.score).sum();
    let mean = |value: &dyn Fn(&Face) -> f32| {
        group.iter().map(|f| value(f) * f.score).sum::<f32>() / total
    };
    let point =
        |pick: &dyn Fn(&Face) -> Point| Point::new(mean(&|f| pick(f).x), mean(&|f| pick(f).y));
    Face {
        score: group[0].score,
        bbox: Rect {
            x: mean(&|f| f.bbox.x),
            y: mean(&|f| f.bbox.y),
            width: mean(&|f| f.bbox.width),
            height: mean(&|f| f.bbox.height),
        },
        right_eye: point(&|f| f.right_eye),
        left_eye: point(&|f| f.left_eye),
        nose: point(&|f| f.nose),
        mouth_right: point(&|f| f.mouth_right),
        mouth_left: point(&|f| f.mouth_left),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face(score: f32, x: f32, eye_y: f32) -> Face {
        let p = |dx: f32| Point::new(x + dx, eye_y);
        Face {
            score,
            bbox: Rect {
                x,
                y: 0.0,
                width: 100.0,
                height: 120.0,
            },
            right_eye: p(30.0),
            left_eye: p(70.0),
            nose: p(50.0),
            mouth_right: p(35.0),
            mouth_left: p(65.0),
        }
    }

    #[test]
    fn suppression_averages_close_boxes() {
        let kept = non_max_suppression(vec![face(0.90, 0.0, 40.0), face(0.90, 10.0, 50.0)]);
        assert_eq!(kept.len(), 1);
        assert!((kept[0].bbox.x - 5.0).abs() < 1e-4, "{:?}", kept[0].bbox);
        assert!((kept[0].right_eye.y - 45.0).abs() < 1e-4);
        assert_eq!(kept[0].score, 0.90);
    }

    #[test]
    fn suppression_drops_loose_overlap() {
        // 50 px apart: IoU 1/3, over the suppression threshold but under
        // the merging one, so the weaker box goes without moving the best.
        let kept = non_max_suppression(vec![
            face(0.95, 0.0, 40.0),
            face(0.80, 50.0, 40.0),
            face(0.70, 400.0, 40.0),
        ]);
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[0].bbox.x, 0.0);
        assert_eq!(kept[1].bbox.x, 400.0);
    }
}
