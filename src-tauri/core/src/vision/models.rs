//! The model files that ship in `assets/models`, their SHA-256 hashes, and
//! loading all three at once.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{Detector, FaceMesh, Segmenter};
use crate::{Error, Result};

/// A model file and the SHA-256 it must have.
#[derive(Debug, Clone, Copy)]
pub struct ModelFile {
    pub name: &'static str,
    pub file: &'static str,
    pub sha256: &'static str,
}

pub const YUNET: ModelFile = ModelFile {
    name: "YuNet face detector",
    file: "face_detection_yunet_2023mar.onnx",
    sha256: "8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4",
};

pub const FACE_MESH: ModelFile = ModelFile {
    name: "MediaPipe face mesh",
    file: "face_landmark.onnx",
    sha256: "2eb4c363f3b1d08ab6a40a5e85e9faa8e5ddd7ce2eb9b2977333e9b995755571",
};

pub const SELFIE_SEGMENTATION: ModelFile = ModelFile {
    name: "MediaPipe selfie segmentation",
    file: "selfie_segmentation.onnx",
    sha256: "6dc62b4d786349e79c1a96b213b2dd74c7e4ee169071d24ee8e13d2b98572c54",
};

pub const MODEL_FILES: [ModelFile; 3] = [YUNET, FACE_MESH, SELFIE_SEGMENTATION];

impl ModelFile {
    /// Reads the file from `dir` and checks its hash, so that a truncated or
    /// replaced model is rejected before it can give wrong results.
    pub fn read_verified(&self, dir: &Path) -> Result<Vec<u8>> {
        let path = dir.join(self.file);
        let bytes = std::fs::read(&path).map_err(|e| Error::Model {
            name: self.name.to_owned(),
            reason: format!("cannot read {}: {e}; reinstall the station", path.display()),
        })?;

        let actual = hex::encode(Sha256::digest(&bytes));
        if actual != self.sha256 {
            return Err(Error::Model {
                name: self.name.to_owned(),
                reason: format!(
                    "{} has SHA-256 {actual}, expected {}; the file is damaged or was replaced, reinstall the station",
                    path.display(),
                    self.sha256
                ),
            });
        }
        Ok(bytes)
    }
}

/// All three models, loaded once and shared by the live and full checks.
pub struct Models {
    pub detector: Detector,
    pub mesh: FaceMesh,
    pub segmenter: Segmenter,
}

impl Models {
    pub fn load(dir: &Path) -> Result<Self> {
        let started = std::time::Instant::now();
        let models = Self {
            detector: Detector::load(&YUNET.read_verified(dir)?)?,
            mesh: FaceMesh::load(&FACE_MESH.read_verified(dir)?)?,
            segmenter: Segmenter::load(&SELFIE_SEGMENTATION.read_verified(dir)?)?,
        };
        tracing::info!(dir = %dir.display(), ms = started.elapsed().as_millis(), "models loaded");
        Ok(models)
    }

    /// Loads the models from the station's assets folder.
    pub fn load_bundled() -> Result<Self> {
        Self::load(&bundled_dir())
    }
}

pub fn bundled_dir() -> PathBuf {
    crate::assets_dir().join("models")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_models_match_their_hashes() {
        for model in MODEL_FILES {
            let result = model.read_verified(&bundled_dir());
            assert!(result.is_ok(), "{}: {:?}", model.file, result.err());
        }
    }

    #[test]
    fn altered_model_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(YUNET.file), b"not a model").unwrap();
        let err = YUNET.read_verified(dir.path()).unwrap_err();
        assert!(err.to_string().contains("expected 8f2383e4"), "{err}");
    }
}
