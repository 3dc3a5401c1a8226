//! Recapture detection: cues that a printed photo, a screen or a video
//! replayed on a screen is held up to the camera instead of a person.
//!
//! Single-frame cues run on the full-resolution capture with the face and
//! person mask of its `checks::Analysis`. Cues across frames run on the
//! station's short history of preview frames. Each cue reports its measured
//! value, and the rule `recapture` fails when one strong cue fires, or when
//! two supporting cues fire without a change of eye opening to speak for a
//! live face.

mod colour;
pub mod corpus;
mod edges;
mod focus;
mod glare;
mod history;
mod motion;
mod rule;
mod spectrum;

pub use history::{FrameHistory, HISTORY_SIDE, HISTORY_SPAN, RecentFrame};
pub use rule::{RULE, rule};

use image::RgbImage;

use crate::checks::Analysis;
use crate::text::Text;
use crate::vision::Rect;

/// How much a cue weighs in the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CueWeight {
    /// Suspects a recapture on its own.
    Strong,
    /// Suspects a recapture together with a second supporting cue.
    Supporting,
    /// Speaks for a live face; never suspects on its own.
    Liveness,
}

/// One measured cue.
#[derive(Debug, Clone, PartialEq)]
pub struct Cue {
    /// Stable name, such as `spectral_peak`.
    pub name: &'static str,
    pub title: Text,
    pub weight: CueWeight,
    /// The measured value, or `None` when this frame or history does not
    /// allow the measurement (the reason is in `note`).
    pub value: Option<f32>,
    /// Value at which the cue fires.
    pub threshold: f32,
    /// True when the value is at or above the threshold (for cues where
    /// large means suspect) or at or below it (for the others).
    pub fired: bool,
    pub unit: &'static str,
    /// Reason the value is missing, when it is.
    pub note: Option<&'static str>,
}

impl Cue {
    fn above(
        name: &'static str,
        title: Text,
        weight: CueWeight,
        value: f32,
        threshold: f32,
    ) -> Self {
        Self {
            name,
            title,
            weight,
            value: Some(value),
            threshold,
            fired: value >= threshold,
            unit: "",
            note: None,
        }
    }

    fn below(
        name: &'static str,
        title: Text,
        weight: CueWeight,
        value: f32,
        threshold: f32,
    ) -> Self {
        Self {
            fired: value <= threshold,
            ..Self::above(name, title, weight, value, threshold)
        }
    }

    fn unmeasured(
        name: &'static str,
        title: Text,
        weight: CueWeight,
        threshold: f32,
        note: &'static str,
    ) -> Self {
        Self {
            name,
            title,
            weight,
            value: None,
            threshold,
            fired: false,
            unit: "",
            note: Some(note),
        }
    }

    fn with_unit(mut self, unit: &'static str) -> Self {
        self.unit = unit;
        self
    }

    /// Formats the value for the report, such as `spectral_peak 41.2 dB (≥ 18)`.
    pub fn describe(&self) -> String {
        let unit = if self.unit.is_empty() {
            String::new()
        } else {
            format!(" {}", self.unit)
        };
        match self.value {
            Some(value) => format!(
                "{} {value:.2}{unit} (threshold {:.2})",
                self.name, self.threshold
            ),
            None => format!("{} not measured: {}", self.name, self.note.unwrap_or("")),
        }
    }
}

/// The cues of one capture and the verdict drawn from them.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub cues: Vec<Cue>,
    /// True when the cues suspect a recapture.
    pub suspected: bool,
}

impl Assessment {
    fn from_cues(cues: Vec<Cue>) -> Self {
        let strong = cues
            .iter()
            .any(|c| c.fired && c.weight == CueWeight::Strong);
        let supporting = cues
            .iter()
            .filter(|c| c.fired && c.weight == CueWeight::Supporting)
            .count();
        let live = cues
            .iter()
            .any(|c| c.fired && c.weight == CueWeight::Liveness);
        Self {
            suspected: strong || (supporting >= 2 && !live),
            cues,
        }
    }

    /// Returns the cues that fired.
    pub fn fired(&self) -> impl Iterator<Item = &Cue> {
        self.cues.iter().filter(|c| c.fired)
    }

    pub fn cue(&self, name: &str) -> Option<&Cue> {
        self.cues.iter().find(|c| c.name == name)
    }
}

/// Runs the single-frame cues on a capture.
pub fn frame_cues(image: &RgbImage, analysis: &Analysis) -> Vec<Cue> {
    let face = analysis.face().map(|f| f.bbox);
    let mask = analysis.mask.as_ref();
    vec![
        spectrum::cue(image, face),
        edges::cue(image, face),
        glare::cue(image, analysis.face_region()),
        colour::black_level_cue(image, face),
        colour::skin_tone_cue(image, face),
        focus::cue(image, face, mask),
    ]
}

/// Runs the cues across the preview frames before the capture.
pub fn history_cues(history: &[RecentFrame], analysis: &Analysis) -> Vec<Cue> {
    let (face, mask) = (analysis.face().map(|f| f.bbox), analysis.mask.as_ref());
    vec![
        motion::planar_cue(history, face, mask, (analysis.width, analysis.height)),
        motion::eye_change_cue(history),
    ]
}

/// Assesses one capture with the single-frame cues and, when `history`
/// contains frames, the cues across frames.
pub fn assess(image: &RgbImage, analysis: &Analysis, history: &[RecentFrame]) -> Assessment {
    let mut cues = frame_cues(image, analysis);
    cues.extend(history_cues(history, analysis));
    Assessment::from_cues(cues)
}

/// Rec. 601 luma of an 8-bit RGB pixel.
fn luma(p: &image::Rgb<u8>) -> f32 {
    crate::checks::measure::luma(p)
}

/// Grows `rect` about its centre by `factor` and clamps it to the frame.
fn grow(rect: &Rect, factor: f32, width: u32, height: u32) -> Rect {
    let center = rect.center();
    let (w, h) = (rect.width * factor, rect.height * factor);
    let x0 = (center.x - w / 2.0).max(0.0);
    let y0 = (center.y - h / 2.0).max(0.0);
    let x1 = (center.x + w / 2.0).min(width as f32);
    let y1 = (center.y + h / 2.0).min(height as f32);
    Rect {
        x: x0,
        y: y0,
        width: (x1 - x0).max(0.0),
        height: (y1 - y0).max(0.0),
    }
}

#[cfg(test)]
mod tests;
