//! Exposure and white balance held still for one student's session.
//!
//! Automatic exposure and white balance drift as the student moves, so
//! two captures of the same person differ in brightness and colour. At
//! the start of a session the station reads the automatic values,
//! switches the controls to manual at those values, reads them back, and
//! switches them to automatic again at the session's end.

use std::sync::mpsc::{Receiver, Sender};

use serde::Serialize;
use ts_rs::TS;

/// A camera control that a session can lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LockableControl {
    Exposure,
    WhiteBalance,
}

/// A control's mode and value as the device reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControlReading {
    pub automatic: bool,
    /// Exposure time in the device's unit (100 µs on V4L2), or colour
    /// temperature in kelvin.
    pub value: i64,
}

/// A device's exposure and white balance controls.
pub trait CameraControls {
    /// Returns the lockable controls the device lists, each with both an
    /// automatic mode and a manual value.
    fn lockable(&mut self) -> Vec<LockableControl>;

    fn read(&mut self, control: LockableControl) -> Result<ControlReading, String>;

    /// Switches `control` to manual at `value`.
    fn set_manual(&mut self, control: LockableControl, value: i64) -> Result<(), String>;

    /// Switches `control` back to automatic.
    fn set_automatic(&mut self, control: LockableControl) -> Result<(), String>;
}

/// The outcome of [`lock_session`] for one control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockStep {
    /// Switched to manual at `value`; `read_back` is the value the device
    /// reported afterwards.
    Locked {
        control: LockableControl,
        value: i64,
        read_back: Option<i64>,
    },
    /// Already manual: left as it is and not switched to automatic at the
    /// session's end.
    AlreadyManual { control: LockableControl },
    /// Not listed by the device.
    Unsupported { control: LockableControl },
    Failed {
        control: LockableControl,
        error: String,
    },
}

/// The controls one session switched to manual, to switch back at its end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionLock {
    pub steps: Vec<LockStep>,
}

impl SessionLock {
    /// Returns the controls this session switched to manual.
    pub fn locked(&self) -> Vec<LockableControl> {
        self.steps
            .iter()
            .filter_map(|step| match step {
                LockStep::Locked { control, .. } => Some(*control),
                _ => None,
            })
            .collect()
    }
}

/// Locks each control of `wanted` that the device lists at its current
/// automatic value, and reads it back. A read-back that differs from the
/// value set is logged as a warning and the control stays locked.
pub fn lock_session(device: &mut dyn CameraControls, wanted: &[LockableControl]) -> SessionLock {
    let listed = device.lockable();
    let steps = wanted
        .iter()
        .map(|&control| {
            if listed.contains(&control) {
                lock_one(device, control)
            } else {
                LockStep::Unsupported { control }
            }
        })
        .collect();
    SessionLock { steps }
}

fn lock_one(device: &mut dyn CameraControls, control: LockableControl) -> LockStep {
    let current = match device.read(control) {
        Ok(reading) => reading,
        Err(error) => {
            tracing::warn!(?control, %error, "camera control could not be read, left automatic");
            return LockStep::Failed { control, error };
        }
    };
    if !current.automatic {
        return LockStep::AlreadyManual { control };
    }
    if let Err(error) = device.set_manual(control, current.value) {
        tracing::warn!(?control, value = current.value, %error, "camera control could not be locked");
        // A half-done switch may have left the control manual.
        let _ = device.set_automatic(control);
        return LockStep::Failed { control, error };
    }
    let read_back = match device.read(control) {
        Ok(reading) => {
            if reading.automatic || reading.value != current.value {
                tracing::warn!(
                    ?control,
                    set = current.value,
                    read_back = reading.value,
                    automatic = reading.automatic,
                    "camera control reads back other than set"
                );
            }
            Some(reading.value)
        }
        Err(error) => {
            tracing::warn!(?control, %error, "camera control could not be read back");
            None
        }
    };
    tracing::info!(
        ?control,
        value = current.value,
        "camera control locked for the session"
    );
    LockStep::Locked {
        control,
        value: current.value,
        read_back,
    }
}

/// Switches the controls that `lock` locked back to automatic.
pub fn release_session(device: &mut dyn CameraControls, lock: &SessionLock) {
    for control in lock.locked() {
        match device.set_automatic(control) {
            Ok(()) => tracing::info!(?control, "camera control automatic again"),
            Err(error) => {
                tracing::warn!(?control, %error, "camera control could not be set automatic")
            }
        }
    }
}

/// A request to the thread that owns a camera.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlRequest {
    /// Start a session: lock these controls.
    Lock(Vec<LockableControl>),
    /// End the session: switch the locked controls back to automatic.
    Release,
}

/// The sending side of a camera's control requests, with the controls the
/// device lists.
#[derive(Debug, Clone)]
pub struct ControlHandle {
    pub lockable: Vec<LockableControl>,
    pub requests: Sender<ControlRequest>,
}

/// The current session lock, kept on the thread that owns the camera.
#[derive(Debug, Default)]
pub struct ControlSessions {
    current: Option<SessionLock>,
}

impl ControlSessions {
    /// Carries out every pending request. A second lock without a release
    /// releases the first session before it locks again.
    pub fn serve(&mut self, device: &mut dyn CameraControls, requests: &Receiver<ControlRequest>) {
        while let Ok(request) = requests.try_recv() {
            match request {
                ControlRequest::Lock(wanted) => {
                    self.release(device);
                    self.current = Some(lock_session(device, &wanted));
                }
                ControlRequest::Release => self.release(device),
            }
        }
    }

    /// Ends the current session, if any.
    pub fn release(&mut self, device: &mut dyn CameraControls) {
        if let Some(lock) = self.current.take() {
            release_session(device, &lock);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use LockableControl::{Exposure, WhiteBalance};

    /// A device that records every call and keeps each control's state.
    #[derive(Default)]
    struct FakeDevice {
        listed: Vec<LockableControl>,
        state: Vec<(LockableControl, ControlReading)>,
        calls: Vec<String>,
        /// Value the device reports after a manual set, to simulate a
        /// driver that rounds or ignores the value.
        read_back_override: Option<i64>,
        fail_set: bool,
    }

    impl FakeDevice {
        fn with(controls: &[(LockableControl, bool, i64)]) -> Self {
            FakeDevice {
                listed: controls.iter().map(|(c, _, _)| *c).collect(),
                state: controls
                    .iter()
                    .map(|&(c, automatic, value)| (c, ControlReading { automatic, value }))
                    .collect(),
                ..FakeDevice::default()
            }
        }

        fn reading(&mut self, control: LockableControl) -> &mut ControlReading {
            &mut self
                .state
                .iter_mut()
                .find(|(c, _)| *c == control)
                .expect("control listed")
                .1
        }
    }

    impl CameraControls for FakeDevice {
        fn lockable(&mut self) -> Vec<LockableControl> {
            self.calls.push("list".into());
            self.listed.clone()
        }

        fn read(&mut self, control: LockableControl) -> Result<ControlReading, String> {
            self.calls.push(format!("read {control:?}"));
            Ok(*self.reading(control))
        }

        fn set_manual(&mut self, control: LockableControl, value: i64) -> Result<(), String> {
            self.calls.push(format!("manual {control:?} {value}"));
            if self.fail_set {
                return Err("Permission denied".into());
            }
            let shown = self.read_back_override.unwrap_or(value);
            *self.reading(control) = ControlReading {
                automatic: false,
                value: shown,
            };
            Ok(())
        }

        fn set_automatic(&mut self, control: LockableControl) -> Result<(), String> {
            self.calls.push(format!("auto {control:?}"));
            self.reading(control).automatic = true;
            Ok(())
        }
    }

    #[test]
    fn lock_reads_sets_and_verifies() {
        let mut device = FakeDevice::with(&[(Exposure, true, 156), (WhiteBalance, true, 4600)]);

        let lock = lock_session(&mut device, &[Exposure, WhiteBalance]);

        assert_eq!(
            device.calls,
            vec![
                "list",
                "read Exposure",
                "manual Exposure 156",
                "read Exposure",
                "read WhiteBalance",
                "manual WhiteBalance 4600",
                "read WhiteBalance",
            ]
        );
        assert_eq!(lock.locked(), vec![Exposure, WhiteBalance]);
        assert!(!device.reading(Exposure).automatic);
        assert_eq!(device.reading(WhiteBalance).value, 4600);
    }

    #[test]
    fn release_restores_automatic() {
        let mut device = FakeDevice::with(&[(Exposure, true, 156), (WhiteBalance, true, 4600)]);
        let lock = lock_session(&mut device, &[Exposure, WhiteBalance]);
        device.calls.clear();

        release_session(&mut device, &lock);

        assert_eq!(device.calls, vec!["auto Exposure", "auto WhiteBalance"]);
        assert!(device.reading(Exposure).automatic);
        assert!(device.reading(WhiteBalance).automatic);
    }

    #[test]
    fn unlisted_control_untouched() {
        let mut device = FakeDevice::with(&[(Exposure, true, 156)]);

        let lock = lock_session(&mut device, &[Exposure, WhiteBalance]);

        assert_eq!(
            lock.steps[1],
            LockStep::Unsupported {
                control: WhiteBalance
            }
        );
        assert!(!device.calls.iter().any(|c| c.contains("WhiteBalance")));
    }

    #[test]
    fn manual_control_left_alone() {
        let mut device = FakeDevice::with(&[(Exposure, false, 300)]);

        let lock = lock_session(&mut device, &[Exposure]);
        release_session(&mut device, &lock);

        assert_eq!(
            lock.steps,
            vec![LockStep::AlreadyManual { control: Exposure }]
        );
        assert_eq!(device.calls, vec!["list", "read Exposure"]);
        assert!(!device.reading(Exposure).automatic);
    }

    #[test]
    fn read_back_mismatch_recorded() {
        let mut device = FakeDevice::with(&[(Exposure, true, 156)]);
        device.read_back_override = Some(150);

        let lock = lock_session(&mut device, &[Exposure]);

        assert_eq!(
            lock.steps,
            vec![LockStep::Locked {
                control: Exposure,
                value: 156,
                read_back: Some(150)
            }]
        );
    }

    #[test]
    fn failed_set_restores_automatic() {
        let mut device = FakeDevice::with(&[(Exposure, true, 156)]);
        device.fail_set = true;

        let lock = lock_session(&mut device, &[Exposure]);

        assert!(
            matches!(&lock.steps[0], LockStep::Failed { error, .. } if error.contains("denied")),
            "{:?}",
            lock.steps
        );
        assert!(lock.locked().is_empty());
        assert_eq!(device.calls.last().unwrap(), "auto Exposure");
    }

    #[test]
    fn sessions_serve_requests_in_order() {
        let mut device = FakeDevice::with(&[(Exposure, true, 156)]);
        let mut sessions = ControlSessions::default();
        let (tx, rx) = std::sync::mpsc::channel();

        tx.send(ControlRequest::Lock(vec![Exposure])).unwrap();
        sessions.serve(&mut device, &rx);
        assert!(!device.reading(Exposure).automatic);

        // A second student's lock first ends the first session.
        device.calls.clear();
        tx.send(ControlRequest::Lock(vec![Exposure])).unwrap();
        sessions.serve(&mut device, &rx);
        assert_eq!(device.calls[0], "auto Exposure");
        assert!(!device.reading(Exposure).automatic);

        tx.send(ControlRequest::Release).unwrap();
        sessions.serve(&mut device, &rx);
        assert!(device.reading(Exposure).automatic);
    }
}
