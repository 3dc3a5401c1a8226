//! Format negotiation and the delivered frame rate: which of a camera's
//! formats the station requests, and how fast frames really arrive.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::{FormatDesc, PixelFormat};

/// Smallest frame, in either orientation, that the preferred rungs accept:
/// 1280x720 leaves a 3:4 crop of 540x720, above the 480x640 output photo.
const MIN_LONG_SIDE: u32 = 1280;
const MIN_SHORT_SIDE: u32 = 720;
/// Frame rate of a smooth preview.
const SMOOTH_FPS: u32 = 25;
/// Lowest frame rate of the third rung.
const USABLE_FPS: u32 = 15;
/// Largest frame a preferred rung picks before larger ones. Decoding MJPEG
/// beyond 1920x1080 at 25 fps is expected to cost a kiosk's CPU more than
/// the photo gains (an estimate, not measured).
const COMFORT_AREA: u64 = 1920 * 1080;

/// The rungs of format negotiation, in the order tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rung {
    /// MJPEG at 1280x720 or more and 25 fps or more.
    MjpegSmooth,
    /// YUYV or NV12 at 1280x720 or more and 25 fps or more.
    UncompressedSmooth,
    /// The largest MJPEG format at 15 fps or more.
    MjpegLargest,
    /// The largest format of any kind, at its highest frame rate.
    AnyLargest,
}

fn is_large(format: &FormatDesc) -> bool {
    let long = format.width.max(format.height);
    let short = format.width.min(format.height);
    long >= MIN_LONG_SIDE && short >= MIN_SHORT_SIDE
}

/// Picks among formats that all qualify for a preferred rung: the largest
/// up to 1920x1080, else the smallest above it; then the highest rate.
fn pick_comfortable(candidates: &[FormatDesc]) -> Option<FormatDesc> {
    let within = candidates
        .iter()
        .filter(|f| f.area() <= COMFORT_AREA)
        .max_by_key(|f| (f.area(), f.fps))
        .copied();
    within.or_else(|| {
        candidates
            .iter()
            .min_by_key(|f| (f.area(), std::cmp::Reverse(f.fps)))
            .copied()
    })
}

/// Picks the largest format, then the highest frame rate, then MJPEG over
/// other formats of the same size and rate.
fn pick_largest(candidates: &[FormatDesc]) -> Option<FormatDesc> {
    candidates
        .iter()
        .max_by_key(|f| (f.area(), f.fps, f.format == PixelFormat::Mjpeg))
        .copied()
}

/// Chooses the format to open a camera with, and the rung that chose it.
///
/// Order: MJPEG >=1280x720 >=25 fps, then YUYV or NV12 >=1280x720 >=25 fps,
/// then the largest MJPEG at >=15 fps, then the largest of any format.
/// MJPEG comes first because most USB 2.0 cameras offer 1280x720 YUYV at
/// 10 fps or less, as the bus cannot carry more uncompressed. `None` only for an empty list.
pub fn choose_format_rung(formats: &[FormatDesc]) -> Option<(FormatDesc, Rung)> {
    let smooth = |f: &&FormatDesc| is_large(f) && f.fps >= SMOOTH_FPS;
    let mjpeg_smooth: Vec<FormatDesc> = formats
        .iter()
        .filter(smooth)
        .filter(|f| f.format == PixelFormat::Mjpeg)
        .copied()
        .collect();
    if let Some(format) = pick_comfortable(&mjpeg_smooth) {
        return Some((format, Rung::MjpegSmooth));
    }
    let uncompressed_smooth: Vec<FormatDesc> = formats
        .iter()
        .filter(smooth)
        .filter(|f| matches!(f.format, PixelFormat::Yuyv | PixelFormat::Nv12))
        .copied()
        .collect();
    if let Some(format) = pick_comfortable(&uncompressed_smooth) {
        return Some((format, Rung::UncompressedSmooth));
    }
    let mjpeg_usable: Vec<FormatDesc> = formats
        .iter()
        .filter(|f| f.format == PixelFormat::Mjpeg && f.fps >= USABLE_FPS)
        .copied()
        .collect();
    if let Some(format) = pick_largest(&mjpeg_usable) {
        return Some((format, Rung::MjpegLargest));
    }
    pick_largest(formats).map(|format| (format, Rung::AnyLargest))
}

/// Chooses the format to open a camera with; see [`choose_format_rung`].
pub fn choose_format(formats: &[FormatDesc]) -> Option<FormatDesc> {
    choose_format_rung(formats).map(|(format, _)| format)
}

/// Span of frame arrivals over which the delivered rate is measured.
pub const RATE_WINDOW: Duration = Duration::from_secs(2);
/// Relative change of the measured rate that is logged again.
pub const RATE_DRIFT: f32 = 0.2;

/// The delivered frame rate, measured from frame arrival times over the
/// last [`RATE_WINDOW`].
#[derive(Debug, Default)]
pub struct FrameRateMeter {
    arrivals: VecDeque<Instant>,
}

impl FrameRateMeter {
    /// Records a frame that arrived at `at`, and drops arrivals older
    /// than the window.
    pub fn record(&mut self, at: Instant) {
        self.arrivals.push_back(at);
        while let Some(&oldest) = self.arrivals.front() {
            if at.duration_since(oldest) > RATE_WINDOW {
                self.arrivals.pop_front();
            } else {
                break;
            }
        }
    }

    /// Returns frames per second over the window: the intervals between
    /// the arrivals in it divided by their span. `None` with fewer than
    /// two arrivals.
    pub fn rate(&self) -> Option<f32> {
        let first = self.arrivals.front()?;
        let last = self.arrivals.back()?;
        let span = last.duration_since(*first).as_secs_f32();
        if self.arrivals.len() < 2 || span <= 0.0 {
            return None;
        }
        Some((self.arrivals.len() - 1) as f32 / span)
    }

    /// Forgets every arrival, such as when the camera is lost.
    pub fn clear(&mut self) {
        self.arrivals.clear();
    }
}

/// Decides when the measured rate is logged: once when the feed has run
/// for [`RATE_WINDOW`], then each time it moves more than [`RATE_DRIFT`]
/// away from the rate logged last.
#[derive(Debug)]
pub struct RateLogPolicy {
    started: Instant,
    logged: Option<f32>,
}

impl RateLogPolicy {
    pub fn new(started: Instant) -> Self {
        Self {
            started,
            logged: None,
        }
    }

    /// Returns true when `measured` at `now` is to be logged, and then
    /// remembers it as the rate logged last.
    pub fn should_log(&mut self, now: Instant, measured: f32) -> bool {
        let due = match self.logged {
            None => now.duration_since(self.started) >= RATE_WINDOW,
            Some(logged) => (measured - logged).abs() > RATE_DRIFT * logged.max(f32::EPSILON),
        };
        if due {
            self.logged = Some(measured);
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use PixelFormat::{Mjpeg, Nv12, Yuyv};

    fn f(format: PixelFormat, width: u32, height: u32, fps: u32) -> FormatDesc {
        FormatDesc::new(format, width, height, fps)
    }

    #[test]
    fn mjpeg_smooth_rung() {
        let formats = [
            f(Yuyv, 1280, 720, 30),
            f(Mjpeg, 640, 480, 30),
            f(Mjpeg, 1280, 720, 30),
            f(Mjpeg, 1920, 1080, 30),
            f(Mjpeg, 1920, 1080, 5),
        ];

        let (chosen, rung) = choose_format_rung(&formats).unwrap();

        assert_eq!(rung, Rung::MjpegSmooth);
        assert_eq!(chosen, f(Mjpeg, 1920, 1080, 30));
    }

    #[test]
    fn smooth_rung_avoids_4k() {
        let formats = [
            f(Mjpeg, 3840, 2160, 30),
            f(Mjpeg, 2560, 1440, 30),
            f(Mjpeg, 1280, 720, 60),
        ];

        assert_eq!(choose_format(&formats), Some(f(Mjpeg, 1280, 720, 60)));
    }

    #[test]
    fn smooth_rung_takes_smallest_above_comfort() {
        let formats = [f(Mjpeg, 3840, 2160, 30), f(Mjpeg, 2560, 1440, 30)];

        assert_eq!(choose_format(&formats), Some(f(Mjpeg, 2560, 1440, 30)));
    }

    #[test]
    fn portrait_frame_counts_as_large() {
        let formats = [f(Mjpeg, 720, 1280, 30), f(Mjpeg, 1600, 1200, 10)];

        let (chosen, rung) = choose_format_rung(&formats).unwrap();

        assert_eq!(rung, Rung::MjpegSmooth);
        assert_eq!(chosen, f(Mjpeg, 720, 1280, 30));
    }

    #[test]
    fn uncompressed_smooth_rung() {
        let formats = [
            f(Mjpeg, 1280, 720, 15),
            f(Yuyv, 640, 480, 30),
            f(Nv12, 1280, 720, 30),
            f(Yuyv, 1280, 720, 10),
        ];

        let (chosen, rung) = choose_format_rung(&formats).unwrap();

        assert_eq!(rung, Rung::UncompressedSmooth);
        assert_eq!(chosen, f(Nv12, 1280, 720, 30));
    }

    #[test]
    fn mjpeg_largest_rung() {
        let formats = [
            f(Mjpeg, 640, 480, 30),
            f(Mjpeg, 1600, 1200, 15),
            f(Mjpeg, 2592, 1944, 5),
            f(Yuyv, 1280, 720, 10),
        ];

        let (chosen, rung) = choose_format_rung(&formats).unwrap();

        assert_eq!(rung, Rung::MjpegLargest);
        assert_eq!(chosen, f(Mjpeg, 1600, 1200, 15));
    }

    #[test]
    fn any_largest_rung() {
        let formats = [
            f(Yuyv, 640, 480, 30),
            f(Yuyv, 1280, 720, 10),
            f(Yuyv, 1280, 720, 5),
            f(Mjpeg, 320, 240, 10),
        ];

        let (chosen, rung) = choose_format_rung(&formats).unwrap();

        assert_eq!(rung, Rung::AnyLargest);
        assert_eq!(chosen, f(Yuyv, 1280, 720, 10));
    }

    #[test]
    fn no_formats_no_choice() {
        assert_eq!(choose_format(&[]), None);
    }

    #[test]
    fn meter_measures_steady_rate() {
        let start = Instant::now();
        let mut meter = FrameRateMeter::default();
        assert_eq!(meter.rate(), None);

        // 30 fps for 3 s: the window keeps the last 2 s.
        for i in 0..=90u32 {
            meter.record(start + Duration::from_secs_f64(f64::from(i) / 30.0));
        }

        let rate = meter.rate().unwrap();
        assert!((rate - 30.0).abs() < 0.5, "{rate}");
        assert!(meter.arrivals.len() <= 62, "{}", meter.arrivals.len());
    }

    #[test]
    fn meter_follows_rate_change() {
        let start = Instant::now();
        let mut meter = FrameRateMeter::default();
        for i in 0..60u32 {
            meter.record(start + Duration::from_secs_f64(f64::from(i) / 30.0));
        }
        let switch = start + Duration::from_secs(2);
        for i in 0..=30u32 {
            meter.record(switch + Duration::from_secs_f64(f64::from(i) / 10.0));
        }

        let rate = meter.rate().unwrap();
        assert!((rate - 10.0).abs() < 0.5, "{rate}");
    }

    #[test]
    fn log_policy_waits_then_logs_drift() {
        let start = Instant::now();
        let mut policy = RateLogPolicy::new(start);
        let at = |ms: u64| start + Duration::from_millis(ms);

        assert!(!policy.should_log(at(500), 30.0), "before 2 s");
        assert!(policy.should_log(at(2000), 29.0), "first after 2 s");
        assert!(!policy.should_log(at(2500), 30.0), "within 20 %");
        assert!(!policy.should_log(at(3000), 24.0), "17 % is within 20 %");
        assert!(policy.should_log(at(3500), 15.0), "48 % lower");
        assert!(
            !policy.should_log(at(4000), 17.0),
            "13 % above the new rate"
        );
        assert!(policy.should_log(at(4500), 25.0), "67 % higher");
    }
}
