//! The camera: the `FrameSource` trait, a device source through nokhwa, a
//! replay source for tests and the demo, and the feed thread that keeps the
//! newest frame for the preview, the live checks and the capture.

mod buffer;
mod catalog;
mod code;
mod convert;
mod device;
mod exposure;
mod fault;
mod feed;
mod negotiate;
mod replay;

pub use buffer::{BadBuffer, PixelFormat, RawBuffer, decode_buffer, expected_len};
pub use catalog::{
    CameraDesc, CameraKind, FormatDesc, NAME_RULES, NodeDesc, NodeStatus, Refusal,
    ReportedPosition, camera_kind, classify_node, describe_node, position_from_description,
    select_camera, select_from_nodes, select_numbered, sysfs_position, usable_cameras,
    user_facing_refusal,
};
pub use code::read_qr;
#[cfg(test)]
pub(crate) use code::tests as code_tests;
pub use convert::{RawLayout, check_mjpeg, nv12_to_rgb, yuyv_to_rgb};
pub use device::{DeviceSource, list_cameras, probe_nodes};
pub use exposure::{
    CameraControls, ControlHandle, ControlReading, ControlRequest, ControlSessions, LockStep,
    LockableControl, SessionLock, lock_session, release_session,
};
pub use fault::{
    CameraFault, Os, classify_message, explain, fault_from_errno, fault_from_io_kind, fault_text,
};
pub use feed::{CameraFeed, Frame, FrameSlot, MAX_BAD_BUFFERS, RECONNECT_INTERVAL};
pub use negotiate::{
    FrameRateMeter, RATE_DRIFT, RATE_WINDOW, RateLogPolicy, Rung, choose_format, choose_format_rung,
};
#[cfg(test)]
pub(crate) use replay::tests as replay_tests;
pub use replay::{RAW_SIDECAR, ReplaySource};

use std::time::Duration;

use image::RgbImage;

use crate::Result;
use crate::views::CameraSourceKind;

/// Something that yields camera frames: a real device or recorded files.
///
/// Sources are created and used on the feed's own thread, so they need not
/// be `Send` (nokhwa's cameras are not on every platform).
pub trait FrameSource {
    /// Returns a name to show staff, such as the device's product name.
    fn name(&self) -> String;

    fn kind(&self) -> CameraSourceKind;

    /// Frame size in pixels, fixed while the source is open.
    fn size(&self) -> (u32, u32);

    /// Frame rate the source was opened at, as the backend reports it;
    /// `None` where the source has no nominal rate.
    fn requested_fps(&self) -> Option<u32> {
        None
    }

    /// Returns the direction a device faces; `None` for recorded frames.
    fn facing(&self) -> Option<CameraKind> {
        None
    }

    /// Returns the handle for exposure and white balance requests; `None`
    /// for a source without controls.
    fn controls(&self) -> Option<ControlHandle> {
        None
    }

    /// Blocks until the next frame arrives, for at most `timeout`. An error
    /// is a failed read; a buffer that arrives but cannot be decoded is
    /// returned as `FrameData::Raw` and rejected by the feed thread.
    fn next_frame(&mut self, timeout: Duration) -> Result<FrameData>;
}

/// A frame as a source delivers it.
#[derive(Debug, Clone)]
pub enum FrameData {
    /// Already RGB, such as a decoded image file.
    Rgb(RgbImage),
    /// A camera buffer, decoded by the feed thread with `decode_buffer`.
    Raw(RawBuffer),
}

/// Builds a source on the feed thread: once at start, and again each time
/// the feed tries to reopen a lost source.
pub type SourceFactory = Box<dyn FnMut() -> Result<Box<dyn FrameSource>> + Send>;

/// Returns the folder of demo frames played when no camera is attached.
pub fn demo_frames_dir() -> std::path::PathBuf {
    crate::assets_dir().join("demo-camera")
}
