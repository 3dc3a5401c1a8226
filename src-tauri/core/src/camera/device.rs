//! A real camera opened through nokhwa (V4L2 on Linux, Media Foundation on
//! Windows, AVFoundation on macOS).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::time::Duration;

use nokhwa::Buffer;
use nokhwa::Camera;
use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{ApiBackend, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType};

use super::{FrameData, FrameSource, PixelFormat, RawBuffer};
use crate::views::CameraSourceKind;
use crate::{Error, Result};

/// A camera the operating system lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    pub index: u32,
    pub name: String,
}

/// Lists the cameras the operating system reports; an empty list where
/// there are none or the backend cannot be queried.
pub fn list_devices() -> Vec<DeviceInfo> {
    match nokhwa::query(ApiBackend::Auto) {
        Ok(cameras) => cameras
            .iter()
            .filter_map(|c| match c.index() {
                CameraIndex::Index(index) => Some(DeviceInfo {
                    index: *index,
                    name: c.human_name(),
                }),
                CameraIndex::String(_) => None,
            })
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, "camera query failed");
            Vec::new()
        }
    }
}

/// A camera read on a thread of its own, so that a read can time out.
///
/// nokhwa's `Camera::frame()` blocks with no time-out, and a camera is not
/// `Send` on every platform, so a reader thread opens the camera, reads it,
/// and hands each buffer over a channel on which `next_frame` waits.
pub struct DeviceSource {
    frames: Receiver<Result<RawBuffer>>,
    stop: Arc<AtomicBool>,
    name: String,
    size: (u32, u32),
}

impl DeviceSource {
    /// Opens camera `index` at its highest resolution on a new reader thread
    /// and starts streaming.
    pub fn open(index: u32) -> Result<Self> {
        let (opened_tx, opened_rx) = mpsc::channel();
        // One buffer in hand at most: the feed keeps only the newest frame,
        // so a deeper queue would only age the frames.
        let (frames_tx, frames_rx) = mpsc::sync_channel(1);
        let stop = Arc::new(AtomicBool::new(false));
        let thread_stop = stop.clone();
        std::thread::Builder::new()
            .name(format!("camera-{index}-reader"))
            .spawn(move || {
                let mut camera = match open_camera(index) {
                    Ok(camera) => camera,
                    Err(e) => {
                        let _ = opened_tx.send(Err(e));
                        return;
                    }
                };
                let resolution = camera.resolution();
                let size = (resolution.width(), resolution.height());
                let _ = opened_tx.send(Ok((camera.info().human_name(), size)));
                read_frames(&mut camera, &frames_tx, &thread_stop);
                if let Err(e) = camera.stop_stream() {
                    tracing::warn!(index, error = %e, "camera did not stop cleanly");
                }
            })
            .map_err(|e| Error::Camera(format!("cannot start the camera reader thread: {e}")))?;
        let (name, size) = opened_rx.recv().map_err(|_| {
            Error::Camera(format!(
                "the reader thread of camera {index} stopped while opening it"
            ))
        })??;
        tracing::info!(index, %name, width = size.0, height = size.1, "camera opened");
        Ok(Self {
            frames: frames_rx,
            stop,
            name,
            size,
        })
    }
}

fn open_camera(index: u32) -> Result<Camera> {
    let format = RequestedFormat::new::<RgbFormat>(RequestedFormatType::AbsoluteHighestResolution);
    let mut camera = Camera::new(CameraIndex::Index(index), format).map_err(|e| {
        Error::Camera(format!(
            "cannot open camera {index}: {e}; check that it is plugged in, not used by another program, and that this user may use it (on Linux: the video group and /dev/video*)"
        ))
    })?;
    camera
        .open_stream()
        .map_err(|e| Error::Camera(format!("camera {index} did not start streaming: {e}")))?;
    Ok(camera)
}

/// Reads buffers into `frames` until the source stops or is dropped.
fn read_frames(camera: &mut Camera, frames: &SyncSender<Result<RawBuffer>>, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        let read = camera
            .frame()
            .map(|buffer| raw_buffer(&buffer))
            .map_err(|e| Error::Camera(format!("camera read failed: {e}")));
        if frames.send(read).is_err() {
            return;
        }
    }
}

impl FrameSource for DeviceSource {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn kind(&self) -> CameraSourceKind {
        CameraSourceKind::Device
    }

    fn size(&self) -> (u32, u32) {
        self.size
    }

    // NOTE: this time-out has never run against a real device, hung or not;
    // only the replay and test sources have been through the feed.
    fn next_frame(&mut self, timeout: Duration) -> Result<FrameData> {
        match self.frames.recv_timeout(timeout) {
            Ok(read) => read.map(FrameData::Raw),
            Err(RecvTimeoutError::Timeout) => Err(Error::Camera(format!(
                "camera read timed out after {:.1} s; check the camera's cable",
                timeout.as_secs_f32()
            ))),
            Err(RecvTimeoutError::Disconnected) => {
                Err(Error::Camera("the camera reader thread stopped".into()))
            }
        }
    }
}

/// Wraps a nokhwa buffer for `decode_buffer`, which decodes a device's
/// buffers and recorded ones alike.
// NOTE: nokhwa 0.10 reports no row stride, so rows are taken as unpadded.
fn raw_buffer(buffer: &Buffer) -> RawBuffer {
    let resolution = buffer.resolution();
    let (width, height) = (resolution.width(), resolution.height());
    let format = match buffer.source_frame_format() {
        FrameFormat::MJPEG => PixelFormat::Mjpeg,
        FrameFormat::YUYV => PixelFormat::Yuyv,
        FrameFormat::NV12 => PixelFormat::Nv12,
        FrameFormat::GRAY => PixelFormat::Gray,
        FrameFormat::RAWRGB => PixelFormat::Rgb,
        FrameFormat::RAWBGR => PixelFormat::Bgr,
    };
    let layout = format.unpadded_layout(width, height);
    RawBuffer {
        format,
        layout,
        bytes: buffer.buffer().to_vec(),
    }
}

impl Drop for DeviceSource {
    /// Asks the reader thread to stop without waiting for it: a read that
    /// hangs would hang the feed thread too. The thread stops the stream and
    /// ends when its current read returns.
    // NOTE: until a hung read returns, the thread keeps the device open, so
    // opening it again may fail meanwhile.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// This build machine has no camera: opening one must fail with a
    /// message that names what to check, not panic.
    #[test]
    fn missing_camera_gives_clear_error() {
        if !list_devices().is_empty() {
            return;
        }
        let err = DeviceSource::open(0).err().unwrap();
        assert_eq!(err.kind(), crate::ErrorKind::Camera);
        assert!(err.to_string().contains("plugged in"), "{err}");
    }
}
