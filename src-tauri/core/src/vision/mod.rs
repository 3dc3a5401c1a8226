//! The face models: loading the ONNX files with their hashes checked, face
//! detection (YuNet), the 468-point face mesh and the person mask.

mod detector;
mod geometry;
mod mesh;
mod models;
mod segmenter;

pub use detector::{CAPTURE_SIDE, Detector, PREVIEW_SIDE};
pub use geometry::{Face, Point, Rect};
pub use mesh::{FaceMesh, Mesh};
pub use models::{MODEL_FILES, ModelFile, Models};
pub use segmenter::{PersonMask, Segmenter};

use tract_onnx::prelude::*;

/// A model compiled for one input shape, ready to run.
pub(crate) type Plan = std::sync::Arc<TypedSimplePlan>;

/// Lays `image` out as a 1x3xHxW tensor: channel `c` contains the image's
/// channel `order[c]` times `scale`, and rows and columns past the image's
/// edge are zero (the padding the detector needs).
pub(crate) fn planar_tensor(
    image: &image::RgbImage,
    height: usize,
    width: usize,
    order: [usize; 3],
    scale: f32,
) -> Tensor {
    let plane = height * width;
    let mut data = vec![0f32; 3 * plane];
    let image_width = image.width() as usize;
    let columns = image_width.min(width);
    for (y, row) in image
        .as_raw()
        .chunks_exact(image_width * 3)
        .take(height)
        .enumerate()
    {
        for (x, pixel) in row.chunks_exact(3).take(columns).enumerate() {
            let at = y * width + x;
            for (c, &from) in order.iter().enumerate() {
                data[c * plane + at] = f32::from(pixel[from]) * scale;
            }
        }
    }
    tract_ndarray::Array4::from_shape_vec((1, 3, height, width), data)
        .expect("the buffer has the length of 3 planes of height x width")
        .into()
}

pub(crate) fn model_error(name: &str, err: impl std::fmt::Display) -> crate::Error {
    crate::Error::Model {
        name: name.to_owned(),
        reason: format!("{err:#}"),
    }
}
