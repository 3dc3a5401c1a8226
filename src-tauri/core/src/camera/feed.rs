//! The feed thread: reads a source and keeps only the newest frame, so a
//! slow reader never builds a queue.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use image::RgbImage;

use super::{BadBuffer, FrameData, SourceFactory, decode_buffer};
use crate::text::Text;
use crate::views::{CameraRunState, CameraSourceKind};
use crate::{Error, Result};

/// One camera frame, numbered from the start of the feed.
#[derive(Debug, Clone)]
pub struct Frame {
    pub number: u64,
    pub image: Arc<RgbImage>,
    pub received: Instant,
}

/// How long a read may block before the camera counts as stopped.
const READ_TIMEOUT: Duration = Duration::from_secs(3);
/// Consecutive failed reads after which the camera counts as lost.
const MAX_FAILED_READS: u32 = 5;

/// The newest frame and the feed's state, shared between the feed thread
/// and its readers.
#[derive(Default)]
pub struct FrameSlot {
    inner: Mutex<SlotState>,
    changed: Condvar,
}

#[derive(Default)]
struct SlotState {
    frame: Option<Frame>,
    lost: Option<String>,
    closed: bool,
}

impl FrameSlot {
    pub fn publish(&self, frame: Frame) {
        let mut state = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        state.frame = Some(frame);
        state.lost = None;
        self.changed.notify_all();
    }

    fn mark_lost(&self, reason: String) {
        let mut state = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        state.lost = Some(reason);
        self.changed.notify_all();
    }

    fn close(&self) {
        let mut state = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        state.closed = true;
        self.changed.notify_all();
    }

    pub fn latest(&self) -> Option<Frame> {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .frame
            .clone()
    }

    pub fn lost_reason(&self) -> Option<String> {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .lost
            .clone()
    }

    /// Waits up to `timeout` for a frame newer than `after`; `None` on
    /// time-out or when the feed has closed.
    pub fn wait_newer(&self, after: u64, timeout: Duration) -> Option<Frame> {
        let guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (state, _) = self
            .changed
            .wait_timeout_while(guard, timeout, |s| {
                !s.closed && s.frame.as_ref().is_none_or(|f| f.number <= after)
            })
            .unwrap_or_else(|e| e.into_inner());
        state.frame.clone().filter(|f| f.number > after)
    }
}

/// A running camera: its thread, its newest frame and what it is.
pub struct CameraFeed {
    slot: Arc<FrameSlot>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    pub name: String,
    pub kind: CameraSourceKind,
    pub size: (u32, u32),
    /// Reason this source runs, such as "no camera found", shown to staff.
    pub note: Option<Text>,
}

impl CameraFeed {
    /// Starts the feed thread, builds the source on it, and returns once the
    /// source is open, or with the error that stopped it opening.
    pub fn start(factory: SourceFactory) -> Result<Self> {
        let slot = Arc::new(FrameSlot::default());
        let stop = Arc::new(AtomicBool::new(false));
        let (opened_tx, opened_rx) = std::sync::mpsc::channel();

        let thread_slot = slot.clone();
        let thread_stop = stop.clone();
        let thread = std::thread::Builder::new()
            .name("camera".into())
            .spawn(move || {
                let mut source = match factory() {
                    Ok(source) => source,
                    Err(e) => {
                        let _ = opened_tx.send(Err(e));
                        return;
                    }
                };
                let _ = opened_tx.send(Ok((source.name(), source.kind(), source.size())));
                run(source.as_mut(), &thread_slot, &thread_stop);
                thread_slot.close();
            })
            .map_err(|e| Error::Camera(format!("cannot start the camera thread: {e}")))?;

        let (name, kind, size) = opened_rx
            .recv()
            .map_err(|_| Error::Camera("the camera thread stopped while opening".into()))??;
        tracing::info!(%name, ?kind, width = size.0, height = size.1, "camera feed started");
        Ok(Self {
            slot,
            stop,
            thread: Some(thread),
            name,
            kind,
            size,
            note: None,
        })
    }

    pub fn slot(&self) -> &Arc<FrameSlot> {
        &self.slot
    }

    pub fn state(&self) -> CameraRunState {
        if self.slot.lost_reason().is_some() {
            CameraRunState::Lost
        } else if self.thread.as_ref().is_some_and(|t| !t.is_finished()) {
            CameraRunState::Running
        } else {
            CameraRunState::Stopped
        }
    }
}

fn run(source: &mut dyn super::FrameSource, slot: &FrameSlot, stop: &AtomicBool) {
    let mut number = 0u64;
    let mut failures = 0u32;
    while !stop.load(Ordering::Relaxed) {
        let read = source
            .next_frame(READ_TIMEOUT)
            .and_then(|data| decode(data).map_err(|bad| Error::Camera(bad.to_string())));
        match read {
            Ok(image) => {
                failures = 0;
                number += 1;
                slot.publish(Frame {
                    number,
                    image: Arc::new(image),
                    received: Instant::now(),
                });
            }
            Err(e) => {
                failures += 1;
                tracing::warn!(error = %e, failures, "camera read failed");
                if failures >= MAX_FAILED_READS {
                    slot.mark_lost(e.to_string());
                    return;
                }
            }
        }
    }
}

/// Decodes a source's frame: a raw buffer through `decode_buffer`, the
/// one decoder for device and recorded buffers.
fn decode(data: FrameData) -> std::result::Result<RgbImage, BadBuffer> {
    match data {
        FrameData::Rgb(image) => Ok(image),
        FrameData::Raw(buffer) => decode_buffer(&buffer),
    }
}

impl Drop for CameraFeed {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::ReplaySource;

    fn replay() -> SourceFactory {
        Box::new(|| {
            let files = vec![crate::assets_dir().join("fixtures/chelsea.png")];
            Ok(Box::new(ReplaySource::open("test", &files, 100.0)?)
                as Box<dyn super::super::FrameSource>)
        })
    }

    #[test]
    fn feed_publishes_numbered_frames() {
        let feed = CameraFeed::start(replay()).unwrap();
        let first = feed.slot().wait_newer(0, Duration::from_secs(5)).unwrap();
        let later = feed
            .slot()
            .wait_newer(first.number, Duration::from_secs(5))
            .unwrap();
        assert!(later.number > first.number);
    }

    #[test]
    fn feed_reports_open_failure() {
        let factory: SourceFactory = Box::new(|| Err(Error::Camera("no such camera".into())));
        let err = CameraFeed::start(factory).err().unwrap();
        assert!(err.to_string().contains("no such camera"));
    }

    #[test]
    fn feed_reports_size_and_kind() {
        let feed = CameraFeed::start(replay()).unwrap();
        assert_eq!(feed.size, (451, 300));
        assert_eq!(feed.kind, CameraSourceKind::Demo);
    }
}
