//! Tucai capture station core: the camera, the face models, the photo
//! checks, the station's records and one student's capture, with no window.
//!
//! The desktop crate `tucai-station` is a thin shell over this crate, so
//! everything here is tested headless on real photos and a real SQLite file.

pub mod camera;
pub mod checks;
pub mod config;
pub mod decode;
pub mod diagnostics;
pub mod error;
pub mod explain;
pub mod paths;
pub mod recapture;
pub mod resample;
pub mod station;
pub mod store;
pub mod sync;
pub mod text;
pub mod views;
pub mod vision;

pub use error::{Error, ErrorKind, Result};

/// Root of the files that ship with the station (models, profiles, roster
/// sample, demo camera frames): `TUCAI_ASSETS` when set, then the copy an
/// installer put beside the program, then the checkout's `assets` folder.
pub fn assets_dir() -> std::path::PathBuf {
    if let Some(dir) = std::env::var_os("TUCAI_ASSETS") {
        return dir.into();
    }
    if let Some(dir) = installed_assets_dir() {
        return dir;
    }
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets")
}

/// The assets an installer put beside the program: `/usr/lib/Tucai/assets`
/// for the Debian package, `Contents/Resources/assets` in the macOS app,
/// and `assets` next to the program on Windows.
fn installed_assets_dir() -> Option<std::path::PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let bin = exe.parent()?;
    [
        bin.join("../lib/Tucai/assets"),
        bin.join("../Resources/assets"),
        bin.join("assets"),
    ]
    .into_iter()
    .find(|dir| dir.join("models").is_dir())
}
