//! The live path: preview frames downsized and JPEG-encoded for the window,
//! and the cheap checks run on recent frames for hints. Both wait for the
//! newest frame, so a slow window or a slow check skips frames instead of
//! queueing them.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use image::RgbImage;

use super::Station;
use crate::camera::{ControlRequest, Frame, FrameSlot, LockableControl};
use crate::checks::{self, Profile};
use crate::recapture::{FrameHistory, RecentFrame};
use crate::views::LiveStatus;
use crate::vision::Models;
use crate::{Error, Result};

/// Receives each preview JPEG; returns false when the window is gone.
pub type PreviewSink = Box<dyn FnMut(Vec<u8>) -> bool + Send>;
/// Receives each live status; returns false when the window is gone.
pub type LiveSink = Box<dyn FnMut(LiveStatus) -> bool + Send>;

/// Maximum side of a preview frame, in pixels.
const PREVIEW_SIDE: u32 = 640;
const PREVIEW_QUALITY: u8 = 75;
/// Shortest time between two live checks; they take tens of milliseconds,
/// and hints need not change faster than a person can follow.
const LIVE_INTERVAL: Duration = Duration::from_millis(200);
const WAIT: Duration = Duration::from_millis(500);

/// The running preview and live threads; dropping it stops both.
pub struct PreviewHandle {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl Drop for PreviewHandle {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

impl Station {
    /// Starts streaming preview frames and live statuses, replacing any
    /// preview already running.
    pub fn start_preview(&self, on_frame: PreviewSink, on_live: LiveSink) -> Result<()> {
        self.stop_preview();
        self.history
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        let stop = Arc::new(AtomicBool::new(false));
        let slot = self.camera.slot().clone();
        let preview = spawn("preview", {
            let (stop, slot) = (stop.clone(), slot.clone());
            move || preview_loop(&slot, &stop, on_frame)
        })?;
        let live = spawn("live-checks", {
            let stop = stop.clone();
            let models = self.models.clone();
            let profile = self.profile.clone();
            let checked = self.last_checked.clone();
            let history = self.history.clone();
            move || live_loop(&slot, &stop, &models, &profile, &checked, &history, on_live)
        })?;
        *self.preview.lock().unwrap_or_else(|e| e.into_inner()) = Some(PreviewHandle {
            stop,
            threads: vec![preview, live],
        });
        tracing::info!("preview started");
        // The live preview is one student's session: exposure and white
        // balance hold still from here until it stops.
        let wanted = self.wanted_locks();
        if !wanted.is_empty() {
            self.camera
                .slot()
                .request_controls(ControlRequest::Lock(wanted));
        }
        Ok(())
    }

    pub fn stop_preview(&self) {
        let handle = self
            .preview
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if handle.is_some() {
            drop(handle);
            self.camera.slot().request_controls(ControlRequest::Release);
            tracing::info!("preview stopped");
        }
        // The live checks' last frame belongs to this preview. Kept, it
        // would be older than a capture accepts by the time a new preview
        // shows the student again, and the capture would fail as if the
        // camera had stopped.
        *self.last_checked.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

impl Station {
    /// Returns the controls that the settings lock and the camera lists.
    fn wanted_locks(&self) -> Vec<LockableControl> {
        let settings = self.settings();
        self.camera
            .slot()
            .lockable_controls()
            .into_iter()
            .filter(|control| match control {
                LockableControl::Exposure => settings.lock_exposure,
                LockableControl::WhiteBalance => settings.lock_white_balance,
            })
            .collect()
    }
}

fn spawn(name: &str, work: impl FnOnce() + Send + 'static) -> Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(work)
        .map_err(|e| Error::Camera(format!("cannot start the {name} thread: {e}")))
}

fn preview_loop(slot: &FrameSlot, stop: &AtomicBool, mut sink: PreviewSink) {
    let mut last = 0;
    while !stop.load(Ordering::Relaxed) {
        let Some(frame) = slot.wait_newer(last, WAIT) else {
            continue;
        };
        last = frame.number;
        match encode_preview(&frame.image) {
            Ok(jpeg) => {
                if !sink(jpeg) {
                    return;
                }
            }
            Err(e) => tracing::warn!(error = %e, frame = frame.number, "preview frame not encoded"),
        }
    }
}

fn live_loop(
    slot: &FrameSlot,
    stop: &AtomicBool,
    models: &Models,
    profile: &Profile,
    checked: &Mutex<Option<Frame>>,
    history: &Mutex<FrameHistory>,
    mut sink: LiveSink,
) {
    let mut last = 0;
    while !stop.load(Ordering::Relaxed) {
        let Some(frame) = slot.wait_newer(last, WAIT) else {
            continue;
        };
        last = frame.number;
        let started = Instant::now();
        match check_live_frame(frame, models, profile, checked, history) {
            Ok(status) => {
                if !sink(status) {
                    return;
                }
            }
            Err(e) => tracing::warn!(error = %e, frame = last, "live checks failed"),
        }
        if let Some(rest) = LIVE_INTERVAL.checked_sub(started.elapsed()) {
            std::thread::sleep(rest);
        }
    }
}

/// Runs the live checks on `frame`, keeps a downsized copy with its eye
/// openings in the recapture history, and makes it the frame a capture
/// takes.
pub(super) fn check_live_frame(
    frame: Frame,
    models: &Models,
    profile: &Profile,
    checked: &Mutex<Option<Frame>>,
    history: &Mutex<FrameHistory>,
) -> Result<LiveStatus> {
    let (status, analysis) = checks::live_check(&frame.image, models, profile, frame.number)?;
    let eyes = analysis.usable_mesh().map(|mesh| mesh.eye_openings());
    let recent = RecentFrame::new(&frame.image, frame.received, eyes);
    history
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(recent);
    *checked.lock().unwrap_or_else(|e| e.into_inner()) = Some(frame);
    Ok(status)
}

/// Scales a frame to fit 640x640 and encodes it as JPEG for the window.
pub fn encode_preview(image: &RgbImage) -> Result<Vec<u8>> {
    let (pixels, _) = crate::decode::shrink_to_fit(image, PREVIEW_SIDE);
    crate::resample::encode_jpeg(pixels.as_ref(), PREVIEW_QUALITY, None)
        .map_err(|e| Error::Camera(format!("cannot encode a preview frame: {e}")))
}
