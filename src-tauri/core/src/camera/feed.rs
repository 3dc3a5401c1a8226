//! The feed thread: reads a source and keeps only the newest frame, so a
//! slow reader never builds a queue.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use image::RgbImage;

use super::{
    BadBuffer, CameraKind, ControlHandle, ControlRequest, FrameData, FrameRateMeter, FrameSource,
    LockableControl, RateLogPolicy, SourceFactory, decode_buffer,
};
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
/// Wait between attempts to open a lost source again.
pub const RECONNECT_INTERVAL: Duration = Duration::from_secs(2);
/// How often a wait checks whether the feed is stopping.
const STOP_POLL: Duration = Duration::from_millis(50);
/// Consecutive bad buffers after which the camera's state reports a format
/// problem. A USB camera may garble a buffer now and then, and those are
/// dropped quietly. A second of them in a row (30 at 30 fps) means that the
/// camera sends another format or size than it claims.
pub const MAX_BAD_BUFFERS: u32 = 30;

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
    /// The reason the camera is lost, with the fix.
    lost: Option<Text>,
    /// Delivered frames per second over the last `RATE_WINDOW`.
    measured_fps: Option<f32>,
    /// The open source's control requests, replaced when it reopens.
    controls: Option<ControlHandle>,
    /// The latest bad buffer, once `MAX_BAD_BUFFERS` came in a row.
    format_problem: Option<BadBuffer>,
    /// Bad buffers dropped since the feed started.
    bad_buffers: u64,
    /// When the camera was last marked lost. Frames received before it
    /// show the scene from before the loss, so no capture may use them.
    last_loss: Option<Instant>,
    closed: bool,
}

impl FrameSlot {
    /// Makes `frame` the newest frame. A good frame ends a loss or a format
    /// problem.
    pub fn publish(&self, frame: Frame) {
        let mut state = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        state.frame = Some(frame);
        state.lost = None;
        state.format_problem = None;
        self.changed.notify_all();
    }

    /// Counts a dropped buffer, and reports it as a format problem when
    /// `in_a_row` has reached `MAX_BAD_BUFFERS`.
    fn drop_bad_buffer(&self, bad: BadBuffer, in_a_row: u32) {
        let mut state = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        state.bad_buffers += 1;
        if in_a_row >= MAX_BAD_BUFFERS {
            state.format_problem = Some(bad);
        }
    }

    /// Returns the latest bad buffer while the camera sends nothing else.
    pub fn format_problem(&self) -> Option<BadBuffer> {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .format_problem
            .clone()
    }

    /// Returns the number of bad buffers dropped since the feed started.
    pub fn bad_buffer_count(&self) -> u64 {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .bad_buffers
    }

    fn mark_lost(&self, reason: Text) {
        let mut state = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if state.lost.is_none() {
            state.last_loss = Some(Instant::now());
        }
        state.lost = Some(reason);
        state.measured_fps = None;
        self.changed.notify_all();
    }

    /// Returns true when `frame` was received before the camera was last
    /// lost, even if the camera has come back since.
    pub fn predates_loss(&self, frame: &Frame) -> bool {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .last_loss
            .is_some_and(|lost| frame.received <= lost)
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

    /// Returns why the camera is lost, in English, for logs and errors.
    pub fn lost_reason(&self) -> Option<String> {
        self.lost_text().map(|text| text.en)
    }

    /// Returns why the camera is lost, with the fix, in both languages.
    pub fn lost_text(&self) -> Option<Text> {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .lost
            .clone()
    }

    /// Returns the delivered frame rate, measured from frame arrivals.
    pub fn measured_fps(&self) -> Option<f32> {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .measured_fps
    }

    fn set_controls(&self, controls: Option<ControlHandle>) {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .controls = controls;
    }

    /// Returns the controls the open source can lock for a session.
    pub fn lockable_controls(&self) -> Vec<LockableControl> {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .controls
            .as_ref()
            .map(|handle| handle.lockable.clone())
            .unwrap_or_default()
    }

    /// Sends `request` to the open source's controls, if it has any. The
    /// source carries it out between two frames.
    pub fn request_controls(&self, request: ControlRequest) {
        let state = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(handle) = &state.controls
            && handle.requests.send(request).is_err()
        {
            tracing::warn!("camera controls request dropped: the camera reader has stopped");
        }
    }

    fn set_measured_fps(&self, fps: Option<f32>) {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .measured_fps = fps;
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
    thread: Mutex<Option<JoinHandle<()>>>,
    pub name: String,
    pub kind: CameraSourceKind,
    pub size: (u32, u32),
    /// Frame rate the source was opened at, as its backend reports it.
    pub requested_fps: Option<u32>,
    /// Direction the device faces; `None` for recorded frames.
    pub facing: Option<CameraKind>,
    /// Reason this source runs, such as "no camera found", shown to staff.
    pub note: Option<Text>,
}

impl CameraFeed {
    /// Starts the feed thread, builds the source on it, and returns once the
    /// source is open, or with the error that stopped it opening. When the
    /// source is lost later, the thread builds it again with `factory` every
    /// `RECONNECT_INTERVAL` until it opens.
    pub fn start(mut factory: SourceFactory) -> Result<Self> {
        let slot = Arc::new(FrameSlot::default());
        let stop = Arc::new(AtomicBool::new(false));
        let (opened_tx, opened_rx) = std::sync::mpsc::channel();

        let thread_slot = slot.clone();
        let thread_stop = stop.clone();
        let thread = std::thread::Builder::new()
            .name("camera".into())
            .spawn(move || {
                let source = match factory() {
                    Ok(source) => source,
                    Err(e) => {
                        let _ = opened_tx.send(Err(e));
                        return;
                    }
                };
                thread_slot.set_controls(source.controls());
                let _ = opened_tx.send(Ok((
                    source.name(),
                    source.kind(),
                    source.size(),
                    source.requested_fps(),
                    source.facing(),
                )));
                run(source, factory, &thread_slot, &thread_stop);
                thread_slot.close();
            })
            .map_err(|e| Error::Camera(format!("cannot start the camera thread: {e}")))?;

        let (name, kind, size, requested_fps, facing) = opened_rx
            .recv()
            .map_err(|_| Error::Camera("the camera thread stopped while opening".into()))??;
        tracing::info!(%name, ?kind, width = size.0, height = size.1, "camera feed started");
        Ok(Self {
            slot,
            stop,
            thread: Mutex::new(Some(thread)),
            name,
            kind,
            size,
            requested_fps,
            facing,
            note: None,
        })
    }

    pub fn slot(&self) -> &Arc<FrameSlot> {
        &self.slot
    }

    /// Stops the feed thread and waits for it, which closes the device, so
    /// that the same camera can be opened again at once. Readers of the
    /// slot get no newer frame afterwards. Dropping the feed does the same.
    pub fn close(&self) {
        self.stop.store(true, Ordering::Relaxed);
        let thread = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }

    pub fn state(&self) -> CameraRunState {
        if self.slot.lost_reason().is_some() {
            CameraRunState::Lost
        } else if self.slot.format_problem().is_some() {
            CameraRunState::FormatProblem
        } else if self
            .thread
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .is_some_and(|t| !t.is_finished())
        {
            CameraRunState::Running
        } else {
            CameraRunState::Stopped
        }
    }
}

/// Reads `source` until the feed stops, and while it is lost builds it again
/// with `factory` every `RECONNECT_INTERVAL`. Frame numbers go on across
/// reconnections, so readers waiting for a newer frame see the new ones.
fn run(
    mut source: Box<dyn FrameSource>,
    mut factory: SourceFactory,
    slot: &FrameSlot,
    stop: &AtomicBool,
) {
    let size = source.size();
    let mut number = 0u64;
    loop {
        slot.set_controls(source.controls());
        read_until_lost(source.as_mut(), &mut number, slot, stop);
        slot.set_controls(None);
        drop(source);
        match reopen(&mut factory, size, slot, stop) {
            Some(reopened) => source = reopened,
            None => return,
        }
    }
}

/// Builds the source again every `RECONNECT_INTERVAL` until it opens at
/// `size`, or returns `None` when the feed stops first.
fn reopen(
    factory: &mut SourceFactory,
    size: (u32, u32),
    slot: &FrameSlot,
    stop: &AtomicBool,
) -> Option<Box<dyn FrameSource>> {
    let mut attempts = 0u32;
    let mut size_logged = false;
    loop {
        let deadline = Instant::now() + RECONNECT_INTERVAL;
        while Instant::now() < deadline {
            if stop.load(Ordering::Relaxed) {
                return None;
            }
            std::thread::sleep(STOP_POLL);
        }
        attempts += 1;
        match factory() {
            Ok(source) if source.size() == size => {
                tracing::info!(attempts, name = %source.name(), "camera opened again");
                return Some(source);
            }
            Ok(source) => {
                let (width, height) = source.size();
                let reason = Text::new(
                    format!(
                        "摄像头重新连接后的画面尺寸为 {width}x{height}，而不是 {}x{}；请在设置中点“重新检测摄像头”（或重启工作站）以使用新尺寸。",
                        size.0, size.1
                    ),
                    format!(
                        "the camera came back at {width}x{height} instead of {}x{}; choose \"Detect cameras again\" in the settings, or restart the station, to use the new size",
                        size.0, size.1
                    ),
                );
                // Logged once: the size stays wrong until someone acts.
                if !size_logged {
                    tracing::warn!(reason = %reason.en, attempts, "camera opened again at another size");
                    size_logged = true;
                }
                slot.mark_lost(reason);
            }
            Err(e) => {
                // The first failure and then one in 30 (a minute at 2 s), so a
                // camera left unplugged does not fill the log.
                if attempts == 1 || attempts.is_multiple_of(30) {
                    tracing::warn!(error = %e, attempts, "camera still lost, opening it again failed");
                }
            }
        }
    }
}

/// Reads and publishes frames until the feed stops or `MAX_FAILED_READS`
/// reads in a row fail, which marks the camera lost.
fn read_until_lost(
    source: &mut dyn FrameSource,
    number: &mut u64,
    slot: &FrameSlot,
    stop: &AtomicBool,
) {
    let mut failures = 0u32;
    let mut bad_in_a_row = 0u32;
    let requested_fps = source.requested_fps();
    let mut meter = FrameRateMeter::default();
    let mut rate_log = RateLogPolicy::new(Instant::now());
    while !stop.load(Ordering::Relaxed) {
        let data = match source.next_frame(READ_TIMEOUT) {
            Ok(data) => data,
            Err(e) => {
                failures += 1;
                tracing::warn!(error = %e, failures, "camera read failed");
                if failures >= MAX_FAILED_READS {
                    tracing::error!(error = %e, retry_every = ?RECONNECT_INTERVAL, "camera lost");
                    slot.mark_lost(e.camera_text());
                    return;
                }
                continue;
            }
        };
        failures = 0;
        let arrived = Instant::now();
        meter.record(arrived);
        let measured = meter.rate();
        slot.set_measured_fps(measured);
        if let Some(fps) = measured
            && rate_log.should_log(arrived, fps)
        {
            tracing::info!(requested_fps = ?requested_fps, measured_fps = format!("{fps:.1}"), "camera frame rate");
        }
        match decode(data) {
            Ok(image) => {
                if bad_in_a_row > 0 {
                    tracing::info!(dropped = bad_in_a_row, "camera sends good frames again");
                    bad_in_a_row = 0;
                }
                *number += 1;
                slot.publish(Frame {
                    number: *number,
                    image: Arc::new(image),
                    received: Instant::now(),
                });
            }
            Err(bad) => {
                bad_in_a_row += 1;
                // One line when a run of bad buffers starts, one when it
                // becomes a format problem, and one with its length when a
                // good frame ends it.
                if bad_in_a_row == 1 {
                    tracing::warn!(problem = %bad, "camera buffer dropped");
                } else if bad_in_a_row == MAX_BAD_BUFFERS {
                    tracing::error!(problem = %bad, dropped = bad_in_a_row, "camera format problem");
                }
                slot.drop_bad_buffer(bad, bad_in_a_row);
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
        self.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::ReplaySource;

    use crate::camera::{ControlHandle, ControlRequest, LockableControl};

    fn replay() -> SourceFactory {
        Box::new(|| {
            let files = vec![crate::assets_dir().join("fixtures/chelsea.png")];
            Ok(Box::new(ReplaySource::open("test", &files, 100.0)?)
                as Box<dyn super::super::FrameSource>)
        })
    }

    type Produce = Arc<dyn Fn(u64) -> Result<FrameData> + Send + Sync>;

    /// A source whose `produce` makes the n-th buffer, counted from 1.
    struct TestSource {
        produce: Produce,
        count: u64,
        size: (u32, u32),
    }

    impl FrameSource for TestSource {
        fn name(&self) -> String {
            "test".into()
        }

        fn kind(&self) -> CameraSourceKind {
            CameraSourceKind::Demo
        }

        fn size(&self) -> (u32, u32) {
            self.size
        }

        fn next_frame(&mut self, _timeout: Duration) -> Result<FrameData> {
            std::thread::sleep(Duration::from_millis(2));
            self.count += 1;
            (self.produce)(self.count)
        }
    }

    fn test_source(
        produce: impl Fn(u64) -> Result<FrameData> + Send + Sync + 'static,
    ) -> SourceFactory {
        let produce: Produce = Arc::new(produce);
        Box::new(move || {
            Ok(Box::new(TestSource {
                produce: produce.clone(),
                count: 0,
                size: (4, 2),
            }) as Box<dyn FrameSource>)
        })
    }

    /// Returns a 4x2 YUYV buffer of mid grey, or one cut short to 10 of its
    /// 16 bytes.
    fn yuyv(good: bool) -> FrameData {
        let length = if good { 16 } else { 10 };
        FrameData::Raw(crate::camera::RawBuffer {
            format: crate::camera::PixelFormat::Yuyv,
            layout: crate::camera::RawLayout::yuyv(4, 2),
            bytes: vec![128; length],
        })
    }

    /// Polls `condition` every 10 ms for up to 5 s.
    fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !condition() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn bad_buffers_are_dropped_and_counted() {
        let feed = CameraFeed::start(test_source(|n| Ok(yuyv(n > 10)))).unwrap();
        let first = feed.slot().wait_newer(0, Duration::from_secs(5)).unwrap();
        assert_eq!(first.number, 1, "bad buffers are not numbered frames");
        assert_eq!(first.image.dimensions(), (4, 2));
        assert_eq!(feed.slot().bad_buffer_count(), 10);
        assert!(feed.slot().format_problem().is_none());
        assert_eq!(feed.state(), CameraRunState::Running);
    }

    #[test]
    fn bad_run_reports_format_problem() {
        let feed = CameraFeed::start(test_source(|_| Ok(yuyv(false)))).unwrap();
        eventually("a format problem", || {
            feed.slot().format_problem().is_some()
        });
        let bad = feed.slot().format_problem().unwrap();
        assert_eq!(bad.format, crate::camera::PixelFormat::Yuyv);
        assert_eq!(bad.received, 10);
        assert_eq!(bad.expected, Some(16));
        assert!(feed.slot().bad_buffer_count() >= u64::from(MAX_BAD_BUFFERS));
        assert_eq!(feed.state(), CameraRunState::FormatProblem);
        assert!(feed.slot().latest().is_none());
    }

    #[test]
    fn short_bad_run_is_no_problem() {
        let limit = u64::from(MAX_BAD_BUFFERS);
        let feed =
            CameraFeed::start(test_source(move |n| Ok(yuyv(n.is_multiple_of(limit))))).unwrap();
        let first = feed.slot().wait_newer(0, Duration::from_secs(5)).unwrap();
        feed.slot()
            .wait_newer(first.number, Duration::from_secs(5))
            .unwrap();
        assert!(feed.slot().format_problem().is_none());
        assert_eq!(feed.state(), CameraRunState::Running);
    }

    #[test]
    fn good_frame_clears_format_problem() {
        let limit = u64::from(MAX_BAD_BUFFERS);
        let feed = CameraFeed::start(test_source(move |n| Ok(yuyv(n > 3 * limit)))).unwrap();
        eventually("a format problem", || {
            feed.slot().format_problem().is_some()
        });
        feed.slot().wait_newer(0, Duration::from_secs(5)).unwrap();
        assert!(feed.slot().format_problem().is_none());
        assert_eq!(feed.state(), CameraRunState::Running);
        assert_eq!(feed.slot().bad_buffer_count(), 3 * limit);
    }

    #[test]
    fn lost_source_reconnects() {
        let unplugged = Arc::new(AtomicBool::new(false));
        let opened = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let factory: SourceFactory = Box::new({
            let (unplugged, opened) = (unplugged.clone(), opened.clone());
            move || {
                if unplugged.load(Ordering::SeqCst) {
                    return Err(Error::Camera("no such camera".into()));
                }
                opened.fetch_add(1, Ordering::SeqCst);
                let unplugged = unplugged.clone();
                let produce: Produce = Arc::new(move |_| {
                    if unplugged.load(Ordering::SeqCst) {
                        Err(Error::Camera("camera read failed: device gone".into()))
                    } else {
                        Ok(yuyv(true))
                    }
                });
                Ok(Box::new(TestSource {
                    produce,
                    count: 0,
                    size: (4, 2),
                }) as Box<dyn FrameSource>)
            }
        });
        let feed = CameraFeed::start(factory).unwrap();
        let before = feed.slot().wait_newer(0, Duration::from_secs(5)).unwrap();
        assert!(!feed.slot().predates_loss(&before));

        unplugged.store(true, Ordering::SeqCst);
        eventually("the loss", || feed.state() == CameraRunState::Lost);
        assert!(feed.slot().lost_reason().unwrap().contains("device gone"));
        let lost = feed.slot().lost_text().unwrap();
        assert!(
            lost.zh.contains("摄像头"),
            "the reason is in Chinese too: {}",
            lost.zh
        );
        assert!(feed.slot().predates_loss(&before));
        // Let at least one attempt to reopen fail before the camera is back.
        std::thread::sleep(RECONNECT_INTERVAL + Duration::from_millis(300));
        assert_eq!(feed.state(), CameraRunState::Lost);

        unplugged.store(false, Ordering::SeqCst);
        eventually("the camera back", || {
            feed.state() == CameraRunState::Running
        });
        let newest = feed.slot().latest().unwrap();
        let after = feed
            .slot()
            .wait_newer(newest.number, Duration::from_secs(5))
            .unwrap();
        assert!(after.number > before.number, "frame numbers go on");
        assert!(!feed.slot().predates_loss(&after));
        assert!(feed.slot().predates_loss(&before));
        assert_eq!(opened.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn camera_back_at_other_size_stays_lost() {
        let opened = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let factory: SourceFactory = Box::new({
            let opened = opened.clone();
            move || {
                // The first source fails after one frame, and every later
                // one opens at 8x2 instead of 4x2.
                let first = opened.fetch_add(1, Ordering::SeqCst) == 0;
                let produce: Produce = Arc::new(|n| {
                    if n == 1 {
                        Ok(yuyv(true))
                    } else {
                        Err(Error::Camera("camera read failed: device gone".into()))
                    }
                });
                let size = if first { (4, 2) } else { (8, 2) };
                Ok(Box::new(TestSource {
                    produce,
                    count: 0,
                    size,
                }) as Box<dyn FrameSource>)
            }
        });
        let feed = CameraFeed::start(factory).unwrap();
        eventually("the loss", || feed.state() == CameraRunState::Lost);
        eventually("an attempt to reopen", || {
            opened.load(Ordering::SeqCst) >= 2
        });
        eventually("the reason to restart", || {
            feed.slot()
                .lost_reason()
                .is_some_and(|reason| reason.contains("came back at 8x2 instead of 4x2"))
        });
        assert_eq!(feed.state(), CameraRunState::Lost);
        assert_eq!(feed.size, (4, 2));
    }

    /// A source with controls, whose requests land in a channel.
    struct ControlledSource {
        handle: ControlHandle,
    }

    impl FrameSource for ControlledSource {
        fn name(&self) -> String {
            "controlled".into()
        }

        fn kind(&self) -> CameraSourceKind {
            CameraSourceKind::Device
        }

        fn size(&self) -> (u32, u32) {
            (4, 2)
        }

        fn controls(&self) -> Option<ControlHandle> {
            Some(self.handle.clone())
        }

        fn next_frame(&mut self, _timeout: Duration) -> Result<FrameData> {
            std::thread::sleep(Duration::from_millis(5));
            Ok(yuyv(true))
        }
    }

    #[test]
    fn feed_forwards_control_requests() {
        let (tx, rx) = std::sync::mpsc::channel();
        let handle = ControlHandle {
            lockable: vec![LockableControl::Exposure],
            requests: tx,
        };
        let feed = CameraFeed::start(Box::new(move || {
            Ok(Box::new(ControlledSource {
                handle: handle.clone(),
            }) as Box<dyn FrameSource>)
        }))
        .unwrap();

        assert_eq!(
            feed.slot().lockable_controls(),
            vec![LockableControl::Exposure]
        );
        feed.slot()
            .request_controls(ControlRequest::Lock(vec![LockableControl::Exposure]));
        feed.slot().request_controls(ControlRequest::Release);
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(1)).unwrap(),
            ControlRequest::Lock(vec![LockableControl::Exposure])
        );
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(1)).unwrap(),
            ControlRequest::Release
        );
    }

    #[test]
    fn replay_lists_no_controls() {
        let feed = CameraFeed::start(replay()).unwrap();

        assert!(feed.slot().lockable_controls().is_empty());
        feed.slot().request_controls(ControlRequest::Release);
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
