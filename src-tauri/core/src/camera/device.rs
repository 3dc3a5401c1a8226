//! A real camera opened through nokhwa (V4L2 on Linux, Media Foundation on
//! Windows, AVFoundation on macOS).

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

pub struct DeviceSource {
    camera: Camera,
    name: String,
    size: (u32, u32),
}

impl DeviceSource {
    /// Opens camera `index` at its highest resolution and starts streaming.
    pub fn open(index: u32) -> Result<Self> {
        let format =
            RequestedFormat::new::<RgbFormat>(RequestedFormatType::AbsoluteHighestResolution);
        let mut camera = Camera::new(CameraIndex::Index(index), format).map_err(|e| {
            Error::Camera(format!(
                "cannot open camera {index}: {e}; check that it is plugged in, not used by another program, and that this user may use it (on Linux: the video group and /dev/video*)"
            ))
        })?;
        camera
            .open_stream()
            .map_err(|e| Error::Camera(format!("camera {index} did not start streaming: {e}")))?;
        let resolution = camera.resolution();
        let name = camera.info().human_name();
        tracing::info!(index, %name, width = resolution.width(), height = resolution.height(), "camera opened");
        Ok(Self {
            camera,
            name,
            size: (resolution.width(), resolution.height()),
        })
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

    // NOTE: nokhwa's frame() blocks without a time-out, so `timeout` is not
    // enforced here; the feed marks frames stale by their age instead.
    fn next_frame(&mut self, _timeout: Duration) -> Result<FrameData> {
        let buffer = self
            .camera
            .frame()
            .map_err(|e| Error::Camera(format!("camera read failed: {e}")))?;
        Ok(FrameData::Raw(raw_buffer(&buffer)))
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
    fn drop(&mut self) {
        if let Err(e) = self.camera.stop_stream() {
            tracing::warn!(error = %e, "camera did not stop cleanly");
        }
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
