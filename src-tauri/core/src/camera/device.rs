//! A real camera opened through nokhwa (V4L2 on Linux, Media Foundation on
//! Windows, AVFoundation on macOS).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::time::Duration;

use nokhwa::Buffer;
use nokhwa::Camera;
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, ControlValueSetter, FrameFormat, KnownCameraControl,
    RequestedFormat, RequestedFormatType, Resolution, frame_formats,
};

use super::catalog::{
    CameraDesc, CameraKind, FormatDesc, NodeDesc, ReportedPosition, camera_kind,
    position_from_description, usable_cameras,
};
use super::exposure::{
    CameraControls, ControlHandle, ControlReading, ControlSessions, LockableControl,
};
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
// run against a real device alone. A camera that this process streams
// from may list as busy: nokhwa shares the open V4L2 device, and opening
// it again requests a format, which V4L2 rejects while streaming.
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
            CameraIndex::Index(index) => {
                let mut node = probe_node(*index, info.human_name());
                node.position = position_from_description(info.description())
                    .or_else(|| system_position(*index));
                Some(node)
            }
            CameraIndex::String(_) => None,
        })
        .collect()
}

/// Returns where the system places camera `index`, where it reports a
/// position (Linux: sysfs).
#[cfg(target_os = "linux")]
fn system_position(index: u32) -> Option<ReportedPosition> {
    super::catalog::sysfs_position(std::path::Path::new("/sys"), index)
}

#[cfg(not(target_os = "linux"))]
fn system_position(_index: u32) -> Option<ReportedPosition> {
    None
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
    facing: CameraKind,
    controls: ControlHandle,
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
        let (requests_tx, requests_rx) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let thread_stop = stop.clone();
        std::thread::Builder::new()
            .name(format!("camera-{index}-reader"))
            .spawn(move || {
                let (mut camera, format, facing) = match open_camera(index, allow_user_facing) {
                    Ok(opened) => opened,
                    Err(e) => {
                        let _ = opened_tx.send(Err(e));
                        return;
                    }
                };
                let mut controls = NokhwaControls::default();
                let lockable = controls.with(&mut camera).lockable();
                let _ = opened_tx.send(Ok((camera.info().human_name(), format, facing, lockable)));
                let mut sessions = ControlSessions::default();
                read_frames(
                    &mut camera,
                    &frames_tx,
                    &thread_stop,
                    &mut |camera: &mut Camera| {
                        sessions.serve(&mut controls.with(camera), &requests_rx);
                    },
                );
                sessions.release(&mut controls.with(&mut camera));
                if let Err(e) = camera.stop_stream() {
                    tracing::warn!(index, error = %e, "camera did not stop cleanly");
                }
            })
            .map_err(|e| Error::Camera(format!("cannot start the camera reader thread: {e}")))?;
        let (name, format, facing, lockable) = opened_rx.recv().map_err(|_| {
            Error::Camera(format!(
                "the reader thread of camera {index} stopped while opening it"
            ))
        })??;
        tracing::info!(index, %name, %format, ?lockable, "camera opened");
        Ok(Self {
            frames: frames_rx,
            stop,
            name,
            size: (format.width, format.height),
            format,
            facing,
            controls: ControlHandle {
                lockable,
                requests: requests_tx,
            },
        })
    }
}

/// Opens camera `index`, negotiates its format and starts the stream.
// NOTE: untested here, since this machine has no camera: the exact format
// request, the fallback when the driver rejects it, and the open errors
// run only against a real device.
fn open_camera(index: u32, allow_user_facing: bool) -> Result<(Camera, FormatDesc, CameraKind)> {
    let fault =
        |e: &dyn std::fmt::Display| Error::CameraFault(explain(&e.to_string(), Some(index)));
    let any = RequestedFormat::with_formats(RequestedFormatType::None, frame_formats());
    let mut camera = Camera::new(CameraIndex::Index(index), any).map_err(|e| fault(&e))?;
    let name = camera.info().human_name();
    let position =
        position_from_description(camera.info().description()).or_else(|| system_position(index));
    let facing = camera_kind(&name, position);
    if !allow_user_facing && facing == CameraKind::UserFacing {
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
    Ok((camera, delivered, facing))
}

/// Reads buffers into `frames` until the source stops or is dropped, and
/// calls `between` after each buffer for the control requests.
fn read_frames(
    camera: &mut Camera,
    frames: &SyncSender<Result<RawBuffer>>,
    stop: &AtomicBool,
    between: &mut dyn FnMut(&mut Camera),
) {
    while !stop.load(Ordering::Relaxed) {
        between(camera);
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

    fn facing(&self) -> Option<CameraKind> {
        Some(self.facing)
    }

    fn controls(&self) -> Option<ControlHandle> {
        Some(self.controls.clone())
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

/// The automatic mode each control had before a session locked it, kept
/// across the borrows of the camera that [`NokhwaControls::with`] makes.
#[derive(Debug, Default)]
struct NokhwaControls {
    exposure_auto_mode: Option<i64>,
}

impl NokhwaControls {
    fn with<'a>(&'a mut self, camera: &'a mut Camera) -> CameraWithControls<'a> {
        CameraWithControls {
            camera,
            state: self,
        }
    }
}

/// A camera's exposure and white balance through nokhwa's V4L2 controls.
struct CameraWithControls<'a> {
    camera: &'a mut Camera,
    state: &'a mut NokhwaControls,
}

/// V4L2 control ids (linux/v4l2-controls.h): a mode control and a value
/// control per lockable control.
mod v4l2_id {
    /// Menu: 1 is manual; 0 (auto) and 3 (aperture priority) are automatic.
    pub const EXPOSURE_AUTO: u128 = 0x009a_0901;
    /// Exposure time in 100 µs units.
    pub const EXPOSURE_ABSOLUTE: u128 = 0x009a_0902;
    /// Boolean: true is automatic.
    pub const AUTO_WHITE_BALANCE: u128 = 0x0098_090c;
    pub const EXPOSURE_MANUAL: i64 = 1;
    pub const EXPOSURE_APERTURE_PRIORITY: i64 = 3;
}

fn control_ids(control: LockableControl) -> (KnownCameraControl, KnownCameraControl) {
    match control {
        LockableControl::Exposure => (
            KnownCameraControl::Other(v4l2_id::EXPOSURE_AUTO),
            KnownCameraControl::Other(v4l2_id::EXPOSURE_ABSOLUTE),
        ),
        LockableControl::WhiteBalance => (
            KnownCameraControl::Other(v4l2_id::AUTO_WHITE_BALANCE),
            // V4L2_CID_WHITE_BALANCE_TEMPERATURE (0x0098091a) in kelvin,
            // which nokhwa lists under its own name.
            KnownCameraControl::WhiteBalance,
        ),
    }
}

fn integer(value: &ControlValueSetter) -> Option<i64> {
    match value {
        ControlValueSetter::Integer(v) | ControlValueSetter::EnumValue(v) => Some(*v),
        ControlValueSetter::Boolean(b) => Some(i64::from(*b)),
        _ => None,
    }
}

// NOTE: untested here, since this machine has no camera. The ids are
// V4L2's, so on Windows and macOS no control is listed and the settings
// screen hides the lock switches.
impl CameraControls for CameraWithControls<'_> {
    fn lockable(&mut self) -> Vec<LockableControl> {
        if !cfg!(target_os = "linux") {
            return Vec::new();
        }
        let listed: Vec<KnownCameraControl> = match self.camera.camera_controls() {
            Ok(controls) => controls.iter().map(|c| c.control()).collect(),
            Err(e) => {
                tracing::warn!(error = %e, "camera controls could not be listed");
                return Vec::new();
            }
        };
        [LockableControl::Exposure, LockableControl::WhiteBalance]
            .into_iter()
            .filter(|&control| {
                let (mode, value) = control_ids(control);
                listed.contains(&mode) && listed.contains(&value)
            })
            .collect()
    }

    fn read(&mut self, control: LockableControl) -> std::result::Result<ControlReading, String> {
        let (mode_id, value_id) = control_ids(control);
        let read = |id| -> std::result::Result<i64, String> {
            let current = self.camera.camera_control(id).map_err(|e| e.to_string())?;
            integer(&current.value()).ok_or_else(|| format!("{id} has no whole-number value"))
        };
        let mode = read(mode_id)?;
        let value = read(value_id)?;
        let automatic = match control {
            LockableControl::Exposure => mode != v4l2_id::EXPOSURE_MANUAL,
            LockableControl::WhiteBalance => mode != 0,
        };
        Ok(ControlReading { automatic, value })
    }

    fn set_manual(
        &mut self,
        control: LockableControl,
        value: i64,
    ) -> std::result::Result<(), String> {
        let (mode_id, value_id) = control_ids(control);
        let manual = match control {
            LockableControl::Exposure => {
                let mode = self
                    .camera
                    .camera_control(mode_id)
                    .ok()
                    .and_then(|c| integer(&c.value()));
                self.state.exposure_auto_mode = mode;
                ControlValueSetter::Integer(v4l2_id::EXPOSURE_MANUAL)
            }
            LockableControl::WhiteBalance => ControlValueSetter::Boolean(false),
        };
        self.camera
            .set_camera_control(mode_id, manual)
            .and_then(|()| {
                self.camera
                    .set_camera_control(value_id, ControlValueSetter::Integer(value))
            })
            .map_err(|e| e.to_string())
    }

    fn set_automatic(&mut self, control: LockableControl) -> std::result::Result<(), String> {
        let (mode_id, _) = control_ids(control);
        let automatic = match control {
            LockableControl::Exposure => ControlValueSetter::Integer(
                self.state
                    .exposure_auto_mode
                    .filter(|&mode| mode != v4l2_id::EXPOSURE_MANUAL)
                    .unwrap_or(v4l2_id::EXPOSURE_APERTURE_PRIORITY),
            ),
            LockableControl::WhiteBalance => ControlValueSetter::Boolean(true),
        };
        self.camera
            .set_camera_control(mode_id, automatic)
            .map_err(|e| e.to_string())
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
