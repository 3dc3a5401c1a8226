//! Fault injection for tests: uploads that fail with 500, and uploads held
//! open after the centre stored them so that the station times out or is
//! killed before it reads the response.

use std::sync::Mutex;
use std::time::Duration;

use axum::http::StatusCode;

use crate::ApiError;

/// Faults applied to uploads. None is active by default.
#[derive(Debug, Default)]
pub struct Faults {
    state: Mutex<FaultState>,
}

#[derive(Debug, Default)]
struct FaultState {
    fail_uploads: u32,
    hold_after_store: bool,
    held: u32,
    stored_while_held: u32,
}

impl Faults {
    fn state(&self) -> std::sync::MutexGuard<'_, FaultState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes the next `count` uploads fail with 500 after they are read,
    /// before they are stored.
    pub fn fail_next_uploads(&self, count: u32) {
        self.state().fail_uploads = count;
    }

    /// Counts the injected failures not yet sent.
    pub fn failures_left(&self) -> u32 {
        self.state().fail_uploads
    }

    /// Holds every upload open after storing it, without a response, until
    /// [`Faults::release`].
    pub fn hold_after_store(&self) {
        self.state().hold_after_store = true;
    }

    /// Stops holding uploads; held ones get their response now.
    pub fn release(&self) {
        self.state().hold_after_store = false;
    }

    /// Counts the uploads stored while holding was on.
    pub fn stored_while_held(&self) -> u32 {
        self.state().stored_while_held
    }

    /// Counts the uploads held open right now.
    pub fn held(&self) -> u32 {
        self.state().held
    }

    pub(crate) fn before_store(&self) -> Result<(), ApiError> {
        let mut state = self.state();
        if state.fail_uploads == 0 {
            return Ok(());
        }
        state.fail_uploads -= 1;
        Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "injected_fault",
            "the centre failed on purpose (fault injection)",
        ))
    }

    pub(crate) async fn after_store(&self) {
        {
            let mut state = self.state();
            if !state.hold_after_store {
                return;
            }
            state.held += 1;
            state.stored_while_held += 1;
        }
        // The guard counts the hold as over even when the station hangs up
        // and the server drops this future.
        let _guard = HeldGuard(self);
        // Polling keeps this test-only path simple, and 10 ms is short
        // against the station's time-outs.
        while self.state().hold_after_store {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

struct HeldGuard<'a>(&'a Faults);

impl Drop for HeldGuard<'_> {
    fn drop(&mut self) {
        self.0.state().held -= 1;
    }
}
