//! The short history of preview frames that the cues across frames read:
//! downsized copies of the frames the live checks saw in the last second,
//! with when they arrived and the eye openings measured on them.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use image::RgbImage;

use crate::resample::{Filter, resize};

/// Maximum side of a frame kept in the history, in pixels.
pub const HISTORY_SIDE: u32 = 320;
/// Age beyond which a frame leaves the history.
pub const HISTORY_SPAN: Duration = Duration::from_millis(1200);
/// Most frames kept, whatever their age, so memory stays bounded (about
/// 300 KB a frame) even when frames arrive faster than expected.
const MAX_FRAMES: usize = 12;

/// One preview frame as the history keeps it.
#[derive(Debug, Clone)]
pub struct RecentFrame {
    /// The frame scaled to fit `HISTORY_SIDE`.
    pub image: RgbImage,
    /// History pixels per full-frame pixel.
    pub scale: f32,
    pub received: Instant,
    /// Right and left eye openings from the face mesh, when one face was
    /// measured on this frame.
    pub eye_openings: Option<(f32, f32)>,
}

impl RecentFrame {
    /// Downsizes `frame` into a history entry.
    pub fn new(frame: &RgbImage, received: Instant, eye_openings: Option<(f32, f32)>) -> Self {
        let scale = (HISTORY_SIDE as f32 / frame.width().max(frame.height()) as f32).min(1.0);
        let width = ((frame.width() as f32 * scale).round() as u32).max(1);
        let height = ((frame.height() as f32 * scale).round() as u32).max(1);
        let image = if scale < 1.0 {
            resize(frame, width, height, Filter::Bilinear)
        } else {
            frame.clone()
        };
        Self {
            image,
            scale: width as f32 / frame.width() as f32,
            received,
            eye_openings,
        }
    }
}

/// A ring buffer of the recent preview frames, oldest first.
#[derive(Debug, Default)]
pub struct FrameHistory {
    frames: VecDeque<RecentFrame>,
}

impl FrameHistory {
    /// Appends a frame and drops those older than `HISTORY_SPAN` before it
    /// (and the oldest beyond `MAX_FRAMES`).
    pub fn push(&mut self, frame: RecentFrame) {
        let newest = frame.received;
        self.frames.push_back(frame);
        while self.frames.len() > MAX_FRAMES
            || self
                .frames
                .front()
                .is_some_and(|f| newest.saturating_duration_since(f.received) > HISTORY_SPAN)
        {
            self.frames.pop_front();
        }
    }

    /// Returns the frames received up to `until` and within `HISTORY_SPAN`
    /// before it, oldest first.
    pub fn until(&self, until: Instant) -> Vec<RecentFrame> {
        self.frames
            .iter()
            .filter(|f| {
                f.received <= until && until.saturating_duration_since(f.received) <= HISTORY_SPAN
            })
            .cloned()
            .collect()
    }

    pub fn len(&self) -> usize {
        self.frames.len()
    }

    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    pub fn clear(&mut self) {
        self.frames.clear();
    }
}
