//! A frame source that plays image files in a loop at a set frame rate,
//! through the same pipeline as a camera.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use image::RgbImage;

use super::FrameSource;
use crate::views::CameraSourceKind;
use crate::{Error, Result};

pub struct ReplaySource {
    name: String,
    frames: Vec<RgbImage>,
    interval: Duration,
    next: usize,
    due: Option<Instant>,
}

impl ReplaySource {
    /// Decodes every file up front, so that a bad file is reported at start
    /// and never mid-capture. All frames must share one size.
    pub fn open(name: &str, files: &[PathBuf], fps: f32) -> Result<Self> {
        if files.is_empty() {
            return Err(Error::Camera("replay needs at least one image file".into()));
        }
        if !(fps > 0.0 && fps <= 240.0) {
            return Err(Error::Invalid(format!(
                "replay frame rate {fps}: must be above 0 and at most 240"
            )));
        }
        let mut frames = Vec::with_capacity(files.len());
        for file in files {
            let frame = crate::decode::load_photo(file)?;
            if let Some(first) = frames.first().map(RgbImage::dimensions)
                && first != frame.dimensions()
            {
                return Err(Error::Invalid(format!(
                    "replay frame {} is {}x{} but the first frame is {}x{}: all frames must share one size",
                    file.display(),
                    frame.width(),
                    frame.height(),
                    first.0,
                    first.1
                )));
            }
            frames.push(frame);
        }
        Ok(Self {
            name: name.to_owned(),
            frames,
            interval: Duration::from_secs_f32(1.0 / fps),
            next: 0,
            due: None,
        })
    }

    /// Plays the JPEG and PNG files of `dir` in name order, or one file.
    pub fn open_path(path: &Path, fps: f32) -> Result<Self> {
        if !path.exists() {
            return Err(Error::Camera(format!(
                "replay path {} not found: give a folder of .jpg/.png frames or one image file",
                path.display()
            )));
        }
        let files = if path.is_dir() {
            image_files(path)?
        } else {
            vec![path.to_owned()]
        };
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        Self::open(&name, &files, fps)
    }
}

/// Lists the image files of a folder, sorted by name.
pub fn image_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "jpg" | "jpeg" | "png"))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(Error::Camera(format!(
            "no .jpg or .png files to replay in {}",
            dir.display()
        )));
    }
    Ok(files)
}

impl FrameSource for ReplaySource {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn kind(&self) -> CameraSourceKind {
        CameraSourceKind::Demo
    }

    fn size(&self) -> (u32, u32) {
        self.frames[0].dimensions()
    }

    fn next_frame(&mut self, _timeout: Duration) -> Result<RgbImage> {
        let now = Instant::now();
        let due = self.due.unwrap_or(now);
        if due > now {
            std::thread::sleep(due - now);
        }
        // Late frames are not made up for: the clock restarts from now, as
        // a camera that drops frames does.
        self.due = Some(due.max(now) + self.interval);
        let frame = self.frames[self.next].clone();
        self.next = (self.next + 1) % self.frames.len();
        Ok(frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_loops_over_frames() {
        let files = vec![
            crate::assets_dir().join("fixtures/chelsea.png"),
            crate::assets_dir().join("fixtures/chelsea.png"),
        ];
        let mut source = ReplaySource::open("test", &files, 200.0).unwrap();
        for _ in 0..5 {
            let frame = source.next_frame(Duration::from_secs(1)).unwrap();
            assert_eq!(frame.dimensions(), (451, 300));
        }
    }

    #[test]
    fn replay_paces_frames() {
        let files = vec![crate::assets_dir().join("fixtures/chelsea.png")];
        let mut source = ReplaySource::open("test", &files, 50.0).unwrap();
        let started = Instant::now();
        for _ in 0..6 {
            source.next_frame(Duration::from_secs(1)).unwrap();
        }
        // Six frames at 50 fps span at least five 20 ms intervals.
        assert!(started.elapsed() >= Duration::from_millis(100));
    }

    #[test]
    fn replay_rejects_mixed_sizes() {
        let files = vec![
            crate::assets_dir().join("fixtures/chelsea.png"),
            crate::assets_dir().join("fixtures/coffee.png"),
        ];
        let err = ReplaySource::open("test", &files, 25.0).err().unwrap();
        assert!(
            err.to_string().contains("all frames must share one size"),
            "{err}"
        );
    }
}
