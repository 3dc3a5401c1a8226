//! MediaPipe selfie segmentation: the probability that each pixel belongs to
//! the person, used to find the background and the top of the head.
//!
//! The network takes a 1x3x256x256 RGB tensor in 0-1 (the frame is stretched
//! to a square, as MediaPipe does) and returns a 256x256 mask in 0-1.

use image::RgbImage;
use tract_onnx::prelude::*;

use super::{Plan, model_error, planar_tensor};
use crate::Result;
use crate::resample::{Filter, resize};

const NAME: &str = "MediaPipe selfie segmentation";
const SIZE: usize = 256;

pub struct Segmenter {
    plan: Plan,
}

/// The person mask at 256x256, addressed in the frame's own coordinates.
#[derive(Debug, Clone)]
pub struct PersonMask {
    values: Vec<f32>,
    frame_width: u32,
    frame_height: u32,
}

impl PersonMask {
    /// Builds a mask from 256x256 row-major probabilities for a frame of
    /// `frame_width` x `frame_height` pixels.
    pub fn from_values(values: Vec<f32>, frame_width: u32, frame_height: u32) -> Self {
        assert_eq!(
            values.len(),
            SIZE * SIZE,
            "a person mask has 256x256 values"
        );
        Self {
            values,
            frame_width,
            frame_height,
        }
    }

    /// Probability that frame pixel (x, y) belongs to the person.
    pub fn at(&self, x: u32, y: u32) -> f32 {
        let mx = (x as usize * SIZE / self.frame_width as usize).min(SIZE - 1);
        let my = (y as usize * SIZE / self.frame_height as usize).min(SIZE - 1);
        self.values[my * SIZE + mx]
    }

    pub fn is_person(&self, x: u32, y: u32) -> bool {
        self.at(x, y) >= 0.5
    }
}

impl Segmenter {
    pub fn load(bytes: &[u8]) -> Result<Self> {
        let plan = tract_onnx::onnx()
            .model_for_read(&mut &bytes[..])
            .and_then(|m| m.with_input_fact(0, f32::fact([1, 3, SIZE, SIZE]).into()))
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(|e| model_error(NAME, e))?;
        Ok(Self { plan })
    }

    pub fn segment(&self, image: &RgbImage) -> Result<PersonMask> {
        let small = resize(image, SIZE as u32, SIZE as u32, Filter::Bilinear);
        let input = planar_tensor(&small, SIZE, SIZE, [0, 1, 2], 1.0 / 255.0);
        let outputs = self
            .plan
            .run(tvec!(input.into()))
            .map_err(|e| model_error(NAME, e))?;
        let values: Vec<f32> = outputs[0]
            .to_plain_array_view::<f32>()
            .map_err(|e| model_error(NAME, e))?
            .iter()
            .copied()
            .collect();
        Ok(PersonMask {
            values,
            frame_width: image.width(),
            frame_height: image.height(),
        })
    }
}
