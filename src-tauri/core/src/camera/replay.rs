//! A frame source that plays recorded frames in a loop at a set frame
//! rate, through the same pipeline as a camera.
//!
//! It plays either image files (`.jpg`, `.jpeg`, `.png`), decoded once at
//! start, or recorded raw camera buffers. A folder of raw buffers contains a
//! sidecar file `raw.toml` and files named by format: `*.yuyv`, `*.nv12`
//! and `*.mjpeg`, played in name order (such as `frame-000.yuyv`). Each
//! buffer is read from disk when it is due and decoded by the feed thread
//! with `decode_buffer`, exactly as a device's buffer is. A buffer file that
//! cannot be read is a failed read, as a device that stops responding.
//!
//! `raw.toml` gives the frame size in pixels and, per format, the row
//! strides and the chroma plane's offset in bytes. A missing section or key
//! means a buffer without padding:
//!
//! ```toml
//! width = 640
//! height = 480
//!
//! [yuyv]
//! stride = 1280          # bytes per row; default 2 x width
//!
//! [nv12]
//! stride = 704           # bytes per luma row; default width
//! chroma_stride = 704    # bytes per chroma row; default stride
//! chroma_offset = 337920 # chroma plane's start; default stride x height
//! ```

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use image::RgbImage;
use serde::Deserialize;

use super::{FrameData, FrameSource, PixelFormat, RawBuffer, RawLayout};
use crate::views::CameraSourceKind;
use crate::{Error, Result};

/// Name of the sidecar file that marks a folder of raw buffers.
pub const RAW_SIDECAR: &str = "raw.toml";

pub struct ReplaySource {
    name: String,
    frames: Frames,
    size: (u32, u32),
    interval: Duration,
    next: usize,
    due: Option<Instant>,
}

enum Frames {
    Decoded(Vec<RgbImage>),
    Raw(Vec<RawFile>),
}

impl Frames {
    fn len(&self) -> usize {
        match self {
            Frames::Decoded(frames) => frames.len(),
            Frames::Raw(files) => files.len(),
        }
    }
}

struct RawFile {
    path: PathBuf,
    format: PixelFormat,
    layout: RawLayout,
}

/// The contents of `raw.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSidecar {
    width: u32,
    height: u32,
    #[serde(default)]
    yuyv: PlaneLayout,
    #[serde(default)]
    nv12: PlaneLayout,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlaneLayout {
    stride: Option<usize>,
    chroma_stride: Option<usize>,
    chroma_offset: Option<usize>,
}

impl RawSidecar {
    fn read(dir: &Path) -> Result<Self> {
        let path = dir.join(RAW_SIDECAR);
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let sidecar: Self = toml::from_str(&text).map_err(|e| {
            Error::Invalid(format!(
                "{}: {e}; expected width, height and optional [yuyv] and [nv12] sections with stride, chroma_stride and chroma_offset",
                path.display()
            ))
        })?;
        if sidecar.width == 0 || sidecar.height == 0 {
            return Err(Error::Invalid(format!(
                "{}: width and height must be above 0",
                path.display()
            )));
        }
        Ok(sidecar)
    }

    fn layout(&self, format: PixelFormat) -> RawLayout {
        let unpadded = format.unpadded_layout(self.width, self.height);
        let planes = match format {
            PixelFormat::Yuyv => &self.yuyv,
            PixelFormat::Nv12 => &self.nv12,
            _ => return unpadded,
        };
        let stride = planes.stride.unwrap_or(unpadded.stride);
        let (chroma_stride, chroma_offset) = match format {
            PixelFormat::Nv12 => (
                planes.chroma_stride.unwrap_or(stride),
                planes
                    .chroma_offset
                    .unwrap_or(stride * self.height as usize),
            ),
            _ => (0, 0),
        };
        RawLayout {
            stride,
            chroma_stride,
            chroma_offset,
            ..unpadded
        }
    }
}

impl ReplaySource {
    /// Decodes every image file up front, so that a bad file is reported at
    /// start and never mid-capture. All frames must share one size.
    pub fn open(name: &str, files: &[PathBuf], fps: f32) -> Result<Self> {
        if files.is_empty() {
            return Err(Error::Camera("replay needs at least one image file".into()));
        }
        check_fps(fps)?;
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
        let size = frames[0].dimensions();
        Ok(Self::new(name, Frames::Decoded(frames), size, fps))
    }

    /// Plays the recorded raw buffers of `dir`, laid out as its `raw.toml`
    /// gives. The buffers are not read until played, so a bad one reaches
    /// the feed thread as a device's would.
    pub fn open_raw(dir: &Path, fps: f32) -> Result<Self> {
        check_fps(fps)?;
        let sidecar = RawSidecar::read(dir)?;
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        let mut paths: Vec<(PathBuf, PixelFormat)> = entries
            .flatten()
            .map(|e| e.path())
            .filter_map(|p| raw_format(&p).map(|format| (p, format)))
            .collect();
        paths.sort_by(|a, b| a.0.cmp(&b.0));
        if paths.is_empty() {
            return Err(Error::Camera(format!(
                "no .yuyv, .nv12 or .mjpeg files to replay in {}",
                dir.display()
            )));
        }
        let files = paths
            .into_iter()
            .map(|(path, format)| RawFile {
                layout: sidecar.layout(format),
                path,
                format,
            })
            .collect();
        Ok(Self::new(
            &display_name(dir),
            Frames::Raw(files),
            (sidecar.width, sidecar.height),
            fps,
        ))
    }

    fn new(name: &str, frames: Frames, size: (u32, u32), fps: f32) -> Self {
        Self {
            name: name.to_owned(),
            frames,
            size,
            interval: Duration::from_secs_f32(1.0 / fps),
            next: 0,
            due: None,
        }
    }

    /// Plays a folder of raw buffers (one with a `raw.toml`), the JPEG and
    /// PNG files of a folder in name order, or one image file.
    pub fn open_path(path: &Path, fps: f32) -> Result<Self> {
        if !path.exists() {
            return Err(Error::Camera(format!(
                "replay path {} not found: give a folder of .jpg/.png frames, a folder of raw buffers with {RAW_SIDECAR}, or one image file",
                path.display()
            )));
        }
        if path.join(RAW_SIDECAR).is_file() {
            return Self::open_raw(path, fps);
        }
        let files = if path.is_dir() {
            image_files(path)?
        } else {
            vec![path.to_owned()]
        };
        Self::open(&display_name(path), &files, fps)
    }
}

fn check_fps(fps: f32) -> Result<()> {
    if !(fps > 0.0 && fps <= 240.0) {
        return Err(Error::Invalid(format!(
            "replay frame rate {fps}: must be above 0 and at most 240"
        )));
    }
    Ok(())
}

fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Returns the pixel format a raw buffer file's extension names.
fn raw_format(path: &Path) -> Option<PixelFormat> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    match extension.as_str() {
        "yuyv" => Some(PixelFormat::Yuyv),
        "nv12" => Some(PixelFormat::Nv12),
        "mjpeg" => Some(PixelFormat::Mjpeg),
        _ => None,
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
        self.size
    }

    fn requested_fps(&self) -> Option<u32> {
        Some((1.0 / self.interval.as_secs_f32()).round().max(1.0) as u32)
    }

    fn next_frame(&mut self, _timeout: Duration) -> Result<FrameData> {
        let now = Instant::now();
        let due = self.due.unwrap_or(now);
        if due > now {
            std::thread::sleep(due - now);
        }
        // Late frames are not made up for: the clock restarts from now, as
        // a camera that drops frames does.
        self.due = Some(due.max(now) + self.interval);
        let index = self.next;
        self.next = (self.next + 1) % self.frames.len();
        match &self.frames {
            Frames::Decoded(frames) => Ok(FrameData::Rgb(frames[index].clone())),
            Frames::Raw(files) => {
                let file = &files[index];
                let bytes = std::fs::read(&file.path).map_err(|e| {
                    Error::Camera(format!(
                        "cannot read the recorded buffer {}: {e}",
                        file.path.display()
                    ))
                })?;
                Ok(FrameData::Raw(RawBuffer {
                    format: file.format,
                    layout: file.layout,
                    bytes,
                }))
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::camera::decode_buffer;

    /// Returns a frame's RGB image, decoding a raw buffer as the feed does.
    fn rgb(frame: FrameData) -> RgbImage {
        match frame {
            FrameData::Rgb(image) => image,
            FrameData::Raw(buffer) => decode_buffer(&buffer).unwrap(),
        }
    }

    /// Converts RGB to BT.601 limited-range Y, U and V, the inverse of the
    /// conversion the decoder applies.
    fn yuv(pixel: image::Rgb<u8>) -> [f32; 3] {
        let [r, g, b] = pixel.0.map(f32::from);
        [
            16.0 + 0.257 * r + 0.504 * g + 0.098 * b,
            128.0 - 0.148 * r - 0.291 * g + 0.439 * b,
            128.0 + 0.439 * r - 0.368 * g - 0.071 * b,
        ]
    }

    fn byte(value: f32) -> u8 {
        value.round().clamp(0.0, 255.0) as u8
    }

    /// Returns the fixture photo cropped to an even width, as every raw
    /// format here needs.
    pub(crate) fn photo() -> RgbImage {
        let photo = image::open(crate::assets_dir().join("fixtures/chelsea.png"))
            .unwrap()
            .to_rgb8();
        let (width, height) = (photo.width() & !1, photo.height() & !1);
        image::imageops::crop_imm(&photo, 0, 0, width, height).to_image()
    }

    /// Packs a photo as YUYV with `pad` bytes after each row.
    pub(crate) fn yuyv_bytes(photo: &RgbImage, pad: usize) -> Vec<u8> {
        let mut bytes = Vec::new();
        for y in 0..photo.height() {
            for x in (0..photo.width()).step_by(2) {
                let [y0, u0, v0] = yuv(*photo.get_pixel(x, y));
                let [y1, u1, v1] = yuv(*photo.get_pixel(x + 1, y));
                bytes.extend_from_slice(&[
                    byte(y0),
                    byte((u0 + u1) / 2.0),
                    byte(y1),
                    byte((v0 + v1) / 2.0),
                ]);
            }
            bytes.extend(std::iter::repeat_n(0xaa, pad));
        }
        bytes
    }

    /// Packs a photo as NV12 with `pad` bytes after each row of both
    /// planes.
    fn nv12_bytes(photo: &RgbImage, pad: usize) -> Vec<u8> {
        let (width, height) = photo.dimensions();
        let mut bytes = Vec::new();
        for y in 0..height {
            for x in 0..width {
                bytes.push(byte(yuv(*photo.get_pixel(x, y))[0]));
            }
            bytes.extend(std::iter::repeat_n(0x55, pad));
        }
        for y in (0..height).step_by(2) {
            for x in (0..width).step_by(2) {
                let mut sum = [0.0; 3];
                for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    let value = yuv(*photo.get_pixel(x + dx, y + dy));
                    for (total, part) in sum.iter_mut().zip(value) {
                        *total += part / 4.0;
                    }
                }
                bytes.extend_from_slice(&[byte(sum[1]), byte(sum[2])]);
            }
            bytes.extend(std::iter::repeat_n(0x33, pad));
        }
        bytes
    }

    fn mjpeg_bytes(photo: &RgbImage) -> Vec<u8> {
        let mut bytes = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 95)
            .encode_image(photo)
            .unwrap();
        bytes
    }

    /// Writes a `raw.toml` for frames of `photo`'s size, with NV12 rows
    /// padded by `nv12_pad` bytes.
    pub(crate) fn write_sidecar(dir: &Path, photo: &RgbImage, nv12_pad: usize) {
        let (width, height) = photo.dimensions();
        let stride = width as usize + nv12_pad;
        let sidecar = format!(
            "width = {width}\nheight = {height}\n\n[nv12]\nstride = {stride}\nchroma_offset = {}\n",
            stride * height as usize
        );
        std::fs::write(dir.join(RAW_SIDECAR), sidecar).unwrap();
    }

    /// Returns the mean absolute difference per channel of two images of
    /// one size.
    fn mean_difference(a: &RgbImage, b: &RgbImage) -> f64 {
        let total: u64 = a
            .as_raw()
            .iter()
            .zip(b.as_raw())
            .map(|(&x, &y)| u64::from(x.abs_diff(y)))
            .sum();
        total as f64 / a.as_raw().len() as f64
    }

    #[test]
    fn raw_buffers_play_as_photo() {
        let dir = tempfile::tempdir().unwrap();
        let photo = photo();
        write_sidecar(dir.path(), &photo, 16);
        std::fs::write(dir.path().join("frame-000.yuyv"), yuyv_bytes(&photo, 0)).unwrap();
        std::fs::write(dir.path().join("frame-001.nv12"), nv12_bytes(&photo, 16)).unwrap();
        std::fs::write(dir.path().join("frame-002.mjpeg"), mjpeg_bytes(&photo)).unwrap();

        let mut source = ReplaySource::open_path(dir.path(), 200.0).unwrap();
        assert_eq!(source.size(), photo.dimensions());
        // Each format's round trip loses some colour to chroma subsampling
        // or JPEG; a wrong stride or plane offset gives differences of tens.
        for (format, tolerance) in [("YUYV", 3.0), ("NV12", 4.0), ("MJPEG", 3.0)] {
            let frame = rgb(source.next_frame(Duration::from_secs(1)).unwrap());
            assert_eq!(frame.dimensions(), photo.dimensions(), "{format}");
            let difference = mean_difference(&frame, &photo);
            assert!(
                difference <= tolerance,
                "{format}: mean difference {difference:.2} over {tolerance}"
            );
        }
    }

    #[test]
    fn raw_sidecar_rejects_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(RAW_SIDECAR),
            "width = 4\nheight = 2\nfps = 3\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("frame-000.yuyv"), [0u8; 16]).unwrap();
        let err = ReplaySource::open_path(dir.path(), 25.0).err().unwrap();
        assert!(err.to_string().contains("raw.toml"), "{err}");
    }

    #[test]
    fn raw_folder_needs_buffers() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(RAW_SIDECAR), "width = 4\nheight = 2\n").unwrap();
        let err = ReplaySource::open_path(dir.path(), 25.0).err().unwrap();
        assert!(err.to_string().contains("no .yuyv"), "{err}");
    }

    #[test]
    fn replay_loops_over_frames() {
        let files = vec![
            crate::assets_dir().join("fixtures/chelsea.png"),
            crate::assets_dir().join("fixtures/chelsea.png"),
        ];
        let mut source = ReplaySource::open("test", &files, 200.0).unwrap();
        for _ in 0..5 {
            let frame = rgb(source.next_frame(Duration::from_secs(1)).unwrap());
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
