//! Tucai capture station core: the camera, the face models, the photo
//! checks, the station's records and one student's capture, with no window.
//!
//! The desktop crate `tucai-station` is a thin shell over this crate, so
//! everything here is tested headless on real photos and a real SQLite file.

pub mod camera;
pub mod checks;
pub mod config;
pub mod decode;
pub mod error;
pub mod paths;
pub mod recapture;
pub mod station;
pub mod store;
pub mod text;
pub mod views;
pub mod vision;

pub use error::{Error, ErrorKind, Result};

/// Root of the files that ship with the station (models, profiles, roster
/// sample, demo camera frames), found beside the workspace when run from a
/// checkout.
pub fn assets_dir() -> std::path::PathBuf {
    if let Some(dir) = std::env::var_os("TUCAI_ASSETS") {
        return dir.into();
    }
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets")
}
