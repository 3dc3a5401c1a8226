//! A real camera opened through nokhwa (V4L2 on Linux, Media Foundation on
//! Windows, AVFoundation on macOS).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::time::Duration;

use nokhwa::Buffer;
use nokhwa::Camera;
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType,
    Resolution, frame_formats,
};

use super::catalog::{CameraDesc, CameraKind, FormatDesc, NodeDesc, camera_kind, usable_cameras};
use super::{
    FrameData, FrameSource, PixelFormat, RawBuffer, choose_format_rung, explain,
    user_facing_refusal,
};
use crate::views::CameraSourceKind;
use crate::{Error, Result};

/// Lists every video node the operating system reports, with what the
/// station needs to classify it: whether it captures video, its formats,
/// and the error that stopped it being opened. Empty where there are none
/// or the backend cannot be queried.
// NOTE: only the empty list has run here, because this machine has no
// camera. The capability check, the format listing and the open errors
// run against a real device alone.
pub fn probe_nodes() -> Vec<NodeDesc> {
    let cameras = match nokhwa::query(ApiBackend::Auto) {
        Ok(cameras) => cameras,
        Err(e) => {
            tracing::warn!(error = %e, "camera query failed");
            return Vec::new();
        }
    };
    cameras
        .iter()
        .filter_map(|info| match info.index() {
            CameraIndex::Index(index) => Some(probe_node(*index, info.human_name())),
            CameraIndex::String(_) => None,
        })
        .collect()
}

fn probe_node(index: u32, name: String) -> NodeDesc {
    let mut node = NodeDesc {
        index,
        name,
        can_capture: None,
        formats: Vec::new(),
        position: None,
        open_error: None,
    };
    match can_capture(index) {
        Ok(capture) => node.can_capture = capture,
        Err(e) => {
            node.open_error = Some(e);
            return node;
        }
    }
    if node.can_capture == Some(false) {
        return node;
    }
    let request = RequestedFormat::with_formats(RequestedFormatType::None, frame_formats());
    match Camera::new(CameraIndex::Index(index), request)
        .and_then(|mut camera| camera.compatible_camera_formats())
    {
        Ok(formats) => node.formats = formats.iter().map(format_desc).collect(),
        Err(e) => node.open_error = Some(e.to_string()),
    }
    node
}

/// Reads whether V4L2 node `index` has the video capture capability.
#[cfg(target_os = "linux")]
fn can_capture(index: u32) -> std::result::Result<Option<bool>, String> {
    let device = v4l::Device::new(index as usize).map_err(|e| e.to_string())?;
    let caps = device.query_caps().map_err(|e| e.to_string())?;
    Ok(Some(
        caps.capabilities
            .contains(v4l::capability::Flags::VIDEO_CAPTURE),
    ))
}

/// Other backends list capture devices only.
#[cfg(not(target_os = "linux"))]
fn can_capture(_index: u32) -> std::result::Result<Option<bool>, String> {
    Ok(None)
}

/// Returns the usable cameras, with their kinds and formats.
pub fn list_cameras() -> Vec<CameraDesc> {
    usable_cameras(&probe_nodes())
}

fn pixel_format(format: FrameFormat) -> PixelFormat {
    match format {
        FrameFormat::MJPEG => PixelFormat::Mjpeg,
        FrameFormat::YUYV => PixelFormat::Yuyv,
        FrameFormat::NV12 => PixelFormat::Nv12,
        FrameFormat::GRAY => PixelFormat::Gray,
        FrameFormat::RAWRGB => PixelFormat::Rgb,
        FrameFormat::RAWBGR => PixelFormat::Bgr,
    }
}

fn frame_format(format: PixelFormat) -> FrameFormat {
    match format {
        PixelFormat::Mjpeg => FrameFormat::MJPEG,
        PixelFormat::Yuyv => FrameFormat::YUYV,
        PixelFormat::Nv12 => FrameFormat::NV12,
        PixelFormat::Gray => FrameFormat::GRAY,
        PixelFormat::Rgb => FrameFormat::RAWRGB,
        PixelFormat::Bgr => FrameFormat::RAWBGR,
    }
}

fn format_desc(format: &CameraFormat) -> FormatDesc {
    FormatDesc::new(
        pixel_format(format.format()),
        format.width(),
        format.height(),
        format.frame_rate(),
    )
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
    format: FormatDesc,
}

impl DeviceSource {
    /// Opens camera `index` on a new reader thread in the format that
    /// [`choose_format`](super::choose_format) picks, and starts streaming.
    /// A user-facing camera is rejected unless `allow_user_facing` is set.
    pub fn open(index: u32, allow_user_facing: bool) -> Result<Self> {
        let (opened_tx, opened_rx) = mpsc::channel();
        // One buffer in hand at most: the feed keeps only the newest frame,
        // so a deeper queue would only age the frames.
        let (frames_tx, frames_rx) = mpsc::sync_channel(1);
        let stop = Arc::new(AtomicBool::new(false));
        let thread_stop = stop.clone();
        std::thread::Builder::new()
            .name(format!("camera-{index}-reader"))
            .spawn(move || {
                let (mut camera, format) = match open_camera(index, allow_user_facing) {
                    Ok(opened) => opened,
                    Err(e) => {
                        let _ = opened_tx.send(Err(e));
                        return;
                    }
                };
                let _ = opened_tx.send(Ok((camera.info().human_name(), format)));
                read_frames(&mut camera, &frames_tx, &thread_stop);
                if let Err(e) = camera.stop_stream() {
                    tracing::warn!(index, error = %e, "camera did not stop cleanly");
                }
            })
            .map_err(|e| Error::Camera(format!("cannot start the camera reader thread: {e}")))?;
        let (name, format) = opened_rx.recv().map_err(|_| {
            Error::Camera(format!(
                "the reader thread of camera {index} stopped while opening it"
            ))
        })??;
        tracing::info!(index, %name, %format, "camera opened");
        Ok(Self {
            frames: frames_rx,
            stop,
            name,
            size: (format.width, format.height),
            format,
        })
    }
}

/// Opens camera `index`, negotiates its format and starts the stream.
// NOTE: untested here, since this machine has no camera: the exact format
// request, the fallback when the driver rejects it, and the open errors
// run only against a real device.
fn open_camera(index: u32, allow_user_facing: bool) -> Result<(Camera, FormatDesc)> {
    let fault =
        |e: &dyn std::fmt::Display| Error::CameraFault(explain(&e.to_string(), Some(index)));
    let any = RequestedFormat::with_formats(RequestedFormatType::None, frame_formats());
    let mut camera = Camera::new(CameraIndex::Index(index), any).map_err(|e| fault(&e))?;
    let name = camera.info().human_name();
    if !allow_user_facing && camera_kind(&name, None) == CameraKind::UserFacing {
        return Err(Error::CameraFault(user_facing_refusal(index, &name)));
    }
    let formats: Vec<FormatDesc> = camera
        .compatible_camera_formats()
        .map_err(|e| fault(&e))?
        .iter()
        .map(format_desc)
        .collect();
    let (chosen, rung) = choose_format_rung(&formats).ok_or_else(|| {
        Error::Camera(format!(
            "camera {index} ({name}) lists no video format; use another camera"
        ))
    })?;
    let exact = CameraFormat::new(
        Resolution::new(chosen.width, chosen.height),
        frame_format(chosen.format),
        chosen.fps,
    );
    let fourcc = [frame_format(chosen.format)];
    let request = RequestedFormat::with_formats(RequestedFormatType::Exact(exact), &fourcc);
    if let Err(e) = camera.set_camera_requset(request) {
        // The driver listed the format but refused it: the closest one of
        // the same fourcc is the next best.
        tracing::warn!(index, format = %chosen, error = %e, "camera rejected the exact format, asking for the closest");
        let closest = RequestedFormat::with_formats(RequestedFormatType::Closest(exact), &fourcc);
        camera.set_camera_requset(closest).map_err(|e| fault(&e))?;
    }
    camera.open_stream().map_err(|e| fault(&e))?;
    let delivered = format_desc(&camera.camera_format());
    tracing::info!(index, requested = %chosen, ?rung, granted = %delivered, "camera format negotiated");
    Ok((camera, delivered))
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

    fn requested_fps(&self) -> Option<u32> {
        Some(self.format.fps)
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
    let format = pixel_format(buffer.source_frame_format());
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
        if !probe_nodes().is_empty() {
            return;
        }
        let err = DeviceSource::open(0, false).err().unwrap();
        assert_eq!(err.kind(), crate::ErrorKind::Camera);
        assert!(err.to_string().contains("plugged in"), "{err}");
        assert!(err.camera_text().zh.contains("插好"), "{err}");
    }
}
