//! A synthetic presentation-attack corpus built in code from the committed
//! real photos. Bona fide sequences show the person swaying before a still
//! background. Attacks are of three types: a print, a screen showing the
//! photo, and a video replayed on a screen. Each sample is the second of
//! preview frames before a capture.
//!
//! Every sample is generated from its own seed (ChaCha8), so the corpus is
//! the same on every machine. Samples are rendered one at a time, because
//! a sample's six 720x960 frames take about 12 MB.

mod attacks;
mod bona_fide;
mod canvas;

use std::time::{Duration, Instant};

use image::{GrayImage, RgbImage};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub use attacks::{PrintKind, ScreenKind};

use super::{Assessment, RecentFrame, assess};
use crate::Result;
use crate::checks::{self, Analysis, Profile};
use crate::vision::Models;

/// Size of a corpus frame: the demo camera's portrait 720x960.
pub const FRAME_WIDTH: u32 = 720;
pub const FRAME_HEIGHT: u32 = 960;
/// Frames in a sample: one second at the live checks' rate.
pub const FRAMES: usize = 6;
/// Time between two frames of a sample, as the live checks run.
pub const INTERVAL: Duration = Duration::from_millis(200);

/// The photos of `assets/fixtures` that show a face.
pub const PHOTOS: [&str; 3] = [
    "grace_hopper.jpg",
    "astronaut.png",
    "grace_hopper_uniform_bg.png",
];
/// A photo with no face, used out of focus as a cluttered room.
const CLUTTER: &str = "coffee.png";

/// The presentation before the camera, in ISO/IEC 30107-3 terms: bona
/// fide or an attack of one type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Presentation {
    BonaFide,
    Print,
    Screen,
    Replay,
}

impl Presentation {
    pub const ATTACKS: [Presentation; 3] = [Self::Print, Self::Screen, Self::Replay];

    pub fn name(self) -> &'static str {
        match self {
            Self::BonaFide => "bona fide",
            Self::Print => "print",
            Self::Screen => "screen",
            Self::Replay => "replay",
        }
    }
}

/// A real photo and its person mask (0-255).
pub struct Source {
    pub name: String,
    pub photo: RgbImage,
    pub mask: GrayImage,
}

/// Samples per photo: bona fide sequences, and attacks of each type.
#[derive(Debug, Clone, Copy)]
pub struct CorpusSize {
    pub bona_fide: usize,
    pub attacks: usize,
}

/// One sample to render: which photo, which presentation, which variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub photo: usize,
    pub presentation: Presentation,
    pub variant: usize,
    pub seed: u64,
}

/// A rendered sample: the frames of the second before the capture, oldest
/// first; the last frame is the capture.
pub struct Sample {
    pub name: String,
    pub presentation: Presentation,
    pub frames: Vec<RgbImage>,
}

impl Sample {
    pub fn capture(&self) -> &RgbImage {
        self.frames.last().expect("a sample has frames")
    }
}

/// The photos the corpus is built from.
pub struct Corpus {
    sources: Vec<Source>,
    clutter: RgbImage,
}

impl Corpus {
    /// Loads the photos from `assets/fixtures` and cuts out their persons
    /// with the bundled person mask model.
    pub fn load(models: &Models) -> Result<Self> {
        let fixtures = crate::assets_dir().join("fixtures");
        let mut sources = Vec::new();
        for name in PHOTOS {
            let photo = crate::decode::load_photo(&fixtures.join(name))?;
            let mask = models.segmenter.segment(&photo)?;
            let mask = GrayImage::from_fn(photo.width(), photo.height(), |x, y| {
                image::Luma([(mask.at(x, y) * 255.0).round() as u8])
            });
            sources.push(Source {
                name: name.to_owned(),
                photo,
                mask,
            });
        }
        let clutter = crate::decode::load_photo(&fixtures.join(CLUTTER))?;
        Ok(Self { sources, clutter })
    }

    /// Lists the samples of a corpus of `size` from `seed`, bona fide
    /// first, then attacks by type.
    pub fn specs(&self, seed: u64, size: CorpusSize) -> Vec<Spec> {
        let mut specs = Vec::new();
        let kinds = std::iter::once((Presentation::BonaFide, size.bona_fide))
            .chain(Presentation::ATTACKS.map(|p| (p, size.attacks)));
        for (presentation, count) in kinds {
            for photo in 0..self.sources.len() {
                for variant in 0..count {
                    let index = specs.len() as u64;
                    specs.push(Spec {
                        photo,
                        presentation,
                        variant,
                        seed: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(index),
                    });
                }
            }
        }
        specs
    }

    /// Renders one sample.
    pub fn render(&self, spec: &Spec) -> Sample {
        let source = &self.sources[spec.photo];
        let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
        let v = spec.variant;

        let clutter = (v % 4 == 3).then_some(&self.clutter);
        // Every third print or screen rests on a stand; the others shake
        // in a hand. A replay is always held.
        let shake = if v % 3 == 2 {
            0.0
        } else {
            rng.random_range(1.0..3.0)
        };
        let screen = if v.is_multiple_of(2) {
            ScreenKind::Phone
        } else {
            ScreenKind::Tablet
        };

        let (frames, style) = match spec.presentation {
            Presentation::BonaFide => {
                let stage = bona_fide::Stage::new(source);
                let sway = rng.random_range(0.5..3.0);
                let jpeg = (v % 2 == 1).then_some(90);
                let frames = bona_fide::sequence(&stage, &mut rng, FRAMES, sway, jpeg);
                (frames, format!("sway {sway:.1} px"))
            }
            Presentation::Print => {
                let kind = if v.is_multiple_of(2) {
                    PrintKind::Office
                } else {
                    PrintKind::Glossy
                };
                let frames =
                    attacks::print_sequence(source, &mut rng, FRAMES, kind, clutter, shake);
                (frames, format!("{kind:?}").to_lowercase())
            }
            Presentation::Screen => {
                let frames = attacks::screen_sequence(
                    source, None, &mut rng, FRAMES, screen, clutter, shake,
                );
                (frames, format!("{screen:?}").to_lowercase())
            }
            Presentation::Replay => {
                let stage = bona_fide::Stage::new(source);
                let shake = rng.random_range(1.5..4.0);
                let frames = attacks::screen_sequence(
                    source,
                    Some(&stage),
                    &mut rng,
                    FRAMES,
                    screen,
                    clutter,
                    shake,
                );
                (frames, format!("{screen:?}").to_lowercase())
            }
        };

        let attack = spec.presentation != Presentation::BonaFide;
        let room = if attack && clutter.is_some() {
            ", cluttered room"
        } else {
            ""
        };
        Sample {
            name: format!(
                "{} / {} #{v} ({style}{room})",
                source.name,
                spec.presentation.name()
            ),
            presentation: spec.presentation,
            frames,
        }
    }
}

/// Runs a sample through the station's path: the live checks' eye
/// openings on every frame into a history, then the full analysis of the
/// capture and the recapture assessment.
pub fn evaluate(sample: &Sample, models: &Models, profile: &Profile) -> Result<Evaluation> {
    let start = Instant::now();
    let mut history = Vec::with_capacity(sample.frames.len());
    let last = sample.frames.len() - 1;
    for (i, frame) in sample.frames[..last].iter().enumerate() {
        let eyes = eye_openings(frame, models)?;
        history.push(RecentFrame::new(frame, start + INTERVAL * i as u32, eyes));
    }
    let capture = sample.capture();
    let analysis = checks::analyse(capture, models, profile)?;
    let eyes = analysis.usable_mesh().map(|m| m.eye_openings());
    history.push(RecentFrame::new(
        capture,
        start + INTERVAL * last as u32,
        eyes,
    ));

    let started = Instant::now();
    let assessment = assess(capture, &analysis, &history);
    Ok(Evaluation {
        assessment,
        analysis,
        assess_time: started.elapsed(),
    })
}

/// The outcome of one sample.
pub struct Evaluation {
    pub assessment: Assessment,
    pub analysis: Analysis,
    /// Time the recapture assessment took, without the face models.
    pub assess_time: Duration,
}

/// Eye openings on a frame with a single face, as the live checks measure.
fn eye_openings(frame: &RgbImage, models: &Models) -> Result<Option<(f32, f32)>> {
    let faces: Vec<_> = models
        .detector
        .detect(frame)?
        .into_iter()
        .filter(|f| f.score >= checks::FACE_SCORE)
        .collect();
    let [face] = faces.as_slice() else {
        return Ok(None);
    };
    let mesh = models.mesh.landmarks(frame, face)?;
    Ok((mesh.presence >= 0.5).then(|| mesh.eye_openings()))
}
