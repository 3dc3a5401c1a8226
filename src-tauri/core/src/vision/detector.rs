//! YuNet face detection: a box and five landmarks per face.
//!
//! The network takes a 1x3xHxW BGR tensor in 0-255 with H and W multiples of
//! 32, and returns, at strides 8, 16 and 32, per-cell class and object
//! scores (already through a sigmoid), a box offset and five landmarks.

use std::collections::HashMap;
use std::sync::Mutex;

use image::RgbImage;
use tract_onnx::prelude::*;

use super::{Face, Plan, Point, Rect, model_error};
use crate::Result;

const NAME: &str = "YuNet face detector";
const STRIDES: [usize; 3] = [8, 16, 32];
/// Maximum side of the network's input; larger frames are scaled down.
const MAX_SIDE: u32 = 640;
const SCORE_THRESHOLD: f32 = 0.6;
const NMS_IOU: f32 = 0.3;

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
    /// coordinates.
    pub fn detect(&self, image: &RgbImage) -> Result<Vec<Face>> {
        let (input_image, scale) = crate::decode::shrink_to_fit(image, MAX_SIDE);
        let padded_w = (input_image.width() as usize).div_ceil(32) * 32;
        let padded_h = (input_image.height() as usize).div_ceil(32) * 32;
        let plan = self.plan(padded_h, padded_w)?;
        let input = bgr_tensor(&input_image, padded_h, padded_w);
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

fn bgr_tensor(image: &RgbImage, height: usize, width: usize) -> Tensor {
    let array = tract_ndarray::Array4::from_shape_fn((1, 3, height, width), |(_, c, y, x)| {
        if x >= image.width() as usize || y >= image.height() as usize {
            return 0.0;
        }
        let pixel = image.get_pixel(x as u32, y as u32);
        // Channel 0 is blue: the network was trained on OpenCV's BGR order.
        f32::from(pixel[2 - c])
    });
    array.into()
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

fn non_max_suppression(mut faces: Vec<Face>) -> Vec<Face> {
    faces.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Face> = Vec::new();
    for face in faces {
        if kept.iter().all(|k| k.bbox.iou(&face.bbox) < NMS_IOU) {
            kept.push(face);
        }
    }
    kept
}
