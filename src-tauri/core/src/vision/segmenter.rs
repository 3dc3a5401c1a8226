//! MediaPipe selfie segmentation: the probability that each pixel belongs to
//! the person, used to find the background and the top of the head.
//!
//! The network takes a 1x3x256x256 RGB tensor in 0-1 (the frame is stretched
//! to a square, as MediaPipe does) and returns a 256x256 mask in 0-1.

use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, SyncSender};

use image::RgbImage;
use tract_onnx::prelude::*;

use super::{Plan, model_error, planar_tensor};
use crate::Result;
use crate::resample::{Filter, resize};

const NAME: &str = "MediaPipe selfie segmentation";
const SIZE: usize = 256;

pub struct Segmenter {
    plan: Plan,
    /// Jobs for the mask's own thread, started on first use. The mask runs
    /// there beside the detector and the mesh. The thread lives as long as
    /// the models, because the network's first run on a new thread costs
    /// about as much as the run itself.
    worker: Mutex<Option<SyncSender<Job>>>,
}

type Job = (Tensor, SyncSender<Result<Vec<f32>>>);

/// A mask being computed on the mask's thread.
pub struct PendingMask {
    answer: Option<Receiver<Result<Vec<f32>>>>,
    /// The input, kept when no thread took it, to be run by `wait`.
    input: Option<Tensor>,
    plan: Plan,
    frame_width: u32,
    frame_height: u32,
}

impl PendingMask {
    /// Waits for the mask.
    pub fn wait(self) -> Result<PersonMask> {
        let values = match (self.answer, self.input) {
            (Some(answer), _) => answer.recv().unwrap_or_else(|_| {
                Err(model_error(NAME, "the mask's thread stopped unexpectedly"))
            })?,
            (None, Some(input)) => run(&self.plan, input)?,
            (None, None) => return Err(model_error(NAME, "no input for the mask")),
        };
        Ok(PersonMask {
            values,
            frame_width: self.frame_width,
            frame_height: self.frame_height,
        })
    }
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
        Ok(Self {
            plan,
            worker: Mutex::new(None),
        })
    }

    /// Computes the person mask of `image` on the calling thread.
    pub fn segment(&self, image: &RgbImage) -> Result<PersonMask> {
        let values = run(&self.plan, input_tensor(image))?;
        Ok(PersonMask {
            values,
            frame_width: image.width(),
            frame_height: image.height(),
        })
    }

    /// Starts the person mask of `image` on the mask's thread and returns
    /// at once; `PendingMask::wait` gives the mask. Where no thread can be
    /// started, `wait` computes it on the caller's thread.
    pub fn start(&self, image: &RgbImage) -> PendingMask {
        let input = input_tensor(image);
        let mut pending = PendingMask {
            answer: None,
            input: None,
            plan: self.plan.clone(),
            frame_width: image.width(),
            frame_height: image.height(),
        };
        let Some(jobs) = self.worker() else {
            pending.input = Some(input);
            return pending;
        };
        let (reply, answer) = mpsc::sync_channel(1);
        match jobs.send((input, reply)) {
            Ok(()) => pending.answer = Some(answer),
            Err(mpsc::SendError((input, _))) => {
                // The thread has stopped: start a new one for the next job.
                *self.worker.lock().unwrap_or_else(|e| e.into_inner()) = None;
                pending.input = Some(input);
            }
        }
        pending
    }

    fn worker(&self) -> Option<SyncSender<Job>> {
        let mut worker = self.worker.lock().unwrap_or_else(|e| e.into_inner());
        if worker.is_none() {
            let (jobs, queue) = mpsc::sync_channel::<Job>(4);
            let plan = self.plan.clone();
            let started = std::thread::Builder::new()
                .name("person-mask".into())
                .spawn(move || {
                    for (input, reply) in queue {
                        // The caller may have stopped waiting; nothing to do then.
                        let _ = reply.send(run(&plan, input));
                    }
                });
            match started {
                Ok(_) => *worker = Some(jobs),
                Err(e) => tracing::warn!(error = %e, "cannot start the person mask's thread"),
            }
        }
        worker.clone()
    }
}

fn input_tensor(image: &RgbImage) -> Tensor {
    let small = resize(image, SIZE as u32, SIZE as u32, Filter::Bilinear);
    planar_tensor(&small, SIZE, SIZE, [0, 1, 2], 1.0 / 255.0)
}

fn run(plan: &Plan, input: Tensor) -> Result<Vec<f32>> {
    let outputs = plan
        .run(tvec!(input.into()))
        .map_err(|e| model_error(NAME, e))?;
    Ok(outputs[0]
        .to_plain_array_view::<f32>()
        .map_err(|e| model_error(NAME, e))?
        .iter()
        .copied()
        .collect())
}
