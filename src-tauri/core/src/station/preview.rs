//! The live path: preview frames downsized and JPEG-encoded for the window,
//! and the cheap checks run on recent frames for hints. Both take the
//! newest frame, so a slow window or a slow check skips frames instead of
//! queueing them. The window acknowledges each painted frame, and the
//! preview thread sends the next frame only then (see `PaintGate`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use image::{Rgb, RgbImage};

use super::Station;
use super::paint_gate::{ACK_TIMEOUT, PaintGate, PreviewStats, PreviewTrace};
use crate::camera::{ControlRequest, Frame, FrameSlot, LockableControl};
use crate::checks::{self, Profile};
use crate::recapture::{FrameHistory, RecentFrame};
use crate::views::{LiveStatus, PaintedFrame};
use crate::vision::Models;
use crate::{Error, Result};

/// One encoded preview frame for the window.
pub struct PreviewFrame {
    /// The camera frame's number, which the window acknowledges.
    pub number: u64,
    /// True when the frame number is drawn into the picture as blocks (see
    /// `stamp_frame_number`).
    pub stamped: bool,
    pub jpeg: Vec<u8>,
}

/// Receives each preview frame; returns false when the window is gone.
pub type PreviewSink = Box<dyn FnMut(PreviewFrame) -> bool + Send>;
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
    gate: Arc<PaintGate>,
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
        let trace = self
            .preview_trace
            .as_deref()
            .map(PreviewTrace::open)
            .transpose()?;
        let gate = Arc::new(PaintGate::new(ACK_TIMEOUT, trace));
        let stop = Arc::new(AtomicBool::new(false));
        let slot = self.camera().slot().clone();
        let preview = spawn("preview", {
            let (stop, slot, gate) = (stop.clone(), slot.clone(), gate.clone());
            move || preview_loop(&slot, &stop, &gate, on_frame)
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
            gate,
        });
        tracing::info!("preview started");
        // The live preview is one student's session: exposure and white
        // balance hold still from here until it stops.
        let wanted = self.wanted_locks();
        if !wanted.is_empty() {
            self.camera()
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
        if let Some(handle) = handle {
            let stats = handle.gate.stats();
            drop(handle);
            self.camera()
                .slot()
                .request_controls(ControlRequest::Release);
            tracing::info!(
                sent = stats.sent,
                acknowledged = stats.acknowledged,
                dropped = stats.dropped,
                timed_out = stats.timed_out,
                "preview stopped"
            );
        }
        // The live checks' last frame belongs to this preview. Kept, it
        // would be older than a capture accepts by the time a new preview
        // shows the student again, and the capture would fail as if the
        // camera had stopped.
        *self.last_checked.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Takes the window's acknowledgement of a painted preview frame, which
    /// lets the preview thread send the next one. Without a running preview
    /// it does nothing.
    pub fn preview_painted(&self, painted: &PaintedFrame) {
        if let Some(handle) = self
            .preview
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            handle.gate.acknowledge(painted);
        }
    }

    /// Returns the running preview's counts, or `None` without a preview.
    pub fn preview_stats(&self) -> Option<PreviewStats> {
        self.preview
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|handle| handle.gate.stats())
    }
}

impl Station {
    /// Returns the controls that the settings lock and the camera lists.
    fn wanted_locks(&self) -> Vec<LockableControl> {
        let settings = self.settings();
        self.camera()
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

/// Sends the newest camera frame whenever the window has taken the one
/// before. While the window is busy, the thread encodes the next camera
/// frame ahead, once, so that it can go the moment the window acknowledges.
/// If that frame had to wait for the window and a newer one has arrived by
/// then, the newer one is encoded and sent instead. Frames replaced in the
/// meantime are dropped, never queued, and each frame shown costs at most
/// two encodings.
///
/// A frame encoded ahead that the window could take at once is sent even
/// when a newer frame arrived during its encoding. That newer frame is at
/// most one encoding younger. Encoding it too would halve the frame rate
/// whenever an encoding takes about a camera frame's interval.
fn preview_loop(slot: &FrameSlot, stop: &AtomicBool, gate: &PaintGate, mut sink: PreviewSink) {
    let stamped = gate.is_tracing();
    let mut taken = 0;
    // The frame encoded ahead, not yet sent, and whether it had to wait for
    // the window.
    let mut ready: Option<Encoded> = None;
    let mut waited = false;
    while !stop.load(Ordering::Relaxed) {
        if ready.is_none() {
            let Some(frame) = slot.wait_newer(taken, WAIT) else {
                continue;
            };
            taken = frame.number;
            ready = Encoded::new(&frame, stamped);
            waited = false;
            continue;
        }
        if !gate.wait_clear(Duration::ZERO) {
            waited = true;
            if !gate.wait_clear(WAIT) {
                continue;
            }
        }
        if waited && let Some(newer) = slot.wait_newer(taken, Duration::ZERO) {
            taken = newer.number;
            ready = Encoded::new(&newer, stamped);
        }
        let Some(encoded) = ready.take() else {
            continue;
        };
        gate.sending(encoded.frame.number, encoded.received, encoded.took);
        if !sink(encoded.frame) {
            return;
        }
    }
}

/// An encoded preview frame with its camera frame's arrival and how long
/// the encoding took.
struct Encoded {
    frame: PreviewFrame,
    received: Instant,
    took: Duration,
}

impl Encoded {
    /// Encodes `frame`, or logs why it could not and returns `None`.
    fn new(frame: &Frame, stamped: bool) -> Option<Self> {
        let started = Instant::now();
        match encode_frame(frame, stamped) {
            Ok(jpeg) => Some(Self {
                frame: PreviewFrame {
                    number: frame.number,
                    stamped,
                    jpeg,
                },
                received: frame.received,
                took: started.elapsed(),
            }),
            Err(e) => {
                tracing::warn!(error = %e, frame = frame.number, "preview frame not encoded");
                None
            }
        }
    }
}

/// Encodes `frame` for the window, with its number drawn in when `stamped`.
fn encode_frame(frame: &Frame, stamped: bool) -> Result<Vec<u8>> {
    if !stamped {
        return encode_preview(&frame.image);
    }
    let mut image = frame.image.as_ref().clone();
    stamp_frame_number(&mut image, frame.number);
    encode_preview(&image)
}

/// Number of blocks in a frame-number stamp, one bit each, lowest bit first.
pub const STAMP_BITS: u32 = 24;

/// Draws the low `STAMP_BITS` bits of `number` as a row of black (0) and
/// white (1) squares along the top-left edge, each a 32nd of the frame's
/// width. The window reads the number back from the painted preview at any
/// scale.
pub fn stamp_frame_number(image: &mut RgbImage, number: u64) {
    let width = image.width();
    // Block edges at whole multiples of width / 32, so that a reader that
    // scales the frame finds the middle of each block at the same fraction.
    let edge = |block: u32| block * width / 32;
    let height = edge(1).max(1).min(image.height());
    for bit in 0..STAMP_BITS {
        let value = if (number >> bit) & 1 == 1 { 255 } else { 0 };
        for y in 0..height {
            for x in edge(bit)..edge(bit + 1).min(width) {
                image.put_pixel(x, y, Rgb([value; 3]));
            }
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

#[cfg(test)]
mod tests {
    use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};

    use super::*;

    /// Builds a small frame, so that encoding it takes well under a millisecond.
    fn frame(number: u64) -> Frame {
        Frame {
            number,
            image: Arc::new(RgbImage::from_pixel(64, 48, Rgb([90, 120, 150]))),
            received: Instant::now(),
        }
    }

    fn painted(number: u64) -> PaintedFrame {
        PaintedFrame {
            frame: number,
            received_at_ms: 0.0,
            decoded_at_ms: Some(0.0),
            painted_at_ms: Some(0.0),
            stamp: None,
        }
    }

    /// A preview thread over its own slot and gate, whose sink passes each
    /// frame's number to the returned receiver.
    struct Running {
        slot: Arc<FrameSlot>,
        gate: Arc<PaintGate>,
        stop: Arc<AtomicBool>,
        sent: Receiver<u64>,
        thread: Option<JoinHandle<()>>,
    }

    impl Running {
        fn start(timeout: Duration) -> Self {
            let slot = Arc::new(FrameSlot::default());
            let gate = Arc::new(PaintGate::new(timeout, None));
            let stop = Arc::new(AtomicBool::new(false));
            let (tx, sent) = channel();
            let thread = std::thread::spawn({
                let (slot, gate, stop) = (slot.clone(), gate.clone(), stop.clone());
                move || {
                    let sink: PreviewSink = Box::new(move |frame| tx.send(frame.number).is_ok());
                    preview_loop(&slot, &stop, &gate, sink);
                }
            });
            Self {
                slot,
                gate,
                stop,
                sent,
                thread: Some(thread),
            }
        }

        fn next(&self) -> u64 {
            self.sent
                .recv_timeout(Duration::from_secs(5))
                .expect("a frame within 5 s")
        }

        fn assert_nothing_sent_for(&self, wait: Duration) {
            match self.sent.recv_timeout(wait) {
                Err(RecvTimeoutError::Timeout) => {}
                other => panic!("expected no frame in flight beside the first, got {other:?}"),
            }
        }
    }

    impl Drop for Running {
        fn drop(&mut self) {
            self.stop.store(true, Ordering::Relaxed);
            if let Some(thread) = self.thread.take() {
                let _ = thread.join();
            }
        }
    }

    #[test]
    fn slow_window_gets_newest_frame() {
        let running = Running::start(Duration::from_secs(10));
        running.slot.publish(frame(1));
        assert_eq!(running.next(), 1);

        for number in 2..=6 {
            running.slot.publish(frame(number));
        }
        running.assert_nothing_sent_for(Duration::from_millis(300));

        running.gate.acknowledge(&painted(1));
        assert_eq!(
            running.next(),
            6,
            "the newest frame is sent, not the next one"
        );
        let stats = running.gate.stats();
        assert_eq!(stats.sent, 2);
        assert_eq!(stats.acknowledged, 1);
        assert_eq!(stats.dropped, 4, "frames 2 to 5 are dropped");
        assert_eq!(stats.timed_out, 0);
    }

    #[test]
    fn stale_acknowledgement_ignored() {
        let running = Running::start(Duration::from_secs(10));
        running.slot.publish(frame(1));
        assert_eq!(running.next(), 1);
        running.slot.publish(frame(2));

        running.gate.acknowledge(&painted(7));
        running.assert_nothing_sent_for(Duration::from_millis(200));
        assert_eq!(running.gate.stats().acknowledged, 0);
    }

    #[test]
    fn lost_acknowledgement_times_out() {
        let timeout = Duration::from_millis(300);
        let running = Running::start(timeout);
        running.slot.publish(frame(1));
        assert_eq!(running.next(), 1);
        let sent = Instant::now();
        running.slot.publish(frame(2));

        assert_eq!(running.next(), 2);
        assert!(
            sent.elapsed() >= timeout - Duration::from_millis(20),
            "sent after {:?}, before the time-out",
            sent.elapsed()
        );
        assert_eq!(running.gate.stats().timed_out, 1);
    }

    /// A camera far faster than the window: the window never has more than
    /// one frame in flight, frame numbers only grow, and once the camera
    /// stops, the last frame it made reaches the window.
    #[test]
    fn fast_camera_slow_window_one_in_flight() {
        let running = Running::start(Duration::from_secs(10));
        let last = 200;
        let camera = std::thread::spawn({
            let slot = running.slot.clone();
            move || {
                for number in 1..=last {
                    slot.publish(frame(number));
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
        });

        let mut received = Vec::new();
        loop {
            let number = running.next();
            received.push(number);
            // Nothing else may arrive while this frame is in flight.
            running.assert_nothing_sent_for(Duration::from_millis(15));
            running.gate.acknowledge(&painted(number));
            if number == last {
                break;
            }
        }
        camera.join().expect("camera thread");

        assert!(
            received.windows(2).all(|pair| pair[0] < pair[1]),
            "frame numbers grow: {received:?}"
        );
        assert!(received.len() < 100, "most frames dropped: {received:?}");
        let stats = running.gate.stats();
        assert_eq!(stats.sent, received.len() as u64);
        // Frames published before the thread took its first one are not
        // the preview's drops.
        assert_eq!(stats.dropped + stats.sent, last - received[0] + 1);
        assert_eq!(stats.timed_out, 0);
    }

    #[test]
    fn stamp_reads_back_after_encoding() {
        let mut image = RgbImage::from_pixel(720, 960, Rgb([200, 180, 160]));
        let number = 0x00A5_3C0F;
        stamp_frame_number(&mut image, number);
        let jpeg = encode_preview(&image).expect("encoded");
        let shown = image::load_from_memory(&jpeg).expect("decoded").to_rgb8();

        let side = shown.width() as f32 / 32.0;
        let mut read = 0u64;
        for bit in 0..STAMP_BITS {
            let x = (bit as f32 * side + side / 2.0) as u32;
            let pixel = shown.get_pixel(x, (side / 2.0) as u32);
            let luma = pixel.0.iter().map(|&c| u32::from(c)).sum::<u32>() / 3;
            if luma >= 128 {
                read |= 1 << bit;
            }
        }
        assert_eq!(read, number);
    }
}
