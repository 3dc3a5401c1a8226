//! The face models: loading the ONNX files with their hashes checked, face
//! detection (YuNet), the 468-point face mesh and the person mask.

mod detector;
mod geometry;
mod mesh;
mod models;
mod segmenter;

pub use detector::Detector;
pub use geometry::{Face, Point, Rect};
pub use mesh::{FaceMesh, Mesh};
pub use models::{MODEL_FILES, ModelFile, Models};
pub use segmenter::{PersonMask, Segmenter};

use tract_onnx::prelude::*;

/// A model compiled for one input shape, ready to run.
pub(crate) type Plan = std::sync::Arc<TypedSimplePlan>;

pub(crate) fn model_error(name: &str, err: impl std::fmt::Display) -> crate::Error {
    crate::Error::Model {
        name: name.to_owned(),
        reason: format!("{err:#}"),
    }
}
