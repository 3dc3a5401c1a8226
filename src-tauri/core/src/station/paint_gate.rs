//! The hand-off of preview frames to the window. At most one frame is in
//! flight: from the moment it is sent until the window acknowledges that it
//! painted it, or until `ACK_TIMEOUT` passes, so that a lost acknowledgement
//! cannot freeze the preview.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::views::PaintedFrame;
use crate::{Error, Result};

/// How long a sent frame may wait for the window's acknowledgement before
/// the next frame is sent anyway.
pub const ACK_TIMEOUT: Duration = Duration::from_secs(1);

/// Counts of one preview run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PreviewStats {
    /// Frames sent to the window.
    pub sent: u64,
    /// Sent frames that the window acknowledged.
    pub acknowledged: u64,
    /// Camera frames never sent, because a newer frame replaced them while
    /// the window had not yet taken the one before.
    pub dropped: u64,
    /// Sent frames whose acknowledgement did not arrive within the time-out.
    pub timed_out: u64,
}

/// A frame sent to the window and not yet acknowledged.
struct InFlight {
    frame: u64,
    sent: Instant,
    sent_at: SystemTime,
    captured_at: SystemTime,
    encode: Duration,
}

#[derive(Default)]
struct GateState {
    in_flight: Option<InFlight>,
    last_sent: Option<u64>,
    stats: PreviewStats,
}

/// One preview run's gate between the preview thread and the window.
pub struct PaintGate {
    state: Mutex<GateState>,
    cleared: Condvar,
    timeout: Duration,
    trace: Option<Mutex<PreviewTrace>>,
}

impl PaintGate {
    pub fn new(timeout: Duration, trace: Option<PreviewTrace>) -> Self {
        Self {
            state: Mutex::default(),
            cleared: Condvar::new(),
            timeout,
            trace: trace.map(Mutex::new),
        }
    }

    /// Returns true when the preview frames carry the drawn frame number,
    /// which the trace needs.
    pub fn is_tracing(&self) -> bool {
        self.trace.is_some()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, GateState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits up to `wait` for the window to take the frame in flight, and
    /// returns true when no frame is in flight any more. A frame older than
    /// the time-out counts as taken.
    pub fn wait_clear(&self, wait: Duration) -> bool {
        let mut state = self.lock();
        let deadline = Instant::now() + wait;
        loop {
            let Some(in_flight) = &state.in_flight else {
                return true;
            };
            let age = in_flight.sent.elapsed();
            if age >= self.timeout {
                let Some(in_flight) = state.in_flight.take() else {
                    return true;
                };
                state.stats.timed_out += 1;
                let (timed_out, dropped) = (state.stats.timed_out, state.stats.dropped);
                self.trace_row(&in_flight, None, dropped);
                // The first time-out and then one in 100, so a window that
                // stopped acknowledging does not fill the log.
                if timed_out == 1 || timed_out.is_multiple_of(100) {
                    tracing::warn!(
                        frame = in_flight.frame,
                        timed_out,
                        timeout = ?self.timeout,
                        "preview frame not acknowledged in time, sending the next one"
                    );
                }
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            let rest = (deadline - now).min(self.timeout - age);
            state = self
                .cleared
                .wait_timeout(state, rest)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Records `frame` as sent: it is in flight until acknowledged. Frames
    /// numbered between the last sent one and `frame` count as dropped.
    pub fn sending(&self, frame: u64, captured: Instant, encode: Duration) {
        let now = SystemTime::now();
        let captured_at = now.checked_sub(captured.elapsed()).unwrap_or(now);
        let mut state = self.lock();
        if let Some(last) = state.last_sent {
            state.stats.dropped += frame.saturating_sub(last + 1);
        }
        state.last_sent = Some(frame);
        state.stats.sent += 1;
        state.in_flight = Some(InFlight {
            frame,
            sent: Instant::now(),
            sent_at: now,
            captured_at,
            encode,
        });
    }

    /// Takes the window's acknowledgement. One for a frame other than the
    /// one in flight, such as a late one after a time-out, is ignored.
    pub fn acknowledge(&self, painted: &PaintedFrame) {
        let mut state = self.lock();
        if state
            .in_flight
            .as_ref()
            .is_none_or(|f| f.frame != painted.frame)
        {
            return;
        }
        let Some(in_flight) = state.in_flight.take() else {
            return;
        };
        state.stats.acknowledged += 1;
        let dropped = state.stats.dropped;
        drop(state);
        self.cleared.notify_all();
        self.trace_row(&in_flight, Some(painted), dropped);
    }

    /// Writes a frame's row to the trace, if there is one. `painted` is
    /// `None` for a frame whose acknowledgement timed out.
    fn trace_row(&self, sent: &InFlight, painted: Option<&PaintedFrame>, dropped: u64) {
        if let Some(trace) = &self.trace {
            let mut trace = trace.lock().unwrap_or_else(|e| e.into_inner());
            trace.write(sent, painted, dropped);
        }
    }

    pub fn stats(&self) -> PreviewStats {
        self.lock().stats
    }
}

/// A CSV file with one row per preview frame sent, for measuring the
/// preview: when the frame was captured, encoded, sent and painted.
pub struct PreviewTrace {
    file: BufWriter<File>,
    failed: bool,
}

const TRACE_HEADER: &str = "frame,captured_ms,encode_ms,sent_ms,received_ms,decoded_ms,painted_ms,acknowledged_ms,stamp,dropped_total";

impl PreviewTrace {
    /// Opens `path` for appending, writing the CSV header when the file is
    /// new or empty. Times in the file are milliseconds since the Unix epoch.
    pub fn open(path: &Path) -> Result<Self> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| Error::io(path, e))?;
        let empty = file.metadata().map_err(|e| Error::io(path, e))?.len() == 0;
        let mut file = BufWriter::new(file);
        if empty {
            writeln!(file, "{TRACE_HEADER}").map_err(|e| Error::io(path, e))?;
        }
        Ok(Self {
            file,
            failed: false,
        })
    }

    /// Appends a frame's row. The cells from the window are empty for a
    /// frame whose acknowledgement timed out (`painted` is `None`), and the
    /// decode, paint and stamp cells for one the window could not decode.
    fn write(&mut self, sent: &InFlight, painted: Option<&PaintedFrame>, dropped: u64) {
        if self.failed {
            return;
        }
        let received_ms = painted.map(|p| p.received_at_ms);
        let decoded_ms = painted.and_then(|p| p.decoded_at_ms);
        let painted_ms = painted.and_then(|p| p.painted_at_ms);
        let acknowledged_ms = painted.map(|_| epoch_ms(SystemTime::now()));
        let stamp = painted.and_then(|p| p.stamp);
        let cell = |value: Option<String>| value.unwrap_or_default();
        let row = format!(
            "{},{:.3},{:.3},{:.3},{},{},{},{},{},{}",
            sent.frame,
            epoch_ms(sent.captured_at),
            sent.encode.as_secs_f64() * 1000.0,
            epoch_ms(sent.sent_at),
            cell(received_ms.map(|ms| format!("{ms:.3}"))),
            cell(decoded_ms.map(|ms| format!("{ms:.3}"))),
            cell(painted_ms.map(|ms| format!("{ms:.3}"))),
            cell(acknowledged_ms.map(|ms| format!("{ms:.3}"))),
            cell(stamp.map(|stamp| stamp.to_string())),
            dropped,
        );
        if let Err(e) = writeln!(self.file, "{row}").and_then(|()| self.file.flush()) {
            tracing::error!(error = %e, "preview trace not written, stopping the trace");
            self.failed = true;
        }
    }
}

fn epoch_ms(time: SystemTime) -> f64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0.0, |since| since.as_secs_f64() * 1000.0)
}
